//! A report request: asking for one from the customer's page (the body of
//! POST …/report-request to `report_requests::request_for`), its page
//! (`report_requests::detail_of`, what GET …/reportrequests/{reportId}
//! answers) and "Reset and resend" (`report_requests::resend`, behind POST
//! …/report-request/reset). The link itself is on the page only when the
//! API's detail gives it in full: while its message could not be
//! delivered, so staff can hand it over.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};

use super::customer::text;
use super::form::{self, Posted};
use super::report_requests::STATUSES;
use crate::analysis::fields::guid;
use crate::analysis::report_requests::{
    create_body, detail_of, request_for, resend, undelivered, SEND_SMS,
};
use crate::analysis::zone::Zone;
use crate::AppState;

/// The send-via choices, as the API's `sendVia` takes them.
pub(super) const SEND_VIA: [(&str, &str); 2] = [("1", "Email"), ("2", "Text message")];

fn utc() -> Zone {
    Zone(chrono_tz::Tz::UTC)
}

/// The API's seven-digit UTC timestamp, to the minute.
pub(super) fn minute(t: &str) -> String {
    t.get(..16)
        .map(|t| format!("{} UTC", t.replace('T', " ")))
        .unwrap_or_default()
}

/// POST /console/customers/{id}/report-requests: a report request for the
/// customer, sent by email or text message; then 303 to the customer's
/// page, where it is listed. Refused: the page again with the API's message.
pub async fn create(
    State(state): State<AppState>,
    Path(customer_id): Path<String>,
    p: Posted,
) -> Response {
    let body = json!({"customerId": customer_id, "sendVia": p.value("sendVia")});
    let asked = match create_body(body.as_object().expect("an object")) {
        Ok((id, via)) => request_for(&state, &p.s.staff, id, via).await,
        Err(errors) => Err(crate::analysis::error::AnalysisError::invalid(errors)),
    };
    match asked {
        Ok(_) => form::done(&p.s, &format!("/console/customers/{customer_id}#requests")),
        Err(crate::analysis::error::AnalysisError::Rejected { errors, .. })
            if errors.iter().all(|e| e != "Customer not found.") =>
        {
            super::customer::page(&state, &p.s, &p.frame, &customer_id, errors).await
        }
        Err(e) => super::refused(&p.s, e),
    }
}

#[derive(Template)]
#[template(path = "console/request.html")]
struct RequestPage<'a> {
    nonce: &'a str,
    frame: &'a super::Frame,
    id: String,
    number: String,
    customer_id: String,
    customer: String,
    email: String,
    phone: String,
    status: &'static str,
    sent_via: &'static str,
    ordered: String,
    /// When the link stops (or stopped) working, and whether it has.
    expires: String,
    expired: bool,
    delivery: Vec<(&'static str, String)>,
    failure: String,
    superseded_by: String,
    /// The full link, when its message could not be delivered.
    link: Option<String>,
    /// The report page, completed or building.
    report: Option<String>,
    /// Reset and resend is offered (expired or failed).
    resettable: bool,
    errors: Vec<String>,
}

fn status_text(d: &Value) -> &'static str {
    d["status"]
        .as_i64()
        .and_then(|s| STATUSES.iter().find(|(v, _)| *v == s.to_string()))
        .map_or("", |(_, t)| t)
}

/// GET /console/report-requests/{id}
pub async fn show(
    State(state): State<AppState>,
    super::SignedIn(s, frame): super::SignedIn,
    Path(id): Path<String>,
) -> Response {
    page(&state, &s, &frame, &id, Vec::new()).await
}

/// The request's page; `errors`: the API's refusal of a reset (400).
async fn page(
    state: &AppState,
    s: &super::session::Session,
    frame: &super::Frame,
    id: &str,
    errors: Vec<String>,
) -> Response {
    use fundline_store::reports::{COMPLETED, EXPIRED, FAILED, PENDING};
    let now = state.clock.now_micros();
    let d = match detail_of(state, &s.staff, &utc(), id, now).await {
        Ok(d) => d,
        Err(e) => return super::refused(s, e),
    };
    let customer_id = text(&d["customerId"]);
    let c = match crate::analysis::customers::record(state, &s.staff, &utc(), &customer_id).await {
        Ok(c) => c,
        Err(e) => return super::refused(s, e),
    };
    let status = d["status"].as_i64();
    let delivery = &d["delivery"];
    let undelivered_now = delivery["state"].as_str().is_some_and(undelivered);
    let expires = text(&d["linkExpiresDate"]);
    // The store reads a pending request whose link ran out as expired.
    let expired = status == Some(EXPIRED);
    let page = RequestPage {
        nonce: &frame.nonce,
        frame,
        id: text(&d["id"]),
        number: text(&d["reportNumber"]),
        customer: format!("{} {}", text(&c["firstName"]), text(&c["lastName"])),
        email: text(&c["email"]),
        phone: text(&c["phoneNumber"]),
        customer_id,
        status: status_text(&d),
        sent_via: if d["sentVia"].as_i64() == Some(SEND_SMS) {
            "Text message"
        } else {
            "Email"
        },
        ordered: minute(&text(&d["createdDate"])),
        expires: minute(&expires),
        expired,
        delivery: delivery_rows(delivery),
        failure: text(&d["failureReason"]),
        superseded_by: text(&d["supersededBy"]),
        link: d["link"]
            .as_str()
            .filter(|_| undelivered_now)
            .map(str::to_string),
        report: matches!(status, Some(COMPLETED | PENDING))
            .then(|| format!("/console/reports/{}", text(&d["id"]))),
        resettable: matches!(status, Some(EXPIRED | FAILED)),
        errors,
    };
    form::page(s, &frame.nonce, &page, !page.errors.is_empty())
}

/// The delivery's facts that are known, as label and value.
fn delivery_rows(delivery: &Value) -> Vec<(&'static str, String)> {
    [
        ("Channel", text(&delivery["channel"])),
        ("State", text(&delivery["state"])),
        ("Attempts", text(&delivery["attempts"])),
        ("Last error", text(&delivery["lastError"])),
        ("Sent", minute(&text(&delivery["sentDate"]))),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect()
}

/// POST /console/report-requests/{id}/reset: a fresh link sent the way the
/// request was, the old one stops working; then 303 to the request's page.
pub async fn reset(State(state): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    match resend(&state, &p.s.staff, guid(&id)).await {
        Ok(id) => form::done(&p.s, &format!("/console/report-requests/{id}")),
        Err(crate::analysis::error::AnalysisError::Rejected { errors, .. })
            if errors.iter().all(|e| e != "Report request not found.") =>
        {
            page(&state, &p.s, &p.frame, &id, errors).await
        }
        Err(e) => super::refused(&p.s, e),
    }
}
