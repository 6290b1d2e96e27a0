//! Customers of the lender: onboarding and the four partial updates. SSN,
//! bank account and driver's licence are sealed; responses show their last
//! four, and never the password.

use crate::extract::AnyPath;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use fundline_store::customers::{self, Customer, CustomerOrder, CustomerQuery};
use fundline_store::reports;
use fundline_vault::TenantKeys;
use serde_json::{json, Map, Value};

use super::auth::Staff;
use super::customer_rules::{self as rules, BUSINESS, CUSTOMER};
use super::envelope::{bad_parameters, bad_request, invalid, object_body, ok, unavailable};
use super::fields::{boolean, guid, last4, text};
use super::query::{customer_type, name_query, order_by, paging, Params};
use super::report_requests::{self, SEND_EMAIL};
use super::zone::{render_date, Zone};
use crate::AppState;

const MASKED_PASSWORD: &str = "*****";
const TABLE: &str = "ba_customers";

fn not_found() -> Response {
    bad_request("Not found", &["Customer not found."])
}

fn masked(last4: &Option<String>) -> Option<String> {
    last4.as_ref().map(|l| format!("*****{l}"))
}

fn dob_date(c: &Customer) -> String {
    chrono::NaiveDate::parse_from_str(&c.dob, "%Y-%m-%d")
        .map(render_date)
        .unwrap_or_default()
}

/// The customer record; `merchantId` is the tenant's bank-analysis
/// merchant id (`crate::tenancy::merchant_id`).
fn customer_json(c: &Customer, merchant_id: &str, zone: &Zone) -> Value {
    json!({
        "id": c.id,
        "merchantId": merchant_id,
        "userName": c.user_name,
        "password": MASKED_PASSWORD,
        "companyName": c.company_name,
        "customerType": c.customer_type,
        "firstName": c.first_name,
        "lastName": c.last_name,
        "phoneType": c.phone_type,
        "phoneNumber": c.phone_number,
        "email": c.email,
        "addressLine1": c.address_line1,
        "addressLine2": c.address_line2,
        "city": c.city,
        "state": c.state,
        "postalCode": c.postal_code,
        "country": c.country,
        "countryCode": c.country_code,
        "employer": c.employer,
        "occupation": c.occupation,
        "monthlyIncome": c.monthly_income.as_deref().and_then(|m| m.parse::<rust_decimal::Decimal>().ok()).map(super::render::num),
        "payFrequency": c.pay_frequency,
        "driversLicense": masked(&c.drivers_license_last4),
        "dob": dob_date(c),
        "ssn": format!("*****{}", c.ssn_last4),
        "bankName": c.bank_name,
        "bankAccNo": masked(&c.bank_acc_last4),
        "routingNo": c.routing_no,
        "ein": c.ein,
        "employerName": c.employer_name,
        "isActive": c.is_active == 1,
        "createdDate": zone.render(c.created_at),
        "updatedDate": c.updated_at.map(|t| zone.render(t)),
    })
}

/// Sealed for this row (`fv2`): a value copied to another customer does not open.
fn seal(keys: &TenantKeys, column: &str, row: &str, v: &str) -> String {
    keys.seal_row(TABLE, column, row, v.as_bytes())
}

/// Sets the sealed column and its visible last four together.
fn set_sealed(
    keys: &TenantKeys,
    column: &str,
    row: &str,
    v: Option<&str>,
) -> (Option<String>, Option<String>) {
    match v {
        Some(v) => (Some(seal(keys, column, row, v)), Some(last4(v))),
        None => (None, None),
    }
}

async fn keys(state: &AppState, tenant: &str) -> Result<std::sync::Arc<TenantKeys>, Response> {
    state
        .keyring
        .tenant(&state.store, tenant)
        .await
        .map_err(|_| unavailable())
}

