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
mod query;
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
mod zone;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    const IBA: &str = "/api/v1/instantbankanalysis";
    Router::new()
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/refresh", post(auth::refresh))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/auth/status", get(auth::status))
        .route("/api/v1/auth/change-password", post(auth::change_password))
        .route("/api/v1/user", post(users::create).put(users::update))
        .route("/api/v1/user/all", get(users::list))
        .route("/api/v1/user/{user_id}", get(users::get))
        .route(
            "/api/v1/user/{user_id}/password",
            axum::routing::put(users::reset_password),
        )
        .route("/api/v1/customer", post(customers::create))
        .route("/api/v1/customer/all", get(customers::list))
        .route(
            "/api/v1/customer/information",
            axum::routing::put(customers::update_information),
        )
        .route(
            "/api/v1/customer/bank-information",
            axum::routing::put(customers::update_bank),
        )
        .route(
            "/api/v1/customer/contact-information",
            axum::routing::put(customers::update_contact),
        )
        .route(
            "/api/v1/customer/employee-information",
            axum::routing::put(customers::update_employment),
        )
        .route("/api/v1/customer/{customer_id}", get(customers::get))
        .route(
            &format!("{IBA}/report-request"),
            post(report_requests::create),
        )
        .route(
            &format!("{IBA}/report-request/reset"),
            post(report_requests::reset),
        )
        .route(
            &format!("{IBA}/report-requests"),
            get(report_requests::list),
        )
        .route(
            &format!("{IBA}/reportrequests/{{report_id}}"),
            get(report_requests::get),
        )
        .route(
            &format!("{IBA}/GetBankAccountByReportId/{{report_id}}"),
            get(report_data::accounts),
        )
        .route(
            &format!("{IBA}/BankingTransactions/{{report_id}}/{{account_id}}"),
            get(report_data::transactions),
        )
        .route(
            &format!("{IBA}/financialreport"),
            get(report_data::financial_report),
        )
        .route("/connect/{token}", get(share::show))
        .route("/connect/{token}/status", get(share::status))
        .route("/connect/{token}/consent", post(share::consent))
        .route(
            "/connect/{token}/statements",
            post(share::upload).layer(DefaultBodyLimit::max(share::MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .route("/connect/{token}/sandbox-bank", post(share::sandbox_bank))
        .route("/sandbox/mailbox", get(outbox::mailbox))
}

/// Starts this node's background workers (see `crate::workers`).
pub fn spawn_workers(state: AppState) -> crate::workers::Workers {
    crate::workers::start(&state)
}
