//! Report requests and their links (issue 13): the request id of
//! triggerReportRequest, one open link per customer, the sandbox bank on the
//! sandbox tenant's page only, one merchant id everywhere, SMS through an
//! HTTP provider (a JSON webhook or Twilio's API, here a local receiver),
//! and the link staff can read when a message cannot be delivered.

use crate::common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, Uri};
use common::staff::{customer, envelope_ok, Staff};
use common::{captured_logs, sensitive, spawn_app, spawn_app_with, TestApp};
use fundline_api::config::{SmsConfig, SmsProvider};
use fundline_api::ApiConfig;
use serde_json::{json, Value};

const IBA: &str = "/api/v1/instantbankanalysis";
/// The phone number of every customer `customer(n)` makes.
const PHONE: &str = "4045550123";

async fn new_customer(staff: &Staff, n: u32, trigger: bool) -> Value {
    let mut c = customer(n);
    c["triggerReportRequest"] = json!(trigger);
    let a = staff.post("/api/v1/customer", &c).await;
    envelope_ok(&a, "Customer created successfully.");
    a.body["data"].clone()
}

/// The tenant's admin and a first customer, with or without a report
/// request made with it.
async fn admin_and_customer(app: &TestApp, trigger: bool) -> (Staff, Value) {
    let staff = Staff::admin(app).await;
    let c = new_customer(&staff, 1, trigger).await;
    (staff, c)
}

async fn request(staff: &Staff, customer_id: &str, via: i64) -> String {
    let r = staff.request_report(customer_id, via).await;
    assert_eq!(r.status, 200, "{r}");
    r.body["data"].as_str().unwrap().to_string()
}

async fn details(staff: &Staff, report_id: &str) -> Value {
    let d = staff
        .get_ok(
            &format!("{IBA}/reportrequests/{report_id}"),
            "Request successful",
        )
        .await;
    d.body["data"].clone()
}

/// The newest message of a request, opened.
async fn message_of(app: &TestApp, report_id: &str) -> Value {
    app.message_for(report_id).await
}

async fn link_of(app: &TestApp, report_id: &str) -> String {
    let link = message_of(app, report_id).await["link"]
        .as_str()
        .unwrap()
        .to_string();
    sensitive(link.rsplit('/').next().unwrap());
    link
}

async fn page_status(link: &str) -> u16 {
    reqwest::get(link).await.unwrap().status().as_u16()
}

/// The requests of one customer, from the list (status, id).
async fn listed_for(staff: &Staff, customer_id: &str) -> Vec<Value> {
    let all = staff
        .get_ok(&format!("{IBA}/report-requests?pageSize=100"), "Success")
        .await;
    all.body["data"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["customerId"] == customer_id)
        .cloned()
        .collect()
}

async fn open_in_store(app: &TestApp, customer_id: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM ba_report_requests WHERE customer_id = $1 AND status = 1 AND job_state IS NULL",
    )
    .bind(customer_id)
    .fetch_one(app.store.reader())
    .await
    .unwrap()
}

#[tokio::test]
async fn trigger_report_request_answers_the_new_requests_id() {
    let app = spawn_app().await;
    let (staff, c) = admin_and_customer(&app, true).await;
    let report_id = c["reportRequestId"].as_str().expect("reportRequestId");
    assert!(uuid::Uuid::parse_str(report_id).is_ok(), "{c}");
    let d = details(&staff, report_id).await;
    assert_eq!(d["customerId"], c["id"]);
    assert_eq!(d["status"], 1);
    assert_eq!(d["sentVia"], 1);
    assert_eq!(message_of(&app, report_id).await["channel"], "email");
    // Without the trigger there is no request, and the field says so.
    let plain = new_customer(&staff, 2, false).await;
    assert_eq!(plain["reportRequestId"], Value::Null, "{plain}");
    assert!(listed_for(&staff, plain["id"].as_str().unwrap())
        .await
        .is_empty());
}

