//! The customer's calls: the cards this session may use, a fee quote, a
//! check submission (multipart), and its status.

use crate::extract::AnyPath;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, RawQuery, State};
use axum::response::{IntoResponse, Response};
use fundline_checks::codes::Stage;
use fundline_checks::{fees, CheckType, Funding};
use fundline_store::checkcashing::{self, Card, Transaction};
use fundline_store::checks::{self, Check, Image};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::session::Customer;
use super::{process, settings};
use crate::checkcashing::problem::{Problem, ValidationError};
use crate::AppState;

/// The most a submission may carry (two images and the fields).
pub const MAX_UPLOAD_BYTES: usize = 12 * 1024 * 1024;

fn card_json(c: &Card) -> Value {
    json!({"cardId": c.id, "lastFourDigits": c.last4, "cardNickname": c.nickname,
           "currentCardMin": c.min_cents, "currentCardMax": c.max_cents, "programName": c.program_name})
}

/// GET /api/v1/checks/cards
#[utoipa::path(get, path = "/api/v1/checks/cards", tag = "Check deposits",
    description = "The cards this check session may deposit to (the SSO session's filters apply).",
    responses((status = 200, content_type = "application/json"), (status = 401, content_type = "application/problem+json")))]
pub async fn cards(State(state): State<AppState>, Customer(s): Customer) -> Response {
    match checks::session_cards(&state.store, &s).await {
        Ok(cards) => axum::Json(json!({"cards": cards.iter().map(card_json).collect::<Vec<_>>()}))
            .into_response(),
        Err(_) => Problem::internal("/api/v1/checks/cards").into_response(),
    }
}

fn verr(key: &str, message: &str) -> ValidationError {
    ValidationError {
        key: key.into(),
        message: message.into(),
    }
}

/// Amount in cents: a whole number, 1 … 99,999,999.
fn amount(v: Option<&str>, errors: &mut Vec<ValidationError>) -> i64 {
    match v.map(str::trim) {
        None | Some("") => errors.push(verr("amount", "The amount field is required.")),
        Some(a) => match a.parse::<i64>() {
            Ok(n) if (1..100_000_000).contains(&n) => return n,
            _ => errors.push(verr("amount", "amount must be a whole number of cents.")),
        },
    }
    0
}

fn check_type(v: Option<&str>, errors: &mut Vec<ValidationError>) -> CheckType {
    match v.map(|s| s.trim().parse::<CheckType>()) {
        Some(Ok(t)) => t,
        None => {
            errors.push(verr("checkType", "The checkType field is required."));
            CheckType::Other
        }
        Some(Err(_)) => {
            errors.push(verr(
                "checkType",
                "checkType must be payroll, government, personal or other.",
            ));
            CheckType::Other
        }
    }
}

fn funding(v: Option<&str>, errors: &mut Vec<ValidationError>) -> Funding {
    match v.map(|s| s.trim().parse::<Funding>()) {
        Some(Ok(f)) => f,
        None => {
            errors.push(verr("funding", "The funding field is required."));
            Funding::Days
        }
        Some(Err(_)) => {
            errors.push(verr("funding", "funding must be minutes or days."));
            Funding::Days
        }
    }
}

async fn session_card(
    state: &AppState,
    s: &fundline_store::checks::CheckSession,
    card_id: &str,
    path: &str,
) -> Result<Card, Response> {
    match checks::session_cards(&state.store, s).await {
        Ok(cards) => cards.into_iter().find(|c| c.id == card_id).ok_or_else(|| {
            Problem::unprocessable(
                path,
                "Card not found",
                "The card is not available to this session.",
                "CARD_NOT_FOUND",
            )
            .into_response()
        }),
        Err(_) => Err(Problem::internal(path).into_response()),
    }
}

