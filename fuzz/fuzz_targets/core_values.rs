//! The value parsers in fundline-core (card numbers, expiry, SSN, IBAN,
//! e-mail, money, dates of birth, routing and bank account numbers, states,
//! ZIP and phone, CVV):
//! each must return its result for any string, never panic.

#![no_main]

use chrono::NaiveDate;
use fundline_core::{card, contact, dob, iban, money, routing, ssn};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).expect("fixed date");

    let _ = card::Pan::parse(s);
    let _ = card::CardExpiry::parse_mmyy(s);
    let _ = card::CardExpiry::parse_yymm(s);
    let _ = card::luhn_valid(s);
    let _ = card::luhn_check_digit(s);
    let _ = card::Cvv::parse(s);
    let _ = card::valid_bin(s);
    let _ = ssn::Ssn::parse(s);
    let _ = iban::normalize_iban(s);
    let _ = contact::normalize_email(s);
    let _ = contact::UsState::parse(s);
    let _ = contact::valid_zip5(s);
    let _ = contact::valid_phone10(s);
    let _ = contact::Zip::parse(s);
    let _ = contact::Phone::parse(s);
    let _ = contact::Email::parse(s);
    let _ = money::Cents::parse_decimal(s, 7);
    let _ = dob::parse_date_of_birth(s, today);
    let _ = dob::parse_mm_dd_yyyy(s);
    let _ = routing::valid_aba_routing(s);
    let _ = routing::RoutingNumber::parse(s);
    let _ = routing::BankAccountNumber::parse(s);
});
