//! Staff users of the tenant's merchant: admins manage them, analysts may
//! read their own record. Passwords are argon2id and never returned.

use crate::extract::AnyPath;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use fundline_core::contact::Phone;
use fundline_store::staff::{self, User, UserOrder, UserQuery};
use fundline_store::Page;
use fundline_store::StoreError;
use serde_json::{json, Map, Value};

use super::auth::Staff;
use super::envelope::{object_body, ok};
use super::error::{AnalysisError, Result};
use super::fields::{flag, guid, password, text, too_long, valid_email};
use super::query::{name_query, order_by, paging, Params};
use super::zone::Zone;
use crate::AppState;

pub const ADMIN: &str = "admin";
pub const ANALYST: &str = "analyst";
const MASKED_PASSWORD: &str = "*****";

fn require_admin(who: &Staff) -> Result<()> {
    if who.role == ADMIN {
        Ok(())
    } else {
        Err(AnalysisError::denied())
    }
}

fn not_found() -> AnalysisError {
    AnalysisError::rejected("Not found", ["User not found."])
}

fn email_taken() -> AnalysisError {
    AnalysisError::rejected(
        "User with this email already exists",
        ["Email is already in use."],
    )
}

/// A store refusal of a second account with the same email.
fn saved<T>(r: std::result::Result<T, StoreError>) -> Result<T> {
    match r {
        Err(StoreError::Unique(_)) => Err(email_taken()),
        r => Ok(r?),
    }
}

/// The profile fields POST and PUT share, checked; errors in the spec's style.
pub struct Profile {
    first_name: String,
    last_name: String,
    job_title: Option<String>,
    email: String,
    phone: String,
    secondary_phone: Option<String>,
    secondary_email: Option<String>,
    is_active: bool,
}

fn profile(body: &Map<String, Value>, errors: &mut Vec<String>) -> Profile {
    let first_name = text(body, "firstName");
    let last_name = text(body, "lastName");
    let job_title = text(body, "jobTitle");
    let email = text(body, "email");
    let phone = text(body, "phone");
    let secondary_phone = text(body, "secondaryPhone");
    let secondary_email = text(body, "secondaryEmail");
    let mut e = |m: &str| errors.push(m.to_string());
    names(&first_name, &last_name, &job_title, &mut e);
    match &email {
        None => e("Email is required."),
        Some(m) if too_long(&email, 100) || !valid_email(m) => e("Invalid email format."),
        _ => {}
    }
    match &phone {
        None => e("Phone number is required."),
        Some(p) if Phone::parse(p).is_none() => e("Phone number must be exactly 10 digits."),
        _ => {}
    }
    if secondary_phone
        .as_deref()
        .is_some_and(|p| Phone::parse(p).is_none())
    {
        e("Secondary phone number must be exactly 10 digits.");
    }
    if secondary_email
        .as_deref()
        .is_some_and(|m| m.len() > 100 || !valid_email(m))
    {
        e("Invalid secondary email format.");
    }
    let is_active = flag(
        body,
        "isActive",
        true,
        "IsActive must be true or false.",
        errors,
    );
    Profile {
        first_name: first_name.unwrap_or_default(),
        last_name: last_name.unwrap_or_default(),
        job_title,
        email: email
            .and_then(|m| fundline_core::contact::normalize_email(&m))
            .unwrap_or_default()
            .to_lowercase(),
        phone: phone.unwrap_or_default(),
        secondary_phone,
        secondary_email,
        is_active,
    }
}

/// The name rules of a profile: both names required, at most 50
/// characters; a job title at most 100.
fn names(
    first_name: &Option<String>,
    last_name: &Option<String>,
    job_title: &Option<String>,
    e: &mut impl FnMut(&str),
) {
    match first_name {
        None => e("First name is required."),
        Some(_) if too_long(first_name, 50) => e("First name must not exceed 50 characters."),
        _ => {}
    }
    match last_name {
        None => e("Last name is required."),
        Some(_) if too_long(last_name, 50) => e("Last name must not exceed 50 characters."),
        _ => {}
    }
    if too_long(job_title, 100) {
        e("Job title must not exceed 100 characters.");
    }
}

