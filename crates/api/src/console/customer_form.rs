//! Creating and editing a customer: the new-customer form posts the body
//! of POST /api/v1/customer to `customers::create_of`; the edit page has
//! the API's four updates as four forms (general information, bank,
//! contact, employment), each posting its PUT body to `customers::update_of`.
//! A refusal shows the API's messages beside their fields, with what was
//! typed, except the full numbers (SSN, licence, account, password): those
//! come back empty and a typed one is kept sealed to the session ("leave
//! blank to keep"); on the edit page a blank number keeps the stored one.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;

use super::customer::{shown, text};
use super::form::{self, FormView, FormsPage, Posted, Spec, Values};
use crate::analysis::customers::{create_of, kept_numbers, record, update_of, Update};
use crate::analysis::zone::Zone;
use crate::AppState;

const TYPES: &[(&str, &str)] = &[("1", "Customer"), ("2", "Business")];
const PAY: &[(&str, &str)] = &[
    ("", "Not stated"),
    ("Monthly", "Monthly"),
    ("Bi-Monthly", "Bi-Monthly (twice a month)"),
    ("Weekly", "Weekly"),
    ("Bi-Weekly", "Bi-Weekly (every two weeks)"),
];

const KIND: Spec = Spec::text("customerType", "Type")
    .select(TYPES)
    .says(&["Customer type", "CustomerType"]);
const COMPANY: Spec = Spec::text("companyName", "Company name (business only)")
    .says(&["Company name"])
    .autocomplete("organization");
const EIN: Spec = Spec::text("ein", "EIN (business only)").says(&["EIN"]);
const FIRST: Spec = Spec::text("firstName", "First name").says(&["First name"]);
const LAST: Spec = Spec::text("lastName", "Last name").says(&["Last name"]);
const CONTACT_FIRST: Spec =
    Spec::text("firstName", "Contact person's first name").says(&["First name"]);
const CONTACT_LAST: Spec =
    Spec::text("lastName", "Contact person's last name").says(&["Last name"]);
const SSN: Spec = Spec::text("ssn", "SSN (9 digits)").secret().says(&["SSN"]);
const DOB: Spec = Spec::text("dob", "Date of birth")
    .kind("date")
    .says(&["Date of Birth"]);
const LICENCE: Spec = Spec::text("driversLicense", "Driver's licence")
    .secret()
    .says(&["Driver's License"]);
const EMAIL: Spec = Spec::text("email", "Email")
    .kind("email")
    .says(&["Email", "Invalid email format."]);
const PHONE: Spec = Spec::text("phoneNumber", "Phone (10 digits)")
    .kind("tel")
    .says(&["Phone number"]);
const ADDRESS1: Spec = Spec::text("addressLine1", "Address").says(&["Address line 1"]);
const ADDRESS2: Spec = Spec::text("addressLine2", "Address line 2").says(&["Address line 2"]);
const CITY: Spec = Spec::text("city", "City").says(&["City"]);
const STATE: Spec = Spec::text("state", "State").says(&["State"]);
const POSTAL: Spec = Spec::text("postalCode", "Postal code").says(&["Postal code"]);
const COUNTRY: Spec = Spec::text("country", "Country").says(&["Country"]);
const USER_NAME: Spec = Spec::text("userName", "User name").says(&["User name"]);
const PASSWORD: Spec = Spec::text("password", "Password")
    .kind("password")
    .secret()
    .says(&["Password"])
    .autocomplete("new-password");
const EMPLOYER: Spec = Spec::text("employer", "Employer").says(&["Employer"]);
const EMPLOYER_NAME: Spec = Spec::text("employerName", "Employer name").says(&["Employer name"]);
const OCCUPATION: Spec = Spec::text("occupation", "Occupation").says(&["Occupation"]);
const INCOME: Spec =
    Spec::text("monthlyIncome", "Monthly income (dollars)").says(&["Monthly income"]);
const PAY_FREQUENCY: Spec = Spec::text("payFrequency", "Pay frequency")
    .select(PAY)
    .says(&["Pay Frequency"]);
const BANK: Spec = Spec::text("bankName", "Bank").says(&["Bank name"]);
const ACCOUNT: Spec = Spec::text("bankAccNo", "Bank account number")
    .secret()
    .says(&["Bank Account Number"]);
const ROUTING: Spec =
    Spec::text("routingNo", "Routing number (9 digits)").says(&["Routing number"]);
