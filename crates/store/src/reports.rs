//! Bank-analysis report requests: the customer link, the outbox message that
//! carries it, the bank data the customer shares, the job that builds the
//! report and the report itself.

use sqlx::FromRow;

use crate::query::{self, Table};
use crate::{params, Abort, Store, StoreError};

pub const PENDING: i64 = 1;
pub const COMPLETED: i64 = 2;
pub const EXPIRED: i64 = 3;
pub const FAILED: i64 = 4;
/// A newer request (or a reset of another) for the same customer replaced
/// this one while its link was open; `superseded_by` names it.
pub const SUPERSEDED: i64 = 5;

#[derive(Debug, Clone, FromRow)]
pub struct ReportRequest {
    pub id: String,
    pub tenant_id: String,
    pub customer_id: String,
    pub report_number: String,
    pub request_type: i64,
    pub sent_via: i64,
    pub status: i64,
    pub created_by: String,
    pub link_token_hash: String,
    pub link_expires_at: i64,
    pub consent_at: Option<i64>,
    pub job_state: Option<String>,
    pub job_claimed_at: Option<i64>,
    pub job_attempts: i64,
    pub failure_reason: Option<String>,
    pub report_score: Option<i64>,
    pub start_date: i64,
    pub end_date: Option<i64>,
    pub created_at: i64,
    pub updated_at: Option<i64>,
    pub superseded_by: Option<String>,
}

impl ReportRequest {
    /// The customer can still use the link: pending, not used, not expired.
    pub fn link_open(&self, now: i64) -> bool {
        self.status == PENDING && self.job_state.is_none() && self.link_expires_at > now
    }
}

const COLUMNS: &str = "id, tenant_id, customer_id, report_number, request_type, sent_via, status, created_by, \
    link_token_hash, link_expires_at, consent_at, job_state, job_claimed_at, job_attempts, failure_reason, \
    report_score, start_date, end_date, created_at, updated_at, superseded_by";

const REQUESTS: Table<ReportRequest> = Table::new("ba_report_requests", COLUMNS);

// The outbox's own queries are in `crate::outbox`; callers that name them
// through `reports` keep working.
use crate::outbox::insert_message;
pub use crate::outbox::{
    latest_message, outbox, outbox_claim, outbox_due, outbox_mark, sandbox_outbox, OutboxMessage,
    OUTBOX_CANCELLED, OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_RECORDED, OUTBOX_SENT,
};

async fn insert_request(conn: &mut crate::Conn, r: &ReportRequest) -> Result<(), StoreError> {
    query::execute(
        conn,
        "INSERT INTO ba_report_requests (id, tenant_id, customer_id, report_number, request_type, sent_via, status, \
         created_by, link_token_hash, link_expires_at, consent_at, job_state, job_claimed_at, job_attempts, \
         failure_reason, report_score, start_date, end_date, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, NULL, 0, NULL, NULL, $11, NULL, $12, NULL)",
        params![
            &r.id, &r.tenant_id, &r.customer_id, &r.report_number, r.request_type, r.sent_via, r.status,
            &r.created_by, &r.link_token_hash, r.link_expires_at, r.start_date, r.created_at,
        ],
    )
    .await?;
    Ok(())
}

