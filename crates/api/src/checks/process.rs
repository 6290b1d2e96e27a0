//! The check state machine, run by a worker on every node: classification
//! (images, MICR), the risk decision, approval and funding (a load through
//! the card network, with its ledger entries). Each step is one store
//! write: the history row, the check's stage and next job, the ledger and
//! the partner's webhook event together.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use fundline_checks::codes::Stage;
use fundline_checks::image::{ImageFormat, ImageLimits};
use fundline_checks::risk::{self, CardLimits, Velocity};
use fundline_checks::{CheckType, Funding};
use fundline_store::checkcashing::{self, Transaction};
use fundline_store::checks::{self, Check, Event, Step};
use serde_json::{json, Value};

use fundline_store::checkcashing::Card;
use fundline_vault::{SecretString, TenantKeys};
use std::sync::Arc;

use crate::cardnet::{CardRef, LoadRequest, LoadResult};
use crate::AppState;

const STALE_AFTER: Duration = Duration::from_secs(120);
/// A failed step is tried again after this, doubled per attempt (at most
/// an hour).
const RETRY_AFTER: Duration = Duration::from_secs(60);
const MAX_ATTEMPTS: i64 = 5;
const DAY_MICROS: i64 = 86_400 * 1_000_000;

pub fn media_type(f: ImageFormat) -> &'static str {
    f.mime_type()
}

pub fn render_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%dT00:00:00Z").to_string()
}

