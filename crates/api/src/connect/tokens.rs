//! `/v1/{merchantId}/tokens`: create (also from encryptedCustomerInput),
//! get, update, delete, approve a SEPA mandate.

use crate::extract::AnyPath;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fundline_core::card::{CardExpiry, Pan};
use fundline_store::connect::{self as repo, TokenWrite};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::auth::Merchant;
use super::error::{invalid, missing, ApiError, ConnectError};
use super::idempotence;
use crate::AppState;

const TABLE: &str = "ct_tokens";

/// Connect numbers its card products below 200 (1 Visa, 2 American Express,
/// 3 Mastercard, 117 Maestro, 125 JCB, 128 Discover, 132 Diners …); direct
/// debits (7xx), wallets (8xx) and the rest lie above. A card token under a
/// non-card product would be charged through the wrong rails.
const CARD_PRODUCTS: std::ops::RangeInclusive<i64> = 1..=199;

pub(super) fn text<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
    errors: &mut Vec<ApiError>,
) -> Option<&'a str> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= max && !s.chars().any(char::is_control) => {
            Some(s.as_str())
        }
        Some(Value::String(_)) => {
            errors.push(invalid(path, &format!("at most {max} characters")));
            None
        }
        Some(_) => {
            errors.push(invalid(path, "must be a string"));
            None
        }
    }
}

/// Every string of a customer block, with the spec's maximum lengths.
pub(super) fn check_customer(
    customer: &Map<String, Value>,
    prefix: &str,
    errors: &mut Vec<ApiError>,
) {
    for (k, max) in [("merchantCustomerId", 15), ("vatNumber", 17)] {
        text(customer, k, &format!("{prefix}.{k}"), max, errors);
    }
    let groups: [(&str, &[(&str, usize)]); 3] = [
        (
            "billingAddress",
            &[
                ("additionalInfo", 50),
                ("city", 40),
                ("countryCode", 2),
                ("houseNumber", 15),
                ("state", 35),
                ("stateCode", 9),
                ("street", 50),
                ("zip", 10),
            ],
        ),
        ("companyInformation", &[("name", 40), ("vatNumber", 17)]),
        (
            "contactDetails",
            &[("emailAddress", 70), ("faxNumber", 20), ("phoneNumber", 20)],
        ),
    ];
    for (group, fields) in groups {
        if let Some(Value::Object(g)) = customer.get(group) {
            for (f, max) in fields {
                text(g, f, &format!("{prefix}.{group}.{f}"), *max, errors);
            }
        }
    }
    if let Some(Value::Object(p)) = customer.get("personalInformation") {
        if let Some(Value::Object(n)) = p.get("name") {
            for (f, max) in [
                ("firstName", 15),
                ("surname", 70),
                ("surnamePrefix", 15),
                ("title", 35),
            ] {
                text(
                    n,
                    f,
                    &format!("{prefix}.personalInformation.name.{f}"),
                    max,
                    errors,
                );
            }
        }
    }
}

/// A validated token request: its group, the number that identifies it
/// (sealed; its fingerprint decides "tokenized before"), and the object GET
/// answers with numbers masked.
pub struct TokenInput {
    pub product: i64,
    pub kind: &'static str,
    pub number: String,
    pub view: Value,
    pub mandate_status: Option<&'static str>,
}

/// Validates a create or update request for any of the four groups.
pub fn token_input(body: &Value, today: chrono::NaiveDate) -> Result<TokenInput, ConnectError> {
    let Value::Object(obj) = body else {
        return Err(ConnectError::validation(vec![invalid(
            "",
            "the body must be a JSON object",
        )]));
    };
    let groups: Vec<&str> = [
        "card",
        "sepaDirectDebit",
        "nonSepaDirectDebit",
        "eWallet",
        "encryptedCustomerInput",
    ]
    .into_iter()
    .filter(|g| obj.get(*g).is_some_and(|v| !v.is_null()))
    .collect();
    match groups.as_slice() {
        ["sepaDirectDebit"] => super::groups::sepa(obj),
        ["nonSepaDirectDebit"] => super::groups::non_sepa(obj),
        ["eWallet"] => super::groups::e_wallet(obj),
        ["encryptedCustomerInput"] => Err(ConnectError::validation(vec![invalid(
            "encryptedCustomerInput",
            "encrypted customer input is not served yet",
        )])),
        ["card"] | [] => card_input(body, today),
        _ => Err(ConnectError::validation(vec![invalid(
            "",
            "exactly one of card, sepaDirectDebit, nonSepaDirectDebit, eWallet",
        )])),
    }
}

