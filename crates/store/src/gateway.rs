//! Repository of the payout gateway: seen signatures, allowed hosts, capture
//! sessions, their idempotency keys and one-time URLs.

use sqlx::{FromRow, Row};

use crate::tenants::AdminError;
use crate::{Abort, Store, StoreError};

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
                let r = sqlx::query(
                    "INSERT INTO gw_seen_signatures (signature_hash, expires_at, tenant_id) VALUES ($1, $2, $3) \
                     ON CONFLICT (signature_hash) DO NOTHING",
                )
                .bind(&signature_hash)
                .bind(expires_at)
                .bind(&tenant_id)
                .execute(&mut *c)
                .await?;
                if r.rows_affected() == 1 {
                    return Ok(SignatureClaim::Fresh);
                }
                let row = sqlx::query(
                    "SELECT answer_status, answer_sealed FROM gw_seen_signatures WHERE signature_hash = $1",
                )
                .bind(&signature_hash)
                .fetch_optional(&mut *c)
                .await?;
                let answer = row.and_then(|r| {
                    let status: Option<i64> = r.get(0);
                    let sealed: Option<String> = r.get(1);
                    status.zip(sealed)
                });
                Ok(match answer {
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
        .write(move |c| {
            let (signature_hash, sealed) = (signature_hash.clone(), sealed.clone());
            Box::pin(async move {
                sqlx::query(
                    "UPDATE gw_seen_signatures SET answer_status = $1, answer_sealed = $2 WHERE signature_hash = $3",
                )
                .bind(status)
                .bind(&sealed)
                .bind(&signature_hash)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
}

/// Frees a claimed signature whose request failed on our side (5xx), so a
/// retry runs again.
pub async fn release_signature(store: &Store, signature_hash: String) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let signature_hash = signature_hash.clone();
            Box::pin(async move {
                sqlx::query("DELETE FROM gw_seen_signatures WHERE signature_hash = $1")
                    .bind(&signature_hash)
                    .execute(&mut *c)
                    .await?;
                Ok(())
            })
        })
        .await
}

pub async fn prune_signatures(store: &Store, now: i64) -> Result<u64, StoreError> {
    store
        .write(move |c| {
            Box::pin(async move {
                let r = sqlx::query("DELETE FROM gw_seen_signatures WHERE expires_at < $1")
                    .bind(now)
                    .execute(&mut *c)
                    .await?;
                Ok(r.rows_affected())
            })
        })
        .await
}

/// Deletes idempotency records (session and payment keys) made before
/// `expired_before`: past their window a key is free again anyway.
pub async fn prune_idempotency_keys(store: &Store, expired_before: i64) -> Result<u64, StoreError> {
    store
        .write(move |c| {
            Box::pin(async move {
                let a = sqlx::query("DELETE FROM gw_idempotency WHERE created_at < $1")
                    .bind(expired_before)
                    .execute(&mut *c)
                    .await?;
                let b = sqlx::query("DELETE FROM gw_payment_keys WHERE created_at < $1")
                    .bind(expired_before)
                    .execute(&mut *c)
                    .await?;
                Ok(a.rows_affected() + b.rows_affected())
            })
        })
        .await
}

pub async fn allowed_hosts(store: &Store, tenant_id: &str) -> Result<Vec<String>, StoreError> {
    let rows =
        sqlx::query("SELECT host FROM gw_allowed_hosts WHERE tenant_id = $1 ORDER BY position")
            .bind(tenant_id)
            .fetch_all(store.reader())
            .await?;
    Ok(rows.into_iter().map(|r| r.get(0)).collect())
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
                sqlx::query("DELETE FROM gw_allowed_hosts WHERE tenant_id = $1").bind(&tenant_id).execute(&mut *c).await?;
                for (i, h) in hosts.iter().enumerate() {
                    sqlx::query("INSERT INTO gw_allowed_hosts (tenant_id, position, host) VALUES ($1, $2, $3)")
                        .bind(&tenant_id)
                        .bind(i as i64)
                        .bind(h)
                        .execute(&mut *c)
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
    Ok(sqlx::query_as::<_, Session>(&format!(
        "SELECT {SESSION_COLUMNS} FROM gw_sessions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(store.reader())
    .await?)
}

/// A live idempotency record: (request hash, session id), if the key was
/// used by this tenant since `since`.
pub async fn find_idempotency_key(
    store: &Store,
    tenant_id: &str,
    key: &str,
    since: i64,
) -> Result<Option<(String, String)>, StoreError> {
    let row = sqlx::query(
        "SELECT request_hash, session_id FROM gw_idempotency WHERE tenant_id = $1 AND idem_key = $2 AND created_at >= $3",
    )
    .bind(tenant_id)
    .bind(key)
    .bind(since)
    .fetch_optional(store.reader())
    .await?;
    Ok(row.map(|r| (r.get(0), r.get(1))))
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
                    sqlx::query("DELETE FROM gw_idempotency WHERE tenant_id = $1 AND idem_key = $2 AND created_at < $3")
                        .bind(&s.tenant_id)
                        .bind(k)
                        .bind(expired_before)
                        .execute(&mut *c)
                        .await?;
                }
                sqlx::query(&format!("INSERT INTO gw_sessions ({SESSION_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"))
                    .bind(&s.id)
                    .bind(&s.tenant_id)
                    .bind(&s.participant_unique_id1)
                    .bind(&s.participant_unique_id2)
                    .bind(&s.host_uri)
                    .bind(&s.recipient_json)
                    .bind(&s.status)
                    .bind(s.attempts)
                    .bind(s.created_at)
                    .bind(s.updated_at)
                    .execute(&mut *c)
                    .await?;
                if let Some((k, hash)) = &key {
                    sqlx::query(
                        "INSERT INTO gw_idempotency (tenant_id, idem_key, request_hash, session_id, created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&s.tenant_id)
                    .bind(k)
                    .bind(hash)
                    .bind(&s.id)
                    .bind(s.created_at)
                    .execute(&mut *c)
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
    c: &mut sqlx::AnyConnection,
    session_id: &str,
    url: &SessionUrl,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO gw_session_urls (url_hash, session_id, expires_at, opened_at) VALUES ($1, $2, $3, NULL)")
        .bind(&url.url_hash)
        .bind(session_id)
        .bind(url.expires_at)
        .execute(&mut *c)
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
                let r = sqlx::query(
                    "UPDATE gw_session_urls SET opened_at = $1 WHERE url_hash = $2 AND opened_at IS NULL AND expires_at >= $1",
                )
                .bind(now)
                .bind(&url_hash)
                .execute(&mut *c)
                .await?;
                if r.rows_affected() != 1 {
                    let opened: Option<Option<i64>> =
                        sqlx::query("SELECT opened_at FROM gw_session_urls WHERE url_hash = $1")
                            .bind(&url_hash)
                            .fetch_optional(&mut *c)
                            .await?
                            .map(|r| r.get(0));
                    return Ok(match opened {
                        Some(Some(_)) => UrlOpen::AlreadyOpened,
                        _ => UrlOpen::Unusable,
                    });
                }
                let id: String = sqlx::query("SELECT session_id FROM gw_session_urls WHERE url_hash = $1")
                    .bind(&url_hash)
                    .fetch_one(&mut *c)
                    .await?
                    .get(0);
                Ok(UrlOpen::Opened(id))
            })
        })
        .await
}

// ---------- tokenized accounts ----------

#[derive(Debug, Clone, FromRow)]
pub struct Account {
    pub token: String,
    pub tenant_id: String,
    pub account_type: String,
    pub fp: String,
    pub account_sealed: String,
    pub last4: String,
    pub details_json: String,
    pub created_at: i64,
}

const ACCOUNT_COLUMNS: &str =
    "token, tenant_id, account_type, fp, account_sealed, last4, details_json, created_at";

pub async fn account_by_token(
    store: &Store,
    tenant_id: &str,
    token: &str,
) -> Result<Option<Account>, StoreError> {
    Ok(sqlx::query_as::<_, Account>(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM gw_accounts WHERE tenant_id = $1 AND token = $2"
    ))
    .bind(tenant_id)
    .bind(token)
    .fetch_optional(store.reader())
    .await?)
}

/// The tokenized account whose fingerprint is one of `fps` (one per live
/// fingerprint key version).
pub async fn account_by_fp(
    store: &Store,
    tenant_id: &str,
    fps: &[String],
) -> Result<Option<Account>, StoreError> {
    if fps.is_empty() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM gw_accounts WHERE tenant_id = $1 AND fp IN ({}) ORDER BY created_at, token",
        crate::fingerprints::in_list(2, fps.len())
    );
    let mut q = sqlx::query_as::<_, Account>(&sql).bind(tenant_id);
    for fp in fps {
        q = q.bind(fp);
    }
    Ok(q.fetch_optional(store.reader()).await?)
}

