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
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A registration body's url, trimmed; None when absent or blank.
fn url_field(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.get("url")
                .and_then(Value::as_str)
                .map(str::trim)
                .map(str::to_string)
        })
        .filter(|u| !u.is_empty())
}

/// The rules of a registration body, for the drift test of its document.
#[cfg(test)]
pub(crate) fn register_body_ok(body: &[u8], loopback_http: bool) -> bool {
    url_field(body).is_some_and(|u| acceptable(&u, loopback_http))
}

/// https anywhere but to a literal address that is not globally routable;
/// plain http only to this machine, and only for the sandbox tenant (with
/// the sandbox on) or when the embedding code allows it (tests).
fn acceptable(url: &str, loopback_http: bool) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    if u.username() != "" || u.password().is_some() || u.host_str().is_none() || url.len() > 500 {
        return false;
    }
    // A literal address is checked now (a name is checked at each delivery).
    let literal = match u.host() {
        Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
        _ => None,
    };
    if literal.is_some_and(|ip| forbidden(ip, loopback_http)) {
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
    request_body(content = super::schemas::WebhookRequest),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/problem+json"), (status = 401, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    partner: Partner,
    body: axum::body::Bytes,
) -> Response {
    const PATH: &str = "/api/v1/partners/webhook";
    let Some(url) = url_field(&body) else {
        return Problem::invalid(PATH, "url", "The url field is required.").into_response();
    };
    let loopback = loopback_allowed(&state, &partner.tenant_id).await;
    if !acceptable(&url, loopback) {
        return Problem::invalid(
            PATH,
            "url",
            "url must be an https URL of a public address (plain http only to this machine, in the sandbox).",
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
        url,
        secret_sealed: keys.seal_str("cc_webhooks", "secret", &secret),
        created_at: now,
        updated_at: now,
    };
    match checks::set_webhook(&state.store, w.clone()).await {
        Ok(()) => axum::Json(
            json!({"url": w.url, "secret": secret, "signatureHeader": "Fundline-Signature"}),
        )
        .into_response(),
        Err(e) => Problem::from(e).at(PATH).into_response(),
    }
}

/// GET /api/v1/partners/webhook
#[utoipa::path(get, path = "/api/v1/partners/webhook", tag = "Check deposits",
    description = "The registered webhook URL (never the secret).",
    responses((status = 200, content_type = "application/json"), (status = 401, content_type = "application/problem+json")))]
pub async fn show(State(state): State<AppState>, partner: Partner) -> Response {
    match checks::webhook(&state.store, &partner.tenant_id).await {
        Ok(w) => axum::Json(json!({"url": w.as_ref().map(|w| w.url.clone()), "updatedOn": ts(w.map(|w| w.updated_at))})).into_response(),
        Err(e) => Problem::from(e).at("/api/v1/partners/webhook").into_response(),
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
        Err(e) => Problem::from(e).at("/api/v1/partners/webhook/events").into_response(),
    }
}

/// How long a claimed event is left to its sender before another may take
/// it (longer than one attempt's time limit).
const LEASE: Duration = Duration::from_secs(120);

