//! The hosted capture page behind `authorized_url`: the customer types card
//! or bank details that only we see; they are verified and tokenized by the
//! same core as `/gateway/verify`, and the framing page learns the outcome by
//! `postMessage` events sent to the session's host origin only.

use crate::extract::{AnyPath, AnyQuery};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use fundline_core::card::Pan;
use fundline_store::gateway as repo;
use fundline_vault::{hash_token, random_token};
use serde::Deserialize;
use serde_json::{json, Value};

use super::issuer::AccountType;
use super::sessions::{origin, url_hash, Recipient};
use super::verify::{verify_account, Common, Target, VerifyError, VerifyRequest};
use crate::AppState;

/// Per page view: failed recipient matches, failed account verifications;
/// per session: failures in all. Reaching a page limit ends the page
/// (non-terminal: a fresh URL continues); reaching the session limit ends
/// the session (terminal).
#[derive(Debug, Clone, Copy)]
pub struct AttemptLimits {
    pub recipient_per_page: i64,
    pub account_per_page: i64,
    pub per_session: i64,
}

impl Default for AttemptLimits {
    fn default() -> Self {
        AttemptLimits {
            recipient_per_page: 3,
            account_per_page: 3,
            per_session: 5,
        }
    }
}

const PAGE_TTL_MICROS: i64 = 15 * 60 * 1_000_000;
pub const DESTINATIONS: &[&str] = &["debit_card", "bank_account", "bill_pay"];

#[derive(Deserialize, Default)]
pub struct UrlParams {
    t: Option<String>,
    h: Option<String>,
}

fn security_headers(resp: &mut Response, frame_ancestors: &str, nonce: &str) {
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; img-src 'self' data:; \
         form-action 'none'; base-uri 'none'; frame-ancestors {frame_ancestors}"
    );
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// CSP source list for a host: an entry without a port allows any port.
fn frame_ancestors(host: &str) -> String {
    match origin(host) {
        Some((s, h, None)) => format!("{s}://{h} {s}://{h}:*"),
        Some((s, h, Some(p))) => format!("{s}://{h}:{p}"),
        None => "'none'".into(),
    }
}

fn message_page(status: StatusCode, title: &str, text: &str, host: Option<&str>) -> Response {
    let nonce = random_token(16);
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style nonce=\"{nonce}\">body{{font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#1b1f24}}</style></head>\
         <body><main><h1>{title}</h1><p>{text}</p></main></body></html>"
    );
    let mut resp = (status, Html(body)).into_response();
    security_headers(
        &mut resp,
        &host.map(frame_ancestors).unwrap_or_else(|| "'none'".into()),
        &nonce,
    );
    resp
}

fn script_json(v: &Value) -> String {
    // Inside <script>: no "</script>" or "<!--" can appear.
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// GET /session/{id}?t=…&h=…
#[utoipa::path(get, path = "/session/{id}", tag = "Capture sessions",
    description = "The hosted capture page behind authorized_url: a signed URL that opens once within 30 s. Framed by the session's host only (CSP frame-ancestors).",
    params(("id" = String, Path), ("t" = String, Query, description = "Expiry and uniqueness"), ("h" = String, Query, description = "Server signature")),
    responses((status = 200, content_type = "text/html", description = "The form"),
        (status = 404, content_type = "text/html", description = "Not a valid link"),
        (status = 410, content_type = "text/html", description = "Expired, used, or the session is closed")))]
