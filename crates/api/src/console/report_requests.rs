//! The report requests list: name search, status and date filters, sort
//! and paging, the records GET /api/v1/instantbankanalysis/report-requests
//! answers for the same query.

use serde_json::Value;

use crate::analysis::report_requests::list_of;

/// The status filter's choices, as the API's `status` takes them.
pub(super) const STATUSES: [(&str, &str); 6] = [
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

pub(super) struct Row {
    /// The request's page.
    pub(super) href: String,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) status: &'static str,
    pub(super) sent_via: &'static str,
    pub(super) created: String,
    pub(super) delivery: String,
    pub(super) report_number: String,
    /// The report page, for a request completed or still building.
    pub(super) report: Option<String>,
}

impl Row {
    /// A row from the API's record of the request.
    pub(super) fn of(r: &Value) -> Row {
        let text = |k: &str| r[k].as_str().unwrap_or("").to_string();
        let status = r["status"]
            .as_i64()
            .and_then(|s| STATUSES.iter().find(|(v, _)| *v == s.to_string()))
            .map_or("", |(_, t)| t);
        let report = match r["status"].as_i64() {
            Some(fundline_store::reports::COMPLETED | fundline_store::reports::PENDING) => {
                Some(format!("/console/reports/{}", text("id")))
            }
            _ => None,
        };
        Row {
            href: format!("/console/report-requests/{}", text("id")),
            report,
            name: format!("{} {}", text("firstName"), text("lastName")),
            email: text("email"),
            status,
            sent_via: match r["sentVia"].as_i64() {
                Some(crate::analysis::report_requests::SEND_SMS) => "Text message",
                _ => "Email",
            },
            created: super::request::minute(&text("createdDate")),
            delivery: text("deliveryState"),
            // The API's report number is text (e.g. "VLX2NC4C6X").
            report_number: super::customer::text(&r["reportNumber"]),
        }
    }
}

const PAGE: super::list::ListPage = super::list::ListPage {
    title: "Report requests",
    noun: "request",
    path: "/console/report-requests",
    filters: &[
        "nameQuery",
        "status",
        "orderedDateFrom",
        "orderedDateTo",
        "onBoardedDateFrom",
        "onBoardedDateTo",
    ],
    orders: &ORDERS,
};

super::list::list_page!("console/report_requests.html", Row, PAGE, list_of);
