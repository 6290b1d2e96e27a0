//! Repository of the token service.

use sqlx::FromRow;

use crate::query::{self, Table};
use crate::{params, Store, StoreError};

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

const TOKENS: Table<Token> = Table::new("ct_tokens", COLUMNS);

/// The live token whose number fingerprint is one of `number_fps` (one per
/// live fingerprint key version).
pub async fn live_by_number(
    store: &Store,
    tenant_id: &str,
    merchant_id: &str,
    kind: &str,
    number_fps: &[String],
) -> Result<Option<Token>, StoreError> {
    let live = "tenant_id = $1 AND merchant_id = $2 AND kind = $3 AND deleted_at IS NULL";
    let params = params![tenant_id, merchant_id, kind];
    TOKENS
        .find_by_fingerprint(
            store,
            (live, params),
            "number_fp",
            number_fps,
            "created_at, id",
        )
        .await
}

pub async fn live(
    store: &Store,
    tenant_id: &str,
    merchant_id: &str,
    id: &str,
) -> Result<Option<Token>, StoreError> {
    TOKENS
        .find(
            store,
            "tenant_id = $1 AND merchant_id = $2 AND id = $3 AND deleted_at IS NULL",
            params![tenant_id, merchant_id, id],
        )
        .await
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
        .execute(
            &format!("INSERT INTO ct_tokens ({COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)"),
            params![
                &t.id, &t.tenant_id, &t.merchant_id, t.payment_product_id, &t.kind, &t.number_fp,
                &t.number_sealed, &t.view_json, &t.mandate_status, &t.mandate_cancel_date, t.created_at,
                t.updated_at, t.deleted_at,
            ],
        )
        .await;
    number_taken(written.map(|_| t))
}

/// Replaces a live token's data: `Written(false)` if it is gone,
/// `NumberTaken` if another live token holds the new number.
pub async fn update(store: &Store, t: Token) -> Result<TokenWrite<bool>, StoreError> {
    let written = store
        .execute(
            "UPDATE ct_tokens SET payment_product_id = $1, number_fp = $2, number_sealed = $3, view_json = $4, updated_at = $5, \
             mandate_status = $9 \
             WHERE tenant_id = $6 AND merchant_id = $7 AND id = $8 AND deleted_at IS NULL",
            params![
                t.payment_product_id, t.number_fp, t.number_sealed, t.view_json, t.updated_at, t.tenant_id,
                t.merchant_id, t.id, t.mandate_status,
            ],
        )
        .await;
    number_taken(written.map(|n| n == 1))
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
    let n = store
        .execute(
            "UPDATE ct_tokens SET deleted_at = $1, updated_at = $1, mandate_cancel_date = COALESCE($2, mandate_cancel_date), \
             mandate_status = CASE WHEN $2 IS NULL THEN mandate_status ELSE 'CANCELLED' END \
             WHERE tenant_id = $3 AND merchant_id = $4 AND id = $5 AND deleted_at IS NULL",
            params![now, mandate_cancel_date, tenant_id, merchant_id, id],
        )
        .await?;
    Ok(n == 1)
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
    let n = store
        .execute(
            "UPDATE ct_tokens SET mandate_status = 'APPROVED', view_json = $1, updated_at = $2 \
             WHERE tenant_id = $3 AND merchant_id = $4 AND id = $5 AND kind = 'sepaDirectDebit' AND deleted_at IS NULL",
            params![view_json, now, tenant_id, merchant_id, id],
        )
        .await?;
    Ok(n == 1)
}