pub async fn open(
    State(state): State<AppState>,
    AnyPath(id): AnyPath<String>,
    AnyQuery(q): AnyQuery<UrlParams>,
) -> Response {
    let (Some(t), Some(h)) = (q.t, q.h) else {
        return message_page(
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This payment link is not valid.",
            None,
        );
    };
    if id.len() > 64 || t.len() > 32 || h.len() > 128 {
        return message_page(
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This payment link is not valid.",
            None,
        );
    }
    let now = state.clock.now_micros();
    let session = match repo::get_session(&state.store, &id).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return message_page(
                StatusCode::NOT_FOUND,
                "Link not valid",
                "This payment link is not valid.",
                None,
            )
        }
        Err(_) => {
            return message_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "The page could not be loaded.",
                None,
            )
        }
    };
    // The signature first: a forged or altered URL never reaches the store's once-only record.
    let signed = match state.keyring.tenant(&state.store, &session.tenant_id).await {
        Ok(keys) => {
            super::sessions::url_signature_valid(&keys, &id, &t, &h, state.clock.now_micros())
        }
        Err(_) => {
            return message_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "The page could not be loaded.",
                None,
            )
        }
    };
    if !signed || super::sessions::url_expiry(&t).is_none() {
        return message_page(
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This payment link is not valid.",
            None,
        );
    }
    let opened = match repo::open_session_url(&state.store, url_hash(&id, &t, &h), now).await {
        Ok(o) => o,
        Err(_) => {
            return message_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "The page could not be loaded.",
                None,
            )
        }
    };
    let opened_here = matches!(&opened, repo::UrlOpen::Opened(s) if *s == id);
    if !opened_here {
        // A URL not opened in its time expires its session (the partner
        // asks for a new URL with its Idempotency-Key). A second open of a
        // URL that was opened is refused without touching the session: the
        // page the customer already has open keeps working.
        if opened == repo::UrlOpen::Unusable {
            let _ = repo::expire_session(&state.store, id.clone(), now).await;
        }
        return message_page(
            StatusCode::GONE,
            "Link expired",
            "This payment link has expired or was already used. Please return and start again.",
            Some(&session.host_uri),
        );
    }
    if session.status == repo::SESSION_COMPLETED || session.status == repo::SESSION_MAX_ATTEMPTS {
        return message_page(
            StatusCode::GONE,
            "Session closed",
            "This payment session is closed.",
            Some(&session.host_uri),
        );
    }
    let page_token = random_token(32);
    if repo::create_page_view(
        &state.store,
        hash_token(&page_token),
        id.clone(),
        now + PAGE_TTL_MICROS,
        now,
    )
    .await
    .is_err()
    {
        return message_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Please try again",
            "The page could not be loaded.",
            None,
        );
    }
    let nonce = random_token(16);
    let tenant = super::settings::load(&state, &session.tenant_id).await;
    let config = json!({
        "session": id,
        "pageToken": page_token,
        "host": session.host_uri,
        "destinations": tenant.destinations,
        "cvvRequired": tenant.cvv_required,
    });
    let html = include_str!("page.html")
        .replace("{{NONCE}}", &nonce)
        .replace("{{CONFIG}}", &script_json(&config));
    let mut resp = (StatusCode::OK, Html(html)).into_response();
    security_headers(&mut resp, &frame_ancestors(&session.host_uri), &nonce);
    resp
}

