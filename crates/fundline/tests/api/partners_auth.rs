//! AuthenticatePartner and the session rules every other method relies on.

use crate::common;
use common::steps::Partner;

use std::time::Duration;

use common::spawn_app;
use fundline::client::PartnerClient;
use serde_json::json;

#[tokio::test]
async fn basic_credentials_open_a_session_returned_in_the_session_id_header() {
    let app = spawn_app().await;
    let mut c = PartnerClient::new(&app.base, "device-1");
    let a = c
        .authenticate(
            &app.tenant.check_cashing.client_id,
            &app.tenant.check_cashing.client_secret,
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200);
    let sid = a.headers.get("sessionId").unwrap().to_str().unwrap();
    assert!(sid.len() >= 40);
    assert_eq!(a.body["access_token"], sid);
    assert_eq!(a.body["expires_in"], 1200);
    assert_eq!(a.headers.get("cache-control").unwrap(), "no-store");
    // The session works for a method call.
    let r = c.find("123456789", "1988-05-31").await;
    assert_eq!(r.status, 422);
}

/// AuthenticatePartner on `app`, headers and body still to add.
fn authenticate(app: &common::TestApp) -> reqwest::RequestBuilder {
    reqwest::Client::new().post(format!("{}/api/v1/partners/authenticate", app.base))
}

/// AuthenticatePartner from `device` with the tenant's Basic credentials.
fn with_basic(app: &common::TestApp, device: &str) -> reqwest::RequestBuilder {
    let cc = &app.tenant.check_cashing;
    authenticate(app)
        .header("deviceId", device)
        .basic_auth(&cc.client_id, Some(&cc.client_secret))
}

/// AuthenticatePartner with the tenant's credentials in a form, and `grant`.
fn with_form(app: &common::TestApp, grant: &str) -> reqwest::RequestBuilder {
    let cc = &app.tenant.check_cashing;
    authenticate(app).header("deviceId", "d").form(&[
        ("grant_type", grant),
        ("client_id", &cc.client_id),
        ("client_secret", &cc.client_secret),
    ])
}

#[tokio::test]
async fn form_and_json_body_credentials_are_accepted() {
    let app = spawn_app().await;
    let cc = &app.tenant.check_cashing;
    let r = with_form(&app, "client_credentials").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("sessionId").is_some());
    let json_body = authenticate(&app)
        .header("deviceId", "d")
        .json(&json!({"client_id": cc.client_id, "client_secret": cc.client_secret}));
    assert_eq!(common::send(json_body).await.0, 200);
}

#[tokio::test]
async fn wrong_or_missing_credentials_get_the_spec_401_body() {
    let app = spawn_app().await;
    let cc = &app.tenant.check_cashing;
    let expected = json!({
        "type": "https://tools.ietf.org/html/rfc7235#section-3.1",
        "title": "Unauthorized",
        "status": 401,
        "detail": "Authorization has been denied for this request.",
        "instance": "/api/v1/partners/authenticate",
        "errorCode": "UNAUTHORIZED"
    });
    for (id, secret) in [
        (cc.client_id.as_str(), "wrong"),
        ("nobody", cc.client_secret.as_str()),
        ("", ""),
    ] {
        let mut c = PartnerClient::new(&app.base, "device-1");
        let a = c.authenticate(id, secret).await.unwrap();
        assert_eq!(a.status, 401);
        assert_eq!(a.body, expected);
        assert_eq!(
            a.headers.get("content-type").unwrap(),
            "application/problem+json"
        );
        assert!(a.headers.get("sessionId").is_none());
    }
    // No credentials at all.
    let no_credentials = authenticate(&app).header("deviceId", "d");
    assert_eq!(common::send(no_credentials).await.0, 401);
    // No deviceId.
    let no_device = authenticate(&app).basic_auth(&cc.client_id, Some(&cc.client_secret));
    assert_eq!(common::send(no_device).await.0, 401);
}

