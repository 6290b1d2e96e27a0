//! The partner's webhook: a URL that receives each status change of its
//! customers' checks, signed with HMAC-SHA256 over "<timestamp>.<body>",
//! retried with exponential backoff until a 2xx, each delivery logged.

use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use fundline_store::checks::{self, Event, Webhook};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::checkcashing::auth::Partner;
use crate::checkcashing::problem::Problem;
use crate::AppState;

pub const SIGNATURE_HEADER: &str = "fundline-signature";
pub const TIMESTAMP_HEADER: &str = "fundline-timestamp";
pub const EVENT_HEADER: &str = "fundline-event-id";

/// `v1=<hex>`: HMAC-SHA256 keyed by the webhook secret over "<timestamp>.<body>".
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("v1={hex}")
}

/// https anywhere; plain http only to this machine, and only for sandbox
/// tenants or when the operator allows it (tests, local development).
fn acceptable(url: &str, loopback_http: bool) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    if u.username() != "" || u.password().is_some() || u.host_str().is_none() || url.len() > 500 {
        return false;
    }
    match u.scheme() {
        "https" => true,
        "http" => {
            loopback_http && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
        }
        _ => false,
    }
}

fn ts(micros: Option<i64>) -> Value {
    micros
        .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_micros)
        .map(|t| json!(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
        .unwrap_or(Value::Null)
}

/// PUT /api/v1/partners/webhook
#[utoipa::path(put, path = "/api/v1/partners/webhook", tag = "Check deposits",
    description = "Register (or replace) the URL that receives check status changes. Answers the signing secret, shown this once; each registration makes a new one.",
    request_body(content = serde_json::Value, description = "{url}"),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/problem+json"), (status = 401, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    partner: Partner,
    body: axum::body::Bytes,
) -> Response {
    const PATH: &str = "/api/v1/partners/webhook";
    let url = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("url").and_then(Value::as_str).map(str::to_string));
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
        return Problem::invalid(PATH, "url", "The url field is required.").into_response();
    };
    let loopback = state.config.allow_loopback_webhooks
        || fundline_store::tenants::is_sandbox(&state.store, &partner.tenant_id)
            .await
            .unwrap_or(false);
    if !acceptable(url.trim(), loopback) {
        return Problem::invalid(
            PATH,
            "url",
            "url must be an https URL (plain http only to this machine, in the sandbox).",
        )
        .into_response();
    }
    let Ok(keys) = state.keyring.tenant(&state.store, &partner.tenant_id).await else {
        return Problem::internal(PATH).into_response();
    };
    let secret = format!("whsec_{}", fundline_vault::random_token(32));
    let now = state.clock.now_micros();
    let w = Webhook {
        tenant_id: partner.tenant_id.clone(),
        url: url.trim().to_string(),
        secret_sealed: keys.seal_str("cc_webhooks", "secret", &secret),
        created_at: now,
        updated_at: now,
    };
    match checks::set_webhook(&state.store, w.clone()).await {
        Ok(()) => axum::Json(
            json!({"url": w.url, "secret": secret, "signatureHeader": "Fundline-Signature"}),
        )
        .into_response(),
        Err(_) => Problem::internal(PATH).into_response(),
    }
}

/// GET /api/v1/partners/webhook
#[utoipa::path(get, path = "/api/v1/partners/webhook", tag = "Check deposits",
    description = "The registered webhook URL (never the secret).",
    responses((status = 200, content_type = "application/json"), (status = 401, content_type = "application/problem+json")))]
pub async fn show(State(state): State<AppState>, partner: Partner) -> Response {
    match checks::webhook(&state.store, &partner.tenant_id).await {
        Ok(w) => axum::Json(json!({"url": w.as_ref().map(|w| w.url.clone()), "updatedOn": ts(w.map(|w| w.updated_at))})).into_response(),
        Err(_) => Problem::internal("/api/v1/partners/webhook").into_response(),
    }
}

/// GET /api/v1/partners/webhook/events
#[utoipa::path(get, path = "/api/v1/partners/webhook/events", tag = "Check deposits",
    description = "The delivery log: the latest 100 events, newest first, with their state (pending, delivered, failed), attempts and last HTTP status.",
    responses((status = 200, content_type = "application/json"), (status = 401, content_type = "application/problem+json")))]
pub async fn events(State(state): State<AppState>, partner: Partner) -> Response {
    match checks::events(&state.store, &partner.tenant_id, 100).await {
        Ok(list) => axum::Json(json!({"events": list.iter().map(|e| json!({
            "eventId": e.id, "type": e.event_type, "transactionId": e.transaction_id, "state": e.state,
            "attempts": e.attempts, "lastStatus": e.last_status, "lastError": e.last_error,
            "createdOn": ts(Some(e.created_at)), "deliveredOn": ts(e.delivered_at),
            "nextAttemptOn": if e.state == "pending" { ts(Some(e.next_attempt_at)) } else { Value::Null },
        })).collect::<Vec<_>>()}))
        .into_response(),
        Err(_) => Problem::internal("/api/v1/partners/webhook/events").into_response(),
    }
}

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        loop {
            let delivered = deliver_due(&state, &http).await;
            if delivered == 0 {
                tokio::time::sleep(state.config.webhook_poll).await;
            }
        }
    })
}

/// Delivers what is due; how many were attempted.
pub async fn deliver_due(state: &AppState, http: &reqwest::Client) -> usize {
    let now = state.clock.now_micros();
    let Ok(due) = checks::due_events(&state.store, now, 20).await else {
        return 0;
    };
    for e in &due {
        deliver(state, http, e).await;
    }
    due.len()
}

