//! Reading gateway bodies: every failing field collected into the 13400
//! `data` map, keyed by its JSON path, with ASP.NET's default messages (the
//! service behind the spec is .NET). Unknown properties are ignored, as that
//! service does.

use fundline_core::contact::{Email, Phone, UsState, Zip};
use serde_json::{json, Map, Value};

use super::error::GatewayError;

/// A request body that must be a JSON object (13400 otherwise).
pub fn json_object(body: &[u8]) -> Result<Map<String, Value>, GatewayError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(GatewayError::Validation(
            json!({"request": ["The request body must be a JSON object."]}),
        )),
    }
}

pub struct Fields<'a> {
    obj: &'a Map<String, Value>,
    prefix: String,
    pub errors: Map<String, Value>,
}

fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

impl<'a> Fields<'a> {
    pub fn new(obj: &'a Map<String, Value>, prefix: &str) -> Fields<'a> {
        Fields {
            obj,
            prefix: prefix.to_string(),
            errors: Map::new(),
        }
    }

    fn key(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    pub fn error(&mut self, name: &str, message: impl Into<String>) {
        let key = self.key(name);
        let entry = self
            .errors
            .entry(key)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = entry {
            a.push(Value::String(message.into()));
        }
    }

    /// A string of at most `max` characters; trimmed; empty reads as absent.
    pub fn text(&mut self, name: &str, required: bool, max: usize) -> Option<String> {
        let p = pascal(name);
        let v = match self.obj.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Some(_) => {
                self.error(name, format!("The {p} field must be a string."));
                return None;
            }
        };
        let Some(v) = v else {
            if required {
                self.error(name, format!("The {p} field is required."));
            }
            return None;
        };
        if v.chars().count() > max {
            self.error(
                name,
                format!("The field {p} must be a string with a maximum length of {max}."),
            );
            return None;
        }
        if v.chars().any(char::is_control) {
            self.error(name, format!("The {p} field contains invalid characters."));
            return None;
        }
        Some(v)
    }

    /// A nested object, read with its own prefix; its errors join ours.
    pub fn object(&mut self, name: &str) -> Option<&'a Map<String, Value>> {
        match self.obj.get(name) {
            Some(Value::Object(m)) => Some(m),
            None | Some(Value::Null) => {
                self.error(name, format!("The {} field is required.", pascal(name)));
                None
            }
            Some(_) => {
                self.error(
                    name,
                    format!("The {} field must be an object.", pascal(name)),
                );
                None
            }
        }
    }

    /// Whether the body carries `name` with a value (null reads as absent).
    pub fn has(&self, name: &str) -> bool {
        self.obj.get(name).is_some_and(|v| !v.is_null())
    }

    /// A whole number, as a JSON number or a string of digits.
    pub fn integer(&mut self, name: &str, required: bool) -> Option<i64> {
        let p = pascal(name);
        match self.obj.get(name) {
            None | Some(Value::Null) => {
                if required {
                    self.error(name, format!("The {p} field is required."));
                }
                None
            }
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            // Digits beyond i64 (e.g. 19 nines) are not a whole number either.
            Some(Value::String(s))
                if !s.trim().is_empty()
                    && s.trim().len() <= 19
                    && s.trim().bytes().all(|b| b.is_ascii_digit())
                    && s.trim().parse::<i64>().is_ok() =>
            {
                s.trim().parse().ok()
            }
            Some(_) => {
                self.error(name, format!("The {p} field must be a whole number."));
                None
            }
        }
    }

    /// A text field that must also parse as a value type; `message` when
    /// it does not.
    fn parsed<T>(
        &mut self,
        name: &str,
        required: bool,
        max: usize,
        parse: impl Fn(&str) -> Option<T>,
        message: &str,
    ) -> Option<T> {
        let text = self.text(name, required, max)?;
        let value = parse(&text);
        if value.is_none() {
            self.error(name, message);
        }
        value
    }

    /// A required US state code; `message` when it names none.
    pub fn state(&mut self, name: &str, message: &str) -> Option<UsState> {
        self.parsed(name, true, 2, UsState::parse, message)
    }

    /// A required ZIP or ZIP+4; `message` when it is neither.
    pub fn zip(&mut self, name: &str, message: &str) -> Option<Zip> {
        self.parsed(name, true, 10, Zip::parse, message)
    }

    /// An e-mail address of at most `max` characters.
    pub fn email(&mut self, name: &str, required: bool, max: usize) -> Option<Email> {
        let message = format!("The {} field is not a valid e-mail address.", pascal(name));
        self.parsed(name, required, max, Email::parse, &message)
    }

    /// An optional phone number of ten digits, as a string.
    pub fn phone(&mut self, name: &str) -> Option<Phone> {
        let message = format!("The {} field must be 10 digits.", pascal(name));
        self.parsed(name, false, 10, Phone::parse, &message)
    }

    /// An optional phone number of ten digits, as a string or (as spec 002's
    /// samples send it) a JSON number.
    pub fn phone_or_number(&mut self, name: &str) -> Option<Phone> {
        let text = match self.obj.get(name) {
            None | Some(Value::Null) => return None,
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) => s.trim().to_string(),
            Some(_) => String::new(),
        };
        let phone = Phone::parse(&text);
        if phone.is_none() {
            self.error(
                name,
                format!("The {} field must be 10 digits.", pascal(name)),
            );
        }
        phone
    }

    pub fn absorb(&mut self, other: Fields<'_>) {
        for (k, v) in other.errors {
            self.errors.insert(k, v);
        }
    }

    pub fn prefix_of(&self, name: &str) -> String {
        self.key(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_keys() {
        let v = serde_json::json!({"participant_unique_id1": "", "host_uri": 5, "x": 1});
        let mut f = Fields::new(v.as_object().unwrap(), "");
        f.text("participant_unique_id1", true, 100);
        f.text("host_uri", false, 200);
        assert_eq!(
            f.errors["participant_unique_id1"][0],
            "The ParticipantUniqueId1 field is required."
        );
        assert_eq!(
            f.errors["host_uri"][0],
            "The HostUri field must be a string."
        );
        assert_eq!(pascal("zip_code"), "ZipCode");
    }
}
