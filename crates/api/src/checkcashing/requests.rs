//! Request bodies as the OpenAPI document describes them. The handlers read
//! bodies with `input::Fields` (to answer every rule in the spec's envelope);
//! these types only document the contract, and the test below holds each
//! documented example to the parser (see `crate::doc_drift`).
#![allow(dead_code)]

use utoipa::{IntoResponses, ToSchema};

#[derive(ToSchema)]
#[schema(example = json!({"ssn": "123456789", "dateOfBirth": "05/31/1988"}))]
#[allow(non_snake_case)]
pub struct FindCustomerRequest {
    /// 9 digits, no formatting.
    #[schema(min_length = 9, max_length = 9, pattern = "^[0-9]{9}$")]
    ssn: String,
    /// MM/DD/YY, MM-DD-YY, MM/DD/YYYY, MM-DD-YYYY, YYYY/MM/DD or YYYY-MM-DD.
    #[schema(
        min_length = 8,
        max_length = 10,
        pattern = "^([0-9]{2}[/-][0-9]{2}[/-]([0-9]{2}|[0-9]{4})|[0-9]{4}[/-][0-9]{2}[/-][0-9]{2})$"
    )]
    dateOfBirth: String,
}

#[derive(ToSchema)]
#[schema(example = json!({"emailAddress": "jane@example.com", "ssn": "123456789", "firstName": "Jane", "lastName": "Doe", "middleInitial": "Q", "title": "Ms", "suffix": "Jr", "mobileNumber": "4045550100", "homeNumber": "4045550101", "addressLine1": "1 Main St", "addressLine2": "", "city": "Atlanta", "state": "GA", "zip": "30313", "dateOfBirth": "05/31/1988", "countryOfOrigin": "US", "gender": "F", "allowTexts": "Y", "referrerCode": "REF1"}))]
#[allow(non_snake_case)]
pub struct EnrollCustomerRequest {
    /// Also accepted as `email` (as in the spec's sample).
    #[schema(min_length = 1, max_length = 100)]
    emailAddress: String,
    #[schema(min_length = 9, max_length = 9, pattern = "^[0-9]{9}$")]
    ssn: String,
    #[schema(min_length = 1, max_length = 50)]
    firstName: String,
    #[schema(min_length = 1, max_length = 50)]
    lastName: String,
    #[schema(max_length = 1)]
    middleInitial: Option<String>,
    #[schema(max_length = 10)]
    title: Option<String>,
    #[schema(max_length = 10)]
    suffix: Option<String>,
    #[schema(min_length = 10, max_length = 10, pattern = "^[0-9]{10}$")]
    mobileNumber: String,
    #[schema(max_length = 10)]
    homeNumber: Option<String>,
    #[schema(min_length = 1, max_length = 50)]
    addressLine1: String,
    /// Present; may be empty.
    #[schema(max_length = 50)]
    addressLine2: String,
    #[schema(min_length = 1, max_length = 50)]
    city: String,
    /// USPS state code.
    #[schema(min_length = 2, max_length = 2, pattern = "^[A-Za-z]{2}$")]
    state: String,
    #[schema(min_length = 5, max_length = 5, pattern = "^[0-9]{5}$")]
    zip: String,
    #[schema(
        min_length = 8,
        max_length = 10,
        pattern = "^([0-9]{2}[/-][0-9]{2}[/-]([0-9]{2}|[0-9]{4})|[0-9]{4}[/-][0-9]{2}[/-][0-9]{2})$"
    )]
    dateOfBirth: String,
    /// Screened against the configured OFAC list.
    #[schema(max_length = 100)]
    countryOfOrigin: Option<String>,
    /// M or F.
    #[schema(max_length = 1)]
    gender: Option<String>,
    /// "Y" or "N"; a JSON boolean is accepted too.
    allowTexts: String,
    #[schema(max_length = 50)]
    referrerCode: Option<String>,
}

#[derive(ToSchema)]
#[schema(example = json!({"customerId": "5b2f0c7e-8a1d-4c3e-9f6a-2d4b7e1c9a03"}))]
#[allow(non_snake_case)]
pub struct CustomerIdRequest {
    #[schema(format = Uuid)]
    customerId: String,
}

