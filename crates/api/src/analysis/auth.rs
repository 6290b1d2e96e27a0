//! Staff authentication: a 15-minute HS256 access token and a rotating
//! refresh token (a reused refresh token revokes its whole family), logout,
//! status, throttled logins.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fundline_store::staff::{self, Rotation};
use fundline_vault::{dummy_password_hash, hash_token, random_token, verify_password};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::AppState;

pub const ACCESS_TTL_SECS: i64 = 15 * 60;
pub const REFRESH_TTL_MICROS: i64 = 30 * 24 * 3600 * 1_000_000;
/// Failed logins counted over this window…
pub const FAILURE_WINDOW_MICROS: i64 = 15 * 60 * 1_000_000;
/// …lock an account after this many…
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
/// …and a client address after this many.
pub const MAX_ADDRESS_FAILURES: i64 = 20;

pub use super::envelope::{access_denied, envelope};
use super::envelope::{invalid, unavailable};

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
async fn signing_key(
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

async fn issue(
    state: &AppState,
    user: &staff::User,
    family: &str,
) -> Result<String, fundline_store::StoreError> {
    let now = state.clock.now().timestamp();
    let claims = Claims {
        sub: user.id.clone(),
        tid: user.tenant_id.clone(),
        role: user.role.clone(),
        sid: family.to_string(),
        iat: now,
        exp: now + ACCESS_TTL_SECS,
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

fn client_address(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// POST /api/v1/auth/login
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "Bank analysis",
    description = "Staff login: a 15-minute JWT access token and a rotating refresh token. Throttled per account and per client address (429).",
    request_body(content = serde_json::Value, description = "{email, password}"),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json"),
        (status = 401, content_type = "application/json", description = "Invalid email or password."), (status = 429, content_type = "application/json")))]
pub async fn login(State(state): State<AppState>, req: Request) -> Response {
    let address = client_address(&req);
    let Ok(bytes) = axum::body::to_bytes(req.into_body(), state.config.max_body_bytes).await else {
        return invalid(&["The request body is too large."]);
    };
    let (email, password) = match login_body(&bytes) {
        Ok(v) => v,
        Err(errors) => return invalid(&errors),
    };
    let now = state.clock.now_micros();
    let (acct, addr) = (format!("acct:{email}"), format!("ip:{address}"));
    let since = now - FAILURE_WINDOW_MICROS;
    let (Ok(fa), Ok(fi)) = (
        staff::failures(&state.store, &acct, since).await,
        staff::failures(&state.store, &addr, since).await,
    ) else {
        return unavailable();
    };
    if fa >= MAX_ACCOUNT_FAILURES || fi >= MAX_ADDRESS_FAILURES {
        tracing::warn!("login throttled");
        return envelope(
            StatusCode::TOO_MANY_REQUESTS,
            false,
            "Too many login attempts. Please try again later.",
            Value::Null,
            json!(["Too many failed attempts. Wait 15 minutes and try again."]),
        );
    }
    let user = match staff::user_by_email(&state.store, &email).await {
        Ok(u) => u,
        Err(_) => return unavailable(),
    };
    // An unknown email costs one argon2 verification too (no timing oracle).
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_password_hash().to_string());
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let Some(user) = user.filter(|u| ok && u.is_active == 1) else {
        let _ =
            staff::record_failure(&state.store, vec![acct, addr], now, FAILURE_WINDOW_MICROS).await;
        return envelope(
            StatusCode::UNAUTHORIZED,
            false,
            "Invalid email or password.",
            Value::Null,
            json!(["Invalid email or password."]),
        );
    };
    let _ = staff::clear_failures(&state.store, acct).await;
    let family = uuid::Uuid::new_v4().to_string();
    let refresh = random_token(32);
    let saved = staff::insert_refresh(
        &state.store,
        staff::RefreshToken {
            token_hash: hash_token(&refresh),
            family_id: family.clone(),
            user_id: user.id.clone(),
            tenant_id: user.tenant_id.clone(),
            created_at: now,
            expires_at: now + REFRESH_TTL_MICROS,
            used_at: None,
            revoked_at: None,
        },
    )
    .await;
    let access = match (saved, issue(&state, &user, &family).await) {
        (Ok(()), Ok(a)) => a,
        _ => return unavailable(),
    };
    tracing::info!(tenant_id = %user.tenant_id, user_id = %user.id, "staff login");
    envelope(
        StatusCode::OK,
        true,
        "Login successful",
        json!({"accessToken": access, "refreshToken": refresh}),
        Value::Null,
    )
}

