//! Bounds on what one parse may build. A statement file is untrusted input:
//! a 10 MB upload of `<a/>` elements, empty CSV cells or blank MT940 lines
//! would otherwise grow into hundreds of megabytes of parse tree. Each
//! format counts while it reads and stops at the first bound it crosses,
//! instead of building everything and refusing afterwards.

use crate::error::{Exceeded, ParseError};
use crate::model::Format;

/// What one file may hold. [`Limits::default`] is what the server applies
/// to one upload; callers lower `max_transactions` to what a report still
/// has room for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Transactions in the file. Counted as the file is read (OFX `STMTTRN`
    /// and `INVTRAN` aggregates, CAMT `Ntry` elements, CSV rows, MT940 `:61:`
    /// fields) and again as transactions are built.
    pub max_transactions: usize,
    /// Structure in the file: XML/SGML elements and attributes, CSV cells,
    /// MT940 lines. Bounds the parse tree of files with few transactions
    /// and much markup (a deep or wide XML document).
    pub max_elements: usize,
}

/// Default transaction bound: the most one report accepts.
pub const DEFAULT_MAX_TRANSACTIONS: usize = 200_000;
/// Default structure bound. A real 10 MB OFX export has about 500,000
/// elements; a CAMT.053 file of the same size fewer.
pub const DEFAULT_MAX_ELEMENTS: usize = 1_000_000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_transactions: DEFAULT_MAX_TRANSACTIONS,
            max_elements: DEFAULT_MAX_ELEMENTS,
        }
    }
}

/// A running count against [`Limits`] for one parse.
#[derive(Debug)]
pub(crate) struct Budget {
    limits: Limits,
    format: Format,
    elements: usize,
    /// Transaction-shaped things seen while reading (before extraction).
    seen: usize,
    /// Transactions built.
    built: usize,
}

impl Budget {
    pub fn new(limits: &Limits, format: Format) -> Self {
        Budget {
            limits: *limits,
            format,
            elements: 0,
            seen: 0,
            built: 0,
        }
    }

    /// Counts `n` more elements (tags, attributes, cells, lines).
    pub fn elements(&mut self, n: usize) -> Result<(), ParseError> {
        self.elements = self.elements.saturating_add(n);
        if self.elements > self.limits.max_elements {
            return Err(ParseError::limit(
                self.format,
                Exceeded::Elements,
                format!(
                    "the file has more than {} elements (tags, cells or lines); split it into smaller files",
                    self.limits.max_elements
                ),
            ));
        }
        Ok(())
    }

    /// Counts one transaction-shaped element met while reading the file.
    pub fn saw_transaction(&mut self) -> Result<(), ParseError> {
        self.seen += 1;
        self.check(self.seen)
    }

    /// Counts `n` transactions built.
    pub fn built(&mut self, n: usize) -> Result<(), ParseError> {
        self.built = self.built.saturating_add(n);
        self.check(self.built)
    }

    fn check(&self, count: usize) -> Result<(), ParseError> {
        if count > self.limits.max_transactions {
            return Err(self.too_many());
        }
        Ok(())
    }

    pub fn too_many(&self) -> ParseError {
        ParseError::limit(
            self.format,
            Exceeded::Transactions,
            format!("more than {} transactions", self.limits.max_transactions),
        )
    }

    pub fn max_transactions(&self) -> usize {
        self.limits.max_transactions
    }
}
