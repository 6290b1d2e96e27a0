//! Check deposits: the customer's check session, checks with their images,
//! the processing job, and the partner's webhooks with their delivery log.
//! The history row itself is a `cc_transactions` row (checkcashing.rs).

use crate::Conn;
use sqlx::FromRow;

use crate::checkcashing::{self, Card, Transaction};
use crate::query::{self, Table};
use crate::{params, Store, StoreError};

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
                let n = query::execute(
                    c,
                    "UPDATE cc_sso_tokens SET consumed_at = $1 WHERE token_hash = $2 AND consumed_at IS NULL AND expires_at > $1",
                    params![now, &sso_hash],
                )
                .await?;
                if n != 1 {
                    return Ok(None);
                }
                let (tenant_id, customer_id) = query::fetch_one(
                    c,
                    "SELECT tenant_id, customer_id FROM cc_sso_tokens WHERE token_hash = $1",
                    params![&sso_hash],
                )
                .await?;
                let s = CheckSession {
                    token_hash: session_hash,
                    tenant_id,
                    customer_id,
                    sso_token_hash: sso_hash,
                    created_at: now,
                    expires_at: now + ttl,
                };
                query::execute(
                    c,
                    "INSERT INTO cc_check_sessions (token_hash, tenant_id, customer_id, sso_token_hash, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    params![&s.token_hash, &s.tenant_id, &s.customer_id, &s.sso_token_hash, s.created_at, s.expires_at],
                )
                .await?;
                Ok(Some(s))
            })
        })
        .await
}

/// Deletes check sessions that expired before `expired_before`, then the
/// SSO tokens that expired before it and that no check session left still
/// reads (a session narrows its cards by its SSO token's filter).
pub async fn prune_sessions(store: &Store, expired_before: i64) -> Result<u64, StoreError> {
    store
        .write(move |c| {
            Box::pin(async move {
                let sessions = query::execute(
                    c,
                    "DELETE FROM cc_check_sessions WHERE expires_at < $1",
                    params![expired_before],
                )
                .await?;
                let tokens = query::execute(
                    c,
                    "DELETE FROM cc_sso_tokens WHERE expires_at < $1 AND NOT EXISTS \
                     (SELECT 1 FROM cc_check_sessions s WHERE s.sso_token_hash = cc_sso_tokens.token_hash)",
                    params![expired_before],
                )
                .await?;
                Ok(sessions + tokens)
            })
        })
        .await
}

pub async fn session(
    store: &Store,
    token_hash: &str,
    now: i64,
) -> Result<Option<CheckSession>, StoreError> {
    store
        .fetch_optional(
            "SELECT token_hash, tenant_id, customer_id, sso_token_hash, created_at, expires_at FROM cc_check_sessions \
             WHERE token_hash = $1 AND expires_at > $2",
            params![token_hash, now],
        )
        .await
}

/// The cards a check session may use: the customer's valid cards, narrowed
/// by the SSO session's AccountIdFilter / AccountNumberFilter.
pub async fn session_cards(store: &Store, s: &CheckSession) -> Result<Vec<Card>, StoreError> {
    let filter: Option<String> = store
        .fetch_optional_scalar::<Option<String>>(
            "SELECT card_filter FROM cc_sso_tokens WHERE token_hash = $1",
            params![&s.sso_token_hash],
        )
        .await?
        .flatten();
    let cards = checkcashing::list_cards(store, &s.tenant_id, &s.customer_id, true).await?;
    Ok(checkcashing::filter_cards(cards, filter.as_deref()))
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

const CHECKS: Table<Check> = Table::new("cc_checks", CHECK_COLUMNS);

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
                    query::execute(
                        c,
                        "INSERT INTO cc_check_images (tenant_id, content_hash, media_type, width, height, sealed, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, content_hash) DO NOTHING",
                        params![&check.tenant_id, &i.content_hash, &i.media_type, i.width, i.height, &i.sealed, check.created_at],
                    )
                    .await?;
                }
                query::execute(
                    c,
                    &format!(
                        "INSERT INTO cc_checks ({CHECK_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)"
                    ),
                    params![
                        &check.transaction_id, &check.tenant_id, &check.customer_id, &check.card_id, &check.check_type,
                        &check.funding, &check.micr_sealed, &check.presentment_fp, &check.front_hash, &check.back_hash,
                        &check.stage, check.decline_code, &check.job_state, check.job_due_at, check.job_claimed_at,
                        check.job_attempts, check.created_at, check.updated_at,
                    ],
                )
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
    let Some(check) = CHECKS
        .find(
            store,
            "tenant_id = $1 AND transaction_id = $2",
            params![tenant_id, transaction_id],
        )
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
    let row = store
        .fetch_optional(
            "SELECT content_hash, media_type, width, height, sealed FROM cc_check_images WHERE tenant_id = $1 AND content_hash = $2",
            params![tenant_id, hash],
        )
        .await?;
    Ok(
        row.map(|(content_hash, media_type, width, height, sealed)| Image {
            content_hash,
            media_type,
            width,
            height,
            sealed,
        }),
    )
}

