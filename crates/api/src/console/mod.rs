//! The lender's console (issue 16): server-rendered pages for the staff
//! users of bank analysis, on the API's sessions and core functions.
//! Its routes are plain axum routes, not operations of /openapi.json: the
//! console is not part of the partner API document.

mod auth;
mod building;
mod charts;
mod csv_export;
mod customer;
mod customer_form;
mod customers;
mod form;
mod list;
mod pdf;
mod report;
mod report_requests;
mod request;
mod session;
mod transactions;
mod user_form;
mod users;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::pages::{self, Headers};
use crate::AppState;

/// Where the console lives; its cookie's path.
pub const BASE: &str = "/console";

/// The console's routes, and the platform's `/` and `/login` that lead to it.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to(BASE) }))
        .route("/login", get(|| async { Redirect::to("/console/login") }))
        .route(BASE, get(|| async { Redirect::to("/console/customers") }))
        .route(
            "/console/",
            get(|| async { Redirect::to("/console/customers") }),
        )
        .route("/console/login", get(auth::login_page).post(auth::login))
        .route("/console/logout", post(auth::logout))
        .route("/console/customers", get(customers::list))
        .route("/console/customers/{id}", get(customer::show))
        .route(
            "/console/customers/new",
            get(customer_form::new).post(customer_form::create),
        )
        .route(
            "/console/customers/{id}/edit",
            get(customer_form::edit).post(customer_form::update),
        )
        .route("/console/report-requests", get(report_requests::list))
        .route("/console/report-requests/{id}", get(request::show))
        .route(
            "/console/report-requests/{id}/reset",
            axum::routing::post(request::reset),
        )
        .route(
            "/console/customers/{id}/report-requests",
            axum::routing::post(request::create),
        )
        .route("/console/reports/{id}", get(report::show))
        .route(
            "/console/reports/{id}/transactions",
            get(transactions::show),
        )
        .route(
            "/console/reports/{id}/transactions.csv",
            get(csv_export::download),
        )
        .route("/console/reports/{id}/report.pdf", get(pdf::download))
        .route("/console/users", get(users::list))
        .route(
            "/console/users/new",
            get(user_form::new).post(user_form::create),
        )
        .route(
            "/console/users/{id}/edit",
            get(user_form::edit).post(user_form::update),
        )
        .route(
            "/console/users/{id}/password",
            post(user_form::reset_password),
        )
}

/// A console page's headers: its own inline style and script under
/// `nonce`, forms to its own origin, never framed, never cached.
fn headers(nonce: &str) -> Headers {
    Headers {
        csp: Some(format!(
            "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
             img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )),
        no_store: true,
        no_referrer: true,
        nosniff: true,
    }
}

#[derive(Template)]
#[template(path = "console/message.html")]
struct MessagePage<'a> {
    nonce: &'a str,
    title: &'a str,
    text: &'a str,
}

/// A page that only says why, with `status`.
pub(crate) fn message(status: StatusCode, title: &str, text: &str) -> Response {
    let nonce = pages::nonce();
    pages::render(
        status,
        &MessagePage {
            nonce: &nonce,
            title,
            text,
        },
        headers(&nonce),
    )
}

/// An unknown console path.
pub(crate) fn not_found() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is no console page at this address.",
    )
}

/// Our side failed: the cause rides on the response for the request log.
fn unavailable(cause: Option<crate::middleware::ErrorCause>) -> Response {
    let mut resp = message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Please try again",
        "The console could not answer just now. Please try again in a moment.",
    );
    crate::middleware::ErrorCause::attach(&mut resp, cause);
    resp
}

/// A form post without the session's CSRF token.
fn forbidden() -> Response {
    message(
        StatusCode::FORBIDDEN,
        "Form expired",
        "This form could not be accepted. Go back, reload the page and try again.",
    )
}

/// The page for a core function's refusal of a read: what the API
/// refuses as not found (another tenant's record too) is the 404 page.
fn refused(s: &session::Session, e: crate::analysis::error::AnalysisError) -> Response {
    use crate::analysis::error::AnalysisError;
    match e {
        AnalysisError::Rejected { .. } => s.finish(not_found()),
        AnalysisError::Unavailable { cause } => s.finish(unavailable(cause)),
        _ => Redirect::to("/console/login").into_response(),
    }
}

/// A signed-in page answered with `page`, 200.
fn shown(s: &session::Session, frame: &Frame, page: &impl Template) -> Response {
    s.finish(pages::render(StatusCode::OK, page, headers(&frame.nonce)))
}

/// What every signed-in page shows around its content: the user's name
/// and the CSRF token of the logout form, with the page's nonce.
struct Frame {
    nonce: String,
    user: String,
    csrf: String,
    /// The user is an admin: the staff users page is theirs.
    admin: bool,
}

impl Frame {
    async fn of(state: &AppState, s: &session::Session) -> Result<Frame, Response> {
        let who = &s.staff;
        let user =
            match fundline_store::staff::user(&state.store, &who.tenant_id, &who.user_id).await {
                Ok(Some(u)) => format!("{} {}", u.first_name, u.last_name),
                Ok(None) => return Err(Redirect::to("/console/login").into_response()),
                Err(e) => return Err(unavailable(Some(crate::middleware::ErrorCause::new(e)))),
            };
        Ok(Frame {
            nonce: pages::nonce(),
            user,
            csrf: session::csrf_token(state, who).await,
            admin: who.role == crate::analysis::users::ADMIN,
        })
    }
}

/// A signed-in page's session and frame, or the answer to send instead.
async fn signed_in(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<(session::Session, Frame), Response> {
    let s = session::require(state, headers).await?;
    match Frame::of(state, &s).await {
        Ok(f) => Ok((s, f)),
        Err(resp) => Err(s.finish(resp)),
    }
}

/// A signed-in page's session and frame, as an extractor: a request
/// without a live session is answered with the sign-in redirect (or the
/// page `signed_in` gives) before the handler runs.
struct SignedIn(session::Session, Frame);

impl axum::extract::FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Response> {
        let (s, frame) = signed_in(state, &parts.headers).await?;
        Ok(SignedIn(s, frame))
    }
}