async fn load(state: &AppState, who: &Staff, id: Option<&str>) -> Result<Customer, Response> {
    let Some(id) = id.and_then(guid) else {
        return Err(not_found());
    };
    match customers::get(&state.store, &who.tenant_id, &id).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(not_found()),
        Err(_) => Err(unavailable()),
    }
}

fn today(state: &AppState) -> chrono::NaiveDate {
    state.clock.now().date_naive()
}

/// A POST /api/v1/customer body that passed every rule.
pub struct NewCustomer {
    user_name: String,
    kind: Option<i64>,
    company_name: Option<String>,
    ein: Option<String>,
    password: String,
    last_name: String,
    first_name: String,
    phone_type: Option<String>,
    phone_number: String,
    email: String,
    address_line1: String,
    country: String,
    address_line2: Option<String>,
    city: String,
    state: String,
    postal_code: String,
    employer: Option<String>,
    occupation: Option<String>,
    monthly_income: Option<rust_decimal::Decimal>,
    pay_frequency: Option<String>,
    drivers_license: Option<String>,
    ssn: String,
    dob: Option<chrono::NaiveDate>,
    bank_name: Option<String>,
    bank_acc: Option<String>,
    routing_no: Option<String>,
    employer_name: Option<String>,
    trigger: bool,
    country_code: Option<String>,
}

/// The rules of a POST /api/v1/customer body, or every failed rule in order.
pub fn create_body(
    body: &Map<String, Value>,
    today: chrono::NaiveDate,
) -> Result<NewCustomer, Vec<String>> {
    let mut e = Vec::new();
    let user_name = rules::required(body, "userName", "User name", 50, &mut e);
    let kind = rules::customer_type(body);
    let (company_name, ein) = rules::business_identity(body, kind, &mut e);
    let password = body
        .get("password")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if password.is_empty() {
        e.push("Password is required.".into());
    } else if password.chars().count() > 128 {
        e.push("Password must not exceed 128 characters.".into());
    }
    if kind.is_none() {
        e.push("Customer type must be either 'customer' or 'business'.".into());
    }
    let last_name = rules::required(body, "lastName", "Last name", 50, &mut e);
    let first_name = rules::required(body, "firstName", "First name", 50, &mut e);
    let phone_type = rules::optional(body, "phoneType", "Phone type", 20, &mut e);
    let phone_number = rules::phone(body, &mut e);
    let email = rules::email(body, &mut e);
    let address_line1 = rules::required(body, "addressLine1", "Address line 1", 100, &mut e);
    let country = rules::required(body, "country", "Country", 50, &mut e);
    let address_line2 = rules::optional(body, "addressLine2", "Address line 2", 100, &mut e);
    let city = rules::required(body, "city", "City", 50, &mut e);
    let st = rules::required(body, "state", "State", 50, &mut e);
    let postal_code = rules::required(body, "postalCode", "Postal code", 10, &mut e);
    let employer = rules::optional(body, "employer", "Employer", 100, &mut e);
    let occupation = rules::optional(body, "occupation", "Occupation", 100, &mut e);
    let monthly_income = rules::monthly_income(body, &mut e);
    let pay_frequency = rules::pay_frequency(body, false, &mut e);
    let drivers_license = rules::drivers_license(body, &mut e);
    let ssn = rules::ssn(body, &mut e);
    let dob = rules::dob(body, today, &mut e);
    let bank_name = rules::optional(body, "bankName", "Bank name", 100, &mut e);
    let bank_acc = rules::bank_account(body, false, &mut e);
    let routing_no = rules::routing(body, false, &mut e);
    let employer_name = rules::optional(body, "employerName", "Employer name", 100, &mut e);
    let trigger = match boolean(body, "triggerReportRequest") {
        None => false,
        Some(Ok(b)) => b,
        Some(Err(())) => {
            e.push("TriggerReportRequest must be true or false.".into());
            false
        }
    };
    let country_code = rules::country_code(body, &mut e);
    if !e.is_empty() {
        return Err(e);
    }
    Ok(NewCustomer {
        user_name,
        kind,
        company_name,
        ein,
        password,
        last_name,
        first_name,
        phone_type,
        phone_number,
        email,
        address_line1,
        country,
        address_line2,
        city,
        state: st,
        postal_code,
        employer,
        occupation,
        monthly_income,
        pay_frequency,
        drivers_license,
        ssn,
        dob,
        bank_name,
        bank_acc,
        routing_no,
        employer_name,
        trigger,
        country_code,
    })
}

