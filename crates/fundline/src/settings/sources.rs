//! The layers figment merges over the defaults — the file, the environment,
//! the flags — each naming a setting the way its source spells it, so a
//! refused value is reported as `FUNDLINE_POOL_SIZE`, `--listen` or
//! `pool_size in ./fundline.toml`.

use std::path::Path;

use anyhow::{anyhow, bail};
use figment::error::Kind;
use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};

use super::{Flags, ENV_ONLY, ENV_VARS};

/// One source's values, and how its errors name a setting.
pub(super) struct Layer {
    metadata: Metadata,
    values: Dict,
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        Ok(Profile::Default.collect(self.values.clone()))
    }
}

/// The configuration file. A syntax error gives its line and reason but not
/// toml's excerpt of the line, which could hold a token.
pub(super) fn file(path: &Path) -> anyhow::Result<Layer> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| anyhow!("reading {shown}: {e}"))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let start = e.span().map_or(0, |s| s.start.min(text.len()));
        let line = text.as_bytes()[..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        anyhow!("parsing {shown}: {} (line {line})", e.message().trim())
    })?;
    if let Some(key) = ENV_ONLY.iter().find(|k| table.contains_key(**k)) {
        bail!(
            "unknown setting `{key}` in {shown}: it is read from the environment only ({})",
            env_name(key)
        );
    }
    Ok(Layer {
        metadata: Metadata::named("file").interpolater(move |_: &Profile, keys: &[&str]| {
            format!("{} in {shown}", keys.join("."))
        }),
        values: dict(Value::serialize(&table))?,
    })
}

/// The variables of [`ENV_VARS`], read by `read`; a blank one is unset.
pub(super) fn environment(read: impl Fn(&str) -> Option<String>) -> Layer {
    let values = ENV_VARS
        .iter()
        .filter_map(|(var, key)| {
            let value = read(var)?.trim().to_string();
            (!value.is_empty()).then(|| (key.to_string(), Value::from(value)))
        })
        .collect();
    Layer {
        metadata: Metadata::named("environment").interpolater(|_: &Profile, keys: &[&str]| {
            env_name(keys.first().copied().unwrap_or_default()).to_string()
        }),
        values,
    }
}

/// The command-line flags given.
pub(super) fn flags(flags: &Flags) -> anyhow::Result<Layer> {
    Ok(Layer {
        metadata: Metadata::named("flags").interpolater(|_: &Profile, keys: &[&str]| {
            format!("--{}", keys.join(".").replace('_', "-"))
        }),
        values: dict(Value::serialize(flags))?,
    })
}

fn dict(value: figment::Result<Value>) -> anyhow::Result<Dict> {
    value
        .map_err(|e| anyhow!("{e}"))?
        .into_dict()
        .ok_or_else(|| anyhow!("the settings must be a table"))
}

/// The environment variable of a setting (the key itself if it has none).
pub(super) fn env_name(key: &str) -> &str {
    ENV_VARS
        .iter()
        .find(|(_, k)| *k == key)
        .map_or(key, |(var, _)| var)
}

/// What figment refused, each setting named as its source spells it. The
/// value is quoted, to find the typo by; a secret's cannot be, as its form
/// takes any text ([`super::forms::Secret`]).
pub(super) fn explain(err: figment::Error, file: Option<&Path>) -> anyhow::Error {
    let lines: Vec<String> = err.into_iter().map(|e| one(&e, file)).collect();
    anyhow!(lines.join("; "))
}

fn one(e: &figment::Error, file: Option<&Path>) -> String {
    let setting = match &e.metadata {
        Some(md) if !e.path.is_empty() => md.interpolate(&Profile::Default, &e.path),
        _ => e.path.join("."),
    };
    match &e.kind {
        Kind::InvalidType(found, expected) | Kind::InvalidValue(found, expected) => {
            format!("{setting} must be {} (found {found})", in_words(expected))
        }
        // Only the file can hold a key that is not a setting.
        Kind::UnknownField(name, _) => match file {
            Some(f) => format!("unknown setting `{name}` in {}", f.display()),
            None => format!("unknown setting `{name}`"),
        },
        kind => format!("{setting}: {kind}"),
    }
}

/// serde's name of an expected type, as an operator would say it.
fn in_words(expected: &str) -> &str {
    match expected {
        "u32" => "a whole number from 0 to 4294967295",
        "u64" | "usize" => "a whole number (0 or more)",
        "i32" | "i64" | "isize" => "a whole number",
        "a boolean" => "on or off",
        "a string" | "path string" => "text",
        other => other,
    }
}
