use std::sync::OnceLock;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

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
        checkcashing::add_or_update_card,
        checkcashing::add_or_update_tokenized_card,
        checkcashing::get_transaction_history,
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
        crate::analysis::users::create,
        crate::analysis::users::update,
        crate::analysis::users::get,
        crate::analysis::users::list,
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
        crate::gateway::sessions::SessionRequestDoc, crate::gateway::sessions::RecipientDoc, crate::gateway::sessions::GatewayEnvelopeDoc,
    )),
    modifiers(&Security),
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

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document, rendered once.
pub fn openapi_json() -> String {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| openapi().to_pretty_json().unwrap_or_else(|_| "{}".into()))
        .clone()
}
