//! CSV with a caller-supplied mapping: the first line of the input is a
//! JSON `CsvMapping` (inputs whose first line is not one are skipped), the
//! rest is the file given to `parse_csv_with`.
//!
//! The checks live in `fundline_fuzz::statements_csv_mapping` (fuzz/src/lib.rs), which the
//! test suite also runs over this target's corpus.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fundline_fuzz::statements_csv_mapping::run(data));
