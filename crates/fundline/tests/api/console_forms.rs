//! The console's forms (issue 16): customers created and edited through
//! the API's own rules and updates, report requests asked for and reset,
//! staff users managed by admins; CSRF on every post; tenancy; no full
//! SSN or account number in any page.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common;
use common::console::{assert_page_headers, make_analyst, Browser, Page};
use common::spawn_app;
use common::staff::{customer, Staff};

/// Customer `n`'s fields as the new-customer form sends them.
fn form_of(n: u32) -> Vec<(String, String)> {
    let c = customer(n);
    c.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) if k == "dob" => s[..10].to_string(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), v)
        })
        .collect()
}

fn pairs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// `fields` with `name` set to `value` ("" to empty it).
fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<_> = fields.iter().filter(|(k, _)| k != name).cloned().collect();
    out.push((name.into(), value.into()));
    out
}

/// The value of the hidden input `name`.
fn hidden(p: &Page, name: &str) -> String {
    let at = p
        .html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("a hidden {name}: {}", p.html))
        + name.len()
        + 15;
    p.html[at..].split('"').next().unwrap().to_string()
}

/// The page passes the console's checks and shows none of customer `n`'s
/// full numbers.
fn assert_masked(p: &Page, n: u32) {
    assert_page_headers(p);
    let c = customer(n);
    for field in ["ssn", "bankAccNo", "driversLicense", "password"] {
        let full = c[field].as_str().unwrap();
        assert!(!p.html.contains(full), "{field} {full} in the page");
    }
}

/// The message of the field `id`, as its error paragraph has it, tied to
/// its input.
pub(crate) fn field_error(p: &Page, id: &str) -> String {
    assert!(
        p.html.contains(&format!("aria-describedby=\"{id}-error\""))
            || p.html
                .contains(&format!("aria-describedby=\"{id}-note {id}-error\"")),
        "{id}'s input names its error: {}",
        p.html
    );
    let at = p
        .html
        .find(&format!("id=\"{id}-error\">"))
        .unwrap_or_else(|| panic!("{id}'s error: {}", p.html))
        + id.len()
        + 12;
    p.html[at..].split("</p>").next().unwrap().to_string()
}

/// The customer's record as `GET /api/v1/customer/{id}` answers it.
async fn record(api: &Staff, id: &str) -> Value {
    let got = api
        .get_ok(
            &format!("/api/v1/customer/{id}"),
            "Record retrieved successfully.",
        )
        .await;
    got.body["data"].clone()
}

/// The console signed in as the tenant's admin, and the API as the same.
async fn admin(app: &common::TestApp) -> (Browser, Staff) {
    (Browser::admin(app).await, Staff::admin(app).await)
}

/// The id `Location` names after `prefix`.
fn created_id(p: &Page, prefix: &str) -> String {
    assert_eq!(p.status, 303, "{}", p.html);
    let to = p.header("location");
    to.strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{to}"))
        .to_string()
}

#[tokio::test]
async fn a_customer_created_in_the_console_reads_back_through_the_api() {
    let app = spawn_app().await;
    let (mut b, api) = admin(&app).await;
    let p = b.get("/console/customers").await;
    assert!(p.html.contains("href=\"/console/customers/new\""));
    let p = b.get("/console/customers/new").await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    for name in ["firstName", "ssn", "bankAccNo", "dob", "payFrequency"] {
        assert!(
            p.html.contains(&format!("<label for=\"new-{name}\">")),
            "{name}"
        );
    }
    let csrf = p.csrf();
    let fields = with(&form_of(5), "csrf", &csrf);
    let done = b.post("/console/customers/new", &pairs(&fields)).await;
    let id = created_id(&done, "/console/customers/");

    let r = &record(&api, &id).await;
    let typed = customer(5);
    for k in [
        "userName",
        "firstName",
        "lastName",
        "phoneNumber",
        "email",
        "addressLine1",
        "addressLine2",
        "city",
        "state",
        "postalCode",
        "country",
        "employer",
        "occupation",
        "payFrequency",
        "bankName",
        "routingNo",
        "employerName",
    ] {
        assert_eq!(r[k], typed[k], "{k}");
    }
    assert_eq!(r["customerType"], 1);
    assert_eq!(r["monthlyIncome"], json!(3200.5));
    assert!(r["dob"].as_str().unwrap().starts_with("1990-05-24"), "{r}");
    assert_eq!(r["ssn"], "*****0006");
    assert_eq!(r["bankAccNo"], "*****3544");
    assert_eq!(r["driversLicense"], "*****4567");

    let p = b.get(&format!("/console/customers/{id}")).await;
    assert!(p.html.contains("<h1>Jane5 Smith</h1>"));
    assert_masked(&p, 5);
}

