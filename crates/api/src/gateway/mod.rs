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

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sessions::create))
        .routes(routes!(verify::verify))
        .routes(routes!(search::search))
        .routes(routes!(process::process))
        .routes(routes!(process::check_cancel))
        .routes(routes!(page::open))
        .routes(routes!(page::submit))
        .routes(routes!(page::cancel))
        .routes(routes!(page::payees))
        .routes(routes!(page::helper_js))
        .layer(axum::middleware::from_fn(envelope::spec_002_time))
        .layer(axum::middleware::from_fn(accept::accept_json))
}
