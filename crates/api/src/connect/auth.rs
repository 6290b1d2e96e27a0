//! Authenticates a token service request: `v1HMAC` over the request line
//! and headers, `Date` within 5 minutes, the key's merchant = the path's.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use fundline_store::tenants::PRODUCT_CONNECT;

use super::error::{codes, ConnectError};
use super::hmac::{parse_authorization, string_to_sign, verify, Authorization};
use crate::gateway::auth::{hmac_client, signature_verifies, Client};
use crate::AppState;

/// The official SDKs stamp `Date` when they sign, so the only skew is the
/// clocks' drift; five minutes (the gateway's window too) is ample, and it
/// bounds how long a captured request can be replayed (v1HMAC has no nonce).
const DATE_SKEW_SECS: i64 = 5 * 60;

/// A verified merchant.
pub struct Merchant {
    pub tenant_id: String,
    pub merchant_id: String,
}

impl FromRequestParts<AppState> for Merchant {
    type Rejection = ConnectError;

    /// A signature that verifies with the key's secret, then the key's rate
    /// limit, then the key's merchant must be the path's and have the
    /// service on. Every refusal before the key is known reads the same.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (auth, text) = signed_request(parts, state)?;
        let client = verified_client(state, &auth, &text).await?;
        within_rate_limit(state, &auth.key_id)?;
        let merchant_id = client.participant_id.to_string();
        let path_merchant = parts.uri.path().split('/').nth(2).unwrap_or("");
        if path_merchant != merchant_id {
            return Err(ConnectError::forbidden(
                codes::ACCESS_TO_MERCHANT_NOT_ALLOWED,
                "ACCESS_TO_MERCHANT_NOT_ALLOWED",
            ));
        }
        if !tokenization_enabled(state, &client.tenant_id).await? {
            return Err(ConnectError::forbidden(
                codes::SERVICE_NOT_ALLOWED,
                "SERVICE_NOT_ALLOWED",
            ));
        }
        Ok(Merchant {
            tenant_id: client.tenant_id,
            merchant_id,
        })
    }
}

/// The request's `Authorization` and the text its signature must be over;
/// refused when either header is missing or the `Date` is out of the window.
fn signed_request(
    parts: &Parts,
    state: &AppState,
) -> Result<(Authorization, String), ConnectError> {
    let header = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok());
    let auth = header("authorization")
        .and_then(parse_authorization)
        .ok_or_else(ConnectError::unauthorized)?;
    let date = header("date").ok_or_else(ConnectError::unauthorized)?;
    let signed_at =
        chrono::DateTime::parse_from_rfc2822(date).map_err(|_| ConnectError::unauthorized())?;
    if (state.clock.now().timestamp() - signed_at.timestamp()).abs() > DATE_SKEW_SECS {
        return Err(ConnectError::unauthorized());
    }
    let headers = parts
        .headers
        .iter()
        .filter_map(|(n, v)| v.to_str().ok().map(|v| (n.as_str(), v)));
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let text = string_to_sign(
        parts.method.as_str(),
        header("content-type"),
        date,
        headers,
        path,
    );
    Ok((auth, text))
}

/// The API key's client, when the signature verifies under one of its
/// secrets. An unknown key still costs one verification, so the answer's
/// timing does not tell unknown keys from wrong signatures.
async fn verified_client(
    state: &AppState,
    auth: &Authorization,
    text: &str,
) -> Result<Client, ConnectError> {
    let client = hmac_client(state, PRODUCT_CONNECT, &auth.key_id).await?;
    let check =
        |secret: &[u8]| std::str::from_utf8(secret).is_ok_and(|s| verify(s, text, &auth.signature));
    if !signature_verifies(client.as_ref(), b"unknown-connect-key", check) {
        tracing::info!("token service request refused: bad signature or unknown key");
        return Err(ConnectError::unauthorized());
    }
    client.ok_or_else(ConnectError::unauthorized)
}

fn within_rate_limit(state: &AppState, key_id: &str) -> Result<(), ConnectError> {
    if state
        .limiter
        .check(state.config.rate_limit, &format!("ct:{key_id}"))
        .is_err()
    {
        return Err(ConnectError::one(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            codes::TOO_MANY_REQUESTS,
            "TOO_MANY_REQUESTS",
            "CONNECT_PLATFORM_ERROR",
            "Too many requests for this API key; slow down and retry.",
        ));
    }
    Ok(())
}

/// The tenant's `connect` settings document: `{"tokenization_enabled": false}`
/// switches the service off for its merchant (default on).
async fn tokenization_enabled(state: &AppState, tenant_id: &str) -> Result<bool, ConnectError> {
    let doc = crate::settings_doc(state, tenant_id, "connect").await?;
    Ok(doc
        .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
        .and_then(|v| v["tokenization_enabled"].as_bool())
        .unwrap_or(true))
}
