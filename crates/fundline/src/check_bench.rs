//! `fundline checks bench`: check deposits per second through the whole
//! path — submission, classification, risk decision, approval and funding —
//! against this binary as a server on a fresh store, for each engine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use hdrhistogram::Histogram;
use serde_json::{json, Value};

use crate::bench::{start_server, Server};
use crate::client::{check_png, Deposit, PartnerClient};

#[derive(clap::Args, Debug)]
pub struct CheckBenchArgs {
    /// sqlite, postgres or both.
    #[arg(long, default_value = "sqlite")]
    pub engine: String,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pub postgres_url: String,
    /// Checks submitted in all.
    #[arg(long, default_value_t = 2000)]
    pub checks: usize,
    /// Customers submitting at once (each with its own card and session).
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
}

fn png(salt: u64) -> Vec<u8> {
    check_png(1600, 700, salt)
}

/// Raises the sandbox tenant's check limits (through `admin tenant checks`,
/// as an operator would) so that a bench measures the API, not velocity.
pub(crate) fn raise_check_limits(server: &Server) -> anyhow::Result<()> {
    let creds: Value = serde_json::from_str(&std::fs::read_to_string(
        server.data_dir.join("sandbox-credentials.json"),
    )?)?;
    let tenant = creds["tenant_id"].as_str().unwrap_or_default().to_string();
    let mut admin = std::process::Command::new(std::env::current_exe()?);
    admin
        .args(["admin", "tenant", "checks", "--tenant", &tenant, "--set"])
        .arg(json!({"limits": {"daily_count": 1_000_000, "daily_cents": 1_000_000_000_000i64, "count_30d": 1_000_000, "cents_30d": 1_000_000_000_000i64}}).to_string())
        .env("FUNDLINE_DATA_DIR", &server.data_dir)
        .env_remove("FUNDLINE_MASTER_KEY")
        .stdout(std::process::Stdio::null());
    match &server.database_url {
        Some(u) => admin.env("DATABASE_URL", u),
        None => admin.env_remove("DATABASE_URL"),
    };
    if !admin
        .status()
        .context("running admin tenant checks")?
        .success()
    {
        bail!("could not raise the bench tenant's limits");
    }
    Ok(())
}

