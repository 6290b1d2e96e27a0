//! Connect token service request bodies (spec 003). Any bytes are read by
//! `connect::tokens::json_body` (as `application/json`, and without a
//! Content-Type, which must be refused), as every body of the service is;
//! a JSON value then goes through:
//!
//! - `connect::tokens::token_input`: the CreateTokenRequest of create
//!   (POST) and the body of update (PUT), for the card, SEPA direct debit,
//!   non-SEPA direct debit and eWallet groups (an encryptedCustomerInput
//!   needs the tenant's key and the store, so only its refusal here);
//! - `connect::groups::approval`: the approvesepadirectdebit body.
//!
//! The client-session body (`client::create_session`) is only read by
//! `json_body` (its `tokens` are looked up in the store, never refused).
//! Besides never panicking, every refusal must be a 400 with at least one
//! error.
//!
//! The checks live in `fundline_fuzz::connect_bodies` (fuzz/src/lib.rs), which the
//! test suite also runs over this target's corpus.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fundline_fuzz::connect_bodies::run(data));
