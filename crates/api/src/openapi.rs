use std::sync::OnceLock;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, PathItem, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::checkcashing::{self, requests, views};
use crate::ops;

#[derive(OpenApi)]
#[openapi(
    info(title = "Fundline", description = "Money movement and underwriting platform: the partner APIs of one Fundline server.", license(name = "MIT OR Apache-2.0")),
    paths(
        checkcashing::authenticate,
        checkcashing::find_customer,
        checkcashing::enroll_customer,
        checkcashing::authenticate_obo,
        checkcashing::get_registered_cards,
        checkcashing::get_registered_cards_by_query,
        checkcashing::add_or_update_card,
        checkcashing::add_or_update_tokenized_card,
        checkcashing::get_transaction_history,
        checkcashing::get_transaction_history_by_query,
        checkcashing::delete_card,
        checkcashing::add_customer_attributes,
        checkcashing::add_session_attributes,
        crate::gateway::sessions::create,
        crate::gateway::verify::verify,
        crate::gateway::search::search,
        crate::gateway::process::process,
        crate::gateway::process::check_cancel,
        crate::gateway::page::open,
        crate::gateway::page::submit,
        crate::gateway::page::cancel,
        crate::gateway::page::payees,
        crate::gateway::page::helper_js,
        crate::connect::tokens::create,
        crate::connect::tokens::get,
        crate::connect::tokens::update,
        crate::connect::tokens::delete,
        crate::connect::tokens::approve,
        crate::connect::client::create_session,
        crate::connect::client::public_key,
        crate::analysis::auth::login,
        crate::analysis::auth::refresh,
        crate::analysis::auth::logout,
        crate::analysis::auth::status,
        crate::analysis::auth::change_password,
        crate::analysis::users::create,
        crate::analysis::users::update,
        crate::analysis::users::get,
        crate::analysis::users::list,
        crate::analysis::users::reset_password,
        crate::analysis::customers::create,
        crate::analysis::customers::list,
        crate::analysis::customers::get,
        crate::analysis::customers::update_information,
        crate::analysis::customers::update_bank,
        crate::analysis::customers::update_contact,
        crate::analysis::customers::update_employment,
        crate::analysis::report_requests::create,
        crate::analysis::report_requests::reset,
        crate::analysis::report_requests::list,
        crate::analysis::report_requests::get,
        crate::analysis::report_data::accounts,
        crate::analysis::report_data::transactions,
        crate::analysis::report_data::financial_report,
        crate::analysis::share::show,
        crate::analysis::share::status,
        crate::analysis::share::consent,
        crate::analysis::share::upload,
        crate::analysis::share::sandbox_bank,
        crate::analysis::outbox::mailbox,
        crate::checks::session::exchange,
        crate::checks::deposit::cards,
        crate::checks::deposit::quote,
        crate::checks::deposit::submit,
        crate::checks::deposit::status,
        crate::checks::webhooks::register,
        crate::checks::webhooks::show,
        crate::checks::webhooks::events,
        crate::checks::page::show,
        ops::docs,
        ops::healthz,
        ops::readyz,
        ops::metrics,
        ops::openapi,
    ),
    components(schemas(
        requests::FindCustomerRequest, requests::EnrollCustomerRequest, requests::CustomerIdRequest,
        requests::AddOrUpdateCardRequest, requests::AddOrUpdateTokenizedCardRequest, requests::TransactionHistoryRequest,
        requests::DeleteCardRequest, requests::CustomerAttributesRequest, requests::SessionAttributesRequest,
        requests::NameValue, requests::AuthenticateRequest, requests::ProblemBody, requests::ValidationErrorBody,
        views::CardView, views::CardsResponse, views::FindCustomerResponse, views::EnrollCustomerResponse,
        views::SsoTokenResponse, views::TokenResponse, views::TransactionView, views::HistoryResponse,
        crate::gateway::schemas::SessionRequestDoc, crate::gateway::schemas::RecipientDoc, crate::gateway::schemas::GatewayEnvelopeDoc,
        crate::gateway::schemas::CommonDoc, crate::gateway::schemas::VerifyRequestDoc, crate::gateway::schemas::ProcessRequestDoc,
        crate::gateway::schemas::CheckCancelRequestDoc, crate::gateway::schemas::SearchRequestDoc, crate::gateway::hosted::Submission,
        ConnectErrorDoc, ConnectApiErrorDoc, AnalysisEnvelopeDoc, LinkErrorDoc,
        crate::analysis::requests::LoginRequest, crate::analysis::requests::RefreshRequest,
        crate::analysis::requests::ChangePasswordRequest, crate::analysis::requests::PasswordResetRequest,
        crate::analysis::requests::UserCreateRequest, crate::analysis::requests::UserUpdateRequest,
        crate::analysis::requests::ReportRequestCreateRequest, crate::analysis::requests::ReportRequestResetRequest,
        crate::analysis::requests::CustomerCreateRequest, crate::analysis::requests::CustomerInformationRequest,
        crate::analysis::requests::CustomerBankRequest, crate::analysis::requests::CustomerContactRequest,
        crate::analysis::requests::CustomerEmploymentRequest, crate::analysis::requests::CustomerType,
        crate::analysis::requests::SendVia, crate::analysis::requests::PayFrequency,
    )),
    modifiers(&Security, &Envelopes),
    tags((name = "Check cashing partners", description = "Spec 000: /api/v1/partners/*"), (name = "Capture sessions", description = "Spec 001: HMAC-signed"), (name = "Payout gateway", description = "Spec 002: HMAC-signed"), (name = "Token service", description = "Spec 003: Connect v1HMAC"), (name = "Bank analysis", description = "Spec 004: staff JWT"), (name = "Check deposits", description = "Customer check deposits (SSO session) and partner webhooks"), (name = "Operations"))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "partnerClient",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
        c.add_security_scheme(
            "partnerSession",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("sessionId"))),
        );
    }
}

