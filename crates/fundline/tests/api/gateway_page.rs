//! The hosted capture page, through HTTP as the page's script uses it.

use crate::common;
use common::steps::Gateway;

use std::time::Duration;

use common::{spawn_app, TestApp};
use fundline::client::{session_request, Signing};
use serde_json::{json, Value};

const SESSIONS: &str = "/api/v1/sessions/point-in-time/plugin";

/// Stages a session framed by http://127.0.0.1:4321; returns (session id, local URL).
async fn stage(app: &TestApp, key: &str) -> (String, String) {
    stage_at(app, key, Signing::now()).await
}

async fn stage_at(app: &TestApp, key: &str, mut s: Signing) -> (String, String) {
    let g = app.gateway();
    let mut req = session_request("page-test");
    req["host_uri"] = json!("http://127.0.0.1:4321");
    s.extra_headers.push(("Idempotency-Key".into(), key.into()));
    let a = g
        .send(&g.sign(SESSIONS, &serde_json::to_vec(&req).unwrap(), &s))
        .await
        .unwrap();
    assert!(
        a.body["status"] == 100 || a.body["status"] == 101,
        "{}",
        a.text
    );
    let (id, url) = app.session_link(&a);
    (id, url)
}

struct Page {
    status: u16,
    csp: String,
    html: String,
}

async fn open(url: &str) -> Page {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    let csp = common::header(&r, "content-security-policy").unwrap_or_default();
    Page {
        status,
        csp,
        html: r.text().await.unwrap(),
    }
}

fn page_token(html: &str) -> String {
    let i = html.find("\"pageToken\":\"").expect("page token") + 13;
    html[i..].split('"').next().unwrap().to_string()
}

