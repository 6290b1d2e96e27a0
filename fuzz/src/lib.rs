//! What each fuzz target checks, as plain functions: the libFuzzer entry
//! points in `fuzz_targets/` call these, and the workspace's test suite
//! (crates/fundline/tests/api/fuzz_corpus.rs) replays every file of
//! `corpus/<target>/` through the same function on the stable toolchain,
//! so a corpus input that panics fails an ordinary `cargo test`.
//!
//! This file uses only crates the `fundline` package also depends on, as
//! that test includes it by path.

/// One target's checks over one input.
pub type Run = fn(&[u8]);

/// Every target by name (the name of its `corpus/` directory).
pub const TARGETS: &[(&str, Run)] = &[
    ("analysis_bodies", analysis_bodies::run),
    ("check_image", check_image::run),
    ("connect_authorization", connect_authorization::run),
    ("connect_bodies", connect_bodies::run),
    ("core_values", core_values::run),
    ("gateway_authorization", gateway_authorization::run),
    ("gateway_bodies", gateway_bodies::run),
    ("json_envelopes", json_envelopes::run),
    ("micr", micr::run),
    ("statements_csv_mapping", statements_csv_mapping::run),
    ("statements_parse", statements_parse::run),
];

pub mod analysis_bodies {
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

    use chrono::NaiveDate;
    use fundline_api::analysis::{
        auth, customer_rules, customers, envelope, fields, report_requests, users,
    };

    pub fn run(data: &[u8]) {
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
    }
}

pub mod check_image {
    //! An uploaded check image: `fundline_checks::image::inspect` reads the
    //! header with the default limits and must return Ok or Err, never panic.

    pub fn run(data: &[u8]) {
        let _ = fundline_checks::image::inspect("front", data, &Default::default());
    }
}

pub mod connect_authorization {
    //! Connect's `Authorization: GCS v1HMAC:<apiKeyId>:<signature>` header:
    //! `fundline_api::connect::hmac::parse_authorization` must never panic.

    pub fn run(data: &[u8]) {
        let _ = fundline_api::connect::hmac::parse_authorization(&String::from_utf8_lossy(data));
    }
}

pub mod connect_bodies {
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

    use chrono::NaiveDate;
    use fundline_api::connect::error::ConnectError;
    use fundline_api::connect::{groups, tokens};

    fn refused(what: &str, e: &ConnectError) {
        assert!(
            e.status.as_u16() == 400 && !e.errors.is_empty(),
            "{what} answered {} with {} error(s)",
            e.status,
            e.errors.len()
        );
    }

    pub fn run(data: &[u8]) {
        // The header map's type comes from `json_body`, so this file needs
        // no `http` dependency of its own (see the top of the file).
        let none = Default::default();
        assert!(tokens::json_body(&none, data).is_err());
        let mut json = none.clone();
        json.insert(
            "content-type",
            "application/json".parse().expect("a valid header value"),
        );
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
    }
}

pub mod core_values {
    //! The value parsers in fundline-core (card numbers, expiry, SSN, IBAN,
    //! e-mail, money, dates of birth, routing and bank account numbers, states,
    //! ZIP and phone, CVV): each must return its result for any string, never panic.

    use chrono::NaiveDate;
    use fundline_core::{card, contact, dob, iban, money, routing, ssn};

    pub fn run(data: &[u8]) {
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
    }
}

pub mod gateway_authorization {
    //! The gateway's `Authorization: hmac username=…, …` header:
    //! `fundline_api::gateway::hmac::parse_authorization` must never panic.

    pub fn run(data: &[u8]) {
        let _ = fundline_api::gateway::hmac::parse_authorization(&String::from_utf8_lossy(data));
    }
}

pub mod gateway_bodies {
    //! Payout gateway and capture-session request bodies (specs 001 and 002).
    //! Any bytes go through every body validator, with the tenant default
    //! settings (and a retail tenant that requires the CVV):
    //!
    //! - `gateway::verify::parse` (`/gateway/verify`, all account types);
    //! - `gateway::process::parse_process` (`/gateway/process`) and
    //!   `parse_check_cancel` (`/gateway/checkcancel`);
    //! - `gateway::search::parse` (`/gateway/search`);
    //! - `gateway::sessions::parse` (`/api/v1/sessions/point-in-time/plugin`);
    //! - the hosted page's `Submission` (its JSON read), its field checks
    //!   (`hosted::read_form`, every destination) and `hosted::recipient_matches`.
    //!
    //! Besides never panicking, a body must never get a 5xx answer: a parser's
    //! `GatewayError::Unavailable` (answered 13503) is treated as a crash, and
    //! verify's errors are 13400 or 1042 only.

    use std::sync::OnceLock;

    use fundline_api::gateway::error::GatewayError;
    use fundline_api::gateway::hosted::{account_type, read_form, recipient_matches, Submission};
    use fundline_api::gateway::issuer::GatewaySettings;
    use fundline_api::gateway::settings::{TenantGatewaySettings, DESTINATIONS};
    use fundline_api::gateway::staging::Recipient;
    use fundline_api::gateway::{process, search, sessions, verify};
    use serde_json::Value;

    /// The tenant default, and a retail tenant that requires the CVV.
    fn settings() -> &'static [GatewaySettings; 2] {
        static SETTINGS: OnceLock<[GatewaySettings; 2]> = OnceLock::new();
        SETTINGS.get_or_init(|| {
            let default = TenantGatewaySettings::default()
                .issuer()
                .expect("the default gateway settings are valid");
            let strict = TenantGatewaySettings::parse(r#"{"retail": true, "cvv_required": true}"#)
                .and_then(|s| s.issuer())
                .expect("retail settings are valid");
            [default, strict]
        })
    }