/// Validates a card token request and builds the token object GET will
/// answer, with the card number masked. Every error in the request is
/// answered at once, in the order of its parts: product, other groups,
/// card, card.data.cardWithoutCvv, card.data.
fn card_input(body: &Value, today: chrono::NaiveDate) -> Result<TokenInput, ConnectError> {
    let Value::Object(obj) = body else {
        return Err(ConnectError::validation(vec![invalid(
            "",
            "the body must be a JSON object",
        )]));
    };
    let mut errors = Vec::new();
    let product = card_product(obj, &mut errors);
    no_other_groups(obj, &mut errors);
    // Without these objects there is nothing further to check.
    let Some(Value::Object(card)) = obj.get("card") else {
        errors.push(missing("card"));
        return Err(ConnectError::validation(errors));
    };
    let alias = text(card, "alias", "card.alias", 100, &mut errors).map(str::to_string);
    if let Some(Value::Object(c)) = card.get("customer") {
        check_customer(c, "card.customer", &mut errors);
    }
    let Some(Value::Object(data)) = card.get("data") else {
        errors.push(missing("card.data"));
        return Err(ConnectError::validation(errors));
    };
    let Some(Value::Object(cwc)) = data.get("cardWithoutCvv") else {
        errors.push(missing("card.data.cardWithoutCvv"));
        return Err(ConnectError::validation(errors));
    };
    let without_cvv = card_without_cvv(cwc, today, &mut errors);
    let extras = card_data_extras(data, &mut errors);
    if !errors.is_empty() {
        return Err(ConnectError::validation(errors));
    }
    let (Some(product), Some(pan), Some(expiry)) = (product, without_cvv.pan, without_cvv.expiry)
    else {
        return Err(ConnectError::validation(vec![invalid(
            "card",
            "incomplete",
        )]));
    };
    let mut cwc_view = json!({"cardNumber": pan.masked(), "expiryDate": expiry});
    set_present(
        &mut cwc_view,
        [
            ("cardholderName", without_cvv.holder),
            ("issueNumber", without_cvv.issue),
        ],
    );
    let mut data_view = json!({"cardWithoutCvv": cwc_view});
    set_present(&mut data_view, extras);
    let mut card_view = json!({"alias": alias.unwrap_or_else(|| pan.masked()), "data": data_view});
    if let Some(c) = card.get("customer").filter(|c| c.is_object()) {
        card_view["customer"] = strip_nulls(c.clone());
    }
    Ok(TokenInput {
        product,
        kind: "card",
        number: pan.as_str().to_string(),
        view: card_view,
        mandate_status: None,
    })
}

/// `paymentProductId`, which must name a card product.
fn card_product(obj: &Map<String, Value>, errors: &mut Vec<ApiError>) -> Option<i64> {
    match obj.get("paymentProductId") {
        Some(Value::Number(n)) if n.as_i64().is_some_and(|p| CARD_PRODUCTS.contains(&p)) => {
            n.as_i64()
        }
        Some(Value::Number(n)) if n.as_i64().is_some_and(|p| (1..=99_999).contains(&p)) => {
            errors.push(invalid(
                "paymentProductId",
                "not a card payment product (card products are 1 to 199)",
            ));
            None
        }
        None | Some(Value::Null) => {
            errors.push(missing("paymentProductId"));
            None
        }
        Some(_) => {
            errors.push(invalid("paymentProductId", "an integer of up to 5 digits"));
            None
        }
    }
}

