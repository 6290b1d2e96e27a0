//! Staff authentication: a 15-minute HS256 access token and a rotating
//! refresh token (a reused refresh token revokes its whole family), logout,
//! status, password change; logins throttled by attempt slots taken in the
//! store before the password is checked; password hashing under a cap.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fundline_store::staff::{self, AttemptRules};
use fundline_vault::{hash_password, password_problem};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::AppState;

pub const ACCESS_TTL_SECS: i64 = 15 * 60;
/// A session unused this long (no refresh) ends: log in again (PCI DSS 8.2.8).
pub const SESSION_IDLE_MICROS: i64 = 15 * 60 * 1_000_000;
/// Login attempts are counted over this window…
pub const FAILURE_WINDOW_MICROS: i64 = 15 * 60 * 1_000_000;
/// …an account gets this many evaluated…
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
/// …a client address this many…
pub const MAX_ADDRESS_FAILURES: i64 = 20;
/// …then it is locked this long (PCI DSS 8.3.4: at least 30 minutes).
pub const LOCKOUT_MICROS: i64 = 30 * 60 * 1_000_000;

pub(super) const RULES: AttemptRules = AttemptRules {
    window: FAILURE_WINDOW_MICROS,
    lock: LOCKOUT_MICROS,
};

/// Settings of staff authentication (docs/configuration.md).
#[derive(Debug, Clone)]
pub struct StaffAuthConfig {
    /// Password hashes (argon2id, 19 MiB each) running at once.
    pub hash_concurrency: usize,
    /// How long a login waits for a hashing slot before a 429.
    pub hash_wait: Duration,
    /// A session ends this long after its login, used or not.
    pub session_max: Duration,
    /// Peers whose `X-Forwarded-For` names the client (empty: trust none).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl StaffAuthConfig {
    /// A list of trusted proxies: addresses or CIDR networks, comma or
    /// space separated.
    pub fn parse_proxies(list: &str) -> Result<Vec<ipnet::IpNet>, String> {
        list.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map(|n| n.trunc())
                    .map_err(|_| format!("{p:?} is not an IP address or CIDR network"))
            })
            .collect()
    }

    /// Twice the cores this process may use.
    pub fn default_hash_concurrency() -> usize {
        std::thread::available_parallelism()
            .map(|n| n.get() * 2)
            .unwrap_or(4)
    }
}

impl Default for StaffAuthConfig {
    fn default() -> Self {
        StaffAuthConfig {
            hash_concurrency: Self::default_hash_concurrency(),
            hash_wait: Duration::from_secs(2),
            session_max: Duration::from_secs(12 * 3600),
            trusted_proxies: Vec::new(),
        }
    }
}

use super::envelope::ok;
pub use super::envelope::{access_denied, envelope};
use super::error::{AnalysisError, Result};
use super::sessions;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    tid: String,
    role: String,
    /// The session: the refresh-token family, revoked by logout or reuse.
    sid: String,
    iat: i64,
    exp: i64,
    jti: String,
}

/// The key id of a tenant's JWT signing key version: "<tenant>.<version>";
/// a bare tenant id names version 0 (the key derived from the fingerprint
/// key, used before signing keys were separate).
fn jwt_kid(tenant_id: &str, version: i64) -> String {
    format!("{tenant_id}.{version}")
}

/// A tenant's newest JWT signing key (its own versioned key, `admin keys
/// rotate --key jwt`), with its key id.
pub(crate) async fn signing_key(
    state: &AppState,
    tenant_id: &str,
) -> Result<(String, Vec<u8>), fundline_store::StoreError> {
    let keys = state.keyring.tenant(&state.store, tenant_id).await?;
    let version = keys.signing_version(fundline_vault::JWT);
    let key = keys
        .signing_key(fundline_vault::JWT, version, "staff-jwt-v1")
        .ok_or_else(|| fundline_store::StoreError::Vault("no JWT signing key".into()))?;
    Ok((jwt_kid(tenant_id, version), key.to_vec()))
}

