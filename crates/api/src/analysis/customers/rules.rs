//! The rules of the customer endpoints' bodies (spec 004 §3), each body in,
//! its checked values or every failed rule, in order, out.

use fundline_core::ssn::Ssn;
use fundline_store::customers::CustomerOrder;
use fundline_store::customers::CustomerQuery;
use fundline_store::Page;
use serde_json::{Map, Value};

use super::super::customer_rules::{self as rules, BUSINESS, CUSTOMER};
use super::super::fields::{flag, password, text};
use super::super::query::{customer_type, date_bound, name_query, order_by, paging, Params};
use super::super::zone::Zone;

/// A POST /api/v1/customer body that passed every rule.
pub struct NewCustomer {
    pub(super) user_name: String,
    pub(super) kind: Option<i64>,
    pub(super) company_name: Option<String>,
    pub(super) ein: Option<String>,
    pub(super) password: String,
    pub(super) last_name: String,
    pub(super) first_name: String,
    pub(super) phone_type: Option<String>,
    pub(super) phone_number: String,
    pub(super) email: String,
    pub(super) address_line1: String,
    pub(super) country: String,
    pub(super) address_line2: Option<String>,
    pub(super) city: String,
    pub(super) state: String,
    pub(super) postal_code: String,
    pub(super) employer: Option<String>,
    pub(super) occupation: Option<String>,
    pub(super) monthly_income: Option<rust_decimal::Decimal>,
    pub(super) pay_frequency: Option<String>,
    pub(super) drivers_license: Option<String>,
    pub(super) ssn: Ssn,
    pub(super) dob: Option<chrono::NaiveDate>,
    pub(super) bank_name: Option<String>,
    pub(super) bank_acc: Option<String>,
    pub(super) routing_no: Option<String>,
    pub(super) employer_name: Option<String>,
    pub(super) trigger: bool,
    pub(super) country_code: Option<String>,
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
    let password = password(body, "password");
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
    let trigger = flag(
        body,
        "triggerReportRequest",
        false,
        "TriggerReportRequest must be true or false.",
        &mut e,
    );
    let country_code = rules::country_code(body, &mut e);
    rules::us_zip(&country, &postal_code, &mut e);
    let Some(ssn) = ssn.filter(|_| e.is_empty()) else {
        return Err(e);
    };
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

/// The id every update starts with (its label differs by endpoint).
fn target(body: &Map<String, Value>, label: &str, errors: &mut Vec<String>) -> Option<String> {
    let id = text(body, "id");
    if id.is_none() {
        errors.push(format!("{label} is required."));
    }
    id
}

/// A PUT /api/v1/customer/information body that passed every rule.
pub struct InformationUpdate {
    pub(super) id: Option<String>,
    pub(super) kind: Option<i64>,
    pub(super) company_name: Option<String>,
    pub(super) ein: Option<String>,
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) address_line1: String,
    pub(super) address_line2: Option<String>,
    pub(super) city: String,
    pub(super) state: String,
    pub(super) postal_code: String,
    pub(super) drivers_license: Option<String>,
    pub(super) ssn: Ssn,
    pub(super) country: String,
    pub(super) dob: Option<chrono::NaiveDate>,
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
    rules::us_zip(&country, &postal_code, &mut e);
    let dob = rules::dob(body, today, &mut e);
    let Some(ssn) = ssn.filter(|_| e.is_empty()) else {
        return Err(e);
    };
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

/// A PUT /api/v1/customer/bank-information body that passed every rule.
pub struct BankUpdate {
    pub(super) id: Option<String>,
    pub(super) bank_acc: Option<String>,
    pub(super) routing_no: Option<String>,
    pub(super) bank_name: String,
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

/// A PUT /api/v1/customer/contact-information body that passed every rule.
pub struct ContactUpdate {
    pub(super) id: Option<String>,
    pub(super) kind: Option<i64>,
    pub(super) email: String,
    pub(super) phone: String,
    pub(super) first: Option<String>,
    pub(super) last: Option<String>,
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

/// A PUT /api/v1/customer/employee-information body that passed every rule.
pub struct EmploymentUpdate {
    pub(super) id: Option<String>,
    pub(super) employer_name: String,
    pub(super) pay_frequency: Option<String>,
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

/// The filters, order and page of GET /api/v1/customer/all, or every
/// failed rule in order. `createdDateFrom`/`To` (the onboarding date) are
/// beyond spec 004, read as the report requests' `orderedDateFrom`/`To`.
pub fn list_query(p: &Params, zone: &Zone) -> Result<(CustomerQuery, Page), Vec<String>> {
    let mut errors = Vec::new();
    let page = paging(p, &mut errors);
    let order = order_by(
        p,
        &[
            ("CreatedDate", CustomerOrder::CreatedDate),
            ("FirstName", CustomerOrder::FirstName),
            ("LastName", CustomerOrder::LastName),
            ("Email", CustomerOrder::Email),
        ],
        &mut errors,
    );
    let customer_type = customer_type(p, &mut errors);
    let created_from = date_bound(p, zone, "createdDateFrom", false, &mut errors);
    let created_to = date_bound(p, zone, "createdDateTo", true, &mut errors);
    let name_query = name_query(p, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let q = CustomerQuery {
        name_query,
        customer_type,
        created_from,
        created_to,
        order_by: order,
        page,
    };
    Ok((q, page))
}
