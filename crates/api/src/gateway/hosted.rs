//! The hosted capture page's rules (spec 001): which URL opens a page, what
//! the customer's form must hold, recipient matching, and the attempt
//! limits. `page.rs` renders; everything here answers typed outcomes.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fundline_core::card::{CardExpiry, Cvv, Pan};
use fundline_core::contact::{valid_zip5, UsState};
use fundline_core::routing::{BankAccountNumber, RoutingNumber};
use fundline_store::gateway as repo;
use fundline_vault::{hash_token, random_token};
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::Common;
use super::error::GatewayError;
use super::issuer::AccountType;
use super::session_url::{url_expiry, url_hash, url_signature_valid};
use super::settings::TenantGatewaySettings;
use super::staging::Recipient;
use super::verify::{self, verify_account, Target, Verified, VerifyRequest};
use crate::middleware::ErrorCause;
use crate::AppState;

const PAGE_TTL_MICROS: i64 = 15 * 60 * 1_000_000;

/// What the customer typed.
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct Submission {
    /// debit_card, bank_account or bill_pay (as the tenant offers).
    pub(crate) destination: Option<String>,
    pub(crate) first_name: Option<String>,
    pub(crate) last_name: Option<String>,
    pub(crate) address1: Option<String>,
    pub(crate) address2: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) state: Option<String>,
    /// Five digits.
    pub(crate) zip: Option<String>,
    pub(crate) card_number: Option<String>,
    /// MMYY or MM/YY.
    pub(crate) expiry: Option<String>,
    /// The card's security code: checked for this submission (when the
    /// tenant requires it) and dropped — never stored, logged or echoed.
    pub(crate) cvv: Option<String>,
    pub(crate) routing_number: Option<String>,
    pub(crate) account_number: Option<String>,
    pub(crate) payee_id: Option<String>,
}

/// What the page's script is told (`outcome`), with the event it relays.
pub enum Outcome {
    /// The page or the session is over (410).
    Gone,
    /// Our side failed; the customer tries again (503). The cause, if
    /// any, is for the request log.
    TryLater(Option<ErrorCause>),
    /// Fields to correct: not an attempt.
    Invalid(Value),
    /// A failed attempt with attempts left on this page.
    Retry { message: String, attempts_left: i64 },
    /// The page ends (`outcome`: success or closed) with this event.
    Done {
        outcome: &'static str,
        message: &'static str,
        event: Value,
    },
}

impl Outcome {
    fn field(name: &str, message: &str) -> Outcome {
        Outcome::Invalid(json!({ name: [message] }))
    }
}

impl IntoResponse for Outcome {
    fn into_response(self) -> Response {
        let mut cause = None;
        let (status, body) = match self {
            Outcome::Gone => (
                StatusCode::GONE,
                json!({"outcome": "closed", "message": "This page has expired. Please start again."}),
            ),
            Outcome::TryLater(c) => {
                cause = c;
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"outcome": "retry", "message": "Please try again."}),
                )
            }
            Outcome::Invalid(errors) => (
                StatusCode::OK,
                json!({"outcome": "invalid", "message": "Please check the highlighted fields.", "errors": errors}),
            ),
            Outcome::Retry {
                message,
                attempts_left,
            } => (
                StatusCode::OK,
                json!({"outcome": "retry", "message": message, "attempts_left": attempts_left}),
            ),
            Outcome::Done {
                outcome,
                message,
                event,
            } => (
                StatusCode::OK,
                json!({"outcome": outcome, "message": message, "event": event}),
            ),
        };
        let mut resp = (status, Json(body)).into_response();
        ErrorCause::attach(&mut resp, cause);
        resp
    }
}

/// Why a capture URL does not open the page.
pub enum Refused {
    /// Not a link we issued (404).
    NotValid,
    /// Our side failed (503); the cause is for the request log.
    TryLater(ErrorCause),
    /// Expired, or opened already (410), framed by the session's host.
    Expired { host: String },
    /// The session is over (410).
    Closed { host: String },
}

/// A page view opened by a capture URL.
pub struct Opened {
    pub session: repo::Session,
    pub page_token: String,
    pub settings: std::sync::Arc<TenantGatewaySettings>,
}

