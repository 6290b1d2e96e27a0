//! The token service's request bodies (spec 003) as the OpenAPI document
//! describes them, under the official Connect SDKs' model names. The
//! handlers read bodies field by field (`tokens`, `groups`) so that every
//! broken rule is answered at once; the tests below hold these documents to
//! those rules (see `crate::doc_drift`).
#![allow(dead_code, non_snake_case)]

use serde_json::json;
use utoipa::{IntoParams, IntoResponses, ToSchema};

/// The merchant a server API call is for.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MerchantPath {
    merchantId: String,
}

/// The token a server API call is about.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TokenPath {
    merchantId: String,
    tokenId: String,
}

/// The headers every server API call is signed with.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct Signed {
    /// GCS v1HMAC:<apiKeyId>:<signature>
    Authorization: String,
    /// The RFC 1123 date the signature covers.
    Date: String,
}

/// The answer of a call that changes a token and has nothing to return.
#[derive(IntoResponses)]
pub(crate) enum TokenChanged {
    #[response(status = 204, description = "Empty body")]
    Done,
    #[response(status = 400, content_type = "application/json")]
    Invalid(crate::openapi::ConnectErrorDoc),
    #[response(status = 404, content_type = "application/json")]
    Unknown(crate::openapi::ConnectErrorDoc),
}

/// `POST /v1/{merchantId}/tokens`: exactly one of card, sepaDirectDebit,
/// nonSepaDirectDebit or eWallet (encryptedCustomerInput is refused: not
/// served yet).
#[derive(ToSchema)]
#[schema(example = card_request)]
pub struct CreateTokenRequest {
    /// Card products 1 to 199 (1 Visa, 2 American Express, 3 Mastercard …);
    /// 770 SEPA direct debit; 705 UK direct debit, 730 ACH; 840 PayPal.
    #[schema(minimum = 1, maximum = 99999)]
    paymentProductId: i32,
    /// Required when paymentProductId is a card product.
    card: Option<TokenCard>,
    /// Required when paymentProductId is 770.
    sepaDirectDebit: Option<TokenSepaDirectDebitWithoutCreditor>,
    /// Required when paymentProductId is 705 or 730.
    nonSepaDirectDebit: Option<TokenNonSepaDirectDebit>,
    /// Required when paymentProductId is 840.
    eWallet: Option<TokenEWallet>,
}

/// `PUT /v1/{merchantId}/tokens/{tokenId}`: the token's new details, with
/// the fields of CreateTokenRequest; the token keeps its payment product.
#[derive(ToSchema)]
#[schema(example = card_request)]
pub struct UpdateTokenRequest {
    #[serde(flatten)]
    token: CreateTokenRequest,
}

/// `POST …/approvesepadirectdebit`: the debtor signed the mandate.
#[derive(ToSchema)]
#[schema(example = json!({"mandateSignatureDate": "20261201", "mandateSignaturePlace": "Amsterdam", "mandateSigned": true}))]
pub struct ApproveTokenRequest {
    #[serde(flatten)]
    approval: MandateApproval,
}

/// A SEPA mandate's signature. `mandateSigned: false` approves nothing.
#[derive(ToSchema)]
pub struct MandateApproval {
    /// YYYYMMDD, a real date.
    #[schema(min_length = 8, max_length = 8, pattern = "^[0-9]{8}$")]
    mandateSignatureDate: Option<String>,
    #[schema(max_length = 51)]
    mandateSignaturePlace: Option<String>,
    mandateSigned: Option<bool>,
}

#[derive(ToSchema)]
pub struct TokenCard {
    /// Shown instead of the number; defaults to the masked card number.
    #[schema(max_length = 100)]
    alias: Option<String>,
    customer: Option<CustomerToken>,
    data: TokenCardData,
}

#[derive(ToSchema)]
pub struct TokenCardData {
    cardWithoutCvv: CardWithoutCvv,
    /// YYYYMMDD, a real date.
    #[schema(min_length = 8, max_length = 8, pattern = "^[0-9]{8}$")]
    firstTransactionDate: Option<String>,
    #[schema(max_length = 4000)]
    providerReference: Option<String>,
}

