//! Report requests: a customer gets a one-time link (through the outbox) to
//! share bank data; staff list, read and re-send them. A customer has one
//! open link at most: a new request, or a reset, supersedes the open one.
//! Status codes: 1 Pending, 2 Completed, 3 Expired, 4 Failed, 5 Superseded.

use crate::extract::AnyPath;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use fundline_store::customers::{self, Customer};
use fundline_store::outbox::{self as messages, OutboxMessage};
use fundline_store::reports::{self, ReportRequest, RequestOrder, RequestQuery};
use fundline_store::Page;
use fundline_store::StoreError;
use fundline_vault::TenantKeys;
use serde_json::{json, Value};

use super::auth::Staff;
use super::envelope::{object_body, ok};
use super::error::{AnalysisError, Result};
use super::fields::{guid, integer, text};
use super::query::{customer_type, date_bound, name_query, order_by, paging, Params};
use super::zone::Zone;
use crate::AppState;

pub const SEND_EMAIL: i64 = 1;
pub const SEND_SMS: i64 = 2;
/// The only request type: instant bank analysis.
const REQUEST_TYPE_IBA: i64 = 1;
/// How far back the analysis looks (the report's startDate).
const LOOKBACK_DAYS: i64 = 730;

/// A new request for `customer`: its row, the message carrying the link,
/// and the link itself.
pub fn prepare(
    state: &AppState,
    keys: &TenantKeys,
    customer: &Customer,
    sent_via: i64,
    created_by: &str,
) -> (ReportRequest, OutboxMessage) {
    let now = state.clock.now_micros();
    let id = uuid::Uuid::new_v4().to_string();
    let (token_hash, expires_at, message) = link_message(state, keys, customer, &id, sent_via);
    let request = ReportRequest {
        id,
        tenant_id: customer.tenant_id.clone(),
        customer_id: customer.id.clone(),
        report_number: report_number(),
        request_type: REQUEST_TYPE_IBA,
        sent_via,
        status: reports::PENDING,
        created_by: created_by.to_string(),
        link_token_hash: token_hash,
        link_expires_at: expires_at,
        consent_at: None,
        job_state: None,
        job_claimed_at: None,
        job_attempts: 0,
        failure_reason: None,
        report_score: None,
        start_date: now - LOOKBACK_DAYS * 86_400_000_000,
        end_date: None,
        created_at: now,
        updated_at: None,
        superseded_by: None,
    };
    (request, message)
}

/// Ten characters of [0-9A-Z], like the spec's "144SXPAA6S".
fn report_number() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The email carrying a customer's link (plain text, nothing escaped).
#[derive(Template)]
#[template(path = "analysis/link_email.txt")]
struct LinkEmail<'a> {
    first_name: &'a str,
    link: &'a str,
    until: &'a str,
}

/// The SMS carrying a customer's link.
#[derive(Template)]
#[template(path = "analysis/link_sms.txt")]
struct LinkSms<'a> {
    link: &'a str,
    until: &'a str,
}

/// A fresh link token (only its hash is stored) and the sealed message.
fn link_message(
    state: &AppState,
    keys: &TenantKeys,
    customer: &Customer,
    request_id: &str,
    sent_via: i64,
) -> (String, i64, OutboxMessage) {
    let now = state.clock.now_micros();
    let token = fundline_vault::random_token(32);
    let expires_at = now + state.config.report_link_ttl.as_micros() as i64;
    let link = format!(
        "{}/connect/{token}",
        state.config.public_url.trim_end_matches('/')
    );
    let until = chrono::DateTime::<chrono::Utc>::from_timestamp_micros(expires_at)
        .unwrap_or_default()
        .format("%B %-d, %Y %H:%M UTC")
        .to_string();
    let (channel, recipient, text) = if sent_via == SEND_SMS {
        (
            "sms",
            customer.phone_number.clone(),
            LinkSms {
                link: &link,
                until: &until,
            }
            .to_string(),
        )
    } else {
        (
            "email",
            customer.email.clone(),
            LinkEmail {
                first_name: &customer.first_name,
                link: &link,
                until: &until,
            }
            .to_string(),
        )
    };
    let id = uuid::Uuid::new_v4().to_string();
    // Bound to this message's row: a text or link copied to another message does not open.
    let text_sealed = keys.seal_row("ba_outbox", "text", &id, text.as_bytes());
    let link_sealed = keys.seal_row("ba_outbox", "link", &id, link.as_bytes());
    let message = OutboxMessage {
        id,
        tenant_id: customer.tenant_id.clone(),
        report_request_id: request_id.to_string(),
        channel: channel.into(),
        recipient,
        subject: "Share your bank information".into(),
        text_sealed,
        link_sealed,
        // Waits for its sender, or is recorded only when the channel has
        // no transport.
        state: if super::outbox::deliverable(state, channel) {
            messages::OUTBOX_PENDING.into()
        } else {
            messages::OUTBOX_RECORDED.into()
        },
        attempts: 0,
        last_error: None,
        created_at: now,
        sent_at: None,
        next_attempt_at: None,
    };
    (fundline_vault::hash_token(&token), expires_at, message)
}