#[derive(ToSchema)]
#[schema(example = json!({"customerId": "5b2f0c7e-8a1d-4c3e-9f6a-2d4b7e1c9a03", "cardNumber": "4111111111111111", "expirationMonthYear": "1230", "cardNickname": "My Visa", "nameOnCard": "Jane Doe", "addressLine1": "1 Main St", "addressLine2": "", "city": "Atlanta", "state": "GA", "zip": "30313"}))]
#[allow(non_snake_case)]
pub struct AddOrUpdateCardRequest {
    #[schema(format = Uuid)]
    customerId: String,
    #[schema(min_length = 15, max_length = 19, pattern = "^[0-9]{15,19}$")]
    cardNumber: String,
    #[serde(flatten)]
    card: CardDetails,
}

#[derive(ToSchema)]
#[schema(example = json!({"customerId": "5b2f0c7e-8a1d-4c3e-9f6a-2d4b7e1c9a03", "cardToken": "tok_8f3a9c2e", "cardBin": "411111", "lastFourOfCard": "1111", "expirationMonthYear": "1230", "cardNickname": "My Visa", "nameOnCard": "Jane Doe", "addressLine1": "1 Main St", "addressLine2": "", "city": "Atlanta", "state": "GA", "zip": "30313"}))]
#[allow(non_snake_case)]
pub struct AddOrUpdateTokenizedCardRequest {
    #[schema(format = Uuid)]
    customerId: String,
    #[schema(min_length = 1, max_length = 256)]
    cardToken: String,
    /// 6 to 8 digits.
    #[schema(min_length = 6, max_length = 8, pattern = "^[0-9]{6,8}$")]
    cardBin: String,
    #[schema(max_length = 4)]
    lastFourOfCard: Option<String>,
    #[serde(flatten)]
    card: CardDetails,
}

/// What both AddOrUpdateCard forms say of the card besides its number: its
/// expiry, nickname and billing address (one set of rules for the two).
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct CardDetails {
    /// MMYY.
    #[schema(min_length = 4, max_length = 4, pattern = "^(0[1-9]|1[0-2])[0-9]{2}$")]
    expirationMonthYear: String,
    #[schema(min_length = 1, max_length = 20)]
    cardNickname: String,
    #[schema(max_length = 100)]
    nameOnCard: Option<String>,
    #[schema(min_length = 1, max_length = 50)]
    addressLine1: String,
    #[schema(max_length = 50)]
    addressLine2: String,
    #[schema(min_length = 1, max_length = 50)]
    city: String,
    /// USPS state code.
    #[schema(min_length = 2, max_length = 2, pattern = "^[A-Za-z]{2}$")]
    state: String,
    #[schema(min_length = 5, max_length = 5, pattern = "^[0-9]{5}$")]
    zip: String,
}

#[derive(ToSchema)]
#[schema(example = json!({"customerId": "5b2f0c7e-8a1d-4c3e-9f6a-2d4b7e1c9a03", "accountId": "9c1e4f2a-3b5d-4e6f-8a7b-1c2d3e4f5a6b", "pagingTransactionReferenceNumber": "", "pageSize": 20}))]
#[allow(non_snake_case)]
pub struct TransactionHistoryRequest {
    #[schema(format = Uuid)]
    customerId: String,
    /// A cardId; empty for all cards.
    accountId: Option<String>,
    /// The first transaction of the page; empty for the newest.
    pagingTransactionReferenceNumber: Option<String>,
    /// 1-100; absent or 0 means 20.
    #[schema(minimum = 0, maximum = 100)]
    pageSize: Option<i64>,
}

#[derive(ToSchema)]
#[schema(example = json!({"customerId": "5b2f0c7e-8a1d-4c3e-9f6a-2d4b7e1c9a03", "cardId": "9c1e4f2a-3b5d-4e6f-8a7b-1c2d3e4f5a6b"}))]
#[allow(non_snake_case)]
pub struct DeleteCardRequest {
    #[schema(format = Uuid)]
    customerId: String,
    #[schema(format = Uuid)]
    cardId: String,
}

