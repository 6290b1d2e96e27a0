//! `POST /gateway/search`: the biller directory, for bill pay (BP) payee ids.
//! Spec 002 refers to it without defining it; the request and answer are
//! shaped like verify's (docs/gateway.md).

use axum::extract::State;
use axum::response::Response;
use fundline_store::gateway as repo;
use serde_json::{json, Map, Value};

use super::answer::{answer, Success};
use super::auth::Gateway;
use super::common::{without_unique_id, Common};
use super::error::GatewayError;
use super::fields::json_object;
use super::issuer::payee_json;
use crate::AppState;

const MAX_RESULTS: i64 = 50;

/// The rules of a search body: the common fields (no
/// participant_unique_id1 asked) and payee_name.
pub fn parse(obj: Map<String, Value>) -> Result<(Common, String), GatewayError> {
    without_unique_id(obj, "search", |f| f.text("payee_name", true, 100))
}

/// Billers whose name contains `name`.
pub async fn billers(state: &AppState, name: &str) -> Result<Vec<repo::Biller>, GatewayError> {
    Ok(repo::search_billers(&state.store, name, MAX_RESULTS).await?)
}

#[utoipa::path(post, path = "/gateway/search", tag = "Payout gateway",
    description = "Search the biller directory by payee_name (case-insensitive substring); HMAC-signed. Body: participant_id, payee_name, timestamp, version.",
    request_body = super::schemas::SearchRequestDoc,
    responses((status = 200, body = super::schemas::GatewayEnvelopeDoc, description = "status 100 with data.payees"),
        (status = 400, body = super::schemas::GatewayEnvelopeDoc, description = "status 13400"),
        (status = 401, body = super::schemas::GatewayEnvelopeDoc, description = "status 13401")))]
pub async fn search(State(state): State<AppState>, gw: Gateway) -> Response {
    let found = async {
        let (c, name) = parse(json_object(&gw.body)?)?;
        gw.same_participant(c.participant_id)?;
        let payees: Vec<Value> = billers(&state, &name)
            .await?
            .iter()
            .map(payee_json)
            .collect();
        let now = state.clock.now().timestamp();
        Ok(Success::new(
            json!({"count": payees.len(), "payees": payees, "request_timestamp": now}),
        ))
    };
    answer(gw.started, found.await)
}
