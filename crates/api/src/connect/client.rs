//! encryptedCustomerInput: client sessions, the client API's public key, and
//! decryption of what the Connect client SDKs encrypt (JWE compact, RSA-OAEP
//! key management, A256CBC-HS512 or A256GCM content; josekit does the JOSE).

use crate::extract::AnyPath;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use fundline_store::connect as repo;
use josekit::jwe::RSA_OAEP;
use serde_json::{json, Value};

use super::auth::Merchant;
use super::error::{invalid, ConnectError};
use crate::AppState;

/// How long a client session lives.
pub const SESSION_TTL_MICROS: i64 = 2 * 3600 * 1_000_000;
/// A tenant's client key is replaced when a session is made after this age.
pub const KEY_ROTATE_AFTER_MICROS: i64 = 30 * 24 * 3600 * 1_000_000;
const TABLE: &str = "ct_client_keys";

/// The tenant's current key, made (or rotated) when due.
async fn key_for_new_session(
    state: &AppState,
    tenant_id: &str,
) -> Result<repo::ClientKey, ConnectError> {
    let now = state.clock.now_micros();
    if let Some(k) = repo::current_client_key(&state.store, tenant_id).await? {
        if now - k.created_at < KEY_ROTATE_AFTER_MICROS {
            return Ok(k);
        }
    }
    let pair = tokio::task::spawn_blocking(|| RSA_OAEP.generate_key_pair(2048))
        .await
        .map_err(|_| ConnectError::internal())?
        .map_err(|_| ConnectError::internal())?;
    let keys = state.keyring.tenant(&state.store, tenant_id).await?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let key_id = uuid::Uuid::new_v4().to_string();
    let k = repo::ClientKey {
        // Bound to the key's row: a private key copied to another key id does not open.
        private_sealed: keys.seal_row(TABLE, "private_key", &key_id, &pair.to_der_private_key()),
        public_der_b64: b64.encode(pair.to_der_public_key()),
        key_id,
        tenant_id: tenant_id.to_string(),
        created_at: now,
    };
    repo::insert_client_key(&state.store, k.clone()).await?;
    tracing::info!(tenant_id, key_id = %k.key_id, "new client encryption key");
    Ok(k)
}

/// POST /v1/{merchantId}/sessions
#[utoipa::path(post, path = "/v1/{merchantId}/sessions", tag = "Token service",
    description = "Create a client session for the Connect client SDKs: clientSessionId, customerId and the client API URLs.",
    params(super::schemas::MerchantPath, super::schemas::Signed),
    request_body(content = Option<super::schemas::SessionRequest>, description = "SessionRequest: optional tokens; the body may be empty"),
    responses((status = 201, content_type = "application/json", description = "SessionResponse"),
        (status = 400, content_type = "application/json", description = "A body that is not JSON, or not sent as application/json")))]
pub async fn create_session(
    State(state): State<AppState>,
    m: Merchant,
    AnyPath(_merchant): AnyPath<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ConnectError> {
    let body: Value = if body.is_empty() {
        json!({})
    } else {
        super::tokens::json_body(&headers, &body)?
    };
    let key = key_for_new_session(&state, &m.tenant_id).await?;
    let now = state.clock.now_micros();
    let session = repo::ClientSession {
        id: uuid::Uuid::new_v4().simple().to_string(),
        tenant_id: m.tenant_id.clone(),
        merchant_id: m.merchant_id.clone(),
        customer_id: format!("{}-{}", m.merchant_id, uuid::Uuid::new_v4().simple()),
        key_id: key.key_id.clone(),
        created_at: now,
        expires_at: now + SESSION_TTL_MICROS,
    };
    repo::insert_client_session(&state.store, session.clone()).await?;
    let mut invalid_tokens = Vec::new();
    if let Some(Value::Array(tokens)) = body.get("tokens") {
        for t in tokens.iter().filter_map(Value::as_str) {
            if repo::live(&state.store, &m.tenant_id, &m.merchant_id, t)
                .await?
                .is_none()
            {
                invalid_tokens.push(t.to_string());
            }
        }
    }
    let base = state.config.public_url.trim_end_matches('/');
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "assetUrl": format!("{base}/client/assets/"),
            // The client SDK (connect-sdk-client-js) accepts only a client API
            // URL whose path is `client` or `client/v1`.
            "clientApiUrl": format!("{base}/client/v1"),
            "clientSessionId": session.id,
            "customerId": session.customer_id,
            "invalidTokens": invalid_tokens,
            "region": "US",
        })),
    )
        .into_response())
}

fn session_from(headers: &HeaderMap) -> Option<String> {
    let v = headers.get("authorization")?.to_str().ok()?;
    let id = v.trim().strip_prefix("GCS v1Client:")?;
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| id.to_string())
}

/// GET /client/v1/{customerId}/crypto/publickey, with `Authorization: GCS v1Client:<clientSessionId>`.
#[utoipa::path(get, path = "/client/v1/{customerId}/crypto/publickey", tag = "Token service",
    description = "The client API's public key (keyId, publicKey as base64 DER SubjectPublicKeyInfo) for a live client session.",
    params(("customerId" = String, Path), ("Authorization" = String, Header, description = "GCS v1Client:<clientSessionId>")),
    responses((status = 200, content_type = "application/json"), (status = 401, content_type = "application/json")))]
