//! Request bodies of bank analysis (spec 004) as the OpenAPI document
//! describes them. The handlers read bodies field by field (so that every
//! broken rule is answered at once, in the spec's wording); these types
//! document that contract, and the tests below hold the two together: each
//! documented example passes the handler's rules, leaving out a required
//! field fails them, leaving out an optional one does not, and one
//! character over a documented `maxLength` is refused.
#![allow(dead_code, non_snake_case)]

use utoipa::{IntoResponses, ToSchema};

/// `customer` (a person) or `business`; the numbers 1 and 2 are accepted too.
#[derive(ToSchema)]
#[allow(non_camel_case_types)]
pub enum CustomerType {
    customer,
    business,
}

/// How the customer receives the link: 1 e-mail, 2 SMS.
#[derive(ToSchema)]
#[schema(example = 1)]
#[repr(u8)]
pub enum SendVia {
    Email = 1,
    Sms = 2,
}

/// Monthly, Bi-Monthly, Weekly or Bi-Weekly (any case).
#[derive(ToSchema)]
pub enum PayFrequency {
    Monthly,
    #[schema(rename = "Bi-Monthly")]
    BiMonthly,
    Weekly,
    #[schema(rename = "Bi-Weekly")]
    BiWeekly,
}

#[derive(ToSchema)]
#[schema(example = json!({"email": "analyst@example.com", "password": "correct horse battery"}))]
pub struct LoginRequest {
    #[schema(format = "email", max_length = 254)]
    email: String,
    #[schema(min_length = 1, max_length = 256, format = Password)]
    password: String,
}

/// Also the body of logout, which names the session's refresh token.
#[derive(ToSchema)]
#[schema(example = json!({"refreshToken": "hQ3m5sV8c2Yx7LrK0pWbN4tJ9aGd6fEu"}))]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 200)]
    refreshToken: String,
}

#[derive(ToSchema)]
#[schema(example = json!({"currentPassword": "correct horse battery", "newPassword": "quiet lantern 4 river"}))]
pub struct ChangePasswordRequest {
    #[schema(min_length = 1, max_length = 256, format = Password)]
    currentPassword: String,
    /// 12 to 128 characters, at least 5 distinct, not a common password,
    /// not the current one.
    #[schema(min_length = 12, max_length = 128, format = Password)]
    newPassword: String,
}

/// A new password for a staff user (admin only).
#[derive(ToSchema)]
#[schema(example = json!({"newPassword": "quiet lantern 4 river"}))]
pub struct PasswordResetRequest {
    #[schema(min_length = 12, max_length = 128, format = Password)]
    newPassword: String,
}

/// A staff user's profile (spec 004 §2).
#[derive(ToSchema)]
#[schema(example = json!({"firstName": "Ada", "lastName": "Byron", "jobTitle": "Analyst",
    "email": "ada@example.com", "phone": "2125550123", "password": "quiet lantern 4 river", "role": "analyst"}))]
pub struct UserCreateRequest {
    #[serde(flatten)]
    profile: UserProfile,
    /// Defaults to true.
    isActive: Option<bool>,
    #[schema(min_length = 12, max_length = 128, format = Password)]
    password: String,
    /// `admin` or `analyst` (the default).
    #[schema(pattern = "^(admin|analyst|ADMIN|ANALYST|Admin|Analyst)$")]
    role: Option<String>,
}

#[derive(ToSchema)]
#[schema(example = json!({"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "firstName": "Ada", "lastName": "Byron",
    "email": "ada@example.com", "phone": "2125550123", "isActive": true}))]
pub struct UserUpdateRequest {
    #[schema(format = Uuid)]
    id: String,
    #[serde(flatten)]
    profile: UserProfile,
    isActive: Option<bool>,
}

/// A staff user's name and contacts, as both the create and the update
/// send them.
#[derive(ToSchema)]
pub struct UserProfile {
    #[schema(min_length = 1, max_length = 50)]
    firstName: String,
    #[schema(min_length = 1, max_length = 50)]
    lastName: String,
    #[schema(max_length = 100)]
    jobTitle: Option<String>,
    #[schema(format = "email", max_length = 100)]
    email: String,
    #[schema(pattern = "^[0-9]{10}$", min_length = 10, max_length = 10)]
    phone: String,
    #[schema(pattern = "^[0-9]{10}$", min_length = 10, max_length = 10)]
    secondaryPhone: Option<String>,
    #[schema(format = "email", max_length = 100)]
    secondaryEmail: Option<String>,
}

