//! Bank analysis (spec 004), begun: staff authentication. Envelope
//! `{success, message, data, errors}`.

pub mod auth;

use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/refresh", post(auth::refresh))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/auth/status", get(auth::status))
}
