//! Reading partner requests the way the spec's ASP.NET service does:
//! JSON property names match case-insensitively (and, as the spec's own
//! samples have them, with stray spaces around them); a value of the wrong
//! JSON type is a binding error keyed by its JSON name ("The input was not
//! valid."); rule failures are keyed by the property's Pascal name with a
//! FluentValidation-style message. Every failure is collected, not just the first.

use std::collections::{BTreeMap, HashSet};

use axum::http::{header, HeaderMap};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::problem::{Problem, ValidationError};

pub const NOT_VALID: &str = "The input was not valid.";

/// A request object with normalized (trimmed, lowercased) keys.
pub struct Fields {
    prefix: String,
    values: BTreeMap<String, Value>,
    seen: HashSet<String>,
    errors: Vec<ValidationError>,
}

/// A body without its UTF-8 byte-order mark: .NET clients (the services
/// spec 000 describes are ASP.NET, which accepts one) often send it.
pub fn without_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

/// Parses a JSON object body, refusing other content types, malformed JSON,
/// non-object bodies and ambiguous duplicate keys.
pub fn json_object(
    headers: &HeaderMap,
    body: &[u8],
    instance: &str,
    prefix: &str,
) -> Result<Fields, Problem> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false);
    if !is_json {
        return Err(Problem::invalid(
            instance,
            prefix,
            "The request must have Content-Type: application/json.",
        ));
    }
    let value: Value = serde_json::from_slice(without_bom(body))
        .map_err(|_| Problem::invalid(instance, prefix, "The request body is not valid JSON."))?;
    match value {
        Value::Object(map) => {
            Fields::from_map(map, prefix).map_err(|e| Problem::validation(instance, vec![e]))
        }
        _ => Err(Problem::invalid(
            instance,
            prefix,
            "The request body must be a JSON object.",
        )),
    }
}

/// Query-string parameters as a request object (for the GET forms of read methods).
pub fn query_object(query: Option<&str>, prefix: &str) -> Result<Fields, ValidationError> {
    let mut map = Map::new();
    for (k, v) in form_pairs(query.unwrap_or("")) {
        map.insert(k, Value::String(v));
    }
    Fields::from_map(map, prefix)
}

/// application/x-www-form-urlencoded pairs (RFC 6749 token requests, query strings).
pub fn form_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Clone, Copy)]
pub struct Text {
    pub required: bool,
    pub min: usize,
    pub max: usize,
}

pub const fn required(min: usize, max: usize) -> Text {
    Text {
        required: true,
        min,
        max,
    }
}

pub const fn optional(max: usize) -> Text {
    Text {
        required: false,
        min: 0,
        max,
    }
}

