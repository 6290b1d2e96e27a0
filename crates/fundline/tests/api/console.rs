//! The lender's console (issue 16): sign in and out on the API's staff
//! sessions, CSRF on forms, the customers list, tenancy.

use std::time::Duration;

use crate::common;
use common::console::{active_stream, assert_page_headers, make_analyst, to_the_cent, Browser};
use common::spawn_app;
use common::staff::{customer, customers_two_days_apart, envelope_ok, Staff};

#[tokio::test]
async fn signing_in_sets_a_strict_cookie_and_lists_the_tenants_customers_masked() {
    let app = spawn_app().await;
    let admin = &app.tenant.analysis;
    let mut b = Browser::new(&app);

    // The platform's front doors lead to the console.
    for (path, to) in [("/", "/console"), ("/login", "/console/login")] {
        let p = b.get(path).await;
        assert!((300..400).contains(&p.status), "{path}: {}", p.status);
        assert_eq!(p.header("location"), to);
    }
    // Without a session every page leads to the sign-in form.
    let p = b.get("/console/customers").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.header("location"), "/console/login");
    let p = b.get("/console/login").await;
    assert_eq!(p.status, 200);
    assert_page_headers(&p);
    // The sign-in form has its own CSRF token, its cookie's value.
    let token = p.csrf();
    assert_eq!(b.cookies.get("fl_console_login"), Some(&token));
    let wrong = "x".repeat(22);
    for csrf in [None, Some(wrong.as_str())] {
        let mut fields = vec![
            ("email", admin.email.as_str()),
            ("password", admin.password.as_str()),
        ];
        fields.extend(csrf.map(|c| ("csrf", c)));
        let p = b.post("/console/login", &fields).await;
        assert_eq!(p.status, 403, "{csrf:?}");
        assert!(b.session().is_none());
    }
    assert!(
        p.html.contains("<label for=\"email\">") && p.html.contains("<label for=\"password\">")
    );

    let api = Staff::admin(&app).await;
    envelope_ok(
        &api.post("/api/v1/customer", &customer(1)).await,
        "Customer created successfully.",
    );

    let p = b.login(&admin.email, &admin.password).await;
    assert_eq!(p.status, 303, "{}", p.html);
    assert_eq!(p.header("location"), "/console/customers");
    let set = p
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("fl_console="))
        .expect("the session cookie")
        .to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(set.contains(attr), "{set}");
    }
    assert!(!set.contains("Secure"), "no TLS on this node: {set}");

    let p = b.get("/console/customers").await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    assert!(p.html.contains("Jane1 Smith"), "{}", p.html);
    assert!(p.html.contains("*****0002"), "masked SSN shown");
    assert!(!p.html.contains("123450002"), "no full SSN in the page");
    assert!(!p.html.contains("34366787628003540"), "no account number");
    assert!(p.html.contains("<th scope=\"col\">SSN</th>"));
    assert!(p.html.contains("<main id=\"main\">"));

    // Search, type filter and paging are the API's.
    envelope_ok(
        &api.post("/api/v1/customer", &customer(2)).await,
        "Customer created successfully.",
    );
    let p = b.get("/console/customers?nameQuery=Jane2").await;
    assert!(p.html.contains("Jane2 Smith") && !p.html.contains("Jane1 Smith"));
    let p = b.get("/console/customers?customerType=business").await;
    assert!(!p.html.contains("Jane1 Smith") && p.html.contains("0 customers"));
    let p = b
        .get("/console/customers?pageSize=1&orderBy=FirstName&order=ASC")
        .await;
    assert!(p.html.contains("Jane1 Smith") && !p.html.contains("Jane2 Smith"));
    assert!(p.html.contains("page 1 of 2"), "{}", p.html);
    assert!(p.html.contains("pageNumber=2"), "a next-page link");
    let p = b.get("/console/customers?pageSize=500").await;
    assert_eq!(p.status, 400);
    assert!(p.html.contains("Invalid request parameters."));

    // Another tenant's staff sees none of them.
    let mut stranger = Browser::stranger(&app).await;
    let p = stranger.get("/console/customers").await;
    assert_eq!(p.status, 200);
    assert!(!p.html.contains("Jane1") && p.html.contains("0 customers"));

    // Unknown console paths answer an HTML 404, other methods an HTML 405.
    let p = b.get("/console/nothing-here").await;
    assert_eq!(p.status, 404);
    assert!(p.header("content-type").starts_with("text/html"));
    assert_page_headers(&p);
    let req = b.http.delete(format!("{}/console/customers", b.base));
    let p = b.answer(req).await;
    assert_eq!(p.status, 405);
    assert!(
        p.header("content-type").starts_with("text/html"),
        "{}",
        p.html
    );
    let p = b.get("/console").await;
    assert_eq!(p.header("location"), "/console/customers");
}

