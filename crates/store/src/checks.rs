//! Check deposits: the customer's check session, checks with their images,
//! the processing job, and the partner's webhooks with their delivery log.
//! The history row itself is a `cc_transactions` row (checkcashing.rs).

use sqlx::{AnyConnection, FromRow, Row};

use crate::checkcashing::{self, Card, Transaction};
use crate::{Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct CheckSession {
    pub token_hash: String,
    pub tenant_id: String,
    pub customer_id: String,
    pub sso_token_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Spends an SSO token (once) for a check session. `None`: the token is
/// unknown, expired or already spent.
pub async fn exchange_sso(
    store: &Store,
    sso_hash: String,
    session_hash: String,
    now: i64,
    ttl: i64,
) -> Result<Option<CheckSession>, StoreError> {
    store
        .write(move |c| {
            let (sso_hash, session_hash) = (sso_hash.clone(), session_hash.clone());
            Box::pin(async move {
                let r = sqlx::query(
                    "UPDATE cc_sso_tokens SET consumed_at = $1 WHERE token_hash = $2 AND consumed_at IS NULL AND expires_at > $1",
                )
                .bind(now)
                .bind(&sso_hash)
                .execute(&mut *c)
                .await?;
                if r.rows_affected() != 1 {
                    return Ok(None);
                }
                let row = sqlx::query("SELECT tenant_id, customer_id FROM cc_sso_tokens WHERE token_hash = $1")
                    .bind(&sso_hash)
                    .fetch_one(&mut *c)
                    .await?;
                let s = CheckSession {
                    token_hash: session_hash,
                    tenant_id: row.get(0),
                    customer_id: row.get(1),
                    sso_token_hash: sso_hash,
                    created_at: now,
                    expires_at: now + ttl,
                };
                sqlx::query(
                    "INSERT INTO cc_check_sessions (token_hash, tenant_id, customer_id, sso_token_hash, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&s.token_hash)
                .bind(&s.tenant_id)
                .bind(&s.customer_id)
                .bind(&s.sso_token_hash)
                .bind(s.created_at)
                .bind(s.expires_at)
                .execute(&mut *c)
                .await?;
                Ok(Some(s))
            })
        })
        .await
}

pub async fn session(
    store: &Store,
    token_hash: &str,
    now: i64,
) -> Result<Option<CheckSession>, StoreError> {
    Ok(sqlx::query_as::<_, CheckSession>(
        "SELECT token_hash, tenant_id, customer_id, sso_token_hash, created_at, expires_at FROM cc_check_sessions \
         WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(store.reader())
    .await?)
}

/// The cards a check session may use: the customer's valid cards, narrowed
/// by the SSO session's AccountIdFilter / AccountNumberFilter.
pub async fn session_cards(store: &Store, s: &CheckSession) -> Result<Vec<Card>, StoreError> {
    let filter: Option<String> =
        sqlx::query("SELECT card_filter FROM cc_sso_tokens WHERE token_hash = $1")
            .bind(&s.sso_token_hash)
            .fetch_optional(store.reader())
            .await?
            .and_then(|r| r.get::<Option<String>, _>(0));
    let cards = checkcashing::list_cards(store, &s.tenant_id, &s.customer_id, true).await?;
    Ok(match filter {
        None => cards,
        Some(f) => {
            let allowed: Vec<&str> = f.split(',').collect();
            cards
                .into_iter()
                .filter(|c| allowed.contains(&c.id.as_str()))
                .collect()
        }
    })
}

#[derive(Debug, Clone, FromRow)]
pub struct Check {
    pub transaction_id: String,
    pub tenant_id: String,
    pub customer_id: String,
    pub card_id: String,
    pub check_type: String,
    pub funding: String,
    pub micr_sealed: String,
    pub presentment_fp: String,
    pub front_hash: String,
    pub back_hash: String,
    pub stage: String,
    pub decline_code: Option<i64>,
    pub job_state: String,
    pub job_due_at: i64,
    pub job_claimed_at: Option<i64>,
    pub job_attempts: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const CHECK_COLUMNS: &str = "transaction_id, tenant_id, customer_id, card_id, check_type, funding, micr_sealed, \
    presentment_fp, front_hash, back_hash, stage, decline_code, job_state, job_due_at, job_claimed_at, job_attempts, \
    created_at, updated_at";

#[derive(Debug, Clone)]
pub struct Image {
    pub content_hash: String,
    pub media_type: String,
    pub width: i64,
    pub height: i64,
    pub sealed: String,
}

/// A submitted check: its history row, its check row and its two images
/// (stored once per content hash), with its first webhook event.
pub async fn submit(
    store: &Store,
    tx: Transaction,
    check: Check,
    images: Vec<Image>,
    event: Option<Event>,
) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let (tx, check, images, event) = (tx.clone(), check.clone(), images.clone(), event.clone());
            Box::pin(async move {
                checkcashing::insert_transaction_on(c, &tx).await?;
                for i in &images {
                    sqlx::query(
                        "INSERT INTO cc_check_images (tenant_id, content_hash, media_type, width, height, sealed, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, content_hash) DO NOTHING",
                    )
                    .bind(&check.tenant_id)
                    .bind(&i.content_hash)
                    .bind(&i.media_type)
                    .bind(i.width)
                    .bind(i.height)
                    .bind(&i.sealed)
                    .bind(check.created_at)
                    .execute(&mut *c)
                    .await?;
                }
                sqlx::query(&format!(
                    "INSERT INTO cc_checks ({CHECK_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)"
                ))
                .bind(&check.transaction_id)
                .bind(&check.tenant_id)
                .bind(&check.customer_id)
                .bind(&check.card_id)
                .bind(&check.check_type)
                .bind(&check.funding)
                .bind(&check.micr_sealed)
                .bind(&check.presentment_fp)
                .bind(&check.front_hash)
                .bind(&check.back_hash)
                .bind(&check.stage)
                .bind(check.decline_code)
                .bind(&check.job_state)
                .bind(check.job_due_at)
                .bind(check.job_claimed_at)
                .bind(check.job_attempts)
                .bind(check.created_at)
                .bind(check.updated_at)
                .execute(&mut *c)
                .await?;
                if let Some(e) = &event {
                    insert_event(c, e).await?;
                }
                Ok(())
            })
        })
        .await
}

pub async fn get(
    store: &Store,
    tenant_id: &str,
    transaction_id: &str,
) -> Result<Option<(Check, Transaction)>, StoreError> {
    let Some(check) = sqlx::query_as::<_, Check>(&format!(
        "SELECT {CHECK_COLUMNS} FROM cc_checks WHERE tenant_id = $1 AND transaction_id = $2"
    ))
    .bind(tenant_id)
    .bind(transaction_id)
    .fetch_optional(store.reader())
    .await?
    else {
        return Ok(None);
    };
    let tx = checkcashing::get_transaction(store, tenant_id, transaction_id).await?;
    Ok(tx.map(|t| (check, t)))
}

pub async fn image(
    store: &Store,
    tenant_id: &str,
    hash: &str,
) -> Result<Option<Image>, StoreError> {
    Ok(sqlx::query("SELECT content_hash, media_type, width, height, sealed FROM cc_check_images WHERE tenant_id = $1 AND content_hash = $2")
        .bind(tenant_id)
        .bind(hash)
        .fetch_optional(store.reader())
        .await?
        .map(|r| Image { content_hash: r.get(0), media_type: r.get(1), width: r.get(2), height: r.get(3), sealed: r.get(4) }))
}

/// Accepted (not declined) checks of a customer since `since`: (count, cents).
pub async fn accepted_since(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
    since: i64,
    excluding: &str,
) -> Result<(i64, i64), StoreError> {
    let r = sqlx::query(
        "SELECT COUNT(*), CAST(COALESCE(SUM(t.amount_cents), 0) AS BIGINT) FROM cc_checks k \
         JOIN cc_transactions t ON t.id = k.transaction_id \
         WHERE k.tenant_id = $1 AND k.customer_id = $2 AND k.created_at >= $3 AND k.stage <> 'declined' \
         AND k.transaction_id <> $4 AND k.stage <> 'submitted'",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .bind(since)
    .bind(excluding)
    .fetch_one(store.reader())
    .await?;
    Ok((r.get(0), r.get(1)))
}

/// Another check (not declined) whose presentment fingerprint is one of
/// `fps` (one per live fingerprint key version).
pub async fn presented_before(
    store: &Store,
    tenant_id: &str,
    fps: &[String],
    excluding: &str,
) -> Result<bool, StoreError> {
    let fps: Vec<&String> = fps.iter().filter(|f| !f.is_empty()).collect();
    if fps.is_empty() {
        return Ok(false);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM cc_checks WHERE tenant_id = $1 AND transaction_id <> $2 AND presentment_fp IN ({}) \
         AND stage <> 'declined' AND created_at <= (SELECT created_at FROM cc_checks WHERE transaction_id = $2)",
        crate::fingerprints::in_list(3, fps.len())
    );
    let mut q = sqlx::query(&sql).bind(tenant_id).bind(excluding);
    for fp in fps {
        q = q.bind(fp);
    }
    let n: i64 = q.fetch_one(store.reader()).await?.get(0);
    Ok(n > 0)
}

/// Another check (not declined) whose front image is this one.
pub async fn image_seen_before(
    store: &Store,
    tenant_id: &str,
    front_hash: &str,
    excluding: &str,
) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM cc_checks WHERE tenant_id = $1 AND (front_hash = $2 OR back_hash = $2) AND transaction_id <> $3 \
         AND stage <> 'declined' AND created_at <= (SELECT created_at FROM cc_checks WHERE transaction_id = $3)",
    )
    .bind(tenant_id)
    .bind(front_hash)
    .bind(excluding)
    .fetch_one(store.reader())
    .await?
    .get(0);
    Ok(n > 0)
}

/// Claims the next due check job (or a stale claim of a dead worker).
pub async fn claim_job(
    store: &Store,
    now: i64,
    stale_before: i64,
) -> Result<Option<Check>, StoreError> {
    let lease = crate::jobs::Lease {
        now,
        stale_before,
        until: now,
    };
    let Some(id) = crate::jobs::claim_next(store, &crate::jobs::CHECK_STEPS, lease).await? else {
        return Ok(None);
    };
    Ok(sqlx::query_as::<_, Check>(&format!(
        "SELECT {CHECK_COLUMNS} FROM cc_checks WHERE transaction_id = $1"
    ))
    .bind(&id)
    .fetch_optional(store.reader())
    .await?)
}

/// One step of a check's processing, written at once: the history row, the
/// check's stage and next job, ledger entries, and the webhook event.
#[derive(Debug, Clone)]
pub struct Step {
    pub tx: Transaction,
    pub stage: String,
    pub decline_code: Option<i64>,
    /// `None`: processing is over.
    pub next_job_at: Option<i64>,
    /// (account, cents): they sum to zero.
    pub ledger: Vec<(String, i64)>,
    pub event: Option<Event>,
    pub now: i64,
}

pub async fn advance(store: &Store, step: Step) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let step = step.clone();
            Box::pin(async move {
                checkcashing::update_transaction_on(c, &step.tx).await?;
                // A next step due at once stays with this worker (still
                // claimed), which goes on with it without another claim.
                let state = match step.next_job_at {
                    Some(t) if t <= step.now => "running",
                    Some(_) => "queued",
                    None => "done",
                };
                sqlx::query(
                    "UPDATE cc_checks SET stage = $1, decline_code = $2, job_state = $3, job_due_at = $4, \
                     job_claimed_at = CASE WHEN $3 = 'running' THEN $5 ELSE NULL END, \
                     job_attempts = CASE WHEN $3 = 'done' THEN job_attempts ELSE 0 END, updated_at = $5 WHERE transaction_id = $6",
                )
                .bind(&step.stage)
                .bind(step.decline_code)
                .bind(state)
                .bind(step.next_job_at.unwrap_or(step.now))
                .bind(step.now)
                .bind(&step.tx.id)
                .execute(&mut *c)
                .await?;
                debug_assert_eq!(step.ledger.iter().map(|l| l.1).sum::<i64>(), 0);
                for (account, cents) in &step.ledger {
                    sqlx::query(
                        "INSERT INTO ledger_entries (id, transaction_id, tenant_id, account, amount_cents, kind, created_at) \
                         VALUES ($1, $2, $3, $4, $5, 'check_load', $6)",
                    )
                    .bind(uuid::Uuid::new_v4().to_string())
                    .bind(&step.tx.id)
                    .bind(&step.tx.tenant_id)
                    .bind(account)
                    .bind(*cents)
                    .bind(step.now)
                    .execute(&mut *c)
                    .await?;
                }
                if let Some(e) = &step.event {
                    insert_event(c, e).await?;
                }
                Ok(())
            })
        })
        .await
}

