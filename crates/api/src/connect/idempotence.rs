//! X-GCS-Idempotence-Key on token creation: the first request with a key
//! runs, a retry within the TTL gets the first answer (and
//! `X-GCS-Idempotence-Request-Timestamp`), and a duplicate still in flight
//! gets 409 with code 1409.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fundline_store::connect::{self as repo, Claim};
use serde_json::{json, Value};
use std::future::Future;

use super::auth::Merchant;
use super::error::{invalid, ConnectError};
use crate::AppState;

/// Idempotence keys are kept this long before a retry counts as new.
pub(crate) const IDEMPOTENCE_TTL_MICROS: i64 = 24 * 3600 * 1_000_000;
/// A claim older than this whose request never finished is taken over.
const IN_PROGRESS_STALE_MICROS: i64 = 60 * 1_000_000;

/// The request's idempotence key; None when it sent none (or a blank one).
pub fn key(headers: &HeaderMap) -> Result<Option<&str>, ConnectError> {
    let key = headers
        .get("x-gcs-idempotence-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    match key {
        Some(k) if k.len() > 128 || k.chars().any(char::is_control) => {
            Err(ConnectError::validation(vec![invalid(
                "X-GCS-Idempotence-Key",
                "at most 128 printable characters",
            )]))
        }
        k => Ok(k),
    }
}

/// Run `request` once for this merchant's `key`: a replay answers what the
/// first run answered, without running it again.
pub async fn once<Fut>(
    state: &AppState,
    m: &Merchant,
    key: &str,
    request: impl FnOnce() -> Fut,
) -> Result<Response, ConnectError>
where
    Fut: Future<Output = Result<(StatusCode, Value), ConnectError>>,
{
    let slot = Slot { state, m, key };
    match slot.claim().await? {
        Claim::Replay {
            status,
            body,
            created_at,
        } => Ok(replay(status, &body, created_at)),
        Claim::InProgress => Err(ConnectError::one(
            StatusCode::CONFLICT,
            super::error::codes::DUPLICATE_REQUEST_IN_PROGRESS,
            "DUPLICATE_REQUEST_IN_PROGRESS",
            "CONNECT_PLATFORM_ERROR",
            "DUPLICATE_REQUEST_IN_PROGRESS",
        )),
        Claim::Fresh => {
            // An error is an answer too: a retry replays it, as Connect does.
            let (status, value) = match request().await {
                Ok(ok) => ok,
                Err(e) => (e.status, e.body(&uuid::Uuid::new_v4().to_string())),
            };
            slot.record(status, &value).await?;
            Ok((status, axum::Json(value)).into_response())
        }
    }
}

/// The first answer again, with when the first request was made.
fn replay(status: i64, body: &str, created_at: i64) -> Response {
    let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
    let value: Value = serde_json::from_str(body).unwrap_or_else(|_| json!({}));
    let mut resp = (status, axum::Json(value)).into_response();
    if let Ok(v) = header::HeaderValue::from_str(&(created_at / 1000).to_string()) {
        resp.headers_mut()
            .insert("X-GCS-Idempotence-Request-Timestamp", v);
    }
    resp
}

/// One merchant's idempotence key in the store.
struct Slot<'a> {
    state: &'a AppState,
    m: &'a Merchant,
    key: &'a str,
}

impl Slot<'_> {
    /// Claim the key; one whose answer has outlived the TTL is free again,
    /// for this request.
    async fn claim(&self) -> Result<Claim, ConnectError> {
        let now = self.state.clock.now_micros();
        let claim = self.try_claim(now).await?;
        if matches!(claim, Claim::Replay { created_at, .. } if now - created_at >= IDEMPOTENCE_TTL_MICROS)
        {
            self.release(false).await?;
            return self.try_claim(now).await;
        }
        Ok(claim)
    }

    async fn try_claim(&self, now: i64) -> Result<Claim, ConnectError> {
        Ok(repo::claim_idempotence(
            &self.state.store,
            self.m.tenant_id.clone(),
            self.m.merchant_id.clone(),
            self.key.to_string(),
            now,
            now - IN_PROGRESS_STALE_MICROS,
        )
        .await?)
    }

    /// Keep the answer for replays; a server error is not kept, so a retry
    /// runs again rather than replaying our failure.
    async fn record(&self, status: StatusCode, value: &Value) -> Result<(), ConnectError> {
        if status.is_server_error() {
            return self.release(true).await;
        }
        repo::finish_idempotence(
            &self.state.store,
            self.m.tenant_id.clone(),
            self.m.merchant_id.clone(),
            self.key.to_string(),
            i64::from(status.as_u16()),
            value.to_string(),
        )
        .await?;
        Ok(())
    }

    async fn release(&self, only_in_progress: bool) -> Result<(), ConnectError> {
        repo::release_idempotence(
            &self.state.store,
            self.m.tenant_id.clone(),
            self.m.merchant_id.clone(),
            self.key.to_string(),
            only_in_progress,
        )
        .await?;
        Ok(())
    }
}