/// Claims and delivers what is due (each event by one node: a lease on the
/// row); how many this node took. Each delivery builds its own client,
/// pinned to the address it checked.
pub async fn deliver_due(state: &AppState) -> usize {
    let now = state.clock.now_micros();
    let Ok(due) = checks::due_events(&state.store, now, 20).await else {
        return 0;
    };
    let mut taken = 0;
    for e in &due {
        let lease = fundline_store::jobs::Lease::new(state.clock.now_micros(), LEASE);
        match checks::claim_event(&state.store, &e.id, lease).await {
            Ok(Some(claimed)) => {
                taken += 1;
                deliver(state, &claimed).await;
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(event_id = %e.id, error = %err, "webhook claim failed"),
        }
    }
    taken
}

/// One delivery attempt: a webhook that is gone is recorded as given up;
/// an address that fails its check, or an answer other than 2xx, as failed
/// (retried with backoff until the attempts run out).
async fn deliver(state: &AppState, e: &Event) {
    let now = state.clock.now_micros();
    let Ok(Some(hook)) = checks::webhook(&state.store, &e.tenant_id).await else {
        let gone = Attempt {
            status: None,
            error: Some("no webhook registered".into()),
            ms: 0,
            next: None,
        };
        return record(state, e, now, gone).await;
    };
    // Without its secret the event cannot be signed; nothing is recorded,
    // and once its lease runs out a later pass takes it again.
    let Some(secret) = webhook_secret(state, &hook).await else {
        return;
    };
    let started = std::time::Instant::now();
    // The address is checked at delivery, not registration (DNS can change),
    // and the request goes to exactly the address checked.
    let loopback = loopback_allowed(state, &e.tenant_id).await;
    let http = match pin_address(&hook.url, loopback).await {
        Ok((http, _address)) => http,
        Err(why) => {
            tracing::info!(event_id = %e.id, reason = why, "webhook not sent");
            let refused = Attempt {
                status: None,
                error: Some(why.into()),
                ms: 0,
                next: retry_at(state, e.attempts + 1, now),
            };
            return record(state, e, now, refused).await;
        }
    };
    let (status, error) = post(&http, &hook.url, e, secret.expose(), now / 1_000_000).await;
    let ms = started.elapsed().as_millis() as i64;
    let ok = status.is_some_and(|s| (200..300).contains(&s));
    let attempts = e.attempts + 1;
    if !ok {
        tracing::info!(event_id = %e.id, ?status, attempts, "webhook delivery failed");
    }
    let attempt = Attempt {
        status,
        error,
        ms,
        next: if ok {
            None
        } else {
            retry_at(state, attempts, now)
        },
    };
    record(state, e, now, attempt).await
}

/// The webhook's signing secret, opened.
async fn webhook_secret(state: &AppState, hook: &Webhook) -> Option<fundline_vault::SecretString> {
    let keys = state
        .keyring
        .tenant(&state.store, &hook.tenant_id)
        .await
        .ok()?;
    keys.open_string("cc_webhooks", "secret", &hook.secret_sealed)
        .ok()
}

/// POST the event, signed; the answer's status, or why there was none.
async fn post(
    http: &reqwest::Client,
    url: &str,
    e: &Event,
    secret: &str,
    timestamp: i64,
) -> (Option<i64>, Option<String>) {
    let result = http
        .post(url)
        .header("content-type", "application/json")
        .header(EVENT_HEADER, &e.id)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature(secret, timestamp, &e.payload))
        .body(e.payload.clone())
        .send()
        .await;
    match result {
        Ok(r) => (Some(i64::from(r.status().as_u16())), None),
        Err(err) if err.is_timeout() => (None, Some("timed out".to_string())),
        Err(_) => (None, Some("connection failed".to_string())),
    }
}

/// What the delivery log keeps of an attempt.
struct Attempt {
    status: Option<i64>,
    error: Option<String>,
    ms: i64,
    /// When to try again; None: delivered, or given up.
    next: Option<i64>,
}

async fn record(state: &AppState, e: &Event, now: i64, a: Attempt) {
    // A log write that fails is not retried here: once the event's lease
    // runs out a later pass takes it again.
    let _ = checks::record_attempt(
        &state.store,
        &e.id,
        &e.tenant_id,
        now,
        a.status,
        a.error,
        a.ms,
        a.next,
    )
    .await;
}

/// Whether a tenant's webhooks may reach this machine: only with the
/// sandbox on, for the sandbox tenant (or when the embedding code allows it
/// for every tenant, as the tests do). With the sandbox off, never.
async fn loopback_allowed(state: &AppState, tenant_id: &str) -> bool {
    if !state.config.sandbox {
        return false;
    }
    state.config.allow_loopback_webhooks
        || crate::tenancy::sandbox_privileged(
            state,
            fundline_store::tenants::is_sandbox(&state.store, tenant_id)
                .await
                .unwrap_or(false),
        )
}

