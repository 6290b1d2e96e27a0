//! `POST /gateway/process` pays an amount to a customer_account_token;
//! `POST /gateway/checkcancel` cancels a check payment before it is printed.

use super::cancel::Refusal;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use fundline_core::calendar::add_banking_days;
use fundline_core::money::Cents;
use fundline_store::gateway as repo;
use serde_json::{json, Map, Value};

use super::auth::Gateway;
use super::envelope::{code, GwResponse};
use super::fields::Fields;
use super::issuer::{posting, AccountType, GatewaySettings};
use super::verify::{common, Common};
use crate::AppState;

pub const PATH: &str = "/gateway/process";
pub const CANCEL_PATH: &str = "/gateway/checkcancel";

/// Refusal codes of process and checkcancel (docs/gateway.md).
pub mod refusal {
    pub const BELOW_MIN: i64 = 1050;
    pub const ABOVE_MAX: i64 = 1051;
    pub const TRANSACTION_LIMIT: i64 = 1052;
    pub const TOKEN_DAILY_LIMIT: i64 = 1053;
    pub const TENANT_DAILY_LIMIT: i64 = 1054;
    pub const NOT_PUSH_ENABLED: i64 = 1055;
    pub const CHECK_PRINTED: i64 = 1060;
    pub const ALREADY_CANCELLED: i64 = 1061;
    pub const NOT_A_CHECK: i64 = 1062;
    pub const UNKNOWN_TRANSACTION: i64 = 1063;
}

/// A tenant's velocity limits (defaults; docs/gateway.md).
#[derive(Debug, Clone, Copy)]
pub struct VelocityLimits {
    pub per_transaction: Cents,
    pub per_token_per_day: Cents,
    pub per_tenant_per_day: Cents,
}

impl Default for VelocityLimits {
    fn default() -> Self {
        VelocityLimits {
            per_transaction: Cents(500_000),
            per_token_per_day: Cents(1_000_000),
            per_tenant_per_day: Cents(100_000_000),
        }
    }
}

/// Checks are printed in the run at 22:00 UTC on the next banking day
/// after the payment; until then they can be cancelled.
pub fn print_run_after(now: chrono::DateTime<Utc>) -> i64 {
    let next = add_banking_days(now.date_naive() + chrono::Duration::days(1), 0);
    let at = NaiveDate::from_ymd_opt(next.year(), next.month(), next.day())
        .and_then(|d| d.and_hms_opt(22, 0, 0));
    at.map(|t| Utc.from_utc_datetime(&t).timestamp_micros())
        .unwrap_or(i64::MAX)
}

fn refuse(status: i64, message: &str, dev: &str, gw: &Gateway) -> Response {
    GwResponse::error(
        StatusCode::UNPROCESSABLE_ENTITY,
        status,
        message,
        dev,
        gw.started,
    )
    .into_response()
}

fn payment_data(p: &repo::Payment, last4: &str, now: i64) -> Value {
    json!({
        "transaction_id": p.id,
        "customer_account_token": p.token,
        "amount": Cents(p.amount_cents).to_decimal_string(),
        "last_4": last4,
        "account_type": p.account_type,
        "status": p.status,
        "estimated_posting_time": p.estimated_posting_time,
        "estimated_posting_date": p.estimated_posting_date,
        "participant_unique_id1": p.participant_unique_id1,
        "participant_unique_id2": p.participant_unique_id2,
        "request_timestamp": now,
    })
}

/// What makes two payment requests "the same" for an Idempotency-Key: who
/// is paid, how much, and the partner's ids — not `timestamp`, which a
/// client may stamp afresh on a retry.
fn payment_hash(token: &str, amount: Cents, c: &Common) -> String {
    let canonical = json!({
        "customer_account_token": token,
        "amount_cents": amount.0,
        "participant_unique_id1": c.participant_unique_id1,
        "participant_unique_id2": c.participant_unique_id2,
    })
    .to_string();
    fundline_vault::hash_token(&canonical)
}

/// A repeat of an Idempotency-Key: the original payment (101) if it asked
/// the same, else 13723 — never a second payment.
fn repeat(
    p: &repo::Payment,
    same_request: bool,
    key: &str,
    last4: &str,
    now: i64,
    gw: &Gateway,
) -> Response {
    if !same_request {
        return super::sessions::mismatch(key, gw);
    }
    GwResponse::ok(
        code::IDEMPOTENT,
        "Success - Idempotent",
        payment_data(p, last4, now),
        gw.started,
    )
    .into_response()
}