/// POST /api/v1/customer
#[utoipa::path(post, path = "/api/v1/customer", tag = "Bank analysis",
    description = "Onboard a customer (customerType 1 customer, 2 business). triggerReportRequest also creates a report request and sends the customer its link by email; data.reportRequestId is that request's id (null without triggerReportRequest). data.merchantId is the tenant's bank-analysis merchant id.",
    request_body(content = serde_json::Value, description = "The customer (spec 004 §3)"),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json", description = "Validation failed for the request."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn create(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    body: axum::body::Bytes,
) -> Response {
    let body = match object_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let n = match create_body(&body, today(&state)) {
        Ok(c) => c,
        Err(e) => return invalid(&e),
    };
    let keys = match keys(&state, &who.tenant_id).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let password = n.password;
    // Under the node's hashing cap, like staff passwords.
    let password_hash = match super::auth::hash_new_password(&state, password).await {
        Ok(h) => h,
        Err(busy) => return axum::response::IntoResponse::into_response(busy),
    };
    let id = uuid::Uuid::new_v4().to_string();
    let (dl_sealed, dl_last4) =
        set_sealed(&keys, "drivers_license", &id, n.drivers_license.as_deref());
    let (acc_sealed, acc_last4) = set_sealed(&keys, "bank_acc_no", &id, n.bank_acc.as_deref());
    let ssn_sealed = seal(&keys, "ssn", &id, &n.ssn);
    let mut c = Customer {
        id,
        tenant_id: who.tenant_id.clone(),
        customer_type: n.kind.unwrap_or(CUSTOMER),
        user_name: n.user_name,
        password_hash,
        company_name: n.company_name,
        first_name: n.first_name,
        last_name: n.last_name,
        phone_type: n.phone_type,
        phone_number: n.phone_number,
        email: n.email,
        address_line1: n.address_line1,
        address_line2: n.address_line2,
        city: n.city,
        state: n.state,
        postal_code: n.postal_code,
        country: n.country,
        country_code: n.country_code,
        employer: n.employer,
        occupation: n.occupation,
        monthly_income: n.monthly_income.map(|m| m.to_string()),
        pay_frequency: n.pay_frequency,
        drivers_license_sealed: dl_sealed,
        drivers_license_last4: dl_last4,
        ssn_sealed,
        ssn_last4: last4(&n.ssn),
        dob: n.dob.map(|d| d.to_string()).unwrap_or_default(),
        bank_name: n.bank_name,
        bank_acc_sealed: acc_sealed,
        bank_acc_last4: acc_last4,
        routing_no: n.routing_no,
        ein: n.ein,
        employer_name: n.employer_name,
        search_text: String::new(),
        is_active: 1,
        created_at: state.clock.now_micros(),
        updated_at: None,
    };
    c.search_text = c.search_text_of();
    let Ok(merchant) = crate::tenancy::merchant_id(&state, &who.tenant_id).await else {
        return unavailable();
    };
    let saved = if n.trigger {
        let creator = report_requests::creator_email(&state, &who).await;
        let (request, message) = report_requests::prepare(&state, &keys, &c, SEND_EMAIL, &creator);
        let request_id = request.id.clone();
        let r = reports::create(&state.store, Some(c.clone()), request, message).await;
        state.outbox_wake.notify_one();
        r.map(|()| Some(request_id))
    } else {
        customers::insert(&state.store, c.clone())
            .await
            .map(|()| None)
    };
    match saved {
        Ok(request_id) => {
            tracing::info!(tenant_id = %who.tenant_id, customer_id = %c.id, "customer created");
            let mut data = customer_json(&c, &merchant, &zone);
            // The request triggerReportRequest created (the id
            // POST …/report-request would answer), as …/reset names it.
            data["reportRequestId"] = json!(request_id);
            ok("Customer created successfully.", data)
        }
        Err(_) => unavailable(),
    }
}