/// A card request carries no other payment group beside `card`.
fn no_other_groups(obj: &Map<String, Value>, errors: &mut Vec<ApiError>) {
    for other in [
        "sepaDirectDebit",
        "nonSepaDirectDebit",
        "eWallet",
        "encryptedCustomerInput",
    ] {
        if obj.get(other).is_some_and(|v| !v.is_null()) {
            errors.push(invalid(other, "this token type is not served yet"));
        }
    }
}

/// `card.data.cardWithoutCvv` as read: the number and expiry the token
/// needs (None when in error), and the optional holder and issue number.
struct CardWithoutCvv {
    pan: Option<Pan>,
    expiry: Option<String>,
    holder: Option<String>,
    issue: Option<String>,
}

fn card_without_cvv(
    cwc: &Map<String, Value>,
    today: chrono::NaiveDate,
    errors: &mut Vec<ApiError>,
) -> CardWithoutCvv {
    let p = "card.data.cardWithoutCvv";
    // Missing when absent, but one error per field: a value too long is not
    // also "missing". Untrimmed, unlike `groups`' fields: a blank number or
    // expiry is answered by its own format check.
    let required = |key: &str, max: usize, errors: &mut Vec<ApiError>| {
        let path = format!("{p}.{key}");
        let before = errors.len();
        let value = text(cwc, key, &path, max, errors);
        if value.is_none() && errors.len() == before {
            errors.push(missing(&path));
        }
        value
    };
    let pan = required("cardNumber", 19, errors).and_then(|n| {
        Pan::parse(n)
            .map_err(|e| errors.push(invalid(&format!("{p}.cardNumber"), &e.to_string())))
            .ok()
    });
    let expiry = required("expiryDate", 4, errors)
        .and_then(|e| card_expiry(e, today, &format!("{p}.expiryDate"), errors));
    let mut optional = |key: &str, max: usize| {
        text(cwc, key, &format!("{p}.{key}"), max, errors).map(str::to_string)
    };
    let holder = optional("cardholderName", 51);
    let issue = optional("issueNumber", 2);
    CardWithoutCvv {
        pan,
        expiry,
        holder,
        issue,
    }
}

/// An MMYY expiry that has not passed.
fn card_expiry(
    e: &str,
    today: chrono::NaiveDate,
    path: &str,
    errors: &mut Vec<ApiError>,
) -> Option<String> {
    match CardExpiry::parse_mmyy(e) {
        Ok(x) if !x.is_expired(today) => Some(e.to_string()),
        Ok(_) => {
            errors.push(invalid(path, "the card has expired"));
            None
        }
        Err(_) => {
            errors.push(invalid(path, "format MMYY"));
            None
        }
    }
}

/// `card.data`'s own optional fields. Both SDKs model these two on
/// TokenCardData (`card.data`), beside cardWithoutCvv, not inside it.
fn card_data_extras(
    data: &Map<String, Value>,
    errors: &mut Vec<ApiError>,
) -> [(&'static str, Option<String>); 2] {
    let first_tx = text(
        data,
        "firstTransactionDate",
        "card.data.firstTransactionDate",
        8,
        errors,
    )
    .map(str::to_string);
    if first_tx.as_deref().is_some_and(|d| !is_yyyymmdd(d)) {
        errors.push(invalid(
            "card.data.firstTransactionDate",
            "format YYYYMMDD, a real date",
        ));
    }
    let provider = text(
        data,
        "providerReference",
        "card.data.providerReference",
        4000,
        errors,
    )
    .map(str::to_string);
    [
        ("firstTransactionDate", first_tx),
        ("providerReference", provider),
    ]
}

/// Sets each field that has a value; the SDKs must not receive `null`.
fn set_present<const N: usize>(view: &mut Value, fields: [(&str, Option<String>); N]) {
    for (k, v) in fields {
        if let Some(v) = v {
            view[k] = json!(v);
        }
    }
}

/// Exactly eight digits that name a real calendar date (20240229 yes,
/// 20230229 and 20241399 no).
pub(super) fn is_yyyymmdd(s: &str) -> bool {
    s.len() == 8
        && s.bytes().all(|b| b.is_ascii_digit())
        && chrono::NaiveDate::parse_from_str(s, "%Y%m%d").is_ok()
}

/// The SDKs must never receive `null` for an object or array.
pub(super) fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_nulls).collect()),
        v => v,
    }
}