/// Closes the customer's open requests other than `by`: one whose link ran
/// out becomes Expired, the others Superseded by `by`; their messages not
/// sent yet are cancelled. Part of the write that opens `by`'s link, so a
/// customer has one open link at most (`ba_report_requests_open` decides
/// between two such writes at once).
async fn supersede_open(
    conn: &mut crate::Conn,
    tenant_id: &str,
    customer_id: &str,
    by: &str,
    now: i64,
) -> Result<(), StoreError> {
    query::execute(
        conn,
        "UPDATE ba_report_requests SET status = $1, updated_at = $2 \
         WHERE tenant_id = $3 AND customer_id = $4 AND id <> $5 AND status = $6 AND job_state IS NULL \
         AND link_expires_at <= $2",
        params![EXPIRED, now, tenant_id, customer_id, by, PENDING],
    )
    .await?;
    query::execute(
        conn,
        "UPDATE ba_outbox SET state = $1 WHERE state = $2 AND report_request_id IN \
         (SELECT id FROM ba_report_requests WHERE tenant_id = $3 AND customer_id = $4 AND id <> $5 \
          AND status = $6 AND job_state IS NULL)",
        params![
            OUTBOX_CANCELLED,
            OUTBOX_PENDING,
            tenant_id,
            customer_id,
            by,
            PENDING
        ],
    )
    .await?;
    query::execute(
        conn,
        "UPDATE ba_report_requests SET status = $1, superseded_by = $2, updated_at = $3 \
         WHERE tenant_id = $4 AND customer_id = $5 AND id <> $2 AND status = $6 AND job_state IS NULL",
        params![SUPERSEDED, by, now, tenant_id, customer_id, PENDING],
    )
    .await?;
    Ok(())
}

/// A new request and its message, in one transaction; with `customer`, the
/// customer is created in it too (POST /customer with triggerReportRequest).
/// The customer's open request, if any, is superseded by the new one.
pub async fn create(
    store: &Store,
    customer: Option<crate::customers::Customer>,
    request: ReportRequest,
    message: OutboxMessage,
) -> Result<(), StoreError> {
    store
        .write(move |conn| {
            let (customer, request, message) = (customer.clone(), request.clone(), message.clone());
            Box::pin(async move {
                if let Some(c) = &customer {
                    crate::customers::insert_in(conn, c).await?;
                }
                supersede_open(
                    conn,
                    &request.tenant_id,
                    &request.customer_id,
                    &request.id,
                    request.created_at,
                )
                .await?;
                insert_request(conn, &request).await?;
                insert_message(conn, &message).await?;
                Ok(())
            })
        })
        .await
}

/// Marks requests whose link ran out, unless the customer already shared
/// data (housekeeping, every tenant at once); how many.
pub async fn expire_links(store: &Store, now: i64) -> Result<u64, StoreError> {
    store
        .execute(
            "UPDATE ba_report_requests SET status = $1, updated_at = $2 \
             WHERE status = $3 AND link_expires_at <= $2 AND job_state IS NULL",
            params![EXPIRED, now, PENDING],
        )
        .await
}

pub async fn get(
    store: &Store,
    tenant_id: &str,
    id: &str,
    now: i64,
) -> Result<Option<ReportRequest>, StoreError> {
    let mut found = REQUESTS
        .find(store, "tenant_id = $1 AND id = $2", params![tenant_id, id])
        .await?;
    // A pending request whose link ran out reads as expired (housekeeping
    // writes it so on its next round).
    if let Some(r) = found.as_mut() {
        if r.status == PENDING && r.job_state.is_none() && r.link_expires_at <= now {
            r.status = EXPIRED;
        }
    }
    Ok(found)
}

pub async fn by_link(store: &Store, token_hash: &str) -> Result<Option<ReportRequest>, StoreError> {
    REQUESTS
        .find(store, "link_token_hash = $1", params![token_hash])
        .await
}

