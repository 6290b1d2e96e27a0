//! The forms a setting may be written in besides its plain type: lists as
//! an array (the file) or comma-separated text (the environment), sandbox
//! declines as a table or `number:CODE,…`, and secrets, which never print.

use std::fmt;

use fundline_vault::SecretString;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A secret setting (master key, provider tokens). Debug shows
/// `[REDACTED]`, and no error quotes it: whatever stands in its place is
/// taken as text, so there is no type error to print it in.
#[derive(Clone, Debug)]
pub struct Secret(pub SecretString);

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = Secret;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Secret, E> {
                Ok(Secret(SecretString::new(v)))
            }
            // An all-digit token written without quotes in the file.
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Secret, E> {
                Ok(Secret(SecretString::new(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Secret, E> {
                Ok(Secret(SecretString::new(v.to_string())))
            }
            // serde's own error would quote the number.
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Secret, E> {
                Err(E::custom("must be text"))
            }
        }
        d.deserialize_any(Text)
    }
}

/// A list: an array, or comma-separated text (blank items skipped).
pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    d.deserialize_any(List {
        none_is_empty: false,
    })
}

/// A list as [`list`], where the text `none` is the empty list (an empty
/// variable would mean "unset").
pub fn list_or_none<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    d.deserialize_any(List {
        none_is_empty: true,
    })
}

struct List {
    none_is_empty: bool,
}

impl<'de> Visitor<'de> for List {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list or comma-separated text")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<String>, E> {
        if self.none_is_empty && v.trim() == "none" {
            return Ok(Vec::new());
        }
        Ok(v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(items)
    }
}

/// Card number → decline code: a table, or `number:CODE,…` text in the
/// order written. Checked when the sandbox network is built.
pub fn pairs<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<(String, String)>>, D::Error> {
    struct Pairs;
    impl<'de> Visitor<'de> for Pairs {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a table or number:CODE,… text")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.split(',')
                .filter(|p| !p.trim().is_empty())
                .map(|p| {
                    let (n, c) = p.split_once(':').unwrap_or((p, ""));
                    (n.trim().to_string(), c.trim().to_string())
                })
                .collect())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::new();
            while let Some(pair) = map.next_entry()? {
                pairs.push(pair);
            }
            Ok(pairs)
        }
    }
    d.deserialize_any(Pairs).map(Some)
}
