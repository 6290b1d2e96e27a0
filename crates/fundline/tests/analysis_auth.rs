//! Bank analysis staff authentication.

mod common;

use std::time::Duration;

use common::{spawn_app, TestApp};
use serde_json::{json, Value};

async fn post(app: &TestApp, path: &str, body: Value, bearer: Option<&str>) -> (u16, Value) {
    let mut r = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .json(&body);
    if let Some(b) = bearer {
        r = r.bearer_auth(b);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn status(app: &TestApp, bearer: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/auth/status", app.base))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn login(app: &TestApp) -> (String, String) {
    let a = &app.tenant.analysis;
    let (code, body) = post(
        app,
        "/api/v1/auth/login",
        json!({"email": a.email, "password": a.password}),
        None,
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["message"], "Login successful");
    assert_eq!(body["errors"], Value::Null);
    (
        body["data"]["accessToken"].as_str().unwrap().to_string(),
        body["data"]["refreshToken"].as_str().unwrap().to_string(),
    )
}

fn denied(code: u16, body: &Value) -> bool {
    code == 401 && body["message"] == "Access Denied" && body["success"] == false
}

#[tokio::test]
async fn login_status_refresh_and_logout() {
    let app = spawn_app().await;
    let (access, refresh) = login(&app).await;
    assert_eq!(access.split('.').count(), 3, "a JWT");
    let (code, body) = status(&app, &access).await;
    assert_eq!(code, 200);
    assert_eq!(body["message"], "Status fetched successfully.");
    assert_eq!(body["data"]["email"], app.tenant.analysis.email.as_str());
    assert_eq!(body["data"]["role"], "admin");

    // Refresh rotates; the old refresh token, presented again, revokes the session.
    let (code, body) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refreshToken": refresh}),
        None,
    )
    .await;
    assert_eq!(code, 200, "{body}");
    let (access2, refresh2) = (
        body["data"]["accessToken"].as_str().unwrap().to_string(),
        body["data"]["refreshToken"].as_str().unwrap().to_string(),
    );
    assert_ne!(refresh2, refresh);
    assert_eq!(status(&app, &access2).await.0, 200);
    let (code, body) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refreshToken": refresh}),
        None,
    )
    .await;
    assert!(denied(code, &body), "reuse: {body}");
    assert!(
        denied(
            status(&app, &access2).await.0,
            &status(&app, &access2).await.1
        ),
        "the family is revoked"
    );
    let (code, body) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refreshToken": refresh2}),
        None,
    )
    .await;
    assert!(denied(code, &body));

    // Logout ends a fresh session.
    let (access, refresh) = login(&app).await;
    let (code, body) = post(
        &app,
        "/api/v1/auth/logout",
        json!({"refreshToken": refresh}),
        Some(&access),
    )
    .await;
    assert_eq!(
        (code, body),
        (
            200,
            json!({"success": true, "message": "Logout successful."})
        )
    );
    assert_eq!(status(&app, &access).await.0, 401);
    assert_eq!(
        post(
            &app,
            "/api/v1/auth/refresh",
            json!({"refreshToken": refresh}),
            None
        )
        .await
        .0,
        401
    );
}

#[tokio::test]
async fn bad_credentials_validation_and_throttling() {
    let app = spawn_app().await;
    let (code, body) = post(&app, "/api/v1/auth/login", json!({}), None).await;
    assert_eq!(code, 400);
    assert_eq!(body["message"], "Validation failed for the request.");
    assert_eq!(
        body["errors"],
        json!(["Email is required.", "Password is required."])
    );
    assert_eq!(
        post(
            &app,
            "/api/v1/auth/login",
            json!({"email": "nope", "password": "x"}),
            None
        )
        .await
        .1["errors"],
        json!(["Invalid email format."])
    );
    for email in ["nobody@example.com", app.tenant.analysis.email.as_str()] {
        let (code, body) = post(
            &app,
            "/api/v1/auth/login",
            json!({"email": email, "password": "wrong-password"}),
            None,
        )
        .await;
        assert_eq!(
            (code, body["message"].as_str()),
            (401, Some("Invalid email or password."))
        );
    }
    // Five failures for the account lock it, even against the right password.
    for _ in 0..4 {
        post(
            &app,
            "/api/v1/auth/login",
            json!({"email": app.tenant.analysis.email, "password": "wrong-password"}),
            None,
        )
        .await;
    }
    let (code, body) = post(
        &app,
        "/api/v1/auth/login",
        json!({"email": app.tenant.analysis.email, "password": app.tenant.analysis.password}),
        None,
    )
    .await;
    assert_eq!(code, 429, "{body}");
    assert_eq!(body["success"], false);
    // The window passes.
    app.clock.advance(Duration::from_secs(16 * 60));
    login(&app).await;
}

#[tokio::test]
async fn access_tokens_expire_and_forgeries_are_refused() {
    let app = spawn_app().await;
    let (access, _) = login(&app).await;
    for bad in [
        "",
        "Bearer",
        "x.y.z",
        &access[..access.len() - 2],
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
    ] {
        let (code, body) = status(&app, bad).await;
        assert!(denied(code, &body), "{bad}");
    }
    let r = reqwest::get(format!("{}/api/v1/auth/status", app.base))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Another tenant's session does not sign for this tenant.
    let other = app.other_tenant().await;
    let (code, _) = post(
        &app,
        "/api/v1/auth/login",
        json!({"email": other.analysis.email, "password": other.analysis.password}),
        None,
    )
    .await;
    assert_eq!(code, 200);
    app.clock.advance(Duration::from_secs(16 * 60));
    let (code, body) = status(&app, &access).await;
    assert!(denied(code, &body), "15 minutes");
}