/// Accepted (not declined) checks of a customer since `since`: (count, cents).
pub async fn accepted_since(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
    since: i64,
    excluding: &str,
) -> Result<(i64, i64), StoreError> {
    store
        .fetch_one(
            "SELECT COUNT(*), CAST(COALESCE(SUM(t.amount_cents), 0) AS BIGINT) FROM cc_checks k \
             JOIN cc_transactions t ON t.id = k.transaction_id \
             WHERE k.tenant_id = $1 AND k.customer_id = $2 AND k.created_at >= $3 AND k.stage <> 'declined' \
             AND k.transaction_id <> $4 AND k.stage <> 'submitted'",
            params![tenant_id, customer_id, since, excluding],
        )
        .await
}

/// Another check (not declined) whose presentment fingerprint is one of
/// `fps` (one per live fingerprint key version).
pub async fn presented_before(
    store: &Store,
    tenant_id: &str,
    fps: &[String],
    excluding: &str,
) -> Result<bool, StoreError> {
    // An empty fingerprint (a MICR that did not parse) compares to nothing.
    let fps: Vec<&String> = fps.iter().filter(|f| !f.is_empty()).collect();
    let Some((fps, params)) =
        crate::fingerprints::bind_in_list(params![tenant_id, excluding], &fps)
    else {
        return Ok(false);
    };
    let sql = format!(
        "SELECT COUNT(*) FROM cc_checks WHERE tenant_id = $1 AND transaction_id <> $2 AND presentment_fp IN ({fps}) \
         AND stage <> 'declined' AND created_at <= (SELECT created_at FROM cc_checks WHERE transaction_id = $2)"
    );
    store.exists(&sql, params).await
}

/// Another check (not declined) whose front image is this one.
pub async fn image_seen_before(
    store: &Store,
    tenant_id: &str,
    front_hash: &str,
    excluding: &str,
) -> Result<bool, StoreError> {
    // One indexed lookup per side: written as `front_hash = $2 OR back_hash
    // = $2`, SQLite's planner used the tenant prefix alone and read every
    // check of the tenant for each deposit.
    const EARLIER: &str = "transaction_id <> $3 AND stage <> 'declined' \
         AND created_at <= (SELECT created_at FROM cc_checks WHERE transaction_id = $3)";
    let sql = format!(
        "SELECT (SELECT COUNT(*) FROM cc_checks WHERE tenant_id = $1 AND front_hash = $2 AND {EARLIER}) \
         + (SELECT COUNT(*) FROM cc_checks WHERE tenant_id = $1 AND back_hash = $2 AND {EARLIER})"
    );
    store
        .exists(&sql, params![tenant_id, front_hash, excluding])
        .await
}