/// When to try again after `attempts` failed attempts; `None`: give up.
fn retry_at(state: &AppState, attempts: i64, now: i64) -> Option<i64> {
    // 1, 2, 4, 8 … base periods, capped at six hours.
    fundline_store::jobs::retry_at(
        now,
        attempts,
        state.config.webhook_max_attempts,
        state.config.webhook_backoff,
        Duration::from_secs(6 * 3600),
    )
}

/// Addresses a webhook must never reach: an address that is not globally
/// routable, or whose embedded IPv4 address (IPv4-mapped, NAT64, 6to4) is
/// not (a partner could otherwise make us call this host, internal services
/// or the cloud metadata endpoint). Loopback only with `loopback_ok` (the
/// sandbox tenant, with the sandbox on).
pub(crate) fn forbidden(ip: std::net::IpAddr, loopback_ok: bool) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            if v4.is_loopback() {
                return !loopback_ok;
            }
            !v4_global(v4)
        }
        IpAddr::V6(v6) => {
            if v6.is_loopback() {
                return !loopback_ok;
            }
            match v6_embedded(v6) {
                Embedded::V4(v4) => forbidden(IpAddr::V4(v4), loopback_ok),
                Embedded::None => !v6_global(v6),
                Embedded::NotRoutable => true,
            }
        }
    }
}

/// IPv4 special-purpose blocks (IANA registry, RFC 6890 and successors)
/// that are not globally reachable, as (network, prefix length).
const V4_NOT_GLOBAL: [([u8; 4], u8); 17] = [
    ([0, 0, 0, 0], 8),       // "this network", 0.0.0.0 reaches this host
    ([10, 0, 0, 0], 8),      // private
    ([100, 64, 0, 0], 10),   // shared address space (carrier-grade NAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local, cloud metadata
    ([172, 16, 0, 0], 12),   // private
    ([192, 0, 0, 0], 24),    // IETF protocol assignments
    ([192, 0, 2, 0], 24),    // TEST-NET-1
    ([192, 31, 196, 0], 24), // AS112
    ([192, 52, 193, 0], 24), // AMT
    ([192, 88, 99, 0], 24),  // 6to4 relay anycast (deprecated)
    ([192, 168, 0, 0], 16),  // private
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // TEST-NET-2
    ([203, 0, 113, 0], 24),  // TEST-NET-3
    ([224, 0, 0, 0], 4),     // multicast
    ([240, 0, 0, 0], 4),     // reserved, and 255.255.255.255 broadcast
];

fn v4_global(ip: std::net::Ipv4Addr) -> bool {
    let a = u32::from(ip);
    !V4_NOT_GLOBAL.iter().any(|(net, len)| {
        let mask = u32::MAX << (32 - u32::from(*len));
        a & mask == u32::from_be_bytes(*net) & mask
    })
}

enum Embedded {
    /// The IPv6 address carries this IPv4 address, which decides.
    V4(std::net::Ipv4Addr),
    /// A transition form that is not routable whatever it embeds.
    NotRoutable,
    None,
}