pub fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ConnectError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.to_ascii_lowercase().starts_with("application/json") {
        return Err(ConnectError::validation(vec![invalid(
            "",
            "Content-Type must be application/json",
        )]));
    }
    serde_json::from_slice(body)
        .map_err(|_| ConnectError::validation(vec![invalid("", "the body is not valid JSON")]))
}

/// POST /v1/{merchantId}/tokens, with X-GCS-Idempotence-Key: a replay gets
/// the first answer and `X-GCS-Idempotence-Request-Timestamp`; a duplicate
/// still in flight gets 409 with code 1409.
#[utoipa::path(post, path = "/v1/{merchantId}/tokens", tag = "Token service",
    description = "Create a token for a card, SEPA direct debit (770, mandate), non-SEPA direct debit (705, 730) or eWallet (840). 201 new, 200 when the number was tokenized before. X-GCS-Idempotence-Key replays the first answer.",
    params(super::schemas::MerchantPath, super::schemas::Signed),
    request_body(content = super::schemas::CreateTokenRequest, description = "CreateTokenRequest as the Connect SDKs send it"),
    responses((status = 201, content_type = "application/json", description = "{token, isNewToken: true}"),
        (status = 200, content_type = "application/json", description = "{token, isNewToken: false}"),
        (status = 400, content_type = "application/json"), (status = 401, content_type = "application/json"),
        (status = 403, content_type = "application/json"), (status = 409, content_type = "application/json")))]