pub(crate) fn created_message(sent_via: i64) -> &'static str {
    if sent_via == SEND_SMS {
        "Report request created successfully. A verification SMS has been sent to the customer."
    } else {
        "Report request created successfully. A verification email has been sent to the customer."
    }
}

pub fn sent_via(body: &serde_json::Map<String, Value>, errors: &mut Vec<String>) -> i64 {
    match integer(body, "sendVia") {
        Some(Ok(n)) if n == SEND_EMAIL || n == SEND_SMS => n,
        None => {
            errors.push("Send via is required.".into());
            SEND_EMAIL
        }
        _ => {
            errors.push("Send via must be 1 (email) or 2 (SMS).".into());
            SEND_EMAIL
        }
    }
}

/// The rules of a report-request body: the customer id (`None`: not a GUID,
/// answered "Customer not found.") and sendVia, or every failed rule in order.
pub fn create_body(
    body: &serde_json::Map<String, Value>,
) -> Result<(Option<String>, i64), Vec<String>> {
    let mut errors = Vec::new();
    let customer_id = text(body, "customerId");
    if customer_id.is_none() {
        errors.push("Customer ID is required.".to_string());
    }
    let via = sent_via(body, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((customer_id.as_deref().and_then(guid), via))
}

/// The rule of a reset body: the report request id (`None`: not a GUID,
/// answered "Report request not found."), or the failed rule.
pub fn reset_body(body: &serde_json::Map<String, Value>) -> Result<Option<String>, Vec<String>> {
    let Some(raw) = text(body, "reportRequestId") else {
        return Err(vec!["Report request ID is required.".to_string()]);
    };
    Ok(guid(&raw))
}

/// Creates a request (and its message) for a known customer, superseding
/// the customer's open request. Retries the rare report-number collision,
/// and the loss of a race with another request created for the customer at
/// the same moment (the open-request index refused this one: the retry
/// supersedes the winner, so the later request is the open one).
async fn create_for(
    state: &AppState,
    who: &Staff,
    customer: &Customer,
    sent_via: i64,
) -> Result<String, StoreError> {
    let keys = state.keyring.tenant(&state.store, &who.tenant_id).await?;
    let creator = creator_email(state, who).await;
    for _ in 0..5 {
        let (request, message) = prepare(state, &keys, customer, sent_via, &creator);
        let id = request.id.clone();
        match reports::create(&state.store, None, request, message).await {
            Err(StoreError::Unique(_)) => continue,
            Err(e) => return Err(e),
            Ok(()) => {
                state.outbox_wake.notify_one();
                return Ok(id);
            }
        }
    }
    Err(StoreError::Config("report number space exhausted".into()))
}

pub async fn creator_email(state: &AppState, who: &Staff) -> String {
    fundline_store::staff::user(&state.store, &who.tenant_id, &who.user_id)
        .await
        .ok()
        .flatten()
        .map(|u| u.email)
        .unwrap_or_default()
}

/// POST /api/v1/instantbankanalysis/report-request
#[utoipa::path(post, path = "/api/v1/instantbankanalysis/report-request", tag = "Bank analysis",
    description = "Create a report request and send the customer a link to share bank data (sendVia 1 email, 2 SMS). data: the request id.",
    request_body = crate::analysis::requests::ReportRequestCreateRequest,
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json", description = "Customer not found."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn create(
    State(state): State<AppState>,
    who: Staff,
    body: axum::body::Bytes,
) -> Result<Response> {
    let (customer_id, via) = create_body(&object_body(&body)?).map_err(AnalysisError::invalid)?;
    let id = request_for(&state, &who, customer_id, via).await?;
    tracing::info!(tenant_id = %who.tenant_id, report_id = %id, "report request created");
    Ok(ok(created_message(via), json!(id)))
}