/// The tenant and key a token's key id names, if that version still
/// verifies: the newest, or an older one until every token it signed has
/// expired (the access-token lifetime plus the nodes' key cache lifetime
/// after the rotation that replaced it).
async fn verifying_key(state: &AppState, kid: &str) -> Option<(String, Vec<u8>)> {
    let (tenant, version) = match kid.split_once('.') {
        Some((t, v)) if v.bytes().all(|b| b.is_ascii_digit()) && !v.is_empty() && v.len() < 10 => {
            (t, v.parse::<i64>().ok()?)
        }
        Some(_) => return None,
        None => (kid, 0),
    };
    uuid::Uuid::parse_str(tenant).ok()?;
    let mut keys = state.keyring.tenant(&state.store, tenant).await.ok()?;
    if version > keys.signing_version(fundline_vault::JWT) {
        // Signed by a node that saw a rotation this one has not yet.
        keys = state.keyring.fresh(&state.store, tenant).await.ok()?;
    }
    let overlap =
        (ACCESS_TTL_SECS * 1_000_000) + fundline_store::keyring::CACHE_TTL.as_micros() as i64;
    if !keys
        .live_signing_versions(fundline_vault::JWT, state.clock.now_micros(), overlap)
        .contains(&version)
    {
        return None;
    }
    let key = keys.signing_key(fundline_vault::JWT, version, "staff-jwt-v1")?;
    Some((tenant.to_string(), key.to_vec()))
}

/// An access token of the session `family`; it never outlives the session
/// (`session_end`, micros).
pub(super) async fn issue(
    state: &AppState,
    user: &staff::User,
    family: &str,
    session_end: i64,
) -> Result<String, fundline_store::StoreError> {
    let now = state.clock.now().timestamp();
    let end = session_end.div_euclid(1_000_000);
    let claims = Claims {
        sub: user.id.clone(),
        tid: user.tenant_id.clone(),
        role: user.role.clone(),
        sid: family.to_string(),
        iat: now,
        exp: (now + ACCESS_TTL_SECS).min(end),
        jti: uuid::Uuid::new_v4().to_string(),
    };
    let (kid, key) = signing_key(state, &user.tenant_id).await?;
    let header = Header {
        kid: Some(kid),
        ..Header::new(Algorithm::HS256)
    };
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&key))
        .map_err(|e| fundline_store::StoreError::Config(format!("token signing failed: {e}")))
}

fn body_json(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .filter(Value::is_object)
}

/// The rules of a login body: the e-mail (lower-cased) and the password, or
/// every failed rule in order.
pub fn login_body(bytes: &[u8]) -> Result<(String, String), Vec<&'static str>> {
    let Some(body) = body_json(bytes) else {
        return Err(vec!["The request body must be a JSON object."]);
    };
    let email = body["email"]
        .as_str()
        .map(str::trim)
        .unwrap_or("")
        .to_lowercase();
    let password = body["password"].as_str().unwrap_or("").to_string();
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push("Email is required.");
    } else if fundline_core::contact::normalize_email(&email).is_none() || email.len() > 254 {
        errors.push("Invalid email format.");
    }
    if password.is_empty() {
        errors.push("Password is required.");
    } else if password.len() > 256 {
        errors.push("Password must not exceed 256 characters.");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((email, password))
}

/// The rule of a refresh body: the refresh token, or the failed rule.
pub fn refresh_body(bytes: &[u8]) -> Result<String, Vec<&'static str>> {
    let Some(body) = body_json(bytes) else {
        return Err(vec!["The request body must be a JSON object."]);
    };
    let Some(token) = body["refreshToken"]
        .as_str()
        .filter(|t| !t.is_empty() && t.len() <= 200)
    else {
        return Err(vec!["Refresh token is required."]);
    };
    Ok(token.to_string())
}

