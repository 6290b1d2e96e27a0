//! The list endpoints' query string: filters, paging and ordering, read
//! case-insensitively (clients of the .NET original send either case).

use std::collections::HashMap;

pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        let map = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
        Params(map)
    }

    /// A value, trimmed; empty counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(&name.to_ascii_lowercase())
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

use fundline_store::Page;

/// The page a query names; the spec's default (the first ten, newest
/// first) for what it leaves out or names against the rules (`errors`
/// says why).
pub fn paging(p: &Params, errors: &mut Vec<String>) -> Page {
    let mut page = Page {
        number: 1,
        size: 10,
        descending: true,
    };
    match p.get("pageNumber").map(str::parse::<i64>) {
        None => {}
        Some(Ok(n)) if n > 0 => page.number = n,
        Some(_) => errors.push("PageNumber must be greater than 0.".into()),
    }
    match p.get("pageSize").map(str::parse::<i64>) {
        None => {}
        Some(Ok(n)) if (1..=100).contains(&n) => page.size = n,
        Some(_) => errors.push("PageSize must be between 1 and 100.".into()),
    }
    match p.get("order").map(str::to_ascii_uppercase).as_deref() {
        None | Some("DESC") => {}
        Some("ASC") => page.descending = false,
        Some(_) => errors.push("Order must be either ASC or DESC.".into()),
    }
    page
}

/// The orderBy column among `allowed` (case-insensitive), default first.
pub fn order_by<T: Copy>(p: &Params, allowed: &[(&str, T)], errors: &mut Vec<String>) -> T {
    let default = allowed[0].1;
    match p.get("orderBy") {
        None => default,
        Some(v) => match allowed.iter().find(|(n, _)| n.eq_ignore_ascii_case(v)) {
            Some((_, t)) => *t,
            None => {
                let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
                errors.push(format!("OrderBy must be one of: {}.", names.join(", ")));
                default
            }
        },
    }
}

/// The list endpoints' free-text filter, at most 100 characters.
pub fn name_query(p: &Params, errors: &mut Vec<String>) -> Option<String> {
    let q = p.get("nameQuery").map(str::to_string);
    if q.as_ref().is_some_and(|q| q.chars().count() > 100) {
        errors.push("NameQuery must not exceed 100 characters.".into());
    }
    q
}

/// The customerType filter: `customer`/`business` or 1/2.
pub fn customer_type(p: &Params, errors: &mut Vec<String>) -> Option<i64> {
    let raw = p.get("customerType")?;
    let v = super::customer_rules::type_from_filter(raw);
    if v.is_none() {
        errors.push("CustomerType must be either 'customer' or 'business'.".into());
    }
    v
}

/// A date filter bound (`orderedDateFrom`, `createdDateTo` …) read in the
/// request's zone; `end` makes a bare date mean the end of that day. A bad
/// value is refused by its name with a capital first letter.
pub fn date_bound(
    p: &Params,
    zone: &super::zone::Zone,
    name: &str,
    end: bool,
    errors: &mut Vec<String>,
) -> Option<i64> {
    let raw = p.get(name)?;
    let v = zone.parse(raw, end);
    if v.is_none() {
        errors.push(format!(
            "{}{} must be an ISO-8601 date.",
            name[..1].to_ascii_uppercase(),
            &name[1..]
        ));
    }
    v
}

/// The spec's page object around `records`.
pub fn page_json(page: &Page, total: i64, records: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({
        "pageNumber": page.number,
        "pageSize": page.size,
        "totalRecords": total,
        "records": records,
    })
}
