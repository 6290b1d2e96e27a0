//! A tenant's gateway settings: a JSON document (`fundline admin tenant
//! gateway`), every key optional, validated before it is stored. Nodes cache
//! it for a few seconds.

use std::collections::BTreeMap;
use std::sync::Arc;

use fundline_core::money::Cents;
use serde::{Deserialize, Serialize};

use super::issuer::{AccountType, GatewaySettings, Limits};
use crate::AppState;

pub const PRODUCT: &str = "gateway";

/// What the hosted page can offer.
pub const DESTINATIONS: &[&str] = &["debit_card", "bank_account", "bill_pay"];

/// Per page view: failed recipient matches, failed account verifications;
/// per session: failures in all. Reaching a page limit ends the page
/// (non-terminal: a fresh URL continues); reaching the session limit ends
/// the session (terminal).
#[derive(Debug, Clone, Copy)]
pub struct AttemptLimits {
    pub recipient_per_page: i64,
    pub account_per_page: i64,
    pub per_session: i64,
}

impl Default for AttemptLimits {
    fn default() -> Self {
        AttemptLimits {
            recipient_per_page: 3,
            account_per_page: 3,
            per_session: 5,
        }
    }
}

/// A tenant's velocity limits (defaults; docs/gateway.md).
#[derive(Debug, Clone, Copy)]
pub struct VelocityLimits {
    pub per_transaction: Cents,
    pub per_token_per_day: Cents,
    pub per_tenant_per_day: Cents,
}

