//! Check deposits: the rules, as plain functions.
//!
//! Everything here is pure — no I/O, no clock, no database — and total:
//! every function returns for every input, without panicking, because the
//! inputs come straight from customers' phones and partners' data. Money
//! is integer cents throughout.
//!
//! | module | what it decides |
//! |---|---|
//! | [`micr`] | routing, account and check number from the MICR line |
//! | [`image`] | whether an uploaded check image is a usable JPEG/PNG/TIFF |
//! | [`fees`] | the fee for a deposit |
//! | [`risk`] | the customer's limits and approve/decline |
//! | [`codes`] | the numbers GetTransactionHistory shows |
//! | [`expected_load_date`] | when the money should reach the card |
//!
//! The rules are documented for operators in `docs/check-rules.md`.

#![forbid(unsafe_code)]

pub mod codes;
pub mod fees;
pub mod image;
mod kinds;
mod load_date;
pub mod micr;
pub mod risk;

pub use kinds::{CheckType, Funding, UnknownValue};
pub use load_date::{expected_load_date, DAYS_HOLD_BANKING_DAYS};

#[cfg(test)]
mod properties;
