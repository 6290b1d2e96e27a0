//! Check deposits: a customer (through the SSO token the partner got from
//! AuthenticateOBO) quotes and submits checks to a registered card; jobs
//! classify, decide, approve and fund them; the partner sees them in
//! GetTransactionHistory and through signed webhooks. Errors answer in the
//! check cashing API's problem+json envelope.

pub mod deposit;
pub mod page;
pub mod process;
pub mod service;
pub mod session;
pub mod settings;
pub mod webhooks;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/checks/sessions", post(session::exchange))
        .route("/api/v1/checks/cards", get(deposit::cards))
        .route("/api/v1/checks/quote", get(deposit::quote))
        .route(
            "/api/v1/checks",
            post(deposit::submit).layer(DefaultBodyLimit::max(deposit::MAX_UPLOAD_BYTES)),
        )
        .route("/api/v1/checks/{transaction_id}", get(deposit::status))
        .route(
            "/api/v1/partners/webhook",
            put(webhooks::register).get(webhooks::show),
        )
        .route("/api/v1/partners/webhook/events", get(webhooks::events))
        .route("/checks", get(page::show))
}