impl Fields {
    pub fn from_map(map: Map<String, Value>, prefix: &str) -> Result<Fields, ValidationError> {
        let mut values = BTreeMap::new();
        for (k, v) in map {
            let key = k.trim().to_ascii_lowercase();
            if values.insert(key, v).is_some() {
                return Err(ValidationError {
                    key: format!("{prefix}.{}", k.trim()),
                    message: "The property is given more than once.".into(),
                });
            }
        }
        Ok(Fields {
            prefix: prefix.to_string(),
            values,
            seen: HashSet::new(),
            errors: Vec::new(),
        })
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn take(&mut self, names: &[&str]) -> Option<(String, Value)> {
        for n in names {
            let k = n.to_ascii_lowercase();
            self.seen.insert(k.clone());
            if let Some(v) = self.values.get(&k) {
                return Some((n.to_string(), v.clone()));
            }
        }
        None
    }

    pub fn error(&mut self, key_name: &str, message: impl Into<String>) {
        self.errors.push(ValidationError {
            key: format!("{}.{}", self.prefix, key_name),
            message: message.into(),
        });
    }

    fn required_error(&mut self, pascal: &str) {
        self.error(pascal, format!("The {pascal} field is required."));
    }

    /// A string property (`names[0]` is its spec name, the rest aliases).
    /// Trimmed; an empty optional string reads as absent.
    pub fn text(&mut self, names: &[&str], pascal: &str, rule: Text) -> Option<String> {
        let Some((json_name, v)) = self.take(names) else {
            if rule.required {
                self.required_error(pascal);
            }
            return None;
        };
        let s = match v {
            Value::String(s) => s,
            Value::Null => {
                if rule.required {
                    self.required_error(pascal);
                }
                return None;
            }
            _ => {
                self.error(&json_name, NOT_VALID);
                return None;
            }
        };
        let s = s.trim().to_string();
        if s.is_empty() {
            if rule.required && rule.min > 0 {
                self.required_error(pascal);
            }
            return if rule.required { Some(s) } else { None };
        }
        if s.chars().any(|c| c.is_control()) {
            self.error(pascal, format!("{pascal} contains invalid characters."));
            return None;
        }
        let n = s.chars().count();
        if n > rule.max {
            let unit = if rule.max == 1 {
                "character"
            } else {
                "characters"
            };
            self.error(
                pascal,
                format!("{pascal} cannot exceed {} {unit}", rule.max),
            );
            return None;
        }
        if n < rule.min {
            self.error(
                pascal,
                format!("{pascal} must be at least {} characters", rule.min),
            );
            return None;
        }
        Some(s)
    }

    /// A GUID property; an empty string reads as absent (the spec's samples send "").
    pub fn guid(&mut self, names: &[&str], pascal: &str, required: bool) -> Option<Uuid> {
        let Some((json_name, v)) = self.take(names) else {
            if required {
                self.required_error(pascal);
            }
            return None;
        };
        match v {
            Value::Null => {
                if required {
                    self.required_error(pascal);
                }
                None
            }
            Value::String(s) if s.trim().is_empty() => {
                if required {
                    self.required_error(pascal);
                }
                None
            }
            Value::String(s) => match parse_guid(s.trim()) {
                Some(u) => Some(u),
                None => {
                    self.error(&json_name, NOT_VALID);
                    None
                }
            },
            _ => {
                self.error(&json_name, NOT_VALID);
                None
            }
        }
    }

    /// An integer property, as a JSON number or a numeric string.
    pub fn int(&mut self, names: &[&str], pascal: &str, min: i64, max: i64) -> Option<i64> {
        let (json_name, v) = self.take(names)?;
        let n = match &v {
            Value::Null => return None,
            Value::Number(n) => n.as_i64(),
            Value::String(s) if s.trim().is_empty() => return None,
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        match n {
            None => {
                self.error(&json_name, NOT_VALID);
                None
            }
            Some(n) if n < min || n > max => {
                self.error(pascal, format!("{pascal} must be between {min} and {max}."));
                None
            }
            Some(n) => Some(n),
        }
    }

    /// A Y/N flag, also accepted as a JSON boolean (the spec's sample sends `true`).
    pub fn yes_no(&mut self, names: &[&str], pascal: &str) -> Option<bool> {
        let Some((json_name, v)) = self.take(names) else {
            self.required_error(pascal);
            return None;
        };
        match v {
            Value::Bool(b) => Some(b),
            Value::String(s) => match s.trim().to_ascii_uppercase().as_str() {
                "Y" => Some(true),
                "N" => Some(false),
                "" => {
                    self.required_error(pascal);
                    None
                }
                _ => {
                    self.error(pascal, format!("{pascal} must be Y or N."));
                    None
                }
            },
            Value::Null => {
                self.required_error(pascal);
                None
            }
            _ => {
                self.error(&json_name, NOT_VALID);
                None
            }
        }
    }

    /// An array property of objects, each read with its own `Fields`
    /// prefixed `<prefix>.<Pascal>[i]`.
    pub fn objects(&mut self, names: &[&str], pascal: &str) -> Option<Vec<Result<Fields, ()>>> {
        let Some((json_name, v)) = self.take(names) else {
            self.required_error(pascal);
            return None;
        };
        let Value::Array(items) = v else {
            if v.is_null() {
                self.required_error(pascal);
            } else {
                self.error(&json_name, NOT_VALID);
            }
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let prefix = format!("{}.{pascal}[{i}]", self.prefix);
            match item {
                Value::Object(map) => match Fields::from_map(map, &prefix) {
                    Ok(f) => out.push(Ok(f)),
                    Err(e) => {
                        self.errors.push(e);
                        out.push(Err(()));
                    }
                },
                _ => {
                    self.errors.push(ValidationError {
                        key: prefix,
                        message: NOT_VALID.into(),
                    });
                    out.push(Err(()));
                }
            }
        }
        Some(out)
    }

    /// Absorbs a nested object's errors.
    pub fn absorb(&mut self, nested: Fields) {
        let unknown = nested.unknown_keys();
        self.errors.extend(nested.errors);
        self.errors.extend(unknown);
    }

    fn unknown_keys(&self) -> Vec<ValidationError> {
        self.values
            .keys()
            .filter(|k| !self.seen.contains(*k))
            .map(|k| ValidationError {
                key: format!("{}.{}", self.prefix, truncate(k, 64)),
                message: "The property is not recognized.".into(),
            })
            .collect()
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// All errors, unknown properties included; Ok when there are none.
    pub fn finish(self) -> Result<(), Vec<ValidationError>> {
        let mut errors = self.errors.clone();
        errors.extend(self.unknown_keys());
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A GUID in the 8-4-4-4-12 form only (no braces, no URN, no simple form).
pub fn parse_guid(s: &str) -> Option<Uuid> {
    if s.len() != 36 {
        return None;
    }
    Uuid::parse_str(s).ok()
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> Fields {
        match v {
            Value::Object(m) => Fields::from_map(m, "command").unwrap(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn keys_match_case_insensitively_and_ignore_stray_spaces() {
        let mut f = fields(json!({"City ": " Franklin ", "EMAILADDRESS": "a@b.co"}));
        assert_eq!(
            f.text(&["city"], "City", required(1, 50)).as_deref(),
            Some("Franklin")
        );
        assert_eq!(
            f.text(&["emailAddress", "email"], "EmailAddress", required(1, 100))
                .as_deref(),
            Some("a@b.co")
        );
        assert!(f.finish().is_ok());
    }

    #[test]
    fn messages_follow_the_spec() {
        let mut f = fields(json!({"gender": "MF", "zip": 5, "extra": 1}));
        f.text(&["gender"], "Gender", optional(1));
        f.text(&["zip"], "Zip", required(5, 5));
        f.text(&["city"], "City", required(1, 50));
        let errs = f.finish().unwrap_err();
        let pairs: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.key.as_str(), e.message.as_str()))
            .collect();
        assert!(pairs.contains(&("command.Gender", "Gender cannot exceed 1 character")));
        assert!(pairs.contains(&("command.zip", NOT_VALID)));
        assert!(pairs.contains(&("command.City", "The City field is required.")));
        assert!(pairs.contains(&("command.extra", "The property is not recognized.")));
    }

    #[test]
    fn percent_decoding_never_panics() {
        assert_eq!(percent_decode("a%2Bb+c"), "a+b c");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("é%C3%A9"), "éé");
    }
}
