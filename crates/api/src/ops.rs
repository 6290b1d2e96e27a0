//! Operational endpoints: health, readiness, metrics, the OpenAPI document and its docs page.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .routes(routes!(openapi))
        .routes(routes!(docs))
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

/// The product a path belongs to, by its prefix: which envelope answers the
/// refusals no handler makes (408, 405, 413, 404) and which challenge a 401
/// carries. One table for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// Check cashing partners (spec 000), `/api/v1/partners`.
    Partners,
    /// Check deposits behind spec 000, `/api/v1/checks`.
    CheckDeposits,
    /// Payout gateway and capture sessions (specs 001, 002).
    Gateway,
    /// Token service (spec 003), `/v1/`.
    TokenService,
    /// Connect's client API, `/client/`.
    ClientApi,
    /// Bank analysis (spec 004): the rest of `/api/v1/`.
    Analysis,
    /// The lender's console, `/console`: HTML pages.
    Console,
    /// Health, metrics, documents, pages.
    Platform,
}

impl Surface {
    pub fn of(path: &str) -> Surface {
        if path.starts_with(crate::checkcashing::BASE) {
            Surface::Partners
        } else if path.starts_with("/api/v1/checks") {
            Surface::CheckDeposits
        } else if path.starts_with("/gateway") || path.starts_with("/api/v1/sessions") {
            Surface::Gateway
        } else if path.starts_with("/v1/") {
            Surface::TokenService
        } else if path.starts_with("/client/") {
            Surface::ClientApi
        } else if path.starts_with("/api/v1/") {
            Surface::Analysis
        } else if path == crate::console::BASE || path.starts_with("/console/") {
            Surface::Console
        } else {
            Surface::Platform
        }
    }
}

/// A refusal in the envelope of the product whose path it is; `connect`
/// and `gateway` are that envelope's code and id for the status.
struct Refusal<'a> {
    status: StatusCode,
    title: &'a str,
    why: &'a str,
    connect: (&'static str, &'static str),
    gateway: (i64, &'static str),
}

fn refuse(path: &str, r: Refusal<'_>, partners: impl FnOnce() -> Response) -> Response {
    match Surface::of(path) {
        Surface::Partners | Surface::CheckDeposits => partners(),
        Surface::TokenService | Surface::ClientApi => crate::connect::error::ConnectError::one(
            r.status,
            r.connect.0,
            r.connect.1,
            "CONNECT_PLATFORM_ERROR",
            r.why,
        )
        .into_response(),
        Surface::Gateway => crate::gateway::envelope::GwResponse::error(
            r.status,
            r.gateway.0,
            r.why,
            r.gateway.1,
            std::time::Instant::now(),
        )
        .into_response(),
        Surface::Analysis => crate::analysis::envelope::envelope(
            r.status,
            false,
            r.title,
            serde_json::Value::Null,
            serde_json::json!([r.why]),
        ),
        Surface::Console => crate::console::message(r.status, r.title, r.why),
        Surface::Platform => (
            r.status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({"status": r.status.as_u16(), "title": r.title, "error": r.why})
                .to_string(),
        )
            .into_response(),
    }
}

/// A request that ran past `request_timeout` (a trickled body, a stuck
/// store) answers 408 in the envelope of the product whose prefix it carries.
pub fn timed_out(path: &str) -> Response {
    refuse(
        path,
        Refusal {
            status: StatusCode::REQUEST_TIMEOUT,
            title: "Request Timeout",
            why: "The request took too long and was abandoned; nothing was done. Retry it.",
            connect: (
                crate::connect::error::codes::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
            ),
            gateway: (
                crate::gateway::envelope::code::REQUEST_TIMEOUT,
                "request_timeout",
            ),
        },
        || crate::checkcashing::problem::Problem::request_timeout(path).into_response(),
    )
}

/// A refusal axum's own layers make before any handler runs — 405 with an
/// empty body, 413 in plain text — answered instead in the envelope of the
/// product whose prefix the path carries, so every SDK can read it.
pub fn refusal(path: &str, status: StatusCode, max_body_bytes: usize) -> Response {
    use crate::checkcashing::problem::Problem;
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let why = format!("The request body exceeds the limit of {max_body_bytes} bytes.");
        return refuse(
            path,
            Refusal {
                status,
                title: "Payload Too Large",
                why: &why,
                connect: (
                    crate::connect::error::codes::PAYLOAD_TOO_LARGE,
                    "PAYLOAD_TOO_LARGE",
                ),
                gateway: (
                    crate::gateway::envelope::code::TOO_LARGE,
                    "payload_too_large",
                ),
            },
            || Problem::payload_too_large(path, max_body_bytes).into_response(),
        );
    }
    refuse(
        path,
        Refusal {
            status,
            title: "Method Not Allowed",
            why: "This path does not answer this method; the Allow header lists those it does.",
            connect: (
                crate::connect::error::codes::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
            ),
            gateway: (
                crate::gateway::envelope::code::METHOD_NOT_ALLOWED,
                "method_not_allowed",
            ),
        },
        || Problem::method_not_allowed(path).into_response(),
    )
}

/// The `WWW-Authenticate` challenge of the product whose path answered 401
/// (RFC 7235 §3.1: a 401 carries at least one), naming the scheme that
/// product's credentials use.
pub fn challenge(path: &str) -> &'static str {
    match Surface::of(path) {
        Surface::Partners if path == "/api/v1/partners/authenticate" => {
            "Basic realm=\"fundline check cashing\", charset=\"UTF-8\""
        }
        Surface::Partners => "SessionId realm=\"fundline check cashing\"",
        Surface::CheckDeposits => "Bearer realm=\"fundline check deposits\"",
        Surface::Gateway => "hmac realm=\"fundline gateway\", algorithm=\"hmac-sha512\", headers=\"request-line x-date content-sha512\"",
        Surface::TokenService => "GCS realm=\"fundline token service\"",
        Surface::ClientApi => "GCS realm=\"fundline client api\"",
        Surface::Analysis | Surface::Console | Surface::Platform => {
            "Bearer realm=\"fundline bank analysis\""
        }
    }
}

/// Unknown paths answer in the envelope of the product whose prefix they carry.
pub async fn not_found(req: Request) -> Response {
    let path = req.uri().path().to_string();
    match Surface::of(&path) {
        // Check deposits share spec 000's problem+json, as their timeouts do.
        Surface::Partners | Surface::CheckDeposits => crate::checkcashing::not_found(&path),
        Surface::TokenService | Surface::ClientApi => {
            crate::connect::tokens::not_found().await.into_response()
        }
        Surface::Gateway => crate::gateway::envelope::GwResponse::error(
            StatusCode::NOT_FOUND,
            crate::gateway::envelope::code::NOT_FOUND,
            "Not Found",
            "unknown_route",
            std::time::Instant::now(),
        )
        .into_response(),
        Surface::Analysis => crate::analysis::envelope::envelope(
            StatusCode::NOT_FOUND,
            false,
            "Not Found",
            serde_json::Value::Null,
            serde_json::json!(["No resource answers at this path."]),
        ),
        Surface::Console => crate::console::not_found(),
        Surface::Platform => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({"status": 404, "title": "Not Found"}).to_string(),
        )
            .into_response(),
    }
}