#[derive(ToSchema)]
pub struct NameValue {
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    #[schema(min_length = 1, max_length = 300)]
    value: String,
}

#[derive(ToSchema)]
#[schema(example = json!({"customerAttributes": [{"name": "CustomerId", "value": "5b2f0c7e-8a1d-4c3e-9f6a-2d4b7e1c9a03"}, {"name": "SSN", "value": "123456789"}]}))]
#[allow(non_snake_case)]
pub struct CustomerAttributesRequest {
    /// Must include CustomerId and SSN.
    customerAttributes: Vec<NameValue>,
}

#[derive(ToSchema)]
#[schema(example = json!({"sessionAttributes": [{"name": "SsoToken", "value": "sso_5Q2m8XrT1vK9bN4c"}]}))]
#[allow(non_snake_case)]
pub struct SessionAttributesRequest {
    /// Must include SsoToken; AccountIdFilter and AccountNumberFilter are mutually exclusive.
    sessionAttributes: Vec<NameValue>,
}

/// client_id and client_secret, if not sent with HTTP Basic.
#[derive(ToSchema)]
pub struct AuthenticateRequest {
    #[schema(pattern = "^client_credentials$")]
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct ProblemBody {
    r#type: String,
    title: String,
    status: u16,
    detail: String,
    instance: String,
    errorCode: Option<String>,
    errors: Option<serde_json::Value>,
    validationErrors: Option<Vec<ValidationErrorBody>>,
}

#[derive(ToSchema)]
pub struct ValidationErrorBody {
    key: String,
    message: String,
}

/// The problem+json answers a partner method may give besides its own: a
/// request that does not validate (400) and a session that does not
/// authenticate (401). Listed once for the OpenAPI document.
#[derive(IntoResponses)]
pub enum Rejected {
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(ProblemBody),
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(ProblemBody),
}

/// `Rejected`, and a business rule that refuses the request (422).
#[derive(IntoResponses)]
pub enum Refused {
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(ProblemBody),
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(ProblemBody),
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(ProblemBody),
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::checkcashing::input::Fields;
    use crate::checkcashing::parse;
    use crate::doc_drift::{assert_matches, schemas};

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default()
    }

    /// Whether a handler's parser takes a body.
    type Accepts = fn(&Value) -> bool;

    /// Whether `parse` takes the body, read as the handlers read it.
    fn takes<T, E>(v: &Value, parse: impl FnOnce(Fields) -> Result<T, E>) -> bool {
        let map = v.as_object().cloned().unwrap_or_default();
        Fields::from_map(map, "command").is_ok_and(|f| parse(f).is_ok())
    }

    #[test]
    fn every_documented_partner_body_is_what_its_handler_accepts() {
        // Each documented body, and whether its handler's parser takes a body.
        let bodies: [(&str, Accepts); 9] = [
            ("FindCustomerRequest", |v| {
                takes(v, |f| parse::find_customer(f, today()))
            }),
            ("EnrollCustomerRequest", |v| {
                takes(v, |f| parse::enroll_customer(f, today(), 18))
            }),
            ("CustomerIdRequest", |v| takes(v, parse::customer_id_only)),
            ("AddOrUpdateCardRequest", |v| {
                takes(v, parse::add_or_update_card)
            }),
            ("AddOrUpdateTokenizedCardRequest", |v| {
                takes(v, parse::add_or_update_tokenized_card)
            }),
            ("TransactionHistoryRequest", |v| {
                takes(v, parse::transaction_history)
            }),
            ("DeleteCardRequest", |v| takes(v, parse::delete_card)),
            ("CustomerAttributesRequest", |v| {
                takes(v, parse::customer_attributes)
            }),
            ("SessionAttributesRequest", |v| {
                takes(v, parse::session_attributes)
            }),
        ];
        let schemas = schemas();
        for (name, accepts) in bodies {
            assert_matches(&schemas, name, &accepts);
        }
    }
}
