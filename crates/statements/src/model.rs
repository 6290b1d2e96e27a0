//! The parsed form every format is normalised into.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A parsed statement file: one or more accounts, each with its transactions.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub format: Format,
    pub accounts: Vec<Account>,
}

impl Statement {
    /// Transactions across every account in the file.
    pub fn transaction_count(&self) -> usize {
        self.accounts.iter().map(|a| a.transactions.len()).sum()
    }
}

/// The file format that was recognised. QFX is OFX and reports as `Ofx1`/`Ofx2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Ofx1,
    Ofx2,
    Csv,
    Mt940,
    Camt053,
}

impl Format {
    /// Short name used as the prefix of error messages.
    pub fn label(self) -> &'static str {
        match self {
            Format::Ofx1 | Format::Ofx2 => "OFX",
            Format::Csv => "CSV",
            Format::Mt940 => "MT940",
            Format::Camt053 => "CAMT.053",
        }
    }
}

/// One account: one OFX statement aggregate; the MT940 statements or CAMT
/// `Stmt`s of one account in a file, joined; one CSV account and currency.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Account {
    /// As in the file, unmasked: callers mask it before display or logging.
    pub account_id: Option<String>,
    /// Routing number, BIC or sort code.
    pub bank_id: Option<String>,
    /// CHECKING, SAVINGS, CREDITCARD, INVESTMENT, ...
    pub account_type: Option<String>,
    /// ISO 4217.
    pub currency: Option<String>,
    /// FI ORG, bank name where known.
    pub institution: Option<String>,
    /// The account holder's name as the statement gives it (CAMT
    /// `Acct/Ownr/Nm`, a CSV account-holder column). Personal data: never
    /// logged.
    pub owner_name: Option<String>,
    /// First and last day the statement covers, where the file says so
    /// (OFX `DTSTART`/`DTEND`, CAMT `FrToDt`, MT940 `:60F:`/`:62F:` dates);
    /// otherwise the dates of its first and last transaction.
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// MT940 `:60F:`/`:60M:`, CAMT OPBD (else PRCD), a CSV running
    /// balance before the first row. OFX has none.
    pub opening_balance: Option<Balance>,
    /// OFX LEDGERBAL, MT940 `:62F:`/`:62M:`, CAMT CLBD, a CSV running
    /// balance after the last row.
    pub closing_balance: Option<Balance>,
    /// OFX AVAILBAL, MT940 `:64:`, CAMT CLAV.
    pub available_balance: Option<Balance>,
    pub transactions: Vec<Transaction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub amount: Decimal,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    /// Posted / booking date.
    pub date: NaiveDate,
    /// Signed: credits positive, debits negative.
    pub amount: Decimal,
    pub currency: Option<String>,
    /// FITID, bank reference.
    pub id: Option<String>,
    /// Structured payee or counterparty where the format has one.
    pub name: Option<String>,
    /// The description as a human reads it.
    pub memo: String,
    /// OFX TRNTYPE, MT940 transaction type code, CAMT bank transaction code.
    pub kind: Option<String>,
    pub check_number: Option<String>,
    /// The running balance after this transaction, where the file has one
    /// (a CSV balance column). Parsers turn it into the account's opening
    /// and closing balances.
    pub balance: Option<Decimal>,
}

/// Column mapping for CSV files whose layout is not auto-detected.
///
/// Column names match headers case-insensitively; for a headerless file use
/// 1-based column numbers ("1", "2", ...).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsvMapping {
    pub date: String,
    /// Signed amount column. Leave `None` and set `debit`/`credit` for split layouts.
    pub amount: Option<String>,
    pub debit: Option<String>,
    pub credit: Option<String>,
    pub description: String,
    /// Running balance column (the balance after each row), if the file has
    /// one: it gives the account's opening and closing balances.
    pub balance: Option<String>,
    /// chrono format string such as `%d/%m/%Y`; inferred from the values when `None`.
    pub date_format: Option<String>,
    /// Inferred from the header line when `None`.
    pub delimiter: Option<char>,
    /// Card exports where spend is positive: flip every sign.
    pub negate: bool,
}
