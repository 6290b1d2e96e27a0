//! `POST /gateway/verify` (spec 002): validates an account — card (CA), bank
//! account (AC), biller account (BP) or check payee (CK) — tokenizes it, and
//! says how and when money can reach it.
//!
//! `parse` reads the body, `accounts` holds the business rules (shared with
//! the hosted page); this module answers in spec 002's shape.

pub mod accounts;
pub mod parse;

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

pub(crate) use accounts::{account_canonical, ACCOUNT_FP};
pub use accounts::{verify_account, Issuer, Reach, Verified};
pub use parse::{parse, Recipient, Target, VerifyRequest};

use super::answer::{answer, Success};
use super::auth::Gateway;
use super::error::GatewayError;
use super::issuer::{Limits, Posting};
use crate::AppState;

fn limits_json(l: Limits, card_type: &str, p: &Posting) -> Value {
    json!({"min": l.min.to_decimal_string(), "max": l.max.to_decimal_string(), "card_type": card_type,
           "estimated_posting_time": p.time, "estimated_posting_date": p.date_text()})
}

/// An issuer as spec 002's `issuers` entry shows it.
fn issuer_json(i: &Issuer) -> Value {
    let mut issuer = i.payee.clone();
    issuer["issuing_network"] = json!(i.issuing_network);
    for (kind, limits) in [("credit", i.credit), ("debit", i.debit)] {
        issuer[format!("{kind}_enabled")] = json!(i32::from(limits.is_some()));
        if let Some(l) = limits {
            issuer[format!("{kind}_info")] = limits_json(l, i.card_type, &i.posting);
        }
    }
    issuer
}

/// Spec 002's `data` of a verified account.
fn verified_json(v: &Verified, req: &VerifyRequest) -> Value {
    let mut data = json!({
        "customer_account_token": v.token,
        "last_4": v.last4,
        "request_timestamp": v.now,
        "participant_unique_id1": req.common.participant_unique_id1,
        "participant_unique_id2": req.common.participant_unique_id2.clone().unwrap_or_default(),
    });
    match &v.reach {
        Reach::Issuer {
            issuer,
            expiration_date,
        } => {
            data["issuers"] = json!([issuer_json(issuer)]);
            data["count"] = json!(1);
            if let Some(e) = expiration_date {
                data["expiration_date"] = json!(e);
            }
        }
        Reach::Check(p) => {
            data["estimated_posting_date"] = json!(p.date_text());
            data["estimated_posting_time"] = json!(p.time);
        }
    }
    data
}

#[utoipa::path(post, path = "/gateway/verify", tag = "Payout gateway",
    description = "Verify and tokenize a card (CA), bank account (AC), biller account (BP, with payee_id from /gateway/search) or check payee (CK), or re-verify by customer_account_token (spec 002). HMAC-signed. The same account and recipient data give the same token. 700: account not available for payment; 1042: routing number fails the ABA checksum.",
    request_body = super::schemas::VerifyRequestDoc,
    responses((status = 200, body = super::schemas::GatewayEnvelopeDoc, description = "status 100"),
        (status = 400, body = super::schemas::GatewayEnvelopeDoc, description = "status 13400"),
        (status = 401, body = super::schemas::GatewayEnvelopeDoc, description = "status 13401"),
        (status = 422, body = super::schemas::GatewayEnvelopeDoc, description = "status 700 or 1042")))]
pub async fn verify(State(state): State<AppState>, gw: Gateway) -> Response {
    let verified = async {
        let settings = super::settings::load(&state, &gw.tenant_id)
            .await
            .issuer()
            .map_err(|_| GatewayError::Unavailable)?;
        let req = parse(&gw.body, &settings)?;
        gw.same_participant(req.common.participant_id)?;
        let v = verify_account(&state, &gw.tenant_id, &req, &settings).await?;
        Ok(Success::new(verified_json(&v, &req)))
    };
    answer(gw.started, verified.await)
}

