//! The value parsers in fundline-core (card numbers, expiry, SSN, IBAN,
//! e-mail, money, dates of birth, routing and bank account numbers, states,
//! ZIP and phone, CVV):
//! each must return its result for any string, never panic.
//!
//! The checks live in `fundline_fuzz::core_values` (fuzz/src/lib.rs), which the
//! test suite also runs over this target's corpus.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fundline_fuzz::core_values::run(data));
