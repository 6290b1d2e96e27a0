//! The console's session: the API's own staff session (access and refresh
//! token, the same rows, lockout and idle timeout) carried in one cookie,
//! and the CSRF token of its forms.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::analysis::auth::{staff_of_token, Staff, ACCESS_TTL_SECS};
use crate::analysis::error::AnalysisError;
use crate::analysis::sessions::{self, Tokens};
use crate::AppState;

/// The cookie's name; its value is `<access token>~<refresh token>`.
const COOKIE: &str = "fl_console";

/// The domain of the CSRF token's HMAC, so the key's other uses cannot
/// produce one.
const CSRF_DOMAIN: &[u8] = b"fundline console csrf v1\x00";

/// The cookies' `Secure` attribute: set when browsers reach the console
/// over HTTPS, i.e. this node serves TLS itself or the links it hands out
/// (`public_url`) are https, as behind a TLS-terminating proxy.
fn secure(state: &AppState) -> &'static str {
    if state.config.hsts || state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// The `Set-Cookie` that carries a session's tokens.
pub fn cookie(state: &AppState, t: &Tokens) -> HeaderValue {
    let secure = secure(state);
    let v = format!(
        "{COOKIE}={}~{}; Path={}; HttpOnly; SameSite=Strict{secure}",
        t.access,
        t.refresh,
        super::BASE
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| cleared(state))
}

/// The `Set-Cookie` that ends the cookie.
pub fn cleared(state: &AppState) -> HeaderValue {
    let secure = secure(state);
    HeaderValue::from_str(&format!(
        "{COOKIE}=; Path={}; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        super::BASE
    ))
    .unwrap_or(HeaderValue::from_static("fl_console=; Max-Age=0"))
}

/// The value of the request's cookie `name`.
fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name)?.strip_prefix('='))
}

/// The cookie's access and refresh tokens, if the request has it.
fn tokens(headers: &HeaderMap) -> Option<(String, String)> {
    let (a, r) = cookie_value(headers, COOKIE)?.split_once('~')?;
    Some((a.to_string(), r.to_string()))
}

/// The sign-in form's CSRF cookie: there is no session to bind a token
/// to yet, so the form carries the cookie's random value (double submit;
/// a cross-site page can neither read nor send a SameSite=Strict cookie).
const LOGIN_COOKIE: &str = "fl_console_login";

/// The sign-in form's token: the request's own, or a new one with the
/// `Set-Cookie` that carries it.
pub fn login_token(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    if let Some(t) = cookie_value(headers, LOGIN_COOKIE).filter(|t| t.len() == 22) {
        return (t.to_string(), None);
    }
    let t = fundline_vault::random_token(16);
    let secure = secure(state);
    let set = format!(
        "{LOGIN_COOKIE}={t}; Path={}; HttpOnly; SameSite=Strict{secure}",
        super::BASE
    );
    (t, HeaderValue::from_str(&set).ok())
}

/// Whether the sign-in form's token is its cookie's (constant time).
pub fn login_token_ok(headers: &HeaderMap, given: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    match (cookie_value(headers, LOGIN_COOKIE), given) {
        (Some(c), Some(g)) if !c.is_empty() => c.as_bytes().ct_eq(g.as_bytes()).into(),
        _ => false,
    }
}

/// A signed-in staff user, and the new cookie when the tokens were rotated.
pub struct Session {
    pub staff: Staff,
    pub renewed: Option<HeaderValue>,
}

impl Session {
    /// Sends the rotated tokens with `resp`.
    pub fn finish(&self, mut resp: Response) -> Response {
        if let Some(c) = &self.renewed {
            resp.headers_mut().append(header::SET_COOKIE, c.clone());
        }
        resp
    }
}

/// The request's session, if its cookie names a live one. The access token
/// is checked as the API checks a bearer token; once it is half spent, the
/// refresh token is rotated as POST /api/v1/auth/refresh does, which keeps
/// a used session alive and lets an unused one end after the API's idle
/// timeout (the refresh token's).
pub async fn current(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    let (access, refresh) = tokens(headers)?;
    let now = state.clock.now().timestamp();
    let checked = match staff_of_token(state, &access).await {
        Ok((staff, exp)) if exp - now > ACCESS_TTL_SECS / 2 => {
            return Some(Session {
                staff,
                renewed: None,
            })
        }
        other => other.ok(),
    };
    match sessions::refresh(state, &refresh).await {
        Ok(t) => {
            let (staff, _) = staff_of_token(state, &t.access).await.ok()?;
            Some(Session {
                staff,
                renewed: Some(cookie(state, &t)),
            })
        }
        // The store failed to rotate: a still valid access token serves
        // this request; the next one tries again.
        Err(AnalysisError::Unavailable { .. }) => checked.map(|(staff, _)| Session {
            staff,
            renewed: None,
        }),
        // Expired, unknown, or reused (the session is now revoked).
        Err(_) => None,
    }
}

/// The request's session, or the answer without one: the sign-in form, or
/// a 429 once the user is over the API's per-user rate limit (the same
/// budget as their API calls).
pub async fn require(state: &AppState, headers: &HeaderMap) -> Result<Session, Response> {
    let Some(s) = current(state, headers).await else {
        return Err(Redirect::to("/console/login").into_response());
    };
    let key = format!("ba:{}", s.staff.user_id);
    if let Err(retry) = state.limiter.check(state.config.rate_limit, &key) {
        let mut resp = super::message(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            &format!("Too many requests. Try again in {retry} s."),
        );
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry));
        return Err(s.finish(resp));
    }
    Ok(s)
}

/// The MAC of a session's CSRF token, keyed by the tenant's newest staff
/// token key, so a token is good for its session only.
async fn csrf_mac(state: &AppState, who: &Staff) -> Option<Hmac<Sha256>> {
    let (_, key) = crate::analysis::auth::signing_key(state, &who.tenant_id)
        .await
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(CSRF_DOMAIN);
    mac.update(who.session.as_bytes());
    Some(mac)
}

/// The CSRF token the session's forms carry (empty if the key is unavailable:
/// the form's post will then be refused).
pub async fn csrf_token(state: &AppState, who: &Staff) -> String {
    csrf_mac(state, who)
        .await
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Whether `given` is the session's CSRF token (compared in constant time).
pub async fn csrf_ok(state: &AppState, who: &Staff, given: Option<&str>) -> bool {
    let Some(given) = given.and_then(|g| hex::decode(g).ok()) else {
        return false;
    };
    match csrf_mac(state, who).await {
        Some(mac) => mac.verify_slice(&given).is_ok(),
        None => false,
    }
}

/// The fields of a form body (`application/x-www-form-urlencoded`).
pub fn form(body: &[u8]) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}
