//! The hosted capture page behind `authorized_url`: the customer types card
//! or bank details that only we see; they are verified and tokenized by the
//! same core as `/gateway/verify`, and the framing page learns the outcome by
//! `postMessage` events sent to the session's host origin only.
//!
//! The rules are `super::hosted`'s; this module renders them.

use crate::extract::{AnyPath, AnyQuery};
use askama::Template;
use axum::extract::FromRequestParts;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::hosted::{self, page_ctx, Outcome, Refused, Submission};
use super::session_url::origin;
use crate::pages::{self, Headers};
use crate::AppState;

#[derive(Deserialize, Default)]
pub struct UrlParams {
    t: Option<String>,
    h: Option<String>,
}

/// CSP source list for a host: an entry without a port allows any port.
fn frame_ancestors(host: &str) -> String {
    match origin(host) {
        Some((s, h, None)) => format!("{s}://{h} {s}://{h}:*"),
        Some((s, h, Some(p))) => format!("{s}://{h}:{p}"),
        None => "'none'".into(),
    }
}

/// Why the capture page cannot be shown.
#[derive(Template)]
#[template(path = "gateway/message.html")]
struct MessagePage<'a> {
    nonce: &'a str,
    title: &'a str,
    text: &'a str,
}

/// The capture form of one page view.
#[derive(Template)]
#[template(path = "gateway/capture.html")]
struct CapturePage<'a> {
    nonce: &'a str,
    /// `pages::script_json`: written into the page's script as it is.
    config: &'a str,
}

fn message_page(status: StatusCode, title: &str, text: &str, host: Option<&str>) -> Response {
    let nonce = pages::nonce();
    let frame_ancestors = host.map(frame_ancestors).unwrap_or_else(|| "'none'".into());
    pages::render(
        status,
        &MessagePage {
            nonce: &nonce,
            title,
            text,
        },
        Headers::customer_page(&nonce, Some(IMG_SRC), &frame_ancestors),
    )
}

/// Images the capture pages may show, the form and its messages alike.
const IMG_SRC: &str = "'self' data:";

/// GET /session/{id}?t=…&h=…
#[utoipa::path(get, path = "/session/{id}", tag = "Capture sessions",
    description = "The hosted capture page behind authorized_url: a signed URL that opens once within 30 s. Framed by the session's host only (CSP frame-ancestors).",
    params(("id" = String, Path), ("t" = String, Query, description = "Expiry and uniqueness"), ("h" = String, Query, description = "Server signature")),
    responses((status = 200, content_type = "text/html", description = "The form"),
        (status = 404, content_type = "text/html", description = "Not a valid link"),
        (status = 410, content_type = "text/html", description = "Expired, used, or the session is closed")))]
pub async fn open(
    State(state): State<AppState>,
    AnyPath(id): AnyPath<String>,
    AnyQuery(q): AnyQuery<UrlParams>,
) -> Response {
    let opened = match (q.t, q.h) {
        (Some(t), Some(h)) => hosted::open_page(&state, &id, &t, &h).await,
        _ => Err(Refused::NotValid),
    };
    let refused = match opened {
        Ok(page) => return render_page(&id, page),
        Err(r) => r,
    };
    let mut cause = None;
    let (status, title, text, host) = match refused {
        Refused::NotValid => (
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This payment link is not valid.",
            None,
        ),
        Refused::TryLater(c) => {
            cause = Some(c);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "The page could not be loaded.",
                None,
            )
        }
        Refused::Expired { host } => (
            StatusCode::GONE,
            "Link expired",
            "This payment link has expired or was already used. Please return and start again.",
            Some(host),
        ),
        Refused::Closed { host } => (
            StatusCode::GONE,
            "Session closed",
            "This payment session is closed.",
            Some(host),
        ),
    };
    let mut resp = message_page(status, title, text, host.as_deref());
    crate::middleware::ErrorCause::attach(&mut resp, cause);
    resp
}

/// The capture form of an opened page view.
fn render_page(id: &str, page: hosted::Opened) -> Response {
    let nonce = pages::nonce();
    let config = pages::script_json(&json!({
        "session": id,
        "pageToken": page.page_token,
        "host": page.session.host_uri,
        "destinations": page.settings.destinations,
        "cvvRequired": page.settings.cvv_required,
    }));
    pages::render(
        StatusCode::OK,
        &CapturePage {
            nonce: &nonce,
            config: &config,
        },
        Headers::customer_page(
            &nonce,
            Some(IMG_SRC),
            &frame_ancestors(&page.session.host_uri),
        ),
    )
}

/// The page view a call of the page's own script belongs to: the session
/// in the path and the view's `X-Page-Token` (410 when it is over).
pub struct PageView(hosted::PageCtx);

