//! The gateway's request and answer bodies, for the OpenAPI document.
//!
//! The handlers read their bodies loosely on purpose: spec 002 sends some
//! numbers as strings and strings as numbers, and every failing field must
//! come back in the 13400 data map with its .NET message, which a typed
//! deserializer cannot produce. These structs document the real fields,
//! types and lengths instead; `fields.rs` and the parsers hold the rules.
#![allow(dead_code)]

/// Spec 001's request body, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[schema(example = json!({"participant_unique_id1": "cust-1001", "participant_unique_id2": "visit-7", "recipient_information": {"first_name": "Johnny", "last_name": "Rockets", "address_line1": "123 Main St", "address_line2": "Apt 2", "city": "Atlanta", "state": "GA", "zip_code": "30313", "email_address": "johnny@example.com", "phone_number": "4045550100", "mobile_number": "4045550101"}}))]
pub struct SessionRequestDoc {
    #[schema(max_length = 100)]
    participant_unique_id1: String,
    #[schema(max_length = 100)]
    participant_unique_id2: Option<String>,
    /// Must be on the tenant's whitelist; defaults to its first entry.
    #[schema(max_length = 200)]
    host_uri: Option<String>,
    recipient_information: RecipientDoc,
}

#[derive(utoipa::ToSchema)]
pub struct RecipientDoc {
    #[schema(max_length = 150)]
    first_name: String,
    #[schema(max_length = 150)]
    last_name: String,
    #[schema(max_length = 150)]
    address_line1: String,
    #[schema(max_length = 150)]
    address_line2: Option<String>,
    #[schema(max_length = 150)]
    city: String,
    #[schema(min_length = 2, max_length = 2)]
    state: String,
    /// xxxxx or xxxxx-xxxx
    #[schema(max_length = 10)]
    zip_code: String,
    #[schema(max_length = 150)]
    email_address: Option<String>,
    #[schema(max_length = 10)]
    phone_number: Option<String>,
    #[schema(max_length = 10)]
    mobile_number: Option<String>,
}

/// The gateway envelope, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
pub struct GatewayEnvelopeDoc {
    status: i64,
    client_message: String,
    developer_message: Option<String>,
    data: Option<serde_json::Value>,
    /// Seconds spent on the request: a number with one decimal under
    /// `/api/v1/sessions` (spec 001's samples), a string with four under
    /// `/gateway/` (spec 002's, e.g. "1.0263").
    time: serde_json::Value,
}

/// The fields every spec 002 call begins with.
#[derive(utoipa::ToSchema, serde::Deserialize)]
pub struct EnvelopeDoc {
    /// A whole number (or a string of digits); must be the signing credential's.
    #[schema(minimum = 0)]
    participant_id: i64,
    /// Seconds since the epoch (a number or a string of digits).
    #[schema(minimum = 0)]
    timestamp: i64,
    /// Always 11.
    #[schema(minimum = 11, maximum = 11)]
    version: i64,
}

/// The fields every spec 002 call that names a customer shares.
#[derive(utoipa::ToSchema, serde::Deserialize)]
pub struct CommonDoc {
    #[serde(flatten)]
    envelope: EnvelopeDoc,
    #[schema(max_length = 255)]
    participant_unique_id1: String,
    #[schema(max_length = 255)]
    participant_unique_id2: Option<String>,
    /// Required of retail participants.
    #[schema(max_length = 255)]
    store_id: Option<String>,
    #[schema(max_length = 255)]
    terminal_id: Option<String>,
    #[schema(max_length = 255)]
    clerk_id: Option<String>,
}

/// `POST /gateway/verify` (spec 002): the fields asked depend on account_type.
#[derive(utoipa::ToSchema, serde::Deserialize)]
#[schema(example = json!({"participant_id": 12345, "timestamp": 1576097158, "version": 11, "participant_unique_id1": "1f27", "account_type": "CA", "amount": "1010.50", "account": "4111111111111111", "expiration_date": "3012", "cvv": "123", "recipient_first_name": "Johnny", "recipient_last_name": "Rockets", "recipient_address1": "123 Main St", "recipient_address2": "Apt 2", "recipient_city": "Atlanta", "recipient_state": "GA", "recipient_zip": "30313", "recipient_phone": "1231231234"}))]
pub struct VerifyRequestDoc {
    #[serde(flatten)]
    common: CommonDoc,
    /// AC (bank account), CA (card), BP (biller account) or CK (check payee).
    #[schema(pattern = "^(AC|CA|BP|CK)$")]
    account_type: String,
    /// Instead of the account fields: a token from an earlier verify.
    #[schema(max_length = 255)]
    customer_account_token: Option<String>,
    /// A positive dollar amount with at most two decimals (string or number).
    #[schema(pattern = "^[0-9]{1,9}(\\.[0-9]{1,2})?$")]
    amount: Option<String>,
    /// CA: the card number; AC: 4 to 17 digits; BP: the account with the payee.
    /// Required when no customer_account_token is sent.
    #[schema(max_length = 255)]
    account: Option<String>,
    /// CA: YYMM.
    /// Required when account_type is CA (without a token).
    #[schema(min_length = 4, max_length = 4)]
    expiration_date: Option<String>,
    /// CA: 3 or 4 digits; checked, never stored.
    #[schema(min_length = 3, max_length = 4)]
    cvv: Option<String>,
    /// AC: 9 digits passing the ABA checksum (else status 1042).
    /// Required when account_type is AC (without a token).
    #[schema(min_length = 9, max_length = 9)]
    routing_number: Option<String>,
    /// BP: from /gateway/search (a number or a string of up to 40 digits).
    /// Required when account_type is BP (without a token).
    payee_id: Option<String>,
    /// Required when account_type is AC, CA or BP (without a token).
    #[schema(max_length = 255)]
    recipient_first_name: Option<String>,
    /// Required when account_type is AC, CA or BP (without a token).
    #[schema(max_length = 255)]
    recipient_last_name: Option<String>,
    /// Required when account_type is AC, CA or BP (without a token).
    #[schema(max_length = 255)]
    recipient_address1: Option<String>,
    #[schema(max_length = 255)]
    recipient_address2: Option<String>,
    /// Required when account_type is AC, CA or BP (without a token).
    #[schema(max_length = 255)]
    recipient_city: Option<String>,
    /// Required when account_type is AC, CA or BP (without a token).
    #[schema(min_length = 2, max_length = 2)]
    recipient_state: Option<String>,
    /// xxxxx or xxxxx-xxxx
    /// Required when account_type is AC, CA or BP (without a token).
    #[schema(max_length = 10)]
    recipient_zip: Option<String>,
    /// 10 digits (string or number).
    recipient_phone: Option<String>,
    /// CK: 1 (default) or 0, when `recipient` gets the check.
    recipient_is_beneficiary: Option<i64>,
    /// CK: beneficiary_account (30), beneficiary_first_name (30),
    /// beneficiary_last_name (30), beneficiary_company (30),
    /// beneficiary_address1/2 (40), beneficiary_city (25),
    /// beneficiary_state, beneficiary_zip, beneficiary_phone (25),
    /// beneficiary_email (60).
    beneficiary: Option<serde_json::Value>,
    /// CK with recipient_is_beneficiary 0: recipient_line1/2 (75),
    /// recipient_address1/2 (40), recipient_city (25), recipient_state,
    /// recipient_zip, recipient_phone (25).
    recipient: Option<serde_json::Value>,
}

