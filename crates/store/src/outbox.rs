//! The customer-message outbox of bank-analysis report requests: the
//! messages carrying each request's link, and the queries the senders and
//! the sandbox mailbox use.

use sqlx::FromRow;

use crate::query::Table;
use crate::{params, query, Store, StoreError};

/// A message to the customer, sealed text and link.
#[derive(Debug, Clone, FromRow)]
pub struct OutboxMessage {
    pub id: String,
    pub tenant_id: String,
    pub report_request_id: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub text_sealed: String,
    pub link_sealed: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// When the sender tries it next (a retry's backoff, or a sender's
    /// lease); `None`: at once.
    pub next_attempt_at: Option<i64>,
}

/// Outbox states: `recorded` (no transport for the channel: kept, not
/// sent), `pending` (waiting for its next attempt), `sent`, `failed` (the
/// provider refused it, or the attempts ran out), `cancelled` (its request
/// was superseded or re-sent before it went out).
pub const OUTBOX_RECORDED: &str = "recorded";
pub const OUTBOX_PENDING: &str = "pending";
pub const OUTBOX_SENT: &str = "sent";
pub const OUTBOX_FAILED: &str = "failed";
pub const OUTBOX_CANCELLED: &str = "cancelled";

pub(crate) const OUTBOX_COLUMNS: &str =
    "id, tenant_id, report_request_id, channel, recipient, subject, text_sealed, \
    link_sealed, state, attempts, last_error, created_at, sent_at, next_attempt_at";

const MESSAGES: Table<OutboxMessage> = Table::new("ba_outbox", OUTBOX_COLUMNS);

pub(crate) async fn insert_message(
    conn: &mut crate::Conn,
    m: &OutboxMessage,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO ba_outbox ({OUTBOX_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, NULL, $10, NULL, NULL)"
    );
    let params = params![
        &m.id,
        &m.tenant_id,
        &m.report_request_id,
        &m.channel,
        &m.recipient,
        &m.subject,
        &m.text_sealed,
        &m.link_sealed,
        &m.state,
        m.created_at,
    ];
    query::execute(conn, &sql, params).await?;
    Ok(())
}

pub async fn outbox(
    store: &Store,
    tenant_id: Option<&str>,
) -> Result<Vec<OutboxMessage>, StoreError> {
    MESSAGES
        .list(
            store,
            "($1 = '' OR tenant_id = $1) ORDER BY created_at, id",
            params![tenant_id.unwrap_or("")],
        )
        .await
}

/// The newest message of a request: the one carrying its current link.
pub async fn latest_message(
    store: &Store,
    tenant_id: &str,
    report_request_id: &str,
) -> Result<Option<OutboxMessage>, StoreError> {
    let newest = MESSAGES
        .list(
            store,
            "tenant_id = $1 AND report_request_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
            params![tenant_id, report_request_id],
        )
        .await?;
    Ok(newest.into_iter().next())
}

/// Pending messages of these channels whose next attempt is due at `now`,
/// oldest first.
pub async fn outbox_due(
    store: &Store,
    channels: &[&str],
    now: i64,
    limit: i64,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let channel = |i: usize| channels.get(i).copied().unwrap_or("");
    MESSAGES
        .list(
            store,
            "state = $1 AND (channel = $2 OR channel = $3) \
         AND (next_attempt_at IS NULL OR next_attempt_at <= $4) ORDER BY created_at, id LIMIT $5",
            params![OUTBOX_PENDING, channel(0), channel(1), now, limit],
        )
        .await
}

/// Claims a due message for one attempt: moves its next attempt to
/// `lease_until`, so no other sender (on this node or another) takes it
/// meanwhile; a sender that dies leaves it to be taken after the lease.
/// False: not pending or not due any more (another sender has it).
pub async fn outbox_claim(
    store: &Store,
    id: &str,
    now: i64,
    lease_until: i64,
) -> Result<bool, StoreError> {
    let lease = crate::jobs::Lease {
        now,
        stale_before: now,
        until: lease_until,
    };
    crate::jobs::claim(store, &crate::jobs::OUTBOX, id, lease).await
}

/// Records one delivery attempt: its outcome `state` (sent, pending for a
/// retry at `next_attempt_at`, failed) and the error, if any. A message
/// cancelled meanwhile stays cancelled (its attempt is still counted).
pub async fn outbox_mark(
    store: &Store,
    id: &str,
    state: &str,
    error: Option<String>,
    now: i64,
    next_attempt_at: Option<i64>,
) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE ba_outbox SET state = CASE WHEN state = $1 AND $2 <> $3 THEN state ELSE $2 END, \
             last_error = $4, attempts = attempts + 1, \
             sent_at = CASE WHEN $2 = $3 THEN $5 ELSE sent_at END, next_attempt_at = $6 WHERE id = $7",
            params![OUTBOX_CANCELLED, state, OUTBOX_SENT, error, now, next_attempt_at, id],
        )
        .await?;
    Ok(())
}

/// The newest messages of one sandbox tenant (for the sandbox mailbox
/// page); nothing for a tenant that is not a sandbox tenant.
pub async fn sandbox_outbox(
    store: &Store,
    tenant_id: &str,
    limit: i64,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let sql = format!(
        "SELECT {} FROM ba_outbox o JOIN tenants t ON t.id = o.tenant_id \
         WHERE t.is_sandbox = 1 AND o.tenant_id = $2 ORDER BY o.created_at DESC LIMIT $1",
        OUTBOX_COLUMNS
            .split(", ")
            .map(|c| format!("o.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    store.fetch_all(&sql, params![limit, tenant_id]).await
}
