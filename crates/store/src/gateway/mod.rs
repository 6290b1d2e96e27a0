//! Repository of the payout gateway: seen signatures, allowed hosts, capture
//! sessions, their idempotency keys and one-time URLs.

use sqlx::FromRow;

use crate::query::{self, Table};
use crate::tenants::AdminError;
use crate::{params, Abort, Store, StoreError};

pub const DEFAULT_ALLOWED_HOSTS: &[&str] = &["http://127.0.0.1", "http://localhost"];

/// Records a request signature; `false` when it was seen before (a replay).
/// What a signed request's signature has seen before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureClaim {
    /// First time: this request runs, and its answer is kept.
    Fresh,
    /// A retry of a request that was answered: the first answer (sealed).
    Answered { status: i64, sealed: String },
    /// A retry of a request still running (or whose answer was not kept).
    Pending,
}

/// Claims a request signature until its X-Date window closes (`expires_at`):
/// the first claim is `Fresh`; later ones see the answer kept for it.
pub async fn claim_signature(
    store: &Store,
    signature_hash: String,
    tenant_id: String,
    expires_at: i64,
) -> Result<SignatureClaim, StoreError> {
    store
        .write(move |c| {
            let (signature_hash, tenant_id) = (signature_hash.clone(), tenant_id.clone());
            Box::pin(async move {
                let n = query::execute(
                    c,
                    "INSERT INTO gw_seen_signatures (signature_hash, expires_at, tenant_id) VALUES ($1, $2, $3) \
                     ON CONFLICT (signature_hash) DO NOTHING",
                    params![&signature_hash, expires_at, tenant_id],
                )
                .await?;
                if n == 1 {
                    return Ok(SignatureClaim::Fresh);
                }
                let row: Option<(Option<i64>, Option<String>)> = query::fetch_optional(
                    c,
                    "SELECT answer_status, answer_sealed FROM gw_seen_signatures WHERE signature_hash = $1",
                    params![signature_hash],
                )
                .await?;
                Ok(match row.and_then(|(status, sealed)| status.zip(sealed)) {
                    Some((status, sealed)) => SignatureClaim::Answered { status, sealed },
                    None => SignatureClaim::Pending,
                })
            })
        })
        .await
}

/// The answer of a claimed signature, for its retries.
pub async fn answer_signature(
    store: &Store,
    signature_hash: String,
    status: i64,
    sealed: String,
) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE gw_seen_signatures SET answer_status = $1, answer_sealed = $2 WHERE signature_hash = $3",
            params![status, sealed, signature_hash],
        )
        .await?;
    Ok(())
}

/// Frees a claimed signature whose request failed on our side (5xx), so a
/// retry runs again.
pub async fn release_signature(store: &Store, signature_hash: String) -> Result<(), StoreError> {
    store
        .execute(
            "DELETE FROM gw_seen_signatures WHERE signature_hash = $1",
            params![signature_hash],
        )
        .await?;
    Ok(())
}

pub async fn prune_signatures(store: &Store, now: i64) -> Result<u64, StoreError> {
    store
        .delete_before(&[("gw_seen_signatures", "expires_at")], now)
        .await
}

/// Deletes idempotency records (session and payment keys) made before
/// `expired_before`: past their window a key is free again anyway.
pub async fn prune_idempotency_keys(store: &Store, expired_before: i64) -> Result<u64, StoreError> {
    let tables = &[
        ("gw_idempotency", "created_at"),
        ("gw_payment_keys", "created_at"),
    ];
    store.delete_before(tables, expired_before).await
}

pub async fn allowed_hosts(store: &Store, tenant_id: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = store
        .fetch_all(
            "SELECT host FROM gw_allowed_hosts WHERE tenant_id = $1 ORDER BY position",
            params![tenant_id],
        )
        .await?;
    Ok(rows.into_iter().map(|(host,)| host).collect())
}

