//! `POST /gateway/process` pays an amount to a customer_account_token;
//! `POST /gateway/checkcancel` cancels a check payment before it is printed.

use axum::extract::State;
use axum::response::Response;
use fundline_core::money::Cents;
use fundline_store::gateway as repo;
use serde_json::{json, Map, Value};

use super::answer::{answer, Success};
use super::auth::Gateway;
use super::common::{common, finish, without_unique_id, Common};
use super::error::GatewayError;
use super::fields::Fields;
use super::issuer::GatewaySettings;
use super::payments::{cancel_check, pay, Paid, PaymentRequest};
use crate::AppState;

/// Where the server's default limits were always named.
pub use super::settings::VelocityLimits;

/// The rules of a `/gateway/process` body: the common fields, the
/// customer_account_token and the amount.
pub fn parse_process(
    obj: &Map<String, Value>,
    settings: &GatewaySettings,
) -> Result<PaymentRequest, GatewayError> {
    let mut f = Fields::new(obj, "");
    let c = common(&mut f, obj, settings);
    let token = f.text("customer_account_token", true, 255);
    if c.as_ref().is_some_and(|c| c.amount.is_none()) && !f.errors.contains_key("amount") {
        f.error("amount", "The Amount field is required.");
    }
    let (common, token) = finish(f.errors, c.zip(token))?;
    let amount = common.amount.ok_or(GatewayError::Unavailable)?;
    Ok(PaymentRequest {
        common,
        token,
        amount,
    })
}

/// The rules of a `/gateway/checkcancel` body: the common fields (no
/// participant_unique_id1 asked) and the transaction_id.
pub fn parse_check_cancel(obj: Map<String, Value>) -> Result<(Common, String), GatewayError> {
    without_unique_id(obj, "checkcancel", |f| f.text("transaction_id", true, 36))
}

fn payment_data(paid: &Paid) -> Value {
    let p = &paid.payment;
    json!({
        "transaction_id": p.id,
        "customer_account_token": p.token,
        "amount": Cents(p.amount_cents).to_decimal_string(),
        "last_4": paid.last4,
        "account_type": p.account_type,
        "status": p.status,
        "estimated_posting_time": p.estimated_posting_time,
        "estimated_posting_date": p.estimated_posting_date,
        "participant_unique_id1": p.participant_unique_id1,
        "participant_unique_id2": p.participant_unique_id2,
        "request_timestamp": paid.now,
    })
}

fn cancelled_data(p: &repo::Payment, now: i64) -> Value {
    json!({"transaction_id": p.id, "status": p.status, "amount": Cents(p.amount_cents).to_decimal_string(),
           "request_timestamp": now})
}

#[utoipa::path(post, path = "/gateway/process", tag = "Payout gateway",
    description = "Pay an amount to a customer_account_token. With an Idempotency-Key (1-250 characters, kept 2 hours), a repeat of the same payment answers 101 with the original result and makes no second payment; the key with another payment answers 13723. participant_unique_id1/2 are the partner's correlation ids, echoed. Refusals 1050-1055 (docs/gateway.md). Every payment is two ledger entries that sum to zero.",
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 250 printable characters",
            min_length = 1, max_length = 250, pattern = "^[^\\u0000-\\u001F\\u007F]*[^\\s\\u0000-\\u001F\\u007F][^\\u0000-\\u001F\\u007F]*$")),
    request_body = super::schemas::ProcessRequestDoc,
    responses((status = 200, body = super::schemas::GatewayEnvelopeDoc, description = "status 100 or 101"),
        (status = 400, body = super::schemas::GatewayEnvelopeDoc, description = "status 13400"),
        (status = 401, body = super::schemas::GatewayEnvelopeDoc, description = "status 13401"),
        (status = 422, body = super::schemas::GatewayEnvelopeDoc, description = "status 700, 1050-1055 or 13723")))]
pub async fn process(State(state): State<AppState>, gw: Gateway) -> Response {
    let paid = async {
        let key = super::idempotency::key(&gw)?;
        let tenant = super::settings::load(&state, &gw.tenant_id).await;
        let (Ok(settings), Ok(velocity)) = (
            tenant.issuer(),
            tenant.velocity_limits(state.config.gateway_velocity),
        ) else {
            return Err(GatewayError::Unavailable);
        };
        let req = parse_process(&gw.json_object()?, &settings)?;
        gw.same_participant(req.common.participant_id)?;
        let paid = pay(&state, &gw, key, req, &settings, velocity).await?;
        Ok(Success::replayed_if(paid.replayed, payment_data(&paid)))
    };
    answer(gw.started, paid.await)
}

#[utoipa::path(post, path = "/gateway/checkcancel", tag = "Payout gateway",
    description = "Cancel a check (CK) payment until it is printed (the print run at 22:00 UTC on the next banking day). Body: participant_id, transaction_id, timestamp, version. Refusals 1060-1063.",
    request_body = super::schemas::CheckCancelRequestDoc,
    responses((status = 200, body = super::schemas::GatewayEnvelopeDoc, description = "status 100"),
        (status = 400, body = super::schemas::GatewayEnvelopeDoc, description = "status 13400"),
        (status = 401, body = super::schemas::GatewayEnvelopeDoc, description = "status 13401"),
        (status = 422, body = super::schemas::GatewayEnvelopeDoc, description = "status 1060-1063")))]
pub async fn check_cancel(State(state): State<AppState>, gw: Gateway) -> Response {
    let cancelled = async {
        let (c, id) = parse_check_cancel(gw.json_object()?)?;
        gw.same_participant(c.participant_id)?;
        let p = cancel_check(&state, &gw.tenant_id, id).await?;
        Ok(Success::new(cancelled_data(
            &p,
            state.clock.now().timestamp(),
        )))
    };
    answer(gw.started, cancelled.await)
}
