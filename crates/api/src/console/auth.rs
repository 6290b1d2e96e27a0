//! Sign in and out of the console, through the API's own staff login
//! (`analysis::sessions::login`: the same attempt slots and lockout, the
//! same session rows) and logout (the session's tokens revoked).

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};

use super::session;
use crate::analysis::error::AnalysisError;
use crate::pages;
use crate::AppState;

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage<'a> {
    nonce: &'a str,
    csrf: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

/// The sign-in form for the request with `headers`.
struct Form<'a> {
    state: &'a AppState,
    headers: &'a HeaderMap,
}

impl Form<'_> {
    fn page(&self, status: StatusCode, email: &str, error: Option<&str>) -> Response {
        let nonce = pages::nonce();
        let (csrf, set) = session::login_token(self.state, self.headers);
        let view = LoginPage {
            nonce: &nonce,
            csrf: &csrf,
            email,
            error,
        };
        let mut resp = pages::render(status, &view, super::headers(&nonce));
        if let Some(set) = set {
            resp.headers_mut().append(header::SET_COOKIE, set);
        }
        resp
    }
}

/// GET /console/login: the form, or the customers page when signed in.
pub async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session::current(&state, &headers).await {
        Some(s) => s.finish(Redirect::to("/console/customers").into_response()),
        None => Form {
            state: &state,
            headers: &headers,
        }
        .page(StatusCode::OK, "", None),
    }
}

/// POST /console/login: the API's login; its refusals shown on the form
/// with the API's status (401 wrong credentials, 429 locked).
pub async fn login(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let address = crate::analysis::auth::request_address(&state, &parts);
    let form = Form {
        state: &state,
        headers: &parts.headers,
    };
    let page = |status, email: &str, error| form.page(status, email, error);
    let Ok(body) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
        return page(StatusCode::BAD_REQUEST, "", Some("The form is too large."));
    };
    let mut fields = session::form(&body);
    if !session::login_token_ok(&parts.headers, fields.get("csrf").map(String::as_str)) {
        return super::forbidden();
    }
    let email = fields.remove("email").unwrap_or_default();
    let password = fields.remove("password").unwrap_or_default();
    if email.trim().is_empty() || password.is_empty() {
        return page(
            StatusCode::BAD_REQUEST,
            &email,
            Some("Enter your email and password."),
        );
    }
    match crate::analysis::sessions::login(&state, &address, email.trim(), password).await {
        Ok(t) => {
            let mut resp = Redirect::to("/console/customers").into_response();
            resp.headers_mut()
                .append(header::SET_COOKIE, session::cookie(&state, &t));
            resp
        }
        Err(AnalysisError::BadCredentials) => page(
            StatusCode::UNAUTHORIZED,
            &email,
            Some("Invalid email or password."),
        ),
        Err(AnalysisError::TooMany {
            error, retry_after, ..
        }) => {
            let mut resp = page(StatusCode::TOO_MANY_REQUESTS, &email, Some(&error));
            resp.headers_mut()
                .insert(header::RETRY_AFTER, retry_after.into());
            resp
        }
        Err(AnalysisError::Denied { .. }) => page(
            StatusCode::UNAUTHORIZED,
            &email,
            Some("This account cannot sign in."),
        ),
        Err(AnalysisError::Unavailable { cause }) => super::unavailable(cause),
        Err(_) => page(
            StatusCode::BAD_REQUEST,
            &email,
            Some("Sign in failed. Please try again."),
        ),
    }
}

/// POST /console/logout: ends the session as the API's logout does; the
/// form's CSRF token is required.
pub async fn logout(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Some(s) = session::current(&state, &parts.headers).await else {
        return Redirect::to("/console/login").into_response();
    };
    let body = axum::body::to_bytes(body, state.config.max_body_bytes)
        .await
        .unwrap_or_default();
    let fields = session::form(&body);
    if !session::csrf_ok(&state, &s.staff, fields.get("csrf").map(String::as_str)).await {
        return super::forbidden();
    }
    let now = state.clock.now_micros();
    if let Err(e) =
        fundline_store::staff::revoke_family(&state.store, s.staff.session.clone(), now).await
    {
        return super::unavailable(Some(crate::middleware::ErrorCause::new(e)));
    }
    let mut resp = Redirect::to("/console/login").into_response();
    resp.headers_mut()
        .append(header::SET_COOKIE, session::cleared(&state));
    resp
}
