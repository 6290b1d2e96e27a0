//! Check deposits: a customer (through the SSO token the partner got from
//! AuthenticateOBO) quotes and submits checks to a registered card; jobs
//! classify, decide, approve and fund them; the partner sees them in
//! GetTransactionHistory and through signed webhooks. Errors answer in the
//! check cashing API's problem+json envelope.

pub mod deposit;
pub mod page;
pub mod process;
pub mod schemas;
pub mod service;
pub mod session;
pub mod settings;
pub mod webhooks;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session::exchange))
        .routes(routes!(deposit::cards))
        .routes(routes!(deposit::quote))
        .routes(routes!(deposit::submit).layer(DefaultBodyLimit::max(deposit::MAX_UPLOAD_BYTES)))
        .routes(routes!(deposit::status))
        .routes(routes!(webhooks::register, webhooks::show))
        .routes(routes!(webhooks::events))
        .routes(routes!(page::show))
}
