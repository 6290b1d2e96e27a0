//! Operational endpoints: health, readiness, metrics, the OpenAPI document and its docs page.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .route("/docs", get(docs))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "Operations", responses((status = 200, body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: its database answers.
#[utoipa::path(get, path = "/readyz", tag = "Operations", responses((status = 200, body = String), (status = 503, body = String)))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.store.ping().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

/// Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "Operations", responses((status = 200, body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "Operations", responses((status = 200, content_type = "application/json")))]
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi_json(),
    )
        .into_response()
}

/// This reference, rendered from /openapi.json by the binary itself.
#[utoipa::path(get, path = "/docs", tag = "Operations", responses((status = 200, content_type = "text/html")))]
pub async fn docs() -> Response {
    let mut resp = Html(include_str!("docs.html")).into_response();
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        ),
    );
    resp
}

/// A request that ran past `request_timeout` (a trickled body, a stuck
/// store) answers 408 in the envelope of the product whose prefix it carries.
pub fn timed_out(path: &str) -> Response {
    const WHY: &str = "The request took too long and was abandoned; nothing was done. Retry it.";
    if path.starts_with(crate::checkcashing::BASE) || path.starts_with("/api/v1/checks") {
        return crate::checkcashing::problem::Problem::request_timeout(path).into_response();
    }
    if path.starts_with("/v1/") || path.starts_with("/client/") {
        return crate::connect::error::ConnectError::one(
            StatusCode::REQUEST_TIMEOUT,
            crate::connect::error::codes::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            "CONNECT_PLATFORM_ERROR",
            WHY,
        )
        .into_response();
    }
    if path.starts_with("/gateway") || path.starts_with("/api/v1/sessions") {
        return crate::gateway::envelope::GwResponse::error(
            StatusCode::REQUEST_TIMEOUT,
            crate::gateway::envelope::code::REQUEST_TIMEOUT,
            WHY,
            "request_timeout",
            std::time::Instant::now(),
        )
        .into_response();
    }
    if path.starts_with("/api/v1/") {
        return crate::analysis::envelope::envelope(
            StatusCode::REQUEST_TIMEOUT,
            false,
            "Request Timeout",
            serde_json::Value::Null,
            serde_json::json!([WHY]),
        );
    }
    (
        StatusCode::REQUEST_TIMEOUT,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({"status": 408, "title": "Request Timeout", "error": WHY}).to_string(),
    )
        .into_response()
}

/// A refusal axum's own layers make before any handler runs — 405 with an
/// empty body, 413 in plain text — answered instead in the envelope of the
/// product whose prefix the path carries, so every SDK can read it.
pub fn refusal(path: &str, status: StatusCode, max_body_bytes: usize) -> Response {
    let (message, why) = if status == StatusCode::PAYLOAD_TOO_LARGE {
        (
            "Payload Too Large",
            format!("The request body exceeds the limit of {max_body_bytes} bytes."),
        )
    } else {
        (
            "Method Not Allowed",
            "This path does not answer this method; the Allow header lists those it does."
                .to_string(),
        )
    };
    if path.starts_with(crate::checkcashing::BASE) || path.starts_with("/api/v1/checks") {
        let p = if status == StatusCode::PAYLOAD_TOO_LARGE {
            crate::checkcashing::problem::Problem::payload_too_large(path, max_body_bytes)
        } else {
            crate::checkcashing::problem::Problem::method_not_allowed(path)
        };
        return p.into_response();
    }
    if path.starts_with("/v1/") || path.starts_with("/client/") {
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            crate::connect::error::codes::PAYLOAD_TOO_LARGE
        } else {
            crate::connect::error::codes::METHOD_NOT_ALLOWED
        };
        return crate::connect::error::ConnectError::one(
            status,
            code,
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                "PAYLOAD_TOO_LARGE"
            } else {
                "METHOD_NOT_ALLOWED"
            },
            "CONNECT_PLATFORM_ERROR",
            &why,
        )
        .into_response();
    }
    if path.starts_with("/gateway") || path.starts_with("/api/v1/sessions") {
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            crate::gateway::envelope::code::TOO_LARGE
        } else {
            crate::gateway::envelope::code::METHOD_NOT_ALLOWED
        };
        return crate::gateway::envelope::GwResponse::error(
            status,
            code,
            why,
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                "payload_too_large"
            } else {
                "method_not_allowed"
            },
            std::time::Instant::now(),
        )
        .into_response();
    }
    if path.starts_with("/api/v1/") {
        return crate::analysis::envelope::envelope(
            status,
            false,
            message,
            serde_json::Value::Null,
            serde_json::json!([why]),
        );
    }
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({"status": status.as_u16(), "title": message, "error": why}).to_string(),
    )
        .into_response()
}

/// The `WWW-Authenticate` challenge of the product whose path answered 401
/// (RFC 7235 §3.1: a 401 carries at least one), naming the scheme that
/// product's credentials use.
pub fn challenge(path: &str) -> &'static str {
    if path == "/api/v1/partners/authenticate" {
        return "Basic realm=\"fundline check cashing\", charset=\"UTF-8\"";
    }
    if path.starts_with(crate::checkcashing::BASE) {
        return "SessionId realm=\"fundline check cashing\"";
    }
    if path.starts_with("/api/v1/checks") {
        return "Bearer realm=\"fundline check deposits\"";
    }
    if path.starts_with("/gateway") || path.starts_with("/api/v1/sessions") {
        return "hmac realm=\"fundline gateway\", algorithm=\"hmac-sha512\", headers=\"request-line x-date content-sha512\"";
    }
    if path.starts_with("/v1/") {
        return "GCS realm=\"fundline token service\"";
    }
    if path.starts_with("/client/") {
        return "GCS realm=\"fundline client api\"";
    }
    "Bearer realm=\"fundline bank analysis\""
}

/// Unknown paths answer in the envelope of the product whose prefix they carry.
pub async fn not_found(req: Request) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with(crate::checkcashing::BASE) {
        return crate::checkcashing::not_found(&path);
    }
    if path.starts_with("/v1/") || path.starts_with("/client/") {
        return crate::connect::tokens::not_found().await.into_response();
    }
    if path.starts_with("/gateway") || path.starts_with("/api/v1/sessions") {
        return crate::gateway::envelope::GwResponse::error(
            StatusCode::NOT_FOUND,
            crate::gateway::envelope::code::NOT_FOUND,
            "Not Found",
            "unknown_route",
            std::time::Instant::now(),
        )
        .into_response();
    }
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({"status": 404, "title": "Not Found"}).to_string(),
    )
        .into_response()
}
