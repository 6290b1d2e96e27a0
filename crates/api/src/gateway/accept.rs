//! Content negotiation (spec 002): a `/gateway/*` request must accept JSON.

use std::time::Instant;

use axum::response::{IntoResponse, Response};

use super::envelope::spec_002_time_scope;
use super::error::GatewayError;

/// Whether an `Accept` header lets us answer JSON, the one content type
/// spec 002 lists ("default is JSON"): no header, `*/*`, `application/*` or
/// `application/json`, with a q-value above 0.
pub fn accepts_json(accept: Option<&str>) -> bool {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return true;
    };
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let p = p.trim().to_ascii_lowercase();
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        !refused && matches!(media.as_str(), "*/*" | "application/*" | "application/json")
    })
}

/// A `/gateway/*` request whose `Accept` excludes JSON: 406 in the envelope
/// (spec 002 lets participants declare the type they accept; JSON is the
/// only one served).
pub async fn accept_json(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let accept = req
        .headers()
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if req.uri().path().starts_with("/gateway/") && !accepts_json(accept.as_deref()) {
        let refuse = async {
            GatewayError::NotAcceptable
                .at(Instant::now())
                .into_response()
        };
        return spec_002_time_scope(refuse).await;
    }
    next.run(req).await
}

#[cfg(test)]
mod accept_tests {
    use super::accepts_json;

    #[test]
    fn json_is_acceptable_unless_excluded() {
        for ok in [
            None,
            Some(""),
            Some("*/*"),
            Some("application/json"),
            Some("text/html, application/*;q=0.5"),
            Some("Application/JSON; charset=utf-8"),
        ] {
            assert!(accepts_json(ok), "{ok:?}");
        }
        for no in [
            Some("application/xml"),
            Some("text/csv, text/html"),
            Some("application/json;q=0"),
        ] {
            assert!(!accepts_json(no), "{no:?}");
        }
    }
}
