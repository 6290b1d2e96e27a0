//! Token service (spec 003), wire-compatible with the Worldline Connect
//! server SDKs: `/v1/{merchantId}/tokens…`, `v1HMAC`, Connect's error body.

pub mod auth;
pub mod client;
pub mod error;
pub mod groups;
pub mod hmac;
pub mod idempotence;
pub mod schemas;
pub mod tokens;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tokens::create))
        .routes(routes!(tokens::get, tokens::update, tokens::delete))
        .routes(routes!(tokens::approve))
        .routes(routes!(client::create_session))
        .routes(routes!(client::public_key))
}
