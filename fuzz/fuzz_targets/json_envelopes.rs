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
//!
//! The checks live in `fundline_fuzz::json_envelopes` (fuzz/src/lib.rs), which the
//! test suite also runs over this target's corpus.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fundline_fuzz::json_envelopes::run(data));
