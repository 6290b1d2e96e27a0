//! Customers of the lender (spec 004 §3): onboarding and the four partial
//! updates. Each handler authenticates, reads its body by the rules
//! (`rules`), calls the service (`service`) and renders (`views`).

pub(crate) mod rules;
mod service;
mod views;
pub(crate) use views::masked_ssn;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::Response;

pub use rules::{
    bank_body, contact_body, create_body, employment_body, information_body, BankUpdate,
    ContactUpdate, EmploymentUpdate, InformationUpdate, NewCustomer,
};

use super::auth::Staff;
use super::envelope::{object_body, ok};
use super::error::{AnalysisError, Result};
use super::query::Params;
use super::zone::Zone;
use crate::extract::AnyPath;
use crate::AppState;

/// A JSON object body read by `rules`, or the 400 with every failed rule.
fn read<T>(
    body: &[u8],
    rules: impl FnOnce(
        &serde_json::Map<String, serde_json::Value>,
    ) -> std::result::Result<T, Vec<String>>,
) -> Result<T> {
    rules(&object_body(body)?).map_err(AnalysisError::invalid)
}

fn today(state: &AppState) -> chrono::NaiveDate {
    state.clock.now().date_naive()
}

/// POST /api/v1/customer
#[utoipa::path(post, path = "/api/v1/customer", tag = "Bank analysis",
    description = "Onboard a customer (customerType 1 customer, 2 business). triggerReportRequest also creates a report request and sends the customer its link by email; data.reportRequestId is that request's id (null without triggerReportRequest). data.merchantId is the tenant's bank-analysis merchant id.",
    request_body = crate::analysis::requests::CustomerCreateRequest,
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json", description = "Validation failed for the request."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn create(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    body: Bytes,
) -> Result<Response> {
    let n = read(&body, |b| create_body(b, today(&state)))?;
    let (c, merchant, request_id) = service::create(&state, &who, n).await?;
    Ok(ok(
        "Customer created successfully.",
        views::created(&c, &merchant, &zone, request_id),
    ))
}

/// GET /api/v1/customer/all
#[utoipa::path(
    get,
    path = "/api/v1/customer/all",
    tag = "Bank analysis",
    description = "Customers: nameQuery (names, company, email), customerType (customer/business or 1/2), createdDateFrom/To (when the customer was onboarded, both included; ISO-8601, read in X-Timezone when they carry no offset; beyond spec 004), pageNumber (> 0), pageSize (1–100), orderBy (CreatedDate, FirstName, LastName, Email), order (ASC/DESC).",
    responses(crate::analysis::requests::Answered)
)]
pub async fn list(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let (page, total, rows) = list_of(&state, &who, &zone, raw.as_deref()).await?;
    let records = rows.iter().map(|c| views::list_row(c, &zone)).collect();
    Ok(ok(
        "Customers retrieved successfully.",
        super::query::page_json(&page, total, records),
    ))
}

/// The page of customers a GET /api/v1/customer/all query (`raw`) asks
/// for, with the total: the console's list reads it here too.
pub(crate) async fn list_of(
    state: &AppState,
    who: &Staff,
    zone: &Zone,
    raw: Option<&str>,
) -> Result<(
    fundline_store::Page,
    i64,
    Vec<fundline_store::customers::Customer>,
)> {
    let (q, page) =
        rules::list_query(&Params::parse(raw), zone).map_err(AnalysisError::bad_parameters)?;
    let (total, rows) = service::list(state, who, &q).await?;
    Ok((page, total, rows))
}

/// GET /api/v1/customer/{customerId}
#[utoipa::path(get, path = "/api/v1/customer/{customerId}", tag = "Bank analysis",
    description = "One customer; SSN, bank account and driver's licence masked to their last four, password never returned.",
    params(("customerId" = String, Path, description = "Customer ID (GUID)")),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json", description = "Customer not found."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn get(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    AnyPath(customer_id): AnyPath<String>,
) -> Result<Response> {
    Ok(ok(
        "Record retrieved successfully.",
        record(&state, &who, &zone, &customer_id).await?,
    ))
}

/// A customer's record as GET /api/v1/customer/{customerId} answers it
/// (its numbers masked, the read audited): the console shows the same.
pub(crate) async fn record(
    state: &AppState,
    who: &Staff,
    zone: &Zone,
    customer_id: &str,
) -> Result<serde_json::Value> {
    let (c, merchant) = service::get(state, who, customer_id).await?;
    Ok(views::customer(&c, &merchant, zone))
}