#[derive(ToSchema)]
#[schema(example = json!({"customerId": "0f8fad5b-d9cb-469f-a165-70867728950e", "sendVia": 1}))]
pub struct ReportRequestCreateRequest {
    #[schema(format = Uuid)]
    customerId: String,
    sendVia: SendVia,
}

#[derive(ToSchema)]
#[schema(example = json!({"reportRequestId": "0f8fad5b-d9cb-469f-a165-70867728950e"}))]
pub struct ReportRequestResetRequest {
    #[schema(format = Uuid)]
    reportRequestId: String,
}

/// A new customer (spec 004 §3). A business also needs `companyName` and
/// `ein`; a person must leave them out.
#[derive(ToSchema)]
#[schema(example = json!({"userName": "jdoe", "customerType": "customer", "password": "quiet lantern 4 river",
    "firstName": "Jane", "lastName": "Doe", "phoneNumber": "2125550123", "email": "jane@example.com",
    "addressLine1": "1 Main St", "city": "Springfield", "state": "IL", "postalCode": "62701",
    "country": "US", "ssn": "123456789", "dob": "1980-04-01"}))]
pub struct CustomerCreateRequest {
    #[schema(min_length = 1, max_length = 50)]
    userName: String,
    customerType: CustomerType,
    #[schema(max_length = 100)]
    companyName: Option<String>,
    /// 9 digits, a dash after the second allowed.
    #[schema(pattern = "^[0-9]{2}-?[0-9]{7}$")]
    ein: Option<String>,
    #[schema(min_length = 1, max_length = 128, format = Password)]
    password: String,
    #[schema(min_length = 1, max_length = 50)]
    firstName: String,
    #[schema(min_length = 1, max_length = 50)]
    lastName: String,
    #[schema(max_length = 20)]
    phoneType: Option<String>,
    #[schema(pattern = "^[0-9]{10}$", min_length = 10, max_length = 10)]
    phoneNumber: String,
    #[schema(format = "email", max_length = 50)]
    email: String,
    #[serde(flatten)]
    address: PostalAddress,
    #[schema(min_length = 1, max_length = 50)]
    country: String,
    /// ISO 3166 alpha-2 or alpha-3.
    #[schema(pattern = "^[A-Za-z]{2,3}$")]
    countryCode: Option<String>,
    #[schema(max_length = 100)]
    employer: Option<String>,
    #[schema(max_length = 100)]
    occupation: Option<String>,
    /// A decimal amount of dollars, not negative.
    #[schema(value_type = Option<f64>, minimum = 0, exclusive_maximum = 100000000)]
    monthlyIncome: Option<String>,
    payFrequency: Option<PayFrequency>,
    #[schema(pattern = "^[A-Za-z0-9]{5,20}$")]
    driversLicense: Option<String>,
    /// 9 digits (dashes allowed); a valid SSN or ITIN.
    #[schema(pattern = "^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$")]
    ssn: String,
    /// A past date after 1900-01-01 (ISO 8601).
    #[schema(format = Date)]
    dob: String,
    #[schema(max_length = 100)]
    bankName: Option<String>,
    #[schema(pattern = "^[0-9]{6,17}$")]
    bankAccNo: Option<String>,
    #[schema(pattern = "^[0-9]{9}$")]
    routingNo: Option<String>,
    #[schema(max_length = 100)]
    employerName: Option<String>,
    /// Create a report request (and send its link) with the customer.
    triggerReportRequest: Option<bool>,
}

#[derive(ToSchema)]
#[schema(example = json!({"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "customerType": "customer",
    "firstName": "Jane", "lastName": "Doe", "addressLine1": "1 Main St", "city": "Springfield",
    "state": "IL", "postalCode": "62701", "country": "US", "ssn": "123456789", "dob": "1980-04-01"}))]
pub struct CustomerInformationRequest {
    #[schema(format = Uuid)]
    id: String,
    customerType: CustomerType,
    #[schema(max_length = 100)]
    companyName: Option<String>,
    #[schema(pattern = "^[0-9]{2}-?[0-9]{7}$")]
    ein: Option<String>,
    #[schema(min_length = 1, max_length = 50)]
    firstName: String,
    #[schema(min_length = 1, max_length = 50)]
    lastName: String,
    #[serde(flatten)]
    address: PostalAddress,
    #[schema(pattern = "^[A-Za-z0-9]{5,20}$")]
    driversLicense: Option<String>,
    #[schema(pattern = "^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$")]
    ssn: String,
    #[schema(min_length = 1, max_length = 50)]
    country: String,
    #[schema(format = Date)]
    dob: String,
}

