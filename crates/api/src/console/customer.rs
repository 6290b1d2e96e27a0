//! One customer's page: the record GET /api/v1/customer/{customerId}
//! answers (SSN, driver's licence and bank account masked to their last
//! four), with the employment and income the customer stated, its report
//! requests (the API's list for the customer) and "Request a report".

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;

use crate::analysis::customers::record;
use crate::analysis::report_requests::list_of;
use crate::analysis::zone::Zone;
use crate::AppState;

/// The record's fields shown, by section: (label, the record's key).
const SECTIONS: [(&str, &[(&str, &str)]); 3] = [
    (
        "Contact",
        &[
            ("Email", "email"),
            ("Phone", "phoneNumber"),
            ("Address", "addressLine1"),
            ("Address line 2", "addressLine2"),
            ("City", "city"),
            ("State", "state"),
            ("Postal code", "postalCode"),
            ("Country", "country"),
        ],
    ),
    (
        "Stated employment and income",
        &[
            ("Employer", "employer"),
            ("Employer name", "employerName"),
            ("Occupation", "occupation"),
            ("Monthly income", "monthlyIncome"),
            ("Pay frequency", "payFrequency"),
        ],
    ),
    (
        "Identity and bank",
        &[
            ("SSN", "ssn"),
            ("Date of birth", "dob"),
            ("Driver's licence", "driversLicense"),
            ("Bank", "bankName"),
            ("Bank account", "bankAccNo"),
            ("Routing number", "routingNo"),
            ("EIN", "ein"),
        ],
    ),
];

/// A section's (label, value) pairs; absent values are left out.
type Section = (&'static str, Vec<(&'static str, String)>);

#[derive(Template)]
#[template(path = "console/customer.html")]
struct CustomerPage<'a> {
    nonce: &'a str,
    frame: &'a super::Frame,
    id: String,
    name: String,
    company: String,
    sections: Vec<Section>,
    /// The customer's report requests, newest first.
    requests: Vec<super::report_requests::Row>,
    /// How many there are (the page lists the newest `REQUESTS`).
    total: i64,
    /// The API's refusal of "Request a report".
    errors: Vec<String>,
}

/// How many of a customer's requests its page lists.
const REQUESTS: i64 = 50;

/// A record's value as text ("" when absent).
pub(super) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A field as a lender reads it: the income in dollars and cents, the
/// birth date without the API's time of day.
pub(super) fn shown(key: &str, v: &Value) -> String {
    let t = text(v);
    match key {
        "monthlyIncome" => t
            .parse::<rust_decimal::Decimal>()
            .map(|d| format!("${:.2}", d.round_dp(2)))
            .unwrap_or(t),
        "dob" => t.get(..10).map(str::to_string).unwrap_or(t),
        _ => t,
    }
}

/// GET /console/customers/{id}
pub async fn show(
    State(state): State<AppState>,
    super::SignedIn(s, frame): super::SignedIn,
    Path(id): Path<String>,
) -> Response {
    page(&state, &s, &frame, &id, Vec::new()).await
}

/// The customer's page; `errors`: the API's refusal of "Request a
/// report" (400), shown at its form.
pub(super) async fn page(
    state: &AppState,
    s: &super::session::Session,
    frame: &super::Frame,
    id: &str,
    errors: Vec<String>,
) -> Response {
    let utc = Zone(chrono_tz::Tz::UTC);
    let r = match record(state, &s.staff, &utc, id).await {
        Ok(r) => r,
        Err(e) => return super::refused(s, e),
    };
    let id = text(&r["id"]);
    // The API's report requests list, for this customer.
    let query = format!("customerId={id}&pageSize={REQUESTS}&orderBy=CreatedDate&order=DESC");
    let (_, total, requests) = match list_of(state, &s.staff, &utc, Some(&query)).await {
        Ok(l) => l,
        Err(e) => return super::refused(s, e),
    };
    let sections = SECTIONS
        .iter()
        .map(|(title, fields)| {
            let values = fields
                .iter()
                .map(|(label, key)| (*label, shown(key, &r[*key])))
                .filter(|(_, v)| !v.is_empty())
                .collect();
            (*title, values)
        })
        .collect();
    let page = CustomerPage {
        nonce: &frame.nonce,
        frame,
        id,
        name: format!("{} {}", text(&r["firstName"]), text(&r["lastName"])),
        company: text(&r["companyName"]),
        sections,
        requests: requests
            .iter()
            .map(super::report_requests::Row::of)
            .collect(),
        total,
        errors,
    };
    super::form::page(s, &frame.nonce, &page, !page.errors.is_empty())
}