/// Connect's error body (spec 003), for the document.
#[derive(ToSchema)]
#[allow(dead_code, non_snake_case)]
struct ConnectErrorDoc {
    errorId: String,
    errors: Vec<ConnectApiErrorDoc>,
}

#[derive(ToSchema)]
#[allow(dead_code, non_snake_case)]
struct ConnectApiErrorDoc {
    code: String,
    id: Option<String>,
    category: Option<String>,
    message: Option<String>,
    httpStatusCode: Option<u16>,
    propertyName: Option<String>,
    requestId: Option<String>,
}

/// Bank analysis' envelope (spec 004).
#[derive(ToSchema)]
#[allow(dead_code)]
struct AnalysisEnvelopeDoc {
    success: bool,
    message: String,
    data: Option<serde_json::Value>,
    errors: Option<Vec<String>>,
}

/// The customer link's JSON errors (/connect/{token}/…).
#[derive(ToSchema)]
#[allow(dead_code)]
struct LinkErrorDoc {
    error: String,
}

/// Which error body a path answers with, and whether a credential's rate
/// limit applies to it: the product by `ops::Surface::of` (the table the
/// server's own refusals use); a test compares the document with real
/// answers (scripts/schemathesis).
fn envelope_of(path: &str) -> Option<(&'static str, &'static str, bool)> {
    use crate::ops::Surface;
    const PROBLEM: &str = "application/problem+json";
    const JSON: &str = "application/json";
    // The calls that obtain a credential are not limited per credential.
    let limited = !matches!(
        path,
        "/api/v1/partners/authenticate"
            | "/api/v1/checks/sessions"
            | "/api/v1/auth/login"
            | "/api/v1/auth/refresh"
    );
    match Surface::of(path) {
        Surface::Partners | Surface::CheckDeposits => Some(("ProblemBody", PROBLEM, limited)),
        Surface::Gateway => Some(("GatewayEnvelopeDoc", JSON, true)),
        Surface::TokenService => Some(("ConnectErrorDoc", JSON, true)),
        Surface::ClientApi => Some(("ConnectErrorDoc", JSON, false)),
        Surface::Analysis => Some(("AnalysisEnvelopeDoc", JSON, limited)),
        Surface::Platform if path.starts_with("/connect/") => Some(("LinkErrorDoc", JSON, false)),
        Surface::Platform => None,
    }
}

/// Gives every error response of a product its envelope's schema (the
/// handlers' annotations name only the status), and documents the 429 that
/// every rate-limited operation can answer.
struct Envelopes;

impl Modify for Envelopes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let Some((schema, media, limited)) = envelope_of(path) else {
                continue;
            };
            for op in operations(item) {
                for (status, response) in op.responses.responses.iter_mut() {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    if !status.starts_with('4') && !status.starts_with('5') {
                        continue;
                    }
                    for (ty, content) in response.content.iter_mut() {
                        if content.schema.is_none() && ty.contains("json") {
                            content.schema = Some(RefOr::Ref(Ref::from_schema_name(schema)));
                        }
                    }
                }
                let mut add = |status: &str, why: &str| {
                    op.responses
                        .responses
                        .entry(status.into())
                        .or_insert_with(|| {
                            RefOr::T(
                                ResponseBuilder::new()
                                    .description(why)
                                    .content(
                                        media,
                                        Content::new(Some(Ref::from_schema_name(schema))),
                                    )
                                    .build(),
                            )
                        });
                };
                add(
                    "408",
                    "The request ran past the server's request timeout; nothing was done",
                );
                if limited {
                    // The auth extractor answers these before any handler.
                    add("401", "Missing or invalid credentials");
                    add(
                        "429",
                        "Over the credential's rate limit; Retry-After says when to retry",
                    );
                }
                if schema == "ConnectErrorDoc" && limited {
                    add(
                        "403",
                        "The key's merchant is not the path's, or tokenization is not enabled",
                    );
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.delete,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document, rendered once.
pub fn openapi_json() -> String {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| openapi().to_pretty_json().unwrap_or_else(|_| "{}".into()))
        .clone()
}

#[cfg(test)]
mod tests {
    /// Every operation of the document as `METHOD path operationId`, sorted.
    fn operations_of(doc: &serde_json::Value) -> Vec<String> {
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("a path item") {
                let id = op["operationId"].as_str().unwrap_or("-");
                ops.push(format!("{} {path} {id}", method.to_uppercase()));
            }
        }
        ops.sort();
        ops
    }

    /// The partner-visible surface: a change to it shows in review as a
    /// change to this file.
    #[test]
    fn the_document_lists_the_known_operations() {
        let doc: serde_json::Value =
            serde_json::from_str(&super::openapi_json()).expect("the document is JSON");
        let want: Vec<&str> = include_str!("openapi_operations.txt").lines().collect();
        assert_eq!(operations_of(&doc), want);
    }
}
