//! Paying a customer_account_token and cancelling a check (spec 002's
//! process and checkcancel): the business rules, in the order they apply.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use fundline_core::calendar::add_banking_days;
use fundline_core::card::CardExpiry;
use fundline_core::money::Cents;
use fundline_store::gateway as repo;
use serde_json::{json, Value};

use super::auth::Gateway;
use super::cancel::Refusal as Why;
use super::common::Common;
use super::error::{GatewayError, Refusal};
use super::idempotency;
use super::issuer::{banking_today, biller_days, posting, AccountType, GatewaySettings, Posting};
use super::settings::VelocityLimits;
use crate::AppState;

/// A payment asked of `/gateway/process`.
#[derive(Debug, Clone)]
pub struct PaymentRequest {
    pub common: Common,
    pub token: String,
    pub amount: Cents,
}

/// A payment made (or, for a repeated Idempotency-Key, the one made before).
pub struct Paid {
    pub payment: repo::Payment,
    pub last4: String,
    pub now: i64,
    pub replayed: bool,
}

/// Checks are printed in the run at 22:00 UTC on the next banking day
/// after the payment; until then they can be cancelled.
pub fn print_run_after(now: chrono::DateTime<Utc>) -> i64 {
    let next = add_banking_days(now.date_naive() + chrono::Duration::days(1), 0);
    let at = NaiveDate::from_ymd_opt(next.year(), next.month(), next.day())
        .and_then(|d| d.and_hms_opt(22, 0, 0));
    at.map(|t| Utc.from_utc_datetime(&t).timestamp_micros())
        .unwrap_or(i64::MAX)
}

/// What makes two payment requests "the same" for an Idempotency-Key: who
/// is paid, how much, and the partner's ids — not `timestamp`, which a
/// client may stamp afresh on a retry.
fn payment_hash(req: &PaymentRequest) -> String {
    let canonical = json!({
        "customer_account_token": req.token,
        "amount_cents": req.amount.0,
        "participant_unique_id1": req.common.participant_unique_id1,
        "participant_unique_id2": req.common.participant_unique_id2,
    })
    .to_string();
    fundline_vault::hash_token(&canonical)
}

/// What a repeat of an Idempotency-Key is held to: the original payment
/// if it asked the same, else 13723 — never a second payment.
struct Replay<'a> {
    tenant_id: &'a str,
    participant_id: i64,
    hash: String,
    /// Keys used before this are expired.
    since: i64,
    last4: &'a str,
    now: i64,
}

impl Replay<'_> {
    /// The payment already made under `key`, if any.
    async fn of(&self, state: &AppState, key: &str) -> Result<Option<Paid>, GatewayError> {
        let found = repo::payment_by_key(&state.store, self.tenant_id, key, self.since).await?;
        let Some((h, payment)) = found else {
            return Ok(None);
        };
        if h != self.hash {
            return Err(idempotency::mismatch(key, self.participant_id));
        }
        Ok(Some(Paid {
            payment,
            last4: self.last4.to_string(),
            now: self.now,
            replayed: true,
        }))
    }
}

/// The account's type and details, if it can be paid now: a card must
/// still be valid when paid.
fn payable(
    account: &repo::Account,
    now: chrono::DateTime<Utc>,
) -> Result<(AccountType, Value), GatewayError> {
    let account_type =
        AccountType::parse(&account.account_type).ok_or(GatewayError::Unavailable)?;
    let details: Value = serde_json::from_str(&account.details_json).unwrap_or(Value::Null);
    if account_type == AccountType::Ca {
        let yymm = details["expiration_date"].as_str().unwrap_or("");
        let valid = CardExpiry::parse_yymm(yymm).is_ok_and(|e| !e.is_expired(now.date_naive()));
        if !valid {
            return Err(GatewayError::NotAvailable {
                now: now.timestamp(),
            });
        }
    }
    Ok((account_type, details))
}

/// Banking days until the payment posts: bill pay after its biller's days,
/// as verify promised; everything else the next banking day.
async fn posting_days(
    state: &AppState,
    account_type: AccountType,
    details: &Value,
) -> Result<u32, GatewayError> {
    if account_type != AccountType::Bp {
        return Ok(1);
    }
    let payee_id = details["payee_id"].as_str().unwrap_or("");
    let biller = repo::biller(&state.store, payee_id).await?;
    Ok(biller_days(
        biller.ok_or(GatewayError::Unavailable)?.posting_days,
    ))
}

/// The amount against the account type's limits and the per-transaction
/// velocity limit.
fn within_limits(
    amount: Cents,
    account_type: AccountType,
    settings: &GatewaySettings,
    velocity: VelocityLimits,
) -> Result<(), Refusal> {
    let limits = settings
        .credit_limits(account_type)
        .ok_or(Refusal::NotPushEnabled)?;
    if amount < limits.min {
        return Err(Refusal::BelowMin(limits.min));
    }
    if amount > limits.max {
        return Err(Refusal::AboveMax(limits.max));
    }
    if amount > velocity.per_transaction {
        return Err(Refusal::TransactionLimit);
    }
    Ok(())
}

/// The payment row of an accepted request.
fn new_payment(
    tenant_id: &str,
    req: &PaymentRequest,
    account_type: AccountType,
    p: &Posting,
    now: chrono::DateTime<Utc>,
) -> repo::Payment {
    repo::Payment {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: tenant_id.to_string(),
        token: req.token.clone(),
        account_type: account_type.code().into(),
        amount_cents: req.amount.0,
        status: repo::PAYMENT_ACCEPTED.into(),
        participant_unique_id1: req.common.participant_unique_id1.clone(),
        participant_unique_id2: req
            .common
            .participant_unique_id2
            .clone()
            .unwrap_or_default(),
        estimated_posting_time: p.time.clone(),
        estimated_posting_date: p.date_text(),
        print_at: (account_type == AccountType::Ck).then(|| print_run_after(now)),
        created_at: now.timestamp_micros(),
        cancelled_at: None,
    }
}