#[tokio::test]
async fn a_new_request_supersedes_the_customers_open_one() {
    let app = spawn_app().await;
    let (staff, c) = admin_and_customer(&app, true).await;
    let customer_id = c["id"].as_str().unwrap();
    let first = c["reportRequestId"].as_str().unwrap().to_string();
    let first_link = link_of(&app, &first).await;
    assert_eq!(page_status(&first_link).await, 200);

    let second = request(&staff, customer_id, 2).await;
    let second_link = link_of(&app, &second).await;
    // The earlier link closes; the new one works.
    assert_eq!(page_status(&first_link).await, 410);
    assert_eq!(common::sharing::consent(&first_link).await, 410);
    assert_eq!(page_status(&second_link).await, 200);
    // Details and list show it: status 5, Superseded, by the new request.
    let d = details(&staff, &first).await;
    assert_eq!(d["status"], 5, "{d}");
    assert_eq!(d["supersededBy"], second.as_str());
    assert_eq!(d["link"], Value::Null, "a closed link is not shown");
    let d = details(&staff, &second).await;
    assert_eq!(d["status"], 1);
    assert_eq!(d["supersededBy"], Value::Null);
    let rows = listed_for(&staff, customer_id).await;
    assert_eq!(rows.len(), 2);
    for r in &rows {
        if r["id"] == first.as_str() {
            assert_eq!(r["status"], 5);
            assert_eq!(r["supersededBy"], second.as_str());
        } else {
            assert_eq!(r["status"], 1);
        }
    }
    let superseded = staff.get(&format!("{IBA}/report-requests?status=5")).await;
    assert_eq!(superseded.body["data"]["totalRecords"], 1, "{superseded}");
    assert_eq!(open_in_store(&app, customer_id).await, 1);

    // Re-sending the earlier request makes it the open one again.
    staff.resend(&first).await;
    let revived = link_of(&app, &first).await;
    assert_eq!(page_status(&revived).await, 200);
    assert_eq!(page_status(&second_link).await, 410);
    assert_eq!(details(&staff, &first).await["status"], 1);
    let d = details(&staff, &second).await;
    assert_eq!(
        (d["status"].clone(), d["supersededBy"].clone()),
        (json!(5), json!(first))
    );
    assert_eq!(open_in_store(&app, customer_id).await, 1);

    // Another customer's request supersedes nothing of this one.
    let other = new_customer(&staff, 2, true).await;
    assert_eq!(page_status(&revived).await, 200);
    assert_eq!(open_in_store(&app, other["id"].as_str().unwrap()).await, 1);
}

#[tokio::test]
async fn requests_created_at_once_leave_one_open_link() {
    let app = spawn_app().await;
    let (staff, c) = admin_and_customer(&app, false).await;
    let customer_id = c["id"].as_str().unwrap().to_string();
    for round in 0..3 {
        let ids: Vec<String> =
            futures::future::join_all((0..4).map(|i| request(&staff, &customer_id, 1 + (i % 2))))
                .await;
        assert_eq!(open_in_store(&app, &customer_id).await, 1, "round {round}");
        let mut open = Vec::new();
        for id in &ids {
            let link = link_of(&app, id).await;
            if page_status(&link).await == 200 {
                open.push(id.clone());
            }
        }
        assert_eq!(open.len(), 1, "round {round}: {open:?} of {ids:?}");
        let rows = listed_for(&staff, &customer_id).await;
        assert_eq!(rows.iter().filter(|r| r["status"] == 1).count(), 1);
        // Every other request names a successor.
        for r in rows.iter().filter(|r| r["status"] == 5) {
            assert!(r["supersededBy"].is_string(), "{r}");
        }
    }
}