#[derive(ToSchema)]
pub struct CardWithoutCvv {
    /// 12 to 19 digits passing the Luhn check.
    #[schema(min_length = 12, max_length = 19, pattern = "^[0-9]{12,19}$")]
    cardNumber: String,
    /// MMYY, not yet passed.
    #[schema(min_length = 4, max_length = 4, pattern = "^(0[1-9]|1[0-2])[0-9]{2}$")]
    expiryDate: String,
    #[schema(max_length = 51)]
    cardholderName: Option<String>,
    #[schema(max_length = 2)]
    issueNumber: Option<String>,
}

/// The customer of a token; required for the SEPA, non-SEPA and eWallet
/// groups, optional for cards.
#[derive(ToSchema)]
pub struct CustomerToken {
    #[schema(max_length = 15)]
    merchantCustomerId: Option<String>,
    /// Deprecated in spec 003: companyInformation.vatNumber instead.
    #[schema(max_length = 17)]
    vatNumber: Option<String>,
    billingAddress: Option<Address>,
    companyInformation: Option<CompanyInformation>,
    contactDetails: Option<ContactDetailsToken>,
    personalInformation: Option<PersonalInformationToken>,
}

#[derive(ToSchema)]
pub struct Address {
    #[schema(max_length = 50)]
    additionalInfo: Option<String>,
    #[schema(max_length = 40)]
    city: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[schema(max_length = 2)]
    countryCode: Option<String>,
    #[schema(max_length = 15)]
    houseNumber: Option<String>,
    #[schema(max_length = 35)]
    state: Option<String>,
    #[schema(max_length = 9)]
    stateCode: Option<String>,
    #[schema(max_length = 50)]
    street: Option<String>,
    #[schema(max_length = 10)]
    zip: Option<String>,
}

#[derive(ToSchema)]
pub struct CompanyInformation {
    #[schema(max_length = 40)]
    name: Option<String>,
    #[schema(max_length = 17)]
    vatNumber: Option<String>,
}

#[derive(ToSchema)]
pub struct ContactDetailsToken {
    #[schema(max_length = 70)]
    emailAddress: Option<String>,
    #[schema(max_length = 20)]
    faxNumber: Option<String>,
    #[schema(max_length = 20)]
    phoneNumber: Option<String>,
}

#[derive(ToSchema)]
pub struct PersonalInformationToken {
    name: Option<PersonalNameToken>,
}

#[derive(ToSchema)]
pub struct PersonalNameToken {
    #[schema(max_length = 15)]
    firstName: Option<String>,
    #[schema(max_length = 70)]
    surname: Option<String>,
    #[schema(max_length = 15)]
    surnamePrefix: Option<String>,
    #[schema(max_length = 35)]
    title: Option<String>,
}

/// 770: a mandate with the debtor's IBAN; usable once signed (here, or by
/// approvesepadirectdebit later).
#[derive(ToSchema)]
#[schema(example = json!({"customer": {"billingAddress": {"countryCode": "NL"}}, "mandate": {"bankAccountIban": {"accountHolderName": "Wile E. Coyote", "iban": "NL91ABNA0417164300"}, "customerContractIdentifier": "contract-1", "debtor": {"surname": "Coyote", "city": "Amsterdam"}, "isRecurring": true, "mandateApproval": {"mandateSignatureDate": "20261201", "mandateSigned": true}, "preNotification": "do-not-send"}}))]
pub struct TokenSepaDirectDebitWithoutCreditor {
    #[schema(max_length = 100)]
    alias: Option<String>,
    customer: CustomerToken,
    mandate: MandateSepaDirectDebitWithoutCreditor,
}

#[derive(ToSchema)]
pub struct MandateSepaDirectDebitWithoutCreditor {
    bankAccountIban: BankAccountIban,
    #[schema(max_length = 35)]
    customerContractIdentifier: Option<String>,
    debtor: Option<Debtor>,
    isRecurring: Option<bool>,
    mandateApproval: Option<MandateApproval>,
    #[schema(max_length = 100)]
    preNotification: Option<String>,
}

