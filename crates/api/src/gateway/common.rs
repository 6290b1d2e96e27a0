//! The fields every gateway call shares (spec 002): participant_id, the
//! partner's ids, timestamp, version, amount and the retail fields.

use fundline_core::money::Cents;
use serde_json::{json, Map, Value};

use super::error::GatewayError;
use super::fields::Fields;
use super::issuer::GatewaySettings;

/// The only `version` spec 002 accepts.
pub const VERSION: i64 = 11;

pub const STATE_MESSAGE: &str = "The field must be a valid US state.";
pub const ZIP_MESSAGE: &str = "The field must be a 5-digit zip or zip plus 4 (xxxxx-xxxx).";

#[derive(Debug, Clone)]
pub struct Common {
    pub participant_id: i64,
    pub participant_unique_id1: String,
    pub participant_unique_id2: Option<String>,
    pub timestamp: i64,
    pub amount: Option<Cents>,
}

/// participant_id, ids, timestamp, version, amount, retail fields.
pub fn common(
    f: &mut Fields,
    obj: &Map<String, Value>,
    settings: &GatewaySettings,
) -> Option<Common> {
    let participant_id = f.integer("participant_id", true);
    let timestamp = f.integer("timestamp", true);
    if let Some(v) = f.integer("version", true) {
        if v != VERSION {
            f.error("version", format!("The Version field must be {VERSION}."));
        }
    }
    let uid1 = f.text("participant_unique_id1", true, 255);
    let uid2 = f.text("participant_unique_id2", false, 255);
    let amount = amount(f, obj);
    for id in ["store_id", "terminal_id", "clerk_id"] {
        f.text(id, settings.retail, 255);
    }
    if f.has("retail_location") {
        if let Some(loc) = f.object("retail_location") {
            let mut g = Fields::new(loc, &f.prefix_of("retail_location"));
            for (name, max) in [
                ("location_name", 150),
                ("location_id", 150),
                ("location_address", 150),
                ("location_city", 150),
            ] {
                g.text(name, true, max);
            }
            g.state("location_state", STATE_MESSAGE);
            g.zip("location_zip", ZIP_MESSAGE);
            f.absorb(g);
        }
    }
    Some(Common {
        participant_id: participant_id?,
        participant_unique_id1: uid1?,
        participant_unique_id2: uid2,
        timestamp: timestamp?,
        amount,
    })
}

/// A positive dollar amount with at most two decimals, as a string or a
/// JSON number.
fn amount(f: &mut Fields, obj: &Map<String, Value>) -> Option<Cents> {
    let text = match obj.get("amount")? {
        Value::Null => return None,
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let amount = text
        .as_deref()
        .and_then(|t| Cents::parse_decimal(t, 9))
        .filter(|c| c.0 > 0);
    if amount.is_none() {
        f.error(
            "amount",
            "The Amount field must be a positive dollar amount with at most two decimals.",
        );
    }
    amount
}

/// Reads a body that asks no participant_unique_id1 (search, checkcancel):
/// the common fields, with a stand-in for that id, and `rest`'s own field.
pub fn without_unique_id<T>(
    mut obj: Map<String, Value>,
    stand_in: &str,
    rest: impl FnOnce(&mut Fields) -> Option<T>,
) -> Result<(Common, T), GatewayError> {
    obj.entry("participant_unique_id1")
        .or_insert(json!(stand_in));
    let mut f = Fields::new(&obj, "");
    let c = common(&mut f, &obj, &GatewaySettings::default());
    let value = rest(&mut f);
    finish(f.errors, c.zip(value))
}

/// A parse that found field errors answers them (13400); one that found
/// none but still lacks a value answers 13503, as before.
pub fn finish<T>(errors: Map<String, Value>, value: Option<T>) -> Result<T, GatewayError> {
    if !errors.is_empty() {
        return Err(GatewayError::Validation(Value::Object(errors)));
    }
    value.ok_or(GatewayError::Unavailable)
}