const TRIGGER: Spec = Spec::text(
    "triggerReportRequest",
    "Send the customer a report request by email now",
)
.kind("checkbox")
.says(&["TriggerReportRequest"]);

type Groups = &'static [(&'static str, &'static [&'static Spec])];

/// The new-customer form: POST /api/v1/customer's fields.
const NEW: Groups = &[
    ("Customer", &[&KIND, &COMPANY, &EIN, &FIRST, &LAST]),
    (
        "Contact",
        &[
            &EMAIL, &PHONE, &ADDRESS1, &ADDRESS2, &CITY, &STATE, &POSTAL, &COUNTRY,
        ],
    ),
    ("Identity", &[&SSN, &DOB, &LICENCE]),
    ("The customer's sign-in", &[&USER_NAME, &PASSWORD]),
    (
        "Stated employment and income",
        &[
            &EMPLOYER,
            &EMPLOYER_NAME,
            &OCCUPATION,
            &INCOME,
            &PAY_FREQUENCY,
        ],
    ),
    ("Bank", &[&BANK, &ACCOUNT, &ROUTING]),
    ("", &[&TRIGGER]),
];

/// One of the edit page's forms: the API's update it posts to.
struct Part {
    id: &'static str,
    title: &'static str,
    update: Update,
    groups: Groups,
    button: &'static str,
}

const PARTS: [Part; 4] = [
    Part {
        id: "information",
        title: "General information",
        update: Update::Information,
        groups: &[
            ("", &[&KIND, &COMPANY, &EIN, &FIRST, &LAST]),
            (
                "Address",
                &[&ADDRESS1, &ADDRESS2, &CITY, &STATE, &POSTAL, &COUNTRY],
            ),
            ("Identity", &[&SSN, &DOB, &LICENCE]),
        ],
        button: "Save general information",
    },
    Part {
        id: "contact",
        title: "Contact",
        update: Update::Contact,
        groups: &[("", &[&EMAIL, &PHONE])],
        button: "Save contact",
    },
    Part {
        id: "bank",
        title: "Bank",
        update: Update::Bank,
        groups: &[("", &[&BANK, &ACCOUNT, &ROUTING])],
        button: "Save bank",
    },
    Part {
        id: "employment",
        title: "Employment",
        update: Update::Employment,
        groups: &[("", &[&EMPLOYER_NAME, &PAY_FREQUENCY])],
        button: "Save employment",
    },
];

/// A business's contact form also has its contact person's names.
const BUSINESS_CONTACT: Groups = &[("", &[&EMAIL, &PHONE, &CONTACT_FIRST, &CONTACT_LAST])];

const BUSINESS: &str = "2";

fn specs(groups: Groups) -> Vec<&'static Spec> {
    groups.iter().flat_map(|(_, s)| s.iter().copied()).collect()
}

/// The groups a part shows for a customer of `kind`.
fn part_groups(part: &Part, kind: &str) -> Groups {
    if part.update == Update::Contact && kind == BUSINESS {
        BUSINESS_CONTACT
    } else {
        part.groups
    }
}

/// What a refused form shows again: its typed values, the hidden inputs
/// keeping its typed numbers, and the API's messages.
struct Refused {
    values: Values,
    kept: Vec<(String, String)>,
    messages: Vec<String>,
}

/// The notes of the secret fields: a number kept from the last post, or
/// (`stored`) the record's masked one.
fn notes(
    kept: &[(String, String)],
    stored: &HashMap<&'static str, String>,
) -> HashMap<&'static str, String> {
    let mut notes = HashMap::new();
    for (name, masked) in stored {
        notes.insert(
            *name,
            format!("Leave blank to keep the current number ({masked})."),
        );
    }
    for s in [&SSN, &LICENCE, &ACCOUNT, &PASSWORD] {
        if kept.iter().any(|(k, _)| *k == form::kept_name(s.name)) {
            let what = if s.kind == "password" {
                "password"
            } else {
                "number"
            };
            notes.insert(s.name, format!("Leave blank to keep the {what} you typed."));
        }
    }
    notes
}

/// What a form shows in its fields: values, notes, hidden inputs and the
/// API's messages.
struct Filled<'a> {
    values: &'a Values,
    notes: HashMap<&'static str, String>,
    hidden: Vec<(String, String)>,
    messages: &'a [String],
}