/// A customer's check-deposit bearer token, as the customer's app gets it:
/// AuthenticateOBO's one-time ssoToken exchanged at /api/v1/checks/sessions.
pub(crate) async fn check_session(
    partner: &PartnerClient,
    http: &reqwest::Client,
    base: &str,
    customer_id: &str,
) -> anyhow::Result<String> {
    let sso = partner
        .call("authenticate-obo", &json!({"customerId": customer_id}))
        .await?
        .body["ssoToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let s: Value = http
        .post(format!("{base}/api/v1/checks/sessions"))
        .json(&json!({"ssoToken": sso}))
        .send()
        .await?
        .json()
        .await?;
    s["accessToken"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no check session: {s}"))
}

pub async fn run(args: CheckBenchArgs) -> anyhow::Result<()> {
    let engines = crate::bench::engines(&args.engine)?;
    println!(
        "fundline checks bench: {} checks, {} concurrent customers, money in minutes (submit → funded)",
        args.checks, args.connections
    );
    println!("| engine | checks | funded | declined | seconds | checks/s | submit p50 ms | submit p99 ms | to funded p50 ms | to funded p99 ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for engine in engines {
        let url = crate::bench::fresh_database(engine, &args.postgres_url).await?;
        let server = start_server(url.clone(), "warn").await?;
        // Limits high enough that the bench measures processing, not velocity.
        raise_check_limits(&server)?;
        let sessions = customers(&server, args.connections).await?;
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::new();
        let http = reqwest::Client::new();
        for (worker, (token, card_id)) in sessions.into_iter().enumerate() {
            let customer = Customer {
                http: http.clone(),
                base: server.base.clone(),
                token,
                card_id,
                worker,
            };
            let (next, total) = (next.clone(), args.checks);
            tasks.push(tokio::spawn(async move {
                customer.deposit_until(&next, total).await
            }));
        }
        let mut all = Measured::new();
        for t in tasks {
            all.add(t.await?);
        }
        let secs = started.elapsed().as_secs_f64();
        let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        println!(
            "| {engine} | {} | {} | {} | {secs:.1} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} |",
            args.checks,
            all.funded,
            all.declined,
            all.funded as f64 / secs,
            ms(&all.submit, 0.5),
            ms(&all.submit, 0.99),
            ms(&all.to_funded, 0.5),
            ms(&all.to_funded, 0.99)
        );
    }
    Ok(())
}

/// `n` enrolled customers of the sandbox tenant, each with a card and a
/// check session: (session token, card id).
async fn customers(server: &Server, n: usize) -> anyhow::Result<Vec<(String, String)>> {
    let (_, partner) = crate::bench::sandbox_partner(server, "bench-checks").await?;
    let http = reqwest::Client::new();
    let mut sessions = Vec::new();
    for n in 0..n as u64 {
        let (id, _, card_id) = crate::bench::enroll_with_card(&partner, n).await?;
        let token = check_session(&partner, &http, &server.base, &id).await?;
        sessions.push((token, card_id));
    }
    Ok(sessions)
}

/// Latencies and outcomes, of one customer or of all.
struct Measured {
    submit: Histogram<u64>,
    to_funded: Histogram<u64>,
    funded: usize,
    declined: usize,
}

impl Measured {
    fn new() -> Measured {
        Measured {
            submit: Histogram::<u64>::new(3).expect("histogram"),
            to_funded: Histogram::<u64>::new(3).expect("histogram"),
            funded: 0,
            declined: 0,
        }
    }

    fn add(&mut self, other: Measured) {
        self.submit.add(other.submit).ok();
        self.to_funded.add(other.to_funded).ok();
        self.funded += other.funded;
        self.declined += other.declined;
    }
}

/// One bench customer depositing checks.
struct Customer {
    http: reqwest::Client,
    base: String,
    token: String,
    card_id: String,
    worker: usize,
}

impl Customer {
    /// Deposits the next check of the run until `total` were taken, each
    /// followed until it is funded or declined.
    async fn deposit_until(&self, next: &std::sync::atomic::AtomicUsize, total: usize) -> Measured {
        let mut m = Measured::new();
        loop {
            let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n >= total {
                break;
            }
            let t0 = Instant::now();
            let Some(id) = self.submit(n).await else {
                continue;
            };
            let _ = m.submit.record(t0.elapsed().as_micros() as u64);
            if self.funded(&id).await {
                m.funded += 1;
            } else {
                m.declined += 1;
            }
            let _ = m.to_funded.record(t0.elapsed().as_micros() as u64);
        }
        m
    }

    /// Submits check `n`; its transaction id.
    async fn submit(&self, n: usize) -> Option<String> {
        let micr = format!("T021000021T {:09}O {}", 100_000_000 + self.worker, n + 1);
        let form = Deposit::payroll(
            png(2 * n as u64),
            png(2 * n as u64 + 1),
            &self.card_id,
            &micr,
        )
        .form();
        let r = self
            .http
            .post(format!("{}/api/v1/checks", self.base))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .ok()?;
        let b = r.json::<Value>().await.ok()?;
        b["transactionId"].as_str().map(str::to_string)
    }

    /// Polls the check until it is funded (true) or declined (false).
    async fn funded(&self, id: &str) -> bool {
        loop {
            let s: Value = match self
                .http
                .get(format!("{}/api/v1/checks/{id}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
            {
                Ok(r) => r.json().await.unwrap_or(Value::Null),
                Err(_) => Value::Null,
            };
            match s["status"].as_str() {
                Some("funded") => return true,
                Some("declined") => return false,
                _ => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    }
}
