//! The customer's check page: opened as `/checks#sso=<ssoToken>` (the token
//! in the fragment never reaches a server log), it exchanges the token,
//! lists the cards, quotes the fee, uploads both sides and follows the
//! status — all through the same API a partner's app would call.

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

/// GET /checks
#[utoipa::path(get, path = "/checks", tag = "Check deposits",
    description = "The customer's check deposit page; open it as /checks#sso=<ssoToken from AuthenticateOBO>.",
    responses((status = 200, content_type = "text/html")))]
pub async fn show() -> Response {
    let nonce = fundline_vault::random_token(16);
    let html = include_str!("page.html").replace("{{NONCE}}", &nonce);
    let mut resp = Html(html).into_response();
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; img-src 'self' blob:; \
         form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    );
    if let Ok(v) = csp.parse() {
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        "no-referrer".parse().expect("static"),
    );
    resp
}
