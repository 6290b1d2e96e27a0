//! Retries of signed gateway requests (docs/gateway.md, "Retries").
//!
//! A partner that times out re-sends the same signed request. Refusing it
//! as a replay would turn a safe retry into an error; running it again
//! could pay twice. So each signature is claimed once, until its X-Date
//! window closes, and its first answer is kept (sealed): an exact retry gets
//! that answer, marked `Idempotent-Replayed: true`, and nothing runs again.
//! A request with an Idempotency-Key is the exception: its key decides
//! (spec 001: same key, same request → 101 with a fresh URL), so it reaches
//! the handler. An attacker who captures a request gains nothing by
//! replaying it: the answer is the one already given.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fundline_store::gateway::{self as repo, SignatureClaim};

use super::envelope::GwResponse;
use super::error::GatewayError;
use crate::AppState;

const TABLE: &str = "gw_seen_signatures";
const COLUMN: &str = "answer_sealed";
/// A retry of a request still running waits this long for its answer.
const PENDING_WAIT: Duration = Duration::from_secs(2);
/// Gateway answers are small envelopes; anything larger is not kept.
const MAX_KEPT_ANSWER: usize = 256 * 1024;

/// Where the extractor leaves the signature it claimed, for [`remember`].
#[derive(Clone, Default)]
pub struct AnswerSlot(Arc<Mutex<Option<Claimed>>>);

#[derive(Clone)]
struct Claimed {
    signature: String,
    tenant_id: String,
}

/// Middleware of the gateway routes: keeps the answer of each freshly
/// claimed signature; frees the claim when the request failed on our side.
pub async fn remember(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let slot = AnswerSlot::default();
    req.extensions_mut().insert(slot.clone());
    let resp = next.run(req).await;
    let Some(claimed) = slot.0.lock().ok().and_then(|mut s| s.take()) else {
        return resp;
    };
    let status = resp.status();
    if status.is_server_error() {
        release(&state, claimed.signature).await;
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_KEPT_ANSWER).await else {
        release(&state, claimed.signature).await;
        return GwResponse::unavailable(Instant::now()).into_response();
    };
    match state.keyring.tenant(&state.store, &claimed.tenant_id).await {
        Ok(keys) => {
            let sealed = keys.seal(TABLE, COLUMN, &bytes);
            let kept = repo::answer_signature(
                &state.store,
                claimed.signature.clone(),
                i64::from(status.as_u16()),
                sealed,
            )
            .await;
            if kept.is_err() {
                release(&state, claimed.signature).await;
            }
        }
        Err(_) => release(&state, claimed.signature).await,
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn release(state: &AppState, signature: String) {
    if let Err(e) = repo::release_signature(&state.store, signature).await {
        tracing::warn!(error = %e, "could not free a gateway signature claim");
    }
}

/// Claims a verified request's signature. `Ok` lets the request run;
/// `Err` is the answer to a retry (the first answer, or "still running").
pub(crate) async fn claim(
    state: &AppState,
    extensions: &axum::http::Extensions,
    signature: String,
    tenant_id: &str,
    expires_at: i64,
    keyed: bool,
    started: Instant,
) -> Result<(), Response> {
    let deadline = Instant::now() + PENDING_WAIT;
    loop {
        let claim = repo::claim_signature(
            &state.store,
            signature.clone(),
            tenant_id.to_string(),
            expires_at,
        )
        .await
        .map_err(|e| GatewayError::Store(e).at(started).into_response())?;
        match claim {
            SignatureClaim::Fresh => {
                if let Some(slot) = extensions.get::<AnswerSlot>() {
                    if let Ok(mut s) = slot.0.lock() {
                        *s = Some(Claimed {
                            signature,
                            tenant_id: tenant_id.to_string(),
                        });
                    }
                }
                return Ok(());
            }
            // The Idempotency-Key decides, in the handler.
            _ if keyed => return Ok(()),
            SignatureClaim::Answered { status, sealed } => {
                return Err(replayed(state, tenant_id, status, &sealed, started).await)
            }
            SignatureClaim::Pending if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            SignatureClaim::Pending => {
                return Err(GatewayError::InProgress.at(started).into_response())
            }
        }
    }
}

/// The first answer to a signed request, given again.
async fn replayed(
    state: &AppState,
    tenant_id: &str,
    status: i64,
    sealed: &str,
    started: Instant,
) -> Response {
    let body = match state.keyring.tenant(&state.store, tenant_id).await {
        Ok(keys) => keys.open(TABLE, COLUMN, sealed).ok(),
        Err(_) => None,
    };
    let (Some(body), Ok(status)) = (body, StatusCode::from_u16(status as u16)) else {
        return GwResponse::unavailable(started).into_response();
    };
    let mut resp = (status, body.to_vec()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    resp
}
