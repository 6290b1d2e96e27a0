//! The gateway's envelope (specs 001 and 002):
//! `{status, client_message, developer_message, data, time}`.

use std::time::Instant;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Gateway status codes (docs/gateway.md has the table); which answer
/// carries each is `super::error::GatewayError`.
pub mod code {
    pub const SUCCESS: i64 = 100;
    pub const IDEMPOTENT: i64 = 101;
    pub const UNAUTHORIZED: i64 = 13401;
    pub const VALIDATION: i64 = 13400;
    pub const NOT_FOUND: i64 = 13404;
    pub const TOO_LARGE: i64 = 13413;
    pub const METHOD_NOT_ALLOWED: i64 = 13405;
    pub const NOT_ACCEPTABLE: i64 = 13406;
    pub const IDEMPOTENCY_MISMATCH: i64 = 13723;
    pub const UNAVAILABLE: i64 = 13503;
    pub const TOO_MANY_REQUESTS: i64 = 13429;
    pub const REQUEST_TIMEOUT: i64 = 13408;
    /// The same signed request is still running (a retry came too soon).
    pub const IN_PROGRESS: i64 = 13409;
    /// Verify: the account is not currently available for payment.
    pub const NOT_AVAILABLE: i64 = 700;
    /// Verify: the routing number fails the ABA checksum.
    pub const BAD_ROUTING: i64 = 1042;
    /// Process and checkcancel refusals.
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

#[derive(Debug)]
pub struct GwResponse {
    pub http: StatusCode,
    pub status: i64,
    pub client_message: String,
    pub developer_message: Option<String>,
    pub data: Value,
    pub started: Instant,
    /// Why it failed, for the request log only.
    pub cause: Option<crate::middleware::ErrorCause>,
}

impl GwResponse {
    pub fn ok(status: i64, client_message: &str, data: Value, started: Instant) -> GwResponse {
        GwResponse {
            cause: None,
            http: StatusCode::OK,
            status,
            client_message: client_message.into(),
            developer_message: None,
            data,
            started,
        }
    }

    pub fn unauthorized(developer_message: &str, started: Instant) -> GwResponse {
        GwResponse {
            cause: None,
            http: StatusCode::UNAUTHORIZED,
            status: code::UNAUTHORIZED,
            client_message: "Unauthorized".into(),
            developer_message: Some(developer_message.into()),
            data: Value::Null,
            started,
        }
    }

    /// 13400 with each field mapped to its messages, as spec 001 shows.
    pub fn validation(data: Value, started: Instant) -> GwResponse {
        GwResponse {
            cause: None,
            http: StatusCode::BAD_REQUEST,
            status: code::VALIDATION,
            client_message:
                "Field validation error - See data element for validation error details".into(),
            developer_message: Some("invalid_request_fields".into()),
            data,
            started,
        }
    }

    pub fn error(
        http: StatusCode,
        status: i64,
        client_message: impl Into<String>,
        developer_message: &str,
        started: Instant,
    ) -> GwResponse {
        GwResponse {
            cause: None,
            http,
            status,
            client_message: client_message.into(),
            developer_message: Some(developer_message.into()),
            data: Value::Null,
            started,
        }
    }

    pub fn unavailable(started: Instant) -> GwResponse {
        GwResponse::error(
            StatusCode::SERVICE_UNAVAILABLE,
            code::UNAVAILABLE,
            "The request could not be completed. Please try again.",
            "service_unavailable",
            started,
        )
    }
}

tokio::task_local! {
    /// Set while a `/gateway/*` request (spec 002) is answered.
    static SPEC_002_TIME: bool;
}

/// Runs `f` as a `/gateway/*` answer (spec 002's `time`).
pub async fn spec_002_time_scope<F: std::future::Future>(f: F) -> F::Output {
    SPEC_002_TIME.scope(true, f).await
}

/// Spec 002's samples give `time` as a string of seconds with four decimals
/// (`"time": "1.0263"`); spec 001's (capture sessions) as a number with one
/// (`"time": 0.8`). The answer follows the spec of its path.
pub async fn spec_002_time(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if req.uri().path().starts_with("/gateway/") {
        SPEC_002_TIME.scope(true, next.run(req)).await
    } else {
        next.run(req).await
    }
}

impl IntoResponse for GwResponse {
    fn into_response(self) -> Response {
        // The real time spent on the request, in seconds.
        let secs = self.started.elapsed().as_secs_f64();
        let time = if SPEC_002_TIME.try_with(|t| *t).unwrap_or(false) {
            json!(format!("{secs:.4}"))
        } else {
            json!((secs * 10.0).round() / 10.0)
        };
        let mut body = json!({
            "status": self.status,
            "client_message": self.client_message,
            "data": self.data,
            "time": time,
        });
        if let Some(d) = self.developer_message {
            body["developer_message"] = json!(d);
        }
        let mut resp = (self.http, axum::Json(body)).into_response();
        crate::middleware::ErrorCause::attach(&mut resp, self.cause);
        resp
    }
}

impl From<(fundline_store::StoreError, Instant)> for GwResponse {
    fn from((e, started): (fundline_store::StoreError, Instant)) -> GwResponse {
        if matches!(e, fundline_store::StoreError::NulInText) {
            return GwResponse::validation(
                serde_json::json!({"request": ["A field contains a NUL character."]}),
                started,
            );
        }
        GwResponse {
            cause: Some(crate::middleware::ErrorCause::new(e)),
            ..GwResponse::unavailable(started)
        }
    }
}