/// The client's address for throttling and the audit trail: the peer, or,
/// when the peer is a trusted proxy, the right-most `X-Forwarded-For` entry
/// that is not itself a trusted proxy (entries further left are whatever
/// the client chose to send).
pub fn client_address(
    peer: Option<IpAddr>,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> String {
    // A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d.
    let Some(mut ip) = peer.map(|p| p.to_canonical()) else {
        return "unknown".into();
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&ip) {
        return ip.to_string();
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>().map(|h| h.to_canonical()) {
            Ok(h) => {
                ip = h;
                if !is_trusted(&h) {
                    break;
                }
            }
            // A malformed hop: stop at the last address we could trust.
            Err(_) => break,
        }
    }
    ip.to_string()
}

pub(crate) fn request_address(
    state: &AppState,
    parts_or_req: &axum::http::request::Parts,
) -> String {
    let peer = parts_or_req
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    client_address(
        peer,
        &parts_or_req.headers,
        &state.config.staff_auth.trusted_proxies,
    )
}

/// Every hashing slot stayed taken for the whole wait.
pub struct HashingBusy;

/// Runs a password hash or verification on the blocking pool under the
/// node's hashing cap, waiting at most `hash_wait` for a slot. The slot is
/// held until the hash ends, even if the request is dropped meanwhile, so
/// no more than the cap ever run (each argon2id takes 19 MiB).
pub(crate) async fn hashing<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashingBusy> {
    let permit = tokio::time::timeout(
        state.config.staff_auth.hash_wait,
        state.hashing.clone().acquire_owned(),
    )
    .await
    .map_err(|_| HashingBusy)?
    .map_err(|_| HashingBusy)?;
    tokio::task::spawn_blocking(move || {
        let out = work();
        drop(permit);
        out
    })
    .await
    .map_err(|_| HashingBusy)
}

/// An argon2id hash of a new password, under the hashing cap.
pub(crate) async fn hash_new_password(
    state: &AppState,
    password: String,
) -> Result<String, HashingBusy> {
    hashing(state, move || hash_password(&password)).await
}

/// POST /api/v1/auth/login
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "Bank analysis",
    description = "Staff login: a 15-minute JWT access token and a rotating refresh token (15 minutes idle, 12 hours at most by default). Five attempts per account and twenty per client address in 15 minutes, then locked for 30 minutes (429 with Retry-After).",
    request_body = crate::analysis::requests::LoginRequest,
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json"),
        (status = 401, content_type = "application/json", description = "Invalid email or password."), (status = 429, content_type = "application/json")))]
pub async fn login(State(state): State<AppState>, req: Request) -> Result<Response> {
    let (address, bytes) = client_and_body(&state, req).await?;
    let (email, password) = login_body(&bytes).map_err(AnalysisError::invalid)?;
    let t = sessions::login(&state, &address, &email, password).await?;
    Ok(ok("Login successful", tokens(&t)))
}

/// The client's address and the body, at most `max_body_bytes` of it.
async fn client_and_body(state: &AppState, req: Request) -> Result<(String, axum::body::Bytes)> {
    let (parts, body) = req.into_parts();
    let address = request_address(state, &parts);
    let bytes = axum::body::to_bytes(body, state.config.max_body_bytes)
        .await
        .map_err(|_| AnalysisError::invalid(["The request body is too large."]))?;
    Ok((address, bytes))
}

fn tokens(t: &sessions::Tokens) -> Value {
    json!({"accessToken": t.access, "refreshToken": t.refresh})
}

pub(super) fn session_max_micros(state: &AppState) -> i64 {
    i64::try_from(state.config.staff_auth.session_max.as_micros()).unwrap_or(i64::MAX / 4)
}

/// POST /api/v1/auth/refresh: a new access token and a new refresh token;
/// the old refresh token is spent (presenting it again revokes the family).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "Bank analysis",
    description = "Exchange a refresh token for new tokens; a reused refresh token revokes its whole session. A refresh token unused for 15 minutes, or a session older than its absolute limit (12 hours by default), is refused: log in again.",
    request_body = crate::analysis::requests::RefreshRequest,
    responses(crate::analysis::requests::Answered))]
pub async fn refresh(State(state): State<AppState>, body: axum::body::Bytes) -> Result<Response> {
    let token = refresh_body(&body).map_err(AnalysisError::invalid)?;
    let t = sessions::refresh(&state, &token).await?;
    Ok(ok("Token refreshed successfully.", tokens(&t)))
}

/// A staff member with a valid access token of a live session.
pub struct Staff {
    pub user_id: String,
    pub tenant_id: String,
    pub role: String,
    pub session: String,
}

pub struct Denied;

impl From<Denied> for AnalysisError {
    fn from(_: Denied) -> AnalysisError {
        AnalysisError::denied()
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AnalysisError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let staff = authenticate(parts, state).await?;
        if let Err(retry) = state
            .limiter
            .check(state.config.rate_limit, &format!("ba:{}", staff.user_id))
        {
            return Err(AnalysisError::TooMany {
                message: "Too many requests.",
                error: format!("Too many requests. Try again in {retry} s."),
                retry_after: retry,
            });
        }
        Ok(staff)
    }
}

