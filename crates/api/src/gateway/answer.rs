//! What a gateway handler answers: its success, or its error, in the
//! envelope.

use std::time::Instant;

use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::envelope::{code, GwResponse};
use super::error::GatewayError;

/// A handler's successful answer: 100, or 101 for an Idempotency-Key's
/// repeat of an earlier request.
pub struct Success {
    status: i64,
    message: &'static str,
    data: Value,
}

impl Success {
    pub fn new(data: Value) -> Success {
        Success::replayed_if(false, data)
    }

    pub fn replayed_if(replayed: bool, data: Value) -> Success {
        let (status, message) = match replayed {
            false => (code::SUCCESS, "Success"),
            true => (code::IDEMPOTENT, "Success - Idempotent"),
        };
        Success {
            status,
            message,
            data,
        }
    }
}

/// A handler's answer in the envelope, timed from `started`.
pub fn answer(started: Instant, r: Result<Success, GatewayError>) -> Response {
    match r {
        Ok(s) => GwResponse::ok(s.status, s.message, s.data, started),
        Err(e) => e.at(started),
    }
    .into_response()
}
