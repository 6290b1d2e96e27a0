//! AuthenticatePartner (OAuth 2.0 client credentials, RFC 6749 §4.4) and the
//! `deviceId` + `sessionId` check every other method makes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use base64::Engine as _;
use fundline_store::checkcashing as repo;
use fundline_store::tenants::{find_credential, PRODUCT_CHECK_CASHING};
use fundline_vault::{ct_eq, hash_token, random_token};

use super::input::form_pairs;
use super::problem::Problem;
use crate::AppState;

pub const DEVICE_HEADER: &str = "deviceid";
pub const SESSION_HEADER: &str = "sessionid";
const MAX_DEVICE_ID: usize = 200;

/// The partner a request comes from, once its session is checked.
#[derive(Debug, Clone)]
pub struct Partner {
    pub tenant_id: String,
}

/// How often a node writes a session's activity back to the store.
/// Idle expiry is judged on the freshest value any node knows.
const TOUCH_EVERY_MICROS: i64 = 30 * 1_000_000;

#[derive(Clone)]
struct CachedSession {
    row: repo::PartnerSession,
    /// Latest activity this node has seen.
    last_seen: i64,
    /// Latest activity written to the store.
    written: i64,
}

/// Node-local cache of partner sessions, so a call costs no write.
pub struct SessionCache {
    map: moka::sync::Cache<String, CachedSession>,
}

impl Default for SessionCache {
    fn default() -> Self {
        SessionCache {
            map: moka::sync::Cache::new(100_000),
        }
    }
}

impl SessionCache {
    fn get(&self, id_hash: &str) -> Option<CachedSession> {
        self.map.get(id_hash)
    }

    fn put(&self, id_hash: &str, s: CachedSession) {
        self.map.insert(id_hash.to_string(), s);
    }

    fn remove(&self, id_hash: &str) {
        self.map.invalidate(id_hash);
    }
}

/// Client credentials from HTTP Basic, a form body or a JSON body.
struct ClientCredentials {
    id: String,
    secret: String,
}

/// The credentials, from HTTP Basic when the request sends it (the body's
/// then are not used), else from the body. `Err` for a grant type other
/// than client_credentials, wherever the credentials came from.
fn credentials_from(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<ClientCredentials>, &'static str> {
    // The body is read whatever carries the credentials: its grant_type
    // applies to HTTP Basic too (RFC 6749 §4.4.2 sends it in the body).
    let fields = body_fields(headers, body);
    if fields.grant.is_some_and(|g| g != "client_credentials") {
        return Err("UNSUPPORTED_GRANT_TYPE");
    }
    if let Some(basic) = basic_credentials(headers) {
        return Ok(basic);
    }
    Ok(match (fields.id, fields.secret) {
        (Some(id), Some(secret)) => Some(ClientCredentials { id, secret }),
        _ => None,
    })
}

/// What a form or JSON body says of the client and grant.
#[derive(Default)]
struct BodyFields {
    id: Option<String>,
    secret: Option<String>,
    grant: Option<String>,
}

/// The body's fields: form-urlencoded by their OAuth names, JSON by those
/// or their camelCase forms; any other body has none.
fn body_fields(headers: &HeaderMap, body: &[u8]) -> BodyFields {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let mut fields = BodyFields::default();
    if ct == "application/x-www-form-urlencoded" {
        let text = std::str::from_utf8(body).unwrap_or("");
        for (k, v) in form_pairs(text) {
            match k.as_str() {
                "client_id" => fields.id = Some(v),
                "client_secret" => fields.secret = Some(v),
                "grant_type" => fields.grant = Some(v),
                _ => {}
            }
        }
    } else if ct == "application/json" && !body.is_empty() {
        if let Ok(serde_json::Value::Object(m)) =
            serde_json::from_slice::<serde_json::Value>(super::input::without_bom(body))
        {
            let get = |names: &[&str]| {
                names
                    .iter()
                    .find_map(|n| m.get(*n).and_then(|v| v.as_str()).map(str::to_string))
            };
            fields.id = get(&["client_id", "clientId"]);
            fields.secret = get(&["client_secret", "clientSecret"]);
            fields.grant = get(&["grant_type", "grantType"]);
        }
    }
    fields
}

/// HTTP Basic credentials: None when the request sends no Basic
/// authorization, Some(None) when it sends one that does not decode.
fn basic_credentials(headers: &HeaderMap) -> Option<Option<ClientCredentials>> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())?;
    let b64 = crate::extract::credentials(auth, "Basic")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok();
    let text = decoded.and_then(|d| String::from_utf8(d).ok());
    let Some((id, secret)) = text.as_deref().and_then(|t| t.split_once(':')) else {
        return Some(None);
    };
    // RFC 6749 §2.3.1: both parts are form-urlencoded before encoding.
    Some(Some(ClientCredentials {
        id: form_decoded(id),
        secret: form_decoded(secret),
    }))
}

fn form_decoded(s: &str) -> String {
    form_pairs(&format!("x={s}"))
        .pop()
        .map(|p| p.1)
        .unwrap_or_default()
}

/// The `deviceId` header: `Ok(None)` when absent, `Err` when longer than
/// the 200 characters a device id may have (a 400 naming it, not a 401).
fn device_id_checked(headers: &HeaderMap) -> Result<Option<&str>, ()> {
    let Some(d) = headers
        .get(DEVICE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|d| !d.is_empty())
    else {
        return Ok(None);
    };
    if d.chars().count() > MAX_DEVICE_ID {
        return Err(());
    }
    Ok(Some(d))
}

fn device_too_long(path: &str) -> Problem {
    Problem::invalid(
        path,
        "deviceId",
        format!("The deviceId header must be at most {MAX_DEVICE_ID} characters."),
    )
}