/// The rules of a `/gateway/process` body: the common fields, the
/// customer_account_token and the amount. `Err(Some(data))` is the 13400
/// data map; `Err(None)` a value missing without an error (answered 13503).
pub fn parse_process(
    obj: &Map<String, Value>,
    settings: &GatewaySettings,
) -> Result<(Common, String, Cents), Option<Value>> {
    let mut f = Fields::new(obj, "");
    let c = common(&mut f, obj, settings);
    let token = f.text("customer_account_token", true, 255);
    if c.as_ref().is_some_and(|c| c.amount.is_none()) && !f.errors.contains_key("amount") {
        f.error("amount", "The Amount field is required.");
    }
    if !f.errors.is_empty() {
        return Err(Some(Value::Object(f.errors)));
    }
    let (Some(c), Some(token)) = (c, token) else {
        return Err(None);
    };
    let Some(amount) = c.amount else {
        return Err(None);
    };
    Ok((c, token, amount))
}

/// The rules of a `/gateway/checkcancel` body: the common fields (no
/// participant_unique_id1 asked) and the transaction_id. Errors as
/// [`parse_process`].
pub fn parse_check_cancel(mut obj: Map<String, Value>) -> Result<(Common, String), Option<Value>> {
    obj.entry("participant_unique_id1")
        .or_insert(json!("checkcancel"));
    let mut f = Fields::new(&obj, "");
    let c = common(&mut f, &obj, &GatewaySettings::default());
    let id = f.text("transaction_id", true, 36);
    if !f.errors.is_empty() {
        return Err(Some(Value::Object(f.errors)));
    }
    let (Some(c), Some(id)) = (c, id) else {
        return Err(None);
    };
    Ok((c, id))
}

#[utoipa::path(post, path = "/gateway/process", tag = "Payout gateway",
    description = "Pay an amount to a customer_account_token. With an Idempotency-Key (1-250 characters, kept 2 hours), a repeat of the same payment answers 101 with the original result and makes no second payment; the key with another payment answers 13723. participant_unique_id1/2 are the partner's correlation ids, echoed. Refusals 1050-1055 (docs/gateway.md). Every payment is two ledger entries that sum to zero.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Up to 250 characters")),
    request_body(content = serde_json::Value, description = "participant_id, customer_account_token, amount, participant_unique_id1, participant_unique_id2, timestamp, version"),
    responses((status = 200, body = super::sessions::GatewayEnvelopeDoc, description = "status 100 or 101"),
        (status = 400, body = super::sessions::GatewayEnvelopeDoc, description = "status 13400"),
        (status = 401, body = super::sessions::GatewayEnvelopeDoc, description = "status 13401"),
        (status = 422, body = super::sessions::GatewayEnvelopeDoc, description = "status 700, 1050-1055 or 13723")))]