#[cfg(test)]
mod tests {
    use super::accounts::{account_canonical, identity};
    use super::*;
    use crate::gateway::issuer::GatewaySettings;

    fn ca() -> Value {
        json!({"participant_id": 12345, "account_type": "CA", "amount": "1010.50", "recipient_first_name": "Johnny",
               "recipient_last_name": "Rockets", "account": "4111111111111111", "expiration_date": "3012", "cvv": "123",
               "recipient_address1": "123 Main St", "recipient_address2": "Apt 2", "recipient_city": "Atlanta",
               "recipient_state": "GA", "recipient_zip": "30313", "recipient_phone": "1231231234",
               "participant_unique_id1": "1f27", "timestamp": 1576097158, "version": 11})
    }

    fn parse_v(v: &Value) -> Result<VerifyRequest, GatewayError> {
        parse(&serde_json::to_vec(v).unwrap(), &GatewaySettings::default())
    }

    /// The 13400 data map of a refused request.
    fn fields(e: GatewayError) -> Value {
        match e {
            GatewayError::Validation(data) => data,
            other => panic!("not a field error: {other:?}"),
        }
    }

    #[test]
    fn card_rules() {
        assert!(matches!(
            parse_v(&ca()).unwrap().target,
            Target::Card { .. }
        ));
        let mut v = ca();
        v["account"] = json!("4111111111111112");
        v["expiration_date"] = json!("2013");
        v["version"] = json!(10);
        v["cvv"] = json!("12");
        let data = fields(parse_v(&v).unwrap_err());
        for k in ["account", "expiration_date", "version", "cvv"] {
            assert!(data[k].is_array(), "{k}: {data}");
        }
    }

    #[test]
    fn a_token_replaces_the_account_data() {
        let v = json!({"participant_id": 1, "account_type": "CA", "customer_account_token": "t", "participant_unique_id1": "u",
                       "timestamp": "1576097158", "version": "11"});
        assert!(matches!(
            parse_v(&v).unwrap().target,
            Target::Token { payee_id: None, .. }
        ));
    }

    #[test]
    fn integers_beyond_i64_are_field_errors() {
        let mut v = ca();
        v["participant_id"] = json!("9999999999999999999");
        let data = fields(parse_v(&v).unwrap_err());
        assert_eq!(
            data["participant_id"][0],
            "The ParticipantId field must be a whole number."
        );
    }

    #[test]
    fn bank_routing_checksum_is_status_1042() {
        let v = json!({"participant_id": 12345, "account_type": "AC", "recipient_first_name": "Luke", "recipient_last_name": "Skywalker",
                       "account": "22222222", "routing_number": "011000016", "recipient_address1": "123 Main St.",
                       "recipient_city": "Atlanta", "recipient_state": "GA", "recipient_zip": "30313", "recipient_phone": 1231231234,
                       "participant_unique_id1": "u", "timestamp": "1576100326", "version": 11});
        assert!(matches!(parse_v(&v).unwrap_err(), GatewayError::BadRouting));
        let mut ok = v.clone();
        ok["routing_number"] = json!("011000015");
        assert!(matches!(parse_v(&ok).unwrap().target, Target::Bank { .. }));
    }

    #[test]
    fn check_rules() {
        let mut v = json!({"participant_id": 12345, "account_type": "CK", "recipient_is_beneficiary": 0,
            "beneficiary": {"beneficiary_account": "3000000038", "beneficiary_first_name": "Ace", "beneficiary_last_name": "Ventura",
                "beneficiary_address1": "123 Main St.", "beneficiary_city": "Atlanta", "beneficiary_state": "GA", "beneficiary_zip": "30033"},
            "participant_unique_id1": "u", "timestamp": 1597862420, "version": 11});
        let data = fields(parse_v(&v).unwrap_err());
        assert_eq!(data["recipient"][0], "The Recipient field is required.");
        v["recipient_is_beneficiary"] = json!(1);
        assert!(matches!(parse_v(&v).unwrap().target, Target::Check { .. }));
        v["beneficiary"]["beneficiary_zip"] = json!("3003");
        assert!(fields(parse_v(&v).unwrap_err())["beneficiary.beneficiary_zip"].is_array());
    }

