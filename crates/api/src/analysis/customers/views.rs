//! What the customer endpoints answer: the record with its sealed numbers
//! as their last four, and never the password.

use fundline_store::customers::Customer;
use serde_json::{json, Value};

use super::super::zone::{render_date, Zone};

const MASKED_PASSWORD: &str = "*****";

fn masked(last4: &Option<String>) -> Option<String> {
    last4.as_ref().map(|l| format!("*****{l}"))
}

fn dob_date(c: &Customer) -> String {
    chrono::NaiveDate::parse_from_str(&c.dob, "%Y-%m-%d")
        .map(render_date)
        .unwrap_or_default()
}

/// The SSN as staff see it: its last four only.
pub fn masked_ssn(c: &Customer) -> String {
    format!("*****{}", c.ssn_last4)
}

/// The customer record; `merchantId` is the tenant's bank-analysis
/// merchant id (`crate::tenancy::merchant_id`).
pub fn customer(c: &Customer, merchant_id: &str, zone: &Zone) -> Value {
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
        "monthlyIncome": c.monthly_income.as_deref().and_then(|m| m.parse::<rust_decimal::Decimal>().ok()).map(super::super::render::num),
        "payFrequency": c.pay_frequency,
        "driversLicense": masked(&c.drivers_license_last4),
        "dob": dob_date(c),
        "ssn": masked_ssn(c),
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

/// A new customer, with the report request `triggerReportRequest` created
/// (the id POST …/report-request would answer, as …/reset names it).
pub fn created(c: &Customer, merchant_id: &str, zone: &Zone, request_id: Option<String>) -> Value {
    let mut data = customer(c, merchant_id, zone);
    data["reportRequestId"] = json!(request_id);
    data
}

/// One row of GET /api/v1/customer/all.
pub fn list_row(c: &Customer, zone: &Zone) -> Value {
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
}

pub fn information(c: &Customer) -> Value {
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
        "ssn": masked_ssn(c),
        "country": c.country,
        "dob": dob_date(c),
        "ein": c.ein,
    })
}

pub fn bank(c: &Customer) -> Value {
    json!({"id": c.id, "bankName": c.bank_name, "bankAccNo": masked(&c.bank_acc_last4), "routingNo": c.routing_no})
}

pub fn contact(c: &Customer) -> Value {
    json!({"id": c.id, "customerType": c.customer_type, "firstName": c.first_name, "lastName": c.last_name,
           "phoneNumber": c.phone_number, "email": c.email})
}

pub fn employment(c: &Customer) -> Value {
    json!({"id": c.id, "payFrequency": c.pay_frequency, "employerName": c.employer_name})
}
