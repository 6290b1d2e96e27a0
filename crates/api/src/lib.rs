//! Fundline's HTTP surfaces: one axum router with a module per product, an
//! extractor per auth scheme and an error type per envelope.

// Error envelopes carry their whole body; they are built on cold paths only.
#![allow(clippy::result_large_err)]

pub mod analysis;
pub mod audit;
pub mod cardnet;
pub mod checkcashing;
pub mod checks;
pub mod clock;
pub mod config;
pub mod connect;
mod console;
#[cfg(test)]
mod doc_drift;
mod extract;
pub mod fingerprints;
pub mod gateway;
pub mod housekeeping;
mod middleware;
pub mod ofac;
mod openapi;
mod ops;
mod pages;
pub mod ratelimit;
pub mod server;
mod state;
mod tenancy;
pub mod tls;
pub mod workers;

pub use config::ApiConfig;
pub use state::AppState;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

/// The whole platform's router, with its middleware.
pub fn router(state: AppState) -> Router {
    let (api, _) = routes(Some(&state)).split_for_parts();
    let api = api
        .merge(console::router())
        .fallback(ops::not_found)
        // One body limit for every JSON API (the upload routes set their own).
        .layer(axum::extract::DefaultBodyLimit::max(
            state.config.max_body_bytes,
        ))
        .with_state(state.clone());
    let hsts = state.config.hsts;
    middleware::with_hsts(middleware::wrap(api, state), hsts)
}

/// Every route with its OpenAPI operation, from the handlers' own
/// `#[utoipa::path]`: the server and /openapi.json are both built from this
/// one list, so a route cannot lack its entry nor an entry its route. The
/// layers that need the state are added only when there is one: the
/// document is built without it (a layer adds no path).
pub(crate) fn routes(state: Option<&AppState>) -> OpenApiRouter<AppState> {
    let gateway = match state {
        Some(state) => gateway::router().layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gateway::replay::remember,
        )),
        None => gateway::router(),
    };
    OpenApiRouter::with_openapi(openapi::base())
        .merge(checkcashing::router())
        .merge(gateway)
        .merge(connect::router())
        .merge(analysis::router())
        .merge(checks::router())
        .merge(ops::router())
}

pub use openapi::openapi_json;

/// Tenant settings documents (`tenant_settings`) by tenant and product,
/// cached per node: an operator's change reaches every node within 5 s.
pub struct SettingsDocs {
    cache: moka::sync::Cache<SettingsKey, Option<String>>,
}

impl Default for SettingsDocs {
    fn default() -> Self {
        SettingsDocs {
            cache: moka::sync::Cache::builder()
                .time_to_live(SETTINGS_TTL)
                .max_capacity(SETTINGS_CACHE_MAX)
                .build(),
        }
    }
}

/// (tenant id, product)
type SettingsKey = (String, String);

const SETTINGS_TTL: std::time::Duration = std::time::Duration::from_secs(5);
const SETTINGS_CACHE_MAX: u64 = 10_000;

/// A tenant's settings document for a product, if it has one.
pub(crate) async fn settings_doc(
    state: &AppState,
    tenant_id: &str,
    product: &str,
) -> Result<Option<String>, fundline_store::StoreError> {
    let key = (tenant_id.to_string(), product.to_string());
    if let Some(doc) = state.settings_docs.cache.get(&key) {
        return Ok(doc);
    }
    let doc = fundline_store::tenants::settings(&state.store, tenant_id, product).await?;
    state.settings_docs.cache.insert(key, doc.clone());
    Ok(doc)
}
