//! The report requests list: name search, status and date filters, sort
//! and paging, the records GET /api/v1/instantbankanalysis/report-requests
//! answers for the same query.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use crate::analysis::query::Params;
use crate::analysis::report_requests::list_of;
use crate::analysis::zone::Zone;
use crate::pages;
use crate::AppState;

/// The status filter's choices, as the API's `status` takes them.
const STATUSES: [(&str, &str); 6] = [
    ("", "Any"),
    ("1", "Pending"),
    ("2", "Completed"),
    ("3", "Expired"),
    ("4", "Failed"),
    ("5", "Superseded"),
];
/// The sort choices, as the API's `orderBy` takes them.
const ORDERS: [(&str, &str); 4] = [
    ("CreatedDate", "Created"),
    ("FirstName", "First name"),
    ("LastName", "Last name"),
    ("Status", "Status"),
];

struct Row {
    name: String,
    email: String,
    status: &'static str,
    sent_via: &'static str,
    created: String,
    delivery: String,
    report_number: String,
}

impl Row {
    /// A row from the API's record of the request.
    fn of(r: &Value) -> Row {
        let text = |k: &str| r[k].as_str().unwrap_or("").to_string();
        let status = r["status"]
            .as_i64()
            .and_then(|s| STATUSES.iter().find(|(v, _)| *v == s.to_string()))
            .map_or("", |(_, t)| t);
        Row {
            name: format!("{} {}", text("firstName"), text("lastName")),
            email: text("email"),
            status,
            sent_via: match r["sentVia"].as_i64() {
                Some(crate::analysis::report_requests::SEND_SMS) => "Text message",
                _ => "Email",
            },
            // The API's seven-digit UTC timestamp, to the minute.
            created: text("createdDate")
                .get(..16)
                .map(|t| format!("{} UTC", t.replace('T', " ")))
                .unwrap_or_default(),
            delivery: text("deliveryState"),
            report_number: r["reportNumber"]
                .as_i64()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/report_requests.html")]
struct RequestsPage<'a> {
    nonce: &'a str,
    user: &'a str,
    csrf: &'a str,
    statuses: &'a [(&'a str, &'a str)],
    orders: &'a [(&'a str, &'a str)],
    name_query: &'a str,
    status: &'a str,
    ordered_from: &'a str,
    ordered_to: &'a str,
    order_by: &'a str,
    descending: bool,
    errors: Vec<String>,
    total: i64,
    rows: Vec<Row>,
    pager: super::Pager,
}

/// GET /console/report-requests
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let (s, frame) = match super::signed_in(&state, &headers).await {
        Ok(both) => both,
        Err(resp) => return resp,
    };
    let params = Params::parse(raw.as_deref());
    let zone = Zone(chrono_tz::Tz::UTC);
    let list = match super::Listed::of(list_of(&state, &s.staff, &zone, raw.as_deref()).await) {
        Ok(l) => l,
        Err(resp) => return s.finish(resp),
    };
    let view = RequestsPage {
        nonce: &frame.nonce,
        user: &frame.user,
        csrf: &frame.csrf,
        statuses: &STATUSES,
        orders: &ORDERS,
        name_query: params.get("nameQuery").unwrap_or(""),
        status: params.get("status").unwrap_or(""),
        ordered_from: params.get("orderedDateFrom").unwrap_or(""),
        ordered_to: params.get("orderedDateTo").unwrap_or(""),
        order_by: params.get("orderBy").unwrap_or("CreatedDate"),
        descending: list.descending(),
        pager: list.pager(
            "/console/report-requests",
            &params,
            &["nameQuery", "status", "orderedDateFrom", "orderedDateTo"],
        ),
        errors: list.errors,
        total: list.total,
        rows: list.rows.iter().map(Row::of).collect(),
    };
    s.finish(pages::render(
        list.status,
        &view,
        super::headers(&frame.nonce),
    ))
}
