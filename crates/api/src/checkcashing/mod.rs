//! Check cashing partner API (spec 000): `/api/v1/partners/*`.
//! Handlers read like the spec: authenticate, parse, call the service, render.

pub mod auth;
pub mod input;
pub mod parse;
pub mod problem;
pub mod requests;
pub mod service;
pub mod views;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use auth::Partner;
use input::Fields;
use problem::{Problem, ValidationError};
use views::*;

use crate::AppState;

pub const BASE: &str = "/api/v1/partners";

pub fn router() -> OpenApiRouter<AppState> {
    // Any other method on a partner path answers in the envelope, not a bare 405.
    let partner = |r: UtoipaMethodRouter<AppState>| r.map(|m| m.fallback(method_not_allowed));
    OpenApiRouter::new()
        .routes(partner(routes!(authenticate)))
        .routes(partner(routes!(find_customer)))
        .routes(partner(routes!(enroll_customer)))
        .routes(partner(routes!(authenticate_obo)))
        .routes(partner(routes!(
            get_registered_cards,
            get_registered_cards_by_query
        )))
        .routes(partner(routes!(add_or_update_card)))
        .routes(partner(routes!(add_or_update_tokenized_card)))
        .routes(partner(routes!(
            get_transaction_history,
            get_transaction_history_by_query
        )))
        .routes(partner(routes!(delete_card)))
        .routes(partner(routes!(add_customer_attributes)))
        .routes(partner(routes!(add_session_attributes)))
}

/// Any other HTTP method on a partner path: the envelope, not a bare 405.
async fn method_not_allowed(uri: axum::http::Uri) -> Problem {
    Problem::method_not_allowed(uri.path())
}

/// Reads the body within the configured limit.
async fn body_bytes(
    state: &AppState,
    body: Body,
    instance: &str,
) -> Result<axum::body::Bytes, Problem> {
    let limit = state.config.max_body_bytes;
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| Problem::payload_too_large(instance, limit))
}

/// The request object: a JSON body, or for GET the query string.
async fn request_fields(state: &AppState, req: Request, prefix: &str) -> Result<Fields, Problem> {
    let instance = req.uri().path().to_string();
    if req.method() == axum::http::Method::GET {
        return input::query_object(req.uri().query(), prefix)
            .map_err(|e| Problem::validation(&instance, vec![e]));
    }
    let (parts, body) = req.into_parts();
    let bytes = body_bytes(state, body, &instance).await?;
    input::json_object(&parts.headers, &bytes, &instance, prefix)
}

/// A request read and parsed into its command; the path names the method
/// in any error.
async fn parsed<C>(
    state: &AppState,
    req: Request,
    prefix: &str,
    parse: impl FnOnce(Fields) -> Result<C, Vec<ValidationError>>,
) -> Result<(String, C), Problem> {
    let path = req.uri().path().to_string();
    let f = request_fields(state, req, prefix).await?;
    let cmd = parse(f).map_err(|errors| Problem::validation(&path, errors))?;
    Ok((path, cmd))
}

/// A partner method: the request read and parsed into its command, the
/// service run on it; the path names the method in any error.
async fn call<C, T, Fut>(
    state: &AppState,
    req: Request,
    prefix: &str,
    parse: impl FnOnce(Fields) -> Result<C, Vec<ValidationError>>,
    service: impl FnOnce(C) -> Fut,
) -> Result<T, Problem>
where
    Fut: std::future::Future<Output = Result<T, Problem>>,
{
    let (path, cmd) = parsed(state, req, prefix, parse).await?;
    service(cmd).await.map_err(|p| p.at(&path))
}

fn ok_empty() -> Response {
    StatusCode::OK.into_response()
}

#[utoipa::path(post, path = "/api/v1/partners/authenticate", tag = "Check cashing partners",
    description = "AuthenticatePartner: OAuth 2.0 client credentials (HTTP Basic, form or JSON body) plus the `deviceId` header. The session id comes back in the `sessionId` header.",
    params(("deviceId" = String, Header, description = "The partner's device identifier; every later call sends the same value.")),
    request_body(content = requests::AuthenticateRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenResponse, headers(("sessionId" = String, description = "Send on every other call."))),
        requests::Rejected,
    ))]