/// The ledger: a payout moves its amount from the tenant's funding account
/// to the payouts account of its account type; a cancellation moves it back.
fn ledger_accounts(tenant_id: &str, account_type: &str) -> [String; 2] {
    [
        format!("tenant:{tenant_id}:funding"),
        format!("payouts:{account_type}"),
    ]
}

/// The day's totals a payment counts against: its token's and the tenant's.
fn daily_limits(
    token: &str,
    now: chrono::DateTime<Utc>,
    velocity: VelocityLimits,
) -> Vec<repo::Velocity<Refusal>> {
    let day = now.format("%Y-%m-%d").to_string();
    vec![
        repo::Velocity {
            scope: format!("token:{token}"),
            day: day.clone(),
            limit_cents: velocity.per_token_per_day.0,
            refusal: Refusal::TokenDailyLimit,
        },
        repo::Velocity {
            scope: "tenant".into(),
            day,
            limit_cents: velocity.per_tenant_per_day.0,
            refusal: Refusal::TenantDailyLimit,
        },
    ]
}

/// Pays `req.amount` to the token's account: once per Idempotency-Key, to
/// an account that can take it (an unexpired card), within the account
/// type's and the tenant's limits; two ledger entries that sum to zero.
pub async fn pay(
    state: &AppState,
    gw: &Gateway,
    key: Option<String>,
    req: PaymentRequest,
    settings: &GatewaySettings,
    velocity: VelocityLimits,
) -> Result<Paid, GatewayError> {
    let tenant_id = gw.tenant_id.as_str();
    let now = state.clock.now();
    let account = repo::account_by_token(&state.store, tenant_id, &req.token)
        .await?
        .ok_or_else(|| {
            GatewayError::field(
                "customer_account_token",
                "The CustomerAccountToken is not valid.",
            )
        })?;
    let replay = Replay {
        tenant_id,
        participant_id: gw.participant_id,
        hash: payment_hash(&req),
        since: idempotency::oldest_live(now.timestamp_micros()),
        last4: &account.last4,
        now: now.timestamp(),
    };
    if let Some(k) = &key {
        if let Some(paid) = replay.of(state, k).await? {
            return Ok(paid);
        }
    }
    let (account_type, details) = payable(&account, now)?;
    within_limits(req.amount, account_type, settings, velocity).map_err(GatewayError::Refused)?;
    let days = posting_days(state, account_type, &details).await?;
    let p = posting(account_type, banking_today(now), days);
    let payment = new_payment(tenant_id, &req, account_type, &p, now);
    let limits = daily_limits(&req.token, now, velocity);
    let payment_key = key.clone().map(|k| repo::PaymentKey {
        key: k,
        request_hash: replay.hash.clone(),
        expired_before: replay.since,
    });
    let recorded = repo::record_payment(
        &state.store,
        payment,
        limits,
        payment_key,
        super::velocity::over_limit,
        ledger_accounts,
    )
    .await?;
    match recorded {
        repo::RecordPayment::Recorded(payment) => {
            tracing::info!(tenant_id, transaction_id = %payment.id, amount_cents = payment.amount_cents, "payment accepted");
            Ok(Paid {
                payment: *payment,
                last4: account.last4.clone(),
                now: now.timestamp(),
                replayed: false,
            })
        }
        repo::RecordPayment::OverLimit(refusal) => Err(GatewayError::Refused(refusal)),
        // A concurrent request with the same Idempotency-Key won.
        repo::RecordPayment::KeyTaken => replay
            .of(state, &key.unwrap_or_default())
            .await?
            .ok_or(GatewayError::Unavailable),
    }
}

/// Cancels a check payment before its print run; its amount leaves the
/// day's velocity totals.
pub async fn cancel_check(
    state: &AppState,
    tenant_id: &str,
    id: String,
) -> Result<repo::Payment, GatewayError> {
    let now = state.clock.now();
    let p = repo::payment(&state.store, tenant_id, &id)
        .await?
        .ok_or(GatewayError::Refused(Refusal::UnknownTransaction))?;
    let day = chrono::DateTime::from_timestamp_micros(p.created_at)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let scopes = vec![
        (format!("token:{}", p.token), day.clone()),
        ("tenant".to_string(), day),
    ];
    match repo::cancel_check(
        &state.store,
        tenant_id.to_string(),
        id,
        scopes,
        now.timestamp_micros(),
        super::cancel::may_cancel,
        ledger_accounts,
    )
    .await?
    {
        repo::CancelCheck::Cancelled(p) => Ok(*p),
        repo::CancelCheck::Refused(why) => Err(GatewayError::Refused(match why {
            Why::Printed => Refusal::CheckPrinted,
            Why::AlreadyCancelled => Refusal::AlreadyCancelled,
            Why::NotCheck => Refusal::NotACheck,
        })),
        // Cancelled by a concurrent request between the read and the update.
        repo::CancelCheck::NoLongerAccepted => {
            Err(GatewayError::Refused(Refusal::AlreadyCancelled))
        }
        repo::CancelCheck::NotFound => Err(GatewayError::Refused(Refusal::UnknownTransaction)),
    }
}