pub async fn create(
    State(state): State<AppState>,
    m: Merchant,
    AnyPath(_merchant): AnyPath<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ConnectError> {
    let Some(key) = idempotence::key(&headers)? else {
        return Ok(render(create_token(&state, &m, &headers, &body).await));
    };
    idempotence::once(&state, &m, key, || {
        create_token(&state, &m, &headers, &body)
    })
    .await
}

fn render(r: Result<(StatusCode, Value), ConnectError>) -> Response {
    match r {
        Ok((status, v)) => (status, axum::Json(v)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The fingerprint domain of a token's number by payment group (`kind`);
/// the value fingerprinted is the number exactly as `number_sealed` holds it.
pub(crate) fn number_fp_domain(kind: &str) -> String {
    format!("ct-{kind}")
}

/// Creates a token, or finds the one the same number made.
async fn create_token(
    state: &AppState,
    m: &Merchant,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(StatusCode, Value), ConnectError> {
    let mut body = json_body(headers, body)?;
    if body
        .get("encryptedCustomerInput")
        .is_some_and(|v| !v.is_null())
    {
        body = super::client::decrypt(state, m, &body).await?;
    }
    let input = token_input(&body, state.clock.now().date_naive())?;
    let keys = state.keyring.tenant(&state.store, &m.tenant_id).await?;
    // The number alone decides "tokenized before" (spec 003: the card number
    // for cards), under any live fingerprint version.
    let fp = keys.fingerprint(&number_fp_domain(input.kind), &input.number);
    let fps = keys.fingerprints(&number_fp_domain(input.kind), &input.number);
    if let Some(t) =
        repo::live_by_number(&state.store, &m.tenant_id, &m.merchant_id, input.kind, &fps).await?
    {
        return Ok((StatusCode::OK, json!({"token": t.id, "isNewToken": false})));
    }
    let now = state.clock.now_micros();
    let id = uuid::Uuid::new_v4().to_string();
    let token = repo::Token {
        // Sealed for this row: a number copied into another token does not open.
        number_sealed: keys.seal_row(TABLE, "number", &id, input.number.as_bytes()),
        id,
        tenant_id: m.tenant_id.clone(),
        merchant_id: m.merchant_id.clone(),
        payment_product_id: input.product,
        kind: input.kind.into(),
        number_fp: fp.clone(),
        view_json: input.view.to_string(),
        mandate_status: input.mandate_status.map(str::to_string),
        mandate_cancel_date: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    match repo::insert(&state.store, token).await? {
        TokenWrite::Written(t) => Ok((
            StatusCode::CREATED,
            json!({"token": t.id, "isNewToken": true}),
        )),
        // A concurrent request with the same number won: its token is the answer.
        TokenWrite::NumberTaken => {
            let t =
                repo::live_by_number(&state.store, &m.tenant_id, &m.merchant_id, input.kind, &fps)
                    .await?
                    .ok_or_else(ConnectError::internal)?;
            Ok((StatusCode::OK, json!({"token": t.id, "isNewToken": false})))
        }
    }
}

fn unknown_token() -> ConnectError {
    ConnectError::not_found(super::error::codes::UNKNOWN_TOKEN, "UNKNOWN_TOKEN")
}

/// The merchant's live token `id`; a deleted or another merchant's token
/// is unknown.
async fn live_token(state: &AppState, m: &Merchant, id: &str) -> Result<repo::Token, ConnectError> {
    repo::live(&state.store, &m.tenant_id, &m.merchant_id, id)
        .await?
        .ok_or_else(unknown_token)
}

/// 204 when the write found the token; it may have been deleted meanwhile.
fn no_content_or_unknown(done: bool) -> Result<Response, ConnectError> {
    if done {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(unknown_token())
    }
}

/// GET /v1/{merchantId}/tokens/{tokenId}
#[utoipa::path(get, path = "/v1/{merchantId}/tokens/{tokenId}", tag = "Token service",
    description = "The token, numbers masked.",
    params(super::schemas::TokenPath, super::schemas::Signed),
    responses((status = 200, content_type = "application/json"), (status = 404, content_type = "application/json")))]
pub async fn get(
    State(state): State<AppState>,
    m: Merchant,
    AnyPath((_merchant, id)): AnyPath<(String, String)>,
) -> Result<Response, ConnectError> {
    let t = live_token(&state, &m, &id).await?;
    let mut view: Value = serde_json::from_str(&t.view_json).unwrap_or_else(|_| json!({}));
    match t.kind.as_str() {
        // A billing agreement id is not card data: merchants reconcile
        // PayPal payments by it, so GET answers it whole (it is sealed at rest).
        "eWallet" => {
            let keys = state.keyring.tenant(&state.store, &m.tenant_id).await?;
            let agreement = keys
                .open_string_row(TABLE, "number", &t.id, &t.number_sealed)
                .map_err(|_| ConnectError::internal())?;
            view["data"]["billingAgreementId"] = json!(agreement.expose());
        }
        // The creditor of a SEPA mandate is the merchant (the tenant).
        "sepaDirectDebit" => {
            if let Some(name) =
                fundline_store::tenants::tenant_name(&state.store, &m.tenant_id).await?
            {
                view["mandate"]["creditor"] = json!({"name": name});
            }
        }
        _ => {}
    }
    let mut body = json!({"id": t.id, "paymentProductId": t.payment_product_id});
    body[t.kind.as_str()] = view;
    Ok(axum::Json(body).into_response())
}

/// PUT /v1/{merchantId}/tokens/{tokenId}: 204, no body.
#[utoipa::path(put, path = "/v1/{merchantId}/tokens/{tokenId}", tag = "Token service",
    description = "Replace the token's data (same group). 204 with an empty body.",
    params(super::schemas::TokenPath, super::schemas::Signed),
    request_body(content = super::schemas::UpdateTokenRequest),
    responses(super::schemas::TokenChanged,
        (status = 409, content_type = "application/json", body = crate::openapi::ConnectErrorDoc,
            description = "300450 DUPLICATE_TOKEN: another token holds this number")))]
pub async fn update(
    State(state): State<AppState>,
    m: Merchant,
    AnyPath((_merchant, id)): AnyPath<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ConnectError> {
    let body = json_body(&headers, &body)?;
    let input = token_input(&body, state.clock.now().date_naive())?;
    let existing = live_token(&state, &m, &id).await?;
    keeps_its_product(&existing, &input)?;
    let keys = state.keyring.tenant(&state.store, &m.tenant_id).await?;
    let domain = number_fp_domain(input.kind);
    let fp = keys.fingerprint(&domain, &input.number);
    let duplicate = || {
        ConnectError::one(
            StatusCode::CONFLICT,
            "300450",
            "DUPLICATE_TOKEN",
            "CONNECT_PLATFORM_ERROR",
            "another token holds this number",
        )
    };
    // While a fingerprint key rotation runs, another token may hold the
    // number under an older version, which the unique index cannot see.
    if keys.live_fingerprint_versions().len() > 1 {
        let fps = keys.fingerprints(&domain, &input.number);
        if repo::live_by_number(&state.store, &m.tenant_id, &m.merchant_id, input.kind, &fps)
            .await?
            .is_some_and(|t| t.id != existing.id)
        {
            return Err(duplicate());
        }
    }
    let mut view = input.view;
    let same_account = keys.fingerprint_matches(&existing.number_fp, &domain, &input.number);
    let mandate_status = carry_mandate(&existing, input.mandate_status, same_account, &mut view);
    let t = repo::Token {
        payment_product_id: input.product,
        number_fp: fp,
        number_sealed: keys.seal_row(TABLE, "number", &existing.id, input.number.as_bytes()),
        view_json: view.to_string(),
        mandate_status,
        updated_at: state.clock.now_micros(),
        ..existing
    };
    match repo::update(&state.store, t).await? {
        TokenWrite::Written(true) => Ok(StatusCode::NO_CONTENT.into_response()),
        TokenWrite::Written(false) => Err(unknown_token()),
        TokenWrite::NumberTaken => Err(duplicate()),
    }
}

/// A replaced token stays in its payment group, and (but for cards) on its
/// product: 705 and 730 share a group but not rails.
fn keeps_its_product(existing: &repo::Token, input: &TokenInput) -> Result<(), ConnectError> {
    if existing.kind != input.kind {
        return Err(ConnectError::validation(vec![invalid(
            input.kind,
            "a token keeps its payment group",
        )]));
    }
    if existing.kind != "card" && existing.payment_product_id != input.product {
        return Err(ConnectError::validation(vec![invalid(
            "paymentProductId",
            "a token keeps its payment product",
        )]));
    }
    Ok(())
}

/// The mandate status a replaced token keeps, carrying into `view` what
/// the old data gave: the mandate reference stays the token's first, and an
/// approval stays only for the same account (a new IBAN needs a new one,
/// signed in this request or approved again).
fn carry_mandate(
    existing: &repo::Token,
    requested: Option<&str>,
    same_account: bool,
    view: &mut Value,
) -> Option<String> {
    let Some(requested) = requested else {
        return existing.mandate_status.clone();
    };
    let old_view: Value = serde_json::from_str(&existing.view_json).unwrap_or_else(|_| json!({}));
    if let Some(id) = old_view["mandate"].get("mandateId") {
        view["mandate"]["mandateId"] = id.clone();
    }
    Some(match (requested, existing.mandate_status.as_deref()) {
        ("APPROVED", _) => "APPROVED".to_string(),
        (_, Some(kept)) if same_account && kept == "APPROVED" => {
            if let Some(a) = old_view["mandate"].get("mandateApproval") {
                view["mandate"]["mandateApproval"] = a.clone();
            }
            kept.to_string()
        }
        (r, _) => r.to_string(),
    })
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
pub struct DeleteParams {
    mandateCancelDate: Option<String>,
}

/// DELETE /v1/{merchantId}/tokens/{tokenId}[?mandateCancelDate=YYYYMMDD]: 204, no body.
#[utoipa::path(delete, path = "/v1/{merchantId}/tokens/{tokenId}", tag = "Token service",
    description = "Delete the token; mandateCancelDate (YYYYMMDD) records a mandate's cancellation. 204 with an empty body.",
    params(super::schemas::TokenPath, ("mandateCancelDate" = Option<String>, Query), super::schemas::Signed),
    responses((status = 204, description = "Empty body"), (status = 400, content_type = "application/json", description = "mandateCancelDate is not YYYYMMDD"), (status = 404, content_type = "application/json")))]
pub async fn delete(
    State(state): State<AppState>,
    m: Merchant,
    AnyPath((_merchant, id)): AnyPath<(String, String)>,
    q: Result<Query<DeleteParams>, QueryRejection>,
) -> Result<Response, ConnectError> {
    // A malformed query must not delete as if there were none.
    let Ok(Query(q)) = q else {
        return Err(ConnectError::validation(vec![invalid(
            "mandateCancelDate",
            "format YYYYMMDD",
        )]));
    };
    if let Some(d) = &q.mandateCancelDate {
        if chrono::NaiveDate::parse_from_str(d, "%Y%m%d").is_err() {
            return Err(ConnectError::validation(vec![invalid(
                "mandateCancelDate",
                "format YYYYMMDD",
            )]));
        }
    }
    let done = repo::delete(
        &state.store,
        m.tenant_id,
        m.merchant_id,
        id,
        q.mandateCancelDate,
        state.clock.now_micros(),
    )
    .await?;
    no_content_or_unknown(done)
}

/// POST /v1/{merchantId}/tokens/{tokenId}/approvesepadirectdebit: 204, no body.
#[utoipa::path(post, path = "/v1/{merchantId}/tokens/{tokenId}/approvesepadirectdebit", tag = "Token service",
    description = "Approve a SEPA mandate (mandateSignatureDate, mandateSignaturePlace, mandateSigned). 204 with an empty body.",
    params(super::schemas::TokenPath, super::schemas::Signed),
    request_body(content = super::schemas::ApproveTokenRequest),
    responses(super::schemas::TokenChanged))]
