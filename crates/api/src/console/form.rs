//! What the console's forms share: a post read behind the session's CSRF
//! check, the form's fields as the API's JSON body, the API's messages
//! placed beside the fields they name, and numbers that are never sent
//! back to the browser in the clear.

use std::collections::HashMap;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};

use super::{session, Frame};
use crate::analysis::auth::Staff;
use crate::analysis::error::AnalysisError;
use crate::AppState;

/// A form post of a signed-in user, its CSRF token checked.
pub(super) struct Posted {
    pub(super) s: session::Session,
    pub(super) frame: Frame,
    pub(super) fields: HashMap<String, String>,
}

impl Posted {
    /// The post's session, frame and fields, or the page to answer
    /// instead: the sign-in redirect, or 403 without the session's token.
    pub(super) async fn read(state: &AppState, req: Request) -> Result<Posted, Response> {
        let (parts, body) = req.into_parts();
        let (s, frame) = super::signed_in(state, &parts.headers).await?;
        let Ok(body) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
            return Err(s.finish(super::message(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Form too large",
                "This form is larger than the console accepts.",
            )));
        };
        let fields = session::form(&body);
        let token = fields.get("csrf").map(String::as_str);
        if !session::csrf_ok(state, &s.staff, token).await {
            return Err(s.finish(super::forbidden()));
        }
        Ok(Posted { s, frame, fields })
    }

    /// A field as typed, trimmed ("" when absent).
    pub(super) fn value(&self, name: &str) -> String {
        self.fields
            .get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }
}

/// A form post as a handler's last argument: the handler runs only for a
/// signed-in user whose post carries the session's CSRF token.
impl axum::extract::FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Posted, Response> {
        Posted::read(state, req).await
    }
}

/// A signed-in page, 200, or 400 when it shows the API's refusal of a form.
pub(super) fn page(
    s: &session::Session,
    nonce: &str,
    page: &impl askama::Template,
    refused: bool,
) -> Response {
    let status = if refused {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    s.finish(crate::pages::render(status, page, super::headers(nonce)))
}

/// How a form shows one of the API's body fields.
pub(super) struct Spec {
    /// The API's JSON name, also the input's name.
    pub(super) name: &'static str,
    pub(super) label: &'static str,
    /// The input's type; "select" and "checkbox" are drawn as such.
    pub(super) kind: &'static str,
    /// The select's (value, text) choices.
    pub(super) choices: &'static [(&'static str, &'static str)],
    /// How the API's messages about this field begin.
    pub(super) names: &'static [&'static str],
    /// A full number (SSN, account, licence, password): never written back
    /// into the page; a typed one is kept sealed to the session instead.
    pub(super) secret: bool,
    pub(super) autocomplete: &'static str,
}

impl Spec {
    pub(super) const fn text(name: &'static str, label: &'static str) -> Spec {
        Spec {
            name,
            label,
            kind: "text",
            choices: &[],
            names: &[],
            secret: false,
            autocomplete: "off",
        }
    }

    /// The API's messages about this field begin with these words.
    pub(super) const fn says(mut self, names: &'static [&'static str]) -> Spec {
        self.names = names;
        self
    }

    pub(super) const fn kind(mut self, kind: &'static str) -> Spec {
        self.kind = kind;
        self
    }

    pub(super) const fn select(mut self, choices: &'static [(&'static str, &'static str)]) -> Spec {
        self.kind = "select";
        self.choices = choices;
        self
    }

    pub(super) const fn secret(mut self) -> Spec {
        self.secret = true;
        self
    }

    pub(super) const fn autocomplete(mut self, a: &'static str) -> Spec {
        self.autocomplete = a;
        self
    }
}

/// One field as the form template draws it.
pub(super) struct Field {
    /// The input's id, unique on the page ("{form}-{name}").
    pub(super) id: String,
    pub(super) name: &'static str,
    pub(super) label: &'static str,
    pub(super) kind: &'static str,
    pub(super) choices: &'static [(&'static str, &'static str)],
    pub(super) value: String,
    pub(super) autocomplete: &'static str,
    pub(super) note: Option<String>,
    pub(super) errors: Vec<String>,
}

