//! Customers of the lender, as the business rules have them: onboarding
//! (with the report request `triggerReportRequest` asks for) and the four
//! partial updates. SSN, bank account and driver's licence are sealed to
//! their row; the record keeps their last four.

use std::sync::Arc;

use fundline_store::customers::{self, Customer, CustomerQuery};
use fundline_store::reports;
use fundline_vault::TenantKeys;

use super::super::auth::Staff;
use super::super::customer_rules::CUSTOMER;
use super::super::error::{AnalysisError, Result};
use super::super::fields::{guid, last4};
use super::super::report_requests::{self, SEND_EMAIL};
use super::rules::{BankUpdate, ContactUpdate, EmploymentUpdate, InformationUpdate, NewCustomer};
use crate::AppState;

const TABLE: &str = "ba_customers";

fn not_found() -> AnalysisError {
    AnalysisError::rejected("Not found", ["Customer not found."])
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

async fn keys(state: &AppState, tenant: &str) -> Result<Arc<TenantKeys>> {
    Ok(state.keyring.tenant(&state.store, tenant).await?)
}

/// The tenant's customer `id` (not a GUID, or someone else's: not found).
async fn load(state: &AppState, who: &Staff, id: Option<&str>) -> Result<Customer> {
    let id = id.and_then(guid).ok_or_else(not_found)?;
    customers::get(&state.store, &who.tenant_id, &id)
        .await?
        .ok_or_else(not_found)
}

async fn save(state: &AppState, mut c: Customer) -> Result<Customer> {
    c.updated_at = Some(state.clock.now_micros());
    if customers::replace(&state.store, c.clone()).await? {
        Ok(c)
    } else {
        Err(not_found())
    }
}

/// A customer and the tenant's bank-analysis merchant id.
pub async fn get(state: &AppState, who: &Staff, id: &str) -> Result<(Customer, String)> {
    let c = load(state, who, Some(id)).await?;
    let merchant = crate::tenancy::merchant_id(state, &who.tenant_id).await?;
    // A full record (SSN last four, bank account): PCI DSS 10.2.1.1.
    crate::audit!("customer.read", tenant_id = %who.tenant_id, user_id = %who.user_id, customer_id = %c.id);
    Ok((c, merchant))
}

pub async fn list(
    state: &AppState,
    who: &Staff,
    q: &CustomerQuery,
) -> Result<(i64, Vec<Customer>)> {
    Ok(customers::list(&state.store, &who.tenant_id, q).await?)
}

/// A new customer, the merchant id, and the id of the report request
/// `triggerReportRequest` created (its link goes out by email).
pub async fn create(
    state: &AppState,
    who: &Staff,
    n: NewCustomer,
) -> Result<(Customer, String, Option<String>)> {
    let keys = keys(state, &who.tenant_id).await?;
    // Under the node's hashing cap, like staff passwords.
    let password_hash = super::super::auth::hash_new_password(state, n.password).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let (dl_sealed, dl_last4) =
        set_sealed(&keys, "drivers_license", &id, n.drivers_license.as_deref());
    let (acc_sealed, acc_last4) = set_sealed(&keys, "bank_acc_no", &id, n.bank_acc.as_deref());
    let ssn_sealed = seal(&keys, "ssn", &id, n.ssn.as_str());
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
        ssn_last4: n.ssn.last4().to_string(),
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
    let merchant = crate::tenancy::merchant_id(state, &who.tenant_id).await?;
    let request_id = if n.trigger {
        let creator = report_requests::creator_email(state, who).await;
        let (request, message) = report_requests::prepare(state, &keys, &c, SEND_EMAIL, &creator);
        let request_id = request.id.clone();
        let saved = reports::create(&state.store, Some(c.clone()), request, message).await;
        state.outbox_wake.notify_one();
        saved?;
        Some(request_id)
    } else {
        customers::insert(&state.store, c.clone()).await?;
        None
    };
    tracing::info!(tenant_id = %who.tenant_id, customer_id = %c.id, "customer created");
    Ok((c, merchant, request_id))
}

/// General information: names, address, identity documents, birth date.
pub async fn update_information(
    state: &AppState,
    who: &Staff,
    u: InformationUpdate,
) -> Result<Customer> {
    let current = load(state, who, u.id.as_deref()).await?;
    let keys = keys(state, &who.tenant_id).await?;
    let (dl_sealed, dl_last4) = set_sealed(
        &keys,
        "drivers_license",
        &current.id,
        u.drivers_license.as_deref(),
    );
    let ssn_sealed = seal(&keys, "ssn", &current.id, u.ssn.as_str());
    let mut c = Customer {
        customer_type: u.kind.unwrap_or(CUSTOMER),
        company_name: u.company_name,
        ein: u.ein,
        first_name: u.first_name,
        last_name: u.last_name,
        address_line1: u.address_line1,
        address_line2: u.address_line2,
        city: u.city,
        state: u.state,
        postal_code: u.postal_code,
        drivers_license_sealed: dl_sealed,
        drivers_license_last4: dl_last4,
        ssn_sealed,
        ssn_last4: u.ssn.last4().to_string(),
        country: u.country,
        dob: u.dob.map(|d| d.to_string()).unwrap_or_default(),
        ..current
    };
    c.search_text = c.search_text_of();
    save(state, c).await
}

/// The bank account (sealed; shown as its last four).
pub async fn update_bank(state: &AppState, who: &Staff, u: BankUpdate) -> Result<Customer> {
    let current = load(state, who, u.id.as_deref()).await?;
    let keys = keys(state, &who.tenant_id).await?;
    let (acc_sealed, acc_last4) =
        set_sealed(&keys, "bank_acc_no", &current.id, u.bank_acc.as_deref());
    let c = Customer {
        bank_name: Some(u.bank_name),
        bank_acc_sealed: acc_sealed,
        bank_acc_last4: acc_last4,
        routing_no: u.routing_no,
        ..current
    };
    save(state, c).await
}

/// Phone and email; for a business also its contact person's name (a
/// customer's name changes with its general information).
pub async fn update_contact(state: &AppState, who: &Staff, u: ContactUpdate) -> Result<Customer> {
    let current = load(state, who, u.id.as_deref()).await?;
    if Some(current.customer_type) != u.kind {
        return Err(AnalysisError::invalid([
            "Customer type does not match the customer's type.",
        ]));
    }
    let mut c = Customer {
        first_name: u.first.unwrap_or(current.first_name.clone()),
        last_name: u.last.unwrap_or(current.last_name.clone()),
        phone_number: u.phone,
        email: u.email,
        ..current
    };
    c.search_text = c.search_text_of();
    save(state, c).await
}

/// Employer and pay frequency, of a customer (not a business).
pub async fn update_employment(
    state: &AppState,
    who: &Staff,
    u: EmploymentUpdate,
) -> Result<Customer> {
    let current = load(state, who, u.id.as_deref()).await?;
    if current.customer_type != CUSTOMER {
        return Err(AnalysisError::invalid([
            "Customer type must be 'customer'.",
        ]));
    }
    let c = Customer {
        employer_name: Some(u.employer_name),
        pay_frequency: u.pay_frequency,
        ..current
    };
    save(state, c).await
}

/// A customer's sealed numbers, opened: what an edit form left blank keeps
/// (the information update takes the SSN and licence again, the bank
/// update the account number). Never shown; dropped zeroed.
pub struct KeptNumbers {
    pub ssn: Option<fundline_vault::SecretString>,
    pub drivers_license: Option<fundline_vault::SecretString>,
    pub bank_acc: Option<fundline_vault::SecretString>,
}

/// The tenant's customer `id`'s sealed numbers (another tenant's: not found).
pub async fn kept_numbers(state: &AppState, who: &Staff, id: &str) -> Result<KeptNumbers> {
    let c = load(state, who, Some(id)).await?;
    let keys = keys(state, &who.tenant_id).await?;
    let open = |column: &str, sealed: Option<&str>| {
        sealed.and_then(|s| keys.open_string_row(TABLE, column, &c.id, s).ok())
    };
    Ok(KeptNumbers {
        ssn: open("ssn", Some(&c.ssn_sealed)),
        drivers_license: open("drivers_license", c.drivers_license_sealed.as_deref()),
        bank_acc: open("bank_acc_no", c.bank_acc_sealed.as_deref()),
    })
}
