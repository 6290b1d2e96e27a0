//! The customer's check page: opened as `/checks#sso=<ssoToken>` (the token
//! in the fragment never reaches a server log), it exchanges the token,
//! lists the cards, quotes the fee, uploads both sides and follows the
//! status — all through the same API a partner's app would call.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::pages::{self, Headers};

#[derive(Template)]
#[template(path = "checks/deposit.html")]
struct DepositPage<'a> {
    nonce: &'a str,
}

/// GET /checks
#[utoipa::path(get, path = "/checks", tag = "Check deposits",
    description = "The customer's check deposit page; open it as /checks#sso=<ssoToken from AuthenticateOBO>.",
    responses((status = 200, content_type = "text/html")))]
pub async fn show() -> Response {
    let nonce = pages::nonce();
    let headers = Headers {
        // This page has never sent nosniff; it keeps the headers it had.
        nosniff: false,
        ..Headers::customer_page(&nonce, Some("'self' blob:"), "'none'")
    };
    pages::render(StatusCode::OK, &DepositPage { nonce: &nonce }, headers)
}