/// GET /api/v1/checks/quote?amount=&cardId=&checkType=&funding=
#[utoipa::path(get, path = "/api/v1/checks/quote", tag = "Check deposits",
    description = "The fee for a check before submitting it: money in minutes 1% (payroll, government) or 4% (other), at least $5.00; money in days free (tenant settings may change the schedule). Declined checks cost nothing.",
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/problem+json"), (status = 401, content_type = "application/problem+json"), (status = 422, content_type = "application/problem+json")))]
pub async fn quote(
    State(state): State<AppState>,
    Customer(s): Customer,
    RawQuery(raw): RawQuery,
) -> Response {
    const PATH: &str = "/api/v1/checks/quote";
    let q: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
    let mut errors = Vec::new();
    let cents = amount(q.get("amount").map(String::as_str), &mut errors);
    let kind = check_type(q.get("checktype").map(String::as_str), &mut errors);
    let f = funding(q.get("funding").map(String::as_str), &mut errors);
    let card_id = q.get("cardid").cloned().unwrap_or_default();
    if card_id.is_empty() {
        errors.push(verr("cardId", "The cardId field is required."));
    }
    if !errors.is_empty() {
        return Problem::validation(PATH, errors).into_response();
    }
    if let Err(r) = session_card(&state, &s, &card_id, PATH).await {
        return r;
    }
    let Ok(cfg) = settings::of(&state, &s.tenant_id).await else {
        return Problem::internal(PATH).into_response();
    };
    let fee = fees::fee_cents(cents, kind, f, &cfg.fees);
    axum::Json(json!({
        "amount": cents, "fee": fee, "loadAmount": cents - fee, "checkType": kind.as_str(), "funding": f.as_str(),
        "cardId": card_id,
        "expectedLoadDate": process::render_date(fundline_checks::expected_load_date(state.clock.now().date_naive(), f)),
    }))
    .into_response()
}