fn v6_embedded(ip: std::net::Ipv6Addr) -> Embedded {
    let seg = ip.segments();
    let o = ip.octets();
    let last32 = std::net::Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    if seg[..5] == [0; 5] && seg[5] == 0xffff {
        // ::ffff:0:0/96, IPv4-mapped: the IPv4 address itself.
        return Embedded::V4(last32);
    }
    if seg[..6] == [0; 6] {
        // ::/96, IPv4-compatible (deprecated, RFC 4291): never routable.
        // (:: and ::1 are handled as unspecified and loopback.)
        return Embedded::NotRoutable;
    }
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // 64:ff9b::/96, the NAT64 well-known prefix: the translator
        // connects to the embedded IPv4 address.
        return Embedded::V4(last32);
    }
    if seg[0] == 0x2002 {
        // 2002::/16, 6to4: the relay reaches the embedded IPv4 address.
        return Embedded::V4(std::net::Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    Embedded::None
}

fn v6_global(ip: std::net::Ipv6Addr) -> bool {
    let seg = ip.segments();
    // Global unicast is 2000::/3; everything else (unspecified, multicast
    // ff00::/8, unique local fc00::/7, link-local fe80::/10, site-local
    // fec0::/10, discard 100::/64, the local-use NAT64 prefix
    // 64:ff9b:1::/48 …) is not.
    if seg[0] & 0xe000 != 0x2000 {
        return false;
    }
    // Inside 2000::/3: IETF protocol assignments 2001::/23 (Teredo
    // 2001::/32 and its embedded addresses, benchmarking, ORCHID) and the
    // documentation prefix 2001:db8::/32.
    let in_2001_23 = seg[0] == 0x2001 && seg[1] < 0x0200;
    let documentation = seg[0] == 0x2001 && seg[1] == 0x0db8;
    !(in_2001_23 || documentation)
}

/// Resolves the webhook's host once and checks every address; answers a
/// client pinned to the first one and that address. Every delivery,
/// loopback included, goes through a pinned client with no proxy, so the
/// connection is made to exactly the address that was checked.
async fn pin_address(
    url: &str,
    loopback_ok: bool,
) -> Result<(reqwest::Client, std::net::SocketAddr), &'static str> {
    let u = url::Url::parse(url).map_err(|_| "the webhook URL is not valid")?;
    let host = u
        .host_str()
        .ok_or("the webhook URL has no host")?
        .to_string();
    let port = u
        .port_or_known_default()
        .ok_or("the webhook URL has no port")?;
    let addrs: Vec<std::net::SocketAddr> = match u.host() {
        Some(url::Host::Ipv4(ip)) => vec![(ip, port).into()],
        Some(url::Host::Ipv6(ip)) => vec![(ip, port).into()],
        _ => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| "the webhook host does not resolve")?
            .collect(),
    };
    let first = *addrs.first().ok_or("the webhook host does not resolve")?;
    if addrs.iter().any(|a| forbidden(a.ip(), loopback_ok)) {
        return Err("the webhook host resolves to a private address");
    }
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .resolve(&host, first)
        .build()
        .map(|c| (c, first))
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

    fn ip(s: &str) -> std::net::IpAddr {
        s.parse().unwrap()
    }

    /// Every address that is not globally routable, or embeds an IPv4
    /// address that is not, is refused (even where loopback is allowed).
    #[test]
    fn addresses_that_are_not_globally_routable_are_refused() {
        let table = [
            // IPv4 special-purpose blocks
            ("0.0.0.0", "this network"),
            ("0.1.2.3", "0.0.0.0/8"),
            ("10.1.2.3", "private"),
            ("100.64.0.1", "shared address space"),
            ("100.127.255.254", "shared address space, last"),
            ("169.254.169.254", "link-local, cloud metadata"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private, last"),
            ("192.0.0.8", "IETF protocol assignments"),
            ("192.0.2.10", "TEST-NET-1"),
            ("192.88.99.1", "6to4 relay anycast"),
            ("192.168.1.1", "private"),
            ("198.18.0.1", "benchmarking"),
            ("198.19.255.255", "benchmarking, last"),
            ("198.51.100.7", "TEST-NET-2"),
            ("203.0.113.9", "TEST-NET-3"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.250", "multicast"),
            ("240.0.0.1", "reserved"),
            ("255.255.255.255", "broadcast"),
            // IPv6 ranges
            ("::", "unspecified"),
            ("fc00::1", "unique local"),
            ("fd12:3456::1", "unique local"),
            ("fe80::1", "link-local"),
            ("febf::1", "link-local, last"),
            ("fec0::1", "site-local"),
            ("ff02::1", "multicast"),
            ("100::1", "discard-only"),
            ("2001:db8::1", "documentation"),
            ("2001::1", "Teredo"),
            (
                "2001:0:4136:e378:8000:63bf:f5ff:fffe",
                "Teredo, client 10.0.0.1",
            ),
            ("2001:2::1", "benchmarking"),
            ("64:ff9b:1::a00:1", "local-use NAT64"),
            ("::1.2.3.4", "IPv4-compatible"),
            ("::127.0.0.1", "IPv4-compatible loopback"),
            ("::8.8.8.8", "IPv4-compatible, even of a global address"),
            // IPv4 embedded in IPv6
            ("::ffff:10.0.0.1", "IPv4-mapped private"),
            ("::ffff:169.254.169.254", "IPv4-mapped metadata"),
            ("::ffff:0.0.0.0", "IPv4-mapped this network"),
            ("::ffff:198.18.0.1", "IPv4-mapped benchmarking"),
            ("64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254"),
            ("64:ff9b::10.0.0.1", "NAT64 of 10.0.0.1"),
            ("64:ff9b::240.0.0.1", "NAT64 of reserved"),
            ("2002:a00:1::1", "6to4 of 10.0.0.1"),
            ("2002:a9fe:a9fe::1", "6to4 of 169.254.169.254"),
            ("2002:c612:1::1", "6to4 of 198.18.0.1"),
            ("2002::1", "6to4 of 0.0.0.0"),
        ];
        for (addr, what) in table {
            assert!(
                forbidden(ip(addr), false),
                "{addr} ({what}) must be refused"
            );
            assert!(
                forbidden(ip(addr), true),
                "{addr} ({what}) must be refused in the sandbox too"
            );
        }
    }

    /// Loopback, in every form: refused unless the sandbox allows it, and
    /// a loopback address hidden in a transition form is refused outright
    /// or treated as loopback.
    #[test]
    fn loopback_in_every_form() {
        for addr in [
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "::ffff:127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::1",
        ] {
            assert!(forbidden(ip(addr), false), "{addr}");
        }
        for addr in ["127.0.0.1", "::1", "::ffff:127.0.0.1"] {
            assert!(!forbidden(ip(addr), true), "{addr} in the sandbox");
        }
    }

    #[test]
    fn globally_routable_addresses_pass() {
        for addr in [
            "93.184.216.34",
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "198.20.0.1",
            "223.255.255.254",
            "2606:2800:220:1::1",
            "2a00:1450:4001::200e",
            "::ffff:93.184.216.34",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(!forbidden(ip(addr), false), "{addr} must pass");
        }
    }

    #[test]
    fn literal_hosts_are_checked_when_the_url_is_set() {
        for url in [
            "https://10.0.0.1/hooks",
            "https://0.0.0.0:8080/",
            "https://198.18.0.1/",
            "https://240.0.0.1/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://[2002:a9fe:a9fe::1]/",
            "https://[::ffff:169.254.169.254]/",
            "https://[::127.0.0.1]/",
            "https://[fe80::1]/",
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0x7f.1/",
        ] {
            assert!(!acceptable(url, false), "{url}");
        }
        assert!(acceptable("https://93.184.216.34/hooks", false));
        assert!(acceptable("https://[2606:2800:220:1::1]/hooks", false));
        assert!(acceptable("https://127.0.0.1:9443/hooks", true));
    }

    /// Every delivery gets a client pinned to the address that was checked,
    /// loopback names included (no unpinned path left for DNS rebinding).
    #[tokio::test]
    async fn deliveries_are_pinned_to_the_checked_address_loopback_included() {
        let (_client, addr) = pin_address("http://localhost:9/hooks", true).await.unwrap();
        assert!(addr.ip().is_loopback() && addr.port() == 9, "{addr}");
        let (_client, addr) = pin_address("http://127.0.0.1:9/hooks", true).await.unwrap();
        assert_eq!(addr, "127.0.0.1:9".parse().unwrap());
        let (_client, addr) = pin_address("https://[::ffff:127.0.0.1]:9/", true)
            .await
            .unwrap();
        assert!(addr.ip().to_string().contains("127.0.0.1"), "{addr}");
        for url in [
            "http://localhost:9/hooks",
            "http://127.0.0.1:9/hooks",
            "https://[::ffff:127.0.0.1]:9/",
            "https://[64:ff9b::7f00:1]:9/",
            "https://0.0.0.0:9/",
        ] {
            assert_eq!(
                pin_address(url, false).await.err(),
                Some("the webhook host resolves to a private address"),
                "{url}"
            );
        }
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