fn form_view(
    id: &'static str,
    title: &'static str,
    action: String,
    groups: Groups,
    button: &'static str,
    filled: Filled<'_>,
) -> FormView {
    let (groups, errors) = form::groups(id, groups, filled.values, &filled.notes, filled.messages);
    FormView {
        id,
        title,
        action,
        hidden: filled.hidden,
        errors,
        groups,
        button,
    }
}

fn new_page(frame: &super::Frame, refused: Option<Refused>) -> FormsPage<'_> {
    let mut values = Values::new();
    values.insert("customerType", "1".into());
    let (values, kept, messages) = match refused {
        Some(r) => (r.values, r.kept, r.messages),
        None => (values, Vec::new(), Vec::new()),
    };
    let invalid = !messages.is_empty();
    let f = form_view(
        "new",
        "The customer",
        "/console/customers/new".into(),
        NEW,
        "Create customer",
        Filled {
            values: &values,
            notes: notes(&kept, &HashMap::new()),
            hidden: kept,
            messages: &messages,
        },
    );
    FormsPage {
        nonce: &frame.nonce,
        frame,
        title: "New customer".into(),
        back: ("/console/customers".into(), "Customers"),
        intro: vec![
            "Company name and EIN are for a business only. The customer's numbers are stored sealed and shown by their last four.".into(),
        ],
        invalid,
        forms: vec![f],
    }
}

/// GET /console/customers/new
pub async fn new(super::SignedIn(s, frame): super::SignedIn) -> Response {
    new_page(&frame, None).answer(&s)
}

/// The values of a post for `specs`, its secret fields as typed or kept.
async fn posted_values(
    state: &AppState,
    p: &Posted,
    specs: &[&Spec],
) -> crate::analysis::error::Result<Values> {
    let mut values = form::typed(p, specs);
    for s in specs.iter().filter(|s| s.secret) {
        let v = form::secret(state, p, s.name).await?.unwrap_or_default();
        values.insert(s.name, v);
    }
    Ok(values)
}

/// POST /console/customers/new: the body of POST /api/v1/customer to the
/// API's onboarding; then 303 to the customer's page.
pub async fn create(State(state): State<AppState>, p: Posted) -> Response {
    match onboard(&state, &p).await {
        Ok(Ok(id)) => form::done(&p.s, &format!("/console/customers/{id}")),
        Ok(Err(refused)) => new_page(&p.frame, Some(refused)).answer(&p.s),
        Err(e) => form::failed(&p.s, e),
    }
}

/// Posts the new-customer form's body to the API's onboarding: the new
/// customer's id, or (`Ok(Err(_))`) what to show again with the API's messages.
async fn onboard(
    state: &AppState,
    p: &Posted,
) -> crate::analysis::error::Result<Result<String, Refused>> {
    let specs = specs(NEW);
    let values = posted_values(state, p, &specs).await?;
    match create_of(state, &p.s.staff, &form::body(&specs, &values)).await {
        Ok((c, _)) => Ok(Ok(c.id)),
        Err(e) => refused(state, p, &specs, values, e).await,
    }
}

/// A refusal with the API's messages as what a form shows again (its
/// typed numbers kept sealed); any other failure as it is.
async fn refused<T>(
    state: &AppState,
    p: &Posted,
    specs: &[&Spec],
    values: Values,
    e: crate::analysis::error::AnalysisError,
) -> crate::analysis::error::Result<Result<T, Refused>> {
    let crate::analysis::error::AnalysisError::Rejected { errors, .. } = e else {
        return Err(e);
    };
    let kept = form::keep(state, &p.s.staff, specs, &values).await?;
    Ok(Err(Refused {
        values,
        kept,
        messages: errors,
    }))
}

/// The record's values as the edit forms show them.
fn record_values(r: &Value) -> Values {
    PARTS
        .iter()
        .flat_map(|p| specs(p.groups))
        .chain([&CONTACT_FIRST, &CONTACT_LAST])
        .filter(|s| !s.secret)
        .map(|s| (s.name, shown(s.name, &r[s.name])))
        .collect()
}

