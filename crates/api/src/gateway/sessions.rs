//! Session management (spec 001): `POST /api/v1/sessions/point-in-time/plugin`
//! stages a one-time capture session and hands out an `authorized_url`.

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::answer::{answer, Success};
use super::auth::Gateway;
use super::error::GatewayError;
use super::fields::{json_object, Fields};
use super::staging::{stage, Recipient, SessionRequest};
use crate::AppState;

/// The partner's admin checks its hosts with it (`fundline admin`).
pub use super::session_url::origin;

/// Every rule of spec 001's table. `email_required`: the tenant pays out by
/// PayPal. `Err` is the 13400 data map.
pub fn parse(body: &[u8], email_required: bool) -> Result<SessionRequest, Value> {
    let obj = json_object(body)
        .map_err(|_| json!({"request": ["The request body must be a JSON object."]}))?;
    let mut f = Fields::new(&obj, "");
    let uid1 = f.text("participant_unique_id1", true, 100);
    let uid2 = f.text("participant_unique_id2", false, 100);
    let host_uri = f.text("host_uri", false, 200);
    let recipient = f.object("recipient_information").and_then(|r| {
        let mut g = Fields::new(r, &f.prefix_of("recipient_information"));
        let first_name = g.text("first_name", true, 150);
        let last_name = g.text("last_name", true, 150);
        let address_line1 = g.text("address_line1", true, 150);
        let address_line2 = g.text("address_line2", false, 150);
        let city = g.text("city", true, 150);
        let state = g.state("state", "The State field must be a valid US state.");
        let zip_code = g.zip("zip_code", "The ZipCode field must be xxxxx or xxxxx-xxxx.");
        let email_address = g.email("email_address", email_required, 150);
        let phone_number = g.phone("phone_number");
        let mobile_number = g.phone("mobile_number");
        f.absorb(g);
        Some(Recipient {
            first_name: first_name?,
            last_name: last_name?,
            address_line1: address_line1?,
            address_line2,
            city: city?,
            state: state?.code().to_string(),
            zip_code: zip_code?.into_string(),
            email_address: email_address.map(|e| e.into_string()),
            phone_number: phone_number.map(|p| p.into_string()),
            mobile_number: mobile_number.map(|p| p.into_string()),
        })
    });
    if !f.errors.is_empty() {
        return Err(Value::Object(f.errors));
    }
    match (uid1, recipient) {
        (Some(participant_unique_id1), Some(recipient_information)) => Ok(SessionRequest {
            participant_unique_id1,
            participant_unique_id2: uid2,
            host_uri,
            recipient_information,
        }),
        _ => Err(json!({"request": ["The request is not valid."]})),
    }
}

#[utoipa::path(post, path = "/api/v1/sessions/point-in-time/plugin", tag = "Capture sessions",
    description = "Stage a one-time capture session (spec 001). HMAC-signed (docs/gateway.md). With an Idempotency-Key, the same parameters within 2 hours answer 101 with the same session and a fresh authorized_url; other parameters answer 13723.",
    request_body = super::schemas::SessionRequestDoc,
    params(("Authorization" = String, Header, description = "hmac username=…, algorithm=…, headers=…, signature=…"),
        ("X-Date" = String, Header), ("Content-sha512" = String, Header),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 250 printable characters",
            min_length = 1, max_length = 250, pattern = "^[^\\u0000-\\u001F\\u007F]*[^\\s\\u0000-\\u001F\\u007F][^\\u0000-\\u001F\\u007F]*$")),
    responses((status = 200, body = super::schemas::GatewayEnvelopeDoc, description = "status 100 or 101"),
        (status = 400, body = super::schemas::GatewayEnvelopeDoc, description = "status 13400"),
        (status = 401, body = super::schemas::GatewayEnvelopeDoc, description = "status 13401"),
        (status = 422, body = super::schemas::GatewayEnvelopeDoc, description = "status 13723")))]
pub async fn create(State(state): State<AppState>, gw: Gateway) -> Response {
    let staged = async {
        let key = super::idempotency::key(&gw)?;
        let paypal = super::settings::load(&state, &gw.tenant_id)
            .await
            .paypal_enabled;
        let req = parse(&gw.body, paypal).map_err(GatewayError::Validation)?;
        let s = stage(&state, &gw, key, &req).await?;
        Ok(Success::replayed_if(
            s.replayed,
            json!({
                "session_identifier": s.session_id,
                "authorized_url": s.url.url,
                "authorized_url_expiration_utc": s.url.expires_utc,
                "participant_unique_id1": req.participant_unique_id1,
                "participant_unique_id2": req.participant_unique_id2.unwrap_or_default(),
            }),
        ))
    };
    answer(gw.started, staged.await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_sample_parses_and_rules_apply() {
        let sample = br#"{"participant_unique_id1":"ABC-1234-123545663","participant_unique_id2":"DEF-5678","host_uri":"https://digitalpay.ingo.money","recipient_information":{"first_name":"Jack","last_name":"Frost","address_line1":"123 Main St","address_line2":"","city":"Atlanta","state":"GA","zip_code":"30313","email_address":"jack@example.com","phone_number":"1231231234","mobile_number":"1231231234"}}"#;
        let r = parse(sample, false).unwrap();
        assert_eq!(r.recipient_information.address_line2, None);
        let err = parse(
            br#"{"recipient_information":{"state":"XX","zip_code":"3031","phone_number":"12-34"}}"#,
            true,
        )
        .unwrap_err();
        for (field, message) in [
            (
                "participant_unique_id1",
                "The ParticipantUniqueId1 field is required.",
            ),
            (
                "recipient_information.first_name",
                "The FirstName field is required.",
            ),
            (
                "recipient_information.state",
                "The State field must be a valid US state.",
            ),
            (
                "recipient_information.zip_code",
                "The ZipCode field must be xxxxx or xxxxx-xxxx.",
            ),
            (
                "recipient_information.email_address",
                "The EmailAddress field is required.",
            ),
            (
                "recipient_information.phone_number",
                "The PhoneNumber field must be 10 digits.",
            ),
        ] {
            assert_eq!(err[field][0], message, "{field}");
        }
        assert!(parse(b"[]", false).is_err());
        assert!(parse(b"{", false).is_err());
    }
}