/// POST /api/v1/auth/refresh: a new access token and a new refresh token;
/// the old refresh token is spent (presenting it again revokes the family).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "Bank analysis",
    description = "Exchange a refresh token for new tokens; a reused refresh token revokes its whole session.",
    request_body(content = serde_json::Value, description = "{refreshToken}"),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json"), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn refresh(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let token = match refresh_body(&body) {
        Ok(t) => t,
        Err(errors) => return invalid(&errors),
    };
    let now = state.clock.now_micros();
    let next = random_token(32);
    match staff::rotate_refresh(
        &state.store,
        hash_token(&token),
        hash_token(&next),
        now,
        REFRESH_TTL_MICROS,
    )
    .await
    {
        Ok(Rotation::Rotated {
            user_id,
            tenant_id,
            family_id,
        }) => {
            let user = match staff::user(&state.store, &tenant_id, &user_id).await {
                Ok(Some(u)) => u,
                _ => return access_denied(),
            };
            match issue(&state, &user, &family_id).await {
                Ok(access) => envelope(
                    StatusCode::OK,
                    true,
                    "Token refreshed successfully.",
                    json!({"accessToken": access, "refreshToken": next}),
                    Value::Null,
                ),
                Err(_) => unavailable(),
            }
        }
        Ok(Rotation::Reused) => {
            tracing::warn!("refresh token reused; its session is revoked");
            access_denied()
        }
        Ok(Rotation::Unknown | Rotation::Expired) => access_denied(),
        Err(_) => unavailable(),
    }
}

/// A staff member with a valid access token of a live session.
pub struct Staff {
    pub user_id: String,
    pub tenant_id: String,
    pub role: String,
    pub session: String,
}

pub struct Denied;

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        access_denied()
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let staff = authenticate(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if let Err(retry) = state
            .limiter
            .check(state.config.rate_limit, &format!("ba:{}", staff.user_id))
        {
            let mut r = envelope(
                StatusCode::TOO_MANY_REQUESTS,
                false,
                "Too many requests.",
                Value::Null,
                json!([format!("Too many requests. Try again in {retry} s.")]),
            );
            if let Ok(v) = retry.to_string().parse() {
                r.headers_mut().insert("retry-after", v);
            }
            return Err(r);
        }
        Ok(staff)
    }
}

/// The bearer token's staff member, if the token and its session are good.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Staff, Denied> {
    {
        let token = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
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
        // Logout, refresh-token reuse and deactivation end a session at once.
        if !staff::session_live(&state.store, &c.sid, &c.sub)
            .await
            .map_err(|_| Denied)?
        {
            return Err(Denied);
        }
        Ok(Staff {
            user_id: c.sub,
            tenant_id: c.tid,
            role: c.role,
            session: c.sid,
        })
    }
}

/// POST /api/v1/auth/logout: ends the session; its tokens stop working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "Bank analysis",
    description = "End the session (Bearer): its access and refresh tokens stop working.",
    params(("Authorization" = String, Header, description = "Bearer <accessToken>")),
    request_body(content = serde_json::Value, description = "{refreshToken}"),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json", description = "Refresh token is required."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn logout(
    State(state): State<AppState>,
    who: Staff,
    body: axum::body::Bytes,
) -> Response {
    let given = body_json(&body).and_then(|b| b["refreshToken"].as_str().map(str::to_string));
    if given.as_deref().unwrap_or("").is_empty() {
        return invalid(&["Refresh token is required."]);
    }
    match staff::revoke_family(&state.store, who.session.clone(), state.clock.now_micros()).await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(json!({"success": true, "message": "Logout successful."})),
        )
            .into_response(),
        Err(_) => unavailable(),
    }
}

/// GET /api/v1/auth/status
#[utoipa::path(get, path = "/api/v1/auth/status", tag = "Bank analysis",
    description = "The current staff user (Bearer).",
    params(("Authorization" = String, Header, description = "Bearer <accessToken>")),
    responses((status = 200, content_type = "application/json"), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn status(State(state): State<AppState>, who: Staff) -> Response {
    match staff::user(&state.store, &who.tenant_id, &who.user_id).await {
        Ok(Some(u)) => envelope(
            StatusCode::OK,
            true,
            "Status fetched successfully.",
            json!({"userId": u.id, "email": u.email, "firstName": u.first_name, "lastName": u.last_name, "role": who.role}),
            Value::Null,
        ),
        Ok(None) => access_denied(),
        Err(_) => unavailable(),
    }
}
