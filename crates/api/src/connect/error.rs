//! Connect's error body: `{errorId, errors: [{code, id, category, message,
//! propertyName, httpStatusCode, requestId}]}` (codes in docs/tokens.md).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: &'static str,
    pub id: &'static str,
    pub category: &'static str,
    pub message: String,
    pub property_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ConnectError {
    pub status: StatusCode,
    pub errors: Vec<ApiError>,
    /// Why it failed, for the request log only.
    pub cause: Option<crate::middleware::ErrorCause>,
}

pub mod codes {
    pub const MISSING_OR_INVALID_AUTHORIZATION: &str = "9002";
    pub const ACCESS_TO_MERCHANT_NOT_ALLOWED: &str = "9007";
    pub const SERVICE_NOT_ALLOWED: &str = "700660";
    pub const PARAMETER_NOT_FOUND_IN_REQUEST: &str = "20000000";
    pub const REQUEST_PARAMETER_INVALID: &str = "21000020";
    pub const UNKNOWN_TOKEN: &str = "1009";
    pub const NOT_FOUND: &str = "1002";
    pub const INTERNAL: &str = "9999";
    pub const TOO_MANY_REQUESTS: &str = "1429";
    pub const REQUEST_TIMEOUT: &str = "1408";
    pub const METHOD_NOT_ALLOWED: &str = "1405";
    pub const PAYLOAD_TOO_LARGE: &str = "1413";
    pub const DUPLICATE_REQUEST_IN_PROGRESS: &str = "1409";
}

impl ConnectError {
    pub fn one(
        status: StatusCode,
        code: &'static str,
        id: &'static str,
        category: &'static str,
        message: impl Into<String>,
    ) -> ConnectError {
        ConnectError {
            cause: None,
            status,
            errors: vec![ApiError {
                code,
                id,
                category,
                message: message.into(),
                property_name: None,
            }],
        }
    }

    pub fn unauthorized() -> ConnectError {
        ConnectError::one(
            StatusCode::UNAUTHORIZED,
            codes::MISSING_OR_INVALID_AUTHORIZATION,
            "MISSING_OR_INVALID_AUTHORIZATION",
            "CONNECT_PLATFORM_ERROR",
            "MISSING_OR_INVALID_AUTHORIZATION",
        )
    }

    pub fn forbidden(code: &'static str, id: &'static str) -> ConnectError {
        ConnectError::one(
            StatusCode::FORBIDDEN,
            code,
            id,
            "CONNECT_PLATFORM_ERROR",
            id,
        )
    }

    pub fn not_found(code: &'static str, id: &'static str) -> ConnectError {
        ConnectError::one(
            StatusCode::NOT_FOUND,
            code,
            id,
            "CONNECT_PLATFORM_ERROR",
            id,
        )
    }

    pub fn internal() -> ConnectError {
        ConnectError::one(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::INTERNAL,
            "SERVICE_UNAVAILABLE",
            "IO_ERROR",
            "SERVICE_UNAVAILABLE",
        )
    }

    /// A 400 with one entry per invalid or missing property (`propertyName`
    /// is the JSON path of the value).
    pub fn validation(errors: Vec<ApiError>) -> ConnectError {
        ConnectError {
            cause: None,
            status: StatusCode::BAD_REQUEST,
            errors,
        }
    }

    pub fn body(&self, request_id: &str) -> Value {
        let error_id = format!("{}-{:08x}", uuid::Uuid::new_v4(), rand::random::<u32>());
        let errors: Vec<Value> = self
            .errors
            .iter()
            .map(|e| {
                let mut v = json!({"code": e.code, "id": e.id, "category": e.category, "message": e.message,
                                   "httpStatusCode": self.status.as_u16(), "requestId": request_id});
                if let Some(p) = &e.property_name {
                    v["propertyName"] = json!(p);
                }
                v
            })
            .collect();
        json!({"errorId": error_id, "errors": errors})
    }
}

impl IntoResponse for ConnectError {
    fn into_response(self) -> Response {
        // The request's own id, as in its X-Request-Id header and the log.
        let request_id = crate::middleware::current_request_id()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let mut resp = (self.status, axum::Json(self.body(&request_id))).into_response();
        crate::middleware::ErrorCause::attach(&mut resp, self.cause);
        resp
    }
}

impl From<fundline_store::StoreError> for ConnectError {
    fn from(e: fundline_store::StoreError) -> ConnectError {
        if matches!(e, fundline_store::StoreError::NulInText) {
            return ConnectError::validation(vec![invalid("", "a value holds a NUL character")]);
        }
        ConnectError {
            cause: Some(crate::middleware::ErrorCause::new(e)),
            ..ConnectError::internal()
        }
    }
}

pub fn missing(path: &str) -> ApiError {
    ApiError {
        code: codes::PARAMETER_NOT_FOUND_IN_REQUEST,
        id: "PARAMETER_NOT_FOUND_IN_REQUEST",
        category: "CONNECT_PLATFORM_ERROR",
        message: "PARAMETER_NOT_FOUND_IN_REQUEST".into(),
        property_name: Some(path.into()),
    }
}

pub fn invalid(path: &str, why: &str) -> ApiError {
    ApiError {
        code: codes::REQUEST_PARAMETER_INVALID,
        id: "REQUEST_PARAMETER_INVALID",
        category: "CONNECT_PLATFORM_ERROR",
        message: format!("REQUEST_PARAMETER_INVALID: {why}"),
        property_name: Some(path.into()),
    }
}
