//! Session management (spec 001): `POST /api/v1/sessions/point-in-time/plugin`
//! stages a one-time capture session and hands out an `authorized_url`.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fundline_core::contact::{normalize_email, UsState};
use fundline_store::gateway as repo;
use fundline_vault::hash_token;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::auth::Gateway;
use super::envelope::{code, GwResponse};
use super::fields::Fields;
use crate::AppState;

pub const PATH: &str = "/api/v1/sessions/point-in-time/plugin";
/// How long an authorized_url may wait to be opened.
pub const URL_TTL: Duration = Duration::from_secs(30);
/// How long an Idempotency-Key stays bound to its session.
pub const IDEMPOTENCY_TTL: Duration = Duration::from_secs(2 * 3600);
pub const IDEMPOTENCY_KEY_MAX: usize = 250;

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Recipient {
    pub first_name: String,
    pub last_name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub city: String,
    pub state: String,
    pub zip_code: String,
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
    pub mobile_number: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SessionRequest {
    pub participant_unique_id1: String,
    pub participant_unique_id2: Option<String>,
    pub host_uri: Option<String>,
    pub recipient_information: Recipient,
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `xxxxx` or `xxxxx-xxxx`.
pub(crate) fn valid_zip(s: &str) -> bool {
    match s.split_once('-') {
        None => digits(s, 5),
        Some((a, b)) => digits(a, 5) && digits(b, 4),
    }
}

/// Every rule of spec 001's table. `email_required`: the tenant pays out by PayPal.
pub fn parse(body: &[u8], email_required: bool) -> Result<SessionRequest, Value> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| json!({"request": ["The request body must be a JSON object."]}))?;
    let Value::Object(obj) = value else {
        return Err(json!({"request": ["The request body must be a JSON object."]}));
    };
    let mut f = Fields::new(&obj, "");
    let uid1 = f.text("participant_unique_id1", true, 100);
    let uid2 = f.text("participant_unique_id2", false, 100);
    let host_uri = f.text("host_uri", false, 200);
    let recipient = f.object("recipient_information").and_then(|r| {
        let mut g = Fields::new(r, &f.prefix_of("recipient_information"));
        let first_name = g.text("first_name", true, 150);
        let last_name = g.text("last_name", true, 150);
        let address_line1 = g.text("address_line1", true, 150);
        let address_line2 = g.text("address_line2", false, 150);
        let city = g.text("city", true, 150);
        let state = g
            .text("state", true, 2)
            .and_then(|s| match UsState::parse(&s) {
                Some(st) => Some(st.code().to_string()),
                None => {
                    g.error("state", "The State field must be a valid US state.");
                    None
                }
            });
        let zip_code = g.text("zip_code", true, 10).and_then(|z| {
            if valid_zip(&z) {
                Some(z)
            } else {
                g.error("zip_code", "The ZipCode field must be xxxxx or xxxxx-xxxx.");
                None
            }
        });
        let email_address =
            g.text("email_address", email_required, 150)
                .and_then(|e| match normalize_email(&e) {
                    Some(n) => Some(n),
                    None => {
                        g.error(
                            "email_address",
                            "The EmailAddress field is not a valid e-mail address.",
                        );
                        None
                    }
                });
        let mut phone = |name: &str, pascal: &str| {
            g.text(name, false, 10).and_then(|p| {
                if digits(&p, 10) {
                    Some(p)
                } else {
                    g.error(name, format!("The {pascal} field must be 10 digits."));
                    None
                }
            })
        };
        let phone_number = phone("phone_number", "PhoneNumber");
        let mobile_number = phone("mobile_number", "MobileNumber");
        let out = (|| {
            Some(Recipient {
                first_name: first_name?,
                last_name: last_name?,
                address_line1: address_line1?,
                address_line2,
                city: city?,
                state: state?,
                zip_code: zip_code?,
                email_address,
                phone_number,
                mobile_number,
            })
        })();
        f.absorb(g);
        out
    });
    if !f.errors.is_empty() {
        return Err(Value::Object(f.errors));
    }
    match (uid1, recipient) {
        (Some(participant_unique_id1), Some(recipient_information)) => Ok(SessionRequest {
            participant_unique_id1,
            participant_unique_id2: uid2,
            host_uri,
            recipient_information,
        }),
        _ => Err(json!({"request": ["The request is not valid."]})),
    }
}

