//! Holds a documented request body to the rules its handler applies.
//!
//! Handlers that read a body field by field (to answer every broken rule at
//! once) are documented by `ToSchema` structs they never deserialize into;
//! this check keeps the two from drifting apart. For the schema's example,
//! and for every object inside it: the example is accepted; leaving out a
//! field is refused exactly when the schema marks it required (or its
//! description says "Required when", a condition the example meets); a
//! required field is in the example; each of the example's values has its
//! property's documented type and is one of its documented values (an
//! `enum`); and one character over a documented `maxLength` is refused.

use serde_json::{Map, Value};

/// Whether a body passes the rules the handler applies to it.
pub type Rules<'a> = &'a dyn Fn(&Value) -> bool;

/// The document's `components.schemas`.
pub fn schemas() -> Value {
    let doc: Value = serde_json::from_str(&crate::openapi::openapi_json()).unwrap_or_default();
    doc["components"]["schemas"].clone()
}

/// Asserts that the schema `name`, with its example, describes what `passes`
/// accepts.
pub fn assert_matches(schemas: &Value, name: &str, passes: Rules<'_>) {
    let schema = resolve(schemas, &schemas[name]);
    let example = schema["example"].clone();
    assert!(example.is_object(), "{name} documents an example");
    assert!(
        passes(&example),
        "{name}: the documented example is refused"
    );
    check_level(schemas, name, &schema, &example, &mut Vec::new(), passes);
}

/// A schema with `$ref`s followed, `allOf` parts merged and an `Option`'s
/// `oneOf [null, T]` taken as T.
fn resolve(schemas: &Value, schema: &Value) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return resolve(schemas, &schemas[name]);
    }
    if let Some(parts) = schema["oneOf"].as_array() {
        if let Some(t) = parts.iter().find(|p| p["type"] != "null") {
            return resolve(schemas, t);
        }
    }
    let Some(parts) = schema["allOf"].as_array() else {
        return schema.clone();
    };
    let mut merged = schema.clone();
    let (mut props, mut required) = (Map::new(), Vec::new());
    for part in parts.iter().map(|p| resolve(schemas, p)) {
        props.extend(part["properties"].as_object().cloned().unwrap_or_default());
        required.extend(part["required"].as_array().cloned().unwrap_or_default());
        if merged.get("example").is_none() {
            if let Some(e) = part.get("example") {
                merged["example"] = e.clone();
            }
        }
    }
    merged["properties"] = Value::Object(props);
    merged["required"] = Value::Array(required);
    merged
}

/// Whether `value` is of the JSON Schema `ty` (a name, a list of names, or
/// absent: any type).
fn has_type(value: &Value, ty: &Value) -> bool {
    let is = |name: &str| match name {
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        _ => false,
    };
    match ty {
        Value::String(name) => is(name),
        Value::Array(names) => names.iter().filter_map(Value::as_str).any(is),
        _ => true,
    }
}

/// The value at `path` inside `root`.
fn at<'a>(root: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(root, |v, k| &mut v[k.as_str()])
}

/// A string one character longer than `max`, shaped like `like` (digits
/// stay digits, an e-mail or a URL stays one) so only its length is wrong.
fn one_over(like: &str, max: usize) -> String {
    if like.contains('@') {
        format!("{}@example.com", "a".repeat(max + 1 - "@example.com".len()))
    } else if like.starts_with("https://") {
        format!("{like}{}", "a".repeat((max + 1).saturating_sub(like.len())))
    } else if !like.is_empty() && like.bytes().all(|b| b.is_ascii_digit()) {
        "1".repeat(max + 1)
    } else {
        "a".repeat(max + 1)
    }
}

/// `key` inside the object at `path`, as the rules name it.
fn where_(path: &[String], key: &str) -> String {
    let mut full = path.to_vec();
    full.push(key.to_string());
    full.join(".")
}

fn check_level(
    schemas: &Value,
    name: &str,
    schema: &Value,
    example: &Value,
    path: &mut Vec<String>,
    passes: Rules<'_>,
) {
    let mut here = example.clone();
    let level = at(&mut here, path).clone();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let props = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (key, value) in level.as_object().into_iter().flatten() {
        let at_key = where_(path, key);
        let Some(prop) = props.get(key) else {
            panic!("{name}: the example's {at_key} is documented");
        };
        // An `Option`'s description sits on its `oneOf` part.
        let conditional = prop.to_string().contains("Required when");
        let needed = required.contains(&key.as_str()) || conditional;
        let mut without = example.clone();
        if let Some(o) = at(&mut without, path).as_object_mut() {
            o.remove(key);
        }
        assert_eq!(
            !passes(&without),
            needed,
            "{name}: leaving out {at_key} is {} by the rules but documented {}",
            if needed { "accepted" } else { "refused" },
            if needed { "required" } else { "optional" },
        );
        let documented = resolve(schemas, prop);
        assert!(
            has_type(value, &documented["type"]),
            "{name}: the example's {at_key} ({value}) is not of its documented type {}",
            documented["type"]
        );
        if let Some(allowed) = documented["enum"].as_array() {
            assert!(
                allowed.contains(value),
                "{name}: the example's {at_key} ({value}) is not among its documented values {}",
                documented["enum"]
            );
        }
        if value.is_object() {
            path.push(key.clone());
            let inner = resolve(schemas, prop);
            check_level(schemas, name, &inner, example, path, passes);
            path.pop();
        }
    }
    for req in &required {
        assert!(
            level.get(*req).is_some(),
            "{name}: the example has {}",
            where_(path, req)
        );
    }
    for (key, prop) in &props {
        // A conditional field the example leaves out is not read under
        // the example's condition (a CA verify reads no routing_number).
        if level.get(key).is_none() && prop.to_string().contains("Required when") {
            continue;
        }
        let prop = resolve(schemas, prop);
        let Some(max) = prop["maxLength"].as_u64() else {
            continue;
        };
        let like = level[key.as_str()].as_str().unwrap_or("");
        let mut long = example.clone();
        at(&mut long, path)[key.as_str()] = Value::String(one_over(like, max as usize));
        assert!(
            !passes(&long),
            "{name}: {} one character over its documented maxLength {max} is accepted",
            where_(path, key)
        );
    }
}
