//! The lender's console (issue 16): server-rendered pages for the staff
//! users of bank analysis, on the API's sessions and core functions.
//! Its routes are plain axum routes, not operations of /openapi.json: the
//! console is not part of the partner API document.

mod auth;
pub(crate) mod customers;
pub(crate) mod report_requests;
mod session;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
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
        .route("/console/logout", axum::routing::post(auth::logout))
        .route("/console/customers", get(customers::list))
        .route("/console/report-requests", get(report_requests::list))
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

/// 303 to `to` (after a form post, the browser follows with a GET).
fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// A form post without the session's CSRF token.
fn forbidden() -> Response {
    message(
        StatusCode::FORBIDDEN,
        "Form expired",
        "This form could not be accepted. Go back, reload the page and try again.",
    )
}

/// What every signed-in page shows around its content: the user's name
/// and the CSRF token of the logout form, with the page's nonce.
struct Frame {
    nonce: String,
    user: String,
    csrf: String,
}

impl Frame {
    async fn of(state: &AppState, s: &session::Session) -> Result<Frame, Response> {
        let who = &s.staff;
        let user =
            match fundline_store::staff::user(&state.store, &who.tenant_id, &who.user_id).await {
                Ok(Some(u)) => format!("{} {}", u.first_name, u.last_name),
                Ok(None) => return Err(see_other("/console/login")),
                Err(e) => return Err(unavailable(Some(crate::middleware::ErrorCause::new(e)))),
            };
        Ok(Frame {
            nonce: pages::nonce(),
            user,
            csrf: session::csrf_token(state, who).await,
        })
    }
}

/// Whether a filter's choice is the one the query made (its templates'
/// `selected`).
pub(crate) fn same(choice: &str, chosen: &str) -> bool {
    choice.eq_ignore_ascii_case(chosen)
}

/// A list's previous and next page links, keeping its filters.
struct Pager {
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
}

impl Pager {
    /// The pager of `path` for the query `p` (its `filters` kept) at
    /// `paging`, of `total` records; no paging (a refused query): page 1.
    fn new(
        path: &str,
        p: &crate::analysis::query::Params,
        filters: &[&str],
        paging: Option<&crate::analysis::query::Paging>,
        total: i64,
    ) -> Pager {
        let (page, size) = paging
            .map(|p| (p.page_number, p.page_size.max(1)))
            .unwrap_or((1, 1));
        let pages = (total + size - 1) / size;
        let href = |n: i64| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for name in filters.iter().chain(&["orderBy", "order", "pageSize"]) {
                if let Some(v) = p.get(name) {
                    q.append_pair(name, v);
                }
            }
            q.append_pair("pageNumber", &n.to_string());
            format!("{path}?{}", q.finish())
        };
        Pager {
            page,
            pages,
            previous: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
        }
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

/// What a list's query answered: its records, or, for a refused query,
/// none and the API's messages with a 400.
struct Listed<T> {
    status: StatusCode,
    errors: Vec<String>,
    paging: Option<crate::analysis::query::Paging>,
    total: i64,
    rows: Vec<T>,
}

impl<T> Listed<T> {
    /// The list, or the page to answer instead (our side failed).
    fn of(
        answer: crate::analysis::error::Result<(crate::analysis::query::Paging, i64, Vec<T>)>,
    ) -> Result<Listed<T>, Response> {
        use crate::analysis::error::AnalysisError;
        match answer {
            Ok((paging, total, rows)) => Ok(Listed {
                status: StatusCode::OK,
                errors: Vec::new(),
                paging: Some(paging),
                total,
                rows,
            }),
            Err(AnalysisError::Rejected { errors, .. }) => Ok(Listed {
                status: StatusCode::BAD_REQUEST,
                errors,
                paging: None,
                total: 0,
                rows: Vec::new(),
            }),
            Err(AnalysisError::Unavailable { cause }) => Err(unavailable(cause)),
            Err(_) => Err(see_other("/console/login")),
        }
    }
}

/// What every list page shows: the frame, the common filters' values, the
/// API's messages for a refused query, the count, the rows and the pager.
struct ListView<'a, R> {
    status: StatusCode,
    title: &'a str,
    /// One row, as the count names it ("customer": "2 customers").
    noun: &'a str,
    path: &'a str,
    frame: Frame,
    params: &'a crate::analysis::query::Params,
    orders: &'a [(&'a str, &'a str)],
    descending: bool,
    errors: Vec<String>,
    total: i64,
    rows: Vec<R>,
    pager: Pager,
}

impl<R> ListView<'_, R> {
    /// A filter's value as the query gave it, or "".
    fn value(&self, name: &str) -> &str {
        self.params.get(name).unwrap_or("")
    }

    /// The sort field, the API's default when none is given.
    fn order_by(&self) -> &str {
        self.params.get("orderBy").unwrap_or("CreatedDate")
    }
}

/// How a list page reads its query and shows its rows.
struct ListPage<'a> {
    title: &'a str,
    noun: &'a str,
    path: &'a str,
    /// Its own filters, kept by the pager; the name search is one.
    filters: &'a [&'a str],
    /// Its `orderBy` choices, as the API takes them.
    orders: &'a [(&'a str, &'a str)],
}

impl ListPage<'_> {
    /// Answers `raw` for the signed-in user: `fetch` is the API's list
    /// function, `row` makes a table row of each record, `render` the page.
    async fn answer<T, R>(
        &self,
        state: &AppState,
        headers: &axum::http::HeaderMap,
        raw: Option<&str>,
        fetch: impl AsyncFnOnce(
            &crate::analysis::auth::Staff,
        ) -> crate::analysis::error::Result<(
            crate::analysis::query::Paging,
            i64,
            Vec<T>,
        )>,
        row: impl Fn(&T) -> R,
        render: impl FnOnce(ListView<'_, R>) -> Response,
    ) -> Response {
        let (s, frame) = match signed_in(state, headers).await {
            Ok(both) => both,
            Err(resp) => return resp,
        };
        let list = match Listed::of(fetch(&s.staff).await) {
            Ok(l) => l,
            Err(resp) => return s.finish(resp),
        };
        let params = crate::analysis::query::Params::parse(raw);
        let view = ListView {
            status: list.status,
            title: self.title,
            noun: self.noun,
            path: self.path,
            frame,
            params: &params,
            orders: self.orders,
            descending: list.paging.as_ref().is_none_or(|p| p.descending),
            pager: Pager::new(
                self.path,
                &params,
                self.filters,
                list.paging.as_ref(),
                list.total,
            ),
            errors: list.errors,
            total: list.total,
            rows: list.rows.iter().map(row).collect(),
        };
        s.finish(render(view))
    }
}

/// A list page's response.
fn show<R>(view: &ListView<'_, R>, page: &impl Template) -> Response {
    pages::render(view.status, page, headers(&view.frame.nonce))
}