/// Claims the next due check job (or a stale claim of a dead worker).
pub async fn claim_job(
    store: &Store,
    now: i64,
    stale_before: i64,
) -> Result<Option<Check>, StoreError> {
    let queue = &crate::jobs::CHECK_STEPS;
    crate::jobs::claim_next_job(store, queue, &CHECKS, now, stale_before).await
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
                query::execute(
                    c,
                    "UPDATE cc_checks SET stage = $1, decline_code = $2, job_state = $3, job_due_at = $4, \
                     job_claimed_at = CASE WHEN $3 = 'running' THEN $5 ELSE NULL END, \
                     job_attempts = CASE WHEN $3 = 'done' THEN job_attempts ELSE 0 END, updated_at = $5 WHERE transaction_id = $6",
                    params![&step.stage, step.decline_code, state, step.next_job_at.unwrap_or(step.now), step.now, &step.tx.id],
                )
                .await?;
                debug_assert_eq!(step.ledger.iter().map(|l| l.1).sum::<i64>(), 0);
                for (account, cents) in &step.ledger {
                    query::execute(
                        c,
                        "INSERT INTO ledger_entries (id, transaction_id, tenant_id, account, amount_cents, kind, created_at) \
                         VALUES ($1, $2, $3, $4, $5, 'check_load', $6)",
                        params![uuid::Uuid::new_v4().to_string(), &step.tx.id, &step.tx.tenant_id, account, cents, step.now],
                    )
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
    store
        .execute(
            "UPDATE cc_checks SET job_state = 'queued', job_due_at = $1, job_claimed_at = NULL WHERE transaction_id = $2",
            params![retry_at, transaction_id],
        )
        .await?;
    Ok(())
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
        .execute(
            "INSERT INTO cc_webhooks (tenant_id, url, secret_sealed, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (tenant_id) DO UPDATE SET url = $2, secret_sealed = $3, updated_at = $4",
            params![w.tenant_id, w.url, w.secret_sealed, w.updated_at],
        )
        .await?;
    Ok(())
}

pub async fn webhook(store: &Store, tenant_id: &str) -> Result<Option<Webhook>, StoreError> {
    store
        .fetch_optional(
            "SELECT tenant_id, url, secret_sealed, created_at, updated_at FROM cc_webhooks WHERE tenant_id = $1",
            params![tenant_id],
        )
        .await
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

const EVENTS: Table<Event> = Table::new("cc_webhook_events", EVENT_COLUMNS);

async fn insert_event(c: &mut Conn, e: &Event) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO cc_webhook_events ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, NULL, NULL, $8, NULL)"
    );
    let params = params![
        &e.id,
        &e.tenant_id,
        &e.transaction_id,
        &e.event_type,
        &e.payload,
        &e.state,
        e.next_attempt_at,
        e.created_at,
    ];
    query::execute(c, &sql, params).await?;
    Ok(())
}

/// Events due for delivery, oldest first.
pub async fn due_events(store: &Store, now: i64, limit: i64) -> Result<Vec<Event>, StoreError> {
    EVENTS
        .list(
            store,
            "state = 'pending' AND next_attempt_at <= $1 ORDER BY created_at LIMIT $2",
            params![now, limit],
        )
        .await
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
    Ok(EVENTS
        .list(store, "id = $1", params![event_id])
        .await?
        .pop())
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
                query::execute(
                    c,
                    "INSERT INTO cc_webhook_attempts (id, event_id, tenant_id, attempted_at, status, error, duration_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    params![uuid::Uuid::new_v4().to_string(), &event_id, &tenant_id, now, status, &error, duration_ms],
                )
                .await?;
                let delivered = status.is_some_and(|s| (200..300).contains(&s));
                let state = if delivered { "delivered" } else if next.is_some() { "pending" } else { "failed" };
                query::execute(
                    c,
                    "UPDATE cc_webhook_events SET state = $1, attempts = attempts + 1, next_attempt_at = $2, last_status = $3, \
                     last_error = $4, delivered_at = CASE WHEN $1 = 'delivered' THEN $5 ELSE delivered_at END WHERE id = $6",
                    params![state, next.unwrap_or(now), status, &error, now, &event_id],
                )
                .await?;
                Ok(())
            })
        })
        .await
}

/// The partner's delivery log: events, newest first, with their attempts.
pub async fn events(store: &Store, tenant_id: &str, limit: i64) -> Result<Vec<Event>, StoreError> {
    EVENTS
        .list(
            store,
            "tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            params![tenant_id, limit],
        )
        .await
}
