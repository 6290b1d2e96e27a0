//! `fundline crash`: durability under SIGKILL. Writers keep creating token
//! service tokens, capture sessions, gateway verifies and payments; the
//! server is killed with SIGKILL at random moments and restarted; writers
//! retry their in-flight write with the same keys (as a real client would);
//! at the end every acknowledged write must be there exactly once and the
//! ledger must balance.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use rand::Rng;
use serde_json::{json, Value};

use crate::client::{session_request, ConnectClient, GatewayClient, Signing};

#[derive(clap::Args, Debug)]
pub struct CrashArgs {
    /// How many times the server is killed.
    #[arg(long, default_value_t = 20)]
    pub kills: usize,
    /// sqlite or postgres.
    #[arg(long, default_value = "sqlite")]
    pub engine: String,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pub postgres_url: String,
    /// Concurrent writers.
    #[arg(long, default_value_t = 8)]
    pub writers: usize,
}

#[derive(Default)]
struct Acked {
    tokens: Vec<String>,
    sessions: Vec<(String, String)>,
    verifies: Vec<String>,
    payments: Vec<String>,
}

struct Server {
    child: std::process::Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(dir: &std::path::Path, db: &Option<String>, port: u16) -> anyhow::Result<Server> {
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.arg("serve")
        .env("FUNDLINE_DATA_DIR", dir)
        .env("FUNDLINE_LISTEN", format!("127.0.0.1:{port}"))
        .env("FUNDLINE_LOG", "warn")
        .env_remove("FUNDLINE_MASTER_KEY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    match db {
        Some(u) => cmd.env("DATABASE_URL", u),
        None => cmd.env_remove("DATABASE_URL"),
    };
    let server = Server {
        child: cmd.spawn().context("starting the server")?,
    };
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
        {
            if r.status().is_success() {
                return Ok(server);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the server did not become ready")
}

/// A Luhn-valid card number for write `n` (a range no test or bench uses).
fn card_number(n: u64) -> String {
    let body = format!("4556{:011}", n % 100_000_000_000);
    let check = fundline_core::card::luhn_check_digit(&body).unwrap_or(0);
    format!("{body}{check}")
}

/// One write of each kind for `n`; retried with the same keys until it is
/// acknowledged (the server may be down for a while).
async fn write_all(base: &str, creds: &Value, n: u64, acked: &Mutex<Acked>) {
    let cn = &creds["connect"];
    let connect = ConnectClient::new(
        base,
        cn["api_key_id"].as_str().unwrap_or(""),
        cn["secret_api_key"].as_str().unwrap_or(""),
    );
    let m = cn["merchant_id"].as_str().unwrap_or("");
    let ip = &creds["ingopay"];
    let gateway = GatewayClient::new(
        base,
        ip["username"].as_str().unwrap_or(""),
        ip["secret"].as_str().unwrap_or(""),
    );
    let participant = ip["participant_id"].as_i64().unwrap_or(0);
    let number = card_number(n);
    let token_body = json!({"paymentProductId": 1, "card": {"customer": {"billingAddress": {"countryCode": "US"}},
        "data": {"cardWithoutCvv": {"cardNumber": number, "cardholderName": "Crash Test", "expiryDate": "1230"}}}});
    let token = until_acknowledged(|| async {
        let a = connect
            .request("POST", &format!("/v1/{m}/tokens"), Some(&token_body))
            .await
            .ok()?;
        (a.status == 200 || a.status == 201).then(|| text(&a.body["token"]))
    })
    .await;
    acked.lock().map(|mut a| a.tokens.push(token)).ok();
    let key = format!("crash-{n}");
    let session = until_acknowledged(|| async {
        let a = gateway
            .post(
                "/api/v1/sessions/point-in-time/plugin",
                &session_request(&key),
                &[("Idempotency-Key", key.as_str())],
            )
            .await
            .ok()?;
        (a.body["status"] == 100 || a.body["status"] == 101)
            .then(|| text(&a.body["data"]["session_identifier"]))
    })
    .await;
    acked
        .lock()
        .map(|mut a| a.sessions.push((key.clone(), session)))
        .ok();
    let verify = json!({"participant_id": participant, "account_type": "CA", "recipient_first_name": "Crash",
        "recipient_last_name": "Test", "account": number, "expiration_date": "3012",
        "recipient_address1": "123 Main St", "recipient_city": "Atlanta", "recipient_state": "GA",
        "recipient_zip": "30313", "participant_unique_id1": format!("crash-v-{n}"), "version": 11});
    let account = until_acknowledged(|| async {
        let mut body = verify.clone();
        body["timestamp"] = json!(chrono::Utc::now().timestamp());
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let a = gateway
            .send(&gateway.sign("/gateway/verify", &bytes, &Signing::now()))
            .await
            .ok()?;
        (a.body["status"] == 100).then(|| text(&a.body["data"]["customer_account_token"]))
    })
    .await;
    acked
        .lock()
        .map(|mut a| a.verifies.push(account.clone()))
        .ok();
    let uid = format!("crash-pay-{n}");
    until_acknowledged(|| async {
        let body = json!({"participant_id": participant, "customer_account_token": account, "amount": "1.00",
            "participant_unique_id1": uid, "timestamp": chrono::Utc::now().timestamp(), "version": 11});
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let mut signing = Signing::now();
        signing
            .extra_headers
            .push(("Idempotency-Key".into(), uid.clone()));
        let a = gateway
            .send(&gateway.sign("/gateway/process", &bytes, &signing))
            .await
            .ok()?;
        // A retry of a payment that did land answers 101 with it: the
        // first attempt was acknowledged in the store.
        (a.body["status"] == 100 || a.body["status"] == 101).then_some(())
    })
    .await;
    acked.lock().map(|mut a| a.payments.push(uid)).ok();
}

pub async fn run(args: CrashArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = crate::bench::fresh_database(&args.engine, &args.postgres_url).await?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(dir.path(), &db, port).await?;
    let creds: Value = serde_json::from_str(&std::fs::read_to_string(
        dir.path().join("sandbox-credentials.json"),
    )?)?;
    let acked = Arc::new(Mutex::new(Acked::default()));
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for _ in 0..args.writers {
        let (base, creds, acked, next, stop) = (
            base.clone(),
            creds.clone(),
            acked.clone(),
            next.clone(),
            stop.clone(),
        );
        writers.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                write_all(&base, &creds, n, &acked).await;
            }
        }));
    }
    println!(
        "fundline crash: {} kills, {} writers, {}",
        args.kills, args.writers, args.engine
    );
    for k in 1..=args.kills {
        let wait = rand::thread_rng().gen_range(300..1500);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        server.child.kill().context("SIGKILL")?;
        server.child.wait()?;
        drop(server);
        server = start(dir.path(), &db, port).await?;
        let a = acked.lock().map_err(|_| anyhow!("lock"))?;
        println!("kill {k:>2} after {wait:>4} ms: acknowledged so far {} tokens, {} sessions, {} verifies, {} payments", a.tokens.len(), a.sessions.len(), a.verifies.len(), a.payments.len());
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in writers {
        let _ = tokio::time::timeout(Duration::from_secs(60), w).await;
    }
    drop(server);

    // Every acknowledged write, exactly once.
    let url = db.clone().unwrap_or_else(|| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("fundline.db").display()
        )
    });
    let store = fundline_store::Store::connect(&fundline_store::StoreOptions::new(url))
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let a = std::mem::take(&mut *acked.lock().map_err(|_| anyhow!("lock"))?);
    let (missing, doubled) = missing_and_doubled(&store, &a).await;
    let unbalanced: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING SUM(amount_cents) <> 0) u",
    )
    .fetch_one(store.reader())
    .await
    .unwrap_or(-1);
    let payments_total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM gw_payments")
        .fetch_one(store.reader())
        .await
        .unwrap_or(-1);
    println!(
        "\nacknowledged: {} tokens, {} sessions, {} verifies, {} payments ({} payments stored)",
        a.tokens.len(),
        a.sessions.len(),
        a.verifies.len(),
        a.payments.len(),
        payments_total
    );
    println!("missing: {missing}, written twice: {doubled}, unbalanced ledger transactions: {unbalanced}");
    store.close().await;
    if missing != 0 || doubled != 0 || unbalanced != 0 {
        bail!("durability violated");
    }
    println!("OK: every acknowledged write is there exactly once and the ledger balances");
    Ok(())
}

