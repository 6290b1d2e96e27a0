//! HTML pages, rendered from the askama templates in `crates/api/templates/`
//! (checked when the crate compiles). The engine escapes every value of an
//! `.html` template; `|safe` is kept for values already made safe for their
//! place, such as `script_json`'s. A page is sent by `render`, with the
//! security headers it asks for.

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

/// A fresh nonce for a page's inline script and style (`base.html`).
pub fn nonce() -> String {
    fundline_vault::random_token(16)
}

/// The security headers a page is sent with. Each page keeps the ones it
/// has always sent, so the flags are explicit rather than one fixed set.
#[derive(Debug, Default)]
pub struct Headers {
    pub csp: Option<String>,
    /// `Cache-Control: no-store`.
    pub no_store: bool,
    /// `Referrer-Policy: no-referrer`.
    pub no_referrer: bool,
    /// `X-Content-Type-Options: nosniff`.
    pub nosniff: bool,
}

impl Headers {
    /// A customer page: its own inline style and script under `nonce`,
    /// requests to its own origin only, no form posts, framed by
    /// `frame_ancestors` (a CSP source list, or `'none'`); never cached,
    /// no referrer, no sniffing.
    pub fn customer_page(nonce: &str, img_src: Option<&str>, frame_ancestors: &str) -> Headers {
        let img = img_src
            .map(|s| format!("img-src {s}; "))
            .unwrap_or_default();
        Headers {
            csp: Some(format!(
                "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; {img}\
                 form-action 'none'; base-uri 'none'; frame-ancestors {frame_ancestors}"
            )),
            no_store: true,
            no_referrer: true,
            nosniff: true,
        }
    }

    fn apply(self, resp: &mut Response) {
        let h = resp.headers_mut();
        if let Some(v) = self.csp.and_then(|c| HeaderValue::from_str(&c).ok()) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        if self.no_store {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if self.no_referrer {
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
        }
        if self.nosniff {
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
        }
    }
}

/// `page` as an HTML response with `status` and `headers`.
pub fn render(status: StatusCode, page: &impl Template, headers: Headers) -> Response {
    match page.render() {
        Ok(html) => {
            let mut resp = (status, Html(html)).into_response();
            headers.apply(&mut resp);
            resp
        }
        // Only a failing Display of a value can fail a render; the page's
        // values are its own strings, so this is a bug, not a request's fault.
        Err(e) => {
            let mut resp = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            crate::middleware::ErrorCause::attach(
                &mut resp,
                Some(crate::middleware::ErrorCause::new(format_args!(
                    "page render failed: {e}"
                ))),
            );
            resp
        }
    }
}

/// JSON to write inside a `<script>` element (with `|safe`): no `</script>`
/// or `<!--` can appear in it, and it is still the same JSON.
pub fn script_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_its_script() {
        let s = script_json(&serde_json::json!({"a": "</script><!--&"}));
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert_eq!(
            serde_json::from_str::<Value>(&s).unwrap(),
            serde_json::json!({"a": "</script><!--&"})
        );
    }

    #[test]
    fn a_customer_page_policy_allows_its_nonce_only() {
        let h = Headers::customer_page("abc", Some("'self' blob:"), "'none'");
        assert_eq!(
            h.csp.as_deref(),
            Some(
                "default-src 'none'; script-src 'nonce-abc'; style-src 'nonce-abc'; connect-src 'self'; \
                 img-src 'self' blob:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
            )
        );
        let h = Headers::customer_page("abc", None, "https://a.example");
        assert!(h.csp.unwrap().contains(
            "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors https://a.example"
        ));
    }
}