pub async fn process(State(state): State<AppState>, gw: Gateway) -> Response {
    let started = gw.started;
    let key = match super::sessions::idempotency_key(&gw) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let tenant = super::settings::load(&state, &gw.tenant_id).await;
    let (Ok(settings), Ok(velocity)) = (
        tenant.issuer(),
        tenant.velocity_limits(state.config.gateway_velocity),
    ) else {
        return GwResponse::unavailable(started).into_response();
    };
    let obj = match gw.json_object() {
        Ok(o) => o,
        Err(r) => return r.into_response(),
    };
    let (c, token, amount) = match parse_process(&obj, &settings) {
        Ok(r) => r,
        Err(Some(data)) => return GwResponse::validation(data, started).into_response(),
        Err(None) => return GwResponse::unavailable(started).into_response(),
    };
    if c.participant_id != gw.participant_id {
        return GwResponse::unauthorized("participant_id_mismatch", started).into_response();
    }
    let now = state.clock.now();
    let account = match repo::account_by_token(&state.store, &gw.tenant_id, &token).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            return GwResponse::validation(
                json!({"customer_account_token": ["The CustomerAccountToken is not valid."]}),
                started,
            )
            .into_response()
        }
        Err(e) => return GwResponse::from((e, started)).into_response(),
    };
    let hash = payment_hash(&token, amount, &c);
    let since = now.timestamp_micros() - super::sessions::IDEMPOTENCY_TTL.as_micros() as i64;
    if let Some(k) = &key {
        match repo::payment_by_key(&state.store, &gw.tenant_id, k, since).await {
            Ok(Some((h, p))) => {
                return repeat(&p, h == hash, k, &account.last4, now.timestamp(), &gw)
            }
            Ok(None) => {}
            Err(e) => return GwResponse::from((e, started)).into_response(),
        }
    }
    let Some(account_type) = AccountType::parse(&account.account_type) else {
        return GwResponse::unavailable(started).into_response();
    };
    // A card must still be valid when paid.
    if account_type == AccountType::Ca {
        let details: Value = serde_json::from_str(&account.details_json).unwrap_or(Value::Null);
        let yymm = details["expiration_date"].as_str().unwrap_or("");
        let valid =
            super::verify::parse_yymm(yymm).is_some_and(|e| !e.is_expired(now.date_naive()));
        if !valid {
            return super::verify::unavailable(&gw, now.timestamp());
        }
    }
    let Some(limits) = settings.credit_limits(account_type) else {
        return refuse(
            refusal::NOT_PUSH_ENABLED,
            "The account is not enabled for payments",
            "not_push_enabled",
            &gw,
        );
    };
    if amount < limits.min {
        return refuse(
            refusal::BELOW_MIN,
            &format!(
                "Amount is below the minimum of {}",
                limits.min.to_decimal_string()
            ),
            "amount_below_minimum",
            &gw,
        );
    }
    if amount > limits.max {
        return refuse(
            refusal::ABOVE_MAX,
            &format!(
                "Amount is above the maximum of {}",
                limits.max.to_decimal_string()
            ),
            "amount_above_maximum",
            &gw,
        );
    }
    if amount > velocity.per_transaction {
        return refuse(
            refusal::TRANSACTION_LIMIT,
            "Amount exceeds the per-transaction limit",
            "transaction_limit",
            &gw,
        );
    }
    // Bill pay posts after its biller's days, as verify promised.
    let biller_days = if account_type == AccountType::Bp {
        let details: Value = serde_json::from_str(&account.details_json).unwrap_or(Value::Null);
        let payee_id = details["payee_id"].as_str().unwrap_or("");
        match repo::biller(&state.store, payee_id).await {
            Ok(Some(b)) => super::issuer::biller_days(b.posting_days),
            Ok(None) => return GwResponse::unavailable(started).into_response(),
            Err(e) => return GwResponse::from((e, started)).into_response(),
        }
    } else {
        1
    };
    let p = posting(account_type, super::issuer::banking_today(now), biller_days);
    let day = now.format("%Y-%m-%d").to_string();
    let payment = repo::Payment {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: gw.tenant_id.clone(),
        token: token.clone(),
        account_type: account_type.code().into(),
        amount_cents: amount.0,
        status: repo::PAYMENT_ACCEPTED.into(),
        participant_unique_id1: c.participant_unique_id1.clone(),
        participant_unique_id2: c.participant_unique_id2.clone().unwrap_or_default(),
        estimated_posting_time: p.time.clone(),
        estimated_posting_date: p.date_text(),
        print_at: (account_type == AccountType::Ck).then(|| print_run_after(now)),
        created_at: now.timestamp_micros(),
        cancelled_at: None,
    };
    let limits = vec![
        repo::Velocity {
            scope: format!("token:{token}"),
            day: day.clone(),
            limit_cents: velocity.per_token_per_day.0,
            refusal: "token_daily",
        },
        repo::Velocity {
            scope: "tenant".into(),
            day,
            limit_cents: velocity.per_tenant_per_day.0,
            refusal: "tenant_daily",
        },
    ];
    let payment_key = key.clone().map(|k| repo::PaymentKey {
        key: k,
        request_hash: hash.clone(),
        expired_before: since,
    });
    match repo::record_payment(
        &state.store,
        payment,
        limits,
        payment_key,
        super::velocity::over_limit,
    )
    .await
    {
        Ok(repo::RecordPayment::Recorded(p)) => {
            tracing::info!(tenant_id = %gw.tenant_id, transaction_id = %p.id, amount_cents = p.amount_cents, "payment accepted");
            GwResponse::ok(
                code::SUCCESS,
                "Success",
                payment_data(&p, &account.last4, now.timestamp()),
                started,
            )
            .into_response()
        }
        Ok(repo::RecordPayment::OverLimit("token_daily")) => refuse(
            refusal::TOKEN_DAILY_LIMIT,
            "Amount exceeds the account's daily limit",
            "token_daily_limit",
            &gw,
        ),
        // The tenant's limit: the only other one.
        Ok(repo::RecordPayment::OverLimit(_)) => refuse(
            refusal::TENANT_DAILY_LIMIT,
            "Amount exceeds the participant's daily limit",
            "participant_daily_limit",
            &gw,
        ),
        // A concurrent request with the same Idempotency-Key won.
        Ok(repo::RecordPayment::KeyTaken) => {
            let k = key.unwrap_or_default();
            match repo::payment_by_key(&state.store, &gw.tenant_id, &k, since).await {
                Ok(Some((h, p))) => repeat(&p, h == hash, &k, &account.last4, now.timestamp(), &gw),
                Ok(None) => GwResponse::unavailable(started).into_response(),
                Err(e) => GwResponse::from((e, started)).into_response(),
            }
        }
        Err(e) => GwResponse::from((e, started)).into_response(),
    }
}