#[tokio::test]
async fn wrong_passwords_count_with_the_apis_and_lock_the_account() {
    let app = spawn_app().await;
    let admin = &app.tenant.analysis;
    let mut b = Browser::new(&app);
    for _ in 0..3 {
        let p = b.login(&admin.email, "not-the-password").await;
        assert_eq!(p.status, 401);
        assert!(p.html.contains("Invalid email or password."));
        assert!(b.session().is_none());
    }
    // Two more through the API: five for the account in all.
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let r = http
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&serde_json::json!({"email": admin.email, "password": "not-the-password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let p = b.login(&admin.email, &admin.password).await;
    assert_eq!(p.status, 429, "locked even with the right password");
    assert!(p.html.contains("Too many failed attempts"));
    assert!(b.session().is_none());
    // The API sees the same lock.
    let r = http
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&serde_json::json!({"email": admin.email, "password": admin.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    app.clock.advance(Duration::from_secs(31 * 60));
    assert_eq!(b.login(&admin.email, &admin.password).await.status, 303);
}

#[tokio::test]
async fn forms_need_the_sessions_csrf_token_and_logout_ends_the_session() {
    let app = spawn_app().await;
    let admin = &app.tenant.analysis;
    let mut b = Browser::admin(&app).await;
    let page = b.get("/console/customers").await;
    let token = page.csrf();
    assert_eq!(token.len(), 64);

    // Another session's token is not this one's.
    let mut other = Browser::new(&app);
    other.login(&admin.email, &admin.password).await;
    let others = other.get("/console/customers").await.csrf();
    assert_ne!(others, token);

    for form in [
        vec![],
        vec![("csrf", "")],
        vec![("csrf", others.as_str())],
        vec![("csrf", "zz")],
    ] {
        let p = b.post("/console/logout", &form).await;
        assert_eq!(p.status, 403, "{form:?}");
        assert!(p.header("content-type").starts_with("text/html"));
    }
    assert_eq!(
        b.get("/console/customers").await.status,
        200,
        "still signed in"
    );

    let old = b.cookies.clone();
    let p = b.post("/console/logout", &[("csrf", &token)]).await;
    assert_eq!(p.status, 303);
    assert_eq!(p.header("location"), "/console/login");
    assert!(p.header("set-cookie").contains("Max-Age=0"));
    // The old cookie no longer opens a page.
    b.cookies = old;
    let p = b.get("/console/customers").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.header("location"), "/console/login");
    // The other session is untouched.
    assert_eq!(other.get("/console/customers").await.status, 200);
}

#[tokio::test]
async fn a_session_stays_while_used_and_ends_after_the_apis_idle_timeout() {
    let app = spawn_app().await;
    let admin = &app.tenant.analysis;
    let mut b = Browser::admin(&app).await;
    // Used every 10 minutes, it outlives one access token.
    for _ in 0..3 {
        app.clock.advance(Duration::from_secs(10 * 60));
        assert_eq!(b.get("/console/customers").await.status, 200);
    }
    // A copy of a spent cookie (its refresh token already rotated) is a
    // reuse, as for the API: the whole session ends.
    let mut copy = Browser::new(&app);
    copy.cookies = b.cookies.clone();
    app.clock.advance(Duration::from_secs(8 * 60));
    assert_eq!(b.get("/console/customers").await.status, 200);
    assert_eq!(copy.get("/console/customers").await.status, 303);
    assert_eq!(b.get("/console/customers").await.status, 303);
    b.login(&admin.email, &admin.password).await;
    // Unused for 16 minutes, it is over.
    app.clock.advance(Duration::from_secs(16 * 60));
    let p = b.get("/console/customers").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.header("location"), "/console/login");
}

#[tokio::test]
async fn the_report_requests_page_lists_the_tenants_requests_with_the_apis_filters() {
    let app = spawn_app().await;
    let admin = &app.tenant.analysis;
    let api = Staff::admin(&app).await;
    let mut c = customer(7);
    c["triggerReportRequest"] = serde_json::json!(true);
    envelope_ok(
        &api.post("/api/v1/customer", &c).await,
        "Customer created successfully.",
    );
    envelope_ok(
        &api.post("/api/v1/customer", &customer(8)).await,
        "Customer created successfully.",
    );
    let mut b = Browser::new(&app);
    assert_eq!(
        b.get("/console/report-requests").await.header("location"),
        "/console/login"
    );
    b.login(&admin.email, &admin.password).await;
    let p = b.get("/console/report-requests").await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    assert!(p.html.contains("Jane7 Smith") && p.html.contains("<td>Pending</td>"));
    assert!(!p.html.contains("Jane8 Smith"), "no request, not listed");
    assert!(p.html.contains("1 request,"), "{}", p.html);
    // The link itself is not on the list page.
    assert!(!p.html.contains("/connect/"));
    let p = b.get("/console/report-requests?status=2").await;
    assert!(!p.html.contains("Jane7 Smith") && p.html.contains("0 requests"));
    let p = b.get("/console/report-requests?status=9").await;
    assert_eq!(p.status, 400);
    assert!(p.html.contains("Status must be 1 (Pending)"));
    let p = b
        .get("/console/report-requests?orderedDateFrom=2000-01-01&orderedDateTo=2000-12-31")
        .await;
    assert!(p.html.contains("0 requests"));

    let mut stranger = Browser::stranger(&app).await;
    let p = stranger.get("/console/report-requests").await;
    assert_eq!(p.status, 200);
    assert!(!p.html.contains("Jane7") && p.html.contains("0 requests"));
}

#[tokio::test]
async fn the_customers_list_filters_by_onboarding_date_as_the_api_does() {
    let app = spawn_app().await;
    let (first, second) = customers_two_days_apart(&app).await;
    let mut b = Browser::admin(&app).await;
    let p = b.get("/console/customers").await;
    assert!(p.html.contains("Onboarded from") && p.html.contains("Onboarded to"));
    let p = b
        .get(&format!("/console/customers?createdDateTo={first}"))
        .await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.html.contains("Jane1 Smith") && !p.html.contains("Jane2 Smith"));
    assert!(
        p.html.contains(&format!("value=\"{first}\"")),
        "the filter kept"
    );
    let p = b
        .get(&format!("/console/customers?createdDateFrom={second}"))
        .await;
    assert!(p.html.contains("Jane2 Smith") && !p.html.contains("Jane1 Smith"));
    // The pager keeps the dates.
    let p = b
        .get(&format!(
            "/console/customers?createdDateFrom={first}&createdDateTo={second}&pageSize=1"
        ))
        .await;
    assert!(p.html.contains("page 1 of 2"), "{}", p.html);
    let next = p
        .html
        .lines()
        .find(|l| l.contains("rel=\"next\""))
        .unwrap_or_else(|| panic!("a next-page link: {}", p.html));
    assert!(
        next.contains(&format!("createdDateFrom={first}"))
            && next.contains(&format!("createdDateTo={second}")),
        "{next}"
    );
    let p = b.get("/console/customers?createdDateFrom=someday").await;
    assert_eq!(p.status, 400);
    assert!(
        p.html.contains("CreatedDateFrom must be an ISO-8601 date."),
        "{}",
        p.html
    );
}

#[tokio::test]
async fn a_customers_page_shows_the_apis_record_with_its_numbers_masked() {
    let app = spawn_app().await;
    let admin = &app.tenant.analysis;
    let api = Staff::admin(&app).await;
    let created = api.post("/api/v1/customer", &customer(1)).await;
    envelope_ok(&created, "Customer created successfully.");
    let id = created.body["data"]["id"].as_str().unwrap().to_string();
    let mut b = Browser::new(&app);
    let path = format!("/console/customers/{id}");
    assert_eq!(b.get(&path).await.header("location"), "/console/login");
    b.login(&admin.email, &admin.password).await;

    // The list links to it.
    let list = b.get("/console/customers").await;
    assert!(list.html.contains(&format!("href=\"{path}\"")));
    let p = b.get(&path).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    assert!(p.html.contains("<h1>Jane1 Smith</h1>"));
    for shown in [
        "*****0002",
        "*****3540",
        "*****4567",
        "Tasty Bites LLC",
        "Bi-Weekly",
        "3200.5",
    ] {
        assert!(p.html.contains(shown), "{shown} shown");
    }
    for secret in ["123450002", "34366787628003540", "D1234567", "S3cure-pass!"] {
        assert!(!p.html.contains(secret), "{secret} not in the page");
    }

    // Another tenant's staff does not find it; nor does anyone an unknown id.
    let mut stranger = Browser::stranger(&app).await;
    let p = stranger.get(&path).await;
    assert_eq!(p.status, 404);
    assert!(!p.html.contains("Jane1"));
    assert_eq!(b.get("/console/customers/not-an-id").await.status, 404);
}

#[tokio::test]
async fn only_admins_see_the_staff_users_page() {
    let app = spawn_app().await;
    let admin = &app.tenant.analysis;
    let api = Staff::admin(&app).await;
    make_analyst(&api).await;

    let mut b = Browser::admin(&app).await;
    let p = b.get("/console/users").await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    assert!(
        p.html.contains("href=\"/console/users\""),
        "admins get the link"
    );
    assert!(p.html.contains("Ann Lyst") && p.html.contains("<td>analyst</td>"));
    assert!(p.html.contains(&admin.email));
    assert!(!p.html.contains("analyst-pass-1"));
    let p = b.get("/console/users?isActive=false").await;
    assert!(!p.html.contains("Ann Lyst") && p.html.contains("0 users"));

    // An analyst signs in, has no link, and is refused the page.
    let mut analyst = Browser::analyst(&app).await;
    let p = analyst.get("/console/customers").await;
    assert_eq!(p.status, 200);
    assert!(!p.html.contains("href=\"/console/users\""));
    let p = analyst.get("/console/users").await;
    assert_eq!(p.status, 403);
    assert!(!p.html.contains(&admin.email));
}

/// An amount of the API's JSON as the report page shows it, to the cent.
fn amount(v: &serde_json::Value) -> String {
    format!("<dd>{}</dd>", to_the_cent(v))
}

#[tokio::test]
async fn the_report_page_shows_the_apis_financial_report_for_the_tenant_only() {
    let app = spawn_app().await;
    let api = Staff::admin(&app).await;
    let (_, report_id) = api.customer_with_request(3).await;
    let page_path = format!("/console/reports/{report_id}");
    let mut b = Browser::admin(&app).await;

    // Still building: says so and refreshes itself.
    let p = b.get(&page_path).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    assert!(p
        .html
        .contains("<meta http-equiv=\"refresh\" content=\"5\">"));
    assert!(p.html.contains("The report is not ready yet."));
    let list = b.get("/console/report-requests").await;
    assert!(list
        .html
        .contains(&format!("href=\"{page_path}\">Building</a>")));

    // Statements ending 120 days ago: the report warns of stale data.
    let end = chrono::Utc::now().date_naive() - chrono::Duration::days(120);
    let story = common::ofx::statement(end);
    let shared = common::sharing::share_to(
        &app,
        &api,
        report_id.clone(),
        vec![("march.ofx".into(), story.text.into_bytes())],
    )
    .await
    .expect("the statement is taken");
    let r = &shared.report;
    let warnings = r["dataQuality"]["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w == "stale_data"), "{r}");

    let list = b.get("/console/report-requests").await;
    assert!(list
        .html
        .contains(&format!("href=\"{page_path}\">Open report</a>")));
    let p = b.get(&page_path).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    assert!(!p.html.contains("http-equiv=\"refresh\""));
    // The warnings come first, as an alert.
    let alert = p.html.find("<ul role=\"alert\">").expect("an alert list");
    assert!(p.html[alert..].contains("Stale data"));
    assert!(alert < p.html.find("Headline").unwrap());
    let stream = active_stream(r);
    let employer = stream["employerName"].as_str().unwrap();
    assert!(p
        .html
        .contains(&format!("<th scope=\"row\">{employer}</th>")));
    let income = to_the_cent(&stream["monthlyIncome"]);
    assert!(p.html.contains(&format!("<td>{income}</td>")));
    assert!(p.html.contains(&amount(&r["averageIncomePerMonth"])));
    assert!(p.html.contains(&amount(&r["averageExpensesPerMonth"])));
    assert!(p.html.contains(&format!("<dd>{}</dd>", r["score"])));
    // What the customer stated, beside what the report detected.
    assert!(p.html.contains(&format!(
        "<th scope=\"row\">Employer</th><td>Tasty Bites (Tasty Bites LLC)</td><td>{employer}</td>"
    )));
    assert!(p.html.contains(&format!(
        "<th scope=\"row\">Pay frequency</th><td>Bi-Weekly</td><td>{}</td>",
        stream["frequency"].as_str().unwrap()
    )));
    assert!(p.html.contains(&format!(
        "<th scope=\"row\">Monthly income</th><td>$3200.50</td><td>{}</td>",
        to_the_cent(&r["averageIncomePerMonth"])
    )));
    let loan = r["potentialLoans"][0]["detectedCompanyName"]
        .as_str()
        .unwrap();
    assert!(p.html.contains(loan), "{loan}");
    assert!(!p.html.contains(story.account), "no full account number");
    assert!(!p.html.contains("123450004"), "no full SSN");

    // Analysts read reports as the API lets them.
    make_analyst(&api).await;
    let mut analyst = Browser::analyst(&app).await;
    let p = analyst.get(&page_path).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.html.contains(&amount(&r["averageIncomePerMonth"])));

    // Another tenant's staff: not found, nothing of the report.
    let mut stranger = Browser::stranger(&app).await;
    let p = stranger.get(&page_path).await;
    assert_eq!(p.status, 404);
    assert!(!p.html.contains(employer));
    let p = stranger.get("/console/reports/not-a-guid").await;
    assert_eq!(p.status, 404);
}

#[tokio::test]
async fn an_expired_requests_report_page_gives_the_apis_reason_and_stops_refreshing() {
    let app = spawn_app().await;
    let api = Staff::admin(&app).await;
    let (_, report_id) = api.customer_with_request(4).await;
    app.clock.advance(Duration::from_secs(73 * 3600));
    let mut b = Browser::admin(&app).await;
    let p = b.get(&format!("/console/reports/{report_id}")).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p
        .html
        .contains("The customer did not share bank data before the link expired."));
    assert!(!p.html.contains("http-equiv=\"refresh\""));
    // It stopped at the customer's consent.
    assert_eq!(
        crate::console_building::states(&p),
        ["Done", "Now", "To come", "To come"]
    );
    let list = b.get("/console/report-requests").await;
    assert!(list.html.contains("<td>Expired</td>"));
    assert!(
        !list.html.contains("/console/reports/"),
        "no report to open"
    );
}
