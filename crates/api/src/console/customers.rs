//! The customers list: search, type filter, sort and paging, read by the
//! same rules and service as GET /api/v1/customer/all.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use fundline_store::customers::Customer;

use super::session;
use crate::analysis::customers::{list_of, masked_ssn};
use crate::analysis::error::AnalysisError;
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
    page: i64,
    pages: i64,
    rows: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
}

impl CustomersPage<'_> {
    /// Whether a choice is the one the query made.
    fn same(&self, choice: &str, chosen: &str) -> bool {
        choice.eq_ignore_ascii_case(chosen)
    }
}

/// This list's address with the same filters and another page.
fn page_href(p: &Params, page: i64) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for name in ["nameQuery", "customerType", "orderBy", "order", "pageSize"] {
        if let Some(v) = p.get(name).filter(|v| !v.is_empty()) {
            q.append_pair(name, v);
        }
    }
    q.append_pair("pageNumber", &page.to_string());
    format!("/console/customers?{}", q.finish())
}

/// GET /console/customers
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let s = match session::require(&state, &headers).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let who = &s.staff;
    let user = match fundline_store::staff::user(&state.store, &who.tenant_id, &who.user_id).await {
        Ok(Some(u)) => format!("{} {}", u.first_name, u.last_name),
        Ok(None) => return super::see_other("/console/login"),
        Err(e) => return super::unavailable(Some(crate::middleware::ErrorCause::new(e))),
    };
    let params = Params::parse(raw.as_deref());
    let (status, errors, paging, total, rows) = match list_of(&state, who, raw.as_deref()).await {
        Ok((paging, total, rows)) => (StatusCode::OK, Vec::new(), Some(paging), total, rows),
        Err(AnalysisError::Rejected { errors, .. }) => {
            (StatusCode::BAD_REQUEST, errors, None, 0, Vec::new())
        }
        Err(AnalysisError::Unavailable { cause }) => return s.finish(super::unavailable(cause)),
        Err(_) => return super::see_other("/console/login"),
    };
    let (page, size) = paging
        .as_ref()
        .map(|p| (p.page_number, p.page_size.max(1)))
        .unwrap_or((1, 1));
    let pages = (total + size - 1) / size;
    let nonce = pages::nonce();
    let csrf = session::csrf_token(&state, who).await;
    let view = CustomersPage {
        nonce: &nonce,
        user: &user,
        csrf: &csrf,
        types: &TYPES,
        orders: &ORDERS,
        name_query: params.get("nameQuery").unwrap_or(""),
        customer_type: params.get("customerType").unwrap_or(""),
        order_by: params.get("orderBy").unwrap_or("CreatedDate"),
        descending: paging.as_ref().is_none_or(|p| p.descending),
        errors,
        total,
        page,
        pages,
        rows: rows.iter().map(Row::of).collect(),
        previous: (page > 1).then(|| page_href(&params, page - 1)),
        next: (page < pages).then(|| page_href(&params, page + 1)),
    };
    s.finish(pages::render(status, &view, super::headers(&nonce)))
}