#[tokio::test]
async fn another_grant_type_is_refused() {
    let app = spawn_app().await;
    let (code, body) = common::send(with_form(&app, "password")).await;
    assert_eq!(code, 400);
    assert_eq!(body["errorCode"], "UNSUPPORTED_GRANT_TYPE");
    // The same with HTTP Basic credentials: the body's grant_type applies.
    for grant in ["password", "authorization_code"] {
        let req = with_basic(&app, "d").form(&[("grant_type", grant)]);
        let (code, body) = common::send(req).await;
        assert_eq!(code, 400, "{grant}");
        assert_eq!(body["errorCode"], "UNSUPPORTED_GRANT_TYPE", "{grant}");
    }
    let req = with_basic(&app, "d").form(&[("grant_type", "client_credentials")]);
    assert_eq!(common::send(req).await.0, 200);
}

#[tokio::test]
async fn a_device_id_over_200_characters_is_a_400_naming_it_and_a_bom_is_accepted() {
    let app = spawn_app().await;
    let cc = &app.tenant.check_cashing;
    let (code, body) = common::send(with_basic(&app, &"d".repeat(201))).await;
    assert_eq!(code, 400);
    assert!(body.to_string().contains("deviceId"), "{body}");
    // 200 is the limit, and it works.
    assert_eq!(
        common::send(with_basic(&app, &"d".repeat(200))).await.0,
        200
    );
    // JSON credentials after a UTF-8 byte-order mark (.NET clients).
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(
        serde_json::to_vec(
            &serde_json::json!({"client_id": cc.client_id, "client_secret": cc.client_secret}),
        )
        .unwrap(),
    );
    let bom = authenticate(&app)
        .header("deviceId", "d")
        .header("content-type", "application/json")
        .body(body);
    assert_eq!(common::send(bom).await.0, 200);
}

#[tokio::test]
async fn methods_need_session_and_device_and_the_session_is_bound_to_its_device() {
    let (_app, c) = common::spawn_partner().await;
    let body = json!({"customerId": "333554bf-b273-4d6e-b4f8-d319a1929608"});

    let mut no_session = c.clone();
    no_session.session_id = None;
    let a = no_session.ask("get-registered-cards", &body).await;
    assert_eq!(a.status, 401);
    assert_eq!(a.body["errorCode"], "UNAUTHORIZED");
    assert_eq!(a.body["instance"], "/api/v1/partners/get-registered-cards");

    let mut other_device = c.clone();
    other_device.device_id = "device-2".into();
    assert_eq!(
        other_device.status_of("get-registered-cards", &body).await,
        401
    );

    let mut forged = c.clone();
    forged.session_id = Some("Mzc2ODk2ZDYtNmVhOC00NDJmLWJiNWEtMThiMWRiYTAzM2RjOjEyNjo=".into());
    assert_eq!(forged.status_of("get-registered-cards", &body).await, 401);

    // The right pair passes authentication (and reaches the business rule).
    assert_eq!(c.status_of("get-registered-cards", &body).await, 422);
}

#[tokio::test]
async fn a_session_expires_after_20_idle_minutes() {
    let (app, c) = common::spawn_partner().await;
    let body = json!({"customerId": "333554bf-b273-4d6e-b4f8-d319a1929608"});
    app.clock.advance(Duration::from_secs(15 * 60));
    assert_eq!(
        c.status_of("get-registered-cards", &body).await,
        422,
        "activity at 15 min"
    );
    app.clock.advance(Duration::from_secs(15 * 60));
    assert_eq!(
        c.status_of("get-registered-cards", &body).await,
        422,
        "15 min after the last call"
    );
    app.clock.advance(Duration::from_secs(21 * 60));
    let a = c.ask("get-registered-cards", &body).await;
    assert_eq!(a.status, 401, "21 idle minutes");
    assert_eq!(a.body["errorCode"], "UNAUTHORIZED");
}

#[tokio::test]
async fn a_session_ends_after_8_hours_however_active() {
    let (app, c) = common::spawn_partner().await;
    let body = json!({"customerId": "333554bf-b273-4d6e-b4f8-d319a1929608"});
    for _ in 0..31 {
        app.clock.advance(Duration::from_secs(15 * 60));
        assert_eq!(c.status_of("get-registered-cards", &body).await, 422);
    }
    // 8 h 5 min after it opened, 20 min after the last call.
    app.clock.advance(Duration::from_secs(20 * 60));
    assert_eq!(c.status_of("get-registered-cards", &body).await, 401);
}
