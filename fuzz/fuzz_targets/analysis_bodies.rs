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

#![no_main]

use chrono::NaiveDate;
use fundline_api::analysis::{
    auth, customer_rules, customers, envelope, fields, report_requests, users,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = auth::login_body(data);
    let _ = auth::refresh_body(data);
    let text = String::from_utf8_lossy(data);
    let _ = customer_rules::type_from_filter(&text);
    let _ = fields::guid(&text);
    let _ = fields::last4(&text);

    let Ok(body) = envelope::object_body(data) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).expect("fixed date");
    let _ = users::create_body(&body);
    let _ = users::update_body(&body);
    let _ = customers::create_body(&body, today);
    let _ = customers::information_body(&body, today);
    let _ = customers::bank_body(&body);
    let _ = customers::contact_body(&body);
    let _ = customers::employment_body(&body);
    let _ = report_requests::create_body(&body);
    let _ = report_requests::reset_body(&body);
});