/// A request for the tenant's customer `customer_id` (`None`: not a GUID);
/// the console's "Request a report" calls it too.
pub(crate) async fn request_for(
    state: &AppState,
    who: &Staff,
    customer_id: Option<String>,
    via: i64,
) -> Result<String> {
    let failed = || AnalysisError::rejected("Report request failed.", ["Customer not found."]);
    let customer_id = customer_id.ok_or_else(failed)?;
    let customer = customers::get(&state.store, &who.tenant_id, &customer_id)
        .await?
        .ok_or_else(failed)?;
    Ok(create_for(state, who, &customer, via).await?)
}

/// POST /api/v1/instantbankanalysis/report-request/reset
#[utoipa::path(post, path = "/api/v1/instantbankanalysis/report-request/reset", tag = "Bank analysis",
    description = "Send a fresh link for a request that is not completed (typically expired). The old link stops working; data: the request id.",
    request_body = crate::analysis::requests::ReportRequestResetRequest,
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json", description = "Report request not found."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn reset(
    State(state): State<AppState>,
    who: Staff,
    body: axum::body::Bytes,
) -> Result<Response> {
    let id = reset_body(&object_body(&body)?).map_err(AnalysisError::invalid)?;
    let id = resend(&state, &who, id).await?;
    Ok(ok("Report request re-sent successfully.", json!(id)))
}

/// A fresh link for a request that is not completed nor being built; the
/// old link stops working. `id` `None`: not a GUID. The console's "Reset and
/// resend" calls it too.
pub(crate) async fn resend(state: &AppState, who: &Staff, id: Option<String>) -> Result<String> {
    let not_found = || AnalysisError::rejected("Not found.", ["Report request not found."]);
    let refused = |why: &str| AnalysisError::rejected("Report request failed.", [why]);
    let id = id.ok_or_else(not_found)?;
    let now = state.clock.now_micros();
    let request = reports::get(&state.store, &who.tenant_id, &id, now)
        .await?
        .ok_or_else(not_found)?;
    let customer = customers::get(&state.store, &who.tenant_id, &request.customer_id)
        .await?
        .ok_or_else(not_found)?;
    let keys = state.keyring.tenant(&state.store, &who.tenant_id).await?;
    if request.status == reports::COMPLETED {
        return Err(refused("The report request is already completed."));
    }
    if matches!(request.job_state.as_deref(), Some("queued" | "running")) {
        return Err(refused(
            "The customer's data is being analysed; the request cannot be re-sent now.",
        ));
    }
    let (hash, expires_at, message) = link_message(state, &keys, &customer, &id, request.sent_via);
    let outcome = reports::reset(
        &state.store,
        &who.tenant_id,
        &id,
        hash,
        expires_at,
        now,
        message,
    )
    .await?;
    if outcome == reports::ResetReport::NotResettable {
        return Err(refused("The report request is already completed."));
    }
    state.outbox_wake.notify_one();
    Ok(id)
}

/// GET /api/v1/instantbankanalysis/report-requests
#[utoipa::path(
    get,
    path = "/api/v1/instantbankanalysis/report-requests",
    tag = "Bank analysis",
    description = "Report requests: nameQuery, customerType, status (1 Pending, 2 Completed, 3 Expired, 4 Failed, 5 Superseded), orderedDateFrom/To, onBoardedDateFrom/To (ISO-8601; read in X-Timezone when they carry no offset), customerId (one customer's requests), pageNumber, pageSize (1–100), orderBy (CreatedDate, FirstName, LastName, Status), order.",
    responses(crate::analysis::requests::Answered)
)]
pub async fn list(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let (page, total, records) = list_of(&state, &who, &zone, raw.as_deref()).await?;
    Ok(ok(
        "Success",
        super::query::page_json(&page, total, records),
    ))
}

/// The page of report requests a GET …/report-requests query (`raw`) asks
/// for, as the API's records, with the total: the console lists the same.
pub(crate) async fn list_of(
    state: &AppState,
    who: &Staff,
    zone: &Zone,
    raw: Option<&str>,
) -> Result<(Page, i64, Vec<Value>)> {
    let (q, page) = list_query(&Params::parse(raw), zone).map_err(AnalysisError::bad_parameters)?;
    let now = state.clock.now_micros();
    let keys = state.keyring.tenant(&state.store, &who.tenant_id).await?;
    let (total, rows) = reports::list(&state.store, &who.tenant_id, &q, now).await?;
    let records = rows.iter().map(|r| list_row(r, &keys, zone, now)).collect();
    Ok((page, total, records))
}