#[tokio::test]
async fn a_refused_create_shows_the_apis_messages_by_the_fields_and_keeps_the_typing() {
    let app = spawn_app().await;
    let (mut b, api) = admin(&app).await;
    let csrf = b.get("/console/customers/new").await.csrf();
    let bad = with(
        &with(&with(&form_of(5), "email", "not-an-email"), "lastName", ""),
        "phoneNumber",
        "123",
    );
    let p = b
        .post("/console/customers/new", &pairs(&with(&bad, "csrf", &csrf)))
        .await;
    assert_eq!(p.status, 400, "{}", p.html);
    assert_masked(&p, 5);
    // The API refuses the same body with the same messages.
    let mut body = customer(5);
    body["email"] = json!("not-an-email");
    body["lastName"] = json!("");
    body["phoneNumber"] = json!("123");
    let refused = api.post("/api/v1/customer", &body).await;
    assert_eq!(refused.status, 400);
    let errors: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(field_error(&p, "new-email"), "Invalid email format.");
    assert_eq!(field_error(&p, "new-lastName"), "Last name is required.");
    assert_eq!(
        field_error(&p, "new-phoneNumber"),
        "Phone number must be exactly 10 digits."
    );
    for e in errors {
        assert!(p.html.contains(e), "{e}");
    }
    // What was typed is kept, the numbers are not written back.
    assert!(p.html.contains("value=\"not-an-email\""));
    assert!(p.html.contains("value=\"Jane5\""));
    assert!(p.html.contains("value=\"Tasty Bites LLC\""));
    assert!(p.html.contains("Leave blank to keep the number you typed."));
    assert!(p
        .html
        .contains("Leave blank to keep the password you typed."));
    assert!(!p.html.contains("S3cure-pass!"));

    // Sent again with the numbers left blank: the kept ones are used.
    let mut again = with(&form_of(5), "csrf", &p.csrf());
    for secret in ["ssn", "bankAccNo", "driversLicense", "password"] {
        again = with(&again, secret, "");
        let kept = format!("kept.{secret}");
        again.push((kept.clone(), hidden(&p, &kept)));
    }
    let done = b.post("/console/customers/new", &pairs(&again)).await;
    let id = created_id(&done, "/console/customers/");
    let got = record(&api, &id).await;
    assert_eq!(got["ssn"], "*****0006");
    assert_eq!(got["bankAccNo"], "*****3544");

    // A kept number copied into another session's form does not open.
    let (mut other, _) = admin(&app).await;
    let csrf = other.get("/console/customers/new").await.csrf();
    let mut copied = with(&with(&form_of(6), "csrf", &csrf), "ssn", "");
    copied.push(("kept.ssn".into(), hidden(&p, "kept.ssn")));
    let p = other.post("/console/customers/new", &pairs(&copied)).await;
    assert_eq!(p.status, 400);
    assert_eq!(field_error(&p, "new-ssn"), "SSN is required.");
}

