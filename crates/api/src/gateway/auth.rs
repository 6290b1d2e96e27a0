//! Authenticates a gateway request: the HMAC signature over the request
//! line and headers, the body's SHA-512, the X-Date window, and no replay.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use fundline_store::tenants::{
    credential_row_id, find_credential, CREDENTIAL_COLUMN, CREDENTIAL_TABLE, PRODUCT_INGOPAY,
};
use fundline_vault::{ct_eq, SecretString};
use sha2::{Digest, Sha256};

use super::envelope::GwResponse;
use super::error::GatewayError;
use super::hmac::{content_sha512, parse_authorization, string_to_sign, verify};
use crate::AppState;

/// How far X-Date may be from our clock.
pub const CLOCK_SKEW_SECS: i64 = 300;

/// A verified gateway request.
pub struct Gateway {
    pub tenant_id: String,
    pub participant_id: i64,
    pub body: Bytes,
    pub started: Instant,
    pub path: String,
    pub headers: axum::http::HeaderMap,
}

/// A credential whose secret the server holds to verify HMAC signatures.
#[derive(Clone)]
pub(crate) struct Client {
    pub tenant_id: String,
    /// participant_id (gateway) or merchant id (Connect).
    pub participant_id: i64,
    /// The secrets that verify now: the current one, and the previous one
    /// during a rotation's overlap window.
    pub secrets: Vec<SecretString>,
}

impl Client {
    /// Whether any live secret verifies (each one checked in constant time).
    pub(crate) fn verifies(&self, check: impl Fn(&[u8]) -> bool) -> bool {
        self.secrets
            .iter()
            .fold(false, |ok, s| check(s.expose().as_bytes()) | ok)
    }
}

/// Whether the signature verifies with `client`'s live secrets. An unknown
/// client still costs one verification, against `dummy`, so that the answer
/// takes as long whether the key exists or not.
pub(crate) fn signature_verifies(
    client: Option<&Client>,
    dummy: &[u8],
    check: impl Fn(&[u8]) -> bool,
) -> bool {
    match client {
        Some(c) => c.verifies(check),
        None => {
            let _ = check(dummy);
            false
        }
    }
}

/// Opened HMAC secrets of both signed products, by their sealed value, so a
/// request costs no decryption. Which sealed values are live is read from
/// the store on every request, so a rotation's end, a revocation or a
/// disabled tenant applies at once on every node: the cache never decides.
pub struct SecretCache {
    map: moka::sync::Cache<String, SecretString>,
}

impl Default for SecretCache {
    fn default() -> Self {
        SecretCache {
            map: moka::sync::Cache::new(SECRET_CACHE_MAX),
        }
    }
}

const SECRET_CACHE_MAX: u64 = 10_000;

/// The HMAC client of a product by its public id: the credential is read
/// from the store (revoked credentials, disabled tenants and, with the
/// sandbox off, the sandbox tenant are not found), its secrets opened from
/// the cache or the keyring.
pub(crate) async fn hmac_client(
    state: &AppState,
    product: &str,
    username: &str,
) -> Result<Option<Client>, fundline_store::StoreError> {
    let Some(cred) = find_credential(&state.store, product, username).await? else {
        return Ok(None);
    };
    if cred.tenant_sandbox && !state.config.sandbox {
        return Ok(None);
    }
    let Some(participant_id) = cred.numeric_id else {
        return Ok(None);
    };
    let mut secrets = Vec::with_capacity(2);
    // The secrets are sealed for this credential's row: the cache is keyed
    // by row and value, so a value copied into another row (which does not
    // open there) cannot be served from the cache either.
    let row = credential_row_id(product, username);
    for sealed in cred.live_sealed(state.clock.now_micros()) {
        let cache_key = format!("{row}\n{sealed}");
        if let Some(s) = state.gw_secrets.map.get(&cache_key) {
            secrets.push(s);
            continue;
        }
        let secret = match state
            .keyring
            .open_string_row(
                &state.store,
                &cred.tenant_id,
                CREDENTIAL_TABLE,
                CREDENTIAL_COLUMN,
                &row,
                sealed,
            )
            .await
        {
            Ok(s) => s,
            // Damaged, or sealed for another row: this secret verifies nothing.
            Err(fundline_store::StoreError::Vault(e)) => {
                tracing::warn!(tenant_id = %cred.tenant_id, product, error = %e, "a credential secret does not open in its row");
                continue;
            }
            Err(e) => return Err(e),
        };
        state.gw_secrets.map.insert(cache_key, secret.clone());
        secrets.push(secret);
    }
    if secrets.is_empty() {
        return Ok(None);
    }
    Ok(Some(Client {
        tenant_id: cred.tenant_id,
        participant_id,
        secrets,
    }))
}

