//! A tenant's check settings (`tenant_settings`, product `checks`): the fee
//! schedule and the limits, each key optional (defaults in docs/check-rules.md).

use fundline_checks::fees::FeeSchedule;
use fundline_checks::risk::Limits;
use serde::{Deserialize, Serialize};

use crate::AppState;

pub const PRODUCT: &str = "checks";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckSettings {
    pub fees: FeeSchedule,
    pub limits: Limits,
}

impl CheckSettings {
    pub fn parse(json: &str) -> Result<CheckSettings, String> {
        let s: CheckSettings =
            serde_json::from_str(json).map_err(|e| format!("check settings: {e}"))?;
        s.fees
            .validate()
            .map_err(|e| format!("check settings: {e}"))?;
        s.limits
            .validate()
            .map_err(|e| format!("check settings: {e}"))?;
        Ok(s)
    }
}

/// The tenant's settings; defaults when it has none (or an unreadable doc,
/// which the admin command refuses to write).
pub async fn of(
    state: &AppState,
    tenant_id: &str,
) -> Result<CheckSettings, fundline_store::StoreError> {
    Ok(crate::settings_doc(state, tenant_id, PRODUCT)
        .await?
        .and_then(|d| CheckSettings::parse(&d).ok())
        .unwrap_or_default())
}
