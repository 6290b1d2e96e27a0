//! Check transactions and the history the partner reads.

#[allow(unused_imports)]
use super::*;

#[derive(Debug, Clone, FromRow)]
pub struct Transaction {
    pub id: String,
    pub tenant_id: String,
    pub customer_id: String,
    pub card_id: String,
    pub created_at: i64,
    pub status_code: i64,
    pub status_message: String,
    pub state: i64,
    pub amount_cents: i64,
    pub fee_cents: i64,
    pub processing_status: i64,
    pub classification_status: i64,
    pub decline_reason_code: i64,
    pub decline_reason_message: String,
    pub pickup_location_id: i64,
    pub mobile_transaction_type_id: i64,
    pub ocr_amount_cents: i64,
    pub user_entered_amount_cents: i64,
    pub submitted_for_classification_on: Option<i64>,
    pub finished_classification_on: Option<i64>,
    pub submitted_for_approval_on: Option<i64>,
    pub finished_approval_on: Option<i64>,
    pub load_status: i64,
    pub expected_load_date: Option<i64>,
    pub actual_load_date: Option<i64>,
    pub load_amount_cents: i64,
    pub destination_display_name: String,
    pub updated_at: i64,
}

const TX_COLUMNS: &str = "id, tenant_id, customer_id, card_id, created_at, status_code, status_message, state, amount_cents, \
     fee_cents, processing_status, classification_status, decline_reason_code, decline_reason_message, pickup_location_id, \
     mobile_transaction_type_id, ocr_amount_cents, user_entered_amount_cents, submitted_for_classification_on, \
     finished_classification_on, submitted_for_approval_on, finished_approval_on, load_status, expected_load_date, \
     actual_load_date, load_amount_cents, destination_display_name, updated_at";

pub async fn insert_transaction_on(
    conn: &mut AnyConnection,
    t: &Transaction,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO cc_transactions ({TX_COLUMNS}) VALUES \
         ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28)"
    ))
    .bind(&t.id)
    .bind(&t.tenant_id)
    .bind(&t.customer_id)
    .bind(&t.card_id)
    .bind(t.created_at)
    .bind(t.status_code)
    .bind(&t.status_message)
    .bind(t.state)
    .bind(t.amount_cents)
    .bind(t.fee_cents)
    .bind(t.processing_status)
    .bind(t.classification_status)
    .bind(t.decline_reason_code)
    .bind(&t.decline_reason_message)
    .bind(t.pickup_location_id)
    .bind(t.mobile_transaction_type_id)
    .bind(t.ocr_amount_cents)
    .bind(t.user_entered_amount_cents)
    .bind(t.submitted_for_classification_on)
    .bind(t.finished_classification_on)
    .bind(t.submitted_for_approval_on)
    .bind(t.finished_approval_on)
    .bind(t.load_status)
    .bind(t.expected_load_date)
    .bind(t.actual_load_date)
    .bind(t.load_amount_cents)
    .bind(&t.destination_display_name)
    .bind(t.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get_transaction(
    store: &Store,
    tenant_id: &str,
    id: &str,
) -> Result<Option<Transaction>, StoreError> {
    Ok(sqlx::query_as::<_, Transaction>(&format!(
        "SELECT {TX_COLUMNS} FROM cc_transactions WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(store.reader())
    .await?)
}

/// Rewrites a transaction's progress fields (everything but its identity).
pub async fn update_transaction_on(
    conn: &mut AnyConnection,
    t: &Transaction,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE cc_transactions SET status_code = $1, status_message = $2, state = $3, fee_cents = $4, processing_status = $5, \
         classification_status = $6, decline_reason_code = $7, decline_reason_message = $8, mobile_transaction_type_id = $9, \
         ocr_amount_cents = $10, submitted_for_classification_on = $11, finished_classification_on = $12, \
         submitted_for_approval_on = $13, finished_approval_on = $14, load_status = $15, expected_load_date = $16, \
         actual_load_date = $17, load_amount_cents = $18, updated_at = $19 WHERE id = $20",
    )
    .bind(t.status_code)
    .bind(&t.status_message)
    .bind(t.state)
    .bind(t.fee_cents)
    .bind(t.processing_status)
    .bind(t.classification_status)
    .bind(t.decline_reason_code)
    .bind(&t.decline_reason_message)
    .bind(t.mobile_transaction_type_id)
    .bind(t.ocr_amount_cents)
    .bind(t.submitted_for_classification_on)
    .bind(t.finished_classification_on)
    .bind(t.submitted_for_approval_on)
    .bind(t.finished_approval_on)
    .bind(t.load_status)
    .bind(t.expected_load_date)
    .bind(t.actual_load_date)
    .bind(t.load_amount_cents)
    .bind(t.updated_at)
    .bind(&t.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn insert_transaction(store: &Store, t: Transaction) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let t = t.clone();
            Box::pin(async move { insert_transaction_on(c, &t).await })
        })
        .await
}

/// A history row with the card's display fields.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub tx: Transaction,
    pub card_last4: String,
    pub card_nickname: String,
}

pub struct HistoryPage {
    pub rows: Vec<HistoryRow>,
    pub total: i64,
}

/// Where a history page starts.
pub enum PageStart<'a> {
    Newest,
    /// This transaction, then older ones.
    At(&'a str),
}

/// The customer's transactions, newest first (created_at, then id, both
/// descending), optionally for one card. `None` when the page start names a
/// transaction this customer (and card filter) does not have.
pub async fn transaction_history(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
    card_id: Option<&str>,
    start: PageStart<'_>,
    limit: i64,
) -> Result<Option<HistoryPage>, StoreError> {
    let card = card_id.unwrap_or("");
    let total: i64 = sqlx::query(
        "SELECT COUNT(*) FROM cc_transactions WHERE tenant_id = $1 AND customer_id = $2 AND ($3 = '' OR card_id = $3)",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .bind(card)
    .fetch_one(store.reader())
    .await?
    .get(0);
    let (from_at, from_id) = match start {
        PageStart::Newest => (i64::MAX, String::new()),
        PageStart::At(id) => {
            let row = sqlx::query(
                "SELECT created_at, id FROM cc_transactions WHERE tenant_id = $1 AND customer_id = $2 AND ($3 = '' OR card_id = $3) AND id = $4",
            )
            .bind(tenant_id)
            .bind(customer_id)
            .bind(card)
            .bind(id)
            .fetch_optional(store.reader())
            .await?;
            match row {
                Some(r) => (r.get(0), r.get(1)),
                None => return Ok(None),
            }
        }
    };
    let cols = TX_COLUMNS
        .split(", ")
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(&format!(
        "SELECT {cols}, k.last4, k.nickname FROM cc_transactions t JOIN cc_cards k ON k.id = t.card_id \
         WHERE t.tenant_id = $1 AND t.customer_id = $2 AND ($3 = '' OR t.card_id = $3) \
         AND (t.created_at < $4 OR (t.created_at = $4 AND ($5 = '' OR t.id <= $5))) \
         ORDER BY t.created_at DESC, t.id DESC LIMIT $6"
    ))
    .bind(tenant_id)
    .bind(customer_id)
    .bind(card)
    .bind(from_at)
    .bind(from_id)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let tx = Transaction::from_row(&r)?;
        out.push(HistoryRow {
            tx,
            card_last4: r.try_get("last4")?,
            card_nickname: r.try_get("nickname")?,
        });
    }
    Ok(Some(HistoryPage { rows: out, total }))
}
