//! Staging a capture session (spec 001): the host it may be framed by, the
//! Idempotency-Key, and a fresh one-time URL.

use fundline_store::gateway as repo;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::auth::Gateway;
use super::error::GatewayError;
use super::idempotency;
use super::session_url::{issue_url, resolve_host, Issued};
use crate::AppState;

/// The recipient a session is for, as spec 001 sends it and the session
/// keeps it (`recipient_json`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
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

/// A capture session asked of `POST /api/v1/sessions/point-in-time/plugin`.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct SessionRequest {
    pub participant_unique_id1: String,
    pub participant_unique_id2: Option<String>,
    pub host_uri: Option<String>,
    pub recipient_information: Recipient,
}

/// A staged session and the URL that opens it.
pub struct Staged {
    pub session_id: String,
    pub url: Issued,
    /// An Idempotency-Key repeat: the earlier session, with a fresh URL.
    pub replayed: bool,
}

fn request_hash(req: &SessionRequest, host: &str) -> String {
    let canonical = json!({"request": req, "host": host}).to_string();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// The session for `req`: a new one, or (the same request under the same
/// Idempotency-Key) the earlier one. The host must be whitelisted.
pub async fn stage(
    state: &AppState,
    gw: &Gateway,
    key: Option<String>,
    req: &SessionRequest,
) -> Result<Staged, GatewayError> {
    let allowed = repo::allowed_hosts(&state.store, &gw.tenant_id).await?;
    let Some(host) = resolve_host(req.host_uri.as_deref(), &allowed) else {
        tracing::info!(tenant_id = %gw.tenant_id, "session refused: host_uri not whitelisted");
        return Err(GatewayError::Unauthorized("host_uri_not_allowed"));
    };
    let now = state.clock.now_micros();
    let since = idempotency::oldest_live(now);
    let hash = request_hash(req, &host);
    if let Some(k) = &key {
        if let Some(found) =
            repo::find_idempotency_key(&state.store, &gw.tenant_id, k, since).await?
        {
            return replay(state, gw, k, &hash, found).await;
        }
    }
    let session_id = uuid::Uuid::new_v4().to_string();
    let issued = issue_url(state, &gw.tenant_id, &session_id).await?;
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
    .await?;
    match (created, &key) {
        (repo::CreateSession::Created, _) => Ok(Staged {
            session_id,
            url: issued,
            replayed: false,
        }),
        // A concurrent request with the same key won: answer as its replay.
        (repo::CreateSession::KeyTaken, Some(k)) => {
            match repo::find_idempotency_key(&state.store, &gw.tenant_id, k, since).await? {
                Some(found) => replay(state, gw, k, &hash, found).await,
                None => Err(GatewayError::Unavailable),
            }
        }
        // Only a key can be taken.
        (repo::CreateSession::KeyTaken, None) => Err(GatewayError::Unavailable),
    }
}

/// The replay of a key: the same request gets its session and a fresh URL.
async fn replay(
    state: &AppState,
    gw: &Gateway,
    key: &str,
    hash: &str,
    found: (String, String),
) -> Result<Staged, GatewayError> {
    let (stored_hash, session_id) = found;
    if stored_hash != hash {
        return Err(idempotency::mismatch(key, gw.participant_id));
    }
    let issued = issue_url(state, &gw.tenant_id, &session_id).await?;
    repo::add_session_url(&state.store, session_id.clone(), issued.row.clone()).await?;
    Ok(Staged {
        session_id,
        url: issued,
        replayed: true,
    })
}