impl Field {
    /// The ids of its note and error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.note.is_some() {
            ids.push(format!("{}-note", self.id));
        }
        if !self.errors.is_empty() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }

    /// A checkbox is ticked.
    pub fn checked(&self) -> bool {
        self.value == "true"
    }

    /// A select's choice is the field's value.
    pub fn chosen(&self, choice: &str) -> bool {
        choice.eq_ignore_ascii_case(&self.value)
    }
}

/// A group of fields, under a legend ("" for none).
pub(super) struct Group {
    pub(super) legend: &'static str,
    pub(super) fields: Vec<Field>,
}

/// One form of a page.
pub(super) struct FormView {
    pub(super) id: &'static str,
    pub(super) title: &'static str,
    pub(super) action: String,
    /// Hidden inputs besides the CSRF token (the record's id, sealed numbers).
    pub(super) hidden: Vec<(String, String)>,
    /// The API's messages that name none of the form's fields.
    pub(super) errors: Vec<String>,
    pub(super) groups: Vec<Group>,
    pub(super) button: &'static str,
}

/// The form's values: by field name, as typed or as the record has them.
pub(super) type Values = HashMap<&'static str, String>;

/// The API's messages by field (the longest matching beginning wins, so
/// "Employer name …" is the employer name's), and those naming none.
pub(super) fn place(
    specs: &[&Spec],
    messages: &[String],
) -> (HashMap<&'static str, Vec<String>>, Vec<String>) {
    let mut by_field: HashMap<&'static str, Vec<String>> = HashMap::new();
    let mut rest = Vec::new();
    for m in messages {
        let owner = specs
            .iter()
            .flat_map(|s| s.names.iter().map(move |n| (s.name, *n)))
            .filter(|(_, n)| m.starts_with(n))
            .max_by_key(|(_, n)| n.len());
        match owner {
            Some((name, _)) => by_field.entry(name).or_default().push(m.clone()),
            None => rest.push(m.clone()),
        }
    }
    (by_field, rest)
}

