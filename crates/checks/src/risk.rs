//! The risk decision: may this check be deposited to this card now?
//!
//! Inputs are the tenant's [`Limits`], the partner's customer
//! [`Attributes`], the card's load limits, what the customer already
//! deposited ([`Velocity`]) and whether the same item was presented
//! before. [`effective_limits`] adjusts the tenant's limits to the
//! customer; [`decide`] applies them in a fixed order so the reason given
//! is predictable.

mod attributes;
mod decide;
mod limits;

pub use attributes::{attributes_from, Attributes};
pub use decide::{decide, CardLimits, Decline, Velocity};
pub use limits::{
    effective_limits, Limits, LimitsError, BOOST_CEILING_CENTS, NEW_CARD_MAX_CENTS,
    NEW_CARD_MONTHS, UNUSUAL_AMOUNT_FLOOR_CENTS,
};