/// The rules of a POST /api/v1/user body: the profile, the password and
/// the role, or every failed rule in order.
pub fn create_body(body: &Map<String, Value>) -> Result<(Profile, String, String), Vec<String>> {
    let mut errors = Vec::new();
    let p = profile(body, &mut errors);
    let password = password(body, "password");
    if password.is_empty() {
        errors.push("Password is required.".into());
    } else if let Some(problem) = fundline_vault::password_problem(&password) {
        errors.push(problem.into());
    }
    let role = match text(body, "role").map(|r| r.to_ascii_lowercase()) {
        None => ANALYST.to_string(),
        Some(r) if r == ADMIN || r == ANALYST => r,
        Some(_) => {
            errors.push("Role must be either 'admin' or 'analyst'.".into());
            ANALYST.to_string()
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((p, password, role))
}

/// The rules of a PUT /api/v1/user body: the user id (`None`: not a GUID,
/// answered "User not found.") and the profile, or every failed rule in order.
pub fn update_body(body: &Map<String, Value>) -> Result<(Option<String>, Profile), Vec<String>> {
    let mut errors = Vec::new();
    let id = match text(body, "id") {
        None => {
            errors.push("User ID is required.".to_string());
            None
        }
        Some(s) => guid(&s),
    };
    let p = profile(body, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((id, p))
}

fn user_json(u: &User, zone: &Zone, with_password: bool) -> Value {
    let mut v = json!({
        "updatedDate": zone.render(u.updated_at.unwrap_or(u.created_at)),
        "id": u.id,
        "firstName": u.first_name,
        "lastName": u.last_name,
        "jobTitle": u.job_title,
        "email": u.email,
        "phone": u.phone,
        "secondaryPhone": u.secondary_phone,
        "secondaryEmail": u.secondary_email,
        "createdDate": zone.render(u.created_at),
        "isActive": u.is_active == 1,
        "role": u.role,
    });
    if with_password {
        v["password"] = json!(MASKED_PASSWORD);
    }
    v
}

/// POST /api/v1/user
#[utoipa::path(post, path = "/api/v1/user", tag = "Bank analysis",
    description = "Create a staff user of your merchant (admins only). role: admin or analyst (default).",
    request_body = crate::analysis::requests::UserCreateRequest,
    responses(crate::analysis::requests::Answered))]
pub async fn create(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    body: axum::body::Bytes,
) -> Result<Response> {
    require_admin(&who)?;
    let user = create_of(&state, &who, &object_body(&body)?).await?;
    Ok(ok(
        "User created successfully",
        user_json(&user, &zone, true),
    ))
}

/// PUT /api/v1/user
#[utoipa::path(put, path = "/api/v1/user", tag = "Bank analysis",
    description = "Update a staff user's profile and active flag (admins only). Deactivating ends the user's sessions.",
    request_body = crate::analysis::requests::UserUpdateRequest,
    responses(crate::analysis::requests::Answered))]
pub async fn update(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    body: axum::body::Bytes,
) -> Result<Response> {
    require_admin(&who)?;
    let user = update_of(&state, &who, &object_body(&body)?).await?;
    Ok(ok(
        "User updated successfully",
        user_json(&user, &zone, true),
    ))
}

/// An admin creates a staff user from a POST /api/v1/user body (its rules,
/// then the user saved and audited): the API and the console's form both
/// call it.
pub(crate) async fn create_of(
    state: &AppState,
    who: &Staff,
    body: &Map<String, Value>,
) -> Result<User> {
    require_admin(who)?;
    let (p, password, role) = create_body(body).map_err(AnalysisError::invalid)?;
    let hash = super::auth::hash_new_password(state, password).await?;
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: who.tenant_id.clone(),
        email: p.email,
        password_hash: hash,
        role,
        first_name: p.first_name,
        last_name: p.last_name,
        created_at: state.clock.now_micros(),
        job_title: p.job_title,
        phone: p.phone,
        secondary_phone: p.secondary_phone,
        secondary_email: p.secondary_email,
        is_active: i64::from(p.is_active),
        updated_at: None,
    };
    saved(staff::insert_user(&state.store, user.clone()).await)?;
    crate::audit!("user.created", tenant_id = %who.tenant_id, actor_id = %who.user_id, target_id = %user.id, role = %user.role);
    Ok(user)
}

