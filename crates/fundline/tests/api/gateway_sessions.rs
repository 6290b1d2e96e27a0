//! Capture sessions (spec 001) behind the gateway's HMAC signature.

use crate::common;
use common::steps::Gateway;

use std::time::Duration;

use fundline::client::{session_request, GatewayClient, Signing};
use serde_json::{json, Value};

const PATH: &str = "/api/v1/sessions/point-in-time/plugin";

fn body(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn unauthorized(a: &fundline::client::Answer) -> bool {
    a.status == 401 && a.body["status"] == 13401 && a.body["client_message"] == "Unauthorized"
}

#[tokio::test]
async fn a_signed_request_stages_a_session() {
    let (app, g) = common::spawn_gateway().await;
    let a = g
        .ask(PATH, &session_request("ABC-1234-123545663"), &[])
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["status"], 100);
    assert_eq!(a.body["client_message"], "Success");
    let d = &a.body["data"];
    let id = d["session_identifier"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());
    let url = d["authorized_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("http://127.0.0.1:8080/session/{id}?t=")),
        "{url}"
    );
    assert!(url.contains("&h="));
    let exp =
        chrono::DateTime::parse_from_rfc3339(d["authorized_url_expiration_utc"].as_str().unwrap())
            .unwrap();
    let ahead = exp.timestamp() - chrono::Utc::now().timestamp();
    assert!((28..=31).contains(&ahead), "{ahead}");
    assert_eq!(d["participant_unique_id1"], "ABC-1234-123545663");
    assert_eq!(d["participant_unique_id2"], "DEF-5678");
    assert!(a.body["time"].is_number());
    // Defaults to the tenant's first whitelisted host.
    let s = fundline_store::gateway::get_session(&app.store, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.host_uri, "http://127.0.0.1");
    assert_eq!(s.status, "Active");
}

