//! What the console's list pages share: the query's records through the
//! API's own list function, the filters' values, the pager, the page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use fundline_store::Page;

use super::{headers, signed_in, unavailable, Frame};
use crate::analysis::query::Params;
use crate::pages;
use crate::AppState;

/// Whether a filter's choice is the one the query made (its templates'
/// `selected`).
pub(super) fn same(choice: &str, chosen: &str) -> bool {
    choice.eq_ignore_ascii_case(chosen)
}

/// A list's previous and next page links, keeping its filters.
pub(super) struct Pager {
    pub(super) page: i64,
    pub(super) pages: i64,
    pub(super) previous: Option<String>,
    pub(super) next: Option<String>,
}

impl Pager {
    /// The pager of `path` for the query `p` (its `filters` kept) at
    /// `paging`, of `total` records; no paging (a refused query): page 1.
    pub(super) fn new(
        path: &str,
        p: &Params,
        filters: &[&str],
        paging: Option<&Page>,
        total: i64,
    ) -> Pager {
        let (page, size) = paging.map(|p| (p.number, p.size.max(1))).unwrap_or((1, 1));
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

/// What a list's query answered: its records, or, for a refused query,
/// none and the API's messages with a 400.
pub(super) struct Listed<T> {
    pub(super) status: StatusCode,
    pub(super) errors: Vec<String>,
    pub(super) paging: Option<Page>,
    pub(super) total: i64,
    pub(super) rows: Vec<T>,
}

impl<T> Listed<T> {
    /// The list, or the page to answer instead (our side failed).
    pub(super) fn of(
        answer: crate::analysis::error::Result<(Page, i64, Vec<T>)>,
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
            // Signed in, so a refusal is the role's (the API's 401).
            Err(AnalysisError::Denied { .. }) => Err(super::message(
                StatusCode::FORBIDDEN,
                "Not allowed",
                "Your role does not allow this page.",
            )),
            Err(_) => Err(Redirect::to("/console/login").into_response()),
        }
    }
}

/// What every list page shows: the frame, the common filters' values, the
/// API's messages for a refused query, the count, the rows and the pager.
pub(super) struct ListView<'a, R> {
    pub(super) status: StatusCode,
    pub(super) title: &'a str,
    /// One row, as the count names it ("customer": "2 customers").
    pub(super) noun: &'a str,
    pub(super) path: &'a str,
    pub(super) frame: Frame,
    pub(super) params: &'a Params,
    pub(super) orders: &'a [(&'a str, &'a str)],
    pub(super) descending: bool,
    pub(super) errors: Vec<String>,
    pub(super) total: i64,
    pub(super) rows: Vec<R>,
    pub(super) pager: Pager,
}

impl<R> ListView<'_, R> {
    /// A filter's value as the query gave it, or "".
    pub(super) fn value(&self, name: &str) -> &str {
        self.params.get(name).unwrap_or("")
    }

    /// The sort field, the API's default when none is given.
    pub(super) fn order_by(&self) -> &str {
        self.params.get("orderBy").unwrap_or("CreatedDate")
    }
}

/// How a list page reads its query and shows its rows.
pub(super) struct ListPage<'a> {
    pub(super) title: &'a str,
    pub(super) noun: &'a str,
    pub(super) path: &'a str,
    /// Its own filters, kept by the pager; the name search is one.
    pub(super) filters: &'a [&'a str],
    /// Its `orderBy` choices, as the API takes them.
    pub(super) orders: &'a [(&'a str, &'a str)],
}

impl ListPage<'_> {
    /// Answers `raw` for the signed-in user: `fetch` is the API's list
    /// function, `row` makes a table row of each record, `render` the page.
    pub(super) async fn answer<T, R>(
        &self,
        state: &AppState,
        headers: &axum::http::HeaderMap,
        raw: Option<&str>,
        fetch: impl AsyncFnOnce(
            &crate::analysis::auth::Staff,
        ) -> crate::analysis::error::Result<(Page, i64, Vec<T>)>,
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
        let params = Params::parse(raw);
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
pub(super) fn show<R>(view: &ListView<'_, R>, page: &impl Template) -> Response {
    pages::render(view.status, page, headers(&view.frame.nonce))
}

/// Declares a list page in the module that calls it: its template (`$template`,
/// extending `console/list.html`) over `ListView<$row>`, and its GET handler
/// `list`, which answers through `$page` (a `ListPage`) with the records of
/// `$fetch` (the API's own list function, called with the state, the staff
/// user, the zone (UTC) and the raw query).
macro_rules! list_page {
    ($template:literal, $row:ty, $page:expr, $fetch:path) => {
        #[derive(askama::Template)]
        #[template(path = $template)]
        struct Page<'a> {
            nonce: &'a str,
            frame: &'a super::Frame,
            v: &'a super::list::ListView<'a, $row>,
        }

        /// GET: the list page.
        pub async fn list(
            axum::extract::State(state): axum::extract::State<crate::AppState>,
            headers: axum::http::HeaderMap,
            axum::extract::RawQuery(raw): axum::extract::RawQuery,
        ) -> axum::response::Response {
            let utc = crate::analysis::zone::Zone(chrono_tz::Tz::UTC);
            let query = raw.as_deref();
            $page
                .answer(
                    &state,
                    &headers,
                    query,
                    async |who| $fetch(&state, who, &utc, query).await,
                    <$row>::of,
                    |v| {
                        let page = Page {
                            nonce: &v.frame.nonce,
                            frame: &v.frame,
                            v: &v,
                        };
                        super::list::show(&v, &page)
                    },
                )
                .await
        }
    };
}
pub(super) use list_page;