    /// A recipient on file, as a session keeps it (`recipient_json`).
    fn expected_recipient() -> Recipient {
        serde_json::from_str(
            r#"{"first_name": "Jack", "last_name": "Frost", "address_line1": "123 Main St",
                "city": "Atlanta", "state": "GA", "zip_code": "30313-1234"}"#,
        )
        .expect("a stored recipient reads")
    }

    pub fn run(data: &[u8]) {
        let settings = settings();
        for s in settings {
            match verify::parse(data, s) {
                Ok(_) | Err(GatewayError::BadRouting) => {}
                Err(GatewayError::Validation(detail)) => {
                    assert!(detail.is_object(), "verify answered 13400: {detail}")
                }
                Err(other) => panic!("verify answered {other:?}"),
            }
        }
        let session = sessions::parse(data, false);
        if let Err(detail) = &session {
            assert!(detail.is_object(), "session error {detail}");
        }
        let _ = sessions::parse(data, true);

        if let Ok(submission) = serde_json::from_slice::<Submission>(data) {
            let _ = recipient_matches(&expected_recipient(), &submission);
            for destination in DESTINATIONS {
                if let Some(t) = account_type(destination) {
                    let _ = read_form(&submission, t, false);
                    let _ = read_form(&submission, t, true);
                }
            }
            if let Ok(s) = &session {
                let _ = recipient_matches(&s.recipient_information, &submission);
            }
        }

        let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(data) else {
            return;
        };
        for s in settings {
            if let Err(GatewayError::Unavailable) = process::parse_process(&obj, s) {
                panic!("process: a value is missing without an error (13503)");
            }
        }
        if let Err(GatewayError::Unavailable) = process::parse_check_cancel(obj.clone()) {
            panic!("checkcancel: a value is missing without an error (13503)");
        }
        if let Err(GatewayError::Unavailable) = search::parse(obj) {
            panic!("search: a value is missing without an error (13503)");
        }
    }
}

pub mod json_envelopes {
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

    use chrono::NaiveDate;
    use fundline_api::checkcashing::{input::Fields, parse};
    use serde_json::{Map, Value};

    fn fields(map: &Map<String, Value>) -> Option<Fields> {
        Fields::from_map(map.clone(), "request").ok()
    }

    pub fn run(data: &[u8]) {
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

        // Each parser gets its own copy of the envelope.
        let parsers: [&dyn Fn(Fields) -> bool; 10] = [
            &|f| parse::find_customer(f, today).is_ok(),
            &|f| parse::enroll_customer(f, today, 18).is_ok(),
            &|f| parse::customer_id_query(f).is_ok(),
            &|f| parse::customer_id_only(f).is_ok(),
            &|f| parse::add_or_update_card(f).is_ok(),
            &|f| parse::add_or_update_tokenized_card(f).is_ok(),
            &|f| parse::transaction_history(f).is_ok(),
            &|f| parse::delete_card(f).is_ok(),
            &|f| parse::customer_attributes(f).is_ok(),
            &|f| parse::session_attributes(f).is_ok(),
        ];
        for parses in parsers {
            if let Some(f) = fields(&map) {
                parses(f);
            }
        }
    }
}

pub mod micr {
    //! A MICR line as text: `fundline_checks::micr::parse` must return Ok or
    //! Err, never panic.

    pub fn run(data: &[u8]) {
        let _ = fundline_checks::micr::parse(&String::from_utf8_lossy(data));
    }
}

pub mod statements_csv_mapping {
    //! CSV with a caller-supplied mapping: the first line of the input is a
    //! JSON `CsvMapping` (inputs whose first line is not one are skipped), the
    //! rest is the file given to `parse_csv_with`.

    use fundline_statements::{parse_csv_with, CsvMapping};

    pub fn run(data: &[u8]) {
        let (head, body) = match data.iter().position(|&b| b == b'\n') {
            Some(i) => (&data[..i], &data[i + 1..]),
            None => (data, &[][..]),
        };
        let Ok(mapping) = serde_json::from_slice::<CsvMapping>(head) else {
            return;
        };
        let _ = parse_csv_with(body, &mapping);
    }
}

pub mod statements_parse {
    //! Any input: `fundline_statements::parse` must return Ok or Err, never
    //! panic, overflow the stack or hang. The input is parsed once without a
    //! file-name hint, then (as the old crates/statements/fuzz `parse` target
    //! did) with the first byte picking a hint, so the name-dependent detection
    //! paths are fuzzed too; and once more within tiny `Limits`, so the stops
    //! at the transaction and element limits are fuzzed.

    const NAMES: &[Option<&str>] = &[
        None,
        Some("statement.ofx"),
        Some("statement.qfx"),
        Some("statement.sta"),
        Some("statement.940"),
        Some("statement.csv"),
        Some("statement.xml"),
    ];

    /// Small enough that fuzzed input reaches the counting paths' stops.
    const TINY: fundline_statements::Limits = fundline_statements::Limits {
        max_transactions: 3,
        max_elements: 64,
    };

    pub fn run(data: &[u8]) {
        let _ = fundline_statements::parse(data, None);
        // Within the limits, never more transactions than they allow.
        if let Ok(statement) = fundline_statements::parse_limited(data, None, &TINY) {
            assert!(
                statement.transaction_count() <= TINY.max_transactions,
                "{} transactions past a limit of {}",
                statement.transaction_count(),
                TINY.max_transactions
            );
        }
        if let Some((first, rest)) = data.split_first() {
            let name = NAMES[usize::from(*first) % NAMES.len()];
            let _ = fundline_statements::parse(rest, name);
        }
    }
}
