//! Bank statement parsers: OFX 1.x (SGML) and 2.x (XML), QFX, CSV, MT940
//! and CAMT.053, normalised into one [`Statement`] model.
//!
//! ```ignore
//! let statement = fundline_statements::parse(&bytes, Some("export.ofx"))?;
//! for account in &statement.accounts { /* ... */ }
//! ```
//!
//! See `docs/statements.md` for detection order, tolerated deviations and
//! sign conventions.

#![forbid(unsafe_code)]

mod amount;
mod camt;
mod csv;
mod csv_columns;
mod currency;
mod date;
mod detect;
mod error;
mod finish;
mod limits;
mod model;
mod mt940;
mod ofx;
mod ofx_sgml;
mod running;
pub mod synth;
mod text;
mod tree;
mod xml_tree;

pub use currency::infer_currency;
pub use error::{Exceeded, ParseError};
pub use limits::{Limits, DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_TRANSACTIONS};
pub use model::{Account, Balance, CsvMapping, Format, Statement, Transaction};

/// Parse a statement file, recognising the format from its content. The
/// file name is only a hint for content that could be more than one thing.
///
/// A file recognised as a format but holding no statement (an OFX sign-on
/// response, a CAMT document with no `Stmt`) parses to a [`Statement`] with
/// no accounts; check [`Statement::transaction_count`].
///
/// Applies [`Limits::default`]; see [`parse_limited`].
pub fn parse(bytes: &[u8], file_name: Option<&str>) -> Result<Statement, ParseError> {
    parse_limited(bytes, file_name, &Limits::default())
}

/// [`parse`] within `limits`: each format counts transactions and elements
/// while it reads, and stops with an error for which
/// [`ParseError::is_limit`] is true at the first bound crossed.
pub fn parse_limited(
    bytes: &[u8],
    file_name: Option<&str>,
    limits: &Limits,
) -> Result<Statement, ParseError> {
    let statement = match detect::sniff(bytes, file_name)? {
        detect::Kind::Ofx => ofx::parse(bytes, limits),
        detect::Kind::Camt => camt::parse(bytes, limits),
        detect::Kind::Mt940 => mt940::parse(bytes, limits),
        detect::Kind::Csv => csv::parse_auto(bytes, limits),
    }?;
    Ok(finished(statement))
}

/// The steps every format shares: currencies filled in and never mixed
/// within one account, statement period defaulted from the transactions.
fn finished(statement: Statement) -> Statement {
    Statement {
        format: statement.format,
        accounts: finish::finish(statement.accounts),
    }
}

/// Parse a CSV file with an explicit column mapping, for layouts the
/// auto-detection does not recognise. Applies [`Limits::default`].
pub fn parse_csv_with(bytes: &[u8], mapping: &CsvMapping) -> Result<Statement, ParseError> {
    parse_csv_with_limited(bytes, mapping, &Limits::default())
}

/// [`parse_csv_with`] within `limits`.
pub fn parse_csv_with_limited(
    bytes: &[u8],
    mapping: &CsvMapping,
    limits: &Limits,
) -> Result<Statement, ParseError> {
    csv::parse_mapped(bytes, mapping, limits).map(finished)
}
