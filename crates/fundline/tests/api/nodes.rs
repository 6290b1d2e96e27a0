//! Two server processes on one PostgreSQL, clients alternating between them:
//! idempotency keys, token de-duplication, one-time SSO tokens, the ledger,
//! and background jobs taken by exactly one node. Runs when
//! FUNDLINE_TEST_DATABASE_URL points at PostgreSQL (the second half of
//! `.ci/run`); SQLite is one process by design.

use crate::common;
use common::steps::text_at;
use common::steps::Partner;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use fundline::client::{
    card, check_png, session_request, test_visa, ConnectClient, Deposit, GatewayClient,
    PartnerClient,
};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_fundline");

struct Node {
    child: Child,
    base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn node(dir: &Path, db: &str, name: &str) -> Node {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(BIN)
        .arg("serve")
        .env("FUNDLINE_DATA_DIR", dir)
        .env("DATABASE_URL", db)
        .env("FUNDLINE_LISTEN", format!("127.0.0.1:{port}"))
        .env("FUNDLINE_LOG", "warn")
        .env_remove("FUNDLINE_MASTER_KEY")
        .current_dir(dir)
        .stdout(std::fs::File::create(dir.join(format!("{name}.out"))).unwrap())
        .stderr(std::fs::File::create(dir.join(format!("{name}.err"))).unwrap())
        .spawn()
        .unwrap();
    // Owned at once, so a node that fails to start is still killed and reaped.
    let node = Node {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    if common::binary::wait_ready(&node.base, Duration::from_secs(10), || false).await {
        return node;
    }
    panic!(
        "node {name} did not start: {}",
        std::fs::read_to_string(dir.join(format!("{name}.err"))).unwrap_or_default()
    );
}

fn png(salt: u64) -> Vec<u8> {
    check_png(1600, 700, salt)
}

/// Two nodes `a` and `b` over one fresh store, and the sandbox credentials;
/// None (the test skips) without PostgreSQL, which two nodes need.
struct TwoNodes {
    // Held, not read: the store's directory and the two servers live as
    // long as the test's TwoNodes.
    _dir: tempfile::TempDir,
    db: String,
    _a: Node,
    _b: Node,
    nodes: [String; 2],
    creds: Value,
}

async fn two_nodes() -> Option<TwoNodes> {
    if !std::env::var("FUNDLINE_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        eprintln!("skipping: two nodes need PostgreSQL (FUNDLINE_TEST_DATABASE_URL)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = common::fresh_database_url(dir.path()).await;
    let a = node(dir.path(), &db, "a").await;
    let b = node(dir.path(), &db, "b").await;
    let nodes = [a.base.clone(), b.base.clone()];
    let creds = common::binary::sandbox_credentials(dir.path());
    Some(TwoNodes {
        _dir: dir,
        db,
        _a: a,
        _b: b,
        nodes,
        creds,
    })
}

#[tokio::test]
async fn two_nodes_on_one_postgres_keep_every_guarantee() {
    let Some(two) = two_nodes().await else {
        return;
    };
    let (db, nodes, creds) = (&two.db, &two.nodes, &two.creds);

    // Capture sessions: one idempotency key, twelve identical requests across both nodes.
    let ip = &creds["ingopay"];
    let (user, secret) = (text_at(&ip["username"]), text_at(&ip["secret"]));
    let clients = nodes
        .clone()
        .map(|n| GatewayClient::new(&n, &user, &secret));
    let req = session_request("two-nodes");
    let answers = futures::future::join_all((0..12).map(|i| {
        clients[i % 2].post(
            "/api/v1/sessions/point-in-time/plugin",
            &req,
            &[("Idempotency-Key", "nodes-key")],
        )
    }))
    .await;
    let sessions: HashSet<String> = answers
        .iter()
        .map(|a| {
            a.as_ref().unwrap().body["data"]["session_identifier"]
                .as_str()
                .unwrap_or("none")
                .to_string()
        })
        .collect();
    let created = answers
        .iter()
        .filter(|a| a.as_ref().unwrap().body["status"] == 100)
        .count();
    assert_eq!((sessions.len(), created), (1, 1), "{sessions:?}");

    // Token service: ten identical card tokens across both nodes make one.
    let cn = &creds["connect"];
    let m = cn["merchant_id"].as_str().unwrap();
    let (key, secret) = (text_at(&cn["api_key_id"]), text_at(&cn["secret_api_key"]));
    let connect = nodes.clone().map(|n| ConnectClient::new(&n, &key, &secret));
    let body = json!({"paymentProductId": 1, "card": {"customer": {"billingAddress": {"countryCode": "US"}},
        "data": {"cardWithoutCvv": {"cardNumber": "5399999999999999", "cardholderName": "Wile E. Coyote", "expiryDate": "1230"}}}});
    let path = format!("/v1/{m}/tokens");
    let answers = futures::future::join_all(
        (0..10).map(|i| connect[i % 2].request("POST", &path, Some(&body))),
    )
    .await;
    let tokens: HashSet<String> = answers
        .iter()
        .map(|a| {
            a.as_ref().unwrap().body["token"]
                .as_str()
                .unwrap_or("none")
                .to_string()
        })
        .collect();
    let new = answers
        .iter()
        .filter(|a| a.as_ref().unwrap().status == 201)
        .count();
    assert_eq!((tokens.len(), new), (1, 1), "{tokens:?}");

    // Check cashing: a partner session opened on one node serves the other.
    let cc = &creds["check_cashing"];
    let mut partner = PartnerClient::new(&nodes[0], "nodes-device");
    assert_eq!(
        partner
            .authenticate(
                cc["client_id"].as_str().unwrap(),
                cc["client_secret"].as_str().unwrap()
            )
            .await
            .unwrap()
            .status,
        200
    );
    // Every check event goes to one webhook receiver, counted per event id.
    let (hook_url, deliveries) = receiver().await;
    let (code, reg) = partner
        .call_raw_put("/api/v1/partners/webhook", &json!({"url": hook_url}))
        .await;
    assert_eq!(code, 200, "{reg}");
    let mut on_b = partner.clone_for(&nodes[1]);
    let mut sessions = Vec::new();
    for n in 0..4u64 {
        let p = if n % 2 == 0 { &mut partner } else { &mut on_b };
        let id = p.enroll(n).await;
        let added = p.ask("add-or-update-card", &card(&id, &test_visa(n))).await;
        let card_id = added.body["cards"][0]["cardId"]
            .as_str()
            .unwrap()
            .to_string();
        let sso = p.sso_token(&id).await;
        // One SSO token spent on both nodes at once: exactly one session.
        let spent = futures::future::join_all(nodes.iter().map(|base| {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/checks/sessions"))
                .json(&json!({"ssoToken": sso}))
                .send()
        }))
        .await;
        let mut ok = spent
            .into_iter()
            .map(|r| r.unwrap())
            .filter(|r| r.status() == 200)
            .collect::<Vec<_>>();
        assert_eq!(ok.len(), 1, "an SSO token is spent once");
        let token = ok.pop().unwrap().json::<Value>().await.unwrap()["accessToken"]
            .as_str()
            .unwrap()
            .to_string();
        sessions.push((token, card_id));
    }

    // Checks submitted to both nodes are each processed by one node only.
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for (i, (token, card_id)) in sessions.iter().enumerate() {
        for k in 0..3u64 {
            let n = i as u64 * 10 + k;
            let micr = format!("T021000021T 55500{i}O {}", 100 + n);
            let form = Deposit::payroll(png(2 * n), png(2 * n + 1), card_id, &micr).form();
            let r = http
                .post(format!("{}/api/v1/checks", nodes[(n % 2) as usize]))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 202);
            let b: Value = r.json().await.unwrap();
            ids.push((
                token.clone(),
                b["transactionId"].as_str().unwrap().to_string(),
            ));
        }
    }
    for (token, id) in &ids {
        let status = common::eventually(
            &format!("check {id} to settle"),
            Duration::from_secs(10),
            async || {
                let b = common::json_of(
                    http.get(format!("{}/api/v1/checks/{id}", nodes[1]))
                        .bearer_auth(token),
                )
                .await;
                let status = b["status"].clone();
                if status == "funded" || status == "declined" {
                    Ok(status)
                } else {
                    Err(b)
                }
            },
        )
        .await;
        assert_eq!(status, "funded", "{id}");
    }
    let store = fundline_store::Store::connect(&fundline_store::StoreOptions::new(db.clone()))
        .await
        .unwrap();
    for (_, id) in &ids {
        let (n, sum): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger_entries WHERE transaction_id = $1",
        )
        .bind(id)
        .fetch_one(store.reader())
        .await
        .unwrap();
        assert_eq!((n, sum), (3, 0), "one load per check, balanced: {id}");
    }
    let unbalanced: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING SUM(amount_cents) <> 0) u",
    )
    .fetch_one(store.reader())
    .await
    .unwrap();
    assert_eq!(unbalanced, 0);

    // Webhooks: both nodes deliver, yet every event arrives exactly once.
    let events: Vec<String> =
        sqlx::query_scalar("SELECT id FROM cc_webhook_events ORDER BY created_at")
            .fetch_all(store.reader())
            .await
            .unwrap();
    assert!(events.len() >= ids.len() * 2, "{} events", events.len());
    common::eventually(
        "every event delivered",
        Duration::from_secs(20),
        async || {
            let received = deliveries.lock().unwrap().clone();
            events
                .iter()
                .all(|e| received.contains_key(e))
                .then_some(())
        },
    )
    .await;
    // Time for a second delivery of any event to show up.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let received = deliveries.lock().unwrap().clone();
    for e in &events {
        assert_eq!(received.get(e), Some(&1), "event {e} delivered once");
    }
    assert_eq!(received.len(), events.len(), "no unknown event ids");
    let undelivered: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cc_webhook_events WHERE state <> 'delivered' OR attempts <> 1",
    )
    .fetch_one(store.reader())
    .await
    .unwrap();
    assert_eq!(undelivered, 0, "each event delivered at its first attempt");
    let by_node: (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM cc_webhook_attempts")
            .fetch_one(store.reader())
            .await
            .unwrap();
    assert_eq!(by_node, (events.len() as i64, events.len() as i64));
    store.close().await;
}