async fn deliver(state: &AppState, http: &reqwest::Client, e: &Event) {
    let now = state.clock.now_micros();
    let hook = match checks::webhook(&state.store, &e.tenant_id).await {
        Ok(Some(h)) => h,
        _ => {
            let _ = checks::record_attempt(
                &state.store,
                &e.id,
                &e.tenant_id,
                now,
                None,
                Some("no webhook registered".into()),
                0,
                None,
            )
            .await;
            return;
        }
    };
    let secret = match state
        .keyring
        .tenant(&state.store, &e.tenant_id)
        .await
        .ok()
        .and_then(|k| {
            k.open_string("cc_webhooks", "secret", &hook.secret_sealed)
                .ok()
        }) {
        Some(s) => s,
        None => return,
    };
    let timestamp = now / 1_000_000;
    let started = std::time::Instant::now();
    // The address is checked at delivery, not registration (DNS can change),
    // and the request goes to exactly the address checked.
    let loopback = state.config.allow_loopback_webhooks
        || fundline_store::tenants::is_sandbox(&state.store, &e.tenant_id)
            .await
            .unwrap_or(false);
    let pinned = match pin_address(&hook.url, loopback).await {
        Ok(c) => c,
        Err(why) => {
            let next = retry_at(state, e.attempts + 1, now);
            tracing::info!(event_id = %e.id, reason = why, "webhook not sent");
            let _ = checks::record_attempt(
                &state.store,
                &e.id,
                &e.tenant_id,
                now,
                None,
                Some(why.into()),
                0,
                next,
            )
            .await;
            return;
        }
    };
    let http = pinned.as_ref().unwrap_or(http);
    let result = http
        .post(&hook.url)
        .header("content-type", "application/json")
        .header(EVENT_HEADER, &e.id)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(
            SIGNATURE_HEADER,
            signature(secret.expose(), timestamp, &e.payload),
        )
        .body(e.payload.clone())
        .send()
        .await;
    let ms = started.elapsed().as_millis() as i64;
    let (status, error) = match result {
        Ok(r) => (Some(i64::from(r.status().as_u16())), None),
        Err(err) => (
            None,
            Some(if err.is_timeout() {
                "timed out".to_string()
            } else {
                "connection failed".to_string()
            }),
        ),
    };
    let ok = status.is_some_and(|s| (200..300).contains(&s));
    let attempts = e.attempts + 1;
    let next = if ok {
        None
    } else {
        retry_at(state, attempts, now)
    };
    if !ok {
        tracing::info!(event_id = %e.id, ?status, attempts, "webhook delivery failed");
    }
    let _ = checks::record_attempt(
        &state.store,
        &e.id,
        &e.tenant_id,
        now,
        status,
        error,
        ms,
        next,
    )
    .await;
}

/// When to try again after `attempts` failed attempts; `None`: give up.
fn retry_at(state: &AppState, attempts: i64, now: i64) -> Option<i64> {
    if attempts >= state.config.webhook_max_attempts {
        None
    } else {
        // 1, 2, 4, 8 … base periods, capped at six hours.
        let backoff =
            state.config.webhook_backoff.as_micros() as i64 * (1i64 << (attempts.clamp(1, 20) - 1));
        Some(now + backoff.min(6 * 3600 * 1_000_000))
    }
}

/// Addresses a webhook must never reach: this host's and private networks
/// (a partner could otherwise make us call internal services).
fn forbidden(ip: std::net::IpAddr, loopback_ok: bool) -> bool {
    use std::net::IpAddr;
    if ip.is_loopback() {
        return !loopback_ok;
    }
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])
        }
        IpAddr::V6(v6) => {
            v6.is_unspecified()
                || v6.is_multicast()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| forbidden(IpAddr::V4(v4), loopback_ok))
        }
    }
}

/// Resolves the webhook's host once and checks every address; answers a
/// client pinned to the first one (None: the shared client will do, for a
/// literal loopback address in the sandbox).
async fn pin_address(
    url: &str,
    loopback_ok: bool,
) -> Result<Option<reqwest::Client>, &'static str> {
    let u = url::Url::parse(url).map_err(|_| "the webhook URL is not valid")?;
    let host = u
        .host_str()
        .ok_or("the webhook URL has no host")?
        .to_string();
    let port = u
        .port_or_known_default()
        .ok_or("the webhook URL has no port")?;
    let lookup = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((lookup.as_str(), port))
        .await
        .map_err(|_| "the webhook host does not resolve")?
        .collect();
    let first = *addrs.first().ok_or("the webhook host does not resolve")?;
    if addrs.iter().any(|a| forbidden(a.ip(), loopback_ok)) {
        return Err("the webhook host resolves to a private address");
    }
    if first.ip().is_loopback() {
        return Ok(None);
    }
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&host, first)
        .build()
        .map(Some)
        .map_err(|_| "the webhook client cannot be built")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_over_timestamp_dot_body() {
        // Reference value: `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test`
        assert_eq!(
            signature("whsec_test", 1_700_000_000, "{\"a\":1}"),
            "v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn private_addresses_are_refused() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        for bad in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(forbidden(ip(bad), true), "{bad}");
        }
        assert!(forbidden(ip("127.0.0.1"), false));
        assert!(!forbidden(ip("127.0.0.1"), true));
        assert!(!forbidden(ip("93.184.216.34"), false));
        assert!(!forbidden(ip("2606:2800:220:1::1"), false));
    }

    #[test]
    fn only_https_or_loopback_http_in_the_sandbox() {
        assert!(acceptable("https://partner.example/hooks", false));
        assert!(!acceptable("http://partner.example/hooks", true));
        assert!(acceptable("http://127.0.0.1:9000/hooks", true));
        assert!(!acceptable("http://127.0.0.1:9000/hooks", false));
        assert!(!acceptable("https://user:pw@partner.example/", false));
        assert!(!acceptable("ftp://partner.example/", true));
    }
}
