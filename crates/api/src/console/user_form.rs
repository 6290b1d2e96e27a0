//! Staff users for admins: the new-user form posts the body of POST
//! /api/v1/user to `users::create_of`, the edit form the body of PUT
//! /api/v1/user to `users::update_of`, with their rules and admin check (an
//! analyst gets the 403 page). A password is never shown or filled in:
//! after a refusal it has to be typed again. The API's update does not
//! change a role, so the edit page shows it without a field. The edit page's
//! second form sets a new password through the API's reset
//! (`users::reset_password_of`): the user's sessions end and a lockout is
//! lifted, as with PUT /api/v1/user/{userId}/password.

use axum::extract::{Path, State};
use axum::response::Response;
use fundline_store::staff::User;
use serde_json::Value;

use super::form::{self, FormView, FormsPage, Posted, Spec, Values};
use crate::analysis::error::{AnalysisError, Result};
use crate::analysis::users::{create_of, reset_password_of, update_of, user_of};
use crate::AppState;

const ROLES: &[(&str, &str)] = &[("analyst", "Analyst"), ("admin", "Admin")];

const FIRST: Spec = Spec::text("firstName", "First name").says(&["First name"]);
const LAST: Spec = Spec::text("lastName", "Last name").says(&["Last name"]);
const JOB: Spec = Spec::text("jobTitle", "Job title").says(&["Job title"]);
const EMAIL: Spec = Spec::text("email", "Email")
    .kind("email")
    .says(&["Email", "Invalid email format."]);
const PHONE: Spec = Spec::text("phone", "Phone (10 digits)")
    .kind("tel")
    .says(&["Phone number"]);
const PHONE2: Spec = Spec::text("secondaryPhone", "Secondary phone")
    .kind("tel")
    .says(&["Secondary phone"]);
const EMAIL2: Spec = Spec::text("secondaryEmail", "Secondary email")
    .kind("email")
    .says(&["Invalid secondary email"]);
const ROLE: Spec = Spec::text("role", "Role").select(ROLES).says(&["Role"]);
const PASSWORD: Spec = Spec::text("password", "Password (at least 12 characters)")
    .kind("password")
    .says(&["Password"])
    .autocomplete("new-password");
const ACTIVE: Spec = Spec::text("isActive", "Active (may sign in)")
    .kind("checkbox")
    .says(&["IsActive", "You cannot deactivate"]);

const NEW_PASSWORD: Spec = Spec::text("newPassword", "New password (at least 12 characters)")
    .kind("password")
    .says(&["New password", "Password"])
    .autocomplete("new-password");

type Groups = &'static [(&'static str, &'static [&'static Spec])];

const NEW: Groups = &[
    ("", &[&FIRST, &LAST, &JOB, &EMAIL, &PHONE, &PHONE2, &EMAIL2]),
    ("Access", &[&ROLE, &PASSWORD, &ACTIVE]),
];
const EDIT: Groups = &[
    ("", &[&FIRST, &LAST, &JOB, &EMAIL, &PHONE, &PHONE2, &EMAIL2]),
    ("Access", &[&ACTIVE]),
];
const RESET: Groups = &[("", &[&NEW_PASSWORD])];

fn specs(groups: Groups) -> Vec<&'static Spec> {
    groups.iter().flat_map(|(_, s)| s.iter().copied()).collect()
}

/// A form of `groups` with `values` and the API's `messages`.
fn view(
    title: &'static str,
    action: String,
    groups: Groups,
    values: &Values,
    messages: &[String],
    button: &'static str,
) -> FormView {
    let (groups, errors) = form::groups("user", groups, values, &Default::default(), messages);
    FormView {
        id: "user",
        title,
        action,
        hidden: Vec::new(),
        errors,
        groups,
        button,
    }
}

fn new_page<'a>(frame: &'a super::Frame, values: &Values, messages: &[String]) -> FormsPage<'a> {
    FormsPage {
        nonce: &frame.nonce,
        frame,
        title: "New staff user".into(),
        back: ("/console/users".into(), "Staff users"),
        intro: vec!["The user signs in with this email and password.".into()],
        invalid: !messages.is_empty(),
        forms: vec![view(
            "The user",
            "/console/users/new".into(),
            NEW,
            values,
            messages,
            "Create user",
        )],
    }
}

/// GET /console/users/new (admins)
pub async fn new(super::SignedIn(s, frame): super::SignedIn) -> Response {
    if !frame.admin {
        return s.finish(form::not_allowed());
    }
    let values = [("role", "analyst".to_string()), ("isActive", "true".into())]
        .into_iter()
        .collect();
    new_page(&frame, &values, &[]).answer(&s)
}

