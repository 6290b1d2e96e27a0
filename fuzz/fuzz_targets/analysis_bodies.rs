//! Bank analysis request bodies (spec 004). Any bytes go through
//! `analysis::envelope::object_body` and the auth bodies
//! (`auth::login_body`, `auth::refresh_body`); a JSON object then through
//! every body's rules:
//!
//! - `users::create_body` and `update_body` (POST/PUT /api/v1/user);
//! - `customers::create_body` and the four updates (`information_body`,
//!   `bank_body`, `contact_body`, `employment_body`), which are built from
//!   the `analysis::customer_rules` functions and `analysis::fields`;
//! - `report_requests::create_body` and `reset_body`.
//!
//! The `customer_rules`/`fields` helpers that take a string
//! (`type_from_filter`, `guid`, `last4`) get the input as text too.
//!
//! The checks live in `fundline_fuzz::analysis_bodies` (fuzz/src/lib.rs), which the
//! test suite also runs over this target's corpus.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fundline_fuzz::analysis_bodies::run(data));