/// A fresh link for a request that is not completed: new token, new expiry,
/// back to Pending, and a new message; the customer's other open request,
/// if any, is superseded by this one, and this request's own messages not
/// sent yet (carrying the old link) are cancelled.
pub async fn reset(
    store: &Store,
    tenant_id: &str,
    id: &str,
    token_hash: String,
    expires_at: i64,
    now: i64,
    message: OutboxMessage,
) -> Result<ResetReport, StoreError> {
    let (tenant_id, id) = (tenant_id.to_string(), id.to_string());
    let reset = store
        .write_or_refuse(move |conn| {
            let (tenant_id, id, token_hash, message) =
                (tenant_id.clone(), id.clone(), token_hash.clone(), message.clone());
            Box::pin(async move {
                let customer_id: Option<String> = query::fetch_optional_scalar(
                    conn,
                    "SELECT customer_id FROM ba_report_requests WHERE tenant_id = $1 AND id = $2",
                    params![&tenant_id, &id],
                )
                .await?;
                let Some(customer_id) = customer_id else {
                    return Err(Abort::Refused(ResetReport::NotResettable));
                };
                supersede_open(conn, &tenant_id, &customer_id, &id, now).await?;
                let n = query::execute(
                    conn,
                    "UPDATE ba_report_requests SET link_token_hash = $1, link_expires_at = $2, status = $3, \
                     failure_reason = NULL, job_state = NULL, job_claimed_at = NULL, job_attempts = 0, updated_at = $4, \
                     superseded_by = NULL \
                     WHERE tenant_id = $5 AND id = $6 AND status <> $7 AND (job_state IS NULL OR job_state = 'done')",
                    params![&token_hash, expires_at, PENDING, now, &tenant_id, &id, COMPLETED],
                )
                .await?;
                if n != 1 {
                    // Undoes the superseding above.
                    return Err(Abort::Refused(ResetReport::NotResettable));
                }
                query::execute(
                    conn,
                    "UPDATE ba_outbox SET state = $1 WHERE report_request_id = $2 AND state = $3",
                    params![OUTBOX_CANCELLED, &id, OUTBOX_PENDING],
                )
                .await?;
                // Data shared under a failed attempt is dropped with it.
                for table in ["ba_transactions", "ba_accounts"] {
                    let sql = format!("DELETE FROM {table} WHERE report_id = $1");
                    query::execute(conn, &sql, params![&id]).await?;
                }
                insert_message(conn, &message).await?;
                Ok(ResetReport::Reset)
            })
        })
        .await?;
    Ok(reset.unwrap_or_else(|refused| refused))
}

/// What resetting a report request's link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetReport {
    Reset,
    /// Completed, being built, or gone: nothing changed.
    NotResettable,
}

/// A report request row with its customer's list fields.
#[derive(Debug, Clone, FromRow)]
pub struct Listed {
    pub id: String,
    pub customer_id: String,
    pub first_name: String,
    pub last_name: String,
    pub phone_number: String,
    pub email: String,
    pub sent_via: i64,
    pub status: i64,
    pub start_date: i64,
    pub end_date: Option<i64>,
    pub created_at: i64,
    pub onboarded_at: i64,
    pub report_score: Option<i64>,
    pub created_by: String,
    pub report_number: String,
    pub superseded_by: Option<String>,
    pub job_state: Option<String>,
    pub link_expires_at: i64,
    /// The request's newest message (the one carrying its current link).
    pub message_id: Option<String>,
    pub message_link_sealed: Option<String>,
    pub message_state: Option<String>,
}

