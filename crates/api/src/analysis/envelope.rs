//! The product's envelope, `{success, message, data, errors}`, of a
//! success (failures are [`super::error::AnalysisError`]).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

pub use super::error::access_denied;
use super::error::AnalysisError;

pub fn envelope(
    status: StatusCode,
    success: bool,
    message: &str,
    data: Value,
    errors: Value,
) -> Response {
    (
        status,
        axum::Json(json!({"success": success, "message": message, "data": data, "errors": errors})),
    )
        .into_response()
}

pub fn ok(message: &str, data: Value) -> Response {
    envelope(StatusCode::OK, true, message, data, Value::Null)
}

/// `ok` with `data` already JSON text (a stored report): written as it is,
/// never parsed into a tree. `None` when the text is not JSON.
pub fn ok_raw(message: &str, data: String) -> Option<Response> {
    #[derive(serde::Serialize)]
    struct Envelope<'a> {
        success: bool,
        message: &'a str,
        data: Box<serde_json::value::RawValue>,
        errors: Option<()>,
    }
    let data = serde_json::value::RawValue::from_string(data).ok()?;
    let body = serde_json::to_string(&Envelope {
        success: true,
        message,
        data,
        errors: None,
    })
    .ok()?;
    Some(
        (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
    )
}

/// A JSON object body, or the 400 that says it is not one.
pub fn object_body(bytes: &[u8]) -> Result<serde_json::Map<String, Value>, AnalysisError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(AnalysisError::invalid([
            "The request body must be a JSON object.",
        ])),
    }
}
