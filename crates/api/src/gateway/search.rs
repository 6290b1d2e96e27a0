//! `POST /gateway/search`: the biller directory, for bill pay (BP) payee ids.
//! Spec 002 refers to it without defining it; the request and answer are
//! shaped like verify's (docs/gateway.md).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use fundline_store::gateway as repo;
use serde_json::{json, Map, Value};

use super::auth::Gateway;
use super::envelope::{code, GwResponse};
use super::fields::Fields;
use super::issuer::GatewaySettings;
use super::verify::{common, Common};
use crate::AppState;

pub const PATH: &str = "/gateway/search";
const MAX_RESULTS: i64 = 50;

/// The rules of a search body: the common fields (no
/// participant_unique_id1 asked) and payee_name. `Err(Some(data))` is the
/// 13400 data map; `Err(None)` a value missing without an error (answered
/// 13503).
pub fn parse(obj: &Map<String, Value>) -> Result<(Common, String), Option<Value>> {
    let mut f = Fields::new(obj, "");
    let mut copy = obj.clone();
    // participant_unique_id1 is not asked of a search.
    copy.entry("participant_unique_id1")
        .or_insert(json!("search"));
    let mut g = Fields::new(&copy, "");
    let c = common(&mut g, &copy, &GatewaySettings::default());
    let name = f.text("payee_name", true, 100);
    f.absorb(g);
    if !f.errors.is_empty() {
        return Err(Some(Value::Object(f.errors)));
    }
    let (Some(c), Some(name)) = (c, name) else {
        return Err(None);
    };
    Ok((c, name))
}

#[utoipa::path(post, path = "/gateway/search", tag = "Payout gateway",
    description = "Search the biller directory by payee_name (case-insensitive substring); HMAC-signed. Body: participant_id, payee_name, timestamp, version.",
    request_body(content = serde_json::Value),
    responses((status = 200, body = super::sessions::GatewayEnvelopeDoc, description = "status 100 with data.payees"),
        (status = 400, body = super::sessions::GatewayEnvelopeDoc, description = "status 13400"),
        (status = 401, body = super::sessions::GatewayEnvelopeDoc, description = "status 13401")))]
pub async fn search(State(state): State<AppState>, gw: Gateway) -> Response {
    let started = gw.started;
    let obj = match gw.json_object() {
        Ok(o) => o,
        Err(r) => return r.into_response(),
    };
    let (c, name) = match parse(&obj) {
        Ok(r) => r,
        Err(Some(data)) => return GwResponse::validation(data, started).into_response(),
        Err(None) => return GwResponse::unavailable(started).into_response(),
    };
    if c.participant_id != gw.participant_id {
        return GwResponse::unauthorized("participant_id_mismatch", started).into_response();
    }
    match repo::search_billers(&state.store, &name, MAX_RESULTS).await {
        Ok(list) => {
            let payees: Vec<Value> = list
                .iter()
                .map(|b| {
                    json!({"payee_id": b.payee_id, "payee_name": b.name, "payee_address": b.address,
                           "payee_city": b.city, "payee_state": b.state, "payee_zip": b.zip})
                })
                .collect();
            let count = payees.len();
            GwResponse::ok(
                code::SUCCESS,
                "Success",
                json!({"payees": payees, "count": count, "request_timestamp": state.clock.now().timestamp()}),
                started,
            )
            .into_response()
        }
        Err(e) => GwResponse::from((e, started)).into_response(),
    }
}