/// A webhook receiver on loopback answering 200, counting deliveries per
/// event id.
async fn receiver() -> (
    String,
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
) {
    let got: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>> =
        Default::default();
    let keep = got.clone();
    let url = common::serve_hooks(axum::routing::post(
        move |headers: axum::http::HeaderMap| {
            let keep = keep.clone();
            async move {
                let id = headers
                    .get("fundline-event-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                *keep.lock().unwrap().entry(id).or_insert(0) += 1;
                axum::http::StatusCode::OK
            }
        },
    ))
    .await;
    (url, got)
}

#[tokio::test]
async fn two_nodes_share_one_login_lockout() {
    let Some(two) = two_nodes().await else {
        return;
    };
    let (nodes, creds) = (&two.nodes, &two.creds);
    let email = creds["analysis"]["email"].as_str().unwrap().to_string();
    let password = creds["analysis"]["password"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();
    let login = |n: usize, pw: String| {
        let (http, url, email) = (
            http.clone(),
            format!("{}/api/v1/auth/login", nodes[n % 2]),
            email.clone(),
        );
        async move {
            http.post(url)
                .json(&json!({"email": email, "password": pw}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // 40 wrong guesses and the right password, alternating between nodes.
    let answers = futures::future::join_all((0..41).map(|n| {
        login(
            n,
            if n == 20 {
                password.clone()
            } else {
                format!("wrong-guess-number-{n:02}")
            },
        )
    }))
    .await;
    let evaluated = answers
        .iter()
        .enumerate()
        .filter(|(i, s)| *i != 20 && **s == 401)
        .count();
    eprintln!(
        "two nodes, 40 parallel wrong guesses: {evaluated} evaluated; right password: {}",
        answers[20]
    );
    assert!(
        answers.iter().all(|s| [200, 401, 429].contains(s)),
        "{answers:?}"
    );
    if answers[20] == 200 {
        assert!(evaluated <= 10, "{evaluated}");
    } else {
        assert!(evaluated <= 5, "{evaluated}");
    }
    // On a loaded machine some guesses are turned away by the hashing cap
    // (429 before any evaluation), so the burst may not have used up the
    // five attempts: finish them one at a time, alternating nodes. However
    // they arrive, no more than five are evaluated before the lock.
    let mut more = 0;
    for n in 0..6 {
        match login(n, format!("sequential-wrong-guess-{n}")).await {
            401 => more += 1,
            429 => break,
            other => panic!("a wrong guess answered {other}"),
        }
    }
    assert!(more <= 5, "{more} more guesses evaluated");
    // Locked on both nodes.
    assert_eq!(login(0, password.clone()).await, 429);
    assert_eq!(login(1, password.clone()).await, 429);
}

/// Two nodes on one PostgreSQL, both sending the outbox through one relay
/// and polling it often: every email goes out exactly once.
#[tokio::test]
async fn two_nodes_send_every_email_exactly_once() {
    if !std::env::var("FUNDLINE_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        eprintln!("skipping: two nodes need PostgreSQL (FUNDLINE_TEST_DATABASE_URL)");
        return;
    }
    let (port, got) = common::smtp::relay(None).await;
    let config = || fundline_api::ApiConfig {
        smtp: Some(fundline_api::config::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            from: "Lender <no-reply@lender.example>".into(),
        }),
        outbox_poll: Duration::from_millis(20),
        ..fundline_api::ApiConfig::default()
    };
    let app = common::spawn_app_with(config()).await;
    // The second node: its own connections to the same database, its own
    // workers, started as `fundline serve` starts one.
    let node_b = app.second_node(config()).await;
    let staff = common::staff::Staff::admin(&app).await;
    const MAILS: u32 = 12;
    for i in 0..MAILS {
        staff.customer_with_request(i).await;
    }
    let states = common::eventually("every mail sent", Duration::from_secs(10), async || {
        let states: Vec<String> = app
            .outbox()
            .await
            .iter()
            .map(|m| m["state"].as_str().unwrap_or("").to_string())
            .collect();
        if states.len() == MAILS as usize && states.iter().all(|s| s == "sent") {
            Ok(states)
        } else {
            Err(format!("{states:?}"))
        }
    })
    .await;
    assert_eq!(states, vec!["sent".to_string(); MAILS as usize]);
    // Time for a second sending of any message to show up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails = got.lock().unwrap().clone();
    assert_eq!(mails.len(), MAILS as usize, "each email sent once");
    let to: HashSet<String> = mails
        .iter()
        .filter_map(|m| {
            m.lines()
                .find(|l| l.starts_with("To: "))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(to.len(), MAILS as usize, "{to:?}");
    let attempts: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(attempts), 0) AS BIGINT) FROM ba_outbox")
            .fetch_one(app.store.reader())
            .await
            .unwrap();
    assert_eq!(attempts, i64::from(MAILS));
    node_b.stop().await;
}