/// GET /api/v1/customer/all
#[utoipa::path(get, path = "/api/v1/customer/all", tag = "Bank analysis",
    description = "Customers: nameQuery (names, company, email), customerType (customer/business or 1/2), pageNumber (> 0), pageSize (1–100), orderBy (CreatedDate, FirstName, LastName, Email), order (ASC/DESC).",
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json"), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn list(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    RawQuery(raw): RawQuery,
) -> Response {
    let p = Params::parse(raw.as_deref());
    let mut errors = Vec::new();
    let page = paging(&p, &mut errors);
    let order = order_by(
        &p,
        &[
            ("CreatedDate", CustomerOrder::CreatedDate),
            ("FirstName", CustomerOrder::FirstName),
            ("LastName", CustomerOrder::LastName),
            ("Email", CustomerOrder::Email),
        ],
        &mut errors,
    );
    let customer_type = customer_type(&p, &mut errors);
    let name_query = name_query(&p, &mut errors);
    if !errors.is_empty() {
        return bad_parameters(&errors);
    }
    let q = CustomerQuery {
        name_query,
        customer_type,
        order_by: order,
        descending: page.descending,
        page_number: page.page_number,
        page_size: page.page_size,
    };
    match customers::list(&state.store, &who.tenant_id, &q).await {
        Ok((total, rows)) => ok(
            "Customers retrieved successfully.",
            page.page(
                total,
                rows.iter()
                    .map(|c| {
                        json!({
                            "id": c.id,
                            "firstName": c.first_name,
                            "lastName": c.last_name,
                            "email": c.email,
                            "phoneNumber": c.phone_number,
                            "customerType": c.customer_type,
                            "companyName": c.company_name,
                            "createdDate": zone.render(c.created_at),
                        })
                    })
                    .collect(),
            ),
        ),
        Err(_) => unavailable(),
    }
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
) -> Response {
    match load(&state, &who, Some(&customer_id)).await {
        Ok(c) => {
            let Ok(merchant) = crate::tenancy::merchant_id(&state, &who.tenant_id).await else {
                return unavailable();
            };
            // A full record (SSN last four, bank account): PCI DSS 10.2.1.1.
            crate::audit!("customer.read", tenant_id = %who.tenant_id, user_id = %who.user_id, customer_id = %c.id);
            ok(
                "Record retrieved successfully.",
                customer_json(&c, &merchant, &zone),
            )
        }
        Err(r) => r,
    }
}

/// The id every update starts with (its label differs by endpoint).
fn target(body: &Map<String, Value>, label: &str, errors: &mut Vec<String>) -> Option<String> {
    let id = text(body, "id");
    if id.is_none() {
        errors.push(format!("{label} is required."));
    }
    id
}

async fn save(state: &AppState, c: Customer) -> Result<(), Response> {
    match customers::replace(&state.store, c).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(not_found()),
        Err(_) => Err(unavailable()),
    }
}

/// A PUT /api/v1/customer/information body that passed every rule.
pub struct InformationUpdate {
    id: Option<String>,
    kind: Option<i64>,
    company_name: Option<String>,
    ein: Option<String>,
    first_name: String,
    last_name: String,
    address_line1: String,
    address_line2: Option<String>,
    city: String,
    state: String,
    postal_code: String,
    drivers_license: Option<String>,
    ssn: String,
    country: String,
    dob: Option<chrono::NaiveDate>,
}

