//! Spec 004's customer rules, word for word, as plain functions: a JSON body
//! in, the values and every failed rule out.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use fundline_core::contact::Phone;
use fundline_core::ssn::{Ssn, SsnError};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::fields::{integer, is_digits, text, too_long, valid_email};

pub const CUSTOMER: i64 = 1;
pub const BUSINESS: i64 = 2;
pub const PAY_FREQUENCIES: [&str; 4] = ["Monthly", "Bi-Monthly", "Weekly", "Bi-Weekly"];

pub type Errors = Vec<String>;

fn push(errors: &mut Errors, m: &str) {
    errors.push(m.to_string());
}

/// 1 / 2, or the names the list filter uses.
pub fn customer_type(body: &Map<String, Value>) -> Option<i64> {
    match body.get("customerType") {
        Some(Value::String(s)) if s.eq_ignore_ascii_case("customer") => Some(CUSTOMER),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("business") => Some(BUSINESS),
        _ => match integer(body, "customerType") {
            Some(Ok(n)) if n == CUSTOMER || n == BUSINESS => Some(n),
            _ => None,
        },
    }
}

pub fn type_from_filter(s: &str) -> Option<i64> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "customer" => Some(CUSTOMER),
        "2" | "business" => Some(BUSINESS),
        _ => None,
    }
}

/// A US address's postal code must be a ZIP or ZIP+4 (`fundline_core::Zip`):
/// the spec calls the field "Postal/ZIP code" beside a free-text country, so
/// other countries keep the spec's free text of at most 10 characters, but a
/// US lender's report and mail go wrong on a ZIP nobody can deliver to.
/// Checked after the other rules, so it only adds its own message.
pub fn us_zip(country: &str, postal_code: &str, errors: &mut Errors) {
    let us = ["US", "USA", "United States", "United States of America"]
        .iter()
        .any(|c| c.eq_ignore_ascii_case(country.trim()));
    let checked = !postal_code.is_empty() && postal_code.chars().count() <= 10;
    if us && checked && fundline_core::contact::Zip::parse(postal_code.trim()).is_none() {
        errors
            .push("Postal code must be a ZIP code (12345 or 12345-6789) for a US address.".into());
    }
}

/// A required text of at most `max` characters.
pub fn required(
    body: &Map<String, Value>,
    name: &str,
    label: &str,
    max: usize,
    errors: &mut Errors,
) -> String {
    let v = text(body, name);
    match &v {
        None => errors.push(format!("{label} is required.")),
        Some(_) if too_long(&v, max) => {
            errors.push(format!("{label} must not exceed {max} characters."))
        }
        _ => {}
    }
    v.unwrap_or_default()
}

pub fn optional(
    body: &Map<String, Value>,
    name: &str,
    label: &str,
    max: usize,
    errors: &mut Errors,
) -> Option<String> {
    let v = text(body, name);
    if too_long(&v, max) {
        errors.push(format!("{label} must not exceed {max} characters."));
    }
    v
}

pub fn email(body: &Map<String, Value>, errors: &mut Errors) -> String {
    let v = text(body, "email");
    match &v {
        None => push(errors, "Email is required."),
        Some(m) => {
            if !valid_email(m) {
                push(errors, "Invalid email format.");
            }
            if too_long(&v, 50) {
                push(errors, "Email must not exceed 50 characters.");
            }
        }
    }
    v.map(|m| m.to_lowercase()).unwrap_or_default()
}

pub fn phone(body: &Map<String, Value>, errors: &mut Errors) -> String {
    let v = text(body, "phoneNumber");
    match &v {
        None => push(errors, "Phone number is required."),
        Some(p) if Phone::parse(p).is_none() => {
            push(errors, "Phone number must be exactly 10 digits.")
        }
        _ => {}
    }
    v.unwrap_or_default()
}

/// The SSN as `fundline_core` reads it (dashes tolerated, as people type
/// them).
pub fn ssn(body: &Map<String, Value>, errors: &mut Errors) -> Option<Ssn> {
    let Some(v) = text(body, "ssn") else {
        push(errors, "SSN is required.");
        return None;
    };
    match Ssn::parse(&v.replace('-', "")) {
        Ok(s) => Some(s),
        Err(SsnError::Format) => {
            push(errors, "SSN must be exactly 9 digits.");
            None
        }
        Err(SsnError::Invalid) => {
            push(errors, "SSN is not a valid SSN or ITIN.");
            None
        }
    }
}

