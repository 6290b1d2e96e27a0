//! Repository of the check cashing partner API: partner sessions, customers,
//! cards, customer attributes, SSO tokens and check transactions.
//! Every query filters by tenant.

use crate::Conn;
use sqlx::{FromRow, Row};

use crate::fingerprints::in_list;
use crate::query::{self, Param, Params, Table};
use crate::{params, Store, StoreError};

mod partner_sessions;
pub use partner_sessions::*;
mod customers;
pub use customers::*;
mod cards;
pub use cards::*;
mod attributes;
pub use attributes::*;
mod sso;
pub use sso::*;
mod transactions;
pub use transactions::*;
