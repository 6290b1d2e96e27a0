//! Bank analysis (spec 004): staff users, customers, report requests, the
//! customer's data-sharing page, the report builder and the financial
//! report. Envelope `{success, message, data, errors}`.

pub mod auth;
#[doc(hidden)]
pub mod customer_rules;
pub mod customers;
#[doc(hidden)]
pub mod envelope;
pub mod error;
#[doc(hidden)]
pub mod fields;
pub mod job;
pub mod outbox;
pub(crate) mod query;
mod render;
pub mod report_data;
pub mod report_requests;
pub mod requests;
pub mod sandbox_bank;
pub mod sessions;
pub mod share;
pub mod shared_accounts;
pub mod sms;
pub mod users;
pub(crate) mod zone;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::status))
        .routes(routes!(auth::change_password))
        .routes(routes!(users::create, users::update))
        .routes(routes!(users::list))
        .routes(routes!(users::get))
        .routes(routes!(users::reset_password))
        .routes(routes!(customers::create))
        .routes(routes!(customers::list))
        .routes(routes!(customers::update_information))
        .routes(routes!(customers::update_bank))
        .routes(routes!(customers::update_contact))
        .routes(routes!(customers::update_employment))
        .routes(routes!(customers::get))
        .routes(routes!(report_requests::create))
        .routes(routes!(report_requests::reset))
        .routes(routes!(report_requests::list))
        .routes(routes!(report_requests::get))
        .routes(routes!(report_data::accounts))
        .routes(routes!(report_data::transactions))
        .routes(routes!(report_data::financial_report))
        .routes(routes!(share::show))
        .routes(routes!(share::status))
        .routes(routes!(share::consent))
        .routes(
            routes!(share::upload)
                .layer(DefaultBodyLimit::max(share::MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .routes(routes!(share::sandbox_bank))
        .routes(routes!(outbox::mailbox))
}

/// Starts this node's background workers (see `crate::workers`).
pub fn spawn_workers(state: AppState) -> crate::workers::Workers {
    crate::workers::start(&state)
}