/// POST /console/users/new: the body of POST /api/v1/user to the API's
/// create (admins only); then 303 to the staff users list.
pub async fn create(State(state): State<AppState>, p: Posted) -> Response {
    let specs = specs(NEW);
    let values = form::typed(&p, &specs);
    match create_of(&state, &p.s.staff, &form::body(&specs, &values)).await {
        Ok(_) => form::done(&p.s, "/console/users"),
        Err(AnalysisError::Rejected { errors, .. }) => {
            new_page(&p.frame, &values, &errors).answer(&p.s)
        }
        Err(e) => form::failed(&p.s, e),
    }
}

/// The user's values as the edit form shows them.
fn user_values(u: &User) -> Values {
    let or_empty = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        ("firstName", u.first_name.clone()),
        ("lastName", u.last_name.clone()),
        ("jobTitle", or_empty(&u.job_title)),
        ("email", u.email.clone()),
        ("phone", u.phone.clone()),
        ("secondaryPhone", or_empty(&u.secondary_phone)),
        ("secondaryEmail", or_empty(&u.secondary_email)),
        ("isActive", (u.is_active == 1).to_string()),
    ]
    .into_iter()
    .collect()
}

/// The API's messages about one of the edit page's two forms.
#[derive(Clone, Copy)]
enum Refused<'m> {
    Profile(&'m [String]),
    Password(&'m [String]),
}

fn edit_page<'a>(
    frame: &'a super::Frame,
    u: &User,
    values: &Values,
    refused: Option<Refused<'_>>,
) -> FormsPage<'a> {
    let (profile, password): (&[String], &[String]) = match refused {
        None => (&[], &[]),
        Some(Refused::Profile(m)) => (m, &[]),
        Some(Refused::Password(m)) => (&[], m),
    };
    FormsPage {
        nonce: &frame.nonce,
        frame,
        title: format!("Edit {} {}", u.first_name, u.last_name),
        back: ("/console/users".into(), "Staff users"),
        intro: vec![
            format!("Role: {}. The API's update does not change a role.", u.role),
            "Making the user inactive ends their sessions.".into(),
        ],
        invalid: refused.is_some(),
        forms: vec![
            view(
                "The user",
                format!("/console/users/{}/edit", u.id),
                EDIT,
                values,
                profile,
                "Save user",
            ),
            view(
                "Reset password",
                format!("/console/users/{}/password", u.id),
                RESET,
                &Values::new(),
                password,
                "Set new password",
            ),
        ],
    }
}

/// The user `id` for an admin: the page to answer instead for an analyst
/// (403) or another tenant's or an unknown user (404).
async fn load(state: &AppState, s: &super::session::Session, id: &str) -> Result<User, Response> {
    match user_of(state, &s.staff, id).await {
        Ok(u) => Ok(u),
        Err(AnalysisError::Denied { .. }) => Err(s.finish(form::not_allowed())),
        Err(e) => Err(super::refused(s, e)),
    }
}

/// GET /console/users/{id}/edit (admins)
pub async fn edit(
    State(state): State<AppState>,
    super::SignedIn(s, frame): super::SignedIn,
    Path(id): Path<String>,
) -> Response {
    match load(&state, &s, &id).await {
        Ok(u) => edit_page(&frame, &u, &user_values(&u), None).answer(&s),
        Err(resp) => resp,
    }
}

/// POST /console/users/{id}/edit: the body of PUT /api/v1/user to the
/// API's update (admins only); then 303 to the staff users list.
pub async fn update(State(state): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let u = match load(&state, &p.s, &id).await {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let specs = specs(EDIT);
    let values = form::typed(&p, &specs);
    let mut body = form::body(&specs, &values);
    body.insert("id".into(), Value::String(u.id.clone()));
    match update_of(&state, &p.s.staff, &body).await {
        Ok(_) => form::done(&p.s, "/console/users"),
        Err(AnalysisError::Rejected { errors, .. }) => {
            edit_page(&p.frame, &u, &values, Some(Refused::Profile(&errors))).answer(&p.s)
        }
        Err(e) => form::failed(&p.s, e),
    }
}

/// POST /console/users/{id}/password: the body of PUT
/// /api/v1/user/{userId}/password to the API's reset (admins only); then
/// 303 to the staff users list. The password is never shown again.
pub async fn reset_password(
    State(state): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Response {
    let u = match load(&state, &p.s, &id).await {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let specs = specs(RESET);
    let body = form::body(&specs, &form::typed(&p, &specs));
    match reset_password_of(&state, &p.s.staff, &u.id, &body).await {
        Ok(()) => form::done(&p.s, "/console/users"),
        Err(AnalysisError::Rejected { errors, .. }) => edit_page(
            &p.frame,
            &u,
            &user_values(&u),
            Some(Refused::Password(&errors)),
        )
        .answer(&p.s),
        Err(e) => form::failed(&p.s, e),
    }
}