/// The rules of a PUT /api/v1/customer/information body, or every failed
/// rule in order.
pub fn information_body(
    body: &Map<String, Value>,
    today: chrono::NaiveDate,
) -> Result<InformationUpdate, Vec<String>> {
    let mut e = Vec::new();
    let id = target(body, "Customer ID", &mut e);
    let kind = rules::customer_type(body);
    if kind.is_none() {
        e.push("Customer type must be either 'customer' or 'business'.".into());
    }
    let (company_name, ein) = rules::business_identity(body, kind, &mut e);
    let first_name = rules::required(body, "firstName", "First name", 50, &mut e);
    let last_name = rules::required(body, "lastName", "Last name", 50, &mut e);
    let address_line1 = rules::required(body, "addressLine1", "Address line 1", 100, &mut e);
    let address_line2 = rules::optional(body, "addressLine2", "Address line 2", 100, &mut e);
    let city = rules::required(body, "city", "City", 50, &mut e);
    let st = rules::required(body, "state", "State", 50, &mut e);
    let postal_code = rules::required(body, "postalCode", "Postal code", 10, &mut e);
    let drivers_license = rules::drivers_license(body, &mut e);
    let ssn = rules::ssn(body, &mut e);
    let country = rules::required(body, "country", "Country", 50, &mut e);
    let dob = rules::dob(body, today, &mut e);
    if !e.is_empty() {
        return Err(e);
    }
    Ok(InformationUpdate {
        id,
        kind,
        company_name,
        ein,
        first_name,
        last_name,
        address_line1,
        address_line2,
        city,
        state: st,
        postal_code,
        drivers_license,
        ssn,
        country,
        dob,
    })
}