fn render_ts(micros: Option<i64>) -> Value {
    micros
        .and_then(DateTime::<Utc>::from_timestamp_micros)
        .map(|t| json!(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
        .unwrap_or(Value::Null)
}

/// The customer's and the webhook's view of a check.
pub fn status_json(c: &Check, t: &Transaction) -> Value {
    json!({
        "transactionId": t.id,
        "status": c.stage,
        "statusCode": t.status_code,
        "statusMessage": t.status_message,
        "amount": t.amount_cents,
        "fee": t.fee_cents,
        "loadAmount": t.load_amount_cents,
        "checkType": c.check_type,
        "funding": c.funding,
        "cardId": c.card_id,
        "declineReasonCode": t.decline_reason_code,
        "declineReasonMessage": t.decline_reason_message,
        "createdOn": render_ts(Some(t.created_at)),
        "expectedLoadDate": render_ts(t.expected_load_date),
        "actualLoadDate": render_ts(t.actual_load_date),
    })
}

/// The webhook event for a check's new state, when the partner has a webhook.
pub async fn event(state: &AppState, t: &Transaction, c: &Check, kind: &str) -> Option<Event> {
    checks::webhook(&state.store, &t.tenant_id)
        .await
        .ok()
        .flatten()?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = state.clock.now_micros();
    let payload = json!({
        "id": id,
        "type": kind,
        "createdOn": render_ts(Some(now)),
        "data": {"customerId": t.customer_id, "check": status_json(c, t)},
    });
    Some(Event {
        id,
        tenant_id: t.tenant_id.clone(),
        transaction_id: t.id.clone(),
        event_type: kind.into(),
        payload: payload.to_string(),
        state: "pending".into(),
        attempts: 0,
        next_attempt_at: now,
        last_status: None,
        last_error: None,
        created_at: now,
        delivered_at: None,
    })
}

/// Claims and runs one due step; false when nothing was due.
pub async fn run_one(state: &AppState) -> bool {
    let now = state.clock.now_micros();
    let stale = now - STALE_AFTER.as_micros() as i64;
    let check = match checks::claim_job(&state.store, now, stale).await {
        Ok(Some(c)) => c,
        Ok(None) => return false,
        Err(e) => {
            tracing::warn!(error = %e, "check job claim failed");
            return false;
        }
    };
    let mut check = check;
    // Steps due at once run back to back under the same claim.
    for _ in 0..4 {
        if let Err(e) = step(state, &check).await {
            tracing::warn!(transaction_id = %check.transaction_id, error = %e, attempts = check.job_attempts, "check step failed");
            let _ = checks::retry_later(
                &state.store,
                &check.transaction_id,
                now + fundline_store::jobs::backoff(
                    RETRY_AFTER,
                    check.job_attempts,
                    Duration::from_secs(3600),
                )
                .as_micros() as i64,
            )
            .await;
            break;
        }
        match checks::get(&state.store, &check.tenant_id, &check.transaction_id).await {
            Ok(Some((next, _))) if next.job_state == "running" => check = next,
            _ => break,
        }
    }
    true
}

fn apply(t: &mut Transaction, stage: Stage, now: i64) {
    t.status_code = stage.status_code();
    t.status_message = stage.status_message().into();
    t.state = stage.state();
    t.processing_status = stage.processing_status();
    t.classification_status = stage.classification_status();
    t.load_status = stage.load_status();
    t.updated_at = now;
}

/// A declined check: no fee, nothing loaded, processing over.
async fn decline(
    state: &AppState,
    c: &Check,
    mut t: Transaction,
    d: risk::Decline,
    now: i64,
) -> Result<(), String> {
    apply(&mut t, Stage::Declined, now);
    // The reason says which stage failed (docs/check-rules.md): unusable
    // images 1013, a classified check refused later 1012, a failed load
    // loadStatus 1012 — so a partner can tell "retake the photos" from
    // "over the limit" from "load failed".
    if let Some(reason) = fundline_checks::codes::DeclineReason::from_code(d.code) {
        t.classification_status = reason.classification_status();
        t.load_status = reason.load_status();
    }
    t.fee_cents = 0;
    t.decline_reason_code = d.code;
    t.decline_reason_message = d.message.into();
    if t.finished_classification_on.is_none() {
        t.finished_classification_on = Some(now);
    }
    if t.submitted_for_approval_on.is_some() && t.finished_approval_on.is_none() {
        t.finished_approval_on = Some(now);
    }
    tracing::info!(transaction_id = %t.id, code = d.code, "check declined");
    let to = Next {
        stage: "declined",
        decline_code: Some(d.code),
        job_at: None,
        ledger: vec![],
    };
    advance(state, c, t, to, now).await
}

/// Where a step leaves a check.
struct Next {
    stage: &'static str,
    decline_code: Option<i64>,
    /// When its next step is due; None when processing is over.
    job_at: Option<i64>,
    /// (account, cents), summing to zero.
    ledger: Vec<(String, i64)>,
}

impl Next {
    /// A stage reached with nothing declined and no money moved.
    fn to(stage: &'static str, job_at: Option<i64>) -> Next {
        Next {
            stage,
            decline_code: None,
            job_at,
            ledger: vec![],
        }
    }
}

/// Record a step in one store write: the transaction as `t` now stands,
/// the check's new stage and next job, the ledger, and the partner's
/// `check.<stage>` webhook event.
async fn advance(
    state: &AppState,
    c: &Check,
    t: Transaction,
    to: Next,
    now: i64,
) -> Result<(), String> {
    let mut next = c.clone();
    next.stage = to.stage.into();
    if to.decline_code.is_some() {
        next.decline_code = to.decline_code;
    }
    let event = event(state, &t, &next, &format!("check.{}", to.stage)).await;
    checks::advance(
        &state.store,
        Step {
            tx: t,
            stage: to.stage.into(),
            decline_code: to.decline_code,
            next_job_at: to.job_at,
            ledger: to.ledger,
            event,
            now,
        },
    )
    .await
    .map_err(|e| e.to_string())
}

/// The tenant's keys, for a step to open what the check sealed.
async fn tenant_keys(state: &AppState, tenant_id: &str) -> Result<Arc<TenantKeys>, String> {
    state
        .keyring
        .tenant(&state.store, tenant_id)
        .await
        .map_err(|e| e.to_string())
}

/// The check's MICR line, opened.
fn open_micr(keys: &TenantKeys, c: &Check) -> Result<SecretString, String> {
    keys.open_string_row("cc_checks", "micr", &c.transaction_id, &c.micr_sealed)
        .map_err(|_| "the MICR cannot be opened".to_string())
}

async fn step(state: &AppState, c: &Check) -> Result<(), String> {
    let now = state.clock.now_micros();
    let (_, t) = checks::get(&state.store, &c.tenant_id, &c.transaction_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the check's transaction is missing")?;
    match c.stage.as_str() {
        "submitted" => classify(state, c, t, now).await,
        "classified" => decide(state, c, t, now).await,
        "approved" => fund(state, c, t, now).await,
        // Finished checks have no job; a stray claim just closes it.
        _ => checks::advance(
            &state.store,
            Step {
                tx: t,
                stage: c.stage.clone(),
                decline_code: c.decline_code,
                next_job_at: None,
                ledger: vec![],
                event: None,
                now,
            },
        )
        .await
        .map_err(|e| e.to_string()),
    }
}

/// Images (format, size, distinct sides, not seen before) and the MICR line.
async fn classify(state: &AppState, c: &Check, mut t: Transaction, now: i64) -> Result<(), String> {
    use fundline_checks::codes::DeclineReason;
    let keys = tenant_keys(state, &c.tenant_id).await?;
    let limits = ImageLimits::default();
    for (side, hash) in [("front", &c.front_hash), ("back", &c.back_hash)] {
        let img = checks::image(&state.store, &c.tenant_id, hash)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("an image is missing")?;
        let bytes = keys
            .open_row("cc_check_images", "image", hash, &img.sealed)
            .map_err(|_| "an image cannot be opened")?;
        if let Err(e) = fundline_checks::image::inspect(side, &bytes, &limits) {
            tracing::info!(transaction_id = %t.id, side, reason = %e, "check image refused");
            return decline(state, c, t, DeclineReason::ImageUnusable.decline(), now).await;
        }
    }
    if c.front_hash == c.back_hash {
        return decline(state, c, t, DeclineReason::DuplicateImage.decline(), now).await;
    }
    if checks::image_seen_before(&state.store, &c.tenant_id, &c.front_hash, &c.transaction_id)
        .await
        .map_err(|e| e.to_string())?
    {
        return decline(state, c, t, DeclineReason::DuplicateImage.decline(), now).await;
    }
    let micr = open_micr(&keys, c)?;
    if fundline_checks::micr::parse(micr.expose()).is_err() || c.presentment_fp.is_empty() {
        return decline(state, c, t, DeclineReason::MicrUnreadable.decline(), now).await;
    }
    apply(&mut t, Stage::Classified, now);
    t.finished_classification_on = Some(now);
    t.submitted_for_approval_on = Some(now);
    // No OCR here: the amount read is the amount the customer entered.
    t.ocr_amount_cents = t.user_entered_amount_cents;
    advance(state, c, t, Next::to("classified", Some(now)), now).await
}

/// The risk decision: the card must still be usable, then the tenant's
/// limits (as the customer's attributes adjust them), the customer's
/// velocity and an earlier presentment of the same check decide.
async fn decide(state: &AppState, c: &Check, t: Transaction, now: i64) -> Result<(), String> {
    let cfg = super::settings::of(state, &c.tenant_id)
        .await
        .map_err(|e| e.to_string())?;
    let card = card_of(state, c).await?;
    if card.status != "valid" || card.deleted_at.is_some() {
        return decline(
            state,
            c,
            t,
            fundline_checks::codes::DeclineReason::CardNotUsable.decline(),
            now,
        )
        .await;
    }
    let attrs = checkcashing::get_attributes(&state.store, &c.tenant_id, &c.customer_id)
        .await
        .map_err(|e| e.to_string())?;
    let attrs = risk::attributes_from(&attrs);
    let velocity = velocity(state, c, now).await?;
    let duplicate = presented_before(state, c).await?;
    let limits = risk::effective_limits(&cfg.limits, &attrs);
    let card_limits = CardLimits {
        min_cents: card.min_cents,
        max_cents: card.max_cents,
    };
    let verdict = risk::decide(
        t.amount_cents,
        card_limits,
        &limits,
        &attrs,
        velocity,
        duplicate,
    );
    match verdict {
        Err(d) => decline(state, c, t, d, now).await,
        Ok(_) => approve(state, c, t, &cfg.fees, now).await,
    }
}

/// The customer's other accepted checks today and over 30 days.
async fn velocity(state: &AppState, c: &Check, now: i64) -> Result<Velocity, String> {
    let today_start = state
        .clock
        .now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp_micros())
        .unwrap_or(now);
    let since = |from: i64| {
        checks::accepted_since(
            &state.store,
            &c.tenant_id,
            &c.customer_id,
            from,
            &c.transaction_id,
        )
    };
    let (today_count, today_cents) = since(today_start).await.map_err(|e| e.to_string())?;
    let (count_30d, cents_30d) = since(now - 30 * DAY_MICROS)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Velocity {
        today_count,
        today_cents,
        count_30d,
        cents_30d,
    })
}

/// Whether the same check (its presentment fingerprint) was deposited
/// before.
async fn presented_before(state: &AppState, c: &Check) -> Result<bool, String> {
    // An earlier presentment may carry its fingerprint under any live
    // fingerprint key version: look under each (the MICR is reopened for it).
    let keys = tenant_keys(state, &c.tenant_id).await?;
    let mut fps = match keys.live_fingerprint_versions().len() {
        1 => Vec::new(),
        _ => {
            let micr = open_micr(&keys, c)?;
            super::service::presentment_key(micr.expose())
                .map(|k| keys.fingerprints(super::service::PRESENTMENT_FP, &k))
                .unwrap_or_default()
        }
    };
    if !fps.contains(&c.presentment_fp) {
        fps.push(c.presentment_fp.clone());
    }
    checks::presented_before(&state.store, &c.tenant_id, &fps, &c.transaction_id)
        .await
        .map_err(|e| e.to_string())
}

/// An approved check gets its fee and its expected load date; money in
/// days waits for that day's job, money in minutes is funded now.
async fn approve(
    state: &AppState,
    c: &Check,
    mut t: Transaction,
    fees: &fundline_checks::fees::FeeSchedule,
    now: i64,
) -> Result<(), String> {
    let funding: Funding = c.funding.parse().unwrap_or(Funding::Days);
    let kind: CheckType = c.check_type.parse().unwrap_or(CheckType::Other);
    let load_day = fundline_checks::expected_load_date(state.clock.now().date_naive(), funding);
    let due = if funding == Funding::Minutes {
        now
    } else {
        load_day
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp_micros())
            .unwrap_or(now)
    };
    apply(&mut t, Stage::Approved, now);
    t.finished_approval_on = Some(now);
    t.fee_cents = fundline_checks::fees::fee_cents(t.amount_cents, kind, funding, fees);
    t.expected_load_date = Some(due);
    advance(state, c, t, Next::to("approved", Some(due)), now).await
}

