//! JSON request bodies. Any bytes are parsed as JSON; an object is then run
//! through these validators:
//!
//! - the check-cashing envelope: `checkcashing::input::Fields::from_map`
//!   and each `checkcashing::parse::*` request parser;
//! - the statements upload's CSV mapping (`CsvMapping`);
//! - the tenant settings documents: `checks::settings::CheckSettings::parse`
//!   and `gateway::settings::TenantGatewaySettings::parse` (+ `issuer()`).
//!
//! Not covered here: the gateway's, Connect's and the bank analysis's
//! request bodies have their own targets (`gateway_bodies`,
//! `connect_bodies`, `analysis_bodies`).

#![no_main]

use chrono::NaiveDate;
use fundline_api::checkcashing::{input::Fields, parse};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fn fields(map: &Map<String, Value>) -> Option<Fields> {
    Fields::from_map(map.clone(), "request").ok()
}

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<fundline_statements::CsvMapping>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = fundline_api::checks::settings::CheckSettings::parse(text);
        if let Ok(s) = fundline_api::gateway::settings::TenantGatewaySettings::parse(text) {
            let _ = s.issuer();
        }
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 1, 15).expect("fixed date");

    if let Some(f) = fields(&map) {
        let _ = parse::find_customer(f, today);
    }
    if let Some(f) = fields(&map) {
        let _ = parse::enroll_customer(f, today, 18);
    }
    if let Some(f) = fields(&map) {
        let _ = parse::customer_id_query(f);
    }
    if let Some(f) = fields(&map) {
        let _ = parse::customer_id_only(f);
    }
    if let Some(f) = fields(&map) {
        let _ = parse::add_or_update_card(f);
    }
    if let Some(f) = fields(&map) {
        let _ = parse::add_or_update_tokenized_card(f);
    }
    if let Some(f) = fields(&map) {
        let _ = parse::transaction_history(f);
    }
    if let Some(f) = fields(&map) {
        let _ = parse::delete_card(f);
    }
    if let Some(f) = fields(&map) {
        let _ = parse::customer_attributes(f);
    }
    if let Some(f) = fields(&map) {
        let _ = parse::session_attributes(f);
    }
});
