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

#![no_main]

use std::sync::OnceLock;

use fundline_api::gateway::error::GatewayError;
use fundline_api::gateway::hosted::{account_type, read_form, recipient_matches, Submission};
use fundline_api::gateway::issuer::GatewaySettings;
use fundline_api::gateway::settings::{TenantGatewaySettings, DESTINATIONS};
use fundline_api::gateway::staging::Recipient;
use fundline_api::gateway::{process, search, sessions, verify};
use libfuzzer_sys::fuzz_target;
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

fn expected_recipient() -> Recipient {
    Recipient {
        first_name: "Jack".into(),
        last_name: "Frost".into(),
        address_line1: "123 Main St".into(),
        address_line2: None,
        city: "Atlanta".into(),
        state: "GA".into(),
        zip_code: "30313-1234".into(),
        email_address: None,
        phone_number: None,
        mobile_number: None,
    }
}

fuzz_target!(|data: &[u8]| {
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
});