/// Replaces a tenant's allowed hosts (order kept: the first is the default).
pub async fn set_allowed_hosts(
    store: &Store,
    tenant_id: String,
    hosts: Vec<String>,
) -> Result<(), AdminError> {
    store
        .write_as(move |c| {
            let (tenant_id, hosts) = (tenant_id.clone(), hosts.clone());
            Box::pin(async move {
                crate::tenants::require_tenant(c, &tenant_id).await?;
                query::execute(c, "DELETE FROM gw_allowed_hosts WHERE tenant_id = $1", params![&tenant_id]).await?;
                for (i, h) in hosts.iter().enumerate() {
                    query::execute(
                        c,
                        "INSERT INTO gw_allowed_hosts (tenant_id, position, host) VALUES ($1, $2, $3)",
                        params![&tenant_id, i as i64, h],
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct Session {
    pub id: String,
    pub tenant_id: String,
    pub participant_unique_id1: String,
    pub participant_unique_id2: String,
    pub host_uri: String,
    pub recipient_json: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub const SESSION_ACTIVE: &str = "Active";

const SESSION_COLUMNS: &str =
    "id, tenant_id, participant_unique_id1, participant_unique_id2, host_uri, recipient_json, \
     status, attempts, created_at, updated_at";

pub async fn get_session(store: &Store, id: &str) -> Result<Option<Session>, StoreError> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM gw_sessions WHERE id = $1");
    store.fetch_optional(&sql, params![id]).await
}

/// A live idempotency record: (request hash, session id), if the key was
/// used by this tenant since `since`.
pub async fn find_idempotency_key(
    store: &Store,
    tenant_id: &str,
    key: &str,
    since: i64,
) -> Result<Option<(String, String)>, StoreError> {
    store
        .fetch_optional(
            "SELECT request_hash, session_id FROM gw_idempotency WHERE tenant_id = $1 AND idem_key = $2 AND created_at >= $3",
            params![tenant_id, key, since],
        )
        .await
}

/// A URL handed out for a session.
#[derive(Debug, Clone)]
pub struct SessionUrl {
    pub url_hash: String,
    pub expires_at: i64,
}

/// What creating a session did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateSession {
    Created,
    /// A concurrent request with the same Idempotency-Key made its session first.
    KeyTaken,
}

/// Creates a session with its first URL and, with a key, its idempotency
/// record — all in one transaction, so a key never points at nothing and two
/// concurrent requests with one key cannot both create a session (the
/// second is `KeyTaken`: `gw_idempotency_pkey` decides). A record older than
/// `expired_before` is pruned first: the key is free again.
pub async fn create_session(
    store: &Store,
    session: Session,
    key: Option<(String, String)>,
    expired_before: i64,
    url: SessionUrl,
) -> Result<CreateSession, StoreError> {
    let created = store
        .write(move |c| {
            let (s, key, url) = (session.clone(), key.clone(), url.clone());
            Box::pin(async move {
                if let Some((k, _)) = &key {
                    query::execute(
                        c,
                        "DELETE FROM gw_idempotency WHERE tenant_id = $1 AND idem_key = $2 AND created_at < $3",
                        params![&s.tenant_id, k, expired_before],
                    )
                    .await?;
                }
                query::execute(
                    c,
                    &format!("INSERT INTO gw_sessions ({SESSION_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"),
                    params![
                        &s.id, &s.tenant_id, &s.participant_unique_id1, &s.participant_unique_id2, &s.host_uri,
                        &s.recipient_json, &s.status, s.attempts, s.created_at, s.updated_at,
                    ],
                )
                .await?;
                if let Some((k, hash)) = &key {
                    query::execute(
                        c,
                        "INSERT INTO gw_idempotency (tenant_id, idem_key, request_hash, session_id, created_at) VALUES ($1, $2, $3, $4, $5)",
                        params![&s.tenant_id, k, hash, &s.id, s.created_at],
                    )
                    .await?;
                }
                insert_url(c, &s.id, &url).await
            })
        })
        .await;
    match created {
        Ok(()) => Ok(CreateSession::Created),
        Err(e) if e.is_unique("gw_idempotency_pkey") => Ok(CreateSession::KeyTaken),
        Err(e) => Err(e),
    }
}

async fn insert_url(
    c: &mut crate::Conn,
    session_id: &str,
    url: &SessionUrl,
) -> Result<(), StoreError> {
    query::execute(
        c,
        "INSERT INTO gw_session_urls (url_hash, session_id, expires_at, opened_at) VALUES ($1, $2, $3, NULL)",
        params![&url.url_hash, session_id, url.expires_at],
    )
    .await?;
    Ok(())
}

/// Hands out another URL for an existing session.
pub async fn add_session_url(
    store: &Store,
    session_id: String,
    url: SessionUrl,
) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let (session_id, url) = (session_id.clone(), url.clone());
            Box::pin(async move { insert_url(c, &session_id, &url).await })
        })
        .await
}

/// Opens a URL: succeeds once, before it expires. Returns the session id.
/// What opening a session URL did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlOpen {
    /// Opened now, for the first time: the session it belongs to.
    Opened(String),
    /// Opened before: a second open of a one-time URL.
    AlreadyOpened,
    /// Unknown, or its time to be opened has passed.
    Unusable,
}

pub async fn open_session_url(
    store: &Store,
    url_hash: String,
    now: i64,
) -> Result<UrlOpen, StoreError> {
    store
        .write(move |c| {
            let url_hash = url_hash.clone();
            Box::pin(async move {
                let n = query::execute(
                    c,
                    "UPDATE gw_session_urls SET opened_at = $1 WHERE url_hash = $2 AND opened_at IS NULL AND expires_at >= $1",
                    params![now, &url_hash],
                )
                .await?;
                if n != 1 {
                    let opened: Option<Option<i64>> = query::fetch_optional_scalar(
                        c,
                        "SELECT opened_at FROM gw_session_urls WHERE url_hash = $1",
                        params![&url_hash],
                    )
                    .await?;
                    return Ok(match opened {
                        Some(Some(_)) => UrlOpen::AlreadyOpened,
                        _ => UrlOpen::Unusable,
                    });
                }
                let id: String = query::fetch_scalar(
                    c,
                    "SELECT session_id FROM gw_session_urls WHERE url_hash = $1",
                    params![&url_hash],
                )
                .await?;
                Ok(UrlOpen::Opened(id))
            })
        })
        .await
}

mod accounts;
pub use accounts::*;
mod payments;
pub use payments::*;
mod page_views;
pub use page_views::*;
