//! Bank analysis's one error type. Every refusal and failure a handler or
//! its service answers with is an [`AnalysisError`]; its `IntoResponse`
//! writes spec 004's envelope `{success, message, data, errors}` (or, on the
//! customer's link, the page script's `{"error": …}`). The cause of a
//! failure is never logged where it happens: it rides on the response as an
//! [`ErrorCause`] and the request log writes it once, with the request id.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::envelope::envelope;
use crate::middleware::ErrorCause;

#[derive(Debug)]
pub enum AnalysisError {
    /// 400: the spec's message and every failed rule, in order.
    Rejected {
        message: &'static str,
        errors: Vec<String>,
    },
    /// 401 "Access Denied" (no session, a session that ended, not allowed).
    Denied { cause: Option<ErrorCause> },
    /// 401 at login: no active account has this email and password.
    BadCredentials,
    /// 429; `Retry-After` says when to come back.
    TooMany {
        message: &'static str,
        error: String,
        retry_after: u64,
    },
    /// Our side failed (the store, the vault): the spec's 500 body as a 503,
    /// because it is passing; nothing about the cause is in the body.
    Unavailable { cause: Option<ErrorCause> },
    /// An answer to the customer's link page script: `{"error": message}`.
    Link {
        status: StatusCode,
        message: String,
        retry_after: Option<u64>,
        cause: Option<ErrorCause>,
    },
}

pub type Result<T, E = AnalysisError> = std::result::Result<T, E>;

/// The customer's link when our side failed.
const LINK_TRY_AGAIN: &str = "Please try again in a moment.";

impl AnalysisError {
    pub fn rejected<S: Into<String>>(
        message: &'static str,
        errors: impl IntoIterator<Item = S>,
    ) -> AnalysisError {
        AnalysisError::Rejected {
            message,
            errors: errors.into_iter().map(Into::into).collect(),
        }
    }

    /// 400 "Validation failed for the request." with each failed rule.
    pub fn invalid<S: Into<String>>(errors: impl IntoIterator<Item = S>) -> AnalysisError {
        AnalysisError::rejected("Validation failed for the request.", errors)
    }

    /// The list endpoints' 400: "Invalid request parameters." then each rule.
    pub fn bad_parameters<S: Into<String>>(errors: impl IntoIterator<Item = S>) -> AnalysisError {
        let all = std::iter::once("Invalid request parameters.".to_string())
            .chain(errors.into_iter().map(Into::into));
        AnalysisError::rejected("Bad Request", all)
    }

    pub fn denied() -> AnalysisError {
        AnalysisError::Denied { cause: None }
    }

    /// Access denied, with why for the request log.
    pub fn denied_because(cause: impl std::fmt::Display) -> AnalysisError {
        AnalysisError::Denied {
            cause: Some(ErrorCause::new(cause)),
        }
    }

    pub fn unavailable(cause: impl std::fmt::Display) -> AnalysisError {
        AnalysisError::Unavailable {
            cause: Some(ErrorCause::new(cause)),
        }
    }

    /// A refusal on the customer's link.
    pub fn link(status: StatusCode, message: impl Into<String>) -> AnalysisError {
        AnalysisError::Link {
            status,
            message: message.into(),
            retry_after: None,
            cause: None,
        }
    }

    /// 429 on the customer's link.
    pub fn link_busy(retry_after: u64, message: &str) -> AnalysisError {
        AnalysisError::Link {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: message.into(),
            retry_after: Some(retry_after),
            cause: None,
        }
    }

    /// Our side failed while serving the customer's link.
    pub fn link_unavailable(cause: impl std::fmt::Display) -> AnalysisError {
        AnalysisError::Link {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: LINK_TRY_AGAIN.into(),
            retry_after: None,
            cause: Some(ErrorCause::new(cause)),
        }
    }
}

/// The envelope of a 401 "Access Denied".
pub fn access_denied() -> Response {
    envelope(
        StatusCode::UNAUTHORIZED,
        false,
        "Access Denied",
        Value::Null,
        json!(["Your request cannot be processed. If you believe this is an error, please contact support."]),
    )
}

fn with_retry_after(mut resp: Response, seconds: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

impl IntoResponse for AnalysisError {
    fn into_response(self) -> Response {
        let (mut resp, cause) = match self {
            AnalysisError::Rejected { message, errors } => (
                envelope(
                    StatusCode::BAD_REQUEST,
                    false,
                    message,
                    Value::Null,
                    json!(errors),
                ),
                None,
            ),
            AnalysisError::Denied { cause } => (access_denied(), cause),
            AnalysisError::BadCredentials => (
                envelope(
                    StatusCode::UNAUTHORIZED,
                    false,
                    "Invalid email or password.",
                    Value::Null,
                    json!(["Invalid email or password."]),
                ),
                None,
            ),
            AnalysisError::TooMany {
                message,
                error,
                retry_after,
            } => (
                with_retry_after(
                    envelope(
                        StatusCode::TOO_MANY_REQUESTS,
                        false,
                        message,
                        Value::Null,
                        json!([error]),
                    ),
                    retry_after.max(1),
                ),
                None,
            ),
            AnalysisError::Unavailable { cause } => (
                envelope(
                    StatusCode::SERVICE_UNAVAILABLE,
                    false,
                    "Something went wrong!",
                    Value::Null,
                    json!(["Please contact administrator."]),
                ),
                cause,
            ),
            AnalysisError::Link {
                status,
                message,
                retry_after,
                cause,
            } => {
                let resp = (status, axum::Json(json!({"error": message}))).into_response();
                let resp = match retry_after {
                    Some(s) => with_retry_after(resp, s),
                    None => resp,
                };
                (resp, cause)
            }
        };
        ErrorCause::attach(&mut resp, cause);
        resp
    }
}

impl From<fundline_store::StoreError> for AnalysisError {
    fn from(e: fundline_store::StoreError) -> AnalysisError {
        if matches!(e, fundline_store::StoreError::NulInText) {
            return AnalysisError::invalid(["A field contains a NUL character."]);
        }
        AnalysisError::unavailable(e)
    }
}

/// Every password-hashing slot stayed taken for the whole wait.
impl From<super::auth::HashingBusy> for AnalysisError {
    fn from(_: super::auth::HashingBusy) -> AnalysisError {
        AnalysisError::TooMany {
            message: "Too many requests.",
            error: "The server is busy checking passwords. Try again in a few seconds.".into(),
            retry_after: 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_429_says_when_to_come_back() {
        let busy: AnalysisError = super::super::auth::HashingBusy.into();
        for e in [
            busy,
            AnalysisError::link_busy(7, "slow down"),
            AnalysisError::TooMany {
                message: "Too many requests.",
                error: "x".into(),
                retry_after: 0,
            },
        ] {
            let r = e.into_response();
            assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
            assert!(r.headers().contains_key(header::RETRY_AFTER));
        }
    }

    #[test]
    fn causes_go_to_the_log_not_the_body() {
        let r = AnalysisError::unavailable("disk on fire").into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        let cause = r.extensions().get::<ErrorCause>().map(|c| c.0.to_string());
        assert_eq!(cause.as_deref(), Some("disk on fire"));
    }
}