/// What tokenizing an account gave.
#[derive(Debug, Clone)]
pub enum Tokenized {
    New(Account),
    /// The same data was tokenized first (by a concurrent request): its account.
    Existing(Account),
}

/// Stores a tokenized account, or returns the one the same data already
/// made (the unique fingerprint decides, also under concurrent requests).
pub async fn tokenize(store: &Store, a: Account) -> Result<Tokenized, StoreError> {
    let (tenant_id, fp) = (a.tenant_id.clone(), a.fp.clone());
    let inserted = store
        .write(move |c| {
            let a = a.clone();
            Box::pin(async move {
                sqlx::query(&format!(
                    "INSERT INTO gw_accounts ({ACCOUNT_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)"
                ))
                .bind(&a.token)
                .bind(&a.tenant_id)
                .bind(&a.account_type)
                .bind(&a.fp)
                .bind(&a.account_sealed)
                .bind(&a.last4)
                .bind(&a.details_json)
                .bind(a.created_at)
                .execute(&mut *c)
                .await?;
                Ok(a)
            })
        })
        .await;
    match inserted {
        Ok(a) => Ok(Tokenized::New(a)),
        Err(e) if e.is_unique("gw_accounts_fp") => {
            match account_by_fp(store, &tenant_id, &[fp]).await? {
                Some(a) => Ok(Tokenized::Existing(a)),
                // The index saw a row this read cannot: not an outcome.
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Biller {
    pub payee_id: String,
    pub name: String,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub account_pattern: String,
    pub posting_days: i64,
}

const BILLER_COLUMNS: &str =
    "payee_id, name, address, city, state, zip, account_pattern, posting_days";

pub async fn biller(store: &Store, payee_id: &str) -> Result<Option<Biller>, StoreError> {
    Ok(sqlx::query_as::<_, Biller>(&format!(
        "SELECT {BILLER_COLUMNS} FROM gw_billers WHERE payee_id = $1"
    ))
    .bind(payee_id)
    .fetch_optional(store.reader())
    .await?)
}

/// Billers whose name contains `name` (case-insensitive), up to `limit`.
pub async fn search_billers(
    store: &Store,
    name: &str,
    limit: i64,
) -> Result<Vec<Biller>, StoreError> {
    let pattern = format!(
        "%{}%",
        name.to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    Ok(sqlx::query_as::<_, Biller>(&format!(
        "SELECT {BILLER_COLUMNS} FROM gw_billers WHERE LOWER(name) LIKE $1 ESCAPE '\\' ORDER BY name, payee_id LIMIT $2"
    ))
    .bind(pattern)
    .bind(limit)
    .fetch_all(store.reader())
    .await?)
}

// ---------- payments and the ledger ----------

#[derive(Debug, Clone, FromRow)]
pub struct Payment {
    pub id: String,
    pub tenant_id: String,
    pub token: String,
    pub account_type: String,
    pub amount_cents: i64,
    pub status: String,
    pub participant_unique_id1: String,
    pub participant_unique_id2: String,
    pub estimated_posting_time: String,
    pub estimated_posting_date: String,
    pub print_at: Option<i64>,
    pub created_at: i64,
    pub cancelled_at: Option<i64>,
}

pub const PAYMENT_ACCEPTED: &str = "accepted";
pub const PAYMENT_CANCELLED: &str = "cancelled";

const PAYMENT_COLUMNS: &str = "id, tenant_id, token, account_type, amount_cents, status, participant_unique_id1, \
     participant_unique_id2, estimated_posting_time, estimated_posting_date, print_at, created_at, cancelled_at";

/// A velocity limit checked in the payment's transaction.
#[derive(Debug, Clone)]
pub struct Velocity {
    pub scope: String,
    pub day: String,
    pub limit_cents: i64,
    /// The refusal the caller maps to its status code.
    pub refusal: &'static str,
}

/// A limit's counter for the day, the payment included.
#[derive(Debug, Clone, Copy)]
pub struct Counted<'a> {
    pub limit: &'a Velocity,
    pub total_cents: i64,
}

/// The rule deciding whether counted totals refuse the payment: the
/// refusal of the limit exceeded, if any (the caller's, in its product core).
pub type OverLimit = fn(&[Counted<'_>]) -> Option<&'static str>;

/// What recording a payment did.
#[derive(Debug, Clone)]
pub enum RecordPayment {
    Recorded(Box<Payment>),
    /// A concurrent payment with the same Idempotency-Key was recorded first.
    KeyTaken,
    /// The `refusal` of the velocity limit the payment would exceed; nothing
    /// was recorded.
    OverLimit(&'static str),
}

/// The ledger accounts a payout moves money between.
pub fn funding_account(tenant_id: &str) -> String {
    format!("tenant:{tenant_id}:funding")
}

pub fn payout_account(account_type: &str) -> String {
    format!("payouts:{account_type}")
}

/// Both entries of a transaction in one statement (one round trip).
async fn entries(
    c: &mut sqlx::AnyConnection,
    tx: &str,
    tenant_id: &str,
    pair: [(String, i64); 2],
    kind: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO ledger_entries (id, transaction_id, tenant_id, account, amount_cents, kind, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7), ($8,$2,$3,$9,$10,$6,$7)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(tx)
    .bind(tenant_id)
    .bind(&pair[0].0)
    .bind(pair[0].1)
    .bind(kind)
    .bind(now)
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&pair[1].0)
    .bind(pair[1].1)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Every velocity counter of a payment in one upsert (one round trip),
/// returning the day's totals in the order of `limits`. The upsert locks the
/// counter rows (PostgreSQL) or runs in the single writer (SQLite), so
/// concurrent payments cannot both slip under a limit.
async fn bump_all<'a>(
    c: &mut sqlx::AnyConnection,
    tenant_id: &str,
    limits: &'a [Velocity],
    amount: i64,
) -> Result<Vec<Counted<'a>>, StoreError> {
    if limits.is_empty() {
        return Ok(Vec::new());
    }
    let values: Vec<String> = (0..limits.len())
        .map(|i| format!("($1, ${}, ${}, $2)", 3 + 2 * i, 4 + 2 * i))
        .collect();
    let sql = format!(
        "INSERT INTO gw_velocity (tenant_id, scope, day, total_cents) VALUES {} \
         ON CONFLICT (tenant_id, scope, day) DO UPDATE SET total_cents = gw_velocity.total_cents + excluded.total_cents \
         RETURNING scope, total_cents",
        values.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(tenant_id).bind(amount);
    for v in limits {
        q = q.bind(&v.scope).bind(&v.day);
    }
    let totals: Vec<(String, i64)> = q
        .fetch_all(&mut *c)
        .await?
        .into_iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    Ok(limits
        .iter()
        .filter_map(|limit| {
            let (_, total_cents) = totals.iter().find(|(scope, _)| *scope == limit.scope)?;
            Some(Counted {
                limit,
                total_cents: *total_cents,
            })
        })
        .collect())
}

/// A payment's Idempotency-Key and the hash of the request it came with.
#[derive(Debug, Clone)]
pub struct PaymentKey {
    pub key: String,
    pub request_hash: String,
    /// Records of the key older than this are expired: the key is free.
    pub expired_before: i64,
}

/// Records a payment, its two ledger entries, its velocity and its
/// Idempotency-Key, atomically. A second payment with the same key is
/// `KeyTaken` (`gw_payment_keys_pkey` decides); when `over_limit` finds a
/// counted total over its limit the whole write is rolled back and the
/// payment is `OverLimit`.
pub async fn record_payment(
    store: &Store,
    p: Payment,
    limits: Vec<Velocity>,
    key: Option<PaymentKey>,
    over_limit: OverLimit,
) -> Result<RecordPayment, StoreError> {
    let recorded = store
        .write_or_refuse(move |c| {
            let (p, limits, key) = (p.clone(), limits.clone(), key.clone());
            Box::pin(async move {
                if let Some(k) = &key {
                    sqlx::query("DELETE FROM gw_payment_keys WHERE tenant_id = $1 AND idem_key = $2 AND created_at < $3")
                        .bind(&p.tenant_id)
                        .bind(&k.key)
                        .bind(k.expired_before)
                        .execute(&mut *c)
                        .await?;
                }
                sqlx::query(&format!("INSERT INTO gw_payments ({PAYMENT_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)"))
                    .bind(&p.id)
                    .bind(&p.tenant_id)
                    .bind(&p.token)
                    .bind(&p.account_type)
                    .bind(p.amount_cents)
                    .bind(&p.status)
                    .bind(&p.participant_unique_id1)
                    .bind(&p.participant_unique_id2)
                    .bind(&p.estimated_posting_time)
                    .bind(&p.estimated_posting_date)
                    .bind(p.print_at)
                    .bind(p.created_at)
                    .bind(p.cancelled_at)
                    .execute(&mut *c)
                    .await?;
                let counted = bump_all(c, &p.tenant_id, &limits, p.amount_cents).await?;
                if let Some(refusal) = over_limit(&counted) {
                    return Err(Abort::Refused(refusal));
                }
                entries(
                    c,
                    &p.id,
                    &p.tenant_id,
                    [(funding_account(&p.tenant_id), -p.amount_cents), (payout_account(&p.account_type), p.amount_cents)],
                    "payout",
                    p.created_at,
                )
                .await?;
                if let Some(k) = &key {
                    sqlx::query(
                        "INSERT INTO gw_payment_keys (tenant_id, idem_key, request_hash, payment_id, created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&p.tenant_id)
                    .bind(&k.key)
                    .bind(&k.request_hash)
                    .bind(&p.id)
                    .bind(p.created_at)
                    .execute(&mut *c)
                    .await?;
                }
                Ok(p)
            })
        })
        .await;
    match recorded {
        Ok(Ok(p)) => Ok(RecordPayment::Recorded(Box::new(p))),
        Ok(Err(refusal)) => Ok(RecordPayment::OverLimit(refusal)),
        Err(e) if e.is_unique("gw_payment_keys_pkey") => Ok(RecordPayment::KeyTaken),
        Err(e) => Err(e),
    }
}

/// The payment an Idempotency-Key made since `since`, with the hash of the
/// request that made it.
pub async fn payment_by_key(
    store: &Store,
    tenant_id: &str,
    key: &str,
    since: i64,
) -> Result<Option<(String, Payment)>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT request_hash, payment_id FROM gw_payment_keys WHERE tenant_id = $1 AND idem_key = $2 AND created_at >= $3",
    )
    .bind(tenant_id)
    .bind(key)
    .bind(since)
    .fetch_optional(store.reader())
    .await?
    else {
        return Ok(None);
    };
    let (hash, id): (String, String) = (row.get(0), row.get(1));
    Ok(payment(store, tenant_id, &id).await?.map(|p| (hash, p)))
}

/// A tenant's payments carrying a participant_unique_id1 (its correlation
/// id: a customer or account of the partner's), newest first.
pub async fn payments_by_uid1(
    store: &Store,
    tenant_id: &str,
    uid1: &str,
) -> Result<Vec<Payment>, StoreError> {
    Ok(sqlx::query_as::<_, Payment>(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM gw_payments WHERE tenant_id = $1 AND participant_unique_id1 = $2 ORDER BY created_at DESC"
    ))
    .bind(tenant_id)
    .bind(uid1)
    .fetch_all(store.reader())
    .await?)
}

pub async fn payment(
    store: &Store,
    tenant_id: &str,
    id: &str,
) -> Result<Option<Payment>, StoreError> {
    Ok(sqlx::query_as::<_, Payment>(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM gw_payments WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(store.reader())
    .await?)
}

/// What cancelling a check payment did.
#[derive(Debug, Clone)]
pub enum CancelCheck<R> {
    /// Cancelled now: the payment as it is after.
    Cancelled(Box<Payment>),
    NotFound,
    /// The caller's rule refused to cancel this payment.
    Refused(R),
    /// The payment left `accepted` between the read and the guarded update
    /// (a concurrent cancel won).
    NoLongerAccepted,
}

/// Cancels a payment the caller's rule `may_cancel(payment, now)` allows:
/// status, reversal entries, and the velocity it used given back, in one
/// transaction whose update is guarded on the status it read.
pub async fn cancel_check<R: Send + 'static>(
    store: &Store,
    tenant_id: String,
    id: String,
    day_scopes: Vec<(String, String)>,
    now: i64,
    may_cancel: fn(&Payment, i64) -> Result<(), R>,
) -> Result<CancelCheck<R>, StoreError> {
    store
        .write(move |c| {
            let (tenant_id, id, day_scopes) = (tenant_id.clone(), id.clone(), day_scopes.clone());
            Box::pin(async move {
                let Some(p) = sqlx::query_as::<_, Payment>(&format!(
                    "SELECT {PAYMENT_COLUMNS} FROM gw_payments WHERE tenant_id = $1 AND id = $2"
                ))
                .bind(&tenant_id)
                .bind(&id)
                .fetch_optional(&mut *c)
                .await?
                else {
                    return Ok(CancelCheck::NotFound);
                };
                if let Err(refusal) = may_cancel(&p, now) {
                    return Ok(CancelCheck::Refused(refusal));
                }
                let r = sqlx::query("UPDATE gw_payments SET status = $1, cancelled_at = $2 WHERE id = $3 AND status = $4")
                    .bind(PAYMENT_CANCELLED)
                    .bind(now)
                    .bind(&id)
                    .bind(PAYMENT_ACCEPTED)
                    .execute(&mut *c)
                    .await?;
                if r.rows_affected() != 1 {
                    return Ok(CancelCheck::NoLongerAccepted);
                }
                entries(
                    c,
                    &p.id,
                    &tenant_id,
                    [(funding_account(&tenant_id), p.amount_cents), (payout_account(&p.account_type), -p.amount_cents)],
                    "cancel",
                    now,
                )
                .await?;
                for (scope, day) in &day_scopes {
                    sqlx::query("UPDATE gw_velocity SET total_cents = total_cents - $1 WHERE tenant_id = $2 AND scope = $3 AND day = $4")
                        .bind(p.amount_cents)
                        .bind(&tenant_id)
                        .bind(scope)
                        .bind(day)
                        .execute(&mut *c)
                        .await?;
                }
                Ok(CancelCheck::Cancelled(Box::new(Payment { status: PAYMENT_CANCELLED.into(), cancelled_at: Some(now), ..p })))
            })
        })
        .await
}

/// The ledger's invariant: (sum of all entries, transactions whose entries do not sum to zero).
pub async fn ledger_check(store: &Store) -> Result<(i64, i64), StoreError> {
    // SUM of BIGINT is NUMERIC on PostgreSQL: cast back for one decoder.
    let total: i64 =
        sqlx::query("SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger_entries")
            .fetch_one(store.reader())
            .await?
            .get(0);
    let unbalanced: i64 = sqlx::query(
        "SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING SUM(amount_cents) <> 0) u",
    )
    .fetch_one(store.reader())
    .await?
    .get(0);
    Ok((total, unbalanced))
}

// ---------- hosted page views ----------

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
                sqlx::query("INSERT INTO gw_page_views (token_hash, session_id, expires_at) VALUES ($1, $2, $3)")
                    .bind(&token_hash)
                    .bind(&session_id)
                    .bind(expires_at)
                    .execute(&mut *c)
                    .await?;
                sqlx::query("UPDATE gw_sessions SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
                    .bind(SESSION_ACTIVE)
                    .bind(now)
                    .bind(&session_id)
                    .bind(SESSION_EXPIRED)
                    .execute(&mut *c)
                    .await?;
                Ok(())
            })
        })
        .await
}

