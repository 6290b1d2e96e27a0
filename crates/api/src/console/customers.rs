//! The customers list: search, type filter, sort and paging, read by the
//! same rules and service as GET /api/v1/customer/all.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use fundline_store::customers::Customer;

use crate::analysis::customers::{list_of, masked_ssn};
use crate::analysis::query::Params;
use crate::pages;
use crate::AppState;

/// The type filter's choices, as the API's `customerType` takes them.
const TYPES: [(&str, &str); 3] = [
    ("", "Any"),
    ("customer", "Customer"),
    ("business", "Business"),
];
/// The sort choices, as the API's `orderBy` takes them.
const ORDERS: [(&str, &str); 4] = [
    ("CreatedDate", "Created"),
    ("FirstName", "First name"),
    ("LastName", "Last name"),
    ("Email", "Email"),
];

struct Row {
    name: String,
    company: String,
    kind: &'static str,
    email: String,
    phone: String,
    ssn: String,
    created: String,
}

impl Row {
    fn of(c: &Customer) -> Row {
        Row {
            name: format!("{} {}", c.first_name, c.last_name),
            company: c.company_name.clone().unwrap_or_default(),
            kind: if c.customer_type == 2 {
                "Business"
            } else {
                "Customer"
            },
            email: c.email.clone(),
            phone: c.phone_number.clone(),
            ssn: masked_ssn(c),
            created: chrono::DateTime::from_timestamp_micros(c.created_at)
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/customers.html")]
struct CustomersPage<'a> {
    nonce: &'a str,
    user: &'a str,
    csrf: &'a str,
    types: &'a [(&'a str, &'a str)],
    orders: &'a [(&'a str, &'a str)],
    name_query: &'a str,
    customer_type: &'a str,
    order_by: &'a str,
    descending: bool,
    errors: Vec<String>,
    total: i64,
    rows: Vec<Row>,
    pager: super::Pager,
}

/// GET /console/customers
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
    let list = match super::Listed::of(list_of(&state, &s.staff, raw.as_deref()).await) {
        Ok(l) => l,
        Err(resp) => return s.finish(resp),
    };
    let view = CustomersPage {
        nonce: &frame.nonce,
        user: &frame.user,
        csrf: &frame.csrf,
        types: &TYPES,
        orders: &ORDERS,
        name_query: params.get("nameQuery").unwrap_or(""),
        customer_type: params.get("customerType").unwrap_or(""),
        order_by: params.get("orderBy").unwrap_or("CreatedDate"),
        descending: list.descending(),
        pager: list.pager(
            "/console/customers",
            &params,
            &["nameQuery", "customerType"],
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