#[tokio::test]
async fn the_edit_page_calls_the_apis_four_updates_and_keeps_blank_numbers() {
    let app = spawn_app().await;
    let (mut b, api) = admin(&app).await;
    let id = api.create_customer(1).await;
    let path = format!("/console/customers/{id}/edit");
    let customer_page = b.get(&format!("/console/customers/{id}")).await;
    assert!(customer_page.html.contains(&format!("href=\"{path}\"")));
    let p = b.get(&path).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_masked(&p, 1);
    for form in ["information", "contact", "bank", "employment"] {
        assert!(
            p.html.contains(&format!("name=\"part\" value=\"{form}\"")),
            "{form}"
        );
    }
    assert!(p.html.contains("value=\"Jane1\"") && p.html.contains("value=\"Atlanta\""));
    assert!(p
        .html
        .contains("Leave blank to keep the current number (*****0002)."));
    let csrf = p.csrf();
    let read = || record(&api, &id);
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let mut f: Vec<(String, String)> = fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        f.push(("csrf".into(), csrf.clone()));
        f
    };

    let contact = post(vec![
        ("part", "contact"),
        ("email", "jane.new@example.com"),
        ("phoneNumber", "4045550199"),
    ]);
    let done = b.post(&path, &pairs(&contact)).await;
    assert_eq!(done.status, 303, "{}", done.html);
    assert_eq!(done.header("location"), format!("/console/customers/{id}"));
    assert_eq!(read().await["email"], "jane.new@example.com");

    // The general information form: names, address, SSN and birth date.
    let information = |first: &'static str, ssn: &'static str| {
        post(vec![
            ("part", "information"),
            ("customerType", "1"),
            ("firstName", first),
            ("lastName", "Smith"),
            ("addressLine1", "9 Elm St"),
            ("city", "Macon"),
            ("state", "GA"),
            ("postalCode", "31201"),
            ("country", "USA"),
            ("ssn", ssn),
            ("driversLicense", ""),
            ("dob", "1990-05-24"),
        ])
    };
    let info = information("Janet", "");
    assert_eq!(b.post(&path, &pairs(&info)).await.status, 303);
    let r = read().await;
    assert_eq!(
        (r["firstName"].as_str(), r["city"].as_str()),
        (Some("Janet"), Some("Macon"))
    );
    assert_eq!(r["ssn"], "*****0002", "a blank SSN keeps the stored one");
    assert_eq!(r["driversLicense"], "*****4567");

    let bank = post(vec![
        ("part", "bank"),
        ("bankName", "Second Bank"),
        ("bankAccNo", ""),
        ("routingNo", "011000015"),
    ]);
    assert_eq!(b.post(&path, &pairs(&bank)).await.status, 303);
    let r = read().await;
    assert_eq!(r["bankName"], "Second Bank");
    assert_eq!(r["bankAccNo"], "*****3540");

    let job = post(vec![
        ("part", "employment"),
        ("employerName", "Peach Co"),
        ("payFrequency", "Monthly"),
    ]);
    assert_eq!(b.post(&path, &pairs(&job)).await.status, 303);
    let r = read().await;
    assert_eq!(
        (r["employerName"].as_str(), r["payFrequency"].as_str()),
        (Some("Peach Co"), Some("Monthly"))
    );

    // A refusal: the API's message by the field, the typing kept, nothing saved.
    let bad = information("Jo", "12");
    let p = b.post(&path, &pairs(&bad)).await;
    assert_eq!(p.status, 400, "{}", p.html);
    assert_masked(&p, 1);
    assert_eq!(
        field_error(&p, "information-ssn"),
        "SSN must be exactly 9 digits."
    );
    assert!(p.html.contains("value=\"Jo\""));
    assert_eq!(read().await["firstName"], "Janet");
}