/// The birth date: an ISO-8601 date or date-time, in the past.
pub fn dob(body: &Map<String, Value>, today: NaiveDate, errors: &mut Errors) -> Option<NaiveDate> {
    let Some(s) = text(body, "dob") else {
        push(errors, "Date of Birth is required.");
        return None;
    };
    let parsed = DateTime::parse_from_rfc3339(&s)
        .map(|t| t.date_naive())
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        .or_else(|| {
            NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.date())
        });
    match parsed {
        None => {
            push(errors, "Date of Birth must be a valid ISO-8601 date.");
            None
        }
        Some(d) if d >= today => {
            push(errors, "Date of Birth must be in the past.");
            None
        }
        Some(d) if d < NaiveDate::from_ymd_opt(1900, 1, 1)? => {
            push(errors, "Date of Birth must be after 1900-01-01.");
            None
        }
        Some(d) => Some(d),
    }
}

pub fn drivers_license(body: &Map<String, Value>, errors: &mut Errors) -> Option<String> {
    let v = text(body, "driversLicense");
    if let Some(d) = &v {
        if !(5..=20).contains(&d.len()) || !d.bytes().all(|b| b.is_ascii_alphanumeric()) {
            push(
                errors,
                "Driver's License must be 5 to 20 alphanumeric characters.",
            );
        }
    }
    v.map(|d| d.to_ascii_uppercase())
}

pub fn pay_frequency(
    body: &Map<String, Value>,
    required: bool,
    errors: &mut Errors,
) -> Option<String> {
    let v = text(body, "payFrequency");
    match &v {
        None if required => push(errors, "Pay Frequency is required."),
        None => {}
        Some(f) => match PAY_FREQUENCIES.iter().find(|p| p.eq_ignore_ascii_case(f)) {
            Some(p) => return Some(p.to_string()),
            None => push(
                errors,
                "Pay Frequency must be one of the following: Monthly, Bi-Monthly, Weekly, Bi-Weekly.",
            ),
        },
    }
    None
}

/// Bank account digits; `required` for the bank-information endpoint.
pub fn bank_account(
    body: &Map<String, Value>,
    required: bool,
    errors: &mut Errors,
) -> Option<String> {
    let v = text(body, "bankAccNo");
    match &v {
        None if required => push(errors, "Bank Account Number is required."),
        None => {}
        Some(a) => {
            if !a.bytes().all(|b| b.is_ascii_digit()) {
                push(errors, "Bank Account Number must contain only digits.");
            }
            if a.len() < 6 {
                push(errors, "Bank Account Number must be at least 6 digits.");
            }
            if a.len() > 17 {
                push(errors, "Bank Account Number must not exceed 17 digits.");
            }
        }
    }
    v
}

pub fn routing(body: &Map<String, Value>, required: bool, errors: &mut Errors) -> Option<String> {
    let v = text(body, "routingNo");
    match &v {
        None if required => push(errors, "Routing number is required."),
        Some(r) if !is_digits(r, 9..=9) => push(errors, "Routing number must be exactly 9 digits."),
        _ => {}
    }
    v
}

/// Company name and EIN: required for a business, absent for a customer.
pub fn business_identity(
    body: &Map<String, Value>,
    kind: Option<i64>,
    errors: &mut Errors,
) -> (Option<String>, Option<String>) {
    let company = text(body, "companyName");
    let ein = text(body, "ein");
    match kind {
        Some(CUSTOMER) => {
            if company.is_some() {
                push(
                    errors,
                    "Company name should be empty for regular customers.",
                );
            }
            if ein.is_some() {
                push(errors, "EIN should be empty for regular customers.");
            }
            (None, None)
        }
        Some(BUSINESS) => {
            if company.is_none() {
                push(errors, "Company name is required for business customers.");
            } else if too_long(&company, 100) {
                push(errors, "Company name must not exceed 100 characters.");
            }
            let digits = ein.as_ref().map(|e| e.replace('-', ""));
            match &digits {
                None => push(errors, "EIN is required for business customers."),
                Some(d) if !is_digits(d, 9..=9) => push(errors, "EIN must be exactly 9 digits."),
                _ => {}
            }
            // Written the way the IRS prints it: 12-3456789.
            // Nine ASCII digits only: `d[..2]` must be a char boundary.
            let ein = digits
                .filter(|d| is_digits(d, 9..=9))
                .map(|d| format!("{}-{}", &d[..2], &d[2..]));
            (company, ein)
        }
        _ => (company, ein),
    }
}