/// The bearer token's staff member, if the token and its session are good.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Staff, Denied> {
    let token = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| crate::extract::credentials(v, "Bearer"))
        .ok_or(Denied)?;
    staff_of_token(state, token).await.map(|(who, _)| who)
}

/// An access token's staff member and the token's expiry (seconds), if
/// the token and its session are good: the API's bearer check, and the
/// console's for the token its cookie carries.
pub(crate) async fn staff_of_token(state: &AppState, token: &str) -> Result<(Staff, i64), Denied> {
    {
        let token = Some(token.trim())
            .filter(|t| !t.is_empty() && t.len() < 4096)
            .ok_or(Denied)?;
        let header = jsonwebtoken::decode_header(token).map_err(|_| Denied)?;
        if header.alg != Algorithm::HS256 {
            return Err(Denied);
        }
        let (tenant, key) = verifying_key(state, header.kid.as_deref().ok_or(Denied)?)
            .await
            .ok_or(Denied)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_exp = false;
        let data =
            jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(&key), &validation)
                .map_err(|_| Denied)?;
        let c = data.claims;
        // Expiry against our clock (tests move it).
        if c.tid != tenant || c.exp <= state.clock.now().timestamp() {
            return Err(Denied);
        }
        // A disabled tenant's sessions end at once.
        if !crate::tenancy::tenant_active(state, &c.tid).await {
            return Err(Denied);
        }
        // Logout, refresh-token reuse and deactivation end a session at once.
        if !staff::session_live(&state.store, &c.sid, &c.sub)
            .await
            .map_err(|_| Denied)?
        {
            return Err(Denied);
        }
        Ok((
            Staff {
                user_id: c.sub,
                tenant_id: c.tid,
                role: c.role,
                session: c.sid,
            },
            c.exp,
        ))
    }
}

/// POST /api/v1/auth/logout: ends the session; its tokens stop working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "Bank analysis",
    description = "End the session (Bearer): its access and refresh tokens stop working.",
    params(("Authorization" = String, Header, description = "Bearer <accessToken>")),
    request_body = crate::analysis::requests::RefreshRequest,
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json", description = "Refresh token is required."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn logout(
    State(state): State<AppState>,
    who: Staff,
    body: axum::body::Bytes,
) -> Result<Response> {
    let given = body_json(&body).and_then(|b| b["refreshToken"].as_str().map(str::to_string));
    if given.as_deref().unwrap_or("").is_empty() {
        return Err(AnalysisError::invalid(["Refresh token is required."]));
    }
    staff::revoke_family(&state.store, who.session.clone(), state.clock.now_micros()).await?;
    Ok((
        StatusCode::OK,
        axum::Json(json!({"success": true, "message": "Logout successful."})),
    )
        .into_response())
}

/// GET /api/v1/auth/status
#[utoipa::path(get, path = "/api/v1/auth/status", tag = "Bank analysis",
    description = "The current staff user (Bearer).",
    params(("Authorization" = String, Header, description = "Bearer <accessToken>")),
    responses((status = 200, content_type = "application/json"), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn status(State(state): State<AppState>, who: Staff) -> Result<Response> {
    let u = staff::user(&state.store, &who.tenant_id, &who.user_id)
        .await?
        .ok_or_else(AnalysisError::denied)?;
    Ok(ok(
        "Status fetched successfully.",
        json!({"userId": u.id, "email": u.email, "firstName": u.first_name, "lastName": u.last_name, "role": who.role}),
    ))
}

/// The rules of a change-password body: the current and the new password,
/// or every failed rule in order.
pub fn change_password_body(bytes: &[u8]) -> Result<(String, String), Vec<&'static str>> {
    let Some(body) = body_json(bytes) else {
        return Err(vec!["The request body must be a JSON object."]);
    };
    let current = body["currentPassword"].as_str().unwrap_or("").to_string();
    let new = body["newPassword"].as_str().unwrap_or("").to_string();
    let mut errors = Vec::new();
    if current.is_empty() {
        errors.push("Current password is required.");
    } else if current.len() > 256 {
        errors.push("Current password must not exceed 256 characters.");
    }
    if new.is_empty() {
        errors.push("New password is required.");
    } else if let Some(problem) = password_problem(&new) {
        errors.push(problem);
    } else if new == current {
        errors.push("New password must differ from the current password.");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((current, new))
}

/// POST /api/v1/auth/change-password: the signed-in user changes their own
/// password; every other session of the user ends.
#[utoipa::path(post, path = "/api/v1/auth/change-password", tag = "Bank analysis",
    description = "Change your own password (Bearer): the current password is checked (throttled like logins), the new one must have at least 12 characters and not be a common password. Every other session of yours ends; this one stays.",
    params(("Authorization" = String, Header, description = "Bearer <accessToken>")),
    request_body = crate::analysis::requests::ChangePasswordRequest,
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json"),
        (status = 401, content_type = "application/json", description = "Access Denied"), (status = 429, content_type = "application/json")))]