/// The filters, order and page of GET …/report-requests, or every failed
/// rule in order.
fn list_query(p: &Params, zone: &Zone) -> std::result::Result<(RequestQuery, Page), Vec<String>> {
    let mut errors = Vec::new();
    let page = paging(p, &mut errors);
    let order = order_by(
        p,
        &[
            ("CreatedDate", RequestOrder::CreatedDate),
            ("FirstName", RequestOrder::FirstName),
            ("LastName", RequestOrder::LastName),
            ("Status", RequestOrder::Status),
        ],
        &mut errors,
    );
    let customer_type = customer_type(p, &mut errors);
    let status = p.get("status").and_then(|s| match s.parse::<i64>() {
        Ok(n) if (1..=5).contains(&n) => Some(n),
        _ => {
            errors.push(
                "Status must be 1 (Pending), 2 (Completed), 3 (Expired), 4 (Failed) or 5 (Superseded)."
                    .into(),
            );
            None
        }
    });
    let ordered_from = date_bound(p, zone, "orderedDateFrom", false, &mut errors);
    let ordered_to = date_bound(p, zone, "orderedDateTo", true, &mut errors);
    let onboarded_from = date_bound(p, zone, "onBoardedDateFrom", false, &mut errors);
    let onboarded_to = date_bound(p, zone, "onBoardedDateTo", true, &mut errors);
    let name_query = name_query(p, &mut errors);
    let customer_id = p.get("customerId").and_then(|s| {
        let id = guid(s);
        if id.is_none() {
            errors.push("CustomerId must be a GUID.".into());
        }
        id
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    let q = RequestQuery {
        name_query,
        customer_type,
        status,
        ordered_from,
        ordered_to,
        onboarded_from,
        onboarded_to,
        customer_id,
        order_by: order,
        page,
    };
    Ok((q, page))
}

/// One row of the list; its link, masked, while the customer can use it.
fn list_row(r: &reports::Listed, keys: &TenantKeys, zone: &Zone, now: i64) -> Value {
    let link = match (&r.message_id, &r.message_link_sealed) {
        (Some(id), Some(sealed)) if r.link_open(now) => {
            open_link(keys, id, sealed).map(|l| masked_link(&l))
        }
        _ => None,
    };
    json!({
        "id": r.id,
        "customerId": r.customer_id,
        "firstName": r.first_name,
        "lastName": r.last_name,
        "phoneNumber": r.phone_number,
        "sentVia": r.sent_via,
        "status": r.status,
        "startDate": zone.render(r.start_date),
        "endDate": r.end_date.map(|t| zone.render(t)),
        "createdDate": zone.render(r.created_at),
        "onboardedDate": zone.render(r.onboarded_at),
        "reportScore": r.report_score,
        "createdBy": r.created_by,
        "email": r.email,
        "reportNumber": r.report_number,
        "supersededBy": r.superseded_by,
        "link": link,
        "deliveryState": r.message_state,
    })
}

/// The link a message carries, opened.
fn open_link(keys: &TenantKeys, message_id: &str, sealed: &str) -> Option<String> {
    keys.open_string_row("ba_outbox", "link", message_id, sealed)
        .ok()
        .map(|l| l.expose().to_string())
}

/// `https://host/connect/AbCd…`: enough to tell links apart, not to open one.
pub fn masked_link(link: &str) -> String {
    match link.rsplit_once("/connect/") {
        Some((base, token)) => format!(
            "{base}/connect/{}…",
            token.chars().take(4).collect::<String>()
        ),
        None => "…".into(),
    }
}

/// Delivery states in which the customer has not received the link: no
/// transport for the channel, or the provider refused it for good.
pub(crate) fn undelivered(state: &str) -> bool {
    state == messages::OUTBOX_RECORDED || state == messages::OUTBOX_FAILED
}

/// GET /api/v1/instantbankanalysis/reportrequests/{reportId}
#[utoipa::path(get, path = "/api/v1/instantbankanalysis/reportrequests/{reportId}", tag = "Bank analysis",
    description = "One report request. merchantId is the tenant's bank-analysis merchant id (its credentials' analysis.merchant_id). supersededBy names the request that replaced this one (status 5). link: while the customer can still use it, the full link when its message could not be delivered (no provider for the channel, or the provider refused it), so staff can hand it over; masked otherwise; null once closed. delivery: the latest message's channel, state (recorded, pending, sent, failed, cancelled), attempts and last error.",
    params(("reportId" = String, Path, description = "Report request ID (GUID)")),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json", description = "Report not found."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn get(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    AnyPath(report_id): AnyPath<String>,
) -> Result<Response> {
    let now = state.clock.now_micros();
    Ok(ok(
        "Request successful",
        detail_of(&state, &who, &zone, &report_id, now).await?,
    ))
}

/// The record GET …/reportrequests/{reportId} answers (the link in full
/// only while its message could not be delivered): the console's request
/// page shows the same.
pub(crate) async fn detail_of(
    state: &AppState,
    who: &Staff,
    zone: &Zone,
    report_id: &str,
    now: i64,
) -> Result<Value> {
    let found = find(state, who, report_id, now).await?;
    Ok(detail(who, &found, zone, now))
}

/// A request with what its page shows beside it.
struct Found {
    r: ReportRequest,
    merchant: String,
    message: Option<OutboxMessage>,
    keys: std::sync::Arc<TenantKeys>,
}

async fn find(state: &AppState, who: &Staff, report_id: &str, now: i64) -> Result<Found> {
    let not_found = || AnalysisError::rejected("Report request failed.", ["Report not found."]);
    let id = guid(report_id).ok_or_else(not_found)?;
    let r = reports::get(&state.store, &who.tenant_id, &id, now)
        .await?
        .ok_or_else(not_found)?;
    let merchant = crate::tenancy::merchant_id(state, &who.tenant_id).await?;
    let message = messages::latest_message(&state.store, &who.tenant_id, &r.id).await?;
    let keys = state.keyring.tenant(&state.store, &who.tenant_id).await?;
    Ok(Found {
        r,
        merchant,
        message,
        keys,
    })
}

/// The request, its link (in full while its message could not be
/// delivered, so staff can hand it over) and its delivery.
fn detail(who: &Staff, f: &Found, zone: &Zone, now: i64) -> Value {
    let r = &f.r;
    let link = f.message.as_ref().filter(|_| r.link_open(now)).and_then(|m| {
        let link = open_link(&f.keys, &m.id, &m.link_sealed)?;
        if undelivered(&m.state) {
            // A live credential for the customer's data: who read it is kept.
            crate::audit!("report_request.link_read", tenant_id = %who.tenant_id, user_id = %who.user_id, report_id = %r.id);
            Some(link)
        } else {
            Some(masked_link(&link))
        }
    });
    let delivery = f.message.as_ref().map(|m| {
        json!({
            "channel": m.channel,
            "state": m.state,
            "attempts": m.attempts,
            "lastError": m.last_error,
            "sentDate": m.sent_at.map(|t| zone.render(t)),
        })
    });
    json!({
        "id": r.id,
        "reportNumber": r.report_number,
        "requestType": r.request_type,
        "status": r.status,
        "customerId": r.customer_id,
        "merchantId": f.merchant,
        "sentVia": r.sent_via,
        "reportScore": r.report_score,
        "createdDate": zone.render(r.created_at),
        "updatedDate": r.updated_at.map(|t| zone.render(t)),
        "startDate": zone.render(r.start_date),
        "endDate": r.end_date.map(|t| zone.render(t)),
        "linkExpiresDate": zone.render(r.link_expires_at),
        "failureReason": r.failure_reason,
        "supersededBy": r.superseded_by,
        "link": link,
        "delivery": delivery,
    })
}

#[cfg(test)]
mod message_tests {
    use super::*;

    const HOSTILE: &str = "<script>alert(1)</script>\"'&";

    #[test]
    fn the_email_keeps_its_wording_and_the_name_as_typed() {
        let text = LinkEmail {
            first_name: HOSTILE,
            link: "https://x.example/connect/t0k?a=1&b=2",
            until: "May 4, 2026 10:00 UTC",
        }
        .to_string();
        assert_eq!(
            text,
            "Hello <script>alert(1)</script>\"'&,\n\nTo complete your application, please share your bank information \
             through this secure link:\n\nhttps://x.example/connect/t0k?a=1&b=2\n\nThe link is for you only and is \
             valid until May 4, 2026 10:00 UTC.\n"
        );
    }

    #[test]
    fn the_sms_keeps_its_wording() {
        let text = LinkSms {
            link: "https://x.example/connect/t0k",
            until: "May 4, 2026 10:00 UTC",
        }
        .to_string();
        assert_eq!(
            text,
            "Share your bank statements securely to complete your application: https://x.example/connect/t0k \
             (valid until May 4, 2026 10:00 UTC)"
        );
    }
}