#[tokio::test]
async fn every_new_post_needs_the_sessions_csrf_token_and_changes_nothing_without() {
    let app = spawn_app().await;
    let (mut b, api) = admin(&app).await;
    let (customer_id, report_id) = api.customer_with_request(1).await;
    let before = app.outbox().await.len();
    let posts = [
        ("/console/customers/new".to_string(), form_of(2)),
        (
            format!("/console/customers/{customer_id}/edit"),
            vec![
                ("part".into(), "contact".into()),
                ("email".into(), "x@example.com".into()),
                ("phoneNumber".into(), "4045550199".into()),
            ],
        ),
        (
            format!("/console/customers/{customer_id}/report-requests"),
            vec![("sendVia".into(), "1".into())],
        ),
        (
            format!("/console/report-requests/{report_id}/reset"),
            vec![],
        ),
        (
            "/console/users/new".to_string(),
            vec![
                ("firstName".into(), "Al".into()),
                ("lastName".into(), "Bo".into()),
                ("email".into(), "al@lender.example".into()),
                ("phone".into(), "9251990832".into()),
                ("password".into(), "a-long-password-1".into()),
            ],
        ),
    ];
    let other_csrf = {
        let (mut other, _) = admin(&app).await;
        other.get("/console/customers").await.csrf()
    };
    for (path, fields) in &posts {
        for csrf in [None, Some(""), Some("zz"), Some(other_csrf.as_str())] {
            let mut f = pairs(fields);
            f.extend(csrf.map(|c| ("csrf", c)));
            let p = b.post(path, &f).await;
            assert_eq!(p.status, 403, "{path} {csrf:?}: {}", p.html);
            assert_page_headers(&p);
        }
    }
    let all = api
        .get_ok("/api/v1/customer/all", "Customers retrieved successfully.")
        .await;
    assert_eq!(
        all.body["data"]["totalRecords"], 1,
        "no customer made: {}",
        all.body
    );
    assert_eq!(
        record(&api, &customer_id).await["email"],
        "jane1@example.com"
    );
    assert_eq!(
        app.outbox().await.len(),
        before,
        "no request made or re-sent"
    );
    let users = api.get_ok("/api/v1/user/all", "Request successful").await;
    assert!(!users.body.to_string().contains("al@lender.example"));
}

#[tokio::test]
async fn another_tenants_customer_and_request_are_404_pages() {
    let app = spawn_app().await;
    let (_, api) = admin(&app).await;
    let (customer_id, report_id) = api.customer_with_request(1).await;
    let mut s = Browser::stranger(&app).await;
    let csrf = s.get("/console/customers").await.csrf();
    for path in [
        format!("/console/customers/{customer_id}/edit"),
        format!("/console/report-requests/{report_id}"),
        "/console/report-requests/not-a-guid".to_string(),
    ] {
        let p = s.get(&path).await;
        assert_eq!(p.status, 404, "{path}");
        assert!(!p.html.contains("Jane1"), "{path}");
    }
    for (path, fields) in [
        (
            format!("/console/customers/{customer_id}/edit"),
            vec![
                ("part", "contact"),
                ("email", "x@example.com"),
                ("phoneNumber", "4045550199"),
            ],
        ),
        (
            format!("/console/customers/{customer_id}/report-requests"),
            vec![("sendVia", "1")],
        ),
        (
            format!("/console/report-requests/{report_id}/reset"),
            vec![],
        ),
    ] {
        let mut f = fields.clone();
        f.push(("csrf", &csrf));
        let p = s.post(&path, &f).await;
        assert_eq!(p.status, 404, "{path}: {}", p.html);
    }
    assert_eq!(
        record(&api, &customer_id).await["email"],
        "jane1@example.com"
    );
}