impl Listed {
    /// The customer can still use the link: pending, not used, not expired.
    pub fn link_open(&self, now: i64) -> bool {
        self.status == PENDING && self.job_state.is_none() && self.link_expires_at > now
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub enum RequestOrder {
    #[default]
    CreatedDate,
    FirstName,
    LastName,
    Status,
}

#[derive(Debug, Clone)]
pub struct RequestQuery {
    pub name_query: Option<String>,
    pub customer_type: Option<i64>,
    pub status: Option<i64>,
    pub ordered_from: Option<i64>,
    pub ordered_to: Option<i64>,
    pub onboarded_from: Option<i64>,
    pub onboarded_to: Option<i64>,
    /// One customer's requests only (the console's customer page).
    pub customer_id: Option<String>,
    pub order_by: RequestOrder,
    pub page: crate::Page,
}

pub async fn list(
    store: &Store,
    tenant_id: &str,
    q: &RequestQuery,
    now: i64,
) -> Result<(i64, Vec<Listed>), StoreError> {
    // A pending request whose link ran out reads as expired (housekeeping
    // writes it so on its next round).
    let st = format!(
        "(CASE WHEN r.status = {PENDING} AND r.job_state IS NULL AND r.link_expires_at <= $9 \
         THEN {EXPIRED} ELSE r.status END)"
    );
    let pattern = crate::contains_pattern(q.name_query.as_deref());
    // Absent filters bind values that match everything.
    let filter = format!(
        "r.tenant_id = $1 AND c.search_text LIKE $2 ESCAPE '\\' AND ($3 = 0 OR c.customer_type = $3) \
        AND ($4 = 0 OR {st} = $4) AND r.created_at >= $5 AND r.created_at <= $6 \
        AND c.created_at >= $7 AND c.created_at <= $8 AND ($10 = '' OR r.customer_id = $10)"
    );
    let col = match q.order_by {
        RequestOrder::CreatedDate => "r.created_at",
        RequestOrder::FirstName => "c.first_name",
        RequestOrder::LastName => "c.last_name",
        RequestOrder::Status => st.as_str(),
    };
    let dir = q.page.direction();
    let binds = (
        q.customer_type.unwrap_or(0),
        q.status.unwrap_or(0),
        q.ordered_from.unwrap_or(i64::MIN),
        q.ordered_to.unwrap_or(i64::MAX),
        q.onboarded_from.unwrap_or(i64::MIN),
        q.onboarded_to.unwrap_or(i64::MAX),
    );
    let from = "FROM ba_report_requests r JOIN ba_customers c ON c.id = r.customer_id";
    let rows_sql = format!(
        "SELECT r.id, r.customer_id, c.first_name, c.last_name, c.phone_number, c.email, r.sent_via, {st} AS status, \
         r.start_date, r.end_date, r.created_at, c.created_at AS onboarded_at, r.report_score, r.created_by, \
         r.report_number, r.superseded_by, r.job_state, r.link_expires_at, o.id AS message_id, \
         o.link_sealed AS message_link_sealed, o.state AS message_state {from} \
         LEFT JOIN ba_outbox o ON o.id = (SELECT o2.id FROM ba_outbox o2 WHERE o2.report_request_id = r.id \
         ORDER BY o2.created_at DESC, o2.id DESC LIMIT 1) \
         WHERE {filter} ORDER BY {col} {dir}, r.id {dir} LIMIT $11 OFFSET $12"
    );
    store
        .fetch_page(
            &format!("SELECT COUNT(*) {from} WHERE {filter}"),
            &rows_sql,
            params![
                tenant_id,
                &pattern,
                binds.0,
                binds.1,
                binds.2,
                binds.3,
                binds.4,
                binds.5,
                now,
                q.customer_id.as_deref().unwrap_or("")
            ],
            q.page,
        )
        .await
}

pub async fn record_consent(store: &Store, id: &str, now: i64) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE ba_report_requests SET consent_at = $1, updated_at = $1 WHERE id = $2 AND consent_at IS NULL",
            params![now, id],
        )
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub id: String,
    pub account_no: i64,
    pub account_type: Option<String>,
    pub institution: Option<String>,
    pub institution_id: Option<String>,
    pub account_number_sealed: Option<String>,
    pub account_last4: Option<String>,
    pub currency: String,
    pub current_balance: Option<String>,
    pub available_balance: Option<String>,
    pub balance_date: Option<String>,
    pub source: String,
    pub owner_name: Option<String>,
    /// "file", "inferred" or "unknown".
    pub currency_source: String,
    /// JSON array of the account's statements (see the migration).
    pub statements: String,
}

#[derive(Debug, Clone)]
pub struct NewTransaction {
    pub id: String,
    pub account_no: i64,
    pub posted_date: String,
    pub amount: String,
    pub currency: String,
    pub memo: String,
    pub payee: Option<String>,
    pub kind: Option<String>,
}

pub enum Shared {
    Queued,
    /// The link is spent, expired or unknown.
    Closed,
}

