//! The one error type. Messages name tags, columns and line numbers only:
//! statement contents (account numbers, payees) never go into them, because
//! errors end up in logs and operator screens.

use crate::model::Format;
use std::fmt;

/// Which parse limit a file crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// [`crate::Limits::max_transactions`].
    Transactions,
    /// [`crate::Limits::max_elements`].
    Elements,
}

#[derive(Debug, thiserror::Error)]
pub struct ParseError {
    format: Option<Format>,
    message: String,
    line: Option<usize>,
    limit: Option<Exceeded>,
}

impl ParseError {
    pub(crate) fn new(format: Option<Format>, message: impl Into<String>) -> Self {
        ParseError {
            format,
            message: message.into(),
            line: None,
            limit: None,
        }
    }

    /// The file crossed one of the parse [`crate::Limits`].
    pub(crate) fn limit(format: Format, which: Exceeded, message: impl Into<String>) -> Self {
        ParseError {
            format: Some(format),
            message: message.into(),
            line: None,
            limit: Some(which),
        }
    }

    pub(crate) fn at(format: Format, line: usize, message: impl Into<String>) -> Self {
        ParseError {
            format: Some(format),
            message: message.into(),
            line: Some(line),
            limit: None,
        }
    }

    pub(crate) fn unrecognised() -> Self {
        ParseError::new(
            None,
            "unrecognised file: not OFX, QFX, CSV, MT940 or CAMT.053",
        )
    }

    /// The format the file was recognised as before parsing failed, if any.
    pub fn format(&self) -> Option<Format> {
        self.format
    }

    /// 1-based line in the (decoded) file where the problem was found, if known.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// Whether parsing stopped because the file crossed a [`crate::Limits`]
    /// bound (too many transactions or elements) rather than being malformed.
    pub fn is_limit(&self) -> bool {
        self.limit.is_some()
    }

    /// Which limit, when [`ParseError::is_limit`].
    pub fn exceeded(&self) -> Option<Exceeded> {
        self.limit
    }

    /// The message without the format prefix and line suffix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(format) = self.format {
            write!(f, "{}: ", format.label())?;
        }
        f.write_str(&self.message)?;
        if let Some(line) = self.line {
            write!(f, " at line {line}")?;
        }
        Ok(())
    }
}