/// A token whether live or deleted (for audits and tests).
pub async fn any(store: &Store, tenant_id: &str, id: &str) -> Result<Option<Token>, StoreError> {
    TOKENS
        .find(store, "tenant_id = $1 AND id = $2", params![tenant_id, id])
        .await
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

/// The WHERE clause naming one idempotence key as ($1, $2, $3).
const KEY_IS: &str = "tenant_id = $1 AND merchant_id = $2 AND idem_key = $3";

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
    let key_params = params![tenant_id, merchant_id, key];
    store
        .write(move |c| {
            let key_params = key_params.clone();
            Box::pin(async move {
                let row: Option<(String, Option<i64>, Option<String>, i64)> = query::fetch_optional(
                    c,
                    &format!("SELECT state, status, body, created_at FROM ct_idempotence WHERE {KEY_IS}"),
                    key_params.clone(),
                )
                .await?;
                if let Some((state, status, body, created_at)) = row {
                    if state == "done" {
                        return Ok(Claim::Replay { status: status.unwrap_or(500), body: body.unwrap_or_default(), created_at });
                    }
                    if created_at >= stale_before {
                        return Ok(Claim::InProgress);
                    }
                    query::execute(c, &format!("DELETE FROM ct_idempotence WHERE {KEY_IS}"), key_params.clone()).await?;
                }
                // The primary key settles a race between two first uses (PostgreSQL).
                query::execute(
                    c,
                    "INSERT INTO ct_idempotence (tenant_id, merchant_id, idem_key, state, created_at) VALUES ($1, $2, $3, 'in_progress', $4)",
                    [key_params, params![now]].concat(),
                )
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
        .execute(
            "UPDATE ct_idempotence SET state = 'done', status = $1, body = $2 WHERE tenant_id = $3 AND merchant_id = $4 AND idem_key = $5",
            params![status, body, tenant_id, merchant_id, key],
        )
        .await?;
    Ok(())
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
        .execute(
            &format!(
                "DELETE FROM ct_idempotence WHERE {KEY_IS} AND ($4 = 0 OR state = 'in_progress')"
            ),
            params![tenant_id, merchant_id, key, only_in_progress],
        )
        .await?;
    Ok(())
}

/// Deletes idempotence records made before `made_before`: past their window
/// a key is free again anyway (and the kept answer goes with it).
pub async fn prune_idempotence(store: &Store, made_before: i64) -> Result<u64, StoreError> {
    store
        .delete_before(&[("ct_idempotence", "created_at")], made_before)
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
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM ct_client_keys WHERE tenant_id = $1 ORDER BY created_at DESC, key_id DESC LIMIT 1"
    );
    store.fetch_optional(&sql, params![tenant_id]).await
}

pub async fn client_key(
    store: &Store,
    tenant_id: &str,
    key_id: &str,
) -> Result<Option<ClientKey>, StoreError> {
    let sql =
        format!("SELECT {KEY_COLUMNS} FROM ct_client_keys WHERE tenant_id = $1 AND key_id = $2");
    store.fetch_optional(&sql, params![tenant_id, key_id]).await
}

pub async fn insert_client_key(store: &Store, k: ClientKey) -> Result<(), StoreError> {
    store
        .execute(
            "INSERT INTO ct_client_keys (key_id, tenant_id, private_sealed, public_der_b64, created_at) VALUES ($1, $2, $3, $4, $5)",
            params![k.key_id, k.tenant_id, k.private_sealed, k.public_der_b64, k.created_at],
        )
        .await?;
    Ok(())
}

pub async fn insert_client_session(store: &Store, s: ClientSession) -> Result<(), StoreError> {
    store
        .execute(
            "INSERT INTO ct_client_sessions (id, tenant_id, merchant_id, customer_id, key_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![s.id, s.tenant_id, s.merchant_id, s.customer_id, s.key_id, s.created_at, s.expires_at],
        )
        .await?;
    Ok(())
}

pub async fn client_session(store: &Store, id: &str) -> Result<Option<ClientSession>, StoreError> {
    store
        .fetch_optional(
            "SELECT id, tenant_id, merchant_id, customer_id, key_id, created_at, expires_at FROM ct_client_sessions WHERE id = $1",
            params![id],
        )
        .await
}

/// Deletes client sessions that expired before `expired_before`, and the
/// encrypted inputs recorded under sessions that did (an input is recorded
/// until its session's expiry).
pub async fn prune_client_sessions(store: &Store, expired_before: i64) -> Result<u64, StoreError> {
    let tables = &[
        ("ct_client_sessions", "expires_at"),
        ("ct_used_inputs", "expires_at"),
    ];
    store.delete_before(tables, expired_before).await
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
                query::execute(c, "DELETE FROM ct_used_inputs WHERE expires_at < $1", params![now]).await?;
                let n = query::execute(
                    c,
                    "INSERT INTO ct_used_inputs (tenant_id, input_hash, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (tenant_id, input_hash) DO NOTHING",
                    params![tenant_id, input_hash, expires_at],
                )
                .await?;
                Ok(if n == 1 {
                    InputUse::First
                } else {
                    InputUse::AlreadySubmitted
                })
            })
        })
        .await
}