/// The edit page of the customer `r` (the API's record); `refused`: the
/// form of that id was refused.
fn edit_page<'a>(
    frame: &'a super::Frame,
    r: &Value,
    refused: Option<(&str, Refused)>,
) -> FormsPage<'a> {
    let id = text(&r["id"]);
    let kind = text(&r["customerType"]);
    let stored: HashMap<&'static str, String> = [&SSN, &LICENCE, &ACCOUNT]
        .iter()
        .filter_map(|s| Some(s.name).zip(Some(text(&r[s.name])).filter(|m| !m.is_empty())))
        .collect();
    let from_record = record_values(r);
    let invalid = refused.is_some();
    let forms = PARTS
        .iter()
        .filter(|p| p.update != Update::Employment || kind != BUSINESS)
        .map(|part| {
            let mine = refused.as_ref().filter(|(which, _)| *which == part.id);
            let (values, kept, messages) = match mine {
                Some((_, r)) => (&r.values, r.kept.clone(), r.messages.as_slice()),
                None => (&from_record, Vec::new(), &[][..]),
            };
            let mut hidden = vec![("part".to_string(), part.id.to_string())];
            hidden.extend(kept.iter().cloned());
            form_view(
                part.id,
                part.title,
                format!("/console/customers/{id}/edit"),
                part_groups(part, &kind),
                part.button,
                Filled {
                    values,
                    notes: notes(&kept, &stored),
                    hidden,
                    messages,
                },
            )
        })
        .collect();
    FormsPage {
        nonce: &frame.nonce,
        frame,
        title: format!("Edit {} {}", text(&r["firstName"]), text(&r["lastName"])),
        back: (format!("/console/customers/{id}"), "Back to the customer"),
        intro: vec![
            "Each form saves its own part of the record, as the API's four updates do.".into(),
        ],
        invalid,
        forms,
    }
}

/// GET /console/customers/{id}/edit
pub async fn edit(
    State(state): State<AppState>,
    super::SignedIn(s, frame): super::SignedIn,
    Path(id): Path<String>,
) -> Response {
    match record(&state, &s.staff, &Zone(chrono_tz::Tz::UTC), &id).await {
        Ok(r) => edit_page(&frame, &r, None).answer(&s),
        Err(e) => super::refused(&s, e),
    }
}

/// POST /console/customers/{id}/edit: the form named by `part` posts its
/// PUT body to the API's update; then 303 to the customer's page.
pub async fn update(State(state): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let r = match record(&state, &p.s.staff, &Zone(chrono_tz::Tz::UTC), &id).await {
        Ok(r) => r,
        Err(e) => return super::refused(&p.s, e),
    };
    let kind = text(&r["customerType"]);
    let Some(part) = PARTS.iter().find(|x| x.id == p.value("part")) else {
        return p.s.finish(super::message(
            axum::http::StatusCode::BAD_REQUEST,
            "Unknown form",
            "This form is not one of the customer's. Go back and reload the page.",
        ));
    };
    let specs = specs(part_groups(part, &kind));
    match save(&state, &p, &r, part, &specs).await {
        Ok(Ok(())) => form::done(&p.s, &format!("/console/customers/{}", text(&r["id"]))),
        Ok(Err(refused)) => edit_page(&p.frame, &r, Some((part.id, refused))).answer(&p.s),
        Err(e) => form::failed(&p.s, e),
    }
}

/// Posts one part's body to its update: a blank number keeps the stored
/// one. `Ok(Err(_))`: the API refused it, with what to show again.
async fn save(
    state: &AppState,
    p: &Posted,
    r: &Value,
    part: &Part,
    specs: &[&'static Spec],
) -> crate::analysis::error::Result<Result<(), Refused>> {
    let who = &p.s.staff;
    let id = text(&r["id"]);
    let values = posted_values(state, p, specs).await?;
    let mut sent = values.clone();
    if specs.iter().any(|s| s.secret && values[s.name].is_empty()) {
        let stored = kept_numbers(state, who, &id).await?;
        for (name, v) in [
            ("ssn", &stored.ssn),
            ("driversLicense", &stored.drivers_license),
            ("bankAccNo", &stored.bank_acc),
        ] {
            if let (Some(slot), Some(v)) = (sent.get_mut(name), v) {
                if slot.is_empty() {
                    *slot = v.expose().to_string();
                }
            }
        }
    }
    let mut body = form::body(specs, &sent);
    body.insert("id".into(), Value::String(id));
    if matches!(part.update, Update::Contact | Update::Employment) {
        body.insert(
            "customerType".into(),
            Value::String(text(&r["customerType"])),
        );
    }
    match update_of(state, who, part.update, &body).await {
        Ok(_) => Ok(Ok(())),
        Err(e) => refused(state, p, specs, values, e).await,
    }
}