#[tokio::test]
async fn unsigned_wrongly_signed_stale_replayed_and_tampered_requests_are_refused() {
    let (app, g) = common::spawn_gateway().await;
    let b = body(&session_request("u1"));

    // Unsigned.
    let r = reqwest::Client::new()
        .post(format!("{}{PATH}", app.base))
        .json(&session_request("u1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], 13401);

    // Wrong secret, unknown user.
    let wrong = GatewayClient::new(&app.base, &app.tenant.ingopay.username, "not-the-secret");
    assert!(unauthorized(
        &wrong
            .send(&wrong.sign(PATH, &b, &Signing::now()))
            .await
            .unwrap()
    ));
    let nobody = GatewayClient::new(&app.base, "ip_nobody", &app.tenant.ingopay.secret);
    assert!(unauthorized(
        &nobody
            .send(&nobody.sign(PATH, &b, &Signing::now()))
            .await
            .unwrap()
    ));

    // Stale or future X-Date (more than 300 s off).
    for off in [-301i64, 301] {
        let s = Signing::at(chrono::Utc::now() + chrono::Duration::seconds(off));
        let a = g.send(&g.sign(PATH, &b, &s)).await.unwrap();
        assert!(unauthorized(&a), "{off}: {}", a.text);
        assert_eq!(a.body["developer_message"], "stale_x_date");
    }
    // Within the window is fine.
    let s = Signing::at(chrono::Utc::now() - chrono::Duration::seconds(250));
    assert_eq!(
        g.send(&g.sign(PATH, &b, &s)).await.unwrap().body["status"],
        100
    );

    // The very same signed request twice (a client's retry after a timeout,
    // or a replay): the first answer again, nothing created twice.
    let signed = g.sign(PATH, &b, &Signing::now());
    let first = g.send(&signed).await.unwrap();
    assert_eq!(first.body["status"], 100);
    let again = g.send(&signed).await.unwrap();
    assert_eq!((again.status, &again.body), (first.status, &first.body));
    assert_eq!(again.headers["idempotent-replayed"], "true");

    // Body tampered after signing.
    let mut tampered = g.sign(PATH, &b, &Signing::now());
    tampered.body = body(&session_request("u2"));
    let a = g.send(&tampered).await.unwrap();
    assert!(unauthorized(&a));
    assert_eq!(a.body["developer_message"], "content_sha512_mismatch");

    // Digest header rewritten to match the tampered body: the signature no longer does.
    let mut forged = g.sign(PATH, &b, &Signing::now());
    let other = body(&session_request("u3"));
    forged.body = other.clone();
    for (k, v) in forged.headers.iter_mut() {
        if k == "content-sha512" {
            *v = fundline_api::gateway::hmac::content_sha512(&other);
        }
    }
    assert_eq!(
        g.send(&forged).await.unwrap().body["developer_message"],
        "invalid_signature"
    );

    // The signed list must cover request-line, x-date and content-sha512.
    let mut s = Signing::now();
    s.headers = "x-date content-sha512";
    assert!(unauthorized(&g.send(&g.sign(PATH, &b, &s)).await.unwrap()));
    // Other algorithms are refused; SHA-256 is accepted as legacy.
    let mut s = Signing::now();
    s.algorithm = "hmac-md5";
    assert!(unauthorized(&g.send(&g.sign(PATH, &b, &s)).await.unwrap()));
    let mut s = Signing::now();
    s.algorithm = "hmac-sha256";
    assert_eq!(
        g.send(&g.sign(PATH, &b, &s)).await.unwrap().body["status"],
        100
    );
    // Garbage in the header never breaks the server.
    for h in [
        "hmac",
        "hmac username=\"x\"",
        "Bearer abc",
        "hmac username=\"\u{0}\"",
    ] {
        let r = reqwest::Client::new()
            .post(format!("{}{PATH}", app.base))
            .header("authorization", h)
            .body("{}")
            .send()
            .await;
        if let Ok(r) = r {
            assert_eq!(r.status(), 401);
        }
    }
}

#[tokio::test]
async fn field_rules_answer_13400_with_each_field_named() {
    let (_app, g) = common::spawn_gateway().await;
    let mut req = session_request("u1");
    req.as_object_mut()
        .unwrap()
        .remove("participant_unique_id1");
    req["recipient_information"]["zip_code"] = json!("303");
    req["recipient_information"]["state"] = json!("ZZ");
    req["participant_unique_id2"] = json!("x".repeat(101));
    let a = g.ask(PATH, &req, &[]).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["status"], 13400);
    assert_eq!(
        a.body["client_message"],
        "Field validation error - See data element for validation error details"
    );
    assert_eq!(a.body["developer_message"], "invalid_request_fields");
    common::steps::field_errors(
        &a,
        &[
            (
                "participant_unique_id1",
                "The ParticipantUniqueId1 field is required.",
            ),
            (
                "participant_unique_id2",
                "The field ParticipantUniqueId2 must be a string with a maximum length of 100.",
            ),
        ],
    );
    assert!(a.body["data"]["recipient_information.zip_code"].is_array());
    assert!(a.body["data"]["recipient_information.state"].is_array());
    for bad in ["{", "[]", "null", ""] {
        let s = g.sign(PATH, bad.as_bytes(), &Signing::now());
        let a = g.send(&s).await.unwrap();
        common::steps::answered(&a, 400, 13400, bad);
    }
}

#[tokio::test]
async fn host_uri_must_be_whitelisted() {
    let (app, g) = common::spawn_gateway().await;
    let mut req = session_request("u1");
    req["host_uri"] = json!("https://digitalpay.ingo.money");
    let a = g.ask(PATH, &req, &[]).await;
    assert!(unauthorized(&a));
    assert_eq!(a.body["developer_message"], "host_uri_not_allowed");
    req["host_uri"] = json!("http://localhost:5173");
    let a = g.ask(PATH, &req, &[]).await;
    common::steps::accepted(&a);
    let id = a.body["data"]["session_identifier"].as_str().unwrap();
    let s = fundline_store::gateway::get_session(&app.store, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.host_uri, "http://localhost:5173");
    // The operator changes the list.
    fundline_store::gateway::set_allowed_hosts(
        &app.store,
        app.tenant.tenant_id.clone(),
        vec!["https://digitalpay.ingo.money".into()],
    )
    .await
    .unwrap();
    req["host_uri"] = json!("https://digitalpay.ingo.money");
    assert_eq!(g.ask(PATH, &req, &[]).await.body["status"], 100);
    req["host_uri"] = json!("http://localhost:5173");
    assert!(unauthorized(&g.ask(PATH, &req, &[]).await));
}

#[tokio::test]
async fn an_idempotency_key_returns_the_same_session_with_a_fresh_url() {
    let (app, g) = common::spawn_gateway().await;
    let req = session_request("u1");
    let first = g.ask(PATH, &req, &[("Idempotency-Key", "key-1")]).await;
    assert_eq!(first.body["status"], 100);
    let again = g.ask(PATH, &req, &[("Idempotency-Key", "key-1")]).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["status"], 101);
    assert_eq!(again.body["client_message"], "Success - Idempotent");
    assert_eq!(
        again.body["data"]["session_identifier"],
        first.body["data"]["session_identifier"]
    );
    common::steps::differ_in(&again, &first, "authorized_url");

    // Same key, other parameters.
    let other = session_request("u2");
    let a = g.ask(PATH, &other, &[("Idempotency-Key", "key-1")]).await;
    assert_eq!(a.body["status"], 13723);
    assert_eq!(
        a.body["client_message"],
        format!(
            "Idempotency Key key-1 for ParticipantId {} does not match the original request",
            app.tenant.ingopay.participant_id
        )
    );
    assert_eq!(a.body["developer_message"], "invalid_idempotent_request");
    assert_eq!(a.body["data"], Value::Null);

    // A failed request keeps no key.
    let mut bad = session_request("u3");
    bad["recipient_information"]["state"] = json!("ZZ");
    assert_eq!(
        g.ask(PATH, &bad, &[("Idempotency-Key", "key-2")])
            .await
            .body["status"],
        13400
    );
    assert_eq!(
        g.ask(
            PATH,
            &session_request("u3"),
            &[("Idempotency-Key", "key-2")]
        )
        .await
        .body["status"],
        100
    );

    // Keys are the tenant's own.
    let other_tenant = app.other_tenant().await;
    let g2 = GatewayClient::new(
        &app.base,
        &other_tenant.ingopay.username,
        &other_tenant.ingopay.secret,
    );
    assert_eq!(
        g2.post(PATH, &req, &[("Idempotency-Key", "key-2")])
            .await
            .unwrap()
            .body["status"],
        100
    );

    // Key length: 1 to 250 (spec 001's maximum).
    let longest = "k".repeat(250);
    let a = g.ask(PATH, &req, &[("Idempotency-Key", &longest)]).await;
    common::steps::accepted(&a);
    let long = "k".repeat(251);
    assert_eq!(
        g.ask(PATH, &req, &[("Idempotency-Key", &long)]).await.body["status"],
        13400
    );
    // After two hours the key is pruned: a new session.
    app.clock.advance(Duration::from_secs(2 * 3600 + 1));
    let mut s = Signing::at(chrono::Utc::now() + chrono::Duration::seconds(2 * 3600 + 1));
    s.extra_headers
        .push(("Idempotency-Key".into(), "key-1".into()));
    let later = g.send(&g.sign(PATH, &body(&other), &s)).await.unwrap();
    common::steps::accepted(&later);
    common::steps::differ_in(&later, &first, "session_identifier");
}

