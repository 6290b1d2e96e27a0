//! Check deposits end to end: an SSO token becomes a check session; checks
//! are quoted, submitted, classified, decided, approved and funded by the
//! background jobs; the partner sees them in GetTransactionHistory and
//! through signed webhooks.

use crate::common;
use common::steps::Partner;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{spawn_app_with, TestApp};
use fundline::client::{card, check_png as png, enrollment, test_visa, Deposit, PartnerClient};
use fundline_api::ApiConfig;
use serde_json::{json, Value};

fn config() -> ApiConfig {
    ApiConfig {
        job_poll: Duration::from_millis(50),
        webhook_poll: Duration::from_millis(50),
        webhook_backoff: Duration::from_millis(100),
        allow_loopback_webhooks: true,
        ..ApiConfig::default()
    }
}

struct Customer {
    partner: PartnerClient,
    id: String,
    cards: Vec<String>,
}

async fn customer(app: &TestApp, n: u64, pans: &[String]) -> Customer {
    let partner = app.partner().await;
    let id = partner.enroll(n).await;
    let mut cards = Vec::new();
    for pan in pans {
        let a = partner.ask("add-or-update-card", &card(&id, pan)).await;
        assert_eq!(a.status, 200, "{}", a.text);
        let list = partner.cards_of(&id).await;
        let last4 = &pan[pan.len() - 4..];
        let cid = list.body["cards"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["lastFourDigits"] == last4)
            .unwrap()["cardId"]
            .as_str()
            .unwrap()
            .to_string();
        cards.push(cid);
    }
    Customer { partner, id, cards }
}

async fn sso(c: &Customer) -> String {
    let a = c
        .partner
        .ask("authenticate-obo", &json!({"customerId": c.id}))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.body["ssoToken"].as_str().unwrap().to_string()
}

struct Session {
    base: String,
    token: String,
    http: reqwest::Client,
}