/// How many acknowledged writes the store lacks, and how many it holds
/// more than once.
async fn missing_and_doubled(store: &fundline_store::Store, a: &Acked) -> (u64, u64) {
    let count = |sql: &'static str, v: String| {
        let store = store.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(v)
                .fetch_one(store.reader())
                .await
                .unwrap_or(-1)
        }
    };
    let (mut missing, mut doubled) = (0, 0);
    // A count that cannot be read (-1) proves nothing: it fails the check.
    let mut tally = |n: i64| {
        if n <= 0 {
            missing += 1;
        } else if n > 1 {
            doubled += 1;
        }
    };
    for t in &a.tokens {
        tally(count("SELECT COUNT(*) FROM ct_tokens WHERE id = $1", t.clone()).await);
    }
    for (key, s) in &a.sessions {
        tally(count("SELECT COUNT(*) FROM gw_sessions WHERE id = $1", s.clone()).await);
        // One idempotency key, one session, however often it was retried.
        tally(
            count(
                "SELECT COUNT(*) FROM gw_sessions WHERE participant_unique_id1 = $1",
                key.clone(),
            )
            .await,
        );
    }
    for p in &a.payments {
        tally(
            count(
                "SELECT COUNT(*) FROM gw_payments WHERE participant_unique_id1 = $1",
                p.clone(),
            )
            .await,
        );
    }
    (missing, doubled)
}

/// Runs `attempt` until it returns a value, 100 ms apart: the load keeps
/// trying through the server's death and restart, and a value means the
/// server acknowledged the write.
async fn until_acknowledged<T, F, Fut>(mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    loop {
        if let Some(v) = attempt().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}
