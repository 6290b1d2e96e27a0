//! Repository of the token service.

use sqlx::FromRow;

use crate::{Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct Token {
    pub id: String,
    pub tenant_id: String,
    pub merchant_id: String,
    pub payment_product_id: i64,
    pub kind: String,
    pub number_fp: String,
    pub number_sealed: String,
    pub view_json: String,
    pub mandate_status: Option<String>,
    pub mandate_cancel_date: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

const COLUMNS: &str =
    "id, tenant_id, merchant_id, payment_product_id, kind, number_fp, number_sealed, view_json, \
     mandate_status, mandate_cancel_date, created_at, updated_at, deleted_at";

/// The live token whose number fingerprint is one of `number_fps` (one per
/// live fingerprint key version).
pub async fn live_by_number(
    store: &Store,
    tenant_id: &str,
    merchant_id: &str,
    kind: &str,
    number_fps: &[String],
) -> Result<Option<Token>, StoreError> {
    if number_fps.is_empty() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM ct_tokens WHERE tenant_id = $1 AND merchant_id = $2 AND kind = $3 AND number_fp IN ({}) \
         AND deleted_at IS NULL ORDER BY created_at, id",
        crate::fingerprints::in_list(4, number_fps.len())
    );
    let mut q = sqlx::query_as::<_, Token>(&sql)
        .bind(tenant_id)
        .bind(merchant_id)
        .bind(kind);
    for fp in number_fps {
        q = q.bind(fp);
    }
    Ok(q.fetch_optional(store.reader()).await?)
}

pub async fn live(
    store: &Store,
    tenant_id: &str,
    merchant_id: &str,
    id: &str,
) -> Result<Option<Token>, StoreError> {
    Ok(sqlx::query_as::<_, Token>(&format!(
        "SELECT {COLUMNS} FROM ct_tokens WHERE tenant_id = $1 AND merchant_id = $2 AND id = $3 AND deleted_at IS NULL"
    ))
    .bind(tenant_id)
    .bind(merchant_id)
    .bind(id)
    .fetch_optional(store.reader())
    .await?)
}

/// What writing a token's number did.
#[derive(Debug, Clone)]
pub enum TokenWrite<T> {
    Written(T),
    /// Another live token of the merchant holds the number
    /// (`ct_tokens_number` decides, also under concurrent requests).
    NumberTaken,
}

fn number_taken<T>(written: Result<T, StoreError>) -> Result<TokenWrite<T>, StoreError> {
    match written {
        Ok(t) => Ok(TokenWrite::Written(t)),
        Err(e) if e.is_unique("ct_tokens_number") => Ok(TokenWrite::NumberTaken),
        Err(e) => Err(e),
    }
}

/// Inserts a token; `NumberTaken` when a live token has the same number
/// (the caller then answers with that token).
pub async fn insert(store: &Store, t: Token) -> Result<TokenWrite<Token>, StoreError> {
    let written = store
        .write(move |c| {
            let t = t.clone();
            Box::pin(async move {
                sqlx::query(&format!("INSERT INTO ct_tokens ({COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)"))
                    .bind(&t.id)
                    .bind(&t.tenant_id)
                    .bind(&t.merchant_id)
                    .bind(t.payment_product_id)
                    .bind(&t.kind)
                    .bind(&t.number_fp)
                    .bind(&t.number_sealed)
                    .bind(&t.view_json)
                    .bind(&t.mandate_status)
                    .bind(&t.mandate_cancel_date)
                    .bind(t.created_at)
                    .bind(t.updated_at)
                    .bind(t.deleted_at)
                    .execute(&mut *c)
                    .await?;
                Ok(t)
            })
        })
        .await;
    number_taken(written)
}

/// Replaces a live token's data: `Written(false)` if it is gone,
/// `NumberTaken` if another live token holds the new number.
pub async fn update(store: &Store, t: Token) -> Result<TokenWrite<bool>, StoreError> {
    let written = store
        .write(move |c| {
            let t = t.clone();
            Box::pin(async move {
                let r = sqlx::query(
                    "UPDATE ct_tokens SET payment_product_id = $1, number_fp = $2, number_sealed = $3, view_json = $4, updated_at = $5, \
                     mandate_status = $9 \
                     WHERE tenant_id = $6 AND merchant_id = $7 AND id = $8 AND deleted_at IS NULL",
                )
                .bind(t.payment_product_id)
                .bind(&t.number_fp)
                .bind(&t.number_sealed)
                .bind(&t.view_json)
                .bind(t.updated_at)
                .bind(&t.tenant_id)
                .bind(&t.merchant_id)
                .bind(&t.id)
                .bind(&t.mandate_status)
                .execute(&mut *c)
                .await?;
                Ok(r.rows_affected() == 1)
            })
        })
        .await;
    number_taken(written)
}

/// Deletes a live token, recording a mandate cancel date when given.
pub async fn delete(
    store: &Store,
    tenant_id: String,
    merchant_id: String,
    id: String,
    mandate_cancel_date: Option<String>,
    now: i64,
) -> Result<bool, StoreError> {
    store
        .write(move |c| {
            let (tenant_id, merchant_id, id, date) = (tenant_id.clone(), merchant_id.clone(), id.clone(), mandate_cancel_date.clone());
            Box::pin(async move {
                let r = sqlx::query(
                    "UPDATE ct_tokens SET deleted_at = $1, updated_at = $1, mandate_cancel_date = COALESCE($2, mandate_cancel_date), \
                     mandate_status = CASE WHEN $2 IS NULL THEN mandate_status ELSE 'CANCELLED' END \
                     WHERE tenant_id = $3 AND merchant_id = $4 AND id = $5 AND deleted_at IS NULL",
                )
                .bind(now)
                .bind(date)
                .bind(&tenant_id)
                .bind(&merchant_id)
                .bind(&id)
                .execute(&mut *c)
                .await?;
                Ok(r.rows_affected() == 1)
            })
        })
        .await
}

/// Approves a live SEPA token's mandate, storing its approval block.
pub async fn approve(
    store: &Store,
    tenant_id: String,
    merchant_id: String,
    id: String,
    view_json: String,
    now: i64,
) -> Result<bool, StoreError> {
    store
        .write(move |c| {
            let (tenant_id, merchant_id, id, view_json) = (tenant_id.clone(), merchant_id.clone(), id.clone(), view_json.clone());
            Box::pin(async move {
                let r = sqlx::query(
                    "UPDATE ct_tokens SET mandate_status = 'APPROVED', view_json = $1, updated_at = $2 \
                     WHERE tenant_id = $3 AND merchant_id = $4 AND id = $5 AND kind = 'sepaDirectDebit' AND deleted_at IS NULL",
                )
                .bind(&view_json)
                .bind(now)
                .bind(&tenant_id)
                .bind(&merchant_id)
                .bind(&id)
                .execute(&mut *c)
                .await?;
                Ok(r.rows_affected() == 1)
            })
        })
        .await
}

/// A token whether live or deleted (for audits and tests).
pub async fn any(store: &Store, tenant_id: &str, id: &str) -> Result<Option<Token>, StoreError> {
    Ok(sqlx::query_as::<_, Token>(&format!(
        "SELECT {COLUMNS} FROM ct_tokens WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(store.reader())
    .await?)
}

/// What a request with an idempotence key finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: the caller runs the request and calls `finish_idempotence`.
    Fresh,
    /// Answered before: replay this.
    Replay {
        status: i64,
        body: String,
        created_at: i64,
    },
    /// Another request with this key is running.
    InProgress,
}

/// Claims a key. A claim left in progress for longer than `stale_before`
/// (its request died) is taken over.
pub async fn claim_idempotence(
    store: &Store,
    tenant_id: String,
    merchant_id: String,
    key: String,
    now: i64,
    stale_before: i64,
) -> Result<Claim, StoreError> {
    store
        .write(move |c| {
            let (tenant_id, merchant_id, key) = (tenant_id.clone(), merchant_id.clone(), key.clone());
            Box::pin(async move {
                use sqlx::Row;
                let row = sqlx::query(
                    "SELECT state, status, body, created_at FROM ct_idempotence WHERE tenant_id = $1 AND merchant_id = $2 AND idem_key = $3",
                )
                .bind(&tenant_id)
                .bind(&merchant_id)
                .bind(&key)
                .fetch_optional(&mut *c)
                .await?;
                if let Some(r) = row {
                    let state: String = r.get(0);
                    let created_at: i64 = r.get(3);
                    if state == "done" {
                        return Ok(Claim::Replay { status: r.get::<Option<i64>, _>(1).unwrap_or(500), body: r.get::<Option<String>, _>(2).unwrap_or_default(), created_at });
                    }
                    if created_at >= stale_before {
                        return Ok(Claim::InProgress);
                    }
                    sqlx::query("DELETE FROM ct_idempotence WHERE tenant_id = $1 AND merchant_id = $2 AND idem_key = $3")
                        .bind(&tenant_id)
                        .bind(&merchant_id)
                        .bind(&key)
                        .execute(&mut *c)
                        .await?;
                }
                // The primary key settles a race between two first uses (PostgreSQL).
                sqlx::query(
                    "INSERT INTO ct_idempotence (tenant_id, merchant_id, idem_key, state, created_at) VALUES ($1, $2, $3, 'in_progress', $4)",
                )
                .bind(&tenant_id)
                .bind(&merchant_id)
                .bind(&key)
                .bind(now)
                .execute(&mut *c)
                .await?;
                Ok(Claim::Fresh)
            })
        })
        .await
        .or_else(|e| if e.is_unique("ct_idempotence_pkey") { Ok(Claim::InProgress) } else { Err(e) })
}

/// Records the answer to a claimed key.
pub async fn finish_idempotence(
    store: &Store,
    tenant_id: String,
    merchant_id: String,
    key: String,
    status: i64,
    body: String,
) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let (tenant_id, merchant_id, key, body) = (tenant_id.clone(), merchant_id.clone(), key.clone(), body.clone());
            Box::pin(async move {
                sqlx::query(
                    "UPDATE ct_idempotence SET state = 'done', status = $1, body = $2 WHERE tenant_id = $3 AND merchant_id = $4 AND idem_key = $5",
                )
                .bind(status)
                .bind(&body)
                .bind(&tenant_id)
                .bind(&merchant_id)
                .bind(&key)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
}

/// Frees a key: a claim whose request failed on our side (`only_in_progress`),
/// or an answered key whose time is up.
pub async fn release_idempotence(
    store: &Store,
    tenant_id: String,
    merchant_id: String,
    key: String,
    only_in_progress: bool,
) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let (tenant_id, merchant_id, key) = (tenant_id.clone(), merchant_id.clone(), key.clone());
            Box::pin(async move {
                sqlx::query(
                    "DELETE FROM ct_idempotence WHERE tenant_id = $1 AND merchant_id = $2 AND idem_key = $3 \
                     AND ($4 = 0 OR state = 'in_progress')",
                )
                .bind(&tenant_id)
                .bind(&merchant_id)
                .bind(&key)
                .bind(only_in_progress as i64)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
}

// ---------- client sessions and their keys ----------

#[derive(Debug, Clone, FromRow)]
pub struct ClientKey {
    pub key_id: String,
    pub tenant_id: String,
    pub private_sealed: String,
    pub public_der_b64: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct ClientSession {
    pub id: String,
    pub tenant_id: String,
    pub merchant_id: String,
    pub customer_id: String,
    pub key_id: String,
    pub created_at: i64,
    pub expires_at: i64,
}

const KEY_COLUMNS: &str = "key_id, tenant_id, private_sealed, public_der_b64, created_at";

/// The tenant's newest client key.
pub async fn current_client_key(
    store: &Store,
    tenant_id: &str,
) -> Result<Option<ClientKey>, StoreError> {
    Ok(sqlx::query_as::<_, ClientKey>(&format!(
        "SELECT {KEY_COLUMNS} FROM ct_client_keys WHERE tenant_id = $1 ORDER BY created_at DESC, key_id DESC LIMIT 1"
    ))
    .bind(tenant_id)
    .fetch_optional(store.reader())
    .await?)
}

pub async fn client_key(
    store: &Store,
    tenant_id: &str,
    key_id: &str,
) -> Result<Option<ClientKey>, StoreError> {
    Ok(sqlx::query_as::<_, ClientKey>(&format!(
        "SELECT {KEY_COLUMNS} FROM ct_client_keys WHERE tenant_id = $1 AND key_id = $2"
    ))
    .bind(tenant_id)
    .bind(key_id)
    .fetch_optional(store.reader())
    .await?)
}

pub async fn insert_client_key(store: &Store, k: ClientKey) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let k = k.clone();
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO ct_client_keys (key_id, tenant_id, private_sealed, public_der_b64, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&k.key_id)
                .bind(&k.tenant_id)
                .bind(&k.private_sealed)
                .bind(&k.public_der_b64)
                .bind(k.created_at)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
}

pub async fn insert_client_session(store: &Store, s: ClientSession) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let s = s.clone();
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO ct_client_sessions (id, tenant_id, merchant_id, customer_id, key_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&s.id)
                .bind(&s.tenant_id)
                .bind(&s.merchant_id)
                .bind(&s.customer_id)
                .bind(&s.key_id)
                .bind(s.created_at)
                .bind(s.expires_at)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
}

pub async fn client_session(store: &Store, id: &str) -> Result<Option<ClientSession>, StoreError> {
    Ok(sqlx::query_as::<_, ClientSession>(
        "SELECT id, tenant_id, merchant_id, customer_id, key_id, created_at, expires_at FROM ct_client_sessions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.reader())
    .await?)
}

/// Whether an encryptedCustomerInput is submitted for the first time.
pub enum InputUse {
    First,
    AlreadySubmitted,
}

/// Records an encryptedCustomerInput (by hash) as submitted, until its
/// client session expires; one already recorded is `AlreadySubmitted`.
/// Expired records are removed in the same write, so the table stays small.
pub async fn use_encrypted_input(
    store: &Store,
    tenant_id: String,
    input_hash: String,
    expires_at: i64,
    now: i64,
) -> Result<InputUse, StoreError> {
    store
        .write(move |c| {
            let (tenant_id, input_hash) = (tenant_id.clone(), input_hash.clone());
            Box::pin(async move {
                sqlx::query("DELETE FROM ct_used_inputs WHERE expires_at < $1")
                    .bind(now)
                    .execute(&mut *c)
                    .await?;
                let r = sqlx::query(
                    "INSERT INTO ct_used_inputs (tenant_id, input_hash, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (tenant_id, input_hash) DO NOTHING",
                )
                .bind(&tenant_id)
                .bind(&input_hash)
                .bind(expires_at)
                .execute(&mut *c)
                .await?;
                Ok(if r.rows_affected() == 1 {
                    InputUse::First
                } else {
                    InputUse::AlreadySubmitted
                })
            })
        })
        .await
}