impl FromRequestParts<AppState> for PageView {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Response> {
        let Ok(AnyPath(id)) = AnyPath::<String>::from_request_parts(parts, state).await;
        page_ctx(state, &id, &parts.headers)
            .await
            .map(PageView)
            .map_err(IntoResponse::into_response)
    }
}

/// POST /session/{id}/submit
#[utoipa::path(post, path = "/session/{id}/submit", tag = "Capture sessions",
    description = "Called by the hosted page's own script with its X-Page-Token: verifies the recipient and the account and answers the outcome and the event the page relays to its parent.",
    params(("id" = String, Path), ("X-Page-Token" = String, Header)),
    request_body(content = Submission, description = "destination and the recipient, with card_number + expiry (+ cvv), routing_number + account_number, or payee_id + account_number"),
    responses((status = 200, content_type = "application/json", description = "outcome success | invalid | retry | closed, with event"),
        (status = 410, content_type = "application/json", description = "The page view is over")))]
pub async fn submit(
    State(state): State<AppState>,
    PageView(ctx): PageView,
    body: axum::body::Bytes,
) -> Response {
    let Ok(s) = serde_json::from_slice::<Submission>(&body) else {
        return Outcome::Invalid(json!({"form": ["The form could not be read."]})).into_response();
    };
    hosted::submit(&state, &ctx, s).await.into_response()
}

/// POST /session/{id}/cancel: the customer gives up; the session stays.
#[utoipa::path(post, path = "/session/{id}/cancel", tag = "Capture sessions",
    params(("id" = String, Path), ("X-Page-Token" = String, Header)),
    responses((status = 200, content_type = "application/json", description = "FUNDING_CANCELED event"),
        (status = 410, content_type = "application/json", description = "The page view is over")))]
pub async fn cancel(State(state): State<AppState>, PageView(ctx): PageView) -> Response {
    hosted::cancel(&state, &ctx).await.into_response()
}

#[derive(Deserialize, Default)]
pub struct PayeeQuery {
    q: Option<String>,
}

/// GET /session/{id}/payees?q=…: the biller directory, for the page's bill pay choice.
#[utoipa::path(get, path = "/session/{id}/payees", tag = "Capture sessions",
    params(("id" = String, Path), ("q" = String, Query), ("X-Page-Token" = String, Header)),
    responses((status = 200, content_type = "application/json", description = "payees"),
        (status = 410, content_type = "application/json", description = "The page view is over")))]
pub async fn payees(
    State(state): State<AppState>,
    _view: PageView,
    AnyQuery(q): AnyQuery<PayeeQuery>,
) -> Response {
    match hosted::payees(&state, &q.q.unwrap_or_default()).await {
        Ok(list) => Json(list).into_response(),
        Err(empty) => (StatusCode::SERVICE_UNAVAILABLE, Json(empty)).into_response(),
    }
}

/// GET /js/fundline-capture.js: mounts the page in a frame and relays its events.
#[utoipa::path(get, path = "/js/fundline-capture.js", tag = "Capture sessions",
    description = "FundlineCapture.mount({url, container, onEvent}) for the partner's page.",
    responses((status = 200, content_type = "text/javascript")))]
pub async fn helper_js() -> Response {
    let mut resp = (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("capture.js"),
    )
        .into_response();
    resp.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ancestors_follow_the_host() {
        assert_eq!(
            frame_ancestors("http://127.0.0.1"),
            "http://127.0.0.1 http://127.0.0.1:*"
        );
        assert_eq!(
            frame_ancestors("https://pay.example.com:8443"),
            "https://pay.example.com:8443"
        );
        assert_eq!(frame_ancestors("nonsense"), "'none'");
    }

    #[test]
    fn the_config_is_written_into_the_script_as_json_that_cannot_close_it() {
        let config = pages::script_json(&json!({"host": "</script><script>alert(1)//"}));
        let html = CapturePage {
            nonce: "n0nce",
            config: &config,
        }
        .render()
        .unwrap();
        assert!(html.contains(
            "var CONFIG = {\"host\":\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)//\"};"
        ));
        assert_eq!(html.matches("</script>").count(), 1, "{html}");
        assert_eq!(
            html.matches("nonce=\"n0nce\"").count(),
            2,
            "style and script"
        );
        assert!(html.contains("<label for=\"card_number\">Card number</label>"));
    }

    #[test]
    fn a_message_page_escapes_its_text() {
        let html = MessagePage {
            nonce: "n0nce",
            title: "Link expired",
            text: "<b>&'\"",
        }
        .render()
        .unwrap();
        assert!(html.contains("<title>Link expired</title>"));
        assert!(
            html.contains("<main><h1>Link expired</h1><p>&#60;b&#62;&#38;&#39;&#34;</p></main>")
        );
    }
}