#[utoipa::path(post, path = "/gateway/checkcancel", tag = "Payout gateway",
    description = "Cancel a check (CK) payment until it is printed (the print run at 22:00 UTC on the next banking day). Body: participant_id, transaction_id, timestamp, version. Refusals 1060-1063.",
    request_body(content = serde_json::Value),
    responses((status = 200, body = super::sessions::GatewayEnvelopeDoc, description = "status 100"),
        (status = 400, body = super::sessions::GatewayEnvelopeDoc, description = "status 13400"),
        (status = 401, body = super::sessions::GatewayEnvelopeDoc, description = "status 13401"),
        (status = 422, body = super::sessions::GatewayEnvelopeDoc, description = "status 1060-1063")))]
pub async fn check_cancel(State(state): State<AppState>, gw: Gateway) -> Response {
    let started = gw.started;
    let obj = match gw.json_object() {
        Ok(o) => o,
        Err(r) => return r.into_response(),
    };
    let (c, id) = match parse_check_cancel(obj) {
        Ok(r) => r,
        Err(Some(data)) => return GwResponse::validation(data, started).into_response(),
        Err(None) => return GwResponse::unavailable(started).into_response(),
    };
    if c.participant_id != gw.participant_id {
        return GwResponse::unauthorized("participant_id_mismatch", started).into_response();
    }
    let now = state.clock.now();
    let p = match repo::payment(&state.store, &gw.tenant_id, &id).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            return refuse(
                refusal::UNKNOWN_TRANSACTION,
                "Unknown transaction",
                "unknown_transaction",
                &gw,
            )
        }
        Err(e) => return GwResponse::from((e, started)).into_response(),
    };
    let day = chrono::DateTime::from_timestamp_micros(p.created_at)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let scopes = vec![
        (format!("token:{}", p.token), day.clone()),
        ("tenant".to_string(), day),
    ];
    match repo::cancel_check(&state.store, gw.tenant_id.clone(), id, scopes, now.timestamp_micros(), super::cancel::may_cancel).await {
        Ok(repo::CancelCheck::Cancelled(p)) => GwResponse::ok(
            code::SUCCESS,
            "Success",
            json!({"transaction_id": p.id, "status": p.status, "amount": Cents(p.amount_cents).to_decimal_string(),
                   "request_timestamp": now.timestamp()}),
            started,
        )
        .into_response(),
        Ok(repo::CancelCheck::Refused(Refusal::Printed)) => refuse(refusal::CHECK_PRINTED, "The check has been printed and can no longer be cancelled", "check_printed", &gw),
        Ok(repo::CancelCheck::Refused(Refusal::AlreadyCancelled) | repo::CancelCheck::NoLongerAccepted) => refuse(refusal::ALREADY_CANCELLED, "The check payment is already cancelled", "already_cancelled", &gw),
        Ok(repo::CancelCheck::Refused(Refusal::NotCheck)) => refuse(refusal::NOT_A_CHECK, "Only check payments can be cancelled", "not_a_check", &gw),
        Ok(repo::CancelCheck::NotFound) => refuse(refusal::UNKNOWN_TRANSACTION, "Unknown transaction", "unknown_transaction", &gw),
        Err(e) => GwResponse::from((e, started)).into_response(),
    }
}
