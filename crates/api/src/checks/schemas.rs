//! Check deposits' JSON request bodies as the OpenAPI document describes
//! them; the handlers read the one field each needs, and the tests below
//! hold these documents to those rules (see `crate::doc_drift`).
#![allow(dead_code, non_snake_case)]

use utoipa::ToSchema;

/// `POST /api/v1/checks/sessions`: the ssoToken AuthenticateOBO answered,
/// good for one exchange.
#[derive(ToSchema)]
#[schema(example = json!({"ssoToken": "sso_5Q2m8XrT1vK9bN4cW7yZ0aL3hJ6dF1gP"}))]
pub struct CheckSessionRequest {
    #[schema(min_length = 1, max_length = 200)]
    ssoToken: String,
}

/// `PUT /api/v1/partners/webhook`: where check status changes are sent.
#[derive(ToSchema)]
#[schema(example = json!({"url": "https://partner.example.com/hooks/fundline"}))]
pub struct WebhookRequest {
    /// An https URL without credentials; a literal address must be public.
    #[schema(format = "uri", max_length = 500)]
    url: String,
}

#[cfg(test)]
mod tests {
    use crate::doc_drift::{assert_matches, schemas};

    #[test]
    fn every_documented_check_body_is_what_its_handler_accepts() {
        let schemas = schemas();
        assert_matches(&schemas, "CheckSessionRequest", &|v| {
            crate::checks::session::sso_token(v.to_string().as_bytes()).is_some()
        });
        assert_matches(&schemas, "WebhookRequest", &|v| {
            crate::checks::webhooks::register_body_ok(v.to_string().as_bytes(), false)
        });
        let doc: serde_json::Value =
            serde_json::from_str(&crate::openapi::openapi_json()).unwrap_or_default();
        for (path, method, schema) in [
            ("/api/v1/checks/sessions", "post", "CheckSessionRequest"),
            ("/api/v1/partners/webhook", "put", "WebhookRequest"),
        ] {
            let body = &doc["paths"][path][method]["requestBody"]["content"]["application/json"];
            assert_eq!(
                body["schema"]["$ref"],
                format!("#/components/schemas/{schema}"),
                "{method} {path}"
            );
        }
    }
}