/// A failed attempt: back in the queue after `retry_at`.
pub async fn retry_later(
    store: &Store,
    transaction_id: &str,
    retry_at: i64,
) -> Result<(), StoreError> {
    let id = transaction_id.to_string();
    store
        .write(move |c| {
            let id = id.clone();
            Box::pin(async move {
                sqlx::query("UPDATE cc_checks SET job_state = 'queued', job_due_at = $1, job_claimed_at = NULL WHERE transaction_id = $2")
                    .bind(retry_at)
                    .bind(&id)
                    .execute(&mut *c)
                    .await?;
                Ok(())
            })
        })
        .await
}

// ---------- webhooks ----------

#[derive(Debug, Clone, FromRow)]
pub struct Webhook {
    pub tenant_id: String,
    pub url: String,
    pub secret_sealed: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub async fn set_webhook(store: &Store, w: Webhook) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let w = w.clone();
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO cc_webhooks (tenant_id, url, secret_sealed, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                     ON CONFLICT (tenant_id) DO UPDATE SET url = $2, secret_sealed = $3, updated_at = $4",
                )
                .bind(&w.tenant_id)
                .bind(&w.url)
                .bind(&w.secret_sealed)
                .bind(w.updated_at)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
}

pub async fn webhook(store: &Store, tenant_id: &str) -> Result<Option<Webhook>, StoreError> {
    Ok(sqlx::query_as::<_, Webhook>("SELECT tenant_id, url, secret_sealed, created_at, updated_at FROM cc_webhooks WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_optional(store.reader())
        .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct Event {
    pub id: String,
    pub tenant_id: String,
    pub transaction_id: String,
    pub event_type: String,
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

const EVENT_COLUMNS: &str =
    "id, tenant_id, transaction_id, event_type, payload, state, attempts, next_attempt_at, \
    last_status, last_error, created_at, delivered_at";

async fn insert_event(c: &mut AnyConnection, e: &Event) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO cc_webhook_events ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, NULL, NULL, $8, NULL)"
    ))
    .bind(&e.id)
    .bind(&e.tenant_id)
    .bind(&e.transaction_id)
    .bind(&e.event_type)
    .bind(&e.payload)
    .bind(&e.state)
    .bind(e.next_attempt_at)
    .bind(e.created_at)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Events due for delivery, oldest first.
pub async fn due_events(store: &Store, now: i64, limit: i64) -> Result<Vec<Event>, StoreError> {
    Ok(sqlx::query_as::<_, Event>(&format!(
        "SELECT {EVENT_COLUMNS} FROM cc_webhook_events WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY created_at LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(store.reader())
    .await?)
}

/// Claims one due event for one delivery attempt (a lease until
/// `lease.until`, so no other node sends it meanwhile) and answers it as
/// claimed; `None`: another sender has it, or it is not due any more.
pub async fn claim_event(
    store: &Store,
    event_id: &str,
    lease: crate::jobs::Lease,
) -> Result<Option<Event>, StoreError> {
    if !crate::jobs::claim(store, &crate::jobs::WEBHOOK_DELIVERIES, event_id, lease).await? {
        return Ok(None);
    }
    Ok(sqlx::query_as::<_, Event>(&format!(
        "SELECT {EVENT_COLUMNS} FROM cc_webhook_events WHERE id = $1"
    ))
    .bind(event_id)
    .fetch_optional(store.reader())
    .await?)
}

/// Records one delivery attempt and the event's next state.
#[allow(clippy::too_many_arguments)]
pub async fn record_attempt(
    store: &Store,
    event_id: &str,
    tenant_id: &str,
    now: i64,
    status: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
    next: Option<i64>,
) -> Result<(), StoreError> {
    let (event_id, tenant_id) = (event_id.to_string(), tenant_id.to_string());
    store
        .write(move |c| {
            let (event_id, tenant_id, error) = (event_id.clone(), tenant_id.clone(), error.clone());
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO cc_webhook_attempts (id, event_id, tenant_id, attempted_at, status, error, duration_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(&event_id)
                .bind(&tenant_id)
                .bind(now)
                .bind(status)
                .bind(&error)
                .bind(duration_ms)
                .execute(&mut *c)
                .await?;
                let delivered = status.is_some_and(|s| (200..300).contains(&s));
                let state = if delivered { "delivered" } else if next.is_some() { "pending" } else { "failed" };
                sqlx::query(
                    "UPDATE cc_webhook_events SET state = $1, attempts = attempts + 1, next_attempt_at = $2, last_status = $3, \
                     last_error = $4, delivered_at = CASE WHEN $1 = 'delivered' THEN $5 ELSE delivered_at END WHERE id = $6",
                )
                .bind(state)
                .bind(next.unwrap_or(now))
                .bind(status)
                .bind(&error)
                .bind(now)
                .bind(&event_id)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
}

/// The partner's delivery log: events, newest first, with their attempts.
pub async fn events(store: &Store, tenant_id: &str, limit: i64) -> Result<Vec<Event>, StoreError> {
    Ok(sqlx::query_as::<_, Event>(&format!(
        "SELECT {EVENT_COLUMNS} FROM cc_webhook_events WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind(tenant_id)
    .bind(limit)
    .fetch_all(store.reader())
    .await?)
}