/// PUT /api/v1/customer/information
#[utoipa::path(put, path = "/api/v1/customer/information", tag = "Bank analysis",
    description = "Update a customer's general information.",
    request_body(content = serde_json::Value, description = "{id, customerType, companyName, firstName, lastName, addressLine1, addressLine2, city, state, postalCode, driversLicense, ssn, country, dob, ein}"),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json"), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn update_information(
    State(state): State<AppState>,
    who: Staff,
    body: axum::body::Bytes,
) -> Response {
    let body = match object_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let InformationUpdate {
        id,
        kind,
        company_name,
        ein,
        first_name,
        last_name,
        address_line1,
        address_line2,
        city,
        state: st,
        postal_code,
        drivers_license,
        ssn,
        country,
        dob,
    } = match information_body(&body, today(&state)) {
        Ok(u) => u,
        Err(e) => return invalid(&e),
    };
    let current = match load(&state, &who, id.as_deref()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let keys = match keys(&state, &who.tenant_id).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let (dl_sealed, dl_last4) = set_sealed(
        &keys,
        "drivers_license",
        &current.id,
        drivers_license.as_deref(),
    );
    let ssn_sealed = seal(&keys, "ssn", &current.id, &ssn);
    let mut c = Customer {
        customer_type: kind.unwrap_or(CUSTOMER),
        company_name,
        ein,
        first_name,
        last_name,
        address_line1,
        address_line2,
        city,
        state: st,
        postal_code,
        drivers_license_sealed: dl_sealed,
        drivers_license_last4: dl_last4,
        ssn_sealed,
        ssn_last4: last4(&ssn),
        country,
        dob: dob.map(|d| d.to_string()).unwrap_or_default(),
        updated_at: Some(state.clock.now_micros()),
        ..current
    };
    c.search_text = c.search_text_of();
    if let Err(r) = save(&state, c.clone()).await {
        return r;
    }
    ok(
        "Customer information updated successfully.",
        json!({
            "id": c.id,
            "customerType": c.customer_type,
            "companyName": c.company_name,
            "firstName": c.first_name,
            "lastName": c.last_name,
            "addressLine1": c.address_line1,
            "addressLine2": c.address_line2,
            "city": c.city,
            "state": c.state,
            "postalCode": c.postal_code,
            "driversLicense": masked(&c.drivers_license_last4),
            "ssn": format!("*****{}", c.ssn_last4),
            "country": c.country,
            "dob": dob_date(&c),
            "ein": c.ein,
        }),
    )
}

/// A PUT /api/v1/customer/bank-information body that passed every rule.
pub struct BankUpdate {
    id: Option<String>,
    bank_acc: Option<String>,
    routing_no: Option<String>,
    bank_name: String,
}

/// The rules of a PUT /api/v1/customer/bank-information body, or every
/// failed rule in order.
pub fn bank_body(body: &Map<String, Value>) -> Result<BankUpdate, Vec<String>> {
    let mut e = Vec::new();
    let id = target(body, "Customer ID", &mut e);
    let bank_acc = rules::bank_account(body, true, &mut e);
    let routing_no = rules::routing(body, true, &mut e);
    let bank_name = rules::required(body, "bankName", "Bank name", 100, &mut e);
    if !e.is_empty() {
        return Err(e);
    }
    Ok(BankUpdate {
        id,
        bank_acc,
        routing_no,
        bank_name,
    })
}

/// PUT /api/v1/customer/bank-information
#[utoipa::path(put, path = "/api/v1/customer/bank-information", tag = "Bank analysis",
    description = "Set a customer's bank account (sealed; shown as its last four).",
    request_body(content = serde_json::Value, description = "{id, bankName, bankAccNo, routingNo}"),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json"), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn update_bank(
    State(state): State<AppState>,
    who: Staff,
    body: axum::body::Bytes,
) -> Response {
    let body = match object_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let BankUpdate {
        id,
        bank_acc,
        routing_no,
        bank_name,
    } = match bank_body(&body) {
        Ok(u) => u,
        Err(e) => return invalid(&e),
    };
    let current = match load(&state, &who, id.as_deref()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let keys = match keys(&state, &who.tenant_id).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let (acc_sealed, acc_last4) =
        set_sealed(&keys, "bank_acc_no", &current.id, bank_acc.as_deref());
    let c = Customer {
        bank_name: Some(bank_name),
        bank_acc_sealed: acc_sealed,
        bank_acc_last4: acc_last4,
        routing_no,
        updated_at: Some(state.clock.now_micros()),
        ..current
    };
    if let Err(r) = save(&state, c.clone()).await {
        return r;
    }
    ok(
        "Customer bank information updated successfully.",
        json!({"id": c.id, "bankName": c.bank_name, "bankAccNo": masked(&c.bank_acc_last4), "routingNo": c.routing_no}),
    )
}

/// A PUT /api/v1/customer/contact-information body that passed every rule.
pub struct ContactUpdate {
    id: Option<String>,
    kind: Option<i64>,
    email: String,
    phone: String,
    first: Option<String>,
    last: Option<String>,
}

/// The rules of a PUT /api/v1/customer/contact-information body, or every
/// failed rule in order.
pub fn contact_body(body: &Map<String, Value>) -> Result<ContactUpdate, Vec<String>> {
    let mut e = Vec::new();
    let id = target(body, "Customer ID", &mut e);
    let kind = rules::customer_type(body);
    if kind.is_none() {
        e.push("CustomerType must be either 'customer' or 'business'.".into());
    }
    let email = rules::email(body, &mut e);
    let phone = rules::phone(body, &mut e);
    let (first, last) = match kind {
        Some(BUSINESS) => (
            Some(rules::required(body, "firstName", "First name", 50, &mut e)),
            Some(rules::required(body, "lastName", "Last name", 50, &mut e)),
        ),
        Some(_) => {
            if text(body, "firstName").is_some() {
                e.push("First name must be null for customer type 'customer'.".into());
            }
            if text(body, "lastName").is_some() {
                e.push("Last name must be null for customer type 'customer'.".into());
            }
            (None, None)
        }
        None => (None, None),
    };
    if !e.is_empty() {
        return Err(e);
    }
    Ok(ContactUpdate {
        id,
        kind,
        email,
        phone,
        first,
        last,
    })
}

/// PUT /api/v1/customer/contact-information
#[utoipa::path(put, path = "/api/v1/customer/contact-information", tag = "Bank analysis",
    description = "Update phone and email; for a business also its contact person's name (a customer's name changes through /information).",
    request_body(content = serde_json::Value, description = "{id, customerType, firstName, lastName, phoneNumber, email}"),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json"), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn update_contact(
    State(state): State<AppState>,
    who: Staff,
    body: axum::body::Bytes,
) -> Response {
    let body = match object_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let ContactUpdate {
        id,
        kind,
        email,
        phone,
        first,
        last,
    } = match contact_body(&body) {
        Ok(u) => u,
        Err(e) => return invalid(&e),
    };
    let current = match load(&state, &who, id.as_deref()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if Some(current.customer_type) != kind {
        return invalid(&["Customer type does not match the customer's type."]);
    }
    let mut c = Customer {
        first_name: first.unwrap_or(current.first_name.clone()),
        last_name: last.unwrap_or(current.last_name.clone()),
        phone_number: phone,
        email,
        updated_at: Some(state.clock.now_micros()),
        ..current
    };
    c.search_text = c.search_text_of();
    if let Err(r) = save(&state, c.clone()).await {
        return r;
    }
    ok(
        "Customer contact information updated successfully.",
        json!({"id": c.id, "customerType": c.customer_type, "firstName": c.first_name, "lastName": c.last_name,
               "phoneNumber": c.phone_number, "email": c.email}),
    )
}

/// A PUT /api/v1/customer/employee-information body that passed every rule.
pub struct EmploymentUpdate {
    id: Option<String>,
    employer_name: String,
    pay_frequency: Option<String>,
}

/// The rules of a PUT /api/v1/customer/employee-information body, or every
/// failed rule in order.
pub fn employment_body(body: &Map<String, Value>) -> Result<EmploymentUpdate, Vec<String>> {
    let mut e = Vec::new();
    let id = target(body, "Customer Id", &mut e);
    if rules::customer_type(body) != Some(CUSTOMER) {
        e.push("Customer type must be 'customer'.".into());
    }
    let employer_name = rules::required(body, "employerName", "Employer name", 100, &mut e);
    let pay_frequency = rules::pay_frequency(body, true, &mut e);
    if !e.is_empty() {
        return Err(e);
    }
    Ok(EmploymentUpdate {
        id,
        employer_name,
        pay_frequency,
    })
}

/// PUT /api/v1/customer/employee-information
#[utoipa::path(put, path = "/api/v1/customer/employee-information", tag = "Bank analysis",
    description = "Update a (non-business) customer's employer and pay frequency.",
    request_body(content = serde_json::Value, description = "{id, customerType (must be 1), payFrequency, employerName}"),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json"), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn update_employment(
    State(state): State<AppState>,
    who: Staff,
    body: axum::body::Bytes,
) -> Response {
    let body = match object_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let EmploymentUpdate {
        id,
        employer_name,
        pay_frequency,
    } = match employment_body(&body) {
        Ok(u) => u,
        Err(e) => return invalid(&e),
    };
    let current = match load(&state, &who, id.as_deref()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if current.customer_type != CUSTOMER {
        return invalid(&["Customer type must be 'customer'."]);
    }
    let c = Customer {
        employer_name: Some(employer_name),
        pay_frequency,
        updated_at: Some(state.clock.now_micros()),
        ..current
    };
    if let Err(r) = save(&state, c.clone()).await {
        return r;
    }
    ok(
        "Employee information updated successfully.",
        json!({"id": c.id, "payFrequency": c.pay_frequency, "employerName": c.employer_name}),
    )
}
