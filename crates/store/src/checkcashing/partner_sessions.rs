//! Partner sessions (spec 000 AuthenticatePartner).

#[allow(unused_imports)]
use super::*;

#[derive(Debug, Clone, FromRow)]
pub struct PartnerSession {
    pub tenant_id: String,
    pub device_hash: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn insert_partner_session(
    store: &Store,
    id_hash: String,
    tenant_id: String,
    device_hash: String,
    now: i64,
) -> Result<(), StoreError> {
    store
        .execute(
            "INSERT INTO cc_partner_sessions (id_hash, tenant_id, device_hash, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
            params![id_hash, tenant_id, device_hash, now],
        )
        .await?;
    Ok(())
}

pub async fn get_partner_session(
    store: &Store,
    id_hash: &str,
) -> Result<Option<PartnerSession>, StoreError> {
    store
        .fetch_optional(
            "SELECT tenant_id, device_hash, created_at, last_seen_at FROM cc_partner_sessions WHERE id_hash = $1",
            params![id_hash],
        )
        .await
}

/// Records activity; never moves last_seen backwards (nodes race harmlessly).
pub async fn touch_partner_session(
    store: &Store,
    id_hash: String,
    now: i64,
) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE cc_partner_sessions SET last_seen_at = $1 WHERE id_hash = $2 AND last_seen_at < $1",
            params![now, id_hash],
        )
        .await?;
    Ok(())
}

/// Removes sessions idle since `idle_before` or created before `created_before`.
pub async fn prune_partner_sessions(
    store: &Store,
    idle_before: i64,
    created_before: i64,
) -> Result<u64, StoreError> {
    store
        .execute(
            "DELETE FROM cc_partner_sessions WHERE last_seen_at < $1 OR created_at < $2",
            params![idle_before, created_before],
        )
        .await
}