#[tokio::test]
async fn concurrent_identical_requests_make_exactly_one_session() {
    let (_app, g) = common::spawn_gateway().await;
    let req = session_request("burst");
    let request = async || g.ask(PATH, &req, &[("Idempotency-Key", "burst-key")]).await;
    let (statuses, sessions) = common::steps::burst(12, request, "session_identifier").await;
    assert_eq!(sessions.len(), 1, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 100).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 101).count(),
        11,
        "{statuses:?}"
    );
}

/// Housekeeping prunes what every signed request and every key leaves
/// behind once its window has passed, and nothing before.
#[tokio::test]
async fn housekeeping_prunes_signatures_and_idempotency_keys_past_their_window() {
    let (app, g) = common::spawn_gateway().await;
    let made = g
        .ask(
            PATH,
            &session_request("swept"),
            &[("Idempotency-Key", "swept-key")],
        )
        .await;
    assert_eq!(made.body["status"], 100, "{}", made.body);
    assert_eq!(app.rows("gw_idempotency").await, 1);
    let signatures = app.rows("gw_seen_signatures").await;
    assert!(signatures >= 1);
    let swept = fundline_api::housekeeping::run_once(&app.state).await;
    assert_eq!((swept.signatures, swept.idempotency_keys), (0, 0));
    assert_eq!(app.rows("gw_idempotency").await, 1);

    app.clock.advance(Duration::from_secs(3 * 3600));
    let swept = fundline_api::housekeeping::run_once(&app.state).await;
    assert_eq!(
        (swept.signatures, swept.idempotency_keys),
        (signatures as u64, 1)
    );
    assert_eq!(app.rows("gw_idempotency").await, 0);
    assert_eq!(app.rows("gw_seen_signatures").await, 0);
}