/// PUT /api/v1/customer/information
#[utoipa::path(put, path = "/api/v1/customer/information", tag = "Bank analysis",
    description = "Update a customer's general information.",
    request_body = crate::analysis::requests::CustomerInformationRequest,
    responses(crate::analysis::requests::Answered))]
pub async fn update_information(
    State(state): State<AppState>,
    who: Staff,
    body: Bytes,
) -> Result<Response> {
    update(&state, &who, Update::Information, &body).await
}

/// PUT /api/v1/customer/bank-information
#[utoipa::path(put, path = "/api/v1/customer/bank-information", tag = "Bank analysis",
    description = "Set a customer's bank account (sealed; shown as its last four).",
    request_body = crate::analysis::requests::CustomerBankRequest,
    responses(crate::analysis::requests::Answered))]
pub async fn update_bank(
    State(state): State<AppState>,
    who: Staff,
    body: Bytes,
) -> Result<Response> {
    update(&state, &who, Update::Bank, &body).await
}

/// PUT /api/v1/customer/contact-information
#[utoipa::path(put, path = "/api/v1/customer/contact-information", tag = "Bank analysis",
    description = "Update phone and email; for a business also its contact person's name (a customer's name changes through /information).",
    request_body = crate::analysis::requests::CustomerContactRequest,
    responses(crate::analysis::requests::Answered))]
pub async fn update_contact(
    State(state): State<AppState>,
    who: Staff,
    body: Bytes,
) -> Result<Response> {
    update(&state, &who, Update::Contact, &body).await
}

/// PUT /api/v1/customer/employee-information
#[utoipa::path(put, path = "/api/v1/customer/employee-information", tag = "Bank analysis",
    description = "Update a (non-business) customer's employer and pay frequency.",
    request_body = crate::analysis::requests::CustomerEmploymentRequest,
    responses(crate::analysis::requests::Answered))]
pub async fn update_employment(
    State(state): State<AppState>,
    who: Staff,
    body: Bytes,
) -> Result<Response> {
    update(&state, &who, Update::Employment, &body).await
}

/// One of the four partial updates, answered with its message and the part
/// of the customer it changed.
async fn update(state: &AppState, who: &Staff, which: Update, body: &[u8]) -> Result<Response> {
    let c = update_of(state, who, which, &object_body(body)?).await?;
    let (message, view) = match which {
        Update::Information => (
            "Customer information updated successfully.",
            views::information(&c),
        ),
        Update::Bank => (
            "Customer bank information updated successfully.",
            views::bank(&c),
        ),
        Update::Contact => (
            "Customer contact information updated successfully.",
            views::contact(&c),
        ),
        Update::Employment => (
            "Employee information updated successfully.",
            views::employment(&c),
        ),
    };
    Ok(ok(message, view))
}

/// Onboards a customer from a POST /api/v1/customer body, by the same
/// rules and service as the API: the console's new-customer form calls it.
/// The id of the report request `triggerReportRequest` created comes too.
pub(crate) async fn create_of(
    state: &AppState,
    who: &Staff,
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<(fundline_store::customers::Customer, Option<String>)> {
    let n = create_body(body, today(state)).map_err(AnalysisError::invalid)?;
    let (c, _, request_id) = service::create(state, who, n).await?;
    Ok((c, request_id))
}

/// The four partial updates of a customer (PUT /api/v1/customer/…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Update {
    Information,
    Bank,
    Contact,
    Employment,
}

/// One of the four updates from its PUT body, by the same rules and
/// service as the API: the console's edit forms call it.
pub(crate) async fn update_of(
    state: &AppState,
    who: &Staff,
    which: Update,
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<fundline_store::customers::Customer> {
    let invalid = AnalysisError::invalid;
    match which {
        Update::Information => {
            let u = information_body(body, today(state)).map_err(invalid)?;
            service::update_information(state, who, u).await
        }
        Update::Bank => service::update_bank(state, who, bank_body(body).map_err(invalid)?).await,
        Update::Contact => {
            service::update_contact(state, who, contact_body(body).map_err(invalid)?).await
        }
        Update::Employment => {
            service::update_employment(state, who, employment_body(body).map_err(invalid)?).await
        }
    }
}

pub(crate) use service::kept_numbers;