/// The form's groups of fields from `groups` of specs, with `values`, the
/// API's `messages` beside their fields and `notes` for the secret fields
/// (which are always drawn empty). The messages naming no field come back.
pub(super) fn groups(
    form: &'static str,
    groups: &[(&'static str, &[&Spec])],
    values: &Values,
    notes: &HashMap<&'static str, String>,
    messages: &[String],
) -> (Vec<Group>, Vec<String>) {
    let all: Vec<&Spec> = groups.iter().flat_map(|(_, s)| s.iter().copied()).collect();
    let (mut by_field, rest) = place(&all, messages);
    let drawn = groups
        .iter()
        .map(|(legend, specs)| Group {
            legend,
            fields: specs
                .iter()
                .map(|s| Field {
                    id: format!("{form}-{}", s.name),
                    name: s.name,
                    label: s.label,
                    kind: s.kind,
                    choices: s.choices,
                    // A number or password is never written back into a page.
                    value: if s.secret || s.kind == "password" {
                        String::new()
                    } else {
                        values.get(s.name).cloned().unwrap_or_default()
                    },
                    autocomplete: s.autocomplete,
                    note: notes.get(s.name).cloned(),
                    errors: by_field.remove(s.name).unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    (drawn, rest)
}

/// The fields of a post as the API's JSON body: each spec's value as a
/// string (the API's rules read numbers and booleans from strings too), a
/// checkbox as "true"/"false", an empty field left out.
pub(super) fn body(specs: &[&Spec], values: &Values) -> Map<String, Value> {
    specs
        .iter()
        .filter_map(|s| {
            let v = values.get(s.name).cloned().unwrap_or_default();
            let v = match s.kind {
                "checkbox" => (if v == "true" { "true" } else { "false" }).to_string(),
                _ => v,
            };
            (!v.is_empty()).then(|| (s.name.to_string(), Value::String(v)))
        })
        .collect()
}

/// The values of a post for `specs`: a checkbox is "true" when ticked.
pub(super) fn typed(p: &Posted, specs: &[&Spec]) -> Values {
    specs
        .iter()
        .map(|s| {
            let v = match s.kind {
                "checkbox" => (if p.fields.contains_key(s.name) {
                    "true"
                } else {
                    "false"
                })
                .into(),
                // A password is the characters typed, spaces too, as the API takes it.
                "password" => p.fields.get(s.name).cloned().unwrap_or_default(),
                _ => p.value(s.name),
            };
            (s.name, v)
        })
        .collect()
}

/// Where sealed numbers are bound: a sealed value opens only for the
/// session and field it was sealed for.
const KEPT: &str = "console_forms";

/// The hidden input that keeps a secret field's typed value.
pub(super) fn kept_name(field: &str) -> String {
    format!("kept.{field}")
}

/// `value` sealed to the session and field, for a hidden input.
pub(super) async fn seal(
    state: &AppState,
    who: &Staff,
    field: &str,
    value: &str,
) -> Result<String, AnalysisError> {
    let keys = state.keyring.tenant(&state.store, &who.tenant_id).await?;
    Ok(keys.seal_row(KEPT, field, &who.session, value.as_bytes()))
}

/// A secret field's value: as typed, else the value its hidden input
/// kept for this session (a value sealed for another session or field
/// does not open, and is taken as not given).
pub(super) async fn secret(
    state: &AppState,
    p: &Posted,
    field: &str,
) -> Result<Option<String>, AnalysisError> {
    let typed = p.value(field);
    if !typed.is_empty() {
        return Ok(Some(typed));
    }
    let Some(sealed) = p.fields.get(&kept_name(field)).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let keys = state
        .keyring
        .tenant(&state.store, &p.s.staff.tenant_id)
        .await?;
    Ok(keys
        .open_string_row(KEPT, field, &p.s.staff.session, sealed)
        .ok()
        .map(|v| v.expose().to_string()))
}

/// For each secret field with a value, the hidden input keeping it sealed.
pub(super) async fn keep(
    state: &AppState,
    who: &Staff,
    specs: &[&Spec],
    values: &Values,
) -> Result<Vec<(String, String)>, AnalysisError> {
    let mut hidden = Vec::new();
    for s in specs.iter().filter(|s| s.secret) {
        if let Some(v) = values.get(s.name).filter(|v| !v.is_empty()) {
            hidden.push((kept_name(s.name), seal(state, who, s.name, v).await?));
        }
    }
    Ok(hidden)
}

/// The page for a core function's failure of a form post that is not a
/// refusal to show beside the fields: the role's (403), our side's (503),
/// a refusal of the whole post (400 with the API's messages).
pub(super) fn failed(s: &session::Session, e: AnalysisError) -> Response {
    match e {
        AnalysisError::Rejected { errors, .. } => s.finish(super::message(
            StatusCode::BAD_REQUEST,
            "Not saved",
            &errors.join(" "),
        )),
        AnalysisError::Denied { .. } => s.finish(not_allowed()),
        AnalysisError::Unavailable { cause } => s.finish(super::unavailable(cause)),
        _ => Redirect::to("/console/login").into_response(),
    }
}

/// A signed-in user whose role may not do this (the API's 401).
pub(super) fn not_allowed() -> Response {
    super::message(
        StatusCode::FORBIDDEN,
        "Not allowed",
        "Your role does not allow this page.",
    )
}

/// After a form was accepted: 303 to `to`.
pub(super) fn done(s: &session::Session, to: &str) -> Response {
    s.finish(Redirect::to(to).into_response())
}

/// A page of forms: a create or edit page.
#[derive(askama::Template)]
#[template(path = "console/forms.html")]
pub(super) struct FormsPage<'a> {
    pub(super) nonce: &'a str,
    pub(super) frame: &'a Frame,
    pub(super) title: String,
    /// The link back: (href, text).
    pub(super) back: (String, &'static str),
    pub(super) intro: Vec<String>,
    /// A form was refused (its messages are beside its fields).
    pub(super) invalid: bool,
    pub(super) forms: Vec<FormView>,
}

impl FormsPage<'_> {
    /// The page, 200, or 400 when a form was refused (the API's status).
    pub(super) fn answer(&self, s: &session::Session) -> Response {
        page(s, &self.frame.nonce, self, self.invalid)
    }
}
