//! Cross-cutting layers: request ids, one structured log line per request,
//! Prometheus counters, time limits, panic containment and (with TLS) HSTS.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tracing::Instrument;

use crate::AppState;

pub const REQUEST_ID: &str = "x-request-id";

/// Why a request failed, as its error type knew it (a store error, an I/O
/// failure). An error's `IntoResponse` puts it in the response's extensions
/// instead of logging it, so [`observe`] logs it exactly once, on the
/// request's own line with its id, and never in the body.
#[derive(Clone, Debug)]
pub struct ErrorCause(pub std::sync::Arc<str>);

impl ErrorCause {
    pub fn new(cause: impl std::fmt::Display) -> ErrorCause {
        ErrorCause(cause.to_string().into())
    }

    /// Puts `cause` (if any) on `resp` for the request log.
    pub fn attach(resp: &mut Response, cause: Option<ErrorCause>) {
        if let Some(c) = cause {
            resp.extensions_mut().insert(c);
        }
    }
}

/// Latency bucket upper bounds, seconds.
const BUCKETS: [f64; 10] = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum_micros: u64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<HashMap<(String, String, u16), Series>>,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let Ok(mut m) = self.series.lock() else {
            return;
        };
        let s = m
            .entry((method.to_string(), route.to_string(), status))
            .or_default();
        s.count += 1;
        s.sum_micros += elapsed.as_micros() as u64;
        let secs = elapsed.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    /// Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP fundline_http_requests_total Requests answered, by route and status.\n",
        );
        out.push_str("# TYPE fundline_http_requests_total counter\n");
        let Ok(m) = self.series.lock() else {
            return out;
        };
        let mut keys: Vec<_> = m.keys().cloned().collect();
        keys.sort();
        for k in &keys {
            let s = &m[k];
            out.push_str(&format!(
                "fundline_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                k.0, k.1, k.2, s.count
            ));
        }
        out.push_str("# HELP fundline_http_request_duration_seconds Request latency.\n");
        out.push_str("# TYPE fundline_http_request_duration_seconds histogram\n");
        let mut by_route: HashMap<(String, String), Series> = HashMap::new();
        for k in &keys {
            let s = &m[k];
            let e = by_route.entry((k.0.clone(), k.1.clone())).or_default();
            e.count += s.count;
            e.sum_micros += s.sum_micros;
            for i in 0..BUCKETS.len() {
                e.buckets[i] += s.buckets[i];
            }
        }
        let mut routes: Vec<_> = by_route.into_iter().collect();
        routes.sort_by(|a, b| a.0.cmp(&b.0));
        for ((method, route), s) in routes {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            for (i, b) in BUCKETS.iter().enumerate() {
                out.push_str(&format!(
                    "fundline_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}\n",
                    s.buckets[i]
                ));
            }
            out.push_str(&format!(
                "fundline_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n",
                s.count
            ));
            out.push_str(&format!(
                "fundline_http_request_duration_seconds_sum{{{labels}}} {}\n",
                s.sum_micros as f64 / 1e6
            ));
            out.push_str(&format!(
                "fundline_http_request_duration_seconds_count{{{labels}}} {}\n",
                s.count
            ));
        }
        out
    }
}

tokio::task_local! {
    /// The id of the request being served, for error bodies that carry it
    /// (Connect's `requestId`).
    static CURRENT_REQUEST_ID: String;
}

/// The id of the request this task is serving (`X-Request-Id`), when one is.
pub fn current_request_id() -> Option<String> {
    CURRENT_REQUEST_ID.try_with(String::clone).ok()
}

fn request_id(req: &Request) -> String {
    // Accept a caller's id only if it is short and plain, so it is safe to log and echo.
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

async fn observe(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let rid = request_id(&req);
    if let Ok(v) = HeaderValue::from_str(&rid) {
        req.headers_mut().insert(REQUEST_ID, v);
    }
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let span = tracing::info_span!("request", request_id = %rid, method = %method, route = %route);
    let start = Instant::now();
    let mut resp = CURRENT_REQUEST_ID
        .scope(rid.clone(), next.run(req).instrument(span.clone()))
        .await;
    let elapsed = start.elapsed();
    let status = resp.status().as_u16();
    let cause = resp.extensions().get::<ErrorCause>().map(|c| c.0.clone());
    span.in_scope(|| {
        let latency_us = elapsed.as_micros() as u64;
        if status >= 500 {
            let cause = cause.as_deref().unwrap_or("-");
            tracing::error!(status, latency_us, cause, "request failed");
        } else if let Some(cause) = cause.as_deref() {
            tracing::warn!(status, latency_us, cause, "request refused");
        } else {
            tracing::info!(status, latency_us, "request");
        }
    });
    state.metrics.record(&method, &route, status, elapsed);
    if let Ok(v) = HeaderValue::from_str(&rid) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    resp
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [("content-type", "application/json")],
        r#"{"title":"Internal Server Error","status":500}"#,
    )
        .into_response()
}

/// The request timeout, answered in the product's envelope (tower's
/// TimeoutLayer answers with an empty body). Dropping the handler's future
/// rolls back whatever transaction it had open.
async fn deadline(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    match tokio::time::timeout(state.config.request_timeout, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => crate::ops::timed_out(&path),
    }
}

/// axum answers a wrong method (405, empty body) and an oversized body
/// (413, plain text) itself; those answers are put in the product's
/// envelope here. Answers a handler made (JSON already) pass untouched.
/// Every 401 gets the product's `WWW-Authenticate` challenge.
async fn envelope_refusals(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    let status = resp.status();
    if status == StatusCode::UNAUTHORIZED {
        if !resp
            .headers()
            .contains_key(axum::http::header::WWW_AUTHENTICATE)
        {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static(crate::ops::challenge(&path)),
            );
        }
        return resp;
    }
    // Every 429 says when to come back (RFC 6585 §4). The products that do
    // not set it refuse from the per-credential token bucket, whose next
    // token is never more than a second away (rates are whole requests a
    // second: `RateLimiter::check` answers 1).
    if status == StatusCode::TOO_MANY_REQUESTS {
        if !resp.headers().contains_key(axum::http::header::RETRY_AFTER) {
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                HeaderValue::from_static("1"),
            );
        }
        return resp;
    }
    if !matches!(
        status,
        StatusCode::METHOD_NOT_ALLOWED | StatusCode::PAYLOAD_TOO_LARGE
    ) {
        return resp;
    }
    let json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"));
    if json {
        return resp;
    }
    let allow = resp.headers().get(axum::http::header::ALLOW).cloned();
    let mut out = crate::ops::refusal(&path, status, state.config.max_body_bytes);
    if let Some(allow) = allow {
        out.headers_mut().insert(axum::http::header::ALLOW, allow);
    }
    out
}

pub fn wrap(router: Router, state: AppState) -> Router {
    router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            envelope_refusals,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(state, observe))
}

/// HSTS: browsers that reached us over HTTPS keep to HTTPS for a year,
/// subdomains included (PCI DSS 4.2.1). Only sent when the server itself
/// speaks TLS; behind a TLS-terminating proxy the proxy sets it.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

async fn hsts(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    resp.headers_mut().insert(
        axum::http::header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    );
    resp
}

/// Around everything [`wrap`] adds, so timeouts, panics and 404s carry it too.
pub fn with_hsts(router: Router, on: bool) -> Router {
    if on {
        router.layer(axum::middleware::from_fn(hsts))
    } else {
        router
    }
}
