//! Cross-cutting layers: request ids, one structured log line per request,
//! Prometheus counters, time limits, panic containment and (with TLS) HSTS.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tracing::Instrument;

use crate::AppState;

pub const REQUEST_ID: &str = "x-request-id";
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static(REQUEST_ID);

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

const REQUESTS: &str = "fundline_http_requests_total";
const DURATION: &str = "fundline_http_request_duration_seconds";

/// This server's request counters and latency histograms, rendered at
/// `/metrics`. Each `AppState` has its own recorder (not the process-wide
/// one), so servers sharing a process (the tests) count apart.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.into()), &BUCKETS)
            .map(PrometheusBuilder::build_recorder)
            // The buckets above are a non-empty constant: this never fails.
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            metrics::describe_counter!(REQUESTS, "Requests answered, by route and status.");
            metrics::describe_histogram!(DURATION, "Request latency.");
        });
        Metrics { recorder, handle }
    }
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        metrics::with_local_recorder(&self.recorder, || {
            metrics::counter!(
                REQUESTS,
                "method" => method.to_string(),
                "route" => route.to_string(),
                "status" => status.to_string()
            )
            .increment(1);
            metrics::histogram!(
                DURATION,
                "method" => method.to_string(),
                "route" => route.to_string()
            )
            .record(elapsed.as_secs_f64());
        });
    }

    /// Prometheus text exposition format.
    pub fn render(&self) -> String {
        self.handle.render()
    }

    /// Folds the samples recorded since the last scrape into the histograms,
    /// so memory stays bounded when nothing scrapes (housekeeping calls it).
    pub(crate) fn upkeep(&self) {
        self.handle.run_upkeep();
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

/// A caller's `X-Request-Id` is kept only if it is short and plain (1 to 64
/// of `[A-Za-z0-9-]`), so it is safe to log and echo.
fn acceptable_request_id(v: &HeaderValue) -> bool {
    let v = v.as_bytes();
    !v.is_empty() && v.len() <= 64 && v.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// Drops a caller's id that fails [`acceptable_request_id`], so
/// `SetRequestIdLayer` (which keeps any id already there) makes a new one.
async fn drop_unfit_request_id(mut req: Request) -> Request {
    if req
        .headers()
        .get(REQUEST_ID)
        .is_some_and(|v| !acceptable_request_id(v))
    {
        req.headers_mut().remove(REQUEST_ID);
    }
    req
}

/// A new request's id: a random UUID (v4).
#[derive(Clone, Copy, Default)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
            .ok()
            .map(RequestId::new)
    }
}

async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Set by `SetRequestIdLayer` around this layer (see `wrap`).
    let rid = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let span = tracing::info_span!("request", request_id = %rid, method = %method, route = %route);
    let start = Instant::now();
    let resp = CURRENT_REQUEST_ID
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
        // The id: a caller's if it is fit to log, else a new one; echoed on
        // the response. Outside `observe`, which logs and counts with it.
        .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
        .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, NewRequestId))
        .layer(axum::middleware::map_request(drop_unfit_request_id))
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