    #[test]
    fn bill_pay_needs_a_payee() {
        let v = json!({"participant_id": 12345, "account_type": "BP", "account": "12345678", "recipient_first_name": "J",
            "recipient_last_name": "R", "recipient_address1": "1 Main", "recipient_city": "Atlanta", "recipient_state": "GA",
            "recipient_zip": "30313", "participant_unique_id1": "u", "timestamp": 1, "version": 11});
        assert_eq!(
            fields(parse_v(&v).unwrap_err())["payee_id"][0],
            "The PayeeId field is required."
        );
    }

    #[test]
    fn stored_accounts_rebuild_the_identity_they_were_tokenized_with() {
        let mut no_line2 = ca();
        no_line2
            .as_object_mut()
            .unwrap()
            .remove("recipient_address2");
        let ac = json!({"participant_id": 12345, "account_type": "AC", "recipient_first_name": "Luke", "recipient_last_name": "Skywalker",
                       "account": "22222222", "routing_number": "011000015", "recipient_address1": "123 Main St.",
                       "recipient_city": "Atlanta", "recipient_state": "GA", "recipient_zip": "30313", "recipient_phone": 1231231234,
                       "participant_unique_id1": "u", "timestamp": "1576100326", "version": 11});
        let bp = json!({"participant_id": 12345, "account_type": "BP", "account": "12345678", "payee_id": 123456, "recipient_first_name": "J",
            "recipient_last_name": "R", "recipient_address1": "1 Main", "recipient_city": "Atlanta", "recipient_state": "GA",
            "recipient_zip": "30313", "participant_unique_id1": "u", "timestamp": 1, "version": 11});
        let ck = |is_beneficiary: i64| {
            json!({"participant_id": 12345, "account_type": "CK", "recipient_is_beneficiary": is_beneficiary,
                "beneficiary": {"beneficiary_account": "3000000038", "beneficiary_first_name": "Ace", "beneficiary_last_name": "Ventura",
                    "beneficiary_company": "Pet Detective", "beneficiary_address1": "123 Main St.", "beneficiary_city": "Atlanta",
                    "beneficiary_state": "GA", "beneficiary_zip": "30033"},
                "recipient": {"recipient_line1": "Ace Ventura", "recipient_address1": "9 Elm", "recipient_city": "Miami",
                    "recipient_state": "FL", "recipient_zip": "33101"},
                "participant_unique_id1": "u", "timestamp": 1597862420, "version": 11})
        };
        for v in [ca(), no_line2, ac, bp, ck(1), ck(0)] {
            let req = parse_v(&v).unwrap_or_else(|e| panic!("{v}: {e:?}"));
            let (account, canonical, details) = identity(&req.target, req.account_type).unwrap();
            // As the row keeps it: details through their stored JSON text.
            let stored: Value = serde_json::from_str(&details.to_string()).unwrap();
            assert_eq!(
                account_canonical(req.account_type.code(), &account, &stored).as_deref(),
                Some(canonical.as_str()),
                "{v}"
            );
        }
        assert_eq!(account_canonical("XX", "1", &json!({})), None);
        assert_eq!(account_canonical("CA", "1", &json!({})), None);
    }

    #[test]
    fn retail_participants_must_send_their_ids() {
        let settings = GatewaySettings {
            retail: true,
            ..GatewaySettings::default()
        };
        let data = fields(parse(&serde_json::to_vec(&ca()).unwrap(), &settings).unwrap_err());
        for k in ["store_id", "terminal_id", "clerk_id"] {
            assert!(data[k].is_array());
        }
    }
}