/// Housekeeping: a round prunes gateway signatures past their window and
/// writes requests whose link ran out as expired (reads no longer write;
/// until the round they only read as expired).
#[tokio::test]
async fn housekeeping_prunes_signatures_and_expires_links() {
    let app = spawn_app().await;
    let staff = Staff::admin(&app).await;
    let c = new_customer(&staff, 41, false).await;
    let id = request(&staff, c["id"].as_str().unwrap(), 1).await;
    let now = fundline_store::now_micros();
    let t = app.tenant.tenant_id.clone();
    for (hash, expires) in [
        ("old-1", now - 1),
        ("old-2", now - 60_000_000),
        ("live", now + 3_600_000_000),
    ] {
        fundline_store::gateway::claim_signature(&app.store, hash.into(), t.clone(), expires)
            .await
            .unwrap();
    }
    let stored_status = || async {
        sqlx::query_scalar::<_, i64>("SELECT status FROM ba_report_requests WHERE id = $1")
            .bind(&id)
            .fetch_one(app.store.reader())
            .await
            .unwrap()
    };
    let swept = fundline_api::housekeeping::run_once(&app.state).await;
    assert_eq!((swept.signatures, swept.expired_requests), (2, 0));
    let left: Vec<String> = sqlx::query_scalar("SELECT signature_hash FROM gw_seen_signatures")
        .fetch_all(app.store.reader())
        .await
        .unwrap();
    assert_eq!(left, vec!["live".to_string()]);
    assert_eq!(stored_status().await, 1, "pending while the link lives");

    // Past the link's lifetime: the request reads as expired at once, and
    // the next round writes it so.
    app.clock.advance(Duration::from_secs(73 * 3600));
    let staff = Staff::admin(&app).await;
    assert_eq!(details(&staff, &id).await["status"], 3);
    assert_eq!(stored_status().await, 1, "a read writes nothing");
    let expired = listed_for(&staff, c["id"].as_str().unwrap()).await;
    assert_eq!(expired[0]["status"], 3, "{expired:?}");
    let swept = fundline_api::housekeeping::run_once(&app.state).await;
    assert_eq!(
        (swept.signatures, swept.expired_requests),
        (1, 1),
        "the live signature's window closed too"
    );
    assert_eq!(stored_status().await, 3);
    let swept = fundline_api::housekeeping::run_once(&app.state).await;
    assert_eq!((swept.signatures, swept.expired_requests), (0, 0));
}

#[tokio::test]
async fn the_sandbox_bank_is_offered_on_the_sandbox_tenants_page_only() {
    let app = spawn_app().await;
    // A real tenant's customer page: upload only.
    let (_, c) = admin_and_customer(&app, true).await;
    let link = link_of(&app, c["reportRequestId"].as_str().unwrap()).await;
    let page = reqwest::get(&link).await.unwrap().text().await.unwrap();
    assert!(page.contains("Upload statements"), "{page}");
    assert!(!page.contains("sandbox bank"), "{page}");
    assert!(!page.contains("id=\"sandbox\""), "{page}");
    // The sandbox tenant's: the sandbox bank too.
    let sandbox = fundline_store::tenants::create_tenant(&app.store, &app.keyring, "Sandbox", true)
        .await
        .unwrap();
    sensitive(&sandbox.analysis.password);
    let sb_staff = Staff::login(&app, &sandbox.analysis.email, &sandbox.analysis.password).await;
    let c = new_customer(&sb_staff, 2, true).await;
    let link = link_of(&app, c["reportRequestId"].as_str().unwrap()).await;
    let page = reqwest::get(&link).await.unwrap().text().await.unwrap();
    assert!(page.contains("Upload statements"), "{page}");
    assert!(page.contains("Link the sandbox bank"), "{page}");
}

/// A customer's name goes into the plain-text email as typed, and comes out
/// escaped on the sandbox mailbox page that shows the message.
#[tokio::test]
async fn a_hostile_name_is_verbatim_in_the_email_and_escaped_on_the_mailbox_page() {
    const HOSTILE: &str = "<script>alert(1)</script>\"'&";
    let app = spawn_app().await;
    let sandbox = fundline_store::tenants::create_tenant(&app.store, &app.keyring, "Sandbox", true)
        .await
        .unwrap();
    sensitive(&sandbox.analysis.password);
    let staff = Staff::login(&app, &sandbox.analysis.email, &sandbox.analysis.password).await;
    let mut c = customer(3);
    c["firstName"] = json!(HOSTILE);
    c["triggerReportRequest"] = json!(true);
    let a = staff.post("/api/v1/customer", &c).await;
    envelope_ok(&a, "Customer created successfully.");
    let report_id = a.body["data"]["reportRequestId"].as_str().unwrap();
    let link = link_of(&app, report_id).await;
    let text = message_of(&app, report_id).await["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        text,
        format!(
            "Hello {HOSTILE},\n\nTo complete your application, please share your bank information through this \
             secure link:\n\n{link}\n\nThe link is for you only and is valid until {}.\n",
            text.rsplit("valid until ").next().unwrap().trim_end_matches(".\n")
        )
    );
    let r = staff.sandbox_mailbox().await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(
        html.contains(
            "<pre>Hello &#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;,\n\nTo complete"
        ),
        "{html}"
    );
    // The test app's outbox answers links on its own address.
    let token = link.rsplit('/').next().unwrap();
    assert!(
        html.contains(&format!("/connect/{token}\">Open the link</a>")),
        "{html}"
    );
}