pub async fn page_view(store: &Store, token_hash: &str) -> Result<Option<PageView>, StoreError> {
    Ok(sqlx::query_as::<_, PageView>(
        "SELECT token_hash, session_id, expires_at, recipient_attempts, account_attempts, closed FROM gw_page_views WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(store.reader())
    .await?)
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
            Box::pin(async move {
                let r = sqlx::query("UPDATE gw_sessions SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
                    .bind(to)
                    .bind(now)
                    .bind(&session_id)
                    .bind(from)
                    .execute(&mut *c)
                    .await?;
                Ok(r.rows_affected() == 1)
            })
        })
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
                let feature_count: i64 = sqlx::query(&format!(
                    "UPDATE gw_page_views SET {column} = {column} + 1 WHERE token_hash = $1 RETURNING {column}"
                ))
                .bind(&token_hash)
                .fetch_one(&mut *c)
                .await?
                .get(0);
                let session_count: i64 =
                    sqlx::query("UPDATE gw_sessions SET attempts = attempts + 1, updated_at = $1 WHERE id = $2 RETURNING attempts")
                        .bind(now)
                        .bind(&session_id)
                        .fetch_one(&mut *c)
                        .await?
                        .get(0);
                Ok((feature_count, session_count))
            })
        })
        .await
}

pub async fn close_page_view(store: &Store, token_hash: String) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let token_hash = token_hash.clone();
            Box::pin(async move {
                sqlx::query("UPDATE gw_page_views SET closed = 1 WHERE token_hash = $1")
                    .bind(&token_hash)
                    .execute(&mut *c)
                    .await?;
                Ok(())
            })
        })
        .await
}