pub async fn authenticate(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, Problem> {
    let instance = req.uri().path().to_string();
    let (parts, body) = req.into_parts();
    let bytes = body_bytes(&state, body, &instance).await?;
    let s = auth::authenticate(&state, &parts.headers, &bytes).await?;
    let mut resp = Json(TokenResponse {
        access_token: s.session_id.clone(),
        token_type: "session".into(),
        expires_in: s.expires_in_secs,
    })
    .into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&s.session_id) {
        h.insert("sessionId", v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

#[utoipa::path(post, path = "/api/v1/partners/find-customer", tag = "Check cashing partners",
    description = "FindCustomer by SSN and date of birth.",
    request_body = requests::FindCustomerRequest,
    params(("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, body = FindCustomerResponse), requests::Rejected,
        (status = 422, body = requests::ProblemBody, content_type = "application/problem+json", description = "CUSTOMER_NOT_FOUND")))]
pub async fn find_customer(
    State(state): State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    let customer_id = call(
        &state,
        req,
        "command",
        |f| parse::find_customer(f, state.clock.now().date_naive()),
        |q| service::find_customer(&state, &partner, q),
    )
    .await?;
    Ok(Json(FindCustomerResponse { customer_id }).into_response())
}

#[utoipa::path(post, path = "/api/v1/partners/enroll-customer", tag = "Check cashing partners",
    description = "EnrollCustomer. An SSN or email address already enrolled for this partner answers 422 SSN_ALREADY_IN_USE / EMAIL_ALREADY_IN_USE; a country of origin on the OFAC list answers 422 OFAC_SCREENING_FAILED.",
    request_body = requests::EnrollCustomerRequest,
    params(("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, body = EnrollCustomerResponse), requests::Refused))]
pub async fn enroll_customer(
    State(state): State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    let customer_id = call(
        &state,
        req,
        "command",
        |f| {
            parse::enroll_customer(
                f,
                state.clock.now().date_naive(),
                state.config.min_enrollment_age,
            )
        },
        |cmd| service::enroll_customer(&state, &partner, cmd),
    )
    .await?;
    Ok(Json(EnrollCustomerResponse { customer_id }).into_response())
}

#[utoipa::path(post, path = "/api/v1/partners/authenticate-obo", tag = "Check cashing partners",
    description = "AuthenticateOBO: a one-time SSO token for the customer, valid for minutes.",
    request_body = requests::CustomerIdRequest,
    params(("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, body = SsoTokenResponse), requests::Rejected,
        (status = 422, body = requests::ProblemBody, content_type = "application/problem+json", description = "CUSTOMER_NOT_FOUND or NO_LINKED_ACCOUNT")))]
pub async fn authenticate_obo(
    State(state): State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    let sso_token = call(&state, req, "command", parse::customer_id_only, |id| {
        service::authenticate_obo(&state, &partner, id)
    })
    .await?;
    let mut resp = Json(SsoTokenResponse { sso_token }).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

#[utoipa::path(post, path = "/api/v1/partners/get-registered-cards", tag = "Check cashing partners",
    description = "GetRegisteredCards: the customer's valid cards, never a PAN. Also answers GET with `?customerId=`.",
    request_body = requests::CustomerIdRequest,
    params(("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, body = CardsResponse), requests::Refused))]
pub async fn get_registered_cards(
    State(state): State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    let cards = call(&state, req, "query", parse::customer_id_query, |id| {
        service::registered_cards(&state, &partner, id)
    })
    .await?;
    Ok(Json(CardsResponse {
        cards: cards.iter().map(CardView::from).collect(),
    })
    .into_response())
}

/// GET form of GetRegisteredCards: the same method, its fields in the query.
#[utoipa::path(get, path = "/api/v1/partners/get-registered-cards", tag = "Check cashing partners",
    description = "GetRegisteredCards with its field in the query string (`?customerId=`); the same answer as the POST form.",
    params(("customerId" = String, Query, format = Uuid), ("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, body = CardsResponse), requests::Refused))]
pub async fn get_registered_cards_by_query(
    state: State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    get_registered_cards(state, partner, req).await
}

fn card_response(outcome: service::CardOutcome) -> Response {
    let card = match &outcome {
        service::CardOutcome::Unchanged(c) | service::CardOutcome::Authorized(c) => c,
    };
    Json(CardsResponse {
        cards: vec![CardView::from(card)],
    })
    .into_response()
}

#[utoipa::path(post, path = "/api/v1/partners/add-or-update-card", tag = "Check cashing partners",
    description = "AddOrUpdateCard: identical data changes nothing and keeps the cardId; changed data is reauthorized; a failed authorization marks the card invalid and answers 422 with the decline's errorCode.",
    request_body = requests::AddOrUpdateCardRequest,
    params(("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, body = CardsResponse), requests::Refused))]
pub async fn add_or_update_card(
    State(state): State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    let outcome = call(&state, req, "command", parse::add_or_update_card, |d| {
        service::add_or_update_card(&state, &partner, d)
    })
    .await?;
    Ok(card_response(outcome))
}

#[utoipa::path(post, path = "/api/v1/partners/add-or-update-tokenized-card", tag = "Check cashing partners",
    description = "AddOrUpdateTokenizedCard: the partner's own card token with BIN and last four; the same rules as AddOrUpdateCard.",
    request_body = requests::AddOrUpdateTokenizedCardRequest,
    params(("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, body = CardsResponse), requests::Refused))]
pub async fn add_or_update_tokenized_card(
    State(state): State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    let outcome = call(
        &state,
        req,
        "command",
        parse::add_or_update_tokenized_card,
        |d| service::add_or_update_card(&state, &partner, d),
    )
    .await?;
    Ok(card_response(outcome))
}

#[utoipa::path(post, path = "/api/v1/partners/get-transaction-history", tag = "Check cashing partners",
    description = "GetTransactionHistory, newest first: 20 by default; pagingTransactionReferenceNumber is the first transaction of the page returned, followed by older ones up to pageSize in all. Also answers GET with query parameters.",
    request_body = requests::TransactionHistoryRequest,
    params(("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, body = HistoryResponse), requests::Refused))]
pub async fn get_transaction_history(
    State(state): State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    let page = call(&state, req, "query", parse::transaction_history, |q| {
        service::transaction_history(&state, &partner, q)
    })
    .await?;
    Ok(Json(HistoryResponse {
        search_results: page.rows.iter().map(TransactionView::from).collect(),
        total_records: page.total,
    })
    .into_response())
}

/// GET form of GetTransactionHistory: the same method, its fields in the query.
#[utoipa::path(get, path = "/api/v1/partners/get-transaction-history", tag = "Check cashing partners",
    description = "GetTransactionHistory with its fields in the query string; the same answer as the POST form.",
    params(("customerId" = String, Query, format = Uuid), ("accountId" = Option<String>, Query, description = "A cardId; empty for all cards"),
        ("pagingTransactionReferenceNumber" = Option<String>, Query, description = "The first transaction of the page; empty for the newest"),
        ("pageSize" = Option<i64>, Query, description = "1-100; absent or 0 means 20", minimum = 0, maximum = 100),
        ("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, body = HistoryResponse), requests::Refused))]
pub async fn get_transaction_history_by_query(
    state: State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    get_transaction_history(state, partner, req).await
}

#[utoipa::path(post, path = "/api/v1/partners/delete-card", tag = "Check cashing partners",
    description = "DeleteCard. Adding the same card again later gives a new cardId. Answers 200 with an empty body.",
    request_body = requests::DeleteCardRequest,
    params(("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, description = "Deleted; empty body."), requests::Refused))]
pub async fn delete_card(
    State(state): State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    call(&state, req, "command", parse::delete_card, |cmd| {
        service::delete_card(&state, &partner, cmd)
    })
    .await?;
    Ok(ok_empty())
}

#[utoipa::path(post, path = "/api/v1/partners/add-customer-attributes", tag = "Check cashing partners",
    description = "AddCustomerAttributes: CustomerId and SSN identify the customer (and must agree); the other attributes are stored. Answers 200 with an empty body.",
    request_body = requests::CustomerAttributesRequest,
    params(("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, description = "Stored; empty body."), requests::Refused))]
pub async fn add_customer_attributes(
    State(state): State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    call(&state, req, "command", parse::customer_attributes, |cmd| {
        service::add_customer_attributes(&state, &partner, cmd)
    })
    .await?;
    Ok(ok_empty())
}

#[utoipa::path(post, path = "/api/v1/partners/add-session-attributes", tag = "Check cashing partners",
    description = "AddSessionAttributes for a live SSO token: PreferredEmail, and AccountIdFilter or AccountNumberFilter (mutually exclusive). Answers 200 with an empty body.",
    request_body = requests::SessionAttributesRequest,
    params(("deviceId" = String, Header), ("sessionId" = String, Header)),
    responses((status = 200, description = "Stored; empty body."), requests::Rejected,
        (status = 422, body = requests::ProblemBody, content_type = "application/problem+json", description = "INVALID_INFORMATION")))]
pub async fn add_session_attributes(
    State(state): State<AppState>,
    partner: Partner,
    req: Request,
) -> Result<Response, Problem> {
    call(&state, req, "command", parse::session_attributes, |cmd| {
        service::add_session_attributes(&state, &partner, cmd)
    })
    .await?;
    Ok(ok_empty())
}

/// Used by the router's fallback for paths under the partner prefix.
pub fn not_found(path: &str) -> Response {
    Problem {
        cause: None,
        status: StatusCode::NOT_FOUND,
        type_uri: "https://tools.ietf.org/html/rfc7231#section-6.5.4",
        title: "Not Found".into(),
        detail: "No such method.".into(),
        error_code: Some("NOT_FOUND"),
        validation: None,
        instance: path.into(),
    }
    .into_response()
}
