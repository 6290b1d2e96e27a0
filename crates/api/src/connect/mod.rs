//! Token service (spec 003), wire-compatible with the Worldline Connect
//! server SDKs: `/v1/{merchantId}/tokens…`, `v1HMAC`, Connect's error body.

pub mod auth;
pub mod client;
pub mod error;
pub mod groups;
pub mod hmac;
pub mod idempotence;
pub mod tokens;

use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/{merchant}/tokens", post(tokens::create))
        .route(
            "/v1/{merchant}/tokens/{id}",
            get(tokens::get).put(tokens::update).delete(tokens::delete),
        )
        .route(
            "/v1/{merchant}/tokens/{id}/approvesepadirectdebit",
            post(tokens::approve),
        )
        .route("/v1/{merchant}/sessions", post(client::create_session))
        .route(
            "/client/v1/{customer}/crypto/publickey",
            get(client::public_key),
        )
}
