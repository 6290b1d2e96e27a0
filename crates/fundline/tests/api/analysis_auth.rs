//! Bank analysis staff authentication.

use crate::common;

use std::time::Duration;

use common::{captured_logs, spawn_app, spawn_app_with, TestApp};
use fundline_api::analysis::auth::StaffAuthConfig;
use fundline_api::ApiConfig;
use serde_json::{json, Value};

async fn post(app: &TestApp, path: &str, body: Value, bearer: Option<&str>) -> (u16, Value) {
    let mut r = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .json(&body);
    if let Some(b) = bearer {
        r = r.bearer_auth(b);
    }
    common::send(r).await
}

async fn status(app: &TestApp, bearer: &str) -> (u16, Value) {
    let http = reqwest::Client::new();
    common::send(
        http.get(format!("{}/api/v1/auth/status", app.base))
            .bearer_auth(bearer),
    )
    .await
}

async fn login(app: &TestApp) -> (String, String) {
    let a = &app.tenant.analysis;
    let (code, body) = login_with(app, &a.email, &a.password).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["message"], "Login successful");
    assert_eq!(body["errors"], Value::Null);
    tokens(&body)
}

async fn refresh_with(app: &TestApp, refresh_token: &str) -> (u16, Value) {
    let body = json!({"refreshToken": refresh_token});
    post(app, "/api/v1/auth/refresh", body, None).await
}

async fn login_with(app: &TestApp, email: &str, password: &str) -> (u16, Value) {
    let body = json!({"email": email, "password": password});
    post(app, "/api/v1/auth/login", body, None).await
}