pub async fn approve(
    State(state): State<AppState>,
    m: Merchant,
    AnyPath((_merchant, id)): AnyPath<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ConnectError> {
    let body = json_body(&headers, &body)?;
    let approval = approval_body(&body)?;
    let existing = live_token(&state, &m, &id).await?;
    if existing.kind != "sepaDirectDebit" {
        return Err(ConnectError::validation(vec![invalid(
            "",
            "only SEPA direct debit mandates are approved",
        )]));
    }
    let mut view: Value = serde_json::from_str(&existing.view_json).unwrap_or_else(|_| json!({}));
    view["mandate"]["mandateApproval"] = approval;
    let done = repo::approve(
        &state.store,
        m.tenant_id,
        m.merchant_id,
        id,
        view.to_string(),
        state.clock.now_micros(),
    )
    .await?;
    no_content_or_unknown(done)
}

/// The rules of an approvesepadirectdebit body: a mandate approval block.
pub(crate) fn approval_body(body: &Value) -> Result<Value, ConnectError> {
    let approval = super::groups::approval(body, "")?;
    // Approving records that the debtor signed; an approval that says the
    // mandate is not signed approves nothing (no debit may run on it).
    if approval["mandateSigned"] == json!(false) {
        return Err(ConnectError::validation(vec![invalid(
            "mandateSigned",
            "a mandate is approved only once signed",
        )]));
    }
    Ok(approval)
}

/// Any other path under /v1: Connect's JSON error, never an empty body.
pub async fn not_found() -> ConnectError {
    ConnectError::not_found(super::error::codes::NOT_FOUND, "UNKNOWN_RESOURCE")
}