/// An admin updates a staff user from a PUT /api/v1/user body: the API
/// and the console's form both call it.
pub(crate) async fn update_of(
    state: &AppState,
    who: &Staff,
    body: &Map<String, Value>,
) -> Result<User> {
    require_admin(who)?;
    let (id, p) = update_body(body).map_err(AnalysisError::invalid)?;
    update_user(state, who, id, p).await
}

/// A staff user of the tenant, for an admin (the console's edit form).
pub(crate) async fn user_of(state: &AppState, who: &Staff, user_id: &str) -> Result<User> {
    require_admin(who)?;
    let id = guid(user_id).ok_or_else(not_found)?;
    staff::user(&state.store, &who.tenant_id, &id)
        .await?
        .ok_or_else(not_found)
}

/// An admin updates a staff user's profile; deactivating ends the user's
/// sessions (and nobody deactivates themselves).
async fn update_user(
    state: &AppState,
    who: &Staff,
    id: Option<String>,
    p: Profile,
) -> Result<User> {
    let id = id.ok_or_else(not_found)?;
    if id == who.user_id && !p.is_active {
        return Err(AnalysisError::invalid([
            "You cannot deactivate your own account.",
        ]));
    }
    let current = staff::user(&state.store, &who.tenant_id, &id)
        .await?
        .ok_or_else(not_found)?;
    let now = state.clock.now_micros();
    let deactivated = current.is_active == 1 && !p.is_active;
    let user = User {
        email: p.email.clone(),
        first_name: p.first_name,
        last_name: p.last_name,
        job_title: p.job_title,
        phone: p.phone,
        secondary_phone: p.secondary_phone,
        secondary_email: p.secondary_email,
        is_active: i64::from(p.is_active),
        updated_at: Some(now),
        ..current
    };
    if !saved(staff::update_user(&state.store, user.clone(), now).await)? {
        return Err(not_found());
    }
    if deactivated {
        crate::audit!("user.deactivated", tenant_id = %who.tenant_id, actor_id = %who.user_id, target_id = %user.id);
    } else {
        crate::audit!("user.updated", tenant_id = %who.tenant_id, actor_id = %who.user_id, target_id = %user.id, active = p.is_active);
    }
    Ok(user)
}

/// GET /api/v1/user/{userId}
#[utoipa::path(get, path = "/api/v1/user/{userId}", tag = "Bank analysis",
    description = "A staff user (admins; anyone may read their own record).",
    params(("userId" = String, Path, description = "User ID (GUID)")),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json", description = "User not found."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn get(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    AnyPath(user_id): AnyPath<String>,
) -> Result<Response> {
    let Some(id) = guid(&user_id) else {
        return Err(if who.role == ADMIN {
            not_found()
        } else {
            AnalysisError::denied()
        });
    };
    if who.role != ADMIN && id != who.user_id {
        return Err(AnalysisError::denied());
    }
    let u = staff::user(&state.store, &who.tenant_id, &id)
        .await?
        .ok_or_else(not_found)?;
    Ok(ok(
        "User retrieved successfully",
        user_json(&u, &zone, false),
    ))
}

/// GET /api/v1/user/all
#[utoipa::path(
    get,
    path = "/api/v1/user/all",
    tag = "Bank analysis",
    description = "Staff users of your merchant (admins only): nameQuery, isActive, pageNumber (> 0), pageSize (1–100), orderBy (CreatedDate, FirstName, LastName, Email), order (ASC/DESC).",
    responses(crate::analysis::requests::Answered)
)]
pub async fn list(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let (page, total, users) = list_of(&state, &who, &zone, raw.as_deref()).await?;
    Ok(ok(
        "Request successful",
        super::query::page_json(&page, total, users),
    ))
}