#[tokio::test]
async fn a_report_requested_on_the_customer_page_is_listed_there_and_by_the_api() {
    let app = spawn_app().await;
    let (mut b, api) = admin(&app).await;
    let id = api.create_customer(3).await;
    let page = format!("/console/customers/{id}");
    let p = b.get(&page).await;
    assert!(p.html.contains("No report requests yet."));
    assert!(p.html.contains("<label for=\"sendVia\">"));
    let csrf = p.csrf();
    let path = format!("/console/customers/{id}/report-requests");
    let p = b.post(&path, &[("sendVia", "7"), ("csrf", &csrf)]).await;
    assert_eq!(p.status, 400);
    assert!(
        p.html.contains("Send via must be 1 (email) or 2 (SMS)."),
        "{}",
        p.html
    );
    assert!(p.html.contains("aria-describedby=\"sendVia-error\""));
    let p = b.post(&path, &[("sendVia", "1"), ("csrf", &csrf)]).await;
    assert_eq!(p.status, 303, "{}", p.html);
    assert_eq!(p.header("location"), format!("{page}#requests"));

    let listed = api
        .get_ok(
            &format!("/api/v1/instantbankanalysis/report-requests?customerId={id}"),
            "Success",
        )
        .await;
    let records = listed.body["data"]["records"].as_array().cloned().unwrap();
    assert_eq!(records.len(), 1, "{}", listed.body);
    let report_id = records[0]["id"].as_str().unwrap().to_string();
    let number = records[0]["reportNumber"].as_str().unwrap().to_string();
    // The API's new customer filter: another customer's requests are not listed.
    let other = api.customer_with_request(4).await;
    let listed = api
        .get_ok(
            &format!("/api/v1/instantbankanalysis/report-requests?customerId={id}"),
            "Success",
        )
        .await;
    assert!(!listed.body.to_string().contains(&other.1));
    let bad = api
        .get("/api/v1/instantbankanalysis/report-requests?customerId=nope")
        .await;
    assert_eq!(bad.status, 400, "{bad}");

    let p = b.get(&page).await;
    assert_masked(&p, 3);
    let detail = format!("/console/report-requests/{report_id}");
    assert!(
        p.html.contains(&format!("href=\"{detail}\">{number}</a>")),
        "the request's number links its page: {}",
        p.html
    );
    assert!(p.html.contains("<td>Pending</td>"));
    assert!(!p.html.contains(&other.1), "another customer's request");
    // The list links to the request's page too.
    assert!(b
        .get("/console/report-requests")
        .await
        .html
        .contains(&format!("href=\"{detail}\"")));

    // Its page: the API's detail; the link in full only when the API gives it so.
    let p = b.get(&detail).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_masked(&p, 3);
    assert!(p.html.contains("<dd>Pending</dd>") && p.html.contains("<dd>Email</dd>"));
    assert!(p
        .html
        .contains(&format!("<h1>Report request {number}</h1>")));
    assert!(p.html.contains("Link expires"));
    assert!(!p.html.contains("Reset and resend"), "not expired");
    let api_detail = api
        .get_ok(
            &format!("/api/v1/instantbankanalysis/reportrequests/{report_id}"),
            "Request successful",
        )
        .await;
    let link = api_detail.body["data"]["link"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let full = app.link_for(&report_id).await;
    let token = full.rsplit('/').next().unwrap();
    assert_eq!(
        p.html.contains(token),
        link.contains(token),
        "the page shows the full link exactly when the API does: {link}"
    );
}

#[tokio::test]
async fn an_expired_request_is_reset_and_resent_from_its_page() {
    let app = spawn_app().await;
    let api = Staff::admin(&app).await;
    let (_, report_id) = api.customer_with_request(4).await;
    let old = app.link_for(&report_id).await;
    let messages = app.outbox().await.len();
    app.clock.advance(Duration::from_secs(73 * 3600));
    // Signed in after the 73 hours (a session left alone ends after 15 minutes).
    let (mut b, _) = admin(&app).await;
    let detail = format!("/console/report-requests/{report_id}");
    let p = b.get(&detail).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.html.contains("<dd>Expired</dd>") && p.html.contains("Link expired"));
    assert!(p.html.contains("Reset and resend"));
    assert!(
        !p.html.contains(old.rsplit('/').next().unwrap()),
        "no dead link"
    );
    let csrf = p.csrf();
    let done = b.post(&format!("{detail}/reset"), &[("csrf", &csrf)]).await;
    assert_eq!(done.status, 303, "{}", done.html);
    assert_eq!(done.header("location"), detail);
    assert_eq!(app.outbox().await.len(), messages + 1, "a new message");
    let new = app.link_for(&report_id).await;
    assert_ne!(new, old, "a new link");
    let p = b.get(&detail).await;
    assert!(p.html.contains("<dd>Pending</dd>") && !p.html.contains("Reset and resend"));
    // The new link opens for the customer; the old one no longer does.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let opened = http.get(&new).send().await.unwrap().status().as_u16();
    assert!(opened < 400, "the new link: {opened}");
    let closed = http.get(&old).send().await.unwrap().status().as_u16();
    assert!(closed >= 400, "the old link: {closed}");
}