pub struct NewSession {
    pub session_id: String,
    pub expires_in_secs: u64,
}

/// Checks the client credentials and opens a session bound to the device.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<NewSession, Problem> {
    const PATH: &str = "/api/v1/partners/authenticate";
    let creds = match credentials_from(headers, body) {
        Ok(c) => c,
        Err(code) => {
            return Err(Problem {
                cause: None,
                error_code: Some(code),
                ..Problem::invalid(
                    PATH,
                    "command.grant_type",
                    "The grant_type must be client_credentials.",
                )
            })
        }
    };
    let Some(device) = device_id_checked(headers).map_err(|()| device_too_long(PATH))? else {
        return Err(Problem::unauthorized(PATH));
    };
    let Some(creds) = creds else {
        return Err(Problem::unauthorized(PATH));
    };
    if creds.id.len() > 200 || creds.secret.len() > 200 {
        return Err(Problem::unauthorized(PATH));
    }
    let presented = hash_token(&creds.secret);
    let stored = find_credential(&state.store, PRODUCT_CHECK_CASHING, &creds.id)
        .await
        .map_err(|e| Problem::from(e).at(PATH))?;
    // Compare against a dummy when the client is unknown so both paths cost
    // the same. During a rotation's overlap the previous secret works too.
    let now = state.clock.now_micros();
    let dummy = hash_token("unknown-client");
    let expected = stored
        .as_ref()
        .map(|s| s.live_hashes(now))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| vec![dummy.as_str()]);
    let matched = expected
        .iter()
        .fold(false, |ok, h| ct_eq(&presented, h) | ok);
    let ok = matched
        && stored
            .as_ref()
            .is_some_and(|s| !s.tenant_sandbox || state.config.sandbox);
    let Some(stored) = stored.filter(|_| ok) else {
        tracing::info!(client_id = %truncate(&creds.id, 64), "partner authentication refused");
        return Err(Problem::unauthorized(PATH));
    };
    let session_id = random_token(32);
    repo::insert_partner_session(
        &state.store,
        hash_token(&session_id),
        stored.tenant_id.clone(),
        hash_token(device),
        now,
    )
    .await
    .map_err(|e| Problem::from(e).at(PATH))?;
    tracing::info!(tenant_id = %stored.tenant_id, "partner session opened");
    Ok(NewSession {
        session_id,
        expires_in_secs: state.config.partner_session_idle.as_secs(),
    })
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).filter(|c| !c.is_control()).collect()
}

impl FromRequestParts<AppState> for Partner {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().to_string();
        let unauthorized = || Problem::unauthorized(&path);
        let device = device_id_checked(&parts.headers)
            .map_err(|()| device_too_long(&path))?
            .ok_or_else(unauthorized)?;
        let sid = parts
            .headers
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 200)
            .ok_or_else(unauthorized)?;
        let id_hash = hash_token(sid);
        let Some(cached) = live_session(state, &id_hash, device, &path).await? else {
            state.sessions.remove(&id_hash);
            return Err(unauthorized());
        };
        let tenant_id = cached.row.tenant_id.clone();
        // A disabled tenant, or a session opened before its credential was
        // revoked, ends here, whatever this node has cached.
        let live = crate::tenancy::admitted(state, &tenant_id)
            .await
            .is_some_and(|a| {
                a.check_cashing_revoked_at
                    .is_none_or(|at| at < cached.row.created_at)
            });
        if !live {
            state.sessions.remove(&id_hash);
            return Err(unauthorized());
        }
        state.sessions.put(&id_hash, cached);
        if let Err(retry) = state
            .limiter
            .check(state.config.rate_limit, &format!("cc:{tenant_id}"))
        {
            return Err(Problem::too_many_requests(&path, retry));
        }
        Ok(Partner { tenant_id })
    }
}

/// The session `id_hash` names, if it is this device's and neither past its
/// maximum age nor idle too long; its last use is now, written through to
/// the store at most every `TOUCH_EVERY_MICROS`.
async fn live_session(
    state: &AppState,
    id_hash: &str,
    device: &str,
    path: &str,
) -> Result<Option<CachedSession>, Problem> {
    let now = state.clock.now_micros();
    let idle = state.config.partner_session_idle.as_micros() as i64;
    let max = state.config.partner_session_max.as_micros() as i64;
    let mut cached = match state.sessions.get(id_hash) {
        Some(c) => c,
        None => match load(state, id_hash, path).await? {
            Some(c) => c,
            None => return Ok(None),
        },
    };
    if !ct_eq(&cached.row.device_hash, &hash_token(device)) || now - cached.row.created_at > max {
        return Ok(None);
    }
    if now - cached.last_seen > idle {
        // Another node may have seen activity this node has not: ask the store.
        match load(state, id_hash, path).await? {
            Some(fresh) if now - fresh.last_seen <= idle => cached = fresh,
            _ => return Ok(None),
        }
    }
    cached.last_seen = cached.last_seen.max(now);
    if now - cached.written >= TOUCH_EVERY_MICROS {
        repo::touch_partner_session(&state.store, id_hash.to_string(), now)
            .await
            .map_err(|e| Problem::from(e).at(path))?;
        cached.written = now;
    }
    Ok(Some(cached))
}

async fn load(
    state: &AppState,
    id_hash: &str,
    path: &str,
) -> Result<Option<CachedSession>, Problem> {
    let row = repo::get_partner_session(&state.store, id_hash)
        .await
        .map_err(|e| Problem::from(e).at(path))?;
    Ok(row.map(|row| CachedSession {
        last_seen: row.last_seen_at,
        written: row.last_seen_at,
        row,
    }))
}