/// The page of staff users a GET /api/v1/user/all query (`raw`) asks for,
/// as the API's records, with the total; admins only (the console's list
/// reads it here too).
pub(crate) async fn list_of(
    state: &AppState,
    who: &Staff,
    zone: &Zone,
    raw: Option<&str>,
) -> Result<(Page, i64, Vec<Value>)> {
    require_admin(who)?;
    let (q, page) = list_query(&Params::parse(raw)).map_err(AnalysisError::bad_parameters)?;
    let (total, users) = staff::list_users(&state.store, &who.tenant_id, &q).await?;
    let records = users.iter().map(|u| user_json(u, zone, false)).collect();
    Ok((page, total, records))
}

/// The filters, order and page of GET /api/v1/user/all, or every failed
/// rule in order.
fn list_query(params: &Params) -> std::result::Result<(UserQuery, Page), Vec<String>> {
    let mut errors = Vec::new();
    let page = paging(params, &mut errors);
    let order = order_by(
        params,
        &[
            ("CreatedDate", UserOrder::CreatedDate),
            ("FirstName", UserOrder::FirstName),
            ("LastName", UserOrder::LastName),
            ("Email", UserOrder::Email),
        ],
        &mut errors,
    );
    let is_active = match params
        .get("isActive")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            errors.push("IsActive must be true or false.".into());
            None
        }
    };
    let name_query = name_query(params, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let q = UserQuery {
        name_query,
        is_active,
        order_by: order,
        page,
    };
    Ok((q, page))
}

/// The rule of a password reset body: the new password, or the failed rule.
pub fn reset_body(body: &Map<String, Value>) -> Result<String, Vec<String>> {
    let password = password(body, "newPassword");
    if password.is_empty() {
        return Err(vec!["New password is required.".into()]);
    }
    if let Some(problem) = fundline_vault::password_problem(&password) {
        return Err(vec![problem.into()]);
    }
    Ok(password)
}

/// PUT /api/v1/user/{userId}/password
#[utoipa::path(put, path = "/api/v1/user/{userId}/password", tag = "Bank analysis",
    description = "Reset a staff user's password (admins only; for your own use POST /api/v1/auth/change-password). The new password must have at least 12 characters and not be a common password. Every session of the user ends and a login lockout of the account is lifted.",
    params(("userId" = String, Path, description = "User ID (GUID)")),
    request_body = crate::analysis::requests::PasswordResetRequest,
    responses(crate::analysis::requests::Answered))]
pub async fn reset_password(
    State(state): State<AppState>,
    who: Staff,
    AnyPath(user_id): AnyPath<String>,
    body: axum::body::Bytes,
) -> Result<Response> {
    reset_password_of(&state, &who, &user_id, &object_body(&body)?).await?;
    Ok(ok("Password reset successfully.", Value::Null))
}

/// An admin sets a staff user's new password (the body of PUT
/// /api/v1/user/{userId}/password): every session of the user ends and a
/// lockout of the account is lifted.
pub(crate) async fn reset_password_of(
    state: &AppState,
    who: &Staff,
    user_id: &str,
    body: &Map<String, Value>,
) -> Result<()> {
    require_admin(who)?;
    let id = guid(user_id).ok_or_else(not_found)?;
    let password = reset_body(body).map_err(AnalysisError::invalid)?;
    let target = staff::user(&state.store, &who.tenant_id, &id)
        .await?
        .ok_or_else(not_found)?;
    let hash = super::auth::hash_new_password(state, password).await?;
    let now = state.clock.now_micros();
    let set = staff::set_password(
        &state.store,
        who.tenant_id.clone(),
        target.id.clone(),
        hash,
        None,
        now,
    )
    .await?;
    if !set {
        return Err(not_found());
    }
    // The administrator confirmed the identity: the lockout ends (PCI DSS 8.3.4).
    let _ = staff::clear_failures(&state.store, format!("acct:{}", target.email)).await;
    crate::audit!("password.reset", tenant_id = %who.tenant_id, actor_id = %who.user_id, target_id = %target.id);
    Ok(())
}