/// `scheme://host[:port]` of a URI, lower-cased; `None` if it is not an
/// http(s) origin (a path other than "/", a query or credentials are refused).
pub fn origin(uri: &str) -> Option<(String, String, Option<u16>)> {
    let u = url::Url::parse(uri).ok()?;
    if !matches!(u.scheme(), "http" | "https") || !u.username().is_empty() || u.password().is_some()
    {
        return None;
    }
    if !(u.path() == "/" || u.path().is_empty()) || u.query().is_some() || u.fragment().is_some() {
        return None;
    }
    Some((
        u.scheme().to_string(),
        u.host_str()?.to_ascii_lowercase(),
        u.port(),
    ))
}

/// The host a session may be framed by: the given one if whitelisted, else
/// (none given) the first whitelisted host. `None`: not allowed.
pub fn resolve_host(given: Option<&str>, allowed: &[String]) -> Option<String> {
    let Some(given) = given else {
        return allowed.first().cloned();
    };
    let (scheme, host, port) = origin(given)?;
    let ok = allowed.iter().any(|a| match origin(a) {
        Some((s, h, p)) => s == scheme && h == host && (p.is_none() || p == port),
        None => false,
    });
    ok.then(|| match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

struct Issued {
    url: String,
    expires_utc: String,
    row: repo::SessionUrl,
}

/// A signed URL: `t` is the expiry in microseconds followed by six random
/// digits (so every URL differs), `h` the tenant-keyed HMAC-SHA256 of the
/// session id and `t`. The page checks `h` before anything else, and the
/// store records each URL so it opens once.
async fn issue_url(
    state: &AppState,
    tenant_id: &str,
    session_id: &str,
) -> Result<Issued, fundline_store::StoreError> {
    let keys = state.keyring.tenant(&state.store, tenant_id).await?;
    let expires = state.clock.now() + chrono::Duration::from_std(URL_TTL).unwrap_or_default();
    let t = format!(
        "{}{:06}",
        expires.timestamp_micros(),
        rand::random::<u32>() % 1_000_000
    );
    let h = url_signature(&keys, session_id, &t);
    Ok(Issued {
        url: format!(
            "{}/session/{session_id}?t={t}&h={h}",
            state.config.public_url
        ),
        expires_utc: expires.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        row: repo::SessionUrl {
            url_hash: url_hash(session_id, &t, &h),
            expires_at: expires.timestamp_micros(),
        },
    })
}

/// The URL's signature under the tenant's newest URL-signing key (version 0,
/// for tenants without one yet, is the fingerprint-key derivation used
/// before URL keys were separate).
pub fn url_signature(keys: &fundline_vault::TenantKeys, session_id: &str, t: &str) -> String {
    let version = keys.signing_version(fundline_vault::URL);
    keys.sign(
        fundline_vault::URL,
        version,
        "session-url",
        &format!("{session_id}|{t}"),
    )
    .unwrap_or_default()
}

/// Whether `h` signs (session, t) under a URL-signing key version still
/// live at `now` (µs): the newest, or one replaced less than a URL lifetime
/// (plus the nodes' key cache lifetime) ago.
pub fn url_signature_valid(
    keys: &fundline_vault::TenantKeys,
    session_id: &str,
    t: &str,
    h: &str,
    now: i64,
) -> bool {
    let overlap = (URL_TTL + fundline_store::keyring::CACHE_TTL).as_micros() as i64;
    let message = format!("{session_id}|{t}");
    keys.live_signing_versions(fundline_vault::URL, now, overlap)
        .into_iter()
        .filter_map(|v| keys.sign(fundline_vault::URL, v, "session-url", &message))
        .fold(false, |ok, sig| fundline_vault::ct_eq(h, &sig) | ok)
}

/// The expiry (µs) a URL's `t` carries.
pub fn url_expiry(t: &str) -> Option<i64> {
    if t.len() <= 6 || t.len() > 26 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t[..t.len() - 6].parse().ok()
}

/// What the store keeps of an issued URL: never the URL itself.
pub fn url_hash(session_id: &str, t: &str, h: &str) -> String {
    hash_token(&format!("{session_id}|{t}|{h}"))
}

fn request_hash(req: &SessionRequest, host: &str) -> String {
    let canonical = json!({"request": req, "host": host}).to_string();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

fn answer(
    status: i64,
    message: &str,
    session: &str,
    issued: &Issued,
    req: &SessionRequest,
    gw: &Gateway,
) -> Response {
    GwResponse::ok(
        status,
        message,
        json!({
            "session_identifier": session,
            "authorized_url": issued.url,
            "authorized_url_expiration_utc": issued.expires_utc,
            "participant_unique_id1": req.participant_unique_id1,
            "participant_unique_id2": req.participant_unique_id2.clone().unwrap_or_default(),
        }),
        gw.started,
    )
    .into_response()
}

/// The request's Idempotency-Key (1 to 250 printable characters), if it
/// sent one; a malformed key is a 13400.
pub(crate) fn idempotency_key(gw: &Gateway) -> Result<Option<String>, Response> {
    match gw.headers.get("idempotency-key").map(|v| v.to_str()) {
        None => Ok(None),
        Some(Ok(k))
            if !k.trim().is_empty()
                && k.trim().chars().count() <= IDEMPOTENCY_KEY_MAX
                && !k.chars().any(char::is_control) =>
        {
            Ok(Some(k.trim().to_string()))
        }
        Some(_) => Err(GwResponse::validation(
            json!({"Idempotency-Key": [format!("The Idempotency-Key header must be 1 to {IDEMPOTENCY_KEY_MAX} printable characters.")]}),
            gw.started,
        )
        .into_response()),
    }
}

pub(crate) fn mismatch(key: &str, gw: &Gateway) -> Response {
    GwResponse::error(
        StatusCode::UNPROCESSABLE_ENTITY,
        code::IDEMPOTENCY_MISMATCH,
        format!(
            "Idempotency Key {key} for ParticipantId {} does not match the original request",
            gw.participant_id
        ),
        "invalid_idempotent_request",
        gw.started,
    )
    .into_response()
}

/// The replay of a key: the same request gets its session and a fresh URL.
async fn replay(
    state: &AppState,
    gw: &Gateway,
    req: &SessionRequest,
    key: &str,
    hash: &str,
    found: (String, String),
) -> Response {
    let (stored_hash, session_id) = found;
    if stored_hash != hash {
        return mismatch(key, gw);
    }
    let issued = match issue_url(state, &gw.tenant_id, &session_id).await {
        Ok(i) => i,
        Err(e) => return GwResponse::from((e, gw.started)).into_response(),
    };
    if let Err(e) =
        repo::add_session_url(&state.store, session_id.clone(), issued.row.clone()).await
    {
        return GwResponse::from((e, gw.started)).into_response();
    }
    answer(
        code::IDEMPOTENT,
        "Success - Idempotent",
        &session_id,
        &issued,
        req,
        gw,
    )
}

/// Spec 001's request body, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct SessionRequestDoc {
    #[schema(max_length = 100)]
    participant_unique_id1: String,
    #[schema(max_length = 100)]
    participant_unique_id2: Option<String>,
    /// Must be on the tenant's whitelist; defaults to its first entry.
    #[schema(max_length = 200)]
    host_uri: Option<String>,
    recipient_information: RecipientDoc,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct RecipientDoc {
    #[schema(max_length = 150)]
    first_name: String,
    #[schema(max_length = 150)]
    last_name: String,
    #[schema(max_length = 150)]
    address_line1: String,
    #[schema(max_length = 150)]
    address_line2: Option<String>,
    #[schema(max_length = 150)]
    city: String,
    #[schema(min_length = 2, max_length = 2)]
    state: String,
    /// xxxxx or xxxxx-xxxx
    #[schema(max_length = 10)]
    zip_code: String,
    #[schema(max_length = 150)]
    email_address: Option<String>,
    #[schema(max_length = 10)]
    phone_number: Option<String>,
    #[schema(max_length = 10)]
    mobile_number: Option<String>,
}

/// The gateway envelope, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct GatewayEnvelopeDoc {
    status: i64,
    client_message: String,
    developer_message: Option<String>,
    data: Option<serde_json::Value>,
    /// Seconds spent on the request: a number with one decimal under
    /// `/api/v1/sessions` (spec 001's samples), a string with four under
    /// `/gateway/` (spec 002's, e.g. "1.0263").
    time: serde_json::Value,
}

#[utoipa::path(post, path = "/api/v1/sessions/point-in-time/plugin", tag = "Capture sessions",
    description = "Stage a one-time capture session (spec 001). HMAC-signed (docs/gateway.md). With an Idempotency-Key, the same parameters within 2 hours answer 101 with the same session and a fresh authorized_url; other parameters answer 13723.",
    request_body = SessionRequestDoc,
    params(("Authorization" = String, Header, description = "hmac username=…, algorithm=…, headers=…, signature=…"),
        ("X-Date" = String, Header), ("Content-sha512" = String, Header),
        ("Idempotency-Key" = Option<String>, Header, description = "Up to 250 characters")),
    responses((status = 200, body = GatewayEnvelopeDoc, description = "status 100 or 101"),
        (status = 400, body = GatewayEnvelopeDoc, description = "status 13400"),
        (status = 401, body = GatewayEnvelopeDoc, description = "status 13401"),
        (status = 422, body = GatewayEnvelopeDoc, description = "status 13723")))]
