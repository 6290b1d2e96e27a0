//! Bank analysis staff users: admins manage them, analysts cannot; the
//! password never comes back; deactivation ends sessions.

use crate::common;

use common::spawn_app;
use common::staff::{envelope_err, envelope_ok, Staff};
use serde_json::json;

fn analyst(n: u32) -> serde_json::Value {
    json!({"firstName": "Ann", "lastName": format!("Lyst{n}"), "jobTitle": "Underwriter",
           "email": format!("ann{n}@lender.example"), "phone": "9251990831",
           "secondaryPhone": "4045550100", "secondaryEmail": format!("ann{n}.alt@lender.example"),
           "password": "analyst-pass-1", "isActive": true})
}

#[tokio::test]
async fn admins_create_read_list_and_update_users() {
    let app = spawn_app().await;
    let admin = Staff::admin(&app).await;
    let a = admin.post("/api/v1/user", &analyst(1)).await;
    envelope_ok(&a, "User created successfully");
    let d = &a.body["data"];
    assert_eq!(d["password"], "*****");
    assert_eq!(d["email"], "ann1@lender.example");
    assert_eq!(d["isActive"], true);
    assert_eq!(d["role"], "analyst");
    let id = d["id"].as_str().unwrap().to_string();
    assert!(!a.body.to_string().contains("analyst-pass-1"));

    // The same email again.
    let dup = admin.post("/api/v1/user", &analyst(1)).await;
    envelope_err(
        &dup,
        400,
        "User with this email already exists",
        &["Email is already in use."],
    );

    let got = admin
        .get_ok(&format!("/api/v1/user/{id}"), "User retrieved successfully")
        .await;
    assert_eq!(got.body["data"]["jobTitle"], "Underwriter");
    assert!(got.body["data"].get("password").is_none());
    assert!(got.body["data"]["createdDate"]
        .as_str()
        .unwrap()
        .ends_with('Z'));

    let missing = admin
        .get("/api/v1/user/5d8c1c4e-0000-4000-8000-000000000000")
        .await;
    envelope_err(&missing, 400, "Not found", &["User not found."]);
    let junk = admin.get("/api/v1/user/not-a-guid").await;
    envelope_err(&junk, 400, "Not found", &["User not found."]);

    for n in 2..=4 {
        envelope_ok(
            &admin.post("/api/v1/user", &analyst(n)).await,
            "User created successfully",
        );
    }
    let page = admin
        .get_ok(
            "/api/v1/user/all?pageNumber=1&pageSize=2&orderBy=LastName&order=ASC",
            "Request successful",
        )
        .await;
    assert_eq!(
        page.body["data"]["totalRecords"], 5,
        "four analysts and the admin"
    );
    let records = page.body["data"]["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["lastName"], "Lyst1");
    let found = admin.get("/api/v1/user/all?nameQuery=lyst3").await;
    assert_eq!(found.body["data"]["totalRecords"], 1, "{found}");

    let bad = admin.get("/api/v1/user/all?pageNumber=0").await;
    envelope_err(
        &bad,
        400,
        "Bad Request",
        &[
            "Invalid request parameters.",
            "PageNumber must be greater than 0.",
        ],
    );
    let bad = admin
        .get("/api/v1/user/all?pageSize=101&isActive=maybe")
        .await;
    envelope_err(
        &bad,
        400,
        "Bad Request",
        &[
            "Invalid request parameters.",
            "PageSize must be between 1 and 100.",
            "IsActive must be true or false.",
        ],
    );

    // Update: a new email, deactivated.
    let mut change = analyst(1);
    change["id"] = json!(id);
    change["email"] = json!("ann.new@lender.example");
    change["isActive"] = json!(false);
    let up = admin.put("/api/v1/user", &change).await;
    envelope_ok(&up, "User updated successfully");
    assert_eq!(up.body["data"]["password"], "*****");
    assert_eq!(up.body["data"]["isActive"], false);
    let inactive = admin.get("/api/v1/user/all?isActive=false").await;
    assert_eq!(inactive.body["data"]["totalRecords"], 1);
    // An email held by someone else.
    change["email"] = json!(app.tenant.analysis.email);
    let taken = admin.put("/api/v1/user", &change).await;
    envelope_err(
        &taken,
        400,
        "User with this email already exists",
        &["Email is already in use."],
    );
}

#[tokio::test]
async fn validation_lists_every_failed_rule() {
    let app = spawn_app().await;
    let admin = Staff::admin(&app).await;
    let a = admin
        .post("/api/v1/user", &json!({"lastName": "X", "email": "not-an-email", "phone": "12345", "password": "short", "role": "root"}))
        .await;
    envelope_err(
        &a,
        400,
        "Validation failed for the request.",
        &[
            "First name is required.",
            "Invalid email format.",
            "Phone number must be exactly 10 digits.",
            "Password must be at least 12 characters.",
            "Role must be either 'admin' or 'analyst'.",
        ],
    );
    let a = admin.post_raw("/api/v1/user", "[1,2,3]").await;
    envelope_err(
        &a,
        400,
        "Validation failed for the request.",
        &["The request body must be a JSON object."],
    );
    let mut own = analyst(9);
    own["id"] = json!("00000000-0000-4000-8000-000000000001");
    let a = admin.put("/api/v1/user", &own).await;
    envelope_err(&a, 400, "Not found", &["User not found."]);
}

#[tokio::test]
async fn analysts_are_denied_user_management_and_deactivation_ends_sessions() {
    let app = spawn_app().await;
    let admin = Staff::admin(&app).await;
    let created = admin.post("/api/v1/user", &analyst(1)).await;
    let id = created.body["data"]["id"].as_str().unwrap().to_string();
    let ann = Staff::login(&app, "ann1@lender.example", "analyst-pass-1").await;
    let denied = ["Your request cannot be processed. If you believe this is an error, please contact support."];
    envelope_err(
        &ann.post("/api/v1/user", &analyst(2)).await,
        401,
        "Access Denied",
        &denied,
    );
    envelope_err(
        &ann.get("/api/v1/user/all").await,
        401,
        "Access Denied",
        &denied,
    );
    let mut change = analyst(1);
    change["id"] = json!(id);
    envelope_err(
        &ann.put("/api/v1/user", &change).await,
        401,
        "Access Denied",
        &denied,
    );
    // Her own record she may read; the admin's she may not.
    envelope_ok(
        &ann.get(&format!("/api/v1/user/{id}")).await,
        "User retrieved successfully",
    );
    let admin_id = admin.user_id().await;
    envelope_err(
        &ann.get(&format!("/api/v1/user/{admin_id}")).await,
        401,
        "Access Denied",
        &denied,
    );
    // Analysts work customers.
    envelope_ok(
        &ann.get("/api/v1/customer/all").await,
        "Customers retrieved successfully.",
    );

    // An admin cannot lock themself out.
    let mut me = analyst(7);
    me["id"] = json!(admin_id);
    me["isActive"] = json!(false);
    envelope_err(
        &admin.put("/api/v1/user", &me).await,
        400,
        "Validation failed for the request.",
        &["You cannot deactivate your own account."],
    );

    // Deactivated: her live token stops working and she cannot log in.
    change["isActive"] = json!(false);
    envelope_ok(
        &admin.put("/api/v1/user", &change).await,
        "User updated successfully",
    );
    envelope_err(
        &ann.get("/api/v1/customer/all").await,
        401,
        "Access Denied",
        &denied,
    );
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "ann1@lender.example", "password": "analyst-pass-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn x_timezone_renders_dates_and_unknown_zones_are_refused() {
    let app = spawn_app().await;
    let mut admin = Staff::admin(&app).await;
    admin.zone = Some("America/Los_Angeles".into());
    let a = admin.post("/api/v1/user", &analyst(1)).await;
    let id = a.body["data"]["id"].as_str().unwrap().to_string();
    let got = admin.get(&format!("/api/v1/user/{id}")).await;
    let created = got.body["data"]["createdDate"].as_str().unwrap();
    assert!(
        created.ends_with("-08:00") || created.ends_with("-07:00"),
        "{created}"
    );
    admin.zone = Some("Mars/Olympus_Mons".into());
    let bad = admin.get(&format!("/api/v1/user/{id}")).await;
    envelope_err(
        &bad,
        400,
        "Bad Request",
        &["X-Timezone must be an IANA time zone identifier (e.g. America/Los_Angeles)."],
    );
}

#[tokio::test]
async fn passwords_follow_the_rules_admins_reset_them_and_the_trail_names_who() {
    let app = spawn_app().await;
    let admin = Staff::admin(&app).await;
    let admin_id = admin.user_id().await;
    // PCI DSS 8.3.6: at least 12 characters, and not a common password.
    for (password, rule) in [
        ("elevenchars", "Password must be at least 12 characters."),
        (
            "Password2024!",
            "Password is too common or too easy to guess.",
        ),
        (
            "qwertyuiop123",
            "Password is too common or too easy to guess.",
        ),
        (
            "aaaaaaaaaaaaaaaa",
            "Password is too common or too easy to guess.",
        ),
    ] {
        let mut body = analyst(5);
        body["password"] = json!(password);
        admin
            .post_refused(
                "/api/v1/user",
                &body,
                400,
                "Validation failed for the request.",
                &[rule],
            )
            .await;
    }
    let created = admin.post("/api/v1/user", &analyst(1)).await;
    envelope_ok(&created, "User created successfully");
    let id = created.body["data"]["id"].as_str().unwrap().to_string();
    let ann = Staff::login(&app, "ann1@lender.example", "analyst-pass-1").await;

    // Analysts cannot reset; admins can, with the same rules.
    let reset = format!("/api/v1/user/{id}/password");
    common::sensitive("reset-by-the-admin-77");
    envelope_err(
        &ann.put(&reset, &json!({"newPassword": "reset-by-the-admin-77"})).await,
        401,
        "Access Denied",
        &["Your request cannot be processed. If you believe this is an error, please contact support."],
    );
    envelope_err(
        &admin
            .put(&reset, &json!({"newPassword": "letmein123456"}))
            .await,
        400,
        "Validation failed for the request.",
        &["Password is too common or too easy to guess."],
    );
    envelope_err(
        &admin
            .put(
                "/api/v1/user/5d8c1c4e-0000-4000-8000-000000000000/password",
                &json!({"newPassword": "reset-by-the-admin-77"}),
            )
            .await,
        400,
        "Not found",
        &["User not found."],
    );
    // Ann locked herself out; the reset lifts the lock and ends her sessions.
    let http = reqwest::Client::new();
    let login = |password: &'static str| {
        let http = http.clone();
        let base = app.base.clone();
        async move {
            http.post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"email": "ann1@lender.example", "password": password}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for _ in 0..5 {
        assert_eq!(login("not-her-password").await, 401);
    }
    assert_eq!(login("analyst-pass-1").await, 429);
    let r = admin
        .put(&reset, &json!({"newPassword": "reset-by-the-admin-77"}))
        .await;
    envelope_ok(&r, "Password reset successfully.");
    assert_eq!(ann.get("/api/v1/auth/status").await.status, 401);
    assert_eq!(login("analyst-pass-1").await, 401);
    assert_eq!(login("reset-by-the-admin-77").await, 200);

    // Emails are unique per tenant: another tenant's admin can create a user
    // with Ann's email without learning she exists, and each logs in with
    // their own password.
    let other = app.other_tenant().await;
    let stranger = Staff::login(&app, &other.analysis.email, &other.analysis.password).await;
    let mut twin = analyst(1);
    twin["password"] = json!("twin-in-other-tenant");
    envelope_ok(
        &stranger.post("/api/v1/user", &twin).await,
        "User created successfully",
    );
    let twin_session = Staff::login(&app, "ann1@lender.example", "twin-in-other-tenant").await;
    let me = twin_session.get("/api/v1/auth/status").await;
    assert_ne!(me.body["data"]["userId"], json!(id));
    let ann = Staff::login(&app, "ann1@lender.example", "reset-by-the-admin-77").await;
    assert_eq!(
        ann.get("/api/v1/auth/status").await.body["data"]["userId"],
        json!(id)
    );
    // Within one tenant the email stays unique.
    envelope_err(
        &stranger.post("/api/v1/user", &twin).await,
        400,
        "User with this email already exists",
        &["Email is already in use."],
    );

    // Update and deactivation, then the trail.
    let mut change = analyst(1);
    change["id"] = json!(id);
    change["jobTitle"] = json!("Senior Underwriter");
    envelope_ok(
        &admin.put("/api/v1/user", &change).await,
        "User updated successfully",
    );
    change["isActive"] = json!(false);
    envelope_ok(
        &admin.put("/api/v1/user", &change).await,
        "User updated successfully",
    );
    let logs = common::captured_logs();
    for event in [
        "user.created",
        "user.updated",
        "user.deactivated",
        "password.reset",
    ] {
        let line = logs
            .lines()
            .find(|l| l.contains(&format!(r#""audit_event":"{event}""#)) && l.contains(&id))
            .unwrap_or_else(|| panic!("no {event} for {id}"));
        assert!(line.contains(r#""target":"audit""#), "{line}");
        assert!(
            line.contains(&format!(r#""actor_id":"{admin_id}""#)),
            "{line}"
        );
        assert!(line.contains(&format!(r#""target_id":"{id}""#)), "{line}");
        assert!(!line.contains("reset-by-the-admin-77") && !line.contains("analyst-pass-1"));
    }
}