#[tokio::test]
async fn admins_create_and_edit_staff_users_and_analysts_are_refused() {
    let app = spawn_app().await;
    let (mut b, api) = admin(&app).await;
    make_analyst(&api).await;
    let p = b.get("/console/users").await;
    assert!(p.html.contains("href=\"/console/users/new\""));
    let p = b.get("/console/users/new").await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    assert!(p.html.contains("<label for=\"user-password\">"));
    let csrf = p.csrf();
    let mut fields = vec![
        ("firstName", "Bea"),
        ("lastName", "Cole"),
        ("jobTitle", "Analyst"),
        ("email", "bea@lender.example"),
        ("phone", "9251990832"),
        ("role", "analyst"),
        ("isActive", "true"),
        ("password", "short-pw"),
        ("csrf", &csrf),
    ];
    let p = b.post("/console/users/new", &fields).await;
    assert_eq!(p.status, 400, "{}", p.html);
    assert_eq!(
        field_error(&p, "user-password"),
        "Password must be at least 12 characters."
    );
    assert!(
        !p.html.contains("short-pw"),
        "a password is never written back"
    );
    assert!(p.html.contains("value=\"bea@lender.example\""));
    fields[7] = ("password", "bea-long-password-1");
    let p = b.post("/console/users/new", &fields).await;
    assert_eq!(p.status, 303, "{}", p.html);
    assert_eq!(p.header("location"), "/console/users");
    Staff::login(&app, "bea@lender.example", "bea-long-password-1").await;
    let all = api
        .get_ok("/api/v1/user/all?nameQuery=Bea", "Request successful")
        .await;
    let bea = all.body["data"]["records"][0].clone();
    assert_eq!(bea["role"], "analyst");
    let id = bea["id"].as_str().unwrap();

    let edit = format!("/console/users/{id}/edit");
    assert!(b
        .get("/console/users")
        .await
        .html
        .contains(&format!("href=\"{edit}\"")));
    let p = b.get(&edit).await;
    assert_eq!(p.status, 200);
    assert!(p.html.contains("value=\"Analyst\"") && !p.html.contains("bea-long-password-1"));
    let p = b
        .post(
            &edit,
            &[
                ("firstName", "Bea"),
                ("lastName", "Cole"),
                ("jobTitle", "Senior analyst"),
                ("email", "bea@lender.example"),
                ("phone", "9251990832"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.html);
    let u = api
        .get_ok(&format!("/api/v1/user/{id}"), "User retrieved successfully")
        .await;
    assert_eq!(u.body["data"]["jobTitle"], "Senior analyst");
    assert_eq!(
        u.body["data"]["isActive"], false,
        "the unticked box deactivates"
    );
    let p = b.post(&edit, &[("firstName", ""), ("csrf", &csrf)]).await;
    assert_eq!(p.status, 400);
    assert_eq!(field_error(&p, "user-firstName"), "First name is required.");

    // An analyst gets the 403 page for each, and nothing changes.
    let mut analyst = Browser::analyst(&app).await;
    let csrf = analyst.get("/console/customers").await.csrf();
    assert_eq!(analyst.get("/console/users/new").await.status, 403);
    assert_eq!(analyst.get(&edit).await.status, 403);
    let p = analyst
        .post(
            "/console/users/new",
            &[
                ("firstName", "Cy"),
                ("lastName", "Dee"),
                ("email", "cy@lender.example"),
                ("phone", "9251990833"),
                ("password", "cy-long-password-1"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(p.status, 403, "{}", p.html);
    let p = analyst
        .post(
            &edit,
            &[
                ("firstName", "Evil"),
                ("lastName", "Cole"),
                ("email", "bea@lender.example"),
                ("phone", "9251990832"),
                ("isActive", "true"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(p.status, 403);
    let u = api
        .get_ok(&format!("/api/v1/user/{id}"), "User retrieved successfully")
        .await;
    assert_eq!(u.body["data"]["firstName"], "Bea");
    let all = api
        .get_ok("/api/v1/user/all?nameQuery=Cy", "Request successful")
        .await;
    assert!(!all.body.to_string().contains("cy@lender.example"));
}