#[derive(ToSchema)]
pub struct BankAccountIban {
    #[schema(max_length = 30)]
    accountHolderName: Option<String>,
    /// Country, length and mod-97 check digits are checked.
    #[schema(max_length = 50)]
    iban: String,
}

#[derive(ToSchema)]
pub struct Debtor {
    #[schema(max_length = 50)]
    additionalAddressInfo: Option<String>,
    #[schema(max_length = 51)]
    city: Option<String>,
    #[schema(max_length = 2)]
    countryCode: Option<String>,
    #[schema(max_length = 15)]
    firstName: Option<String>,
    #[schema(max_length = 15)]
    houseNumber: Option<String>,
    #[schema(max_length = 35)]
    state: Option<String>,
    #[schema(max_length = 9)]
    stateCode: Option<String>,
    #[schema(max_length = 50)]
    street: Option<String>,
    #[schema(max_length = 70)]
    surname: Option<String>,
    #[schema(max_length = 15)]
    surnamePrefix: Option<String>,
    #[schema(max_length = 10)]
    zip: Option<String>,
}

/// 705 (UK direct debit) or 730 (ACH).
#[derive(ToSchema)]
#[schema(example = json!({"customer": {"merchantCustomerId": "1234"}, "mandate": {"paymentProduct705SpecificData": {"authorisationId": "123456", "bankAccountBban": {"accountNumber": "31926819", "bankCode": "601613", "accountHolderName": "Wile E. Coyote", "countryCode": "GB"}}}}))]
pub struct TokenNonSepaDirectDebit {
    #[schema(max_length = 100)]
    alias: Option<String>,
    customer: CustomerToken,
    mandate: MandateNonSepaDirectDebit,
}

#[derive(ToSchema)]
pub struct MandateNonSepaDirectDebit {
    /// Required when paymentProductId is 705.
    paymentProduct705SpecificData: Option<TokenNonSepaDirectDebitPaymentProduct705SpecificData>,
    /// Required when paymentProductId is 730.
    paymentProduct730SpecificData: Option<TokenNonSepaDirectDebitPaymentProduct730SpecificData>,
}

#[derive(ToSchema)]
pub struct TokenNonSepaDirectDebitPaymentProduct705SpecificData {
    #[schema(max_length = 18)]
    authorisationId: String,
    /// GB (the default country): a 6-digit sort code and an 8-digit account.
    bankAccountBban: BankAccountBban,
}

#[derive(ToSchema)]
#[schema(example = json!({"bankAccountBban": {"accountNumber": "000123456789", "bankCode": "021000021", "accountHolderName": "Wile E. Coyote"}}))]
pub struct TokenNonSepaDirectDebitPaymentProduct730SpecificData {
    /// An account of 4 to 17 digits and an ABA routing number as bankCode.
    bankAccountBban: BankAccountBban,
}

#[derive(ToSchema)]
pub struct BankAccountBban {
    #[schema(max_length = 30)]
    accountNumber: String,
    /// The sort code (GB), ABI (IT) or ABA routing number (730).
    #[schema(max_length = 15)]
    bankCode: String,
    #[schema(max_length = 30)]
    accountHolderName: Option<String>,
    #[schema(max_length = 40)]
    bankName: Option<String>,
    #[schema(max_length = 15)]
    branchCode: Option<String>,
    #[schema(max_length = 2)]
    checkDigit: Option<String>,
    /// ISO 3166-1 alpha-2; GB when absent.
    #[schema(max_length = 2)]
    countryCode: Option<String>,
}

/// 840: a PayPal billing agreement.
#[derive(ToSchema)]
#[schema(example = json!({"alias": "PayPal of Wile", "customer": {"merchantCustomerId": "1234"}, "data": {"billingAgreementId": "B-5WH99182HT5523411"}}))]
pub struct TokenEWallet {
    #[schema(max_length = 100)]
    alias: Option<String>,
    customer: CustomerToken,
    data: TokenEWalletData,
}

#[derive(ToSchema)]
pub struct TokenEWalletData {
    #[schema(max_length = 50)]
    billingAgreementId: String,
}