pub async fn create(State(state): State<AppState>, gw: Gateway) -> Response {
    let started = gw.started;
    let key = match idempotency_key(&gw) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let paypal = super::settings::load(&state, &gw.tenant_id)
        .await
        .paypal_enabled;
    let req = match parse(&gw.body, paypal) {
        Ok(r) => r,
        Err(data) => return GwResponse::validation(data, started).into_response(),
    };
    let allowed = match repo::allowed_hosts(&state.store, &gw.tenant_id).await {
        Ok(a) => a,
        Err(e) => return GwResponse::from((e, started)).into_response(),
    };
    let Some(host) = resolve_host(req.host_uri.as_deref(), &allowed) else {
        tracing::info!(tenant_id = %gw.tenant_id, "session refused: host_uri not whitelisted");
        return GwResponse::unauthorized("host_uri_not_allowed", started).into_response();
    };
    let now = state.clock.now_micros();
    let since = now - IDEMPOTENCY_TTL.as_micros() as i64;
    let hash = request_hash(&req, &host);
    if let Some(k) = &key {
        match repo::find_idempotency_key(&state.store, &gw.tenant_id, k, since).await {
            Ok(Some(found)) => return replay(&state, &gw, &req, k, &hash, found).await,
            Ok(None) => {}
            Err(e) => return GwResponse::from((e, started)).into_response(),
        }
    }
    let session_id = uuid::Uuid::new_v4().to_string();
    let issued = match issue_url(&state, &gw.tenant_id, &session_id).await {
        Ok(i) => i,
        Err(e) => return GwResponse::from((e, started)).into_response(),
    };
    let session = repo::Session {
        id: session_id.clone(),
        tenant_id: gw.tenant_id.clone(),
        participant_unique_id1: req.participant_unique_id1.clone(),
        participant_unique_id2: req.participant_unique_id2.clone().unwrap_or_default(),
        host_uri: host,
        recipient_json: serde_json::to_string(&req.recipient_information).unwrap_or_default(),
        status: repo::SESSION_ACTIVE.into(),
        attempts: 0,
        created_at: now,
        updated_at: now,
    };
    let created = repo::create_session(
        &state.store,
        session,
        key.clone().map(|k| (k, hash.clone())),
        since,
        issued.row.clone(),
    )
    .await;
    match (created, &key) {
        (Ok(repo::CreateSession::Created), _) => {
            answer(code::SUCCESS, "Success", &session_id, &issued, &req, &gw)
        }
        // A concurrent request with the same key won: answer as its replay.
        (Ok(repo::CreateSession::KeyTaken), Some(k)) => {
            match repo::find_idempotency_key(&state.store, &gw.tenant_id, k, since).await {
                Ok(Some(found)) => replay(&state, &gw, &req, k, &hash, found).await,
                Ok(None) => GwResponse::unavailable(started).into_response(),
                Err(e) => GwResponse::from((e, started)).into_response(),
            }
        }
        // Only a key can be taken.
        (Ok(repo::CreateSession::KeyTaken), None) => {
            GwResponse::unavailable(started).into_response()
        }
        (Err(e), _) => GwResponse::from((e, started)).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_resolve_against_the_whitelist() {
        let allowed = vec![
            "http://127.0.0.1".to_string(),
            "https://pay.example.com:8443".to_string(),
        ];
        assert_eq!(
            resolve_host(None, &allowed).as_deref(),
            Some("http://127.0.0.1")
        );
        assert_eq!(
            resolve_host(Some("http://127.0.0.1:5173"), &allowed).as_deref(),
            Some("http://127.0.0.1:5173")
        );
        assert_eq!(
            resolve_host(Some("HTTP://127.0.0.1/"), &allowed).as_deref(),
            Some("http://127.0.0.1")
        );
        assert_eq!(
            resolve_host(Some("https://pay.example.com:8443"), &allowed).as_deref(),
            Some("https://pay.example.com:8443")
        );
        for bad in [
            "https://pay.example.com",
            "https://127.0.0.1",
            "http://127.0.0.1/path",
            "javascript:alert(1)",
            "http://evil.com@127.0.0.1",
            "nonsense",
        ] {
            assert_eq!(resolve_host(Some(bad), &allowed), None, "{bad}");
        }
        assert_eq!(resolve_host(None, &[]), None);
    }

    #[test]
    fn the_spec_sample_parses_and_rules_apply() {
        let sample = br#"{"participant_unique_id1":"ABC-1234-123545663","participant_unique_id2":"DEF-5678","host_uri":"https://digitalpay.ingo.money","recipient_information":{"first_name":"Jack","last_name":"Frost","address_line1":"123 Main St","address_line2":"","city":"Atlanta","state":"GA","zip_code":"30313","email_address":"jack@example.com","phone_number":"1231231234","mobile_number":"1231231234"}}"#;
        let r = parse(sample, false).unwrap();
        assert_eq!(r.recipient_information.address_line2, None);
        let err = parse(
            br#"{"recipient_information":{"state":"XX","zip_code":"3031","phone_number":"12-34"}}"#,
            true,
        )
        .unwrap_err();
        assert_eq!(
            err["participant_unique_id1"][0],
            "The ParticipantUniqueId1 field is required."
        );
        assert_eq!(
            err["recipient_information.first_name"][0],
            "The FirstName field is required."
        );
        assert_eq!(
            err["recipient_information.state"][0],
            "The State field must be a valid US state."
        );
        assert_eq!(
            err["recipient_information.zip_code"][0],
            "The ZipCode field must be xxxxx or xxxxx-xxxx."
        );
        assert_eq!(
            err["recipient_information.email_address"][0],
            "The EmailAddress field is required."
        );
        assert_eq!(
            err["recipient_information.phone_number"][0],
            "The PhoneNumber field must be 10 digits."
        );
        assert!(parse(b"[]", false).is_err());
        assert!(parse(b"{", false).is_err());
    }
}
