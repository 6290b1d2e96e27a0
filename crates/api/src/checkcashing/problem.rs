//! The check cashing API's error envelope: RFC 7807 problem+json with the
//! spec's `errorCode`, and for 400s `errors: {}` plus `validationErrors`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub type_uri: &'static str,
    pub title: String,
    pub detail: String,
    pub error_code: Option<&'static str>,
    pub validation: Option<Vec<ValidationError>>,
    pub instance: String,
    /// Why it failed, for the request log only.
    pub cause: Option<crate::middleware::ErrorCause>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub key: String,
    pub message: String,
}

const RFC_422: &str = "https://tools.ietf.org/html/rfc4918#section-11.2";

impl Problem {
    pub fn unauthorized(instance: &str) -> Problem {
        Problem {
            cause: None,
            status: StatusCode::UNAUTHORIZED,
            type_uri: "https://tools.ietf.org/html/rfc7235#section-3.1",
            title: "Unauthorized".into(),
            detail: "Authorization has been denied for this request.".into(),
            error_code: Some("UNAUTHORIZED"),
            validation: None,
            instance: instance.into(),
        }
    }

    pub fn validation(instance: &str, errors: Vec<ValidationError>) -> Problem {
        Problem {
            cause: None,
            status: StatusCode::BAD_REQUEST,
            type_uri: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
            title: "Bad Request".into(),
            detail: "One or more validation errors occurred.".into(),
            error_code: None,
            validation: Some(errors),
            instance: instance.into(),
        }
    }

    pub fn invalid(instance: &str, key: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem::validation(
            instance,
            vec![ValidationError {
                key: key.into(),
                message: message.into(),
            }],
        )
    }

    /// A business rule refused the request (HTTP 422).
    pub fn unprocessable(
        instance: &str,
        title: &str,
        detail: impl Into<String>,
        code: &'static str,
    ) -> Problem {
        Problem {
            cause: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
            type_uri: RFC_422,
            title: title.into(),
            detail: detail.into(),
            error_code: Some(code),
            validation: None,
            instance: instance.into(),
        }
    }

    pub fn customer_not_found(instance: &str, detail: &str) -> Problem {
        Problem::unprocessable(instance, "Customer Not Found", detail, "CUSTOMER_NOT_FOUND")
    }

    /// The spec's envelope has no 413: an oversized body is a 400 like any
    /// other unreadable request, with an errorCode saying why.
    pub fn payload_too_large(instance: &str, limit: usize) -> Problem {
        Problem {
            cause: None,
            error_code: Some("PAYLOAD_TOO_LARGE"),
            ..Problem::invalid(
                instance,
                "command",
                format!("The request body exceeds the limit of {limit} bytes."),
            )
        }
    }

    pub fn method_not_allowed(instance: &str) -> Problem {
        Problem {
            cause: None,
            status: StatusCode::METHOD_NOT_ALLOWED,
            type_uri: "https://tools.ietf.org/html/rfc7231#section-6.5.5",
            title: "Method Not Allowed".into(),
            detail: "This method is called with POST.".into(),
            error_code: Some("METHOD_NOT_ALLOWED"),
            validation: None,
            instance: instance.into(),
        }
    }

    /// The request ran past the server's request timeout.
    pub fn request_timeout(instance: &str) -> Problem {
        Problem {
            cause: None,
            status: StatusCode::REQUEST_TIMEOUT,
            type_uri: "https://tools.ietf.org/html/rfc7231#section-6.5.7",
            title: "Request Timeout".into(),
            detail: "The request took too long and was abandoned; nothing was done. Retry it."
                .into(),
            error_code: Some("REQUEST_TIMEOUT"),
            validation: None,
            instance: instance.into(),
        }
    }

    /// The credential is over its rate limit.
    pub fn too_many_requests(instance: &str, retry_after: u64) -> Problem {
        Problem {
            cause: None,
            status: StatusCode::TOO_MANY_REQUESTS,
            type_uri: "https://tools.ietf.org/html/rfc6585#section-4",
            title: "Too Many Requests".into(),
            detail: format!("Too many requests. Try again in {retry_after} s."),
            error_code: Some("TOO_MANY_REQUESTS"),
            validation: None,
            instance: instance.into(),
        }
    }

    /// Something failed on our side; the detail never carries internals.
    pub fn internal(instance: &str) -> Problem {
        Problem {
            cause: None,
            status: StatusCode::SERVICE_UNAVAILABLE,
            type_uri: "https://tools.ietf.org/html/rfc7231#section-6.6.4",
            title: "Service Unavailable".into(),
            detail: "The request could not be completed. Please try again.".into(),
            error_code: Some("SERVICE_UNAVAILABLE"),
            validation: None,
            instance: instance.into(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut body = json!({
            "type": self.type_uri,
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "instance": self.instance,
        });
        if let Some(code) = self.error_code {
            body["errorCode"] = json!(code);
        }
        if let Some(errors) = &self.validation {
            body["errors"] = json!({});
            body["validationErrors"] = errors
                .iter()
                .map(|e| json!({"key": e.key, "message": e.message}))
                .collect::<Vec<_>>()
                .into();
        }
        let mut resp = (self.status, axum::Json(body)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        crate::middleware::ErrorCause::attach(&mut resp, self.cause);
        resp
    }
}

impl From<fundline_store::StoreError> for Problem {
    fn from(e: fundline_store::StoreError) -> Problem {
        if matches!(e, fundline_store::StoreError::NulInText) {
            return Problem::invalid("", "command", "A field contains a NUL character.");
        }
        // The cause goes to the request log; the instance is filled by the caller.
        Problem {
            cause: Some(crate::middleware::ErrorCause::new(e)),
            ..Problem::internal("")
        }
    }
}

impl Problem {
    /// Fills in the request path where the error was made without one.
    pub fn at(mut self, instance: &str) -> Problem {
        if self.instance.is_empty() {
            self.instance = instance.to_string();
        }
        self
    }
}