/// Opens the page of a signed capture URL: the signature first (a forged or
/// altered URL never reaches the store's once-only record), then the URL
/// opens once and starts a page view.
pub async fn open_page(state: &AppState, id: &str, t: &str, h: &str) -> Result<Opened, Refused> {
    if id.len() > 64 || t.len() > 32 || h.len() > 128 {
        return Err(Refused::NotValid);
    }
    let now = state.clock.now_micros();
    let session = repo::get_session(&state.store, id)
        .await
        .map_err(|e| Refused::TryLater(ErrorCause::new(e)))?
        .ok_or(Refused::NotValid)?;
    let keys = state
        .keyring
        .tenant(&state.store, &session.tenant_id)
        .await
        .map_err(|e| Refused::TryLater(ErrorCause::new(e)))?;
    if !url_signature_valid(&keys, id, t, h, state.clock.now_micros()) || url_expiry(t).is_none() {
        return Err(Refused::NotValid);
    }
    let opened = repo::open_session_url(&state.store, url_hash(id, t, h), now)
        .await
        .map_err(|e| Refused::TryLater(ErrorCause::new(e)))?;
    if !matches!(&opened, repo::UrlOpen::Opened(s) if s == id) {
        // A URL not opened in its time expires its session (the partner
        // asks for a new URL with its Idempotency-Key). A second open of a
        // URL that was opened is refused without touching the session: the
        // page the customer already has open keeps working.
        if opened == repo::UrlOpen::Unusable {
            let _ = repo::expire_session(&state.store, id.to_string(), now).await;
        }
        return Err(Refused::Expired {
            host: session.host_uri,
        });
    }
    if session.status == repo::SESSION_COMPLETED || session.status == repo::SESSION_MAX_ATTEMPTS {
        return Err(Refused::Closed {
            host: session.host_uri,
        });
    }
    let page_token = random_token(32);
    repo::create_page_view(
        &state.store,
        hash_token(&page_token),
        id.to_string(),
        now + PAGE_TTL_MICROS,
        now,
    )
    .await
    .map_err(|e| Refused::TryLater(ErrorCause::new(e)))?;
    let settings = super::settings::load(state, &session.tenant_id).await;
    Ok(Opened {
        session,
        page_token,
        settings,
    })
}

/// An open page view, from the page's X-Page-Token.
pub struct PageCtx {
    pub session: repo::Session,
    pub token_hash: String,
}

pub async fn page_ctx(state: &AppState, id: &str, headers: &HeaderMap) -> Result<PageCtx, Outcome> {
    let token = headers
        .get("x-page-token")
        .and_then(|v| v.to_str().ok())
        .filter(|t| t.len() <= 128)
        .ok_or(Outcome::Gone)?;
    let token_hash = hash_token(token);
    let now = state.clock.now_micros();
    match repo::page_view(&state.store, &token_hash).await {
        Ok(Some(v)) if v.session_id == id && v.closed == 0 && v.expires_at > now => {}
        Ok(_) => return Err(Outcome::Gone),
        Err(e) => return Err(Outcome::TryLater(Some(ErrorCause::new(e)))),
    }
    let session = match repo::get_session(&state.store, id).await {
        Ok(Some(s)) if s.status == repo::SESSION_ACTIVE => s,
        _ => return Err(Outcome::Gone),
    };
    Ok(PageCtx {
        session,
        token_hash,
    })
}

fn event(name: &str, session: &str, extra: Value) -> Value {
    let mut e = json!({"event_name": name, "session_identifier": session});
    if let (Value::Object(m), Value::Object(x)) = (&mut e, extra) {
        m.extend(x);
    }
    e
}

/// The customer gives up; the session stays.
pub async fn cancel(state: &AppState, ctx: &PageCtx) -> Outcome {
    let _ = repo::close_page_view(&state.store, ctx.token_hash.clone()).await;
    Outcome::Done {
        outcome: "closed",
        message: "You cancelled. You can close this window.",
        event: event("FUNDING_CANCELED", &ctx.session.id, json!({})),
    }
}

/// Ends an active session with `status`, and its page view. Best effort:
/// the customer's outcome stands either way, and an unclosed view expires.
async fn close_session(state: &AppState, ctx: &PageCtx, status: &'static str, now: i64) {
    let _ = repo::set_status_if(
        &state.store,
        ctx.session.id.clone(),
        repo::SESSION_ACTIVE,
        status,
        now,
    )
    .await;
    let _ = repo::close_page_view(&state.store, ctx.token_hash.clone()).await;
}

