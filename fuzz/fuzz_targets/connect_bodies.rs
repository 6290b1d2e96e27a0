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

#![no_main]

use chrono::NaiveDate;
use fundline_api::connect::error::ConnectError;
use fundline_api::connect::{groups, tokens};
use http::header::{HeaderValue, CONTENT_TYPE};
use http::HeaderMap;
use libfuzzer_sys::fuzz_target;

fn refused(what: &str, e: &ConnectError) {
    assert!(
        e.status == http::StatusCode::BAD_REQUEST && !e.errors.is_empty(),
        "{what} answered {} with {} error(s)",
        e.status,
        e.errors.len()
    );
}

fuzz_target!(|data: &[u8]| {
    let none = HeaderMap::new();
    assert!(tokens::json_body(&none, data).is_err());
    let mut json = HeaderMap::new();
    json.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = match tokens::json_body(&json, data) {
        Ok(v) => v,
        Err(e) => return refused("json_body", &e),
    };
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).expect("fixed date");
    match tokens::token_input(&body, today) {
        Ok(input) => assert!(!input.number.is_empty() && !input.kind.is_empty()),
        Err(e) => refused("token_input", &e),
    }
    if let Err(e) = groups::approval(&body, "") {
        refused("approval", &e);
    }
});
