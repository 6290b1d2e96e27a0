//! Idempotency-Key (specs 001 and 002): a repeat of the same request within
//! two hours answers the original result (101); the key with another
//! request answers 13723.

use std::time::Duration;

use serde_json::json;

use super::auth::Gateway;
use super::error::GatewayError;

/// How long an Idempotency-Key stays bound to its request.
pub const IDEMPOTENCY_TTL: Duration = Duration::from_secs(2 * 3600);
pub const IDEMPOTENCY_KEY_MAX: usize = 250;

/// The request's Idempotency-Key (1 to 250 printable characters), if it
/// sent one; a malformed key is a 13400.
pub fn key(gw: &Gateway) -> Result<Option<String>, GatewayError> {
    match gw.headers.get("idempotency-key").map(|v| v.to_str()) {
        None => Ok(None),
        Some(Ok(k))
            if !k.trim().is_empty()
                && k.trim().chars().count() <= IDEMPOTENCY_KEY_MAX
                && !k.chars().any(char::is_control) =>
        {
            Ok(Some(k.trim().to_string()))
        }
        Some(_) => Err(GatewayError::Validation(
            json!({"Idempotency-Key": [format!("The Idempotency-Key header must be 1 to {IDEMPOTENCY_KEY_MAX} printable characters.")]}),
        )),
    }
}

/// Keys recorded before this instant (µs) have expired.
pub fn oldest_live(now_micros: i64) -> i64 {
    now_micros - IDEMPOTENCY_TTL.as_micros() as i64
}

/// A key sent again with another request.
pub fn mismatch(key: &str, participant_id: i64) -> GatewayError {
    GatewayError::IdempotencyMismatch {
        key: key.to_string(),
        participant_id,
    }
}
