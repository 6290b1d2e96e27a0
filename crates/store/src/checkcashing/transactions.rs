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

/// A transaction's classification, approval and load progress, from
/// `submitted_for_classification_on` to `load_amount_cents`: the run the
/// insert and the update both bind, in that order.
fn progress(t: &Transaction) -> Params {
    params![
        t.submitted_for_classification_on,
        t.finished_classification_on,
        t.submitted_for_approval_on,
        t.finished_approval_on,
        t.load_status,
        t.expected_load_date,
        t.actual_load_date,
        t.load_amount_cents,
    ]
}

pub async fn insert_transaction_on(conn: &mut Conn, t: &Transaction) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO cc_transactions ({TX_COLUMNS}) VALUES \
         ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28)"
    );
    let params = params![
        &t.id,
        &t.tenant_id,
        &t.customer_id,
        &t.card_id,
        t.created_at,
        t.status_code,
        &t.status_message,
        t.state,
        t.amount_cents,
        t.fee_cents,
        t.processing_status,
        t.classification_status,
        t.decline_reason_code,
        &t.decline_reason_message,
        t.pickup_location_id,
        t.mobile_transaction_type_id,
        t.ocr_amount_cents,
        t.user_entered_amount_cents,
    ];
    let params = [
        params,
        progress(t),
        params![&t.destination_display_name, t.updated_at],
    ]
    .concat();
    query::execute(conn, &sql, params).await?;
    Ok(())
}

pub async fn get_transaction(
    store: &Store,
    tenant_id: &str,
    id: &str,
) -> Result<Option<Transaction>, StoreError> {
    let sql = format!("SELECT {TX_COLUMNS} FROM cc_transactions WHERE tenant_id = $1 AND id = $2");
    store.fetch_optional(&sql, params![tenant_id, id]).await
}

/// Rewrites a transaction's progress fields (everything but its identity).
pub async fn update_transaction_on(conn: &mut Conn, t: &Transaction) -> Result<(), StoreError> {
    let params = params![
        t.status_code,
        &t.status_message,
        t.state,
        t.fee_cents,
        t.processing_status,
        t.classification_status,
        t.decline_reason_code,
        &t.decline_reason_message,
        t.mobile_transaction_type_id,
        t.ocr_amount_cents,
    ];
    let params = [params, progress(t), params![t.updated_at, &t.id]].concat();
    query::execute(
        conn,
        "UPDATE cc_transactions SET status_code = $1, status_message = $2, state = $3, fee_cents = $4, processing_status = $5, \
         classification_status = $6, decline_reason_code = $7, decline_reason_message = $8, mobile_transaction_type_id = $9, \
         ocr_amount_cents = $10, submitted_for_classification_on = $11, finished_classification_on = $12, \
         submitted_for_approval_on = $13, finished_approval_on = $14, load_status = $15, expected_load_date = $16, \
         actual_load_date = $17, load_amount_cents = $18, updated_at = $19 WHERE id = $20",
        params,
    )
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

impl<'r> FromRow<'r, sqlx::any::AnyRow> for HistoryRow {
    fn from_row(row: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        Ok(HistoryRow {
            tx: Transaction::from_row(row)?,
            card_last4: row.try_get("last4")?,
            card_nickname: row.try_get("nickname")?,
        })
    }
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
    let customer = "tenant_id = $1 AND customer_id = $2 AND ($3 = '' OR card_id = $3)";
    let total: i64 = store
        .fetch_scalar(
            &format!("SELECT COUNT(*) FROM cc_transactions WHERE {customer}"),
            params![tenant_id, customer_id, card],
        )
        .await?;
    let (from_at, from_id) = match start {
        PageStart::Newest => (i64::MAX, String::new()),
        PageStart::At(id) => {
            let row = store
                .fetch_optional(
                    &format!(
                        "SELECT created_at, id FROM cc_transactions WHERE {customer} AND id = $4"
                    ),
                    params![tenant_id, customer_id, card, id],
                )
                .await?;
            match row {
                Some(r) => r,
                None => return Ok(None),
            }
        }
    };
    let cols = TX_COLUMNS
        .split(", ")
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = store
        .fetch_all(
            &format!(
                "SELECT {cols}, k.last4, k.nickname FROM cc_transactions t JOIN cc_cards k ON k.id = t.card_id \
                 WHERE t.tenant_id = $1 AND t.customer_id = $2 AND ($3 = '' OR t.card_id = $3) \
                 AND (t.created_at < $4 OR (t.created_at = $4 AND ($5 = '' OR t.id <= $5))) \
                 ORDER BY t.created_at DESC, t.id DESC LIMIT $6"
            ),
            params![tenant_id, customer_id, card, from_at, from_id, limit],
        )
        .await?;
    Ok(Some(HistoryPage { rows, total }))
}