/// Stores what the customer shared and queues the report, atomically: a
/// request whose link closed meanwhile stores nothing.
pub async fn share_bank_data(
    store: &Store,
    tenant_id: &str,
    request_id: &str,
    accounts: Vec<NewAccount>,
    transactions: Vec<NewTransaction>,
    now: i64,
) -> Result<Shared, StoreError> {
    let (tenant_id, request_id) = (tenant_id.to_string(), request_id.to_string());
    let accounts = std::sync::Arc::new(accounts);
    let transactions = std::sync::Arc::new(transactions);
    store
        .write(move |conn| {
            let (tenant_id, request_id) = (tenant_id.clone(), request_id.clone());
            let (accounts, transactions) = (accounts.clone(), transactions.clone());
            Box::pin(async move {
                let n = query::execute(
                    conn,
                    "UPDATE ba_report_requests SET job_state = 'queued', job_claimed_at = NULL, updated_at = $1 \
                     WHERE id = $2 AND status = $3 AND job_state IS NULL AND link_expires_at > $1 AND consent_at IS NOT NULL",
                    params![now, &request_id, PENDING],
                )
                .await?;
                if n != 1 {
                    return Ok(Shared::Closed);
                }
                for a in accounts.iter() {
                    query::execute(
                        conn,
                        "INSERT INTO ba_accounts (id, tenant_id, report_id, account_no, account_type, institution, institution_id, \
                         account_number_sealed, account_last4, currency, current_balance, available_balance, balance_date, source, created_at, \
                         owner_name, currency_source, statements) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
                        params![
                            &a.id, &tenant_id, &request_id, a.account_no, &a.account_type, &a.institution,
                            &a.institution_id, &a.account_number_sealed, &a.account_last4, &a.currency,
                            &a.current_balance, &a.available_balance, &a.balance_date, &a.source, now,
                            &a.owner_name, &a.currency_source, &a.statements,
                        ],
                    )
                    .await?;
                }
                for (n, t) in transactions.iter().enumerate() {
                    query::execute(
                        conn,
                        "INSERT INTO ba_transactions (id, report_id, account_no, transaction_no, posted_date, amount, currency, memo, payee, kind, category, sub_category, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, $11)",
                        params![
                            &t.id, &request_id, t.account_no, n as i64 + 1, &t.posted_date, &t.amount,
                            &t.currency, &t.memo, &t.payee, &t.kind, now,
                        ],
                    )
                    .await?;
                }
                Ok(Shared::Queued)
            })
        })
        .await
}

/// Claims one queued report (or one whose worker died: claimed longer ago
/// than `stale_before`). Several nodes may run workers; the guarded update
/// gives each job to one of them.
pub async fn claim_job(
    store: &Store,
    now: i64,
    stale_before: i64,
) -> Result<Option<ReportRequest>, StoreError> {
    let queue = &crate::jobs::REPORT_BUILDS;
    crate::jobs::claim_next_job(store, queue, &REQUESTS, now, stale_before).await
}

#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    pub id: String,
    pub tenant_id: String,
    pub report_id: String,
    pub account_no: i64,
    pub account_type: Option<String>,
    pub institution: Option<String>,
    pub institution_id: Option<String>,
    pub account_last4: Option<String>,
    pub currency: String,
    pub current_balance: Option<String>,
    pub available_balance: Option<String>,
    pub balance_date: Option<String>,
    pub source: String,
    pub created_at: i64,
    pub owner_name: Option<String>,
    pub currency_source: Option<String>,
    pub statements: Option<String>,
}

pub async fn accounts(store: &Store, report_id: &str) -> Result<Vec<AccountRow>, StoreError> {
    store
        .fetch_all(
            "SELECT id, tenant_id, report_id, account_no, account_type, institution, institution_id, account_last4, currency, \
             current_balance, available_balance, balance_date, source, created_at, owner_name, currency_source, statements \
             FROM ba_accounts WHERE report_id = $1 ORDER BY account_no",
            params![report_id],
        )
        .await
}