/// `POST /v1/{merchantId}/sessions`: a client session for the client SDKs.
#[derive(ToSchema)]
#[schema(example = json!({"tokens": ["c7a7a0b2d8a44f9c9bd35f2bb3c4d1e0"]}))]
pub struct SessionRequest {
    /// Tokens the client may pay with; those not live come back in the
    /// answer's invalidTokens. The body may be empty.
    tokens: Option<Vec<String>>,
}

/// A card token request as the SDKs send one, with every optional block.
fn card_request() -> serde_json::Value {
    json!({
        "paymentProductId": 1,
        "card": {
            "alias": "Wile's Visa",
            "customer": {
                "merchantCustomerId": "1234",
                "billingAddress": {"additionalInfo": "Suite II", "city": "Monument Valley", "countryCode": "US", "houseNumber": "1", "state": "Utah", "street": "Desertroad", "zip": "84536"},
                "companyInformation": {"name": "Acme Labs", "vatNumber": "NL123456789B01"},
                "contactDetails": {"emailAddress": "wile@example.com", "phoneNumber": "+15555550100"},
                "personalInformation": {"name": {"firstName": "Wile", "surname": "Coyote", "surnamePrefix": "E."}}
            },
            "data": {
                "cardWithoutCvv": {"cardNumber": "4111111111111111", "expiryDate": "1230", "cardholderName": "Wile E. Coyote", "issueNumber": "01"},
                "firstTransactionDate": "20261201",
                "providerReference": "ref-1"
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::doc_drift::{assert_matches, schemas};

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default()
    }

    fn token(v: &Value) -> bool {
        crate::connect::tokens::token_input(v, today()).is_ok()
    }

    /// A group's body inside a create request of `product`.
    fn in_group(product: i64, group: &str, v: &Value) -> bool {
        token(&json!({"paymentProductId": product, group: v}))
    }

    #[test]
    fn every_documented_token_body_is_what_its_handler_accepts() {
        let schemas = schemas();
        assert_matches(&schemas, "CreateTokenRequest", &token);
        assert_matches(&schemas, "UpdateTokenRequest", &token);
        assert_matches(&schemas, "ApproveTokenRequest", &|v| {
            crate::connect::tokens::approval_body(v).is_ok()
        });
        assert_matches(&schemas, "TokenSepaDirectDebitWithoutCreditor", &|v| {
            in_group(770, "sepaDirectDebit", v)
        });
        assert_matches(&schemas, "TokenNonSepaDirectDebit", &|v| {
            in_group(705, "nonSepaDirectDebit", v)
        });
        assert_matches(
            &schemas,
            "TokenNonSepaDirectDebitPaymentProduct730SpecificData",
            &|v| {
                let mandate = json!({"paymentProduct730SpecificData": v});
                in_group(
                    730,
                    "nonSepaDirectDebit",
                    &json!({"customer": {}, "mandate": mandate}),
                )
            },
        );
        assert_matches(&schemas, "TokenEWallet", &|v| in_group(840, "eWallet", v));
    }

    #[test]
    fn the_token_bodies_are_the_documents_request_bodies() {
        let doc: Value = serde_json::from_str(&crate::openapi::openapi_json()).unwrap_or_default();
        for (path, method, schema) in [
            ("/v1/{merchantId}/tokens", "post", "CreateTokenRequest"),
            (
                "/v1/{merchantId}/tokens/{tokenId}",
                "put",
                "UpdateTokenRequest",
            ),
            (
                "/v1/{merchantId}/tokens/{tokenId}/approvesepadirectdebit",
                "post",
                "ApproveTokenRequest",
            ),
            ("/v1/{merchantId}/sessions", "post", "SessionRequest"),
        ] {
            let body = &doc["paths"][path][method]["requestBody"]["content"]["application/json"];
            // The session's body is optional: `oneOf [null, $ref]`.
            assert!(
                body["schema"]
                    .to_string()
                    .contains(&format!("\"#/components/schemas/{schema}\"")),
                "{method} {path}: {body}"
            );
        }
    }
}
