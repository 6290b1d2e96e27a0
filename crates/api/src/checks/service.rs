//! Check deposits' business rules, as the handlers in `deposit.rs` call
//! them: a submission is taken for a card this session may use, priced by
//! the tenant's fee schedule, sealed, and queued for the processing jobs.

use fundline_checks::codes::Stage;
use fundline_checks::image::ImageLimits;
use fundline_checks::{fees, CheckType, Funding};
use fundline_store::checkcashing::{self, Card, Customer, Transaction};
use fundline_store::checks::{self, Check, CheckSession, Image};
use fundline_vault::TenantKeys;
use sha2::{Digest, Sha256};
use std::sync::Arc;

use super::{process, settings};
use crate::checkcashing::problem::Problem;
use crate::AppState;

/// The fingerprint domain of a check's presentment (`presentment_fp`).
pub(crate) const PRESENTMENT_FP: &str = "check-presentment";

/// What a check's presentment fingerprint is computed from: the MICR line
/// (as `micr_sealed` holds it) parsed, padding normalised away; None when
/// it does not parse (the check then has no presentment fingerprint).
pub(crate) fn presentment_key(micr: &str) -> Option<String> {
    fundline_checks::micr::parse(micr)
        .ok()
        .map(|m| m.presentment_key())
}

/// A check submission whose fields all parsed: what the customer asked for.
pub struct Submission {
    pub cents: i64,
    pub kind: CheckType,
    pub funding: Funding,
    pub card_id: String,
    pub micr: String,
    pub front: Vec<u8>,
    pub back: Vec<u8>,
}

/// A submission taken: processing continues in the background.
pub struct Submitted {
    pub transaction_id: String,
    pub fee: i64,
}

/// The card `card_id` among those this session may deposit to; a card it
/// may not use answers as if it did not exist.
pub async fn session_card(
    state: &AppState,
    s: &CheckSession,
    card_id: &str,
    path: &str,
) -> Result<Card, Problem> {
    let cards = checks::session_cards(&state.store, s)
        .await
        .map_err(|_| Problem::internal(path))?;
    cards.into_iter().find(|c| c.id == card_id).ok_or_else(|| {
        Problem::unprocessable(
            path,
            "Card not found",
            "The card is not available to this session.",
            "CARD_NOT_FOUND",
        )
    })
}

/// What a customer asks a quote for.
pub struct QuoteRequest {
    pub cents: i64,
    pub kind: CheckType,
    pub funding: Funding,
    pub card_id: String,
}

/// A quote: the fee the tenant's schedule sets, and the day the money
/// would be loaded if the check were submitted now.
pub struct Quote {
    pub cents: i64,
    pub fee: i64,
    pub kind: CheckType,
    pub funding: Funding,
    pub card_id: String,
    pub expected_load_date: chrono::NaiveDate,
}

/// Price a check before it is submitted, for a card this session may use.
pub async fn quote(
    state: &AppState,
    s: &CheckSession,
    q: QuoteRequest,
    path: &str,
) -> Result<Quote, Problem> {
    session_card(state, s, &q.card_id, path).await?;
    let cfg = settings::of(state, &s.tenant_id)
        .await
        .map_err(|_| Problem::internal(path))?;
    let today = state.clock.now().date_naive();
    Ok(Quote {
        fee: fees::fee_cents(q.cents, q.kind, q.funding, &cfg.fees),
        expected_load_date: fundline_checks::expected_load_date(today, q.funding),
        cents: q.cents,
        kind: q.kind,
        funding: q.funding,
        card_id: q.card_id,
    })
}

/// Take a check for deposit: to a card of this session, at the tenant's
/// fee, its MICR and images sealed under the tenant's keys, recorded with
/// its `check.submitted` event and queued for classification.
pub async fn submit(
    state: &AppState,
    s: &CheckSession,
    sub: Submission,
    path: &str,
) -> Result<Submitted, Problem> {
    let card = session_card(state, s, &sub.card_id, path).await?;
    let TenantContext {
        keys,
        cfg,
        customer,
    } = tenant_context(state, s)
        .await
        .ok()
        .flatten()
        .ok_or_else(|| Problem::internal(path))?;
    let now = state.clock.now_micros();
    let id = uuid::Uuid::new_v4().to_string();
    let fee = fees::fee_cents(sub.cents, sub.kind, sub.funding, &cfg.fees);
    let tx = submitted_transaction(&id, s, &card, &customer, &sub, fee, now);
    let check = submitted_check(&id, s, &card, &keys, &sub, now);
    let images = sealed_images(&keys, &sub);
    let event = process::event(state, &tx, &check, "check.submitted").await;
    checks::submit(&state.store, tx, check, images, event)
        .await
        .map_err(|_| Problem::internal(path))?;
    // Wake the jobs now rather than at their next poll.
    state.checks_wake.notify_one();
    tracing::info!(tenant_id = %s.tenant_id, transaction_id = %id, amount_cents = sub.cents, "check submitted");
    Ok(Submitted {
        transaction_id: id,
        fee,
    })
}

