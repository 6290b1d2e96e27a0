//! Fundline's storage: one set of queries for SQLite and PostgreSQL through
//! a thin query layer with two backends (rusqlite on SQLite, sqlx on
//! PostgreSQL), embedded migrations, a group-committing SQLite writer
//! thread, and the repositories of each product.

pub mod checkcashing;
pub mod checks;
pub mod connect;
pub mod customers;
mod db;
mod error;
pub mod fingerprints;
pub mod gateway;
pub mod jobs;
pub mod keyring;
pub mod outbox;
pub mod query;
pub mod reports;
pub mod sealed;
mod sqlite;
pub mod staff;
pub mod tenants;

pub use db::{isolated_postgres_url, now_micros, Engine, Store, StoreOptions};
pub use error::{unique_constraint, Abort, StoreError};
pub use query::{Conn, Param, Params};
pub use sqlx::Row;

/// A boxed future borrowing the write connection; the shape every write closure returns.
pub type TxFuture<'c, T> = futures::future::BoxFuture<'c, Result<T, StoreError>>;

/// The `LIKE … ESCAPE '\'` pattern of a list's name filter: contains the
/// query, lower-cased (no query: everything).
pub(crate) fn contains_pattern(query: Option<&str>) -> String {
    format!(
        "%{}%",
        like_escape(&query.unwrap_or_default().to_lowercase())
    )
}

/// One page of a sorted list: pages are numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: i64,
    pub size: i64,
    pub descending: bool,
}

impl Page {
    /// The rows before this page.
    pub fn offset(&self) -> i64 {
        (self.number - 1).saturating_mul(self.size)
    }

    /// The sort direction in SQL.
    pub(crate) fn direction(&self) -> &'static str {
        if self.descending {
            "DESC"
        } else {
            "ASC"
        }
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}
