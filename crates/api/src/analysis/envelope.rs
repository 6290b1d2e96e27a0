//! The product's envelope, `{success, message, data, errors}`, and the
//! answers spec 004 gives for each kind of failure.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

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

/// 400 with the spec's message and its list of failed rules.
pub fn bad_request<S: AsRef<str>>(message: &str, errors: &[S]) -> Response {
    let errors: Vec<&str> = errors.iter().map(AsRef::as_ref).collect();
    envelope(
        StatusCode::BAD_REQUEST,
        false,
        message,
        Value::Null,
        json!(errors),
    )
}

pub fn invalid<S: AsRef<str>>(errors: &[S]) -> Response {
    bad_request("Validation failed for the request.", errors)
}

/// The list endpoints' 400: "Invalid request parameters." then each rule.
pub fn bad_parameters<S: AsRef<str>>(errors: &[S]) -> Response {
    let mut all = vec!["Invalid request parameters.".to_string()];
    all.extend(errors.iter().map(|e| e.as_ref().to_string()));
    bad_request("Bad Request", &all)
}

pub fn access_denied() -> Response {
    envelope(
        StatusCode::UNAUTHORIZED,
        false,
        "Access Denied",
        Value::Null,
        json!(["Your request cannot be processed. If you believe this is an error, please contact support."]),
    )
}

/// The store failed: the spec's 500 body, as a 503 because it is ours and
/// passing (nothing about the cause leaks).
pub fn unavailable() -> Response {
    envelope(
        StatusCode::SERVICE_UNAVAILABLE,
        false,
        "Something went wrong!",
        Value::Null,
        json!(["Please contact administrator."]),
    )
}

/// A JSON object body, or the 400 that says it is not one.
pub fn object_body(bytes: &[u8]) -> Result<serde_json::Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(invalid(&["The request body must be a JSON object."])),
    }
}