/// What the customer typed.
#[derive(Deserialize, Default)]
pub struct Submission {
    destination: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    zip: Option<String>,
    card_number: Option<String>,
    /// MMYY or MM/YY.
    expiry: Option<String>,
    /// The card's security code: checked for this submission (when the
    /// tenant requires it) and dropped — never stored, logged or echoed.
    cvv: Option<String>,
    routing_number: Option<String>,
    account_number: Option<String>,
    payee_id: Option<String>,
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

struct PageCtx {
    session: repo::Session,
    token_hash: String,
    view: repo::PageView,
}

async fn page_ctx(state: &AppState, id: &str, headers: &HeaderMap) -> Result<PageCtx, Response> {
    let closed = || {
        (StatusCode::GONE, Json(json!({"outcome": "closed", "message": "This page has expired. Please start again."}))).into_response()
    };
    let token = headers
        .get("x-page-token")
        .and_then(|v| v.to_str().ok())
        .filter(|t| t.len() <= 128)
        .ok_or_else(closed)?;
    let token_hash = hash_token(token);
    let now = state.clock.now_micros();
    let view = match repo::page_view(&state.store, &token_hash).await {
        Ok(Some(v)) if v.session_id == id && v.closed == 0 && v.expires_at > now => v,
        Ok(_) => return Err(closed()),
        Err(_) => return Err(retry_later()),
    };
    let session = match repo::get_session(&state.store, id).await {
        Ok(Some(s)) if s.status == repo::SESSION_ACTIVE => s,
        _ => return Err(closed()),
    };
    Ok(PageCtx {
        session,
        token_hash,
        view,
    })
}

fn event(name: &str, session: &str, extra: Value) -> Value {
    let mut e = json!({"event_name": name, "session_identifier": session});
    if let (Value::Object(m), Value::Object(x)) = (&mut e, extra) {
        m.extend(x);
    }
    e
}

fn closing(outcome: &str, message: &str, ev: Value) -> Response {
    (
        StatusCode::OK,
        Json(json!({"outcome": outcome, "message": message, "event": ev})),
    )
        .into_response()
}

/// A failed attempt: retry, end the page (non-terminal) or end the session.
async fn failed(state: &AppState, ctx: &PageCtx, feature: &'static str, message: &str) -> Response {
    let limits = super::settings::load(state, &ctx.session.tenant_id)
        .await
        .attempt_limits();
    let now = state.clock.now_micros();
    let Ok((count, total)) = repo::record_attempt(
        &state.store,
        ctx.token_hash.clone(),
        ctx.session.id.clone(),
        feature,
        now,
    )
    .await
    else {
        return retry_later();
    };
    if total >= limits.per_session {
        let _ = repo::set_status_if(
            &state.store,
            ctx.session.id.clone(),
            repo::SESSION_ACTIVE,
            repo::SESSION_MAX_ATTEMPTS,
            now,
        )
        .await;
        let _ = repo::close_page_view(&state.store, ctx.token_hash.clone()).await;
        return closing(
            "closed",
            "We could not verify your details. This session is closed.",
            event("TERMINAL_FAILURE", &ctx.session.id, json!({})),
        );
    }
    let page_limit = if feature == "recipient" {
        limits.recipient_per_page
    } else {
        limits.account_per_page
    };
    if count >= page_limit {
        let _ = repo::close_page_view(&state.store, ctx.token_hash.clone()).await;
        return closing(
            "closed",
            "Too many attempts. Please return and start again.",
            event(
                "MAX_VERIFICATION_ATTEMPTS_EXCEEDED",
                &ctx.session.id,
                json!({"feature": feature}),
            ),
        );
    }
    (
        StatusCode::OK,
        Json(json!({"outcome": "retry", "message": message, "attempts_left": page_limit - count})),
    )
        .into_response()
}

/// Our side failed; the page asks the customer to try again.
fn retry_later() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"outcome": "retry", "message": "Please try again."})),
    )
        .into_response()
}

fn field_errors(errors: Value) -> Response {
    (StatusCode::OK, Json(json!({"outcome": "invalid", "message": "Please check the highlighted fields.", "errors": errors}))).into_response()
}

/// POST /session/{id}/submit
#[utoipa::path(post, path = "/session/{id}/submit", tag = "Capture sessions",
    description = "Called by the hosted page's own script with its X-Page-Token: verifies the recipient and the account and answers the outcome and the event the page relays to its parent.",
    params(("id" = String, Path), ("X-Page-Token" = String, Header)),
    request_body(content = serde_json::Value, description = "destination, first_name, last_name, address1, address2, city, state, zip, and card_number + expiry, routing_number + account_number, or payee_id + account_number"),
    responses((status = 200, content_type = "application/json", description = "outcome success | invalid | retry | closed, with event"),
        (status = 410, content_type = "application/json", description = "The page view is over")))]