pub async fn change_password(
    State(state): State<AppState>,
    who: Staff,
    req: Request,
) -> Result<Response> {
    let (address, bytes) = client_and_body(&state, req).await?;
    let (current, new) = change_password_body(&bytes).map_err(AnalysisError::invalid)?;
    sessions::change_password(&state, &who, &address, current, new).await?;
    Ok(ok("Password changed successfully.", Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_counts_only_from_trusted_proxies() {
        let proxies = StaffAuthConfig::parse_proxies("10.0.0.0/8, 192.0.2.1 ::1").unwrap();
        assert_eq!(proxies.len(), 3);
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let cases: &[(&str, &[&str], &str)] = &[
            // An untrusted peer: its header is ignored.
            ("203.0.113.9", &["198.51.100.1"], "203.0.113.9"),
            // A trusted peer: the right-most hop that is not a proxy.
            ("10.1.2.3", &["198.51.100.1"], "198.51.100.1"),
            (
                "10.1.2.3",
                &["6.6.6.6, 198.51.100.1, 10.9.9.9"],
                "198.51.100.1",
            ),
            ("10.1.2.3", &["6.6.6.6", "198.51.100.1"], "198.51.100.1"),
            ("::1", &["2001:db8::7"], "2001:db8::7"),
            ("::ffff:10.1.2.3", &["::ffff:198.51.100.1"], "198.51.100.1"),
            // No header, or garbage: the last address we could trust.
            ("10.1.2.3", &[], "10.1.2.3"),
            ("10.1.2.3", &["not-an-address"], "10.1.2.3"),
            ("10.1.2.3", &["198.51.100.1, junk"], "10.1.2.3"),
            // Every hop a proxy: the left-most.
            ("10.1.2.3", &["10.4.4.4, 192.0.2.1"], "10.4.4.4"),
        ];
        for (peer, xff, want) in cases {
            assert_eq!(
                client_address(ip(peer), &headers(xff), &proxies),
                *want,
                "{peer} {xff:?}"
            );
        }
        // Default: trust nobody.
        assert_eq!(
            client_address(ip("10.1.2.3"), &headers(&["198.51.100.1"]), &[]),
            "10.1.2.3"
        );
        assert_eq!(client_address(None, &headers(&[]), &proxies), "unknown");
        assert!(StaffAuthConfig::parse_proxies("10.0.0.0/33").is_err());
        assert!(StaffAuthConfig::parse_proxies("example.com").is_err());
        assert!(StaffAuthConfig::parse_proxies("").unwrap().is_empty());
    }

    #[test]
    fn change_password_rules() {
        let body = |v: Value| change_password_body(v.to_string().as_bytes());
        assert_eq!(
            body(json!({})),
            Err(vec![
                "Current password is required.",
                "New password is required."
            ])
        );
        assert_eq!(
            body(json!({"currentPassword": "old-one-here-1", "newPassword": "old-one-here-1"})),
            Err(vec!["New password must differ from the current password."])
        );
        assert_eq!(
            body(json!({"currentPassword": "x", "newPassword": "iloveyou1234"})),
            Err(vec!["Password is too common or too easy to guess."])
        );
        assert!(body(json!({"currentPassword": "x", "newPassword": "a fresh passphrase"})).is_ok());
        assert!(change_password_body(b"[]").is_err());
    }
}