/// `POST /gateway/process`.
#[derive(utoipa::ToSchema, serde::Deserialize)]
#[schema(example = json!({"participant_id": 12345, "timestamp": 1576097158, "version": 11, "participant_unique_id1": "1f27", "customer_account_token": "cat_3f9d2c1b", "amount": "1010.50"}))]
pub struct ProcessRequestDoc {
    #[serde(flatten)]
    common: CommonDoc,
    #[schema(max_length = 255)]
    customer_account_token: String,
    /// A positive dollar amount with at most two decimals (string or number).
    #[schema(pattern = "^[0-9]{1,9}(\\.[0-9]{1,2})?$")]
    amount: String,
}

/// `POST /gateway/checkcancel` (participant_unique_id1 is not asked).
#[derive(utoipa::ToSchema)]
#[schema(example = json!({"participant_id": 12345, "timestamp": 1576097158, "version": 11, "transaction_id": "0f8fad5b-d9cb-469f-a165-70867728950e"}))]
pub struct CheckCancelRequestDoc {
    #[serde(flatten)]
    envelope: EnvelopeDoc,
    #[schema(max_length = 36)]
    transaction_id: String,
}

/// `POST /gateway/search` (participant_unique_id1 is not asked).
#[derive(utoipa::ToSchema)]
#[schema(example = json!({"participant_id": 12345, "timestamp": 1576097158, "version": 11, "payee_name": "Georgia Power"}))]
pub struct SearchRequestDoc {
    #[serde(flatten)]
    envelope: EnvelopeDoc,
    #[schema(max_length = 100)]
    payee_name: String,
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value};

    use crate::doc_drift::{assert_matches, schemas};
    use crate::gateway::issuer::GatewaySettings;

    fn map(v: &Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn every_documented_gateway_body_is_what_its_handler_accepts() {
        let schemas = schemas();
        let settings = GatewaySettings::default();
        assert_matches(&schemas, "SessionRequestDoc", &|v| {
            crate::gateway::sessions::parse(v.to_string().as_bytes(), false).is_ok()
        });
        assert_matches(&schemas, "VerifyRequestDoc", &|v| {
            crate::gateway::verify::parse::parse(v.to_string().as_bytes(), &settings).is_ok()
        });
        assert_matches(&schemas, "ProcessRequestDoc", &|v| {
            crate::gateway::process::parse_process(&map(v), &settings).is_ok()
        });
        assert_matches(&schemas, "CheckCancelRequestDoc", &|v| {
            crate::gateway::process::parse_check_cancel(map(v)).is_ok()
        });
        assert_matches(&schemas, "SearchRequestDoc", &|v| {
            crate::gateway::search::parse(map(v)).is_ok()
        });
    }

    #[test]
    fn gateway_request_bodies_are_described() {
        let doc: serde_json::Value =
            serde_json::from_str(&crate::openapi::openapi_json()).expect("the document is JSON");
        for (path, schema) in [
            ("/gateway/verify", "VerifyRequestDoc"),
            ("/gateway/process", "ProcessRequestDoc"),
            ("/gateway/checkcancel", "CheckCancelRequestDoc"),
            ("/gateway/search", "SearchRequestDoc"),
            ("/api/v1/sessions/point-in-time/plugin", "SessionRequestDoc"),
            ("/session/{id}/submit", "Submission"),
        ] {
            let body = &doc["paths"][path]["post"]["requestBody"]["content"]["application/json"];
            assert_eq!(
                body["schema"]["$ref"],
                format!("#/components/schemas/{schema}"),
                "{path}"
            );
        }
        let schemas = &doc["components"]["schemas"];
        let verify = schemas["VerifyRequestDoc"].to_string();
        for field in ["CommonDoc", "account_type", "routing_number", "beneficiary"] {
            assert!(verify.contains(field), "{field}: {verify}");
        }
        assert!(schemas["EnvelopeDoc"]["properties"]["participant_id"].is_object());
        assert_eq!(
            schemas["EnvelopeDoc"]["properties"]["version"]["minimum"],
            11
        );
    }
}