pub async fn public_key(
    State(state): State<AppState>,
    AnyPath(customer_id): AnyPath<String>,
    headers: HeaderMap,
) -> Result<Response, ConnectError> {
    let id = session_from(&headers).ok_or_else(ConnectError::unauthorized)?;
    let s = repo::client_session(&state.store, &id)
        .await?
        .ok_or_else(ConnectError::unauthorized)?;
    if s.customer_id != customer_id || s.expires_at <= state.clock.now_micros() {
        return Err(ConnectError::unauthorized());
    }
    let k = repo::client_key(&state.store, &s.tenant_id, &s.key_id)
        .await?
        .ok_or_else(ConnectError::internal)?;
    Ok(axum::Json(json!({"keyId": k.key_id, "publicKey": k.public_der_b64})).into_response())
}

/// Decrypts an encryptedCustomerInput for this merchant and returns the card
/// group it carries, as a plain create-token body. The input must have been
/// encrypted to one of the merchant's keys, for a live client session of the
/// merchant's under that key, and is accepted once.
pub async fn decrypt(state: &AppState, m: &Merchant, body: &Value) -> Result<Value, ConnectError> {
    let jwe = body["encryptedCustomerInput"]
        .as_str()
        .ok_or_else(|| bad("must be a string"))?;
    if jwe.len() > 64 * 1024 {
        return Err(bad("too long"));
    }
    let (kid, input) = open_jwe(state, m, jwe).await?;
    let session = input_session(state, m, &kid, &input).await?;
    // Spec 003: encrypted customer input can be submitted once.
    let first = repo::use_encrypted_input(
        &state.store,
        m.tenant_id.clone(),
        fundline_vault::hash_token(jwe),
        session.expires_at,
        state.clock.now_micros(),
    )
    .await?;
    if matches!(first, repo::InputUse::AlreadySubmitted) {
        return Err(bad("this encrypted customer input was already submitted"));
    }
    Ok(card_request(body, &input))
}

/// What is wrong with an encryptedCustomerInput, as a 400.
fn bad(why: &str) -> ConnectError {
    ConnectError::validation(vec![invalid("encryptedCustomerInput", why)])
}

/// The JWE decrypted with the merchant's private key it names: that key's
/// id and the JSON input it carried.
async fn open_jwe(
    state: &AppState,
    m: &Merchant,
    jwe: &str,
) -> Result<(String, Value), ConnectError> {
    let header = josekit::jwt::decode_header(jwe).map_err(|_| bad("not a JWE"))?;
    let kid = header
        .claim("kid")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no key id"))?
        .to_string();
    let key = repo::client_key(&state.store, &m.tenant_id, &kid)
        .await?
        .ok_or_else(|| bad("unknown key"))?;
    let keys = state.keyring.tenant(&state.store, &m.tenant_id).await?;
    let der = keys
        .open_row(TABLE, "private_key", &key.key_id, &key.private_sealed)
        .map_err(|_| ConnectError::internal())?;
    let decrypter = RSA_OAEP
        .decrypter_from_der(&*der)
        .map_err(|_| ConnectError::internal())?;
    let (payload, _) = josekit::jwe::deserialize_compact(jwe, &decrypter)
        .map_err(|_| bad("cannot be decrypted"))?;
    let input =
        serde_json::from_slice(&payload).map_err(|_| bad("the decrypted input is not JSON"))?;
    Ok((kid, input))
}

/// The client session the input names: this merchant's, under the key the
/// input was encrypted to, and not expired.
async fn input_session(
    state: &AppState,
    m: &Merchant,
    kid: &str,
    input: &Value,
) -> Result<repo::ClientSession, ConnectError> {
    let session_id = input["clientSessionId"]
        .as_str()
        .ok_or_else(|| bad("no client session"))?;
    let session = repo::client_session(&state.store, session_id)
        .await?
        .ok_or_else(|| bad("unknown client session"))?;
    if session.tenant_id != m.tenant_id
        || session.merchant_id != m.merchant_id
        || session.key_id != kid
    {
        return Err(bad("the client session is not this merchant's"));
    }
    if session.expires_at <= state.clock.now_micros() {
        return Err(bad("the client session has expired"));
    }
    Ok(session)
}

/// The create-token body the input stands for: its card fields (the
/// client SDK's paymentValues), and the product the request names, else
/// the input's.
fn card_request(body: &Value, input: &Value) -> Value {
    let value = |k: &str| {
        input["paymentValues"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["key"] == k))
            .and_then(|p| p["value"].as_str())
            .map(str::to_string)
    };
    let product = body
        .get("paymentProductId")
        .cloned()
        .filter(|v| !v.is_null())
        .or_else(|| input.get("paymentProductId").cloned());
    let mut cwc = json!({});
    for k in ["cardNumber", "expiryDate", "cardholderName", "issueNumber"] {
        if let Some(v) = value(k) {
            cwc[k] = json!(v);
        }
    }
    json!({"paymentProductId": product, "card": {"data": {"cardWithoutCvv": cwc}}})
}
