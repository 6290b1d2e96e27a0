//! An admin resets a staff user's password from the console: the API's
//! rules, its effects (sessions end, a lockout is lifted) and its admin
//! check, with the password never written back into a page.

use serde_json::json;

use crate::common::console::{assert_page_headers, make_analyst, Browser};
use crate::common::staff::Staff;
use crate::common::{self, spawn_app};
use crate::console_forms::field_error;

/// The API's answer to a login of Ann with `password`.
async fn ann_login(app: &common::TestApp, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "ann@lender.example", "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn an_admin_resets_a_locked_out_users_password_from_the_console() {
    let app = spawn_app().await;
    let api = Staff::admin(&app).await;
    make_analyst(&api).await;
    let ann = Staff::login(&app, "ann@lender.example", "analyst-pass-1").await;
    let all = api
        .get_ok("/api/v1/user/all?nameQuery=Lyst", "Request successful")
        .await;
    let id = all.body["data"]["records"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = &app.tenant.analysis;
    let mut b = Browser::new(&app);
    assert_eq!(b.login(&a.email, &a.password).await.status, 303);

    let edit = format!("/console/users/{id}/edit");
    let reset = format!("/console/users/{id}/password");
    let p = b.get(&edit).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    assert!(p.html.contains(&format!("action=\"{reset}\"")));
    assert!(p.html.contains("<label for=\"user-newPassword\">"));
    let csrf = p.csrf();

    // The API's rule, beside the field; what was typed is not written back.
    let p = b
        .post(&reset, &[("newPassword", "letmein123456"), ("csrf", &csrf)])
        .await;
    assert_eq!(p.status, 400, "{}", p.html);
    assert_eq!(
        field_error(&p, "user-newPassword"),
        "Password is too common or too easy to guess."
    );
    assert!(!p.html.contains("letmein123456"));
    let p = b.post(&reset, &[("csrf", &csrf)]).await;
    assert_eq!(p.status, 400);
    assert_eq!(
        field_error(&p, "user-newPassword"),
        "New password is required."
    );
    assert_eq!(ann.get("/api/v1/auth/status").await.status, 200);

    // Ann locks herself out; the reset lifts the lock and ends her session.
    for _ in 0..5 {
        assert_eq!(ann_login(&app, "not-her-password").await, 401);
    }
    assert_eq!(ann_login(&app, "analyst-pass-1").await, 429);
    // Spaces are part of a password, as the API takes it.
    let new_password = " reset in the console 7 ";
    common::sensitive(new_password);
    let p = b
        .post(&reset, &[("newPassword", new_password), ("csrf", &csrf)])
        .await;
    assert_eq!(p.status, 303, "{}", p.html);
    assert_eq!(p.header("location"), "/console/users");
    assert_eq!(ann.get("/api/v1/auth/status").await.status, 401);
    assert_eq!(ann_login(&app, "analyst-pass-1").await, 401);
    assert_eq!(ann_login(&app, new_password.trim()).await, 401);
    assert_eq!(ann_login(&app, new_password).await, 200);
}

#[tokio::test]
async fn a_reset_needs_an_admin_and_the_sessions_csrf_token() {
    let app = spawn_app().await;
    let api = Staff::admin(&app).await;
    make_analyst(&api).await;
    let me = api.get("/api/v1/auth/status").await;
    let admin_id = me.body["data"]["userId"].as_str().unwrap().to_string();
    let a = &app.tenant.analysis;

    // An analyst resetting the admin's password gets the 403 page.
    let mut analyst = Browser::analyst(&app).await;
    let csrf = analyst.get("/console/customers").await.csrf();
    let reset = format!("/console/users/{admin_id}/password");
    let p = analyst
        .post(
            &reset,
            &[("newPassword", "taken-over-by-ann-1"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, 403, "{}", p.html);

    // An admin's post without the session's token changes nothing either.
    let mut b = Browser::new(&app);
    assert_eq!(b.login(&a.email, &a.password).await.status, 303);
    for csrf in [None, Some(""), Some(csrf.as_str())] {
        let mut f = vec![("newPassword", "taken-over-by-csrf-1")];
        f.extend(csrf.map(|c| ("csrf", c)));
        assert_eq!(b.post(&reset, &f).await.status, 403, "{csrf:?}");
    }
    // Another tenant's admin gets the 404 page.
    let other = app.other_tenant().await;
    let mut stranger = Browser::new(&app);
    assert_eq!(
        stranger
            .login(&other.analysis.email, &other.analysis.password)
            .await
            .status,
        303
    );
    let csrf = stranger.get("/console/customers").await.csrf();
    let p = stranger
        .post(
            &reset,
            &[("newPassword", "taken-over-by-other-1"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(p.status, 404, "{}", p.html);

    assert_eq!(api.get("/api/v1/auth/status").await.status, 200);
    Staff::login(&app, &a.email, &a.password).await;
}