/// A failed attempt: retry, end the page (non-terminal) or end the session.
async fn failed(state: &AppState, ctx: &PageCtx, feature: &'static str, message: &str) -> Outcome {
    let limits = super::settings::load(state, &ctx.session.tenant_id)
        .await
        .attempt_limits();
    let now = state.clock.now_micros();
    let (count, total) = match repo::record_attempt(
        &state.store,
        ctx.token_hash.clone(),
        ctx.session.id.clone(),
        feature,
        now,
    )
    .await
    {
        Ok(counts) => counts,
        Err(e) => return Outcome::TryLater(Some(ErrorCause::new(e))),
    };
    if total >= limits.per_session {
        close_session(state, ctx, repo::SESSION_MAX_ATTEMPTS, now).await;
        return Outcome::Done {
            outcome: "closed",
            message: "We could not verify your details. This session is closed.",
            event: event("TERMINAL_FAILURE", &ctx.session.id, json!({})),
        };
    }
    let page_limit = if feature == "recipient" {
        limits.recipient_per_page
    } else {
        limits.account_per_page
    };
    if count >= page_limit {
        let _ = repo::close_page_view(&state.store, ctx.token_hash.clone()).await;
        return Outcome::Done {
            outcome: "closed",
            message: "Too many attempts. Please return and start again.",
            event: event(
                "MAX_VERIFICATION_ATTEMPTS_EXCEEDED",
                &ctx.session.id,
                json!({"feature": feature}),
            ),
        };
    }
    Outcome::Retry {
        message: message.to_string(),
        attempts_left: page_limit - count,
    }
}

fn clean(s: &Option<String>) -> String {
    s.as_deref().unwrap_or("").trim().to_string()
}

fn words(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn street_number(s: &str) -> String {
    s.trim()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect()
}

/// Recipient verification: names, the address line and ZIP (first five)
/// must match the session's recipient_information (case and spacing aside).
pub fn recipient_matches(expected: &Recipient, s: &Submission) -> bool {
    words(&expected.first_name) == words(&clean(&s.first_name))
        && words(&expected.last_name) == words(&clean(&s.last_name))
        && address_line_matches(&expected.address_line1, &clean(&s.address1))
        && expected.zip_code.get(..5) == clean(&s.zip).get(..5)
}

/// The address line, as a person would retype it:
/// - a line that starts with its street number ("123 Main St") matches on
///   that number (the street's spelling — "St", "Street" — may differ);
/// - any other line with numbers in it ("PO Box 15019", "Apt 4, 12 Main St",
///   "RR 2 Box 152") matches when its numbers are the same, in order;
/// - a line with no number at all ("One World Trade Center") matches on its
///   words, punctuation, case and spacing aside.
fn address_line_matches(expected: &str, given: &str) -> bool {
    let leading = street_number(expected);
    if !leading.is_empty() {
        return leading == street_number(given);
    }
    let numbers = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(|n| n.trim_start_matches('0').to_string())
            .collect()
    };
    let expected_numbers = numbers(expected);
    if !expected_numbers.is_empty() {
        return expected_numbers == numbers(given);
    }
    let plain = |s: &str| {
        words(
            &s.chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect::<String>(),
        )
    };
    !plain(expected).is_empty() && plain(expected) == plain(given)
}

/// The account type a destination pays to.
pub fn account_type(destination: &str) -> Option<AccountType> {
    match destination {
        "debit_card" => Some(AccountType::Ca),
        "bank_account" => Some(AccountType::Ac),
        "bill_pay" => Some(AccountType::Bp),
        _ => None,
    }
}

/// The form's field formats (a typo is not a verification attempt): the
/// account to verify, or every field to correct.
pub fn read_form(
    s: &Submission,
    account_type: AccountType,
    cvv_required: bool,
) -> Result<Target, Value> {
    let mut errors = FormErrors::default();
    let recipient = recipient_of(s, &mut errors);
    let target = match account_type {
        AccountType::Ca => {
            card_of(s, cvv_required, &mut errors).map(|(pan, expiry_yymm)| Target::Card {
                pan,
                expiry_yymm,
                recipient,
            })
        }
        AccountType::Ac => bank_account_of(s, &mut errors).map(|(routing, account)| Target::Bank {
            account,
            routing,
            recipient,
        }),
        _ => {
            let (payee_id, account) = biller_account_of(s, &mut errors);
            Some(Target::Biller {
                payee_id,
                account,
                recipient,
            })
        }
    };
    if !errors.0.is_empty() {
        return Err(Value::Object(errors.0));
    }
    target.ok_or_else(|| json!({"form": ["Please check the form."]}))
}

/// The form's messages, by field.
#[derive(Default)]
struct FormErrors(serde_json::Map<String, Value>);

impl FormErrors {
    fn add(&mut self, field: &str, message: &str) {
        self.0.insert(field.into(), json!([message]));
    }
}