async fn submit(app: &TestApp, id: &str, token: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/session/{id}/submit", app.base))
        .header("x-page-token", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn card_form(first: &str) -> Value {
    json!({"destination": "debit_card", "first_name": first, "last_name": "Frost", "address1": "123 Main Street",
           "city": "Atlanta", "state": "GA", "zip": "30313", "card_number": "4111 1111 1111 1111", "expiry": "12/30"})
}

async fn status(app: &TestApp, id: &str) -> String {
    fundline_store::gateway::get_session(&app.store, id)
        .await
        .unwrap()
        .unwrap()
        .status
}

#[tokio::test]
async fn the_page_opens_once_framed_only_by_the_session_host() {
    let app = spawn_app().await;
    let (_, url) = stage(&app, "k1").await;
    let p = open(&url).await;
    assert_eq!(p.status, 200);
    assert!(
        p.csp.contains("frame-ancestors http://127.0.0.1:4321"),
        "{}",
        p.csp
    );
    assert!(p.csp.contains("default-src 'none'"));
    assert!(
        !p.html.contains("https://") && !p.html.contains("http://cdn"),
        "no external requests"
    );
    assert!(p.html.contains("<label for=\"card_number\">"));
    let again = open(&url).await;
    assert_eq!(again.status, 410);
    // A URL whose signature or expiry was altered is not ours at all.
    let forged = open(&url.replace("&h=", "&h=0")).await;
    assert_eq!(forged.status, 404);
    let stretched = open(&url.replace("?t=", "?t=9")).await;
    assert_eq!(stretched.status, 404);
    let js = reqwest::get(format!("{}/js/fundline-capture.js", app.base))
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    assert!(js.text().await.unwrap().contains("FundlineCapture"));
}

#[tokio::test]
async fn an_unopened_url_expires_and_the_same_key_gives_a_new_one() {
    let app = spawn_app().await;
    let (id, url) = stage(&app, "k2").await;
    app.clock.advance(Duration::from_secs(31));
    assert_eq!(open(&url).await.status, 410);
    assert_eq!(status(&app, &id).await, "Expired");
    let later = Signing::at(chrono::Utc::now() + chrono::Duration::seconds(31));
    let (same, fresh) = stage_at(&app, "k2", later).await;
    assert_eq!(same, id);
    assert_eq!(open(&fresh).await.status, 200);
    assert_eq!(status(&app, &id).await, "Active");
}

#[tokio::test]
async fn a_second_open_of_the_url_does_not_break_the_page_already_open() {
    let app = spawn_app().await;
    let (id, url) = stage(&app, "k-twice").await;
    let token = page_token(&open(&url).await.html);
    // The URL is one-time: a second open (a reload, a second tab) is 410…
    assert_eq!(open(&url).await.status, 410);
    // …and the session and the page the customer has open live on.
    assert_eq!(status(&app, &id).await, "Active");
    let (code, r) = submit(&app, &id, &token, card_form("jack")).await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["outcome"], "success", "{r}");
}

#[tokio::test]
async fn a_verified_card_completes_the_session_and_its_token_can_be_paid() {
    let app = spawn_app().await;
    let (id, url) = stage(&app, "k3").await;
    let token = page_token(&open(&url).await.html);
    // A typo is not an attempt.
    let mut typo = card_form("Jack");
    typo["card_number"] = json!("4111 1111 1111 1112");
    let (_, r) = submit(&app, &id, &token, typo).await;
    assert_eq!(r["outcome"], "invalid");
    assert!(r["errors"]["card_number"].is_array());
    // So is an expiry month that does not exist, or a short expiry.
    for expiry in ["13/30", "00/30", "1/30"] {
        let mut typo = card_form("Jack");
        typo["expiry"] = json!(expiry);
        let (_, r) = submit(&app, &id, &token, typo).await;
        assert_eq!(r["outcome"], "invalid", "{expiry}: {r}");
        assert_eq!(
            r["errors"]["expiry"][0], "Enter the expiry as MM/YY.",
            "{expiry}"
        );
    }
    let (code, r) = submit(&app, &id, &token, card_form("jack")).await;
    assert_eq!(code, 200);
    assert_eq!(r["outcome"], "success", "{r}");
    assert!(!r.to_string().contains("4111111111111111"));
    let ev = &r["event"];
    assert_eq!(ev["event_name"], "TOKEN_SUCCESS");
    assert_eq!(ev["session_identifier"], id.as_str());
    assert_eq!(ev["funding_destination"], "debit_card");
    let account_token = ev["customer_account_token"].as_str().unwrap().to_string();
    assert_eq!(status(&app, &id).await, "Completed");
    assert_eq!(
        fundline_store::gateway::get_session(&app.store, &id)
            .await
            .unwrap()
            .unwrap()
            .attempts,
        0
    );
    // The page is spent.
    let (code, _) = submit(&app, &id, &token, card_form("Jack")).await;
    assert_eq!(code, 410);
    // The token pays.
    let g = app.gateway();
    let p = g.process(&json!({"participant_id": app.tenant.ingopay.participant_id, "customer_account_token": account_token,
            "amount": "20.00", "participant_unique_id1": "page-pay", "timestamp": chrono::Utc::now().timestamp(), "version": 11}), &[]).await;
    common::steps::accepted(&p);
}

#[tokio::test]
async fn attempt_limits_end_the_page_then_the_session() {
    let app = spawn_app().await;
    let (id, url) = stage(&app, "k4").await;
    let token = page_token(&open(&url).await.html);
    for left in [2, 1] {
        let (_, r) = submit(&app, &id, &token, card_form("Jill")).await;
        assert_eq!(r["outcome"], "retry", "{r}");
        assert_eq!(r["attempts_left"], left);
    }
    let (_, r) = submit(&app, &id, &token, card_form("Jill")).await;
    assert_eq!(r["outcome"], "closed");
    assert_eq!(
        r["event"]["event_name"],
        "MAX_VERIFICATION_ATTEMPTS_EXCEEDED"
    );
    assert_eq!(
        status(&app, &id).await,
        "Active",
        "a page limit is not terminal"
    );

    // The partner asks again with the same key: a new page, the same session.
    let (same, url) = stage(&app, "k4").await;
    assert_eq!(same, id);
    let token = page_token(&open(&url).await.html);
    // A declining card counts as an account attempt.
    let mut declined = card_form("Jack");
    declined["card_number"] = json!("4000000000000002");
    let (_, r) = submit(&app, &id, &token, declined).await;
    assert_eq!(r["outcome"], "retry", "{r}");
    let (_, r) = submit(&app, &id, &token, card_form("Jill")).await;
    assert_eq!(r["outcome"], "closed");
    assert_eq!(r["event"]["event_name"], "TERMINAL_FAILURE");
    assert_eq!(status(&app, &id).await, "Max Attempts Exceeded");
    let (_, url) = stage(&app, "k4").await;
    assert_eq!(
        open(&url).await.status,
        410,
        "a terminal session does not open again"
    );
}

#[tokio::test]
async fn the_customer_can_cancel_and_bank_and_bill_pay_destinations_verify() {
    let app = spawn_app().await;
    let (id, url) = stage(&app, "k5").await;
    let token = page_token(&open(&url).await.html);
    let r = reqwest::Client::new()
        .post(format!("{}/session/{id}/cancel", app.base))
        .header("x-page-token", &token)
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["event"]["event_name"], "FUNDING_CANCELED");

    let (id, url) = stage(&app, "k6").await;
    let token = page_token(&open(&url).await.html);
    let bank = json!({"destination": "bank_account", "first_name": "Jack", "last_name": "Frost", "address1": "123 Main St",
        "city": "Atlanta", "state": "GA", "zip": "30313", "routing_number": "011000015", "account_number": "22222222"});
    let (_, r) = submit(&app, &id, &token, bank).await;
    assert_eq!(r["event"]["funding_destination"], "bank_account", "{r}");

    let (id, url) = stage(&app, "k7").await;
    let token = page_token(&open(&url).await.html);
    let found = common::json_of(
        reqwest::Client::new()
            .get(format!("{}/session/{id}/payees?q=jersey", app.base))
            .header("x-page-token", &token),
    )
    .await;
    assert_eq!(found["payees"][0]["payee_id"], "123457");
    let bill = json!({"destination": "bill_pay", "first_name": "Jack", "last_name": "Frost", "address1": "123 Main St",
        "city": "Atlanta", "state": "GA", "zip": "30313", "payee_id": "123457", "account_number": "12345678"});
    let (_, r) = submit(&app, &id, &token, bill).await;
    assert_eq!(r["event"]["funding_destination"], "bill_pay", "{r}");
    // Without the page token nothing is answered.
    let (code, _) = submit(&app, &id, "forged", json!({})).await;
    assert_eq!(code, 410);
}

