//! Payments, their velocity counters and the ledger, written in one transaction.

#[allow(unused_imports)]
use super::*;

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
pub struct Velocity<R> {
    pub scope: String,
    pub day: String,
    pub limit_cents: i64,
    /// The caller's refusal when the payment would exceed this limit.
    pub refusal: R,
}

/// A limit's counter for the day, the payment included.
#[derive(Debug)]
pub struct Counted<'a, R> {
    pub limit: &'a Velocity<R>,
    pub total_cents: i64,
}

/// The rule deciding whether counted totals refuse the payment: the
/// refusal of the limit exceeded, if any (the caller's, in its product core).
pub type OverLimit<R> = fn(&[Counted<'_, R>]) -> Option<R>;

/// The caller's rule naming the two ledger accounts a payout moves money
/// between, `[funding, payout]`, for a tenant and an account type; a
/// cancellation moves it back between the same two.
pub type LedgerAccounts = fn(&str, &str) -> [String; 2];

/// What recording a payment did.
#[derive(Debug, Clone)]
pub enum RecordPayment<R> {
    Recorded(Box<Payment>),
    /// A concurrent payment with the same Idempotency-Key was recorded first.
    KeyTaken,
    /// The `refusal` of the velocity limit the payment would exceed; nothing
    /// was recorded.
    OverLimit(R),
}

/// Both entries of a transaction in one statement (one round trip).
async fn entries(
    c: &mut crate::Conn,
    tx: &str,
    tenant_id: &str,
    pair: [(String, i64); 2],
    kind: &str,
    now: i64,
) -> Result<(), StoreError> {
    let [(debit, debit_cents), (credit, credit_cents)] = pair;
    query::execute(
        c,
        "INSERT INTO ledger_entries (id, transaction_id, tenant_id, account, amount_cents, kind, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7), ($8,$2,$3,$9,$10,$6,$7)",
        params![
            uuid::Uuid::new_v4().to_string(), tx, tenant_id, debit, debit_cents, kind, now,
            uuid::Uuid::new_v4().to_string(), credit, credit_cents,
        ],
    )
    .await?;
    Ok(())
}

/// Every velocity counter of a payment in one upsert (one round trip),
/// returning the day's totals in the order of `limits`. The upsert locks the
/// counter rows (PostgreSQL) or runs in the single writer (SQLite), so
/// concurrent payments cannot both slip under a limit.
async fn bump_all<'a, R>(
    c: &mut crate::Conn,
    tenant_id: &str,
    limits: &'a [Velocity<R>],
    amount: i64,
) -> Result<Vec<Counted<'a, R>>, StoreError> {
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
    let mut params = params![tenant_id, amount];
    for v in limits {
        params.extend(params![&v.scope, &v.day]);
    }
    let totals: Vec<(String, i64)> = query::fetch_all(c, &sql, params).await?;
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
/// payment is `OverLimit`. `accounts` names the ledger's two accounts.
pub async fn record_payment<R: Clone + Send + Sync + 'static>(
    store: &Store,
    p: Payment,
    limits: Vec<Velocity<R>>,
    key: Option<PaymentKey>,
    over_limit: OverLimit<R>,
    accounts: LedgerAccounts,
) -> Result<RecordPayment<R>, StoreError> {
    let recorded = store
        .write_or_refuse(move |c| {
            let (p, limits, key) = (p.clone(), limits.clone(), key.clone());
            Box::pin(async move {
                if let Some(k) = &key {
                    query::execute(
                        c,
                        "DELETE FROM gw_payment_keys WHERE tenant_id = $1 AND idem_key = $2 AND created_at < $3",
                        params![&p.tenant_id, &k.key, k.expired_before],
                    )
                    .await?;
                }
                query::execute(
                    c,
                    &format!("INSERT INTO gw_payments ({PAYMENT_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)"),
                    params![
                        &p.id, &p.tenant_id, &p.token, &p.account_type, p.amount_cents, &p.status,
                        &p.participant_unique_id1, &p.participant_unique_id2, &p.estimated_posting_time,
                        &p.estimated_posting_date, p.print_at, p.created_at, p.cancelled_at,
                    ],
                )
                .await?;
                let counted = bump_all(c, &p.tenant_id, &limits, p.amount_cents).await?;
                if let Some(refusal) = over_limit(&counted) {
                    return Err(Abort::Refused(refusal));
                }
                let [funding, payout] = accounts(&p.tenant_id, &p.account_type);
                entries(
                    c,
                    &p.id,
                    &p.tenant_id,
                    [(funding, -p.amount_cents), (payout, p.amount_cents)],
                    "payout",
                    p.created_at,
                )
                .await?;
                if let Some(k) = &key {
                    query::execute(
                        c,
                        "INSERT INTO gw_payment_keys (tenant_id, idem_key, request_hash, payment_id, created_at) VALUES ($1, $2, $3, $4, $5)",
                        params![&p.tenant_id, &k.key, &k.request_hash, &p.id, p.created_at],
                    )
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
    let Some((hash, id)) = store
        .fetch_optional::<(String, String)>(
            "SELECT request_hash, payment_id FROM gw_payment_keys WHERE tenant_id = $1 AND idem_key = $2 AND created_at >= $3",
            params![tenant_id, key, since],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(payment(store, tenant_id, &id).await?.map(|p| (hash, p)))
}

/// A tenant's payments carrying a participant_unique_id1 (its correlation
/// id: a customer or account of the partner's), newest first.
pub async fn payments_by_uid1(
    store: &Store,
    tenant_id: &str,
    uid1: &str,
) -> Result<Vec<Payment>, StoreError> {
    let sql = format!(
        "SELECT {PAYMENT_COLUMNS} FROM gw_payments WHERE tenant_id = $1 AND participant_unique_id1 = $2 ORDER BY created_at DESC"
    );
    store.fetch_all(&sql, params![tenant_id, uid1]).await
}

pub async fn payment(
    store: &Store,
    tenant_id: &str,
    id: &str,
) -> Result<Option<Payment>, StoreError> {
    store
        .fetch_optional(&payment_sql(), params![tenant_id, id])
        .await
}

/// A tenant's payment by id, as ($1, $2).
fn payment_sql() -> String {
    format!("SELECT {PAYMENT_COLUMNS} FROM gw_payments WHERE tenant_id = $1 AND id = $2")
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
    accounts: LedgerAccounts,
) -> Result<CancelCheck<R>, StoreError> {
    store
        .write(move |c| {
            let (tenant_id, id, day_scopes) = (tenant_id.clone(), id.clone(), day_scopes.clone());
            Box::pin(async move {
                let Some(p) = query::fetch_optional::<Payment>(c, &payment_sql(), params![&tenant_id, &id]).await?
                else {
                    return Ok(CancelCheck::NotFound);
                };
                if let Err(refusal) = may_cancel(&p, now) {
                    return Ok(CancelCheck::Refused(refusal));
                }
                let n = query::execute(
                    c,
                    "UPDATE gw_payments SET status = $1, cancelled_at = $2 WHERE id = $3 AND status = $4",
                    params![PAYMENT_CANCELLED, now, &id, PAYMENT_ACCEPTED],
                )
                .await?;
                if n != 1 {
                    return Ok(CancelCheck::NoLongerAccepted);
                }
                let [funding, payout] = accounts(&tenant_id, &p.account_type);
                entries(
                    c,
                    &p.id,
                    &tenant_id,
                    [(funding, p.amount_cents), (payout, -p.amount_cents)],
                    "cancel",
                    now,
                )
                .await?;
                for (scope, day) in &day_scopes {
                    query::execute(
                        c,
                        "UPDATE gw_velocity SET total_cents = total_cents - $1 WHERE tenant_id = $2 AND scope = $3 AND day = $4",
                        params![p.amount_cents, &tenant_id, scope, day],
                    )
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
    let total: i64 = store
        .fetch_scalar(
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger_entries",
            params![],
        )
        .await?;
    let unbalanced: i64 = store
        .fetch_scalar(
            "SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING SUM(amount_cents) <> 0) u",
            params![],
        )
        .await?;
    Ok((total, unbalanced))
}