/// What a submission needs of its tenant and customer.
struct TenantContext {
    /// Seal the MICR and images, and key the presentment fingerprint.
    keys: Arc<TenantKeys>,
    /// The tenant's fee schedule.
    cfg: settings::CheckSettings,
    /// Whose name the transaction shows.
    customer: Customer,
}

/// The session's tenant context; None when its customer no longer exists.
async fn tenant_context(
    state: &AppState,
    s: &CheckSession,
) -> Result<Option<TenantContext>, fundline_store::StoreError> {
    let keys = state.keyring.tenant(&state.store, &s.tenant_id).await?;
    let cfg = settings::of(state, &s.tenant_id).await?;
    let customer = checkcashing::get_customer(&state.store, &s.tenant_id, &s.customer_id).await?;
    Ok(customer.map(|customer| TenantContext {
        keys,
        cfg,
        customer,
    }))
}

/// The partner-visible transaction of a check just submitted.
fn submitted_transaction(
    id: &str,
    s: &CheckSession,
    card: &Card,
    customer: &Customer,
    sub: &Submission,
    fee: i64,
    now: i64,
) -> Transaction {
    let stage = Stage::Submitted;
    Transaction {
        id: id.into(),
        tenant_id: s.tenant_id.clone(),
        customer_id: s.customer_id.clone(),
        card_id: card.id.clone(),
        created_at: now,
        status_code: stage.status_code(),
        status_message: stage.status_message().into(),
        state: stage.state(),
        amount_cents: sub.cents,
        fee_cents: fee,
        processing_status: stage.processing_status(),
        classification_status: stage.classification_status(),
        decline_reason_code: 0,
        decline_reason_message: String::new(),
        pickup_location_id: 0,
        mobile_transaction_type_id: fundline_checks::codes::mobile_transaction_type(sub.funding),
        ocr_amount_cents: 0,
        user_entered_amount_cents: sub.cents,
        submitted_for_classification_on: Some(now),
        finished_classification_on: None,
        submitted_for_approval_on: None,
        finished_approval_on: None,
        load_status: stage.load_status(),
        expected_load_date: None,
        actual_load_date: None,
        load_amount_cents: 0,
        destination_display_name: format!("{} {}", customer.first_name, customer.last_name),
        updated_at: now,
    }
}

/// The check row and its processing job, queued now.
fn submitted_check(
    id: &str,
    s: &CheckSession,
    card: &Card,
    keys: &TenantKeys,
    sub: &Submission,
    now: i64,
) -> Check {
    // The presentment key needs the MICR parsed; a line that does not parse
    // is declined at classification, and has no key to compare.
    let presentment_fp = presentment_key(&sub.micr)
        .map(|k| keys.fingerprint(PRESENTMENT_FP, &k))
        .unwrap_or_default();
    Check {
        transaction_id: id.into(),
        tenant_id: s.tenant_id.clone(),
        customer_id: s.customer_id.clone(),
        card_id: card.id.clone(),
        check_type: sub.kind.as_str().into(),
        funding: sub.funding.as_str().into(),
        micr_sealed: keys.seal_row("cc_checks", "micr", id, sub.micr.as_bytes()),
        presentment_fp,
        front_hash: content_hash(&sub.front),
        back_hash: content_hash(&sub.back),
        stage: "submitted".into(),
        decline_code: None,
        job_state: "queued".into(),
        job_due_at: now,
        job_claimed_at: None,
        job_attempts: 0,
        created_at: now,
        updated_at: now,
    }
}

fn content_hash(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// Both sides sealed, with what the image is when it is one (classification
/// decides on it; an unreadable image is stored as octet-stream, 0×0).
fn sealed_images(keys: &TenantKeys, sub: &Submission) -> Vec<Image> {
    let limits = ImageLimits::default();
    [("front", &sub.front), ("back", &sub.back)]
        .into_iter()
        .map(|(side, b)| {
            let h = content_hash(b);
            let info = fundline_checks::image::inspect(side, b, &limits).ok();
            Image {
                media_type: info
                    .map(|i| process::media_type(i.format))
                    .unwrap_or("application/octet-stream")
                    .into(),
                width: info.map(|i| i64::from(i.width)).unwrap_or(0),
                height: info.map(|i| i64::from(i.height)).unwrap_or(0),
                sealed: keys.seal_row("cc_check_images", "image", &h, b),
                content_hash: h,
            }
        })
        .collect()
}
