//! Every way a gateway request can fail, with its HTTP status, gateway
//! status code and messages in one place (docs/gateway.md has the table).
//! A store failure keeps its cause for the request log, which logs it once
//! with the request id; nothing here logs.

use std::time::Instant;

use axum::http::StatusCode;
use fundline_core::money::Cents;
use fundline_store::StoreError;
use serde_json::{json, Value};

use super::envelope::{code, GwResponse};

#[derive(Debug)]
pub enum GatewayError {
    /// 13401, with why in developer_message.
    Unauthorized(&'static str),
    /// 13400, each field mapped to its messages (spec 001's shape).
    Validation(Value),
    /// 1042: the routing number fails the ABA checksum.
    BadRouting,
    /// 700: the account cannot take money now (`now`: the request's second).
    NotAvailable { now: i64 },
    /// 1050-1063: process and checkcancel refusals.
    Refused(Refusal),
    /// 13723: an Idempotency-Key sent again with another request.
    IdempotencyMismatch { key: String, participant_id: i64 },
    /// 13413: the body exceeds `limit` bytes.
    TooLarge { limit: usize },
    /// 13429: retry in `retry_secs`.
    RateLimited { retry_secs: u64 },
    /// 13409: the same signed request is still running.
    InProgress,
    /// 13406: the request does not accept JSON, the only type served.
    NotAcceptable,
    /// 13503 with nothing to log (e.g. a value missing without a field
    /// error, or a tenant's settings that do not apply).
    Unavailable,
    /// 13503; the store's error is the cause in the request log.
    Store(StoreError),
}

/// Why a payment or a check cancellation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    BelowMin(Cents),
    AboveMax(Cents),
    TransactionLimit,
    TokenDailyLimit,
    TenantDailyLimit,
    NotPushEnabled,
    CheckPrinted,
    AlreadyCancelled,
    NotACheck,
    UnknownTransaction,
}

impl Refusal {
    /// Its status code, client message and developer message.
    fn parts(self) -> (i64, String, &'static str) {
        let (status, message, dev): (i64, String, &'static str) = match self {
            Refusal::BelowMin(min) => (
                code::BELOW_MIN,
                format!("Amount is below the minimum of {}", min.to_decimal_string()),
                "amount_below_minimum",
            ),
            Refusal::AboveMax(max) => (
                code::ABOVE_MAX,
                format!("Amount is above the maximum of {}", max.to_decimal_string()),
                "amount_above_maximum",
            ),
            Refusal::TransactionLimit => (
                code::TRANSACTION_LIMIT,
                "Amount exceeds the per-transaction limit".into(),
                "transaction_limit",
            ),
            Refusal::TokenDailyLimit => (
                code::TOKEN_DAILY_LIMIT,
                "Amount exceeds the account's daily limit".into(),
                "token_daily_limit",
            ),
            Refusal::TenantDailyLimit => (
                code::TENANT_DAILY_LIMIT,
                "Amount exceeds the participant's daily limit".into(),
                "participant_daily_limit",
            ),
            Refusal::NotPushEnabled => (
                code::NOT_PUSH_ENABLED,
                "The account is not enabled for payments".into(),
                "not_push_enabled",
            ),
            Refusal::CheckPrinted => (
                code::CHECK_PRINTED,
                "The check has been printed and can no longer be cancelled".into(),
                "check_printed",
            ),
            Refusal::AlreadyCancelled => (
                code::ALREADY_CANCELLED,
                "The check payment is already cancelled".into(),
                "already_cancelled",
            ),
            Refusal::NotACheck => (
                code::NOT_A_CHECK,
                "Only check payments can be cancelled".into(),
                "not_a_check",
            ),
            Refusal::UnknownTransaction => (
                code::UNKNOWN_TRANSACTION,
                "Unknown transaction".into(),
                "unknown_transaction",
            ),
        };
        (status, message, dev)
    }
}

impl GatewayError {
    /// A single field's error, as the 13400 data map gives it.
    pub fn field(name: &str, message: &str) -> GatewayError {
        GatewayError::Validation(json!({ name: [message] }))
    }

    /// The envelope of this error, timed from `started`.
    pub fn at(self, started: Instant) -> GwResponse {
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        let (http, status, client_message, dev) = match self {
            GatewayError::Unauthorized(why) => {
                return GwResponse::unauthorized(why, started);
            }
            GatewayError::Validation(data) => return GwResponse::validation(data, started),
            GatewayError::NotAvailable { now } => {
                // As the spec shows it: no developer_message, the request's second as data.
                let mut r = GwResponse::ok(
                    code::NOT_AVAILABLE,
                    "Account not currently available for payment",
                    json!({ "request_timestamp": now }),
                    started,
                );
                r.http = unprocessable;
                return r;
            }
            GatewayError::Unavailable => return GwResponse::unavailable(started),
            GatewayError::Store(e) => return GwResponse::from((e, started)),
            GatewayError::BadRouting => (
                unprocessable,
                code::BAD_ROUTING,
                "Invalid routing number".to_string(),
                "invalid_routing_number",
            ),
            GatewayError::Refused(r) => {
                let (status, message, dev) = r.parts();
                (unprocessable, status, message, dev)
            }
            GatewayError::IdempotencyMismatch { key, participant_id } => (
                unprocessable,
                code::IDEMPOTENCY_MISMATCH,
                format!("Idempotency Key {key} for ParticipantId {participant_id} does not match the original request"),
                "invalid_idempotent_request",
            ),
            GatewayError::TooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                code::TOO_LARGE,
                format!("The request body exceeds the limit of {limit} bytes."),
                "payload_too_large",
            ),
            GatewayError::RateLimited { retry_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                code::TOO_MANY_REQUESTS,
                format!("Too many requests. Try again in {retry_secs} s."),
                "rate_limited",
            ),
            GatewayError::NotAcceptable => (
                StatusCode::NOT_ACCEPTABLE,
                code::NOT_ACCEPTABLE,
                "The response can only be application/json.".to_string(),
                "not_acceptable",
            ),
            GatewayError::InProgress => (
                StatusCode::CONFLICT,
                code::IN_PROGRESS,
                "The same signed request is still being processed. Retry in a few seconds."
                    .to_string(),
                "request_in_progress",
            ),
        };
        GwResponse::error(http, status, client_message, dev, started)
    }
}

impl From<StoreError> for GatewayError {
    fn from(e: StoreError) -> GatewayError {
        GatewayError::Store(e)
    }
}

impl From<(GatewayError, Instant)> for GwResponse {
    fn from((e, started): (GatewayError, Instant)) -> GwResponse {
        e.at(started)
    }
}
