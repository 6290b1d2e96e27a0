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
        .write(move |c| {
            let (id_hash, tenant_id, device_hash) = (id_hash.clone(), tenant_id.clone(), device_hash.clone());
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO cc_partner_sessions (id_hash, tenant_id, device_hash, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(id_hash)
                .bind(tenant_id)
                .bind(device_hash)
                .bind(now)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
}

pub async fn get_partner_session(
    store: &Store,
    id_hash: &str,
) -> Result<Option<PartnerSession>, StoreError> {
    Ok(sqlx::query_as::<_, PartnerSession>(
        "SELECT tenant_id, device_hash, created_at, last_seen_at FROM cc_partner_sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(store.reader())
    .await?)
}

/// Records activity; never moves last_seen backwards (nodes race harmlessly).
pub async fn touch_partner_session(
    store: &Store,
    id_hash: String,
    now: i64,
) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let id_hash = id_hash.clone();
            Box::pin(async move {
                sqlx::query("UPDATE cc_partner_sessions SET last_seen_at = $1 WHERE id_hash = $2 AND last_seen_at < $1")
                    .bind(now)
                    .bind(id_hash)
                    .execute(&mut *c)
                    .await?;
                Ok(())
            })
        })
        .await
}

/// Removes sessions idle since `idle_before` or created before `created_before`.
pub async fn prune_partner_sessions(
    store: &Store,
    idle_before: i64,
    created_before: i64,
) -> Result<u64, StoreError> {
    store
        .write(move |c| {
            Box::pin(async move {
                let r = sqlx::query(
                    "DELETE FROM cc_partner_sessions WHERE last_seen_at < $1 OR created_at < $2",
                )
                .bind(idle_before)
                .bind(created_before)
                .execute(&mut *c)
                .await?;
                Ok(r.rows_affected())
            })
        })
        .await
}