async fn session(app: &TestApp, sso: &str) -> Session {
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/api/v1/checks/sessions", app.base))
        .json(&json!({"ssoToken": sso}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let b: Value = r.json().await.unwrap();
    Session {
        base: app.base.clone(),
        token: b["accessToken"].as_str().unwrap().to_string(),
        http,
    }
}

impl Session {
    async fn get(&self, path: &str) -> (u16, Value) {
        common::send(
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.token),
        )
        .await
    }

    async fn submit(
        &self,
        card: &str,
        amount: i64,
        check_type: &str,
        funding: &str,
        check_no: u32,
    ) -> (u16, Value) {
        let micr = format!("T021000021T 123456789O {check_no}");
        self.submit_with(
            card,
            amount,
            check_type,
            funding,
            &micr,
            png(1600, 700, u64::from(check_no)),
            png(1600, 700, 1_000_000 + u64::from(check_no)),
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn submit_with(
        &self,
        card: &str,
        amount: i64,
        check_type: &str,
        funding: &str,
        micr: &str,
        front: Vec<u8>,
        back: Vec<u8>,
    ) -> (u16, Value) {
        let form = Deposit {
            front,
            back,
            amount,
            check_type,
            card_id: card,
            funding,
            micr,
        }
        .form();
        common::send(
            self.http
                .post(format!("{}/api/v1/checks", self.base))
                .bearer_auth(&self.token)
                .multipart(form),
        )
        .await
    }

    /// The check `sub` (submit's answer) once funded or declined.
    async fn final_state(&self, sub: &Value) -> Value {
        let id = sub["transactionId"]
            .as_str()
            .unwrap_or_else(|| panic!("not submitted: {sub}"));
        self.settle(id, &["funded", "declined"]).await
    }

    /// A $100.00 payroll check in minutes with this MICR line and these
    /// images, submitted: its final state.
    async fn deposit_images(&self, card: &str, micr: &str, front: Vec<u8>, back: Vec<u8>) -> Value {
        let (_, sub) = self
            .submit_with(card, 10000, "payroll", "minutes", micr, front, back)
            .await;
        self.final_state(&sub).await
    }

    /// The fee quote for `query` (amount, cardId, checkType, funding).
    async fn quote(&self, query: &str) -> (u16, Value) {
        self.get(&format!("/api/v1/checks/quote?{query}")).await
    }

    /// Waits until the check leaves the in-flight stages (or reaches `until`).
    async fn settle(&self, id: &str, until: &[&str]) -> Value {
        let found = common::try_eventually(Duration::from_secs(5), async || {
            let (code, b) = self.get(&format!("/api/v1/checks/{id}")).await;
            assert_eq!(code, 200, "{b}");
            common::ok_if(until.contains(&b["status"].as_str().unwrap_or("")), b)
        })
        .await;
        let last = match found {
            Ok(b) => return b,
            Err(last) => last,
        };
        let logs: String = common::captured_logs()
            .lines()
            .filter(|l| l.contains("check"))
            .collect::<Vec<_>>()
            .join("\n");
        panic!("check {id} never reached {until:?}: {last}\n{logs}");
    }
}

async fn history(c: &Customer) -> Vec<Value> {
    let h = c
        .partner
        .ask(
            "get-transaction-history",
            &json!({"customerId": c.id, "pageSize": 100}),
        )
        .await;
    assert_eq!(h.status, 200, "{}", h.text);
    h.body["searchResults"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_payroll_check_in_minutes_is_funded_with_the_fee_right_to_the_cent() {
    let app = spawn_app_with(config()).await;
    let c = customer(&app, 1, &[test_visa(1)]).await;
    let s = session(&app, &sso(&c).await).await;
    // The SSO token is spent.
    let again = reqwest::Client::new()
        .post(format!("{}/api/v1/checks/sessions", app.base))
        .json(&json!({"ssoToken": sso(&c).await + "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 401);

    let (code, cards) = s.get("/api/v1/checks/cards").await;
    assert_eq!(code, 200);
    assert_eq!(cards["cards"][0]["cardId"], c.cards[0].as_str());
    // Auth schemes are case-insensitive (RFC 7235 §2.1).
    let lower = reqwest::Client::new()
        .get(format!("{}/api/v1/checks/cards", app.base))
        .header("authorization", format!("bearer {}", s.token))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status().as_u16(), 200);

    let card = &c.cards[0];
    let (code, q) = s
        .quote(&format!(
            "amount=60000&cardId={card}&checkType=payroll&funding=minutes"
        ))
        .await;
    assert_eq!(code, 200, "{q}");
    assert_eq!(q["fee"], 600, "1% of $600.00");
    assert_eq!(q["loadAmount"], 59400);
    for (amount, check_type, funding, fee, why) in [
        (
            12345,
            "personal",
            "minutes",
            500,
            "4% of $123.45 is $4.94: the $5.00 minimum applies",
        ),
        (100000, "other", "minutes", 4000, "4% of $1,000.00"),
        (100000, "other", "days", 0, "in days: no fee"),
    ] {
        let query =
            format!("amount={amount}&cardId={card}&checkType={check_type}&funding={funding}");
        let (_, q) = s.quote(&query).await;
        assert_eq!(q["fee"], fee, "{why}");
    }
    let (code, bad) = s
        .get("/api/v1/checks/quote?amount=abc&checkType=cheese")
        .await;
    assert_eq!(code, 400, "{bad}");

    let (code, sub) = s
        .submit(&c.cards[0], 60000, "payroll", "minutes", 1001)
        .await;
    assert_eq!(code, 202, "{sub}");
    let id = sub["transactionId"].as_str().unwrap().to_string();
    let done = s.settle(&id, &["funded", "declined"]).await;
    assert_eq!(done["status"], "funded", "{done}");
    assert_eq!(done["fee"], 600);
    assert_eq!(done["loadAmount"], 59400);

    let h = history(&c).await;
    let t = h
        .iter()
        .find(|t| t["transactionId"] == id.as_str())
        .unwrap();
    assert_eq!(t["statusCode"], 14);
    assert_eq!(t["statusMessage"], "Account Funded");
    assert_eq!(t["state"], 4);
    assert_eq!(t["loadStatus"], 1011);
    assert_eq!(t["processingStatus"], 1101);
    assert_eq!(t["classificationStatus"], 1012);
    assert_eq!(t["mobileTransactionTypeId"], 100);
    assert_eq!(t["amount"], 60000);
    assert_eq!(t["fee"], 600);
    assert_eq!(t["loadAmount"], 59400);
    for k in [
        "submittedForClassificationOn",
        "finishedClassificationOn",
        "submittedForApprovalOn",
        "finishedApprovalOn",
        "expectedLoadDate",
        "actualLoadDate",
    ] {
        assert!(t[k].is_string(), "{k} stamped: {t}");
    }
    // The money moved in balanced entries.
    let sum: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger_entries WHERE transaction_id = $1")
        .bind(&id)
        .fetch_one(app.store.reader())
        .await
        .unwrap();
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries WHERE transaction_id = $1")
            .bind(&id)
            .fetch_one(app.store.reader())
            .await
            .unwrap();
    assert_eq!((sum, n), (0, 3));
}

#[tokio::test]
async fn money_in_days_loads_on_the_tenth_banking_day() {
    let app = spawn_app_with(config()).await;
    let c = customer(&app, 2, &[test_visa(2)]).await;
    let s = session(&app, &sso(&c).await).await;
    let (code, sub) = s
        .submit(&c.cards[0], 25000, "government", "days", 2001)
        .await;
    assert_eq!(code, 202, "{sub}");
    let id = sub["transactionId"].as_str().unwrap().to_string();
    let approved = s.settle(&id, &["approved", "declined", "funded"]).await;
    assert_eq!(approved["status"], "approved", "{approved}");
    assert_eq!(approved["fee"], 0);
    let expected = approved["expectedLoadDate"].as_str().unwrap().to_string();
    let day = chrono::NaiveDate::parse_from_str(&expected[..10], "%Y-%m-%d").unwrap();
    let today = chrono::Utc::now().date_naive();
    assert_eq!(day, fundline_core::calendar::add_banking_days(today, 10));
    // Before the load date nothing is loaded: the load stays scheduled, and
    // the worker does not fund the check early.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let waiting = transaction(&c, &id).await;
    assert_eq!(
        waiting["loadStatus"],
        fundline_checks::codes::LOAD_SCHEDULED,
        "{waiting}"
    );
    assert_ne!(waiting["statusCode"], 14, "{waiting}");
    assert!(waiting["actualLoadDate"].is_null(), "{waiting}");
    // Twenty days later the load has happened (the partner logs in again).
    app.clock.advance(Duration::from_secs(20 * 86_400));
    let c = Customer {
        partner: app.partner().await,
        ..c
    };
    let t = common::eventually(
        "the load to happen (statusCode 14)",
        Duration::from_secs(5),
        async || {
            let t = history(&c)
                .await
                .into_iter()
                .find(|t| t["transactionId"] == id.as_str())
                .unwrap();
            common::ok_if(t["statusCode"] == 14, t)
        },
    )
    .await;
    assert_eq!(t["statusCode"], 14, "{t}");
    assert_eq!(t["mobileTransactionTypeId"], 200);
    assert_eq!(t["loadAmount"], 25000);
    assert!(t["actualLoadDate"].is_string());
}

async fn transaction(c: &Customer, id: &str) -> Value {
    history(c)
        .await
        .into_iter()
        .find(|t| t["transactionId"] == id)
        .unwrap()
}

#[tokio::test]
async fn declines_amount_limits_duplicates_and_bad_input() {
    let app = spawn_app_with(config()).await;
    // A Mastercard prepaid program loads at most $2,500.00.
    let c = customer(&app, 3, &[test_visa(3), "5555555555554444".into()]).await;
    let s = session(&app, &sso(&c).await).await;
    let cases = [
        (c.cards[0].clone(), 400, 3001, "below"),
        (c.cards[0].clone(), 600_000, 3002, "above"),
        (c.cards[1].clone(), 300_000, 3003, "card"),
    ];
    for (card, amount, no, what) in cases {
        let (code, sub) = s.submit(&card, amount, "payroll", "minutes", no).await;
        assert_eq!(code, 202, "{sub}");
        let done = s.final_state(&sub).await;
        assert_eq!(done["status"], "declined", "{what}: {done}");
        assert_eq!(done["fee"], 0, "a declined check costs nothing");
        assert!(done["declineReasonCode"].as_i64().unwrap() > 0);
        assert!(!done["declineReasonMessage"].as_str().unwrap().is_empty());
    }
    // The same check twice: the second is a duplicate presentment.
    let (_, first) = s
        .submit(&c.cards[0], 10000, "payroll", "minutes", 3100)
        .await;
    let first = s.final_state(&first).await;
    assert_eq!(first["status"], "funded");
    // A new photograph of the same check (new images, the same MICR line),
    // a MICR line that does not parse, and the same image on both sides.
    use fundline_checks::codes::DeclineReason;
    let same = png(1600, 700, 77);
    for (what, micr, front, back, reason) in [
        (
            "a new photograph",
            "T021000021T 123456789O 3100",
            png(1600, 700, 31),
            png(1600, 700, 32),
            DeclineReason::DuplicatePresentment,
        ),
        (
            "an unreadable MICR line",
            "T123456789T 1O 1",
            png(1600, 700, 1),
            png(1600, 700, 2),
            DeclineReason::MicrUnreadable,
        ),
        (
            "one image on both sides",
            "T021000021T 123456789O 3200",
            same.clone(),
            same,
            DeclineReason::DuplicateImage,
        ),
    ] {
        let done = s.deposit_images(&c.cards[0], micr, front, back).await;
        assert_eq!(done["status"], "declined", "{what}: {done}");
        assert_eq!(done["declineReasonCode"], reason.code(), "{what}: {done}");
    }
    let (_, junk) = s
        .submit_with(
            &c.cards[0],
            10000,
            "payroll",
            "minutes",
            "T021000021T 123456789O 3300",
            b"not an image".to_vec(),
            png(1600, 700, 9),
        )
        .await;
    let junk = s.final_state(&junk).await;
    assert_eq!(
        junk["declineReasonCode"],
        fundline_checks::codes::DeclineReason::ImageUnusable.code()
    );
    // Malformed requests never become checks.
    let (code, body) = s.submit(&c.cards[0], 0, "payroll", "minutes", 3400).await;
    assert_eq!(code, 400, "{body}");
    let (code, body) = s
        .submit("not-a-card", 1000, "payroll", "minutes", 3401)
        .await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(body["errorCode"], "CARD_NOT_FOUND");
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/checks/cards", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Every decline in the partner's history, with its reason.
    let h = history(&c).await;
    assert_eq!(
        h.iter()
            .filter(|t| t["declineReasonCode"].as_i64().unwrap_or(0) > 0)
            .count(),
        7
    );
    // Each reason shows the stage that failed (docs/check-rules.md): the
    // images (classificationStatus 1013, "retake the photos") apart from a
    // check classified and then refused (1012: a limit, a duplicate).
    use fundline_checks::codes::DeclineReason as R;
    let statuses = |reason: R| {
        h.iter()
            .filter(|t| t["declineReasonCode"] == reason.code())
            .map(|t| (t["classificationStatus"].clone(), t["loadStatus"].clone()))
            .collect::<Vec<_>>()
    };
    for reason in [R::MicrUnreadable, R::DuplicateImage, R::ImageUnusable] {
        assert_eq!(
            statuses(reason),
            vec![(json!(1013), json!(1000))],
            "{reason:?}"
        );
    }
    for reason in [R::DuplicatePresentment, R::BelowMinimum, R::AboveMaximum] {
        assert_eq!(
            statuses(reason),
            vec![(json!(1012), json!(1000))],
            "{reason:?}"
        );
    }
}

/// An image that was either side of an earlier check, sent again as a new
/// check's front, is a duplicate image (whatever the MICR line says); an
/// image never seen before is not.
#[tokio::test]
async fn an_earlier_checks_front_or_back_sent_again_is_a_duplicate_image() {
    use fundline_checks::codes::DeclineReason;
    let app = spawn_app_with(config()).await;
    let c = customer(&app, 4, &[test_visa(4)]).await;
    let s = session(&app, &sso(&c).await).await;
    let (front, back) = (png(1600, 700, 4101), png(1600, 700, 4102));
    let first = s
        .deposit_images(
            &c.cards[0],
            "T021000021T 123456789O 4100",
            front.clone(),
            back.clone(),
        )
        .await;
    assert_eq!(first["status"], "funded", "{first}");
    for (what, micr, image) in [
        ("the earlier front", "T021000021T 123456789O 4200", front),
        ("the earlier back", "T021000021T 123456789O 4300", back),
    ] {
        let done = s
            .deposit_images(&c.cards[0], micr, image, png(1600, 700, 4999))
            .await;
        assert_eq!(done["status"], "declined", "{what}: {done}");
        let code = DeclineReason::DuplicateImage.code();
        assert_eq!(done["declineReasonCode"], code, "{what}: {done}");
    }
    let fresh = s
        .deposit_images(
            &c.cards[0],
            "T021000021T 123456789O 4400",
            png(1600, 700, 4401),
            png(1600, 700, 4402),
        )
        .await;
    assert_eq!(fresh["status"], "funded", "{fresh}");
}

#[tokio::test]
async fn velocity_and_customer_attributes_change_the_decision() {
    let app = spawn_app_with(config()).await;
    fundline_store::tenants::set_settings(
        &app.store,
        app.tenant.tenant_id.clone(),
        "checks",
        json!({"limits": {"daily_count": 2}}).to_string(),
    )
    .await
    .unwrap();
    let c = customer(&app, 4, &[test_visa(4)]).await;
    let s = session(&app, &sso(&c).await).await;
    let mut outcomes = Vec::new();
    for no in 4001..=4003 {
        let (_, sub) = s.submit(&c.cards[0], 10000, "payroll", "minutes", no).await;
        let done = s.final_state(&sub).await;
        outcomes.push(done["status"].as_str().unwrap().to_string());
    }
    assert_eq!(
        outcomes,
        ["funded", "funded", "declined"],
        "the third check of the day is over the daily count"
    );

    // An outstanding balance on returned checks: the partner's attribute declines.
    let d = customer(&app, 5, &[test_visa(5)]).await;
    let ssn = enrollment(5)["ssn"].as_str().unwrap().to_string();
    let a = d
        .partner
        .ask("add-customer-attributes", &json!({"customerAttributes": [
            {"name": "CustomerId", "value": d.id}, {"name": "SSN", "value": ssn}, {"name": "BalanceOnReturnedChecks", "value": "150.00"}]})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let s = session(&app, &sso(&d).await).await;
    let (_, sub) = s
        .submit(&d.cards[0], 10000, "payroll", "minutes", 5001)
        .await;
    let done = s.final_state(&sub).await;
    assert_eq!(done["status"], "declined", "{done}");
    assert_eq!(
        done["declineReasonCode"],
        fundline_checks::codes::DeclineReason::ReturnedCheckBalance.code()
    );
}

#[tokio::test]
async fn a_session_attribute_filter_hides_a_card() {
    let app = spawn_app_with(config()).await;
    let c = customer(&app, 6, &[test_visa(6), test_visa(7)]).await;
    let token = sso(&c).await;
    let a = c
        .partner
        .ask("add-session-attributes", &json!({"sessionAttributes": [
            {"name": "SsoToken", "value": token}, {"name": "AccountIdFilter", "value": c.cards[1]}]})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let s = session(&app, &token).await;
    let (_, cards) = s.get("/api/v1/checks/cards").await;
    let ids: Vec<&str> = cards["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cardId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![c.cards[1].as_str()]);
    let (code, body) = s
        .submit(&c.cards[0], 10000, "payroll", "minutes", 6001)
        .await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(body["errorCode"], "CARD_NOT_FOUND");
    let (code, _) = s
        .submit(&c.cards[1], 10000, "payroll", "minutes", 6002)
        .await;
    assert_eq!(code, 202);
}

/// A webhook receiver on loopback: answers 500 to the first `fail_first`
/// deliveries, then 200; keeps (headers, body) of each.
async fn receiver(fail_first: usize) -> (String, Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>) {
    let got: Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>> = Arc::default();
    let keep = got.clone();
    let url = common::serve_hooks(axum::routing::post(
        move |headers: axum::http::HeaderMap, body: String| {
            let keep = keep.clone();
            async move {
                let mut g = keep.lock().unwrap();
                g.push((headers, body));
                if g.len() <= fail_first {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        },
    ))
    .await;
    (url, got)
}

#[tokio::test]
async fn webhooks_are_signed_retried_and_logged() {
    let app = spawn_app_with(config()).await;
    let c = customer(&app, 8, &[test_visa(8)]).await;
    let (url, got) = receiver(1).await;
    let bad = c
        .partner
        .call_raw_put(
            "/api/v1/partners/webhook",
            &json!({"url": "http://partner.example/hooks"}),
        )
        .await;
    assert_eq!(bad.0, 400, "{}", bad.1);
    let (code, reg) = c
        .partner
        .call_raw_put("/api/v1/partners/webhook", &json!({"url": url}))
        .await;
    assert_eq!(code, 200, "{reg}");
    let secret = reg["secret"].as_str().unwrap().to_string();
    common::sensitive(&secret);

    let s = session(&app, &sso(&c).await).await;
    let (_, sub) = s
        .submit(&c.cards[0], 20000, "payroll", "minutes", 8001)
        .await;
    let id = sub["transactionId"].as_str().unwrap().to_string();
    s.settle(&id, &["funded"]).await;
    // submitted, classified, approved, funded — the first attempt of the first failed.
    let types = common::eventually(
        "check.funded once and check.submitted twice",
        Duration::from_secs(5),
        async || {
            let g = got.lock().unwrap().clone();
            let types: Vec<String> = g
                .iter()
                .filter_map(|(_, b)| serde_json::from_str::<Value>(b).ok())
                .map(|v| v["type"].as_str().unwrap().to_string())
                .collect();
            if types.iter().filter(|t| *t == "check.funded").count() == 1
                && types.iter().filter(|t| *t == "check.submitted").count() == 2
            {
                Ok(types)
            } else {
                Err(format!("{types:?}"))
            }
        },
    )
    .await;
    for t in [
        "check.submitted",
        "check.classified",
        "check.approved",
        "check.funded",
    ] {
        assert!(types.contains(&t.to_string()), "{t} delivered: {types:?}");
    }
    let g = got.lock().unwrap().clone();
    for (headers, body) in &g {
        let ts: i64 = headers["fundline-timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let sig = headers["fundline-signature"].to_str().unwrap();
        assert_eq!(
            sig,
            fundline_api::checks::webhooks::signature(&secret, ts, body)
        );
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            headers["fundline-event-id"].to_str().unwrap(),
            v["id"].as_str().unwrap()
        );
        assert_eq!(v["data"]["check"]["transactionId"], id.as_str());
    }
    // The retry carried the same event id as the failed attempt.
    let first = g[0].0["fundline-event-id"].clone();
    assert_eq!(
        g.iter()
            .filter(|(h, _)| h["fundline-event-id"] == first)
            .count(),
        2
    );
    // The receiver has each event before the sender records its answer:
    // wait (bounded) for the log to say so.
    let log = common::eventually(
        "every event delivered",
        Duration::from_secs(5),
        async || {
            let (code, log) = c
                .partner
                .call_raw_get("/api/v1/partners/webhook/events")
                .await;
            assert_eq!(code, 200);
            if log["events"]
                .as_array()
                .is_some_and(|e| e.iter().all(|e| e["state"] == "delivered"))
            {
                Ok(log)
            } else {
                Err(log)
            }
        },
    )
    .await;
    let events = log["events"].as_array().unwrap();
    let submitted = events
        .iter()
        .find(|e| e["type"] == "check.submitted")
        .unwrap();
    assert_eq!(submitted["state"], "delivered");
    assert_eq!(submitted["attempts"], 2);
    assert!(events.iter().all(|e| e["state"] == "delivered"), "{log}");
}

/// SSRF: a webhook URL whose host is a literal address that is not globally
/// routable (or embeds one) is refused when set; and one that reached the
/// store anyway is never connected to: the delivery checks the address and
/// logs why it did not send.
#[tokio::test]
async fn a_webhook_to_a_non_global_address_is_refused_and_never_connects() {
    let app = spawn_app_with(ApiConfig {
        allow_loopback_webhooks: false,
        ..config()
    })
    .await;
    let c = customer(&app, 9, &[test_visa(9)]).await;
    // A listener on this machine that counts every connection made to it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((_sock, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    for url in [
        format!("https://127.0.0.1:{port}/hooks"),
        format!("http://127.0.0.1:{port}/hooks"),
        format!("https://[::ffff:127.0.0.1]:{port}/hooks"),
        format!("https://[::127.0.0.1]:{port}/hooks"),
        format!("https://0.0.0.0:{port}/hooks"),
        "https://[64:ff9b::a9fe:a9fe]/latest/meta-data".to_string(),
        "https://[2002:a9fe:a9fe::1]/".to_string(),
        "https://198.18.0.1/".to_string(),
        "https://240.0.0.1/".to_string(),
        "https://100.64.0.1/".to_string(),
        "https://[fd00::1]/".to_string(),
        "https://[2001:db8::1]/".to_string(),
    ] {
        let (code, body) = c
            .partner
            .call_raw_put("/api/v1/partners/webhook", &json!({"url": url}))
            .await;
        assert_eq!(code, 400, "{url}: {body}");
        assert_eq!(body["status"], 400);
    }
    let (_, shown) = c.partner.call_raw_get("/api/v1/partners/webhook").await;
    assert!(shown["url"].is_null(), "nothing registered: {shown}");

    // An IPv4-mapped loopback URL written straight into the store.
    let keys = app
        .keyring
        .tenant(&app.store, &app.tenant.tenant_id)
        .await
        .unwrap();
    let now = chrono::Utc::now().timestamp_micros();
    fundline_store::checks::set_webhook(
        &app.store,
        fundline_store::checks::Webhook {
            tenant_id: app.tenant.tenant_id.clone(),
            url: format!("https://[::ffff:127.0.0.1]:{port}/hooks"),
            secret_sealed: keys.seal_str("cc_webhooks", "secret", "whsec_never_sent"),
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .unwrap();
    let s = session(&app, &sso(&c).await).await;
    let (code, sub) = s
        .submit(&c.cards[0], 20000, "payroll", "minutes", 9001)
        .await;
    assert_eq!(code, 202, "{sub}");
    let log = common::eventually("a delivery attempt", Duration::from_secs(5), async || {
        let log = c
            .partner
            .call_raw_get("/api/v1/partners/webhook/events")
            .await
            .1;
        if log["events"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["attempts"].as_i64() >= Some(1)))
        {
            Ok(log)
        } else {
            Err(log)
        }
    })
    .await;
    let tried: Vec<&Value> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["attempts"].as_i64() >= Some(1))
        .collect();
    assert!(!tried.is_empty(), "a delivery was attempted: {log}");
    for e in tried {
        assert_eq!(
            e["lastError"], "the webhook host resolves to a private address",
            "{e}"
        );
        assert!(e["lastStatus"].is_null(), "{e}");
        assert_eq!(e["state"], "pending");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        accepted.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no connection was made"
    );
}

/// Housekeeping drops an SSO token a day after it expired, unless a check
/// session still reads it, and a check session a day after it expired
/// (with its SSO token); not before.
#[tokio::test]
async fn housekeeping_drops_check_sessions_and_sso_tokens_a_day_after_they_expired() {
    use fundline_api::housekeeping::run_once;
    let app = spawn_app_with(config()).await;
    let c = customer(&app, 1, &[test_visa(1)]).await;
    let _session = session(&app, &sso(&c).await).await;
    let _unused = sso(&c).await;
    assert_eq!(app.rows("cc_check_sessions").await, 1);
    assert_eq!(app.rows("cc_sso_tokens").await, 2);
    assert_eq!(run_once(&app.state).await.check_sessions, 0);

    // The SSO tokens (5 minutes) ended a day ago; the session (30 minutes)
    // did not, and still reads its own.
    app.clock.advance(Duration::from_secs(24 * 3600 + 10 * 60));
    assert_eq!(run_once(&app.state).await.check_sessions, 1);
    assert_eq!(app.rows("cc_sso_tokens").await, 1);
    assert_eq!(app.rows("cc_check_sessions").await, 1);

    app.clock.advance(Duration::from_secs(30 * 60));
    assert_eq!(run_once(&app.state).await.check_sessions, 2);
    assert_eq!(app.rows("cc_sso_tokens").await, 0);
    assert_eq!(app.rows("cc_check_sessions").await, 0);
    // The customer and the card are records: they stay.
    assert_eq!(app.rows("cc_cards").await, 1);
}