/// Digits of a number field, spaces and dashes dropped.
fn digits(v: &Option<String>) -> String {
    clean(v)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

fn recipient_of(s: &Submission, errors: &mut FormErrors) -> verify::Recipient {
    let recipient = verify::Recipient {
        first_name: clean(&s.first_name),
        last_name: clean(&s.last_name),
        address1: clean(&s.address1),
        address2: Some(clean(&s.address2)).filter(|a| !a.is_empty()),
        city: clean(&s.city),
        state: clean(&s.state).to_ascii_uppercase(),
        zip: clean(&s.zip),
    };
    for (k, v) in [
        ("first_name", &recipient.first_name),
        ("last_name", &recipient.last_name),
        ("address1", &recipient.address1),
        ("city", &recipient.city),
    ] {
        if v.is_empty() || v.chars().count() > 150 {
            errors.add(k, "Required (up to 150 characters).");
        }
    }
    if UsState::parse(&recipient.state).is_none() {
        errors.add("state", "Choose a US state.");
    }
    if !valid_zip5(&recipient.zip) {
        errors.add("zip", "Enter a 5-digit ZIP code.");
    }
    recipient
}

/// The card number and its expiry as YYMM; the security code is checked
/// and never kept.
fn card_of(s: &Submission, cvv_required: bool, errors: &mut FormErrors) -> Option<(Pan, String)> {
    let pan = Pan::parse(&digits(&s.card_number)).ok();
    if pan.is_none() {
        errors.add("card_number", "Enter a valid card number.");
    }
    let expiry: String = clean(&s.expiry)
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    // MMYY as typed; the gateway's wire carries YYMM.
    let yymm = CardExpiry::parse_mmyy(&expiry).ok().map(|e| e.to_yymm());
    if yymm.is_none() {
        errors.add("expiry", "Enter the expiry as MM/YY.");
    }
    // The tenant's cvv_required applies here as on /gateway/verify.
    let cvv = clean(&s.cvv);
    if (cvv_required || !cvv.is_empty()) && Cvv::parse(&cvv).is_none() {
        errors.add("cvv", "Enter the 3- or 4-digit security code.");
    }
    pan.zip(yymm)
}

fn bank_account_of(
    s: &Submission,
    errors: &mut FormErrors,
) -> Option<(RoutingNumber, BankAccountNumber)> {
    let routing = RoutingNumber::parse(&digits(&s.routing_number)).ok();
    if routing.is_none() {
        errors.add("routing_number", "Enter a valid 9-digit routing number.");
    }
    let account = BankAccountNumber::parse(&digits(&s.account_number));
    if account.is_none() {
        errors.add(
            "account_number",
            "Enter the account number (4 to 17 digits).",
        );
    }
    routing.zip(account)
}

/// The payee chosen and the customer's account number with it.
fn biller_account_of(s: &Submission, errors: &mut FormErrors) -> (String, String) {
    let payee_id = clean(&s.payee_id);
    let account = clean(&s.account_number);
    if payee_id.is_empty() || !payee_id.bytes().all(|b| b.is_ascii_digit()) {
        errors.add("payee_id", "Choose a payee.");
    }
    if account.is_empty() || account.len() > 255 {
        errors.add(
            "account_number",
            "Enter your account number with the payee.",
        );
    }
    (payee_id, account)
}

async fn participant_id(state: &AppState, tenant_id: &str) -> i64 {
    fundline_store::tenants::ingopay_participant(&state.store, tenant_id)
        .await
        .ok()
        .flatten()
        .unwrap_or(0)
}

/// A submission: the destination must be offered and the form well
/// formed; then the recipient must match the session's and the account
/// verify (each failure an attempt); a verified account completes the
/// session with a TOKEN_SUCCESS event.
pub async fn submit(state: &AppState, ctx: &PageCtx, s: Submission) -> Outcome {
    let destination = clean(&s.destination);
    let tenant = super::settings::load(state, &ctx.session.tenant_id).await;
    let choose = || Outcome::field("destination", "Choose where the money should go.");
    if !tenant.destinations.contains(&destination) {
        return choose();
    }
    let issuer = match tenant.issuer() {
        Ok(i) => i,
        Err(e) => return Outcome::TryLater(Some(ErrorCause::new(e))),
    };
    let Some(account_type) = account_type(&destination) else {
        return choose();
    };
    let Ok(expected) = serde_json::from_str::<Recipient>(&ctx.session.recipient_json) else {
        // Not the parser's message: it could quote the recipient's details.
        let cause = ErrorCause::new("the session's recipient_json does not read");
        return Outcome::TryLater(Some(cause));
    };
    let target = match read_form(&s, account_type, tenant.cvv_required) {
        Ok(t) => t,
        Err(errors) => return Outcome::Invalid(errors),
    };
    if !recipient_matches(&expected, &s) {
        let message = "The name or address does not match our records.";
        return failed(state, ctx, "recipient", message).await;
    }
    let req = VerifyRequest {
        account_type,
        common: Common {
            participant_id: participant_id(state, &ctx.session.tenant_id).await,
            participant_unique_id1: ctx.session.participant_unique_id1.clone(),
            participant_unique_id2: Some(ctx.session.participant_unique_id2.clone()),
            timestamp: state.clock.now().timestamp(),
            amount: None,
        },
        target,
    };
    let verified = verify_account(state, &ctx.session.tenant_id, &req, &issuer).await;
    verification_outcome(state, ctx, &destination, verified).await
}

/// What the payee sees once the account was put to verification: the
/// session closes on success; a refusal is a message beside the account.
async fn verification_outcome(
    state: &AppState,
    ctx: &PageCtx,
    destination: &str,
    verified: Result<Verified, GatewayError>,
) -> Outcome {
    match verified {
        Ok(v) => {
            let now = state.clock.now_micros();
            close_session(state, ctx, repo::SESSION_COMPLETED, now).await;
            tracing::info!(session = %ctx.session.id, destination = %destination, "capture session completed");
            Outcome::Done {
                outcome: "success",
                message: "Thank you. Your details were verified.",
                event: event(
                    "TOKEN_SUCCESS",
                    &ctx.session.id,
                    json!({"customer_account_token": v.token, "funding_destination": destination,
                           "last_4": v.last4}),
                ),
            }
        }
        Err(GatewayError::NotAvailable { .. }) => {
            let message = "This account cannot receive payments. Please try another.";
            failed(state, ctx, "account", message).await
        }
        Err(GatewayError::Validation(_)) => {
            failed(state, ctx, "account", "We could not verify this account.").await
        }
        Err(GatewayError::Store(e)) => Outcome::TryLater(Some(ErrorCause::new(e))),
        Err(_) => Outcome::TryLater(None),
    }
}

/// The biller directory, for the page's bill pay choice.
pub async fn payees(state: &AppState, q: &str) -> Result<Value, Value> {
    if q.trim().len() < 2 || q.len() > 100 {
        return Ok(json!({"payees": []}));
    }
    match repo::search_billers(&state.store, q.trim(), 20).await {
        Ok(list) => Ok(
            json!({"payees": list.iter().map(|b| json!({"payee_id": b.payee_id, "payee_name": b.name})).collect::<Vec<_>>()}),
        ),
        Err(_) => Err(json!({"payees": []})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected() -> Recipient {
        Recipient {
            first_name: "Jack".into(),
            last_name: "Frost".into(),
            address_line1: "123 Main St".into(),
            address_line2: None,
            city: "Atlanta".into(),
            state: "GA".into(),
            zip_code: "30313-1234".into(),
            email_address: None,
            phone_number: None,
            mobile_number: None,
        }
    }

    #[test]
    fn recipient_matching_ignores_case_spacing_and_street_suffixes() {
        let mut s = Submission {
            first_name: Some(" jack ".into()),
            last_name: Some("FROST".into()),
            address1: Some("123 Main Street".into()),
            zip: Some("30313".into()),
            ..Default::default()
        };
        assert!(recipient_matches(&expected(), &s));
        s.zip = Some("30314".into());
        assert!(!recipient_matches(&expected(), &s));
        s.zip = Some("30313".into());
        s.address1 = Some("124 Main St".into());
        assert!(!recipient_matches(&expected(), &s));
    }

    #[test]
    fn addresses_without_a_leading_street_number_match_as_typed() {
        let cases = [
            ("PO Box 15019", "PO Box 15019", true),
            ("PO Box 15019", "P.O. Box 15019", true),
            ("PO Box 15019", "PO Box 15018", false),
            ("One World Trade Center", "One World Trade Center", true),
            ("One World Trade Center", "one world trade center.", true),
            ("One World Trade Center", "Two World Trade Center", false),
            ("Apt 4, 12 Main St", "Apt 4, 12 Main St", true),
            ("Apt 4, 12 Main St", "apt 4 12 main street", true),
            ("Apt 4, 12 Main St", "Apt 5, 12 Main St", false),
            ("RR 2 Box 152", "Rural Route 2, Box 152", true),
            ("RR 2 Box 152", "RR 2 Box 153", false),
        ];
        for (on_file, typed, ok) in cases {
            let mut e = expected();
            e.address_line1 = on_file.into();
            let s = Submission {
                first_name: Some("Jack".into()),
                last_name: Some("Frost".into()),
                address1: Some(typed.into()),
                zip: Some("30313".into()),
                ..Default::default()
            };
            assert_eq!(recipient_matches(&e, &s), ok, "{on_file:?} vs {typed:?}");
        }
    }
}