impl Default for VelocityLimits {
    fn default() -> Self {
        VelocityLimits {
            per_transaction: Cents(500_000),
            per_token_per_day: Cents(1_000_000),
            per_tenant_per_day: Cents(100_000_000),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LimitDoc {
    pub min: String,
    pub max: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TypeLimits {
    /// Push (credit) limits; absent = push not enabled.
    pub credit: Option<LimitDoc>,
    /// Pull (debit) limits; absent = pull not enabled.
    pub debit: Option<LimitDoc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Attempts {
    pub recipient_per_page: i64,
    pub account_per_page: i64,
    pub per_session: i64,
}

impl Default for Attempts {
    fn default() -> Self {
        let a = AttemptLimits::default();
        Attempts {
            recipient_per_page: a.recipient_per_page,
            account_per_page: a.account_per_page,
            per_session: a.per_session,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct VelocityDoc {
    pub per_transaction: String,
    pub per_token_per_day: String,
    pub per_tenant_per_day: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TenantGatewaySettings {
    /// Retail participants must send store_id, terminal_id and clerk_id.
    pub retail: bool,
    /// CA verifies must carry a CVV (checked once, never stored).
    pub cvv_required: bool,
    /// The tenant pays out by PayPal: capture sessions must carry the
    /// recipient's email_address (spec 001: "Required for PayPal enabled
    /// participants").
    pub paypal_enabled: bool,
    /// What the hosted page offers: debit_card, bank_account, bill_pay.
    pub destinations: Vec<String>,
    pub attempts: Attempts,
    /// Per account type (CA, AC, BP, CK).
    pub limits: BTreeMap<String, TypeLimits>,
    /// Absent: the server's defaults.
    pub velocity: Option<VelocityDoc>,
}

fn doc(l: Option<Limits>) -> Option<LimitDoc> {
    l.map(|l| LimitDoc {
        min: l.min.to_decimal_string(),
        max: l.max.to_decimal_string(),
    })
}

impl Default for TenantGatewaySettings {
    fn default() -> Self {
        let g = GatewaySettings::default();
        let limits = [
            AccountType::Ca,
            AccountType::Ac,
            AccountType::Bp,
            AccountType::Ck,
        ]
        .into_iter()
        .map(|t| {
            (
                t.code().to_string(),
                TypeLimits {
                    credit: doc(g.credit_limits(t)),
                    debit: doc(g.debit_limits(t)),
                },
            )
        })
        .collect();
        TenantGatewaySettings {
            retail: g.retail,
            cvv_required: g.cvv_required,
            paypal_enabled: false,
            destinations: DESTINATIONS.iter().map(|d| d.to_string()).collect(),
            attempts: Attempts::default(),
            limits,
            velocity: None,
        }
    }
}

fn cents(s: &str, what: &str) -> Result<Cents, String> {
    Cents::parse_decimal(s.trim(), 9)
        .ok_or_else(|| format!("{what}: {s:?} is not an amount like 1234.56"))
}

fn limits(d: &Option<LimitDoc>, what: &str) -> Result<Option<Limits>, String> {
    match d {
        None => Ok(None),
        Some(d) => {
            let (min, max) = (cents(&d.min, what)?, cents(&d.max, what)?);
            if min.0 <= 0 || min > max {
                return Err(format!("{what}: min must be positive and at most max"));
            }
            Ok(Some(Limits { min, max }))
        }
    }
}

impl TenantGatewaySettings {
    /// Parses and validates a document; the error says what is wrong.
    pub fn parse(json: &str) -> Result<TenantGatewaySettings, String> {
        let s: TenantGatewaySettings =
            serde_json::from_str(json).map_err(|e| format!("invalid gateway settings: {e}"))?;
        s.issuer()?;
        s.velocity_limits(VelocityLimits::default())?;
        if s.destinations.is_empty()
            || s.destinations
                .iter()
                .any(|d| !DESTINATIONS.contains(&d.as_str()))
        {
            return Err(format!(
                "destinations must be a non-empty subset of {DESTINATIONS:?}"
            ));
        }
        let a = &s.attempts;
        if a.recipient_per_page < 1
            || a.account_per_page < 1
            || a.per_session < 1
            || a.per_session > 100
        {
            return Err("attempts must be between 1 and 100".into());
        }
        Ok(s)
    }

    pub fn issuer(&self) -> Result<GatewaySettings, String> {
        let mut g = GatewaySettings {
            retail: self.retail,
            cvv_required: self.cvv_required,
            ..GatewaySettings::default()
        };
        for (key, l) in &self.limits {
            let t = AccountType::parse(key)
                .ok_or_else(|| format!("limits: unknown account type {key}"))?;
            for slot in g.credit.iter_mut().filter(|(k, _)| *k == t) {
                slot.1 = limits(&l.credit, &format!("limits.{key}.credit"))?;
            }
            for slot in g.debit.iter_mut().filter(|(k, _)| *k == t) {
                slot.1 = limits(&l.debit, &format!("limits.{key}.debit"))?;
            }
        }
        Ok(g)
    }

    pub fn attempt_limits(&self) -> AttemptLimits {
        AttemptLimits {
            recipient_per_page: self.attempts.recipient_per_page,
            account_per_page: self.attempts.account_per_page,
            per_session: self.attempts.per_session,
        }
    }

    pub fn velocity_limits(&self, fallback: VelocityLimits) -> Result<VelocityLimits, String> {
        match &self.velocity {
            None => Ok(fallback),
            Some(v) => Ok(VelocityLimits {
                per_transaction: cents(&v.per_transaction, "velocity.per_transaction")?,
                per_token_per_day: cents(&v.per_token_per_day, "velocity.per_token_per_day")?,
                per_tenant_per_day: cents(&v.per_tenant_per_day, "velocity.per_tenant_per_day")?,
            }),
        }
    }
}

/// A tenant's effective settings (defaults where it has none).
pub async fn load(state: &AppState, tenant_id: &str) -> Arc<TenantGatewaySettings> {
    let s = match crate::settings_doc(state, tenant_id, PRODUCT).await {
        Ok(Some(json)) => TenantGatewaySettings::parse(&json).unwrap_or_else(|e| {
            tracing::error!(tenant_id, error = %e, "stored gateway settings are invalid; using defaults");
            TenantGatewaySettings::default()
        }),
        Ok(None) => TenantGatewaySettings::default(),
        Err(e) => {
            tracing::warn!(tenant_id, error = %e, "gateway settings unavailable; using defaults");
            TenantGatewaySettings::default()
        }
    };
    Arc::new(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_and_bad_documents_are_refused() {
        let d = TenantGatewaySettings::default();
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(TenantGatewaySettings::parse(&json).unwrap(), d);
        assert_eq!(d.issuer().unwrap(), GatewaySettings::default());
        let partial =
            TenantGatewaySettings::parse(r#"{"retail": true, "destinations": ["debit_card"]}"#)
                .unwrap();
        assert!(partial.retail);
        assert_eq!(partial.attempts, Attempts::default());
        for bad in [
            r#"{"retial": true}"#,
            r#"{"destinations": []}"#,
            r#"{"destinations": ["cash"]}"#,
            r#"{"limits": {"XX": {}}}"#,
            r#"{"limits": {"CA": {"credit": {"min": "10.00", "max": "1.00"}}}}"#,
            r#"{"velocity": {"per_transaction": "x", "per_token_per_day": "1", "per_tenant_per_day": "1"}}"#,
            r#"{"attempts": {"per_session": 0}}"#,
        ] {
            assert!(TenantGatewaySettings::parse(bad).is_err(), "{bad}");
        }
    }
}
