//! Reading the product's JSON bodies: each field as the spec types it, with a
//! rule message when a client sends the wrong JSON type.

use serde_json::{Map, Value};

/// A trimmed string field; absent, null and "" are `None`. A number where a
/// string belongs is read as its digits (clients send phone numbers both ways).
pub fn text(body: &Map<String, Value>, name: &str) -> Option<String> {
    match body.get(name) {
        Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

pub fn is_digits(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

pub fn valid_email(s: &str) -> bool {
    fundline_core::contact::normalize_email(s).is_some()
}

/// Length in characters, as the spec's "must not exceed N characters" counts.
pub fn too_long(s: &Option<String>, max: usize) -> bool {
    s.as_ref().is_some_and(|s| s.chars().count() > max)
}

/// A JSON integer (or an integer written as a string).
pub fn integer(body: &Map<String, Value>, name: &str) -> Option<Result<i64, ()>> {
    match body.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.as_i64().ok_or(())),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim().parse().map_err(|_| ())),
        Some(_) => Some(Err(())),
    }
}

pub fn boolean(body: &Map<String, Value>, name: &str) -> Option<Result<bool, ()>> {
    match body.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(Ok(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(Ok(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(Ok(false)),
        Some(_) => Some(Err(())),
    }
}

/// A true/false field, `default` when absent or null; another JSON type
/// adds `rule` to the errors and reads as `default`.
pub fn flag(
    body: &Map<String, Value>,
    name: &str,
    default: bool,
    rule: &str,
    errors: &mut Vec<String>,
) -> bool {
    match boolean(body, name) {
        None => default,
        Some(Ok(b)) => b,
        Some(Err(())) => {
            errors.push(rule.into());
            default
        }
    }
}

/// A password field exactly as sent (its spaces count); absent, or not a
/// string: "".
pub fn password(body: &Map<String, Value>, name: &str) -> String {
    body.get(name)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// A GUID path or body value, lower-cased.
pub fn guid(s: &str) -> Option<String> {
    uuid::Uuid::parse_str(s.trim())
        .ok()
        .map(|u| u.hyphenated().to_string())
}

/// The last four characters (what a masked number shows).
pub fn last4(s: &str) -> String {
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(4)).collect()
}