pub async fn submit(
    State(state): State<AppState>,
    AnyPath(id): AnyPath<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let ctx = match page_ctx(&state, &id, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let _ = &ctx.view;
    let Ok(s) = serde_json::from_slice::<Submission>(&body) else {
        return field_errors(json!({"form": ["The form could not be read."]}));
    };
    let destination = clean(&s.destination);
    let tenant = super::settings::load(&state, &ctx.session.tenant_id).await;
    if !tenant.destinations.contains(&destination) {
        return field_errors(json!({"destination": ["Choose where the money should go."]}));
    }
    let Ok(issuer) = tenant.issuer() else {
        return retry_later();
    };
    let account_type = match destination.as_str() {
        "debit_card" => AccountType::Ca,
        "bank_account" => AccountType::Ac,
        "bill_pay" => AccountType::Bp,
        _ => return field_errors(json!({"destination": ["Choose where the money should go."]})),
    };
    let Ok(expected) = serde_json::from_str::<Recipient>(&ctx.session.recipient_json) else {
        return retry_later();
    };
    // Field formats first: a typo is not a verification attempt.
    let recipient = super::verify::Recipient {
        first_name: clean(&s.first_name),
        last_name: clean(&s.last_name),
        address1: clean(&s.address1),
        address2: Some(clean(&s.address2)).filter(|a| !a.is_empty()),
        city: clean(&s.city),
        state: clean(&s.state).to_ascii_uppercase(),
        zip: clean(&s.zip),
    };
    let mut errors = serde_json::Map::new();
    for (k, v) in [
        ("first_name", &recipient.first_name),
        ("last_name", &recipient.last_name),
        ("address1", &recipient.address1),
        ("city", &recipient.city),
    ] {
        if v.is_empty() || v.chars().count() > 150 {
            errors.insert(k.into(), json!(["Required (up to 150 characters)."]));
        }
    }
    if fundline_core::contact::UsState::parse(&recipient.state).is_none() {
        errors.insert("state".into(), json!(["Choose a US state."]));
    }
    if !(recipient.zip.len() == 5 && recipient.zip.bytes().all(|b| b.is_ascii_digit())) {
        errors.insert("zip".into(), json!(["Enter a 5-digit ZIP code."]));
    }
    let digits = |v: &Option<String>| {
        clean(v)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
    };
    let target = match account_type {
        AccountType::Ca => {
            let number = digits(&s.card_number);
            let expiry: String = clean(&s.expiry)
                .chars()
                .filter(|c| c.is_ascii_digit())
                .collect();
            let pan = Pan::parse(&number).ok();
            if pan.is_none() {
                errors.insert("card_number".into(), json!(["Enter a valid card number."]));
            }
            let yymm = (expiry.len() == 4).then(|| format!("{}{}", &expiry[2..], &expiry[..2]));
            if yymm.is_none() || !matches!(expiry[..2.min(expiry.len())].parse::<u32>(), Ok(1..=12))
            {
                errors.insert("expiry".into(), json!(["Enter the expiry as MM/YY."]));
            }
            // The tenant's cvv_required applies here as on /gateway/verify.
            let cvv = clean(&s.cvv);
            let cvv_ok = (3..=4).contains(&cvv.len()) && cvv.bytes().all(|b| b.is_ascii_digit());
            if (tenant.cvv_required || !cvv.is_empty()) && !cvv_ok {
                errors.insert(
                    "cvv".into(),
                    json!(["Enter the 3- or 4-digit security code."]),
                );
            }
            pan.zip(yymm).map(|(pan, expiry_yymm)| Target::Card {
                pan,
                expiry_yymm,
                recipient: recipient.clone(),
            })
        }
        AccountType::Ac => {
            let routing = digits(&s.routing_number);
            let account = digits(&s.account_number);
            if !fundline_core::routing::valid_aba_routing(&routing) {
                errors.insert(
                    "routing_number".into(),
                    json!(["Enter a valid 9-digit routing number."]),
                );
            }
            if !(4..=17).contains(&account.len()) || !account.bytes().all(|b| b.is_ascii_digit()) {
                errors.insert(
                    "account_number".into(),
                    json!(["Enter the account number (4 to 17 digits)."]),
                );
            }
            Some(Target::Bank {
                account,
                routing,
                recipient: recipient.clone(),
            })
        }
        _ => {
            let payee_id = clean(&s.payee_id);
            let account = clean(&s.account_number);
            if payee_id.is_empty() || !payee_id.bytes().all(|b| b.is_ascii_digit()) {
                errors.insert("payee_id".into(), json!(["Choose a payee."]));
            }
            if account.is_empty() || account.len() > 255 {
                errors.insert(
                    "account_number".into(),
                    json!(["Enter your account number with the payee."]),
                );
            }
            Some(Target::Biller {
                payee_id,
                account,
                recipient: recipient.clone(),
            })
        }
    };
    if !errors.is_empty() {
        return field_errors(Value::Object(errors));
    }
    let Some(target) = target else {
        return field_errors(json!({"form": ["Please check the form."]}));
    };
    if !recipient_matches(&expected, &s) {
        return failed(
            &state,
            &ctx,
            "recipient",
            "The name or address does not match our records.",
        )
        .await;
    }
    let participant_id = ctx_participant(&state, &ctx.session.tenant_id).await;
    let req = VerifyRequest {
        account_type,
        common: Common {
            participant_id,
            participant_unique_id1: ctx.session.participant_unique_id1.clone(),
            participant_unique_id2: Some(ctx.session.participant_unique_id2.clone()),
            timestamp: state.clock.now().timestamp(),
            amount: None,
        },
        target,
    };
    match verify_account(&state, &ctx.session.tenant_id, &req, &issuer).await {
        Ok(data) => {
            let now = state.clock.now_micros();
            let _ = repo::set_status_if(
                &state.store,
                ctx.session.id.clone(),
                repo::SESSION_ACTIVE,
                repo::SESSION_COMPLETED,
                now,
            )
            .await;
            let _ = repo::close_page_view(&state.store, ctx.token_hash.clone()).await;
            tracing::info!(session = %ctx.session.id, destination = %destination, "capture session completed");
            closing(
                "success",
                "Thank you. Your details were verified.",
                event(
                    "TOKEN_SUCCESS",
                    &ctx.session.id,
                    json!({"customer_account_token": data["customer_account_token"], "funding_destination": destination,
                           "last_4": data["last_4"]}),
                ),
            )
        }
        Err(VerifyError::Unavailable) => {
            failed(
                &state,
                &ctx,
                "account",
                "This account cannot receive payments. Please try another.",
            )
            .await
        }
        Err(VerifyError::Invalid(_)) => {
            failed(&state, &ctx, "account", "We could not verify this account.").await
        }
        Err(_) => retry_later(),
    }
}

async fn ctx_participant(state: &AppState, tenant_id: &str) -> i64 {
    fundline_store::tenants::ingopay_participant(&state.store, tenant_id)
        .await
        .ok()
        .flatten()
        .unwrap_or(0)
}

/// POST /session/{id}/cancel: the customer gives up; the session stays.
#[utoipa::path(post, path = "/session/{id}/cancel", tag = "Capture sessions",
    params(("id" = String, Path), ("X-Page-Token" = String, Header)),
    responses((status = 200, content_type = "application/json", description = "FUNDING_CANCELED event"),
        (status = 410, content_type = "application/json", description = "The page view is over")))]