#[derive(Debug, Clone, FromRow)]
pub struct TransactionRow {
    pub id: String,
    pub report_id: String,
    pub account_no: i64,
    pub transaction_no: i64,
    pub posted_date: String,
    pub amount: String,
    pub currency: String,
    pub memo: String,
    pub payee: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub sub_category: Option<String>,
    pub created_at: i64,
}

const TX_COLUMNS: &str =
    "id, report_id, account_no, transaction_no, posted_date, amount, currency, memo, payee, kind, \
    category, sub_category, created_at";

pub async fn transactions(
    store: &Store,
    report_id: &str,
) -> Result<Vec<TransactionRow>, StoreError> {
    let sql = format!(
        "SELECT {TX_COLUMNS} FROM ba_transactions WHERE report_id = $1 ORDER BY transaction_no"
    );
    store.fetch_all(&sql, params![report_id]).await
}

/// (total, page) of one account's transactions, newest first whatever the
/// page's direction.
pub async fn account_transactions(
    store: &Store,
    report_id: &str,
    account_no: i64,
    page: crate::Page,
) -> Result<(i64, Vec<TransactionRow>), StoreError> {
    let sql = format!(
        "SELECT {TX_COLUMNS} FROM ba_transactions WHERE report_id = $1 AND account_no = $2 \
         ORDER BY posted_date DESC, transaction_no DESC LIMIT $3 OFFSET $4"
    );
    store
        .fetch_page(
            "SELECT COUNT(*) FROM ba_transactions WHERE report_id = $1 AND account_no = $2",
            &sql,
            params![report_id, account_no],
            page,
        )
        .await
}

#[allow(clippy::too_many_arguments)]
/// The job's result: categories per transaction, the rendered report, and
/// the request completed — one transaction, so a crash leaves it queued.
pub async fn complete(
    store: &Store,
    request_id: &str,
    categories: Vec<(i64, String, String)>,
    financial_report_id: String,
    data_json: String,
    score: i64,
    end_date: i64,
    now: i64,
) -> Result<(), StoreError> {
    let request_id = request_id.to_string();
    let categories = std::sync::Arc::new(categories);
    store
        .write(move |conn| {
            let (request_id, categories) = (request_id.clone(), categories.clone());
            let (financial_report_id, data_json) = (financial_report_id.clone(), data_json.clone());
            Box::pin(async move {
                for (no, cat, sub) in categories.iter() {
                    query::execute(
                        conn,
                        "UPDATE ba_transactions SET category = $1, sub_category = $2 WHERE report_id = $3 AND transaction_no = $4",
                        params![cat, sub, &request_id, no],
                    )
                    .await?;
                }
                query::execute(conn, "DELETE FROM ba_reports WHERE report_id = $1", params![&request_id]).await?;
                query::execute(
                    conn,
                    "INSERT INTO ba_reports (report_id, tenant_id, financial_report_id, data_json, created_at) \
                     SELECT id, tenant_id, $1, $2, $3 FROM ba_report_requests WHERE id = $4",
                    params![&financial_report_id, &data_json, now, &request_id],
                )
                .await?;
                query::execute(
                    conn,
                    "UPDATE ba_report_requests SET status = $1, job_state = 'done', report_score = $2, end_date = $3, updated_at = $4 WHERE id = $5",
                    params![COMPLETED, score, end_date, now, &request_id],
                )
                .await?;
                Ok(())
            })
        })
        .await
}

pub async fn fail(
    store: &Store,
    request_id: &str,
    reason: &str,
    now: i64,
) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE ba_report_requests SET status = $1, job_state = 'done', failure_reason = $2, updated_at = $3 WHERE id = $4",
            params![FAILED, reason, now, request_id],
        )
        .await?;
    Ok(())
}

/// (financial report id, data json)
pub async fn report(
    store: &Store,
    report_id: &str,
) -> Result<Option<(String, String)>, StoreError> {
    store
        .fetch_optional(
            "SELECT financial_report_id, data_json FROM ba_reports WHERE report_id = $1",
            params![report_id],
        )
        .await
}
