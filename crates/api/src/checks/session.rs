//! The customer's check session: an SSO token from AuthenticateOBO,
//! exchanged once for a bearer token bound to that customer and SSO session.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use fundline_store::checks::{self, CheckSession};
use fundline_vault::{hash_token, random_token};
use serde_json::json;

use crate::checkcashing::problem::Problem;
use crate::AppState;

/// How long a check session lasts.
pub const SESSION_TTL_MICROS: i64 = 30 * 60 * 1_000_000;

/// POST /api/v1/checks/sessions
#[utoipa::path(post, path = "/api/v1/checks/sessions", tag = "Check deposits",
    description = "Exchange an ssoToken from AuthenticateOBO (once) for a 30-minute bearer token for this customer and SSO session.",
    request_body(content = super::schemas::CheckSessionRequest),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/problem+json"), (status = 401, content_type = "application/problem+json")))]
pub async fn exchange(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    const PATH: &str = "/api/v1/checks/sessions";
    let Some(sso) = sso_token(&body) else {
        return Problem::invalid(PATH, "ssoToken", "The ssoToken field is required.")
            .into_response();
    };
    let token = random_token(32);
    match checks::exchange_sso(
        &state.store,
        hash_token(&sso),
        hash_token(&token),
        state.clock.now_micros(),
        SESSION_TTL_MICROS,
    )
    .await
    {
        Ok(Some(s)) => {
            tracing::info!(tenant_id = %s.tenant_id, customer_id = %s.customer_id, "check session opened");
            axum::Json(json!({"accessToken": token, "tokenType": "Bearer", "expiresIn": SESSION_TTL_MICROS / 1_000_000}))
                .into_response()
        }
        Ok(None) => Problem::unauthorized(PATH).into_response(),
        Err(e) => Problem::from(e).at(PATH).into_response(),
    }
}

/// The rules of an exchange body: an ssoToken of 1 to 200 bytes.
pub(crate) fn sso_token(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("ssoToken")
                .and_then(|t| t.as_str())
                .map(str::to_string)
        })
        .filter(|t| !t.is_empty() && t.len() <= 200)
}

/// A customer with a live check session.
pub struct Customer(pub CheckSession);

impl FromRequestParts<AppState> for Customer {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().to_string();
        let token = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| crate::extract::credentials(v, "Bearer"))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or_else(|| Problem::unauthorized(&path))?;
        match checks::session(&state.store, &hash_token(token), state.clock.now_micros()).await {
            Ok(Some(s)) if !crate::tenancy::tenant_active(state, &s.tenant_id).await => {
                Err(Problem::unauthorized(&path))
            }
            Ok(Some(s)) => match state
                .limiter
                .check(state.config.rate_limit, &format!("ck:{}", s.token_hash))
            {
                Ok(()) => Ok(Customer(s)),
                Err(retry) => Err(Problem::too_many_requests(&path, retry)),
            },
            Ok(None) => Err(Problem::unauthorized(&path)),
            // The store's error goes with the answer, so the request log
            // names the cause.
            Err(e) => Err(Problem::from(e).at(&path)),
        }
    }
}
