//! The customer's calls: the cards this session may use, a fee quote, a
//! check submission (multipart), and its status.

use crate::extract::AnyPath;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, RawQuery, State};
use axum::response::{IntoResponse, Response};
use fundline_checks::image::ImageLimits;
use fundline_checks::{CheckType, Funding};
use fundline_store::checkcashing::Card;
use fundline_store::checks;
use serde_json::{json, Value};
use std::collections::HashMap;

use super::process;
use super::service::{self, QuoteRequest, Submission};
use super::session::Customer;
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
        Err(e) => Problem::from(e).at("/api/v1/checks/cards").into_response(),
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

/// A required field naming one of a fixed set of values; `fallback` stands
/// in when it is missing or unknown, so the other fields still get checked
/// and every error is answered at once.
fn choice<T: std::str::FromStr>(
    v: Option<&str>,
    key: &str,
    invalid: &str,
    fallback: T,
    errors: &mut Vec<ValidationError>,
) -> T {
    match v.map(|s| s.trim().parse::<T>()) {
        Some(Ok(t)) => t,
        None => {
            errors.push(verr(key, &format!("The {key} field is required.")));
            fallback
        }
        Some(Err(_)) => {
            errors.push(verr(key, invalid));
            fallback
        }
    }
}

fn check_type(v: Option<&str>, errors: &mut Vec<ValidationError>) -> CheckType {
    let invalid = "checkType must be payroll, government, personal or other.";
    choice(v, "checkType", invalid, CheckType::Other, errors)
}

fn funding(v: Option<&str>, errors: &mut Vec<ValidationError>) -> Funding {
    choice(
        v,
        "funding",
        "funding must be minutes or days.",
        Funding::Days,
        errors,
    )
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
    let asked = match quote_query(raw.as_deref().unwrap_or_default(), PATH) {
        Ok(q) => q,
        Err(p) => return p.into_response(),
    };
    match service::quote(&state, &s, asked, PATH).await {
        Ok(q) => axum::Json(json!({
            "amount": q.cents, "fee": q.fee, "loadAmount": q.cents - q.fee,
            "checkType": q.kind.as_str(), "funding": q.funding.as_str(), "cardId": q.card_id,
            "expectedLoadDate": process::render_date(q.expected_load_date),
        }))
        .into_response(),
        Err(p) => p.into_response(),
    }
}

/// The quote's query (names case-insensitive), every invalid field
/// answered together in one 400.
fn quote_query(raw: &str, path: &str) -> Result<QuoteRequest, Problem> {
    let q: HashMap<String, String> = url::form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
        .collect();
    let field = |k: &str| q.get(k).map(String::as_str);
    let mut errors = Vec::new();
    let cents = amount(field("amount"), &mut errors);
    let kind = check_type(field("checktype"), &mut errors);
    let funding = funding(field("funding"), &mut errors);
    let card_id = q.get("cardid").cloned().unwrap_or_default();
    if card_id.is_empty() {
        errors.push(verr("cardId", "The cardId field is required."));
    }
    if !errors.is_empty() {
        return Err(Problem::validation(path, errors));
    }
    Ok(QuoteRequest {
        cents,
        kind,
        funding,
        card_id,
    })
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
    // axum's own rejection is plain text; this API answers in problem+json.
    let Ok(form) = form else {
        return Problem::invalid(PATH, "body", NOT_MULTIPART).into_response();
    };
    let submission = match read_upload(form, PATH)
        .await
        .and_then(|u| submission(u, PATH))
    {
        Ok(sub) => sub,
        Err(p) => return p.into_response(),
    };
    match service::submit(&state, &s, submission, PATH).await {
        Ok(done) => (
            axum::http::StatusCode::ACCEPTED,
            axum::Json(json!({"transactionId": done.transaction_id, "status": "submitted", "fee": done.fee})),
        )
            .into_response(),
        Err(p) => p.into_response(),
    }
}

const NOT_MULTIPART: &str =
    "The request must be multipart/form-data (front, back, amount, checkType, cardId, funding, micr).";

/// The parts of a check submission as they arrived, before validation.
#[derive(Default)]
struct Upload {
    /// The text fields this endpoint reads (others are ignored).
    fields: HashMap<String, String>,
    front: Option<Vec<u8>>,
    back: Option<Vec<u8>>,
}

/// Read the multipart body. Oversized or unreadable parts are refused as
/// they arrive, so a large image is never held longer than needed.
async fn read_upload(mut form: Multipart, path: &str) -> Result<Upload, Problem> {
    let limits = ImageLimits::default();
    let mut upload = Upload::default();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(upload),
            Err(_) => return Err(Problem::invalid(path, "body", NOT_MULTIPART)),
        };
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "front" | "back" => {
                let Ok(bytes) = field.bytes().await else {
                    return Err(Problem::payload_too_large(path, MAX_UPLOAD_BYTES));
                };
                if bytes.len() > limits.max_bytes {
                    let message = format!("{name} must be at most {} bytes.", limits.max_bytes);
                    return Err(Problem::invalid(path, &name, message));
                }
                let side = if name == "front" {
                    &mut upload.front
                } else {
                    &mut upload.back
                };
                *side = Some(bytes.to_vec());
            }
            "amount" | "checkType" | "cardId" | "funding" | "micr" => {
                let Ok(text) = field.text().await else {
                    return Err(Problem::invalid(
                        path,
                        &name,
                        format!("{name} could not be read."),
                    ));
                };
                if text.len() > 200 {
                    let message = format!("{name} cannot exceed 200 characters");
                    return Err(Problem::invalid(path, &name, message));
                }
                upload.fields.insert(name, text);
            }
            _ => {}
        }
    }
}

/// Validate an upload into a submission, every missing or invalid field
/// answered together in one 400.
fn submission(upload: Upload, path: &str) -> Result<Submission, Problem> {
    let Upload {
        fields,
        front,
        back,
    } = upload;
    let field = |k: &str| fields.get(k).map(String::as_str);
    let mut errors = Vec::new();
    let cents = amount(field("amount"), &mut errors);
    let kind = check_type(field("checkType"), &mut errors);
    let funding = funding(field("funding"), &mut errors);
    let card_id = required_text(field("cardId"), "cardId", &mut errors);
    let micr = required_text(field("micr"), "micr", &mut errors);
    if front.as_ref().is_none_or(|b| b.is_empty()) {
        errors.push(verr("front", "The front image is required."));
    }
    if back.as_ref().is_none_or(|b| b.is_empty()) {
        errors.push(verr("back", "The back image is required."));
    }
    if !errors.is_empty() {
        return Err(Problem::validation(path, errors));
    }
    Ok(Submission {
        cents,
        kind,
        funding,
        card_id,
        micr,
        front: front.unwrap_or_default(),
        back: back.unwrap_or_default(),
    })
}

/// A required text field, trimmed.
fn required_text(v: Option<&str>, key: &str, errors: &mut Vec<ValidationError>) -> String {
    let text = v.map(|t| t.trim().to_string()).unwrap_or_default();
    if text.is_empty() {
        errors.push(verr(key, &format!("The {key} field is required.")));
    }
    text
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
        Err(e) => Problem::from(e).at(&path).into_response(),
    }
}

// Where the fingerprint rebuild (`crate::fingerprints`) and the processing
// jobs have always found them.
pub(crate) use super::service::{presentment_key, PRESENTMENT_FP};