impl FromRequest<AppState> for Gateway {
    type Rejection = axum::response::Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let (gw, signature, expires, extensions) = authenticate(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let keyed = gw.headers.contains_key("idempotency-key");
        super::replay::claim(
            state,
            &extensions,
            signature,
            &gw.tenant_id,
            expires,
            keyed,
            gw.started,
        )
        .await?;
        Ok(gw)
    }
}

/// The signature, body digest, X-Date window and rate limit of a gateway
/// request: the verified request, the hash of its signature, when that
/// signature's window closes (micros), and the request's extensions.
async fn authenticate(
    req: Request,
    state: &AppState,
) -> Result<(Gateway, String, i64, axum::http::Extensions), GwResponse> {
    let started = Instant::now();
    let deny = |why: &'static str| {
        tracing::info!(reason = why, "gateway request refused");
        GatewayError::Unauthorized(why).at(started)
    };
    let (parts, body) = req.into_parts();
    let limit = state.config.max_body_bytes;
    let body = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| GatewayError::TooLarge { limit }.at(started))?;
    let signed = Signed::read(&parts, &body, state.clock.now().timestamp()).map_err(deny)?;
    let auth = &signed.auth;
    let client = hmac_client(state, PRODUCT_INGOPAY, &auth.username)
        .await
        .map_err(|e| GatewayError::Store(e).at(started))?;
    // An unknown username still costs one verification, against a dummy key.
    let check = |secret: &[u8]| verify(secret, &auth.algorithm, &signed.text, &auth.signature);
    if !signature_verifies(client.as_ref(), b"unknown-gateway-client", check) {
        return Err(deny("invalid_signature"));
    }
    let client = client.ok_or_else(|| deny("invalid_signature"))?;
    if let Err(retry) = state
        .limiter
        .check(state.config.rate_limit, &format!("gw:{}", auth.username))
    {
        return Err(GatewayError::RateLimited { retry_secs: retry }.at(started));
    }
    // A signature is claimed once, until its X-Date window closes; a
    // retry gets the first answer (super::replay).
    let seen = hex::encode(Sha256::digest(&auth.signature));
    let expires = (signed.at + CLOCK_SKEW_SECS + 1) * 1_000_000;
    Ok((
        Gateway {
            tenant_id: client.tenant_id,
            participant_id: client.participant_id,
            body,
            started,
            path: parts.uri.path().to_string(),
            headers: parts.headers,
        },
        seen,
        expires,
        parts.extensions,
    ))
}

/// A request's signature, before its key is looked up: the Authorization
/// header, when it was signed, and the text it signs.
struct Signed {
    auth: super::hmac::Authorization,
    /// X-Date, in seconds.
    at: i64,
    text: String,
}

impl Signed {
    /// Reads the signature's headers; refuses, with the reason, a missing
    /// or malformed one, an X-Date too far from `now`, and a body whose
    /// digest is not the one sent.
    fn read(
        parts: &axum::http::request::Parts,
        body: &[u8],
        now: i64,
    ) -> Result<Signed, &'static str> {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let auth = header("authorization").ok_or("missing_authorization")?;
        let auth = parse_authorization(auth).map_err(|_| "invalid_authorization")?;
        let x_date = header("x-date").ok_or("missing_x_date")?;
        let signed_at =
            chrono::DateTime::parse_from_rfc2822(x_date).map_err(|_| "invalid_x_date")?;
        if (now - signed_at.timestamp()).abs() > CLOCK_SKEW_SECS {
            return Err("stale_x_date");
        }
        let digest = header("content-sha512").ok_or("missing_content_sha512")?;
        if !ct_eq(digest, &content_sha512(body)) {
            return Err("content_sha512_mismatch");
        }
        let path_and_query = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        // Some HTTP stacks send no Content-Length for an empty body; the
        // length of what arrived is the value the client signed.
        let length = body.len().to_string();
        let lookup = |name: &str| match header(name) {
            None if name == "content-length" => Some(length.as_str()),
            v => v,
        };
        let text = string_to_sign(&auth, parts.method.as_str(), path_and_query, lookup)
            .map_err(|_| "signed_header_absent")?;
        Ok(Signed {
            auth,
            at: signed_at.timestamp(),
            text,
        })
    }
}

impl Gateway {
    /// The body as a JSON object, or the 13400 answer.
    pub fn json_object(&self) -> Result<serde_json::Map<String, serde_json::Value>, GatewayError> {
        super::fields::json_object(&self.body)
    }

    /// The participant_id a body names must be the signing credential's.
    pub fn same_participant(&self, participant_id: i64) -> Result<(), GatewayError> {
        if participant_id == self.participant_id {
            Ok(())
        } else {
            Err(GatewayError::Unauthorized("participant_id_mismatch"))
        }
    }
}
