//! The payout gateway (specs 001 and 002): HMAC-signed, in its own envelope.

//!
//! Handlers (`sessions`, `verify`, `search`, `process`, `page`) authenticate,
//! parse, call one core function and render; the cores are `staging`,
//! `verify::accounts`, `payments` and `hosted`. Every failure is a
//! `error::GatewayError`.

pub mod accept;
pub mod answer;
pub mod auth;
pub mod cancel;
pub mod common;
pub mod envelope;
pub mod error;
pub mod fields;
pub mod hmac;
pub mod hosted;
pub mod idempotency;
pub mod issuer;
pub mod page;
pub mod payments;
pub mod process;
pub mod replay;
pub mod schemas;
pub mod search;
pub mod session_url;
pub mod sessions;
pub mod settings;
pub mod staging;
pub mod velocity;
pub mod verify;

use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(sessions::PATH, post(sessions::create))
        .route(verify::PATH, post(verify::verify))
        .route(search::PATH, post(search::search))
        .route(process::PATH, post(process::process))
        .route(process::CANCEL_PATH, post(process::check_cancel))
        .route("/session/{id}", get(page::open))
        .route("/session/{id}/submit", post(page::submit))
        .route("/session/{id}/cancel", post(page::cancel))
        .route("/session/{id}/payees", get(page::payees))
        .route("/js/fundline-capture.js", get(page::helper_js))
        .layer(axum::middleware::from_fn(envelope::spec_002_time))
        .layer(axum::middleware::from_fn(accept::accept_json))
}