/// Every `merchantId` in a JSON document.
fn merchant_ids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "merchantId" {
                    out.push(v.as_str().unwrap_or("not a string").to_string());
                } else {
                    merchant_ids(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| merchant_ids(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_merchant_id_is_the_one_the_credentials_show() {
    let app = spawn_app().await;
    let merchant = app.tenant.analysis.merchant_id.clone();
    assert_ne!(merchant, app.tenant.tenant_id);
    let (staff, c) = admin_and_customer(&app, true).await;
    assert_eq!(c["merchantId"], merchant.as_str(), "customer create");
    let customer_id = c["id"].as_str().unwrap();
    let got = staff.get(&format!("/api/v1/customer/{customer_id}")).await;
    assert_eq!(
        got.body["data"]["merchantId"],
        merchant.as_str(),
        "customer"
    );
    let report_id = c["reportRequestId"].as_str().unwrap().to_string();
    assert_eq!(
        details(&staff, &report_id).await["merchantId"],
        merchant.as_str(),
        "report request"
    );

    // The customer shares a statement; the report is built.
    let link = link_of(&app, &report_id).await;
    assert_eq!(common::sharing::consent(&link).await, 200);
    let story = common::ofx::statement(chrono::Utc::now().date_naive());
    sensitive(story.account);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(story.text.into_bytes()).file_name("march.ofx"),
    );
    let up = reqwest::Client::new()
        .post(format!("{link}/statements"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(up.status().as_u16(), 202);
    let fr = common::eventually("the report is built", Duration::from_secs(20), async || {
        let a = staff
            .get(&format!("{IBA}/financialreport?reportId={report_id}"))
            .await;
        (a.status == 200).then(|| a.body["data"].clone())
    })
    .await;
    let mut ids = Vec::new();
    merchant_ids(&fr, &mut ids);
    assert!(
        !ids.is_empty(),
        "the report's transactions carry merchantId"
    );
    assert!(
        ids.iter().all(|m| *m == merchant),
        "financial report: {ids:?}"
    );

    let accounts = staff
        .get_ok(
            &format!("{IBA}/GetBankAccountByReportId/{report_id}"),
            "Request successful",
        )
        .await;
    let mut ids = Vec::new();
    merchant_ids(&accounts.body, &mut ids);
    assert_eq!(ids, vec![merchant.clone()], "accounts");
    let tx = staff
        .get(&format!("{IBA}/BankingTransactions/{report_id}/1"))
        .await;
    assert_eq!(tx.status, 200, "{tx}");
    let mut ids = Vec::new();
    merchant_ids(&tx.body, &mut ids);
    assert!(
        !ids.is_empty() && ids.iter().all(|m| *m == merchant),
        "transactions: {ids:?}"
    );
    assert!(!fr.to_string().contains(&app.tenant.tenant_id));
}

/// What a local SMS provider received: path, headers, body.
type Received = Arc<Mutex<Vec<(String, HeaderMap, String)>>>;

/// A local HTTP SMS provider: answers each request with the next status of
/// `script` (then `then`), and keeps what it received.
async fn provider(script: &[u16], then: u16) -> (String, Received) {
    let got: Received = Arc::default();
    let script = Arc::new(Mutex::new(
        script.iter().copied().collect::<VecDeque<u16>>(),
    ));
    let keep = got.clone();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: String| {
        let (keep, script) = (keep.clone(), script.clone());
        async move {
            keep.lock().unwrap().push((uri.path().to_string(), headers, body));
            let status = script.lock().unwrap().pop_front().unwrap_or(then);
            let body = if status == 400 {
                json!({"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400})
            } else {
                json!({"sid": "SM123", "status": "queued"})
            };
            (StatusCode::from_u16(status).unwrap(), axum::Json(body))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, got)
}

const WEBHOOK_TOKEN: &str = "whk-token-5f3a9c1d7e";
const TWILIO_TOKEN: &str = "twilio-auth-8b2e6f4a0c";

fn sms_config(provider: SmsProvider, max_attempts: i64) -> ApiConfig {
    ApiConfig {
        sms: Some(SmsConfig {
            provider,
            timeout: Duration::from_secs(5),
        }),
        outbox_backoff: Duration::from_millis(100),
        outbox_max_attempts: max_attempts,
        outbox_poll: Duration::from_millis(50),
        ..ApiConfig::default()
    }
}

fn webhook(base: &str) -> SmsProvider {
    SmsProvider::Webhook {
        url: format!("{base}/sms/send"),
        token: Some(WEBHOOK_TOKEN.to_string().into()),
    }
}

fn twilio(base: &str) -> SmsProvider {
    SmsProvider::Twilio {
        base_url: base.to_string(),
        account_sid: "AC0123456789abcdef".into(),
        auth_token: TWILIO_TOKEN.to_string().into(),
        from: "+15005550006".into(),
    }
}

/// Waits until the request's message leaves `pending`.
async fn settled(app: &TestApp, report_id: &str) -> Value {
    common::eventually(
        "the message to leave pending",
        Duration::from_secs(5),
        async || {
            let m = message_of(app, report_id).await;
            (m["state"] != "pending").then_some(m)
        },
    )
    .await
}

/// A report link sent by SMS (`via` a local [`provider`] that answers
/// `script`, then `then`): the app, its admin, the request and its message
/// once it has left `pending`, and what the provider received.
struct SmsSent {
    app: TestApp,
    staff: Staff,
    report_id: String,
    message: Value,
    got: Received,
}

async fn sms_sent(
    via: fn(&str) -> SmsProvider,
    max_attempts: i64,
    script: &[u16],
    then: u16,
) -> SmsSent {
    let (base, got) = provider(script, then).await;
    let app = spawn_app_with(sms_config(via(&base), max_attempts)).await;
    let (staff, c) = admin_and_customer(&app, false).await;
    let report_id = request(&staff, c["id"].as_str().unwrap(), 2).await;
    let message = settled(&app, &report_id).await;
    SmsSent {
        app,
        staff,
        report_id,
        message,
        got,
    }
}

fn no_secret_in_logs() {
    for s in [WEBHOOK_TOKEN, TWILIO_TOKEN, PHONE] {
        sensitive(s);
    }
    let logs = captured_logs();
    assert!(!logs.contains(WEBHOOK_TOKEN) && !logs.contains(TWILIO_TOKEN));
    assert!(
        !logs.contains(PHONE),
        "a full phone number reached the logs"
    );
}

#[tokio::test]
async fn sms_through_a_json_webhook_is_delivered() {
    let sent = sms_sent(webhook, 5, &[], 200).await;
    let m = &sent.message;
    assert_eq!(m["state"], "sent", "{m}");
    assert_eq!(m["attempts"], 1);
    let link = m["link"].as_str().unwrap().to_string();
    let got = sent.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let (path, headers, body) = &got[0];
    assert_eq!(path, "/sms/send");
    assert_eq!(
        headers["authorization"],
        format!("Bearer {WEBHOOK_TOKEN}").as_str()
    );
    assert_eq!(headers["content-type"], "application/json");
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["to"], "+14045550123");
    assert_eq!(body["reference"], m["id"]);
    let text = body["body"].as_str().unwrap();
    assert!(
        text.contains(&link.replace(&sent.app.base, "http://127.0.0.1:8080")),
        "{text}"
    );
    // Delivered: the details show the link masked, with the delivery.
    let d = details(&sent.staff, &sent.report_id).await;
    assert_eq!(d["delivery"]["state"], "sent", "{d}");
    assert_eq!(d["delivery"]["channel"], "sms");
    assert!(d["delivery"]["sentDate"].is_string());
    let shown = d["link"].as_str().unwrap();
    assert!(
        shown.ends_with('…') && !shown.contains(link.rsplit('/').next().unwrap()),
        "{shown}"
    );
    no_secret_in_logs();
}

#[tokio::test]
async fn twilio_sms_is_retried_after_a_503_then_delivered() {
    let SmsSent {
        message: m, got, ..
    } = sms_sent(twilio, 5, &[503], 201).await;
    assert_eq!(m["state"], "sent", "{m}");
    assert_eq!(m["attempts"], 2, "one retry");
    assert_eq!(m["lastError"], Value::Null);
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    for (path, headers, body) in &got {
        assert_eq!(
            path,
            "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json"
        );
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("AC0123456789abcdef:{TWILIO_TOKEN}"));
        assert_eq!(headers["authorization"], format!("Basic {basic}").as_str());
        assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
        let form: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect();
        assert_eq!(form["To"], "+14045550123");
        assert_eq!(form["From"], "+15005550006");
        assert!(form["Body"].contains("/connect/"), "{body}");
    }
    assert_eq!(got[0].2, got[1].2, "the retry sends the same message");
    no_secret_in_logs();
}

#[tokio::test]
async fn sms_refused_with_a_400_fails_and_staff_read_the_link() {
    let sent = sms_sent(twilio, 5, &[400], 200).await;
    let m = &sent.message;
    assert_eq!(m["state"], "failed", "{m}");
    assert_eq!(m["attempts"], 1, "not retried");
    let error = m["lastError"].as_str().unwrap();
    assert!(error.contains("400") && error.contains("21211"), "{error}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sent.got.lock().unwrap().len(), 1, "no second attempt");
    // Not delivered: staff of the tenant read the full link in the details.
    let d = details(&sent.staff, &sent.report_id).await;
    assert_eq!(
        d["link"],
        m["link"]
            .as_str()
            .unwrap()
            .replace(&sent.app.base, "http://127.0.0.1:8080")
            .as_str(),
        "{d}"
    );
    assert_eq!(d["delivery"]["state"], "failed");
    assert_eq!(d["delivery"]["lastError"], error);
    no_secret_in_logs();
}

#[tokio::test]
async fn sms_that_keeps_meeting_busy_answers_fails_after_the_last_attempt() {
    let SmsSent {
        message: m, got, ..
    } = sms_sent(webhook, 3, &[], 503).await;
    assert_eq!(m["state"], "failed", "{m}");
    assert_eq!(m["attempts"], 3);
    assert_eq!(got.lock().unwrap().len(), 3);
    no_secret_in_logs();
}

#[tokio::test]
async fn without_a_provider_staff_read_the_link_in_full_and_lists_show_it_masked() {
    let app = spawn_app().await;
    let (staff, c) = admin_and_customer(&app, false).await;
    let customer_id = c["id"].as_str().unwrap();
    let report_id = request(&staff, customer_id, 2).await;
    let m = message_of(&app, &report_id).await;
    assert_eq!(m["state"], "recorded");
    // Links are made with the configured public URL.
    let link = link_of(&app, &report_id)
        .await
        .replace(&app.base, "http://127.0.0.1:8080");
    let token = link.rsplit('/').next().unwrap().to_string();
    let d = details(&staff, &report_id).await;
    assert_eq!(d["link"], link.as_str(), "{d}");
    assert_eq!(d["delivery"]["state"], "recorded");
    assert_eq!(d["delivery"]["channel"], "sms");
    assert!(captured_logs().contains("report_request.link_read"));
    // The list masks it.
    let rows = listed_for(&staff, customer_id).await;
    let shown = rows[0]["link"].as_str().unwrap();
    assert_eq!(
        shown,
        format!("http://127.0.0.1:8080/connect/{}…", &token[..4])
    );
    assert_eq!(rows[0]["deliveryState"], "recorded");
    let all = staff.get(&format!("{IBA}/report-requests")).await;
    assert!(!all.body.to_string().contains(&token));
    // Another tenant's staff read nothing of it.
    let other = app.other_tenant().await;
    sensitive(&other.analysis.password);
    let outsider = Staff::login(&app, &other.analysis.email, &other.analysis.password).await;
    let a = outsider
        .get(&format!("{IBA}/reportrequests/{report_id}"))
        .await;
    assert_eq!(a.status, 400, "{a}");
    assert!(!a.body.to_string().contains(&token));
    // Once the link is spent or closed, it is not shown any more.
    request(&staff, customer_id, 1).await;
    let d = details(&staff, &report_id).await;
    assert_eq!(d["link"], Value::Null);
    let rows = listed_for(&staff, customer_id).await;
    let closed = rows.iter().find(|r| r["id"] == report_id.as_str()).unwrap();
    assert_eq!(closed["link"], Value::Null);
    assert!(!captured_logs().contains(&token));
}
