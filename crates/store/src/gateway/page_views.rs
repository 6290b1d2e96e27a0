//! The hosted page's one-time views and the session states they move.

#[allow(unused_imports)]
use super::*;

pub const SESSION_EXPIRED: &str = "Expired";
pub const SESSION_COMPLETED: &str = "Completed";
pub const SESSION_MAX_ATTEMPTS: &str = "Max Attempts Exceeded";

#[derive(Debug, Clone, FromRow)]
pub struct PageView {
    pub token_hash: String,
    pub session_id: String,
    pub expires_at: i64,
    pub recipient_attempts: i64,
    pub account_attempts: i64,
    pub closed: i64,
}

/// Opens a page view for a session whose URL was just opened; an Expired
/// session becomes Active again (the partner fetched a fresh URL).
pub async fn create_page_view(
    store: &Store,
    token_hash: String,
    session_id: String,
    expires_at: i64,
    now: i64,
) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let (token_hash, session_id) = (token_hash.clone(), session_id.clone());
            Box::pin(async move {
                query::execute(
                    c,
                    "INSERT INTO gw_page_views (token_hash, session_id, expires_at) VALUES ($1, $2, $3)",
                    params![token_hash, &session_id, expires_at],
                )
                .await?;
                set_status_on(c, &session_id, SESSION_EXPIRED, SESSION_ACTIVE, now).await?;
                Ok(())
            })
        })
        .await
}

pub async fn page_view(store: &Store, token_hash: &str) -> Result<Option<PageView>, StoreError> {
    store
        .fetch_optional(
            "SELECT token_hash, session_id, expires_at, recipient_attempts, account_attempts, closed FROM gw_page_views WHERE token_hash = $1",
            params![token_hash],
        )
        .await
}

/// Marks an Active session Expired (its URL was not opened in time).
pub async fn expire_session(store: &Store, session_id: String, now: i64) -> Result<(), StoreError> {
    set_status_if(store, session_id, SESSION_ACTIVE, SESSION_EXPIRED, now)
        .await
        .map(|_| ())
}

/// Moves a session from one status to another; false if it was not in `from`.
pub async fn set_status_if(
    store: &Store,
    session_id: String,
    from: &'static str,
    to: &'static str,
    now: i64,
) -> Result<bool, StoreError> {
    store
        .write(move |c| {
            let session_id = session_id.clone();
            Box::pin(async move { Ok(set_status_on(c, &session_id, from, to, now).await? == 1) })
        })
        .await
}

async fn set_status_on(
    c: &mut crate::Conn,
    session_id: &str,
    from: &str,
    to: &str,
    now: i64,
) -> Result<u64, StoreError> {
    query::execute(
        c,
        "UPDATE gw_sessions SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        params![to, now, session_id, from],
    )
    .await
}

/// A failed verification attempt: counts it for the page view's feature and
/// for the session; returns (feature attempts, session attempts).
pub async fn record_attempt(
    store: &Store,
    token_hash: String,
    session_id: String,
    feature: &'static str,
    now: i64,
) -> Result<(i64, i64), StoreError> {
    store
        .write(move |c| {
            let (token_hash, session_id) = (token_hash.clone(), session_id.clone());
            Box::pin(async move {
                let column = if feature == "recipient" { "recipient_attempts" } else { "account_attempts" };
                let feature_count: i64 = query::fetch_scalar(
                    c,
                    &format!("UPDATE gw_page_views SET {column} = {column} + 1 WHERE token_hash = $1 RETURNING {column}"),
                    params![token_hash],
                )
                .await?;
                let session_count: i64 = query::fetch_scalar(
                    c,
                    "UPDATE gw_sessions SET attempts = attempts + 1, updated_at = $1 WHERE id = $2 RETURNING attempts",
                    params![now, session_id],
                )
                .await?;
                Ok((feature_count, session_count))
            })
        })
        .await
}

pub async fn close_page_view(store: &Store, token_hash: String) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE gw_page_views SET closed = 1 WHERE token_hash = $1",
            params![token_hash],
        )
        .await?;
    Ok(())
}