/// The customer's street address, as both the create and the
/// information update take it.
#[derive(ToSchema)]
pub struct PostalAddress {
    #[schema(min_length = 1, max_length = 100)]
    addressLine1: String,
    #[schema(max_length = 100)]
    addressLine2: Option<String>,
    #[schema(min_length = 1, max_length = 50)]
    city: String,
    #[schema(min_length = 1, max_length = 50)]
    state: String,
    #[schema(min_length = 1, max_length = 10)]
    postalCode: String,
}

#[derive(ToSchema)]
#[schema(example = json!({"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "bankName": "First Bank",
    "bankAccNo": "000123456789", "routingNo": "021000021"}))]
pub struct CustomerBankRequest {
    #[schema(format = Uuid)]
    id: String,
    #[schema(min_length = 1, max_length = 100)]
    bankName: String,
    #[schema(pattern = "^[0-9]{6,17}$")]
    bankAccNo: String,
    #[schema(pattern = "^[0-9]{9}$")]
    routingNo: String,
}

/// A business also names its contact person (`firstName`, `lastName`); a
/// person must leave them out.
#[derive(ToSchema)]
#[schema(example = json!({"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "customerType": "customer",
    "phoneNumber": "2125550123", "email": "jane@example.com"}))]
pub struct CustomerContactRequest {
    #[schema(format = Uuid)]
    id: String,
    customerType: CustomerType,
    #[schema(pattern = "^[0-9]{10}$", min_length = 10, max_length = 10)]
    phoneNumber: String,
    #[schema(format = "email", max_length = 50)]
    email: String,
    #[schema(max_length = 50)]
    firstName: Option<String>,
    #[schema(max_length = 50)]
    lastName: Option<String>,
}

/// Only for customers of type `customer`.
#[derive(ToSchema)]
#[schema(example = json!({"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "customerType": "customer",
    "employerName": "Acme Corp", "payFrequency": "Bi-Weekly"}))]
pub struct CustomerEmploymentRequest {
    #[schema(format = Uuid)]
    id: String,
    customerType: CustomerType,
    #[schema(min_length = 1, max_length = 100)]
    employerName: String,
    payFrequency: PayFrequency,
}

/// What a staff user's call answers.
#[derive(IntoResponses)]
pub(crate) enum Answered {
    #[response(status = 200, content_type = "application/json")]
    Done(crate::openapi::AnalysisEnvelopeDoc),
    #[response(status = 400, content_type = "application/json")]
    Invalid(crate::openapi::AnalysisEnvelopeDoc),
    #[response(
        status = 401,
        content_type = "application/json",
        description = "Access Denied"
    )]
    Denied(crate::openapi::AnalysisEnvelopeDoc),
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value};

    use crate::analysis::{auth, customers::rules, report_requests, users};

    /// Whether a body passes the rules the handler applies to it.
    type Rules = fn(&Value) -> bool;

    fn map(v: &Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default()
    }

    /// Every documented body, with the rules its handler applies.
    fn bodies() -> Vec<(&'static str, Rules)> {
        vec![
            ("LoginRequest", |v| {
                auth::login_body(v.to_string().as_bytes()).is_ok()
            }),
            ("RefreshRequest", |v| {
                auth::refresh_body(v.to_string().as_bytes()).is_ok()
            }),
            ("ChangePasswordRequest", |v| {
                auth::change_password_body(v.to_string().as_bytes()).is_ok()
            }),
            ("PasswordResetRequest", |v| {
                users::reset_body(&map(v)).is_ok()
            }),
            ("UserCreateRequest", |v| users::create_body(&map(v)).is_ok()),
            ("UserUpdateRequest", |v| users::update_body(&map(v)).is_ok()),
            ("ReportRequestCreateRequest", |v| {
                report_requests::create_body(&map(v)).is_ok()
            }),
            ("ReportRequestResetRequest", |v| {
                report_requests::reset_body(&map(v)).is_ok()
            }),
            ("CustomerCreateRequest", |v| {
                rules::create_body(&map(v), today()).is_ok()
            }),
            ("CustomerInformationRequest", |v| {
                rules::information_body(&map(v), today()).is_ok()
            }),
            ("CustomerBankRequest", |v| rules::bank_body(&map(v)).is_ok()),
            ("CustomerContactRequest", |v| {
                rules::contact_body(&map(v)).is_ok()
            }),
            ("CustomerEmploymentRequest", |v| {
                rules::employment_body(&map(v)).is_ok()
            }),
        ]
    }

    #[test]
    fn every_documented_body_is_what_its_handler_accepts() {
        let schemas = crate::doc_drift::schemas();
        for (name, passes) in bodies() {
            crate::doc_drift::assert_matches(&schemas, name, &passes);
        }
    }
}