async fn card_of(state: &AppState, c: &Check) -> Result<Card, String> {
    checkcashing::get_card(&state.store, &c.tenant_id, &c.card_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the card is missing".to_string())
}

/// The load: amount − fee onto the card, with balanced ledger entries. A
/// load that keeps failing declines the check; until then it is retried.
async fn fund(state: &AppState, c: &Check, mut t: Transaction, now: i64) -> Result<(), String> {
    let card = card_of(state, c).await?;
    let keys = tenant_keys(state, &c.tenant_id).await?;
    let load = t.amount_cents - t.fee_cents;
    match load_card(state, &keys, &card, load, &t.id).await? {
        LoadResult::Loaded { .. } => {
            apply(&mut t, Stage::Funded, now);
            t.actual_load_date = Some(now);
            t.load_amount_cents = load;
            let ledger = vec![
                ("check_clearing".to_string(), -t.amount_cents),
                (format!("card:{}", c.card_id), load),
                ("fee_income".to_string(), t.fee_cents),
            ];
            tracing::info!(transaction_id = %t.id, load_cents = load, "check funded");
            let to = Next {
                stage: "funded",
                decline_code: None,
                job_at: None,
                ledger,
            };
            advance(state, c, t, to, now).await
        }
        LoadResult::Failed { reason } if c.job_attempts >= MAX_ATTEMPTS => {
            tracing::warn!(transaction_id = %t.id, %reason, "card load failed for good");
            decline(
                state,
                c,
                t,
                fundline_checks::codes::DeclineReason::LoadFailed.decline(),
                now,
            )
            .await
        }
        LoadResult::Failed { reason } => Err(format!("card load failed: {reason}")),
    }
}

/// Ask the card network to load `cents` onto the card: a PAN is opened
/// for it; a partner's token goes by its BIN and last four.
async fn load_card(
    state: &AppState,
    keys: &TenantKeys,
    card: &Card,
    cents: i64,
    reference: &str,
) -> Result<LoadResult, String> {
    if card.kind != "pan" {
        let token = CardRef::Token {
            bin: &card.bin,
            last4: Some(&card.last4),
        };
        return Ok(load(state, token, cents, reference).await);
    }
    let number = keys
        .open_string_row("cc_cards", "number", &card.id, &card.number_sealed)
        .map_err(|_| "the card cannot be opened")?;
    let pan = fundline_core::card::Pan::parse(number.expose())
        .map_err(|_| "the stored card number is not valid")?;
    Ok(load(state, CardRef::Pan(&pan), cents, reference).await)
}

async fn load(state: &AppState, card: CardRef<'_>, cents: i64, reference: &str) -> LoadResult {
    state
        .cardnet
        .load(LoadRequest {
            card,
            amount_cents: cents,
            reference,
        })
        .await
}