/// POST /api/v1/checks (multipart: front, back, amount, checkType, cardId, funding, micr)
#[utoipa::path(post, path = "/api/v1/checks", tag = "Check deposits",
    description = "Submit a check: multipart fields front and back (JPEG, PNG or TIFF), amount (cents), checkType (payroll, government, personal, other), cardId, funding (minutes or days) and micr (T<routing>T <account>O <check number>). Answers {transactionId, status}; processing continues in the background.",
    responses((status = 202, content_type = "application/json"), (status = 400, content_type = "application/problem+json"), (status = 401, content_type = "application/problem+json"), (status = 413, content_type = "application/problem+json"), (status = 422, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    Customer(s): Customer,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    const PATH: &str = "/api/v1/checks";
    const NOT_MULTIPART: &str =
        "The request must be multipart/form-data (front, back, amount, checkType, cardId, funding, micr).";
    // axum's own rejection is plain text; this API answers in problem+json.
    let Ok(mut form) = form else {
        return Problem::invalid(PATH, "body", NOT_MULTIPART).into_response();
    };
    let limits = fundline_checks::image::ImageLimits::default();
    let mut fields: std::collections::HashMap<String, String> = Default::default();
    let (mut front, mut back): (Option<Vec<u8>>, Option<Vec<u8>>) = (None, None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Problem::invalid(PATH, "body", NOT_MULTIPART).into_response(),
        };
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "front" | "back" => {
                let Ok(bytes) = field.bytes().await else {
                    return Problem::payload_too_large(PATH, MAX_UPLOAD_BYTES).into_response();
                };
                if bytes.len() > limits.max_bytes {
                    return Problem::invalid(
                        PATH,
                        &name,
                        format!("{name} must be at most {} bytes.", limits.max_bytes),
                    )
                    .into_response();
                }
                if name == "front" {
                    front = Some(bytes.to_vec());
                } else {
                    back = Some(bytes.to_vec());
                }
            }
            "amount" | "checkType" | "cardId" | "funding" | "micr" => {
                let Ok(text) = field.text().await else {
                    return Problem::invalid(PATH, &name, format!("{name} could not be read."))
                        .into_response();
                };
                if text.len() > 200 {
                    return Problem::invalid(
                        PATH,
                        &name,
                        format!("{name} cannot exceed 200 characters"),
                    )
                    .into_response();
                }
                fields.insert(name, text);
            }
            _ => {}
        }
    }
    let mut errors = Vec::new();
    let cents = amount(fields.get("amount").map(String::as_str), &mut errors);
    let kind = check_type(fields.get("checkType").map(String::as_str), &mut errors);
    let f = funding(fields.get("funding").map(String::as_str), &mut errors);
    let card_id = fields
        .get("cardId")
        .map(|c| c.trim().to_string())
        .unwrap_or_default();
    if card_id.is_empty() {
        errors.push(verr("cardId", "The cardId field is required."));
    }
    let micr = fields
        .get("micr")
        .map(|m| m.trim().to_string())
        .unwrap_or_default();
    if micr.is_empty() {
        errors.push(verr("micr", "The micr field is required."));
    }
    if front.as_ref().is_none_or(|b| b.is_empty()) {
        errors.push(verr("front", "The front image is required."));
    }
    if back.as_ref().is_none_or(|b| b.is_empty()) {
        errors.push(verr("back", "The back image is required."));
    }
    if !errors.is_empty() {
        return Problem::validation(PATH, errors).into_response();
    }
    let (front, back) = (front.unwrap_or_default(), back.unwrap_or_default());
    let card = match session_card(&state, &s, &card_id, PATH).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (keys, cfg, customer) = match async {
        let keys = state.keyring.tenant(&state.store, &s.tenant_id).await?;
        let cfg = settings::of(&state, &s.tenant_id).await?;
        let customer =
            checkcashing::get_customer(&state.store, &s.tenant_id, &s.customer_id).await?;
        Ok::<_, fundline_store::StoreError>((keys, cfg, customer))
    }
    .await
    {
        Ok((k, c, Some(cu))) => (k, c, cu),
        _ => return Problem::internal(PATH).into_response(),
    };
    let now = state.clock.now_micros();
    let id = uuid::Uuid::new_v4().to_string();
    let fee = fees::fee_cents(cents, kind, f, &cfg.fees);
    let hash = |b: &[u8]| hex::encode(Sha256::digest(b));
    let (front_hash, back_hash) = (hash(&front), hash(&back));
    // The presentment key needs the MICR parsed; a line that does not parse
    // is declined at classification, and has no key to compare.
    let presentment_fp = presentment_key(&micr)
        .map(|k| keys.fingerprint(PRESENTMENT_FP, &k))
        .unwrap_or_default();
    let stage = Stage::Submitted;
    let tx = Transaction {
        id: id.clone(),
        tenant_id: s.tenant_id.clone(),
        customer_id: s.customer_id.clone(),
        card_id: card.id.clone(),
        created_at: now,
        status_code: stage.status_code(),
        status_message: stage.status_message().into(),
        state: stage.state(),
        amount_cents: cents,
        fee_cents: fee,
        processing_status: stage.processing_status(),
        classification_status: stage.classification_status(),
        decline_reason_code: 0,
        decline_reason_message: String::new(),
        pickup_location_id: 0,
        mobile_transaction_type_id: fundline_checks::codes::mobile_transaction_type(f),
        ocr_amount_cents: 0,
        user_entered_amount_cents: cents,
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
    };
    let check = Check {
        transaction_id: id.clone(),
        tenant_id: s.tenant_id.clone(),
        customer_id: s.customer_id.clone(),
        card_id: card.id.clone(),
        check_type: kind.as_str().into(),
        funding: f.as_str().into(),
        micr_sealed: keys.seal_row("cc_checks", "micr", &id, micr.as_bytes()),
        presentment_fp,
        front_hash: front_hash.clone(),
        back_hash: back_hash.clone(),
        stage: "submitted".into(),
        decline_code: None,
        job_state: "queued".into(),
        job_due_at: now,
        job_claimed_at: None,
        job_attempts: 0,
        created_at: now,
        updated_at: now,
    };
    // What the image is, when it is one; classification decides on it.
    let images = [("front", front_hash, &front), ("back", back_hash, &back)]
        .into_iter()
        .map(|(side, h, b)| {
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
        .collect();
    let event = process::event(&state, &tx, &check, "check.submitted").await;
    match checks::submit(&state.store, tx.clone(), check, images, event).await {
        Ok(()) => {
            state.checks_wake.notify_one();
            tracing::info!(tenant_id = %s.tenant_id, transaction_id = %id, amount_cents = cents, "check submitted");
            (
                axum::http::StatusCode::ACCEPTED,
                axum::Json(json!({"transactionId": id, "status": "submitted", "fee": fee})),
            )
                .into_response()
        }
        Err(_) => Problem::internal(PATH).into_response(),
    }
}

/// GET /api/v1/checks/{transactionId}
#[utoipa::path(get, path = "/api/v1/checks/{transactionId}", tag = "Check deposits",
    description = "Where a check stands: submitted, classified, approved, funded or declined, with a human statusMessage and, when declined, the reason.",
    params(("transactionId" = String, Path, description = "From the submission")),
    responses((status = 200, content_type = "application/json"), (status = 401, content_type = "application/problem+json"), (status = 404, content_type = "application/problem+json")))]
pub async fn status(
    State(state): State<AppState>,
    Customer(s): Customer,
    AnyPath(id): AnyPath<String>,
) -> Response {
    let path = format!("/api/v1/checks/{}", id.chars().take(64).collect::<String>());
    match checks::get(&state.store, &s.tenant_id, &id).await {
        Ok(Some((c, t))) if c.customer_id == s.customer_id => {
            axum::Json(process::status_json(&c, &t)).into_response()
        }
        Ok(_) => Problem {
            cause: None,
            status: axum::http::StatusCode::NOT_FOUND,
            type_uri: "https://tools.ietf.org/html/rfc7231#section-6.5.4",
            title: "Not Found".into(),
            detail: "No such check for this customer.".into(),
            error_code: Some("TRANSACTION_NOT_FOUND"),
            validation: None,
            instance: path,
        }
        .into_response(),
        Err(_) => Problem::internal(&path).into_response(),
    }
}

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