/// The access and refresh tokens of a login or refresh answer.
fn tokens(body: &Value) -> (String, String) {
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
    let (code, body) = refresh_with(&app, &refresh).await;
    assert_eq!(code, 200, "{body}");
    let (access2, refresh2) = tokens(&body);
    assert_ne!(refresh2, refresh);
    assert_eq!(status(&app, &access2).await.0, 200);
    let (code, body) = refresh_with(&app, &refresh).await;
    assert!(denied(code, &body), "reuse: {body}");
    assert!(
        denied(
            status(&app, &access2).await.0,
            &status(&app, &access2).await.1
        ),
        "the family is revoked"
    );
    let (code, body) = refresh_with(&app, &refresh2).await;
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
    assert_eq!(refresh_with(&app, &refresh).await.0, 401);
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
    assert!(retry_after(&body_headers(&app).await) >= 25 * 60);
    // The lock lasts 30 minutes (PCI DSS 8.3.4), then the password works.
    app.clock.advance(Duration::from_secs(16 * 60));
    assert_eq!(
        post(
            &app,
            "/api/v1/auth/login",
            json!({"email": app.tenant.analysis.email, "password": app.tenant.analysis.password}),
            None,
        )
        .await
        .0,
        429,
        "still locked after 16 minutes"
    );
    app.clock.advance(Duration::from_secs(15 * 60));
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

/// The headers of a login with the right password (used while locked).
async fn body_headers(app: &TestApp) -> reqwest::header::HeaderMap {
    let a = &app.tenant.analysis;
    reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": a.email, "password": a.password}))
        .send()
        .await
        .unwrap()
        .headers()
        .clone()
}

fn retry_after(h: &reqwest::header::HeaderMap) -> u64 {
    h.get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// One login through HTTP: (status, Retry-After, body).
async fn attempt(
    http: &reqwest::Client,
    app: &TestApp,
    email: &str,
    password: &str,
    forwarded: Option<&str>,
) -> (u16, u64, Value) {
    let mut r = http
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": email, "password": password}));
    if let Some(f) = forwarded {
        r = r.header("x-forwarded-for", f);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let retry = retry_after(r.headers());
    (status, retry, r.json().await.unwrap_or(Value::Null))
}

/// A patient hashing queue: these tests are about the lockout, so no
/// attempt is turned away for want of a hashing slot (tests/api/login_flood.rs
/// covers that).
fn patient() -> ApiConfig {
    ApiConfig {
        staff_auth: StaffAuthConfig {
            hash_wait: Duration::from_secs(30),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn forty_parallel_guesses_get_five_evaluations_and_a_30_minute_lock() {
    let app = spawn_app_with(patient()).await;
    let a = app.tenant.analysis.clone();
    let http = reqwest::Client::new();
    // 40 wrong guesses and the right password (number 20) all at once.
    let guesses: Vec<String> = (0..41)
        .map(|n| {
            if n == 20 {
                a.password.clone()
            } else {
                format!("wrong-guess-number-{n:02}")
            }
        })
        .collect();
    let answers = futures::future::join_all(
        guesses
            .iter()
            .map(|p| attempt(&http, &app, &a.email, p, None)),
    )
    .await;
    let right = &answers[20];
    let wrong: Vec<_> = answers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 20)
        .map(|(_, a)| a)
        .collect();
    let evaluated = wrong.iter().filter(|a| a.0 == 401).count();
    let refused = wrong.iter().filter(|a| a.0 == 429).count();
    eprintln!(
        "40 parallel wrong guesses: {evaluated} evaluated (401), {refused} refused (429); right password: {}",
        right.0
    );
    assert_eq!(evaluated + refused, 40, "only 401 or 429: {answers:?}");
    if right.0 == 200 {
        // It took one of the first slots; a success starts the count again.
        assert!(evaluated <= 10, "{evaluated} evaluated");
    } else {
        assert_eq!(right.0, 429, "{right:?}");
        assert!(evaluated <= 5, "{evaluated} evaluated");
    }
    for w in wrong.iter().filter(|a| a.0 == 429) {
        assert!(w.1 >= 25 * 60, "Retry-After {}", w.1);
        assert_eq!(w.2["success"], false);
        assert_eq!(
            w.2["message"],
            "Too many login attempts. Please try again later."
        );
    }
    // Locked: the right password is refused for 30 minutes.
    let (code, retry, _) = attempt(&http, &app, &a.email, &a.password, None).await;
    assert_eq!(code, 429);
    assert!(retry >= 25 * 60, "{retry}");
    app.clock.advance(Duration::from_secs(29 * 60));
    // Housekeeping, past the failure window, leaves the lock in force.
    fundline_api::housekeeping::run_once(&app.state).await;
    assert_eq!(
        attempt(&http, &app, &a.email, &a.password, None).await.0,
        429
    );
    app.clock.advance(Duration::from_secs(2 * 60));
    login(&app).await;
    // A success cleared the count: four more failures do not lock.
    for n in 0..4 {
        let (code, _, _) =
            attempt(&http, &app, &a.email, &format!("wrong-again-{n:04}"), None).await;
        assert_eq!(code, 401);
    }
    login(&app).await;

    // The audit trail: the failures, the lock and the success, with the
    // client address and no password or email.
    let logs = captured_logs();
    let audit: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains(r#""target":"audit""#))
        .collect();
    let mine = |event: &str| {
        audit
            .iter()
            .filter(|l| l.contains(&format!(r#""audit_event":"{event}""#)))
            .count()
    };
    assert!(mine("login.failure") >= 5, "{audit:?}");
    assert!(mine("login.locked") >= 1);
    assert!(mine("login.success") >= 1);
    for l in &audit {
        assert!(!l.contains(&a.password), "a password in {l}");
        assert!(!l.contains("wrong-guess"), "a guess in {l}");
        assert!(!l.contains(&a.email), "an email in {l}");
    }
    assert!(audit
        .iter()
        .any(|l| l.contains(r#""audit_event":"login.success""#)
            && l.contains(r#""client":"127.0.0.1""#)));
}

#[tokio::test]
async fn the_address_limit_holds_in_parallel_and_forwarded_for_counts_only_from_trusted_proxies() {
    // Without trusted proxies, X-Forwarded-For is ignored: every guess comes
    // from 127.0.0.1, which gets 20 evaluations.
    let app = spawn_app_with(patient()).await;
    let http = reqwest::Client::new();
    let answers = futures::future::join_all((0..30).map(|n| {
        let forwarded = format!("203.0.113.{n}");
        let http = http.clone();
        let app = &app;
        async move {
            attempt(
                &http,
                app,
                &format!("nobody{n}@example.com"),
                "wrong-password-1",
                Some(&forwarded),
            )
            .await
        }
    }))
    .await;
    let evaluated = answers.iter().filter(|a| a.0 == 401).count();
    assert!(evaluated <= 20, "{evaluated}");
    assert!(answers.iter().all(|a| a.0 == 401 || a.0 == 429));
    // The address is locked, even for the right password.
    let a = &app.tenant.analysis;
    assert_eq!(
        attempt(&http, &app, &a.email, &a.password, None).await.0,
        429
    );

    // Behind a trusted proxy the forwarded address is the client.
    let app = spawn_app_with(ApiConfig {
        staff_auth: StaffAuthConfig {
            trusted_proxies: StaffAuthConfig::parse_proxies("127.0.0.0/8").unwrap(),
            ..patient().staff_auth
        },
        ..Default::default()
    })
    .await;
    for n in 0..20 {
        let (code, _, _) = attempt(
            &http,
            &app,
            &format!("nobody{n}@example.com"),
            "wrong-password-1",
            Some("198.51.100.7"),
        )
        .await;
        assert_eq!(code, 401);
    }
    let (code, _, _) = attempt(
        &http,
        &app,
        "nobody99@example.com",
        "wrong-password-1",
        Some("198.51.100.7"),
    )
    .await;
    assert_eq!(code, 429, "198.51.100.7 is locked");
    // Another client behind the proxy is not; a client cannot hide behind a
    // forged left-most entry either (the proxy appends the real peer).
    let a = &app.tenant.analysis;
    let (code, _, _) = attempt(&http, &app, &a.email, &a.password, Some("198.51.100.8")).await;
    assert_eq!(code, 200);
    let (code, _, _) = attempt(
        &http,
        &app,
        &a.email,
        &a.password,
        Some("198.51.100.8, 198.51.100.7"),
    )
    .await;
    assert_eq!(code, 429, "the right-most untrusted hop counts");
}

#[tokio::test]
async fn sessions_end_after_15_idle_minutes_and_at_the_absolute_limit() {
    let app = spawn_app_with(ApiConfig {
        staff_auth: StaffAuthConfig {
            session_max: Duration::from_secs(3600),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    // Idle: 16 minutes without a refresh end the session.
    let (_, refresh) = login(&app).await;
    app.clock.advance(Duration::from_secs(16 * 60));
    let (code, body) = refresh_with(&app, &refresh).await;
    assert!(denied(code, &body), "idle: {body}");

    // Used every 14 minutes, the session lasts its absolute limit (1 h here).
    let (_, mut refresh) = login(&app).await;
    let mut access = String::new();
    for _ in 0..4 {
        app.clock.advance(Duration::from_secs(14 * 60));
        let (code, body) = refresh_with(&app, &refresh).await;
        assert_eq!(code, 200, "{body}");
        (access, refresh) = tokens(&body);
    }
    // 56 minutes in: the access token lives to the 60th minute only.
    assert_eq!(status(&app, &access).await.0, 200);
    app.clock.advance(Duration::from_secs(5 * 60));
    assert_eq!(status(&app, &access).await.0, 401, "past the session's end");
    let (code, body) = refresh_with(&app, &refresh).await;
    assert!(denied(code, &body), "absolute: {body}");
    login(&app).await;
}

#[tokio::test]
async fn users_change_their_password_and_other_sessions_end() {
    let app = spawn_app().await;
    let a = app.tenant.analysis.clone();
    common::sensitive("a-Brand-new-passphrase");
    let (other_access, other_refresh) = login(&app).await;
    let (access, _) = login(&app).await;
    let change = |body: Value| {
        let app = &app;
        let access = access.clone();
        async move { post(app, "/api/v1/auth/change-password", body, Some(&access)).await }
    };
    let (code, body) = change(json!({"currentPassword": a.password, "newPassword": "short"})).await;
    assert_eq!(code, 400);
    assert_eq!(
        body["errors"],
        json!(["Password must be at least 12 characters."])
    );
    let (code, body) =
        change(json!({"currentPassword": a.password, "newPassword": "Password2024!"})).await;
    assert_eq!(code, 400);
    assert_eq!(
        body["errors"],
        json!(["Password is too common or too easy to guess."])
    );
    let (code, body) = change(
        json!({"currentPassword": "not-the-password", "newPassword": "a-Brand-new-passphrase"}),
    )
    .await;
    assert_eq!(code, 400);
    assert_eq!(body["errors"], json!(["Current password is incorrect."]));
    let (code, body) =
        change(json!({"currentPassword": a.password, "newPassword": "a-Brand-new-passphrase"}))
            .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["message"], "Password changed successfully.");
    // This session goes on; the other one ended; the old password is gone.
    assert_eq!(status(&app, &access).await.0, 200);
    assert_eq!(status(&app, &other_access).await.0, 401);
    let (code, _) = refresh_with(&app, &other_refresh).await;
    assert_eq!(code, 401);
    let (code, _) = login_with(&app, &a.email, &a.password).await;
    assert_eq!(code, 401);
    let (code, _) = login_with(&app, &a.email, "a-Brand-new-passphrase").await;
    assert_eq!(code, 200);
    // Without a session there is nothing to change.
    let (code, body) = post(
        &app,
        "/api/v1/auth/change-password",
        json!({"currentPassword": "x", "newPassword": "y"}),
        None,
    )
    .await;
    assert!(denied(code, &body));
    let logs = captured_logs();
    assert!(logs
        .lines()
        .any(|l| l.contains(r#""audit_event":"password.changed""#)));
}

/// Housekeeping drops a login-failure count once its window is over, and a
/// session's refresh tokens a day after the session ended; a live session
/// keeps its used tokens, so a replayed one still ends it.
#[tokio::test]
async fn housekeeping_drops_failure_counts_and_ended_sessions_only() {
    use fundline_api::housekeeping::{run_once, Swept};
    let app = spawn_app().await;
    let (code, _) = login_with(&app, "nobody@example.com", "not the password 1").await;
    assert_eq!(code, 401);
    let (_, refresh) = login(&app).await;
    let (code, body) = refresh_with(&app, &refresh).await;
    assert_eq!(code, 200, "{body}");
    let failures = app.rows("ba_login_failures").await;
    assert!(failures >= 1);
    assert_eq!(app.rows("ba_refresh_tokens").await, 2);
    assert_eq!(run_once(&app.state).await, Swept::default());

    // The 15-minute failure window is over: its counts go, nothing else.
    app.clock.advance(Duration::from_secs(16 * 60));
    let swept = run_once(&app.state).await;
    let expected = Swept {
        login_failures: failures as u64,
        ..Swept::default()
    };
    assert_eq!(swept, expected);
    assert_eq!(app.rows("ba_login_failures").await, 0);
    assert_eq!(app.rows("ba_refresh_tokens").await, 2);

    // A day after it ended, the first session's tokens go; a live one's stay.
    app.clock.advance(Duration::from_secs(24 * 3600));
    let (access, refresh) = login(&app).await;
    let (code, body) = refresh_with(&app, &refresh).await;
    assert_eq!(code, 200, "{body}");
    let (access2, _) = tokens(&body);
    let swept = run_once(&app.state).await;
    assert_eq!(swept.staff_session_tokens, 2, "{swept:?}");
    assert_eq!(app.rows("ba_refresh_tokens").await, 2);
    assert_eq!(status(&app, &access2).await.0, 200);
    let (code, body) = refresh_with(&app, &refresh).await;
    assert!(denied(code, &body), "a replayed token: {body}");
    assert_eq!(status(&app, &access2).await.0, 401, "the session ended");
    assert_eq!(status(&app, &access).await.0, 401);
}