#[tokio::test]
async fn a_cvv_requiring_tenant_gets_the_security_code_asked_and_checked() {
    let app = spawn_app().await;
    let settings = fundline_api::gateway::settings::TenantGatewaySettings::parse(
        &json!({"cvv_required": true}).to_string(),
    )
    .unwrap();
    fundline_store::tenants::set_settings(
        &app.store,
        app.tenant.tenant_id.clone(),
        fundline_api::gateway::settings::PRODUCT,
        serde_json::to_string(&settings).unwrap(),
    )
    .await
    .unwrap();
    let (id, url) = stage(&app, "k-cvv").await;
    let page = open(&url).await;
    assert!(
        page.html.contains("<label for=\"cvv\">"),
        "the page has a CVV field"
    );
    assert!(page.html.contains("\"cvvRequired\":true"), "and shows it");
    let token = page_token(&page.html);
    // Without the code: a field error, not an attempt.
    let (_, r) = submit(&app, &id, &token, card_form("jack")).await;
    assert_eq!(r["outcome"], "invalid", "{r}");
    assert!(r["errors"]["cvv"].is_array(), "{r}");
    let mut with_cvv = card_form("jack");
    with_cvv["cvv"] = json!("12");
    let (_, r) = submit(&app, &id, &token, with_cvv.clone()).await;
    assert!(r["errors"]["cvv"].is_array(), "two digits: {r}");
    with_cvv["cvv"] = json!("987");
    let (code, r) = submit(&app, &id, &token, with_cvv).await;
    assert_eq!((code, &r["outcome"]), (200, &json!("success")), "{r}");
    assert_eq!(status(&app, &id).await, "Completed");
}

#[tokio::test]
async fn a_po_box_recipient_can_pass_the_page() {
    let (app, g) = common::spawn_gateway().await;
    let mut req = session_request("po-box");
    req["host_uri"] = json!("http://127.0.0.1:4321");
    req["recipient_information"]["address_line1"] = json!("PO Box 15019");
    let a = g
        .send(&g.sign(
            SESSIONS,
            &serde_json::to_vec(&req).unwrap(),
            &Signing::now(),
        ))
        .await
        .unwrap();
    common::steps::accepted(&a);
    let (id, url) = app.session_link(&a);
    let token = page_token(&open(&url).await.html);
    // Typed as the session has it (the customer writes "P.O."): it passes.
    let mut form = card_form("Jack");
    form["address1"] = json!("P.O. Box 15019");
    let (code, r) = submit(&app, &id, &token, form).await;
    assert_eq!((code, &r["outcome"]), (200, &json!("success")), "{r}");
}
