use std::sync::OnceLock;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, PathItem, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::checkcashing::{requests, views};

#[derive(OpenApi)]
#[openapi(
    info(title = "Fundline", description = "Money movement and underwriting platform: the partner APIs of one Fundline server.", license(name = "MIT OR Apache-2.0")),
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

/// Connect's error body (spec 003), for the document.
#[derive(ToSchema)]
#[allow(dead_code, non_snake_case)]
pub(crate) struct ConnectErrorDoc {
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
pub(crate) struct AnalysisEnvelopeDoc {
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
        Surface::Console | Surface::Platform => None,
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

/// The document's info, components, security schemes and tags; the paths
/// come from the routes (`crate::routes`).
pub(crate) fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = crate::routes(None).split_for_parts();
    // After the routes: it completes their operations.
    Envelopes.modify(&mut doc);
    doc
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

    /// Every `$ref` in `v`, recursively.
    fn refs_of<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                    out.push(r);
                }
                m.values().for_each(|x| refs_of(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| refs_of(x, out)),
            _ => {}
        }
    }

    /// A schema named by a path but left out of `components` would leave
    /// generated clients with a dangling reference.
    #[test]
    fn every_reference_names_a_schema_of_the_document() {
        let doc: serde_json::Value =
            serde_json::from_str(&super::openapi_json()).expect("the document is JSON");
        let mut refs = Vec::new();
        refs_of(&doc, &mut refs);
        assert!(refs.len() > 50, "the document refers to its schemas");
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        let dangling: Vec<&&str> = refs
            .iter()
            .filter(|r| {
                r.strip_prefix("#/components/schemas/")
                    .is_none_or(|name| !schemas.contains_key(name))
            })
            .collect();
        assert!(dangling.is_empty(), "dangling references: {dangling:?}");
    }

    /// Each `*.rs` file under `dir`, recursively.
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// `routes!` registers a handler at its `#[utoipa::path]` and documents
    /// it in one step; a route added any other way (`.route`, `.nest`, a
    /// plain axum `Router`) would be served undocumented.
    #[test]
    fn every_route_is_added_with_its_operation() {
        let mut files = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        assert!(files.len() > 20, "the crate's sources are found");
        // Spelled in pieces so that this test does not find itself.
        let bypass =
            ["route(", "route_service(", "nest(", "nest_service("].map(|m| format!(".{m}"));
        let plain_router = concat!("Router", "::new(");
        // The console's pages are HTML for staff, not operations of the
        // partner API, so they stay out of the document: plain routes.
        let undocumented = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/console");
        for file in files.iter().filter(|f| !f.starts_with(&undocumented)) {
            let text = std::fs::read_to_string(file).expect("a source file");
            for (n, line) in text.lines().enumerate() {
                let code = format!(" {}", line.trim_start());
                if code.starts_with(" //") {
                    continue;
                }
                let found = bypass.iter().any(|b| code.contains(b.as_str()))
                    || code.replace("OpenApiRouter", "").contains(plain_router);
                assert!(
                    !found,
                    "{}:{}: routes are added with routes!(handler)",
                    file.display(),
                    n + 1
                );
            }
        }
    }
}