pub fn monthly_income(body: &Map<String, Value>, errors: &mut Errors) -> Option<Decimal> {
    let v = match body.get("monthlyIncome") {
        None | Some(Value::Null) => return None,
        Some(Value::Number(n)) => n.to_string().parse::<Decimal>().ok(),
        Some(Value::String(s)) if s.trim().is_empty() => return None,
        Some(Value::String(s)) => s.trim().parse::<Decimal>().ok(),
        Some(_) => None,
    };
    match v {
        Some(d) if d >= Decimal::ZERO && d < Decimal::from(100_000_000) => Some(d.round_dp(2)),
        _ => {
            push(errors, "Monthly income must be a non-negative number.");
            None
        }
    }
}

pub fn country_code(body: &Map<String, Value>, errors: &mut Errors) -> Option<String> {
    let v = text(body, "countryCode");
    if let Some(c) = &v {
        if !(2..=3).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
            push(errors, "Country code must be a 2- or 3-letter ISO code.");
        }
    }
    v.map(|c| c.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_us_address_needs_a_zip_other_countries_keep_free_text() {
        let refused = |country: &str, postal: &str| {
            let mut e = Vec::new();
            us_zip(country, postal, &mut e);
            !e.is_empty()
        };
        for ok in ["10001", "10001-2345", " 90210 "] {
            assert!(!refused("USA", ok), "{ok}");
        }
        for bad in ["ABC", "1000", "10001-", "10001 2345", "1000a"] {
            assert!(refused("USA", bad), "{bad}");
            assert!(refused("united states", bad), "{bad}");
        }
        // Elsewhere the spec's free text stands.
        assert!(!refused("Canada", "K1A 0B1"));
        assert!(!refused("United Kingdom", "SW1A 1AA"));
        // Missing or over-long codes have their own messages already.
        assert!(!refused("US", ""));
        assert!(!refused("US", "12345678901"));
    }

    #[test]
    fn business_fields_belong_to_businesses_only() {
        let mut e = Vec::new();
        let b = obj(json!({"companyName": "Acme", "ein": "12-3456789"}));
        assert_eq!(
            business_identity(&b, Some(BUSINESS), &mut e),
            (Some("Acme".into()), Some("12-3456789".into()))
        );
        assert!(e.is_empty());
        business_identity(&b, Some(CUSTOMER), &mut e);
        assert_eq!(
            e,
            [
                "Company name should be empty for regular customers.",
                "EIN should be empty for regular customers."
            ]
        );
        // Nine bytes but not nine digits: `&d[..2]` used to panic.
        let mut e = Vec::new();
        let b = obj(json!({"companyName": "Acme", "ein": "aé345678"}));
        assert_eq!(
            business_identity(&b, Some(BUSINESS), &mut e),
            (Some("Acme".into()), None)
        );
        assert_eq!(e, ["EIN must be exactly 9 digits."]);
    }

    #[test]
    fn bank_account_rules_each_report() {
        let mut e = Vec::new();
        bank_account(&obj(json!({"bankAccNo": "12a4"})), true, &mut e);
        assert_eq!(
            e,
            [
                "Bank Account Number must contain only digits.",
                "Bank Account Number must be at least 6 digits."
            ]
        );
        let mut e = Vec::new();
        bank_account(
            &obj(json!({"bankAccNo": "123456789012345678"})),
            true,
            &mut e,
        );
        assert_eq!(e, ["Bank Account Number must not exceed 17 digits."]);
    }

    #[test]
    fn dob_must_be_past() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut e = Vec::new();
        assert_eq!(
            dob(
                &obj(json!({"dob": "1990-05-24T00:00:00.000Z"})),
                today,
                &mut e
            ),
            NaiveDate::from_ymd_opt(1990, 5, 24)
        );
        dob(
            &obj(json!({"dob": "2026-08-14T15:39:46.487Z"})),
            today,
            &mut e,
        );
        dob(&obj(json!({"dob": "14/08/1990"})), today, &mut e);
        assert_eq!(
            e,
            [
                "Date of Birth must be in the past.",
                "Date of Birth must be a valid ISO-8601 date."
            ]
        );
    }

    #[test]
    fn pay_frequency_is_one_of_four() {
        let mut e = Vec::new();
        assert_eq!(
            pay_frequency(&obj(json!({"payFrequency": "bi-weekly"})), true, &mut e),
            Some("Bi-Weekly".into())
        );
        pay_frequency(&obj(json!({"payFrequency": "Daily"})), false, &mut e);
        assert_eq!(
            e,
            ["Pay Frequency must be one of the following: Monthly, Bi-Monthly, Weekly, Bi-Weekly."]
        );
    }
}