pub async fn cancel(
    State(state): State<AppState>,
    AnyPath(id): AnyPath<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = match page_ctx(&state, &id, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let _ = repo::close_page_view(&state.store, ctx.token_hash.clone()).await;
    closing(
        "closed",
        "You cancelled. You can close this window.",
        event("FUNDING_CANCELED", &ctx.session.id, json!({})),
    )
}

#[derive(Deserialize, Default)]
pub struct PayeeQuery {
    q: Option<String>,
}

/// GET /session/{id}/payees?q=…: the biller directory, for the page's bill pay choice.
#[utoipa::path(get, path = "/session/{id}/payees", tag = "Capture sessions",
    params(("id" = String, Path), ("q" = String, Query), ("X-Page-Token" = String, Header)),
    responses((status = 200, content_type = "application/json", description = "payees"),
        (status = 410, content_type = "application/json", description = "The page view is over")))]
pub async fn payees(
    State(state): State<AppState>,
    AnyPath(id): AnyPath<String>,
    headers: HeaderMap,
    AnyQuery(q): AnyQuery<PayeeQuery>,
) -> Response {
    if let Err(r) = page_ctx(&state, &id, &headers).await {
        return r;
    }
    let q = q.q.unwrap_or_default();
    if q.trim().len() < 2 || q.len() > 100 {
        return Json(json!({"payees": []})).into_response();
    }
    match repo::search_billers(&state.store, q.trim(), 20).await {
        Ok(list) => Json(json!({"payees": list.iter().map(|b| json!({"payee_id": b.payee_id, "payee_name": b.name})).collect::<Vec<_>>()})).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"payees": []}))).into_response(),
    }
}

/// GET /js/fundline-capture.js: mounts the page in a frame and relays its events.
#[utoipa::path(get, path = "/js/fundline-capture.js", tag = "Capture sessions",
    description = "FundlineCapture.mount({url, container, onEvent}) for the partner's page.",
    responses((status = 200, content_type = "text/javascript")))]
pub async fn helper_js() -> Response {
    let mut resp = (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("capture.js"),
    )
        .into_response();
    resp.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
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

    #[test]
    fn frame_ancestors_follow_the_host() {
        assert_eq!(
            frame_ancestors("http://127.0.0.1"),
            "http://127.0.0.1 http://127.0.0.1:*"
        );
        assert_eq!(
            frame_ancestors("https://pay.example.com:8443"),
            "https://pay.example.com:8443"
        );
        assert_eq!(frame_ancestors("nonsense"), "'none'");
        assert!(!script_json(&json!({"a": "</script><!--"})).contains('<'));
    }
}
