//! `fundline bench`: starts a server (this same binary) on a fresh store,
//! drives the partner API over loopback with concurrent keep-alive clients,
//! and prints throughput and latency per method, on SQLite and PostgreSQL.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use hdrhistogram::Histogram;
use serde_json::{json, Value};

use crate::client::{
    card, check_png, enrollment, test_visa, ConnectClient, GatewayClient, PartnerClient, Signing,
};

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// sqlite, postgres or both.
    #[arg(long, default_value = "sqlite")]
    pub engine: String,
    /// Server for the postgres runs; each run uses a fresh schema.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pub postgres_url: String,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Comma-separated scenarios, or "all".
    #[arg(long, default_value = "all")]
    pub scenarios: String,
    /// Customers enrolled (each with one card) before measuring.
    #[arg(long, default_value_t = 500)]
    pub customers: u64,
    /// Server log level during the run (its log line per request costs throughput).
    #[arg(long, default_value = "warn")]
    pub server_log: String,
}

/// `http-ceiling` is GET /healthz on the same server stack: the most this
/// machine, load generator included, can do; the other figures are also
/// printed as a fraction of it.
const SCENARIOS: &[&str] = &[
    "http-ceiling",
    "get-registered-cards",
    "find-customer",
    "add-or-update-card",
    "enroll-customer",
    "authenticate-obo",
    "gateway-verify",
    "gateway-process",
    "connect-token",
    "check-deposit",
    "mix",
];

/// The realistic mix, per 20 requests: mostly reads, some card and customer
/// writes, gateway verifies and payments, a token, a check deposit and a
/// health probe.
const MIX: [&str; 20] = [
    "get-registered-cards",
    "get-registered-cards",
    "get-registered-cards",
    "get-registered-cards",
    "get-registered-cards",
    "get-registered-cards",
    "find-customer",
    "find-customer",
    "find-customer",
    "add-or-update-card",
    "add-or-update-card",
    "enroll-customer",
    "authenticate-obo",
    "gateway-verify",
    "gateway-verify",
    "gateway-process",
    "gateway-process",
    "connect-token",
    "check-deposit",
    "http-ceiling",
];

pub(crate) struct Server {
    child: std::process::Child,
    pub(crate) base: String,
    _dir: tempfile::TempDir,
    pub(crate) data_dir: PathBuf,
    /// None: the SQLite store in `data_dir`.
    pub(crate) database_url: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub(crate) fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }

    /// CPU time the server process has used (user + system), in clock
    /// ticks of 10 ms (Linux reports /proc times in USER_HZ, which is 100).
    fn cpu_ticks(&self) -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let field = |n: usize| fields.get(n)?.parse::<u64>().ok();
        Some(field(11)? + field(12)?)
    }

    /// Waits until the server is idle: work a scenario leaves queued (the
    /// check pipeline's steps after a burst of deposits) would otherwise be
    /// measured as part of the next scenario. Idle is under 5 % of one CPU
    /// over half a second; at most two minutes.
    async fn settle(&self) -> Duration {
        let start = Instant::now();
        let window = Duration::from_millis(500);
        while start.elapsed() < Duration::from_secs(120) {
            let Some(before) = self.cpu_ticks() else {
                break;
            };
            tokio::time::sleep(window).await;
            let Some(after) = self.cpu_ticks() else {
                break;
            };
            // A tick is 10 ms: 5 % of 500 ms is 2.5 ticks.
            if after.saturating_sub(before) <= 2 {
                break;
            }
        }
        start.elapsed()
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

pub(crate) async fn start_server(
    database_url: Option<String>,
    log: &str,
) -> anyhow::Result<Server> {
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().to_path_buf();
    let port = free_port()?;
    let exe = std::env::current_exe()?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("serve")
        .env("FUNDLINE_DATA_DIR", &data_dir)
        .env("FUNDLINE_LISTEN", format!("127.0.0.1:{port}"))
        .env("FUNDLINE_LOG", log)
        // The bench drives one credential far past a production rate limit.
        .env("FUNDLINE_RATE_LIMIT_PER_SECOND", "10000000")
        .env("FUNDLINE_RATE_LIMIT_BURST", "10000000")
        // …and opens all its connections from one address.
        .env("FUNDLINE_MAX_CONNECTIONS_PER_ADDRESS", "0")
        .env_remove("FUNDLINE_MASTER_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match &database_url {
        Some(u) => cmd.env("DATABASE_URL", u),
        None => cmd.env_remove("DATABASE_URL"),
    };
    let child = cmd.spawn().context("starting the server")?;
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
        data_dir,
        database_url,
    };
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{}/readyz", server.base)).send().await {
            if r.status().is_success() {
                return Ok(server);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server did not become ready")
}

struct Row {
    engine: String,
    scenario: String,
    requests: u64,
    errors: u64,
    secs: f64,
    hist: Histogram<u64>,
    /// For the mix: each kind of request's own latencies (where the tail is).
    parts: std::collections::BTreeMap<&'static str, Histogram<u64>>,
    /// The server's CPU time per request answered: unlike requests per
    /// second, it holds on a machine whose other load varies.
    cpu_us_per_request: Option<f64>,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let engines = engines(&args.engine)?;
    let scenarios: Vec<String> = if args.scenarios == "all" {
        SCENARIOS.iter().map(|s| s.to_string()).collect()
    } else {
        args.scenarios
            .split(',')
            .map(|s| s.trim().to_string())
            .collect()
    };
    for s in &scenarios {
        if !SCENARIOS.contains(&s.as_str()) {
            bail!("unknown scenario {s}; known: {}", SCENARIOS.join(", "));
        }
    }
    println!(
        "fundline bench: {} connections, {} s per scenario, {} customers, {} cores",
        args.connections,
        args.seconds,
        args.customers,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!("{}", fsync_rate());
    let mut rows = Vec::new();
    for engine in engines {
        let url = fresh_database(engine, &args.postgres_url).await?;
        let server = start_server(url, &args.server_log).await?;
        let fixture = setup(&server, &args).await?;
        let mut ceiling = None;
        for s in &scenarios {
            let waited = server.settle().await;
            if waited >= Duration::from_secs(1) {
                println!(
                    "          (waited {:.0} s for the server's background work before {s})",
                    waited.as_secs_f64()
                );
            }
            let cpu_before = server.cpu_ticks();
            let mut row = measure(engine, s, &fixture, &args).await;
            row.cpu_us_per_request = match (cpu_before, server.cpu_ticks()) {
                (Some(a), Some(b)) if row.requests > 0 => {
                    Some(b.saturating_sub(a) as f64 * 10_000.0 / row.requests as f64)
                }
                _ => None,
            };
            let rps = row.requests as f64 / row.secs;
            print_row(&row, ceiling);
            print_parts(&row);
            if s == "http-ceiling" {
                ceiling = Some(rps);
            }
            rows.push(row);
        }
        if let Some(kib) = server.peak_rss_kib() {
            println!("{engine}: server peak RSS {:.1} MiB", kib as f64 / 1024.0);
        }
    }
    Ok(())
}

#[derive(Clone)]
struct Fixture {
    /// The health URL, for the http-ceiling scenario: built once, so the
    /// client spends nothing per request on it.
    health: String,
    client: PartnerClient,
    /// Customers with one card each, for the read scenarios.
    customers: Vec<(String, Value)>,
    /// Customers that receive the write scenarios' new cards, so reads keep
    /// seeing one card per customer whatever ran before.
    writers: Vec<String>,
    next: Arc<AtomicU64>,
    gateway: GatewayClient,
    participant_id: i64,
    /// Card tokens verified during setup, for the process scenario.
    tokens: Vec<String>,
    /// The token service, signed as the Connect SDKs sign, and its merchant.
    connect: ConnectClient,
    merchant_id: String,
    /// Check-deposit sessions (bearer token, card id) and the images they
    /// submit, made once so that the load generator does not draw PNGs.
    checks: Vec<(String, String)>,
    check_images: Arc<Vec<(Vec<u8>, Vec<u8>)>>,
    http: reqwest::Client,
    base: String,
}

async fn setup(server: &Server, args: &BenchArgs) -> anyhow::Result<Fixture> {
    let (creds, client) = sandbox_partner(server, "bench-device").await?;
    let (customers, check_cards) = enrolled_with_cards(&client, args.customers).await?;
    let mut writers = Vec::new();
    for n in 0..args.customers.clamp(1, 100) {
        let a = client
            .call("enroll-customer", &enrollment(900_000 + n))
            .await?;
        let id = a.body["CustomerId"]
            .as_str()
            .ok_or_else(|| anyhow!("enroll failed: {}", a.text))?;
        writers.push(id.to_string());
    }
    let gateway = GatewayClient::new(
        &server.base,
        creds["ingopay"]["username"].as_str().unwrap_or_default(),
        creds["ingopay"]["secret"].as_str().unwrap_or_default(),
    );
    let participant_id = creds["ingopay"]["participant_id"]
        .as_i64()
        .unwrap_or_default();
    let tokens = verified_cards(&gateway, participant_id, args.customers.clamp(1, 200)).await?;
    let connect = ConnectClient::new(
        &server.base,
        creds["connect"]["api_key_id"].as_str().unwrap_or_default(),
        creds["connect"]["secret_api_key"]
            .as_str()
            .unwrap_or_default(),
    );
    // Check deposits: limits high enough to measure the API, not velocity.
    crate::check_bench::raise_check_limits(server)?;
    let http = reqwest::Client::new();
    let mut checks = Vec::new();
    for (cid, card_id) in check_cards {
        let token = crate::check_bench::check_session(&client, &http, &server.base, &cid).await?;
        checks.push((token, card_id));
    }
    let check_images = Arc::new(
        (0..16u64)
            .map(|k| (check_png(1600, 700, 2 * k), check_png(1600, 700, 2 * k + 1)))
            .collect(),
    );
    Ok(Fixture {
        checks,
        check_images,
        http,
        base: server.base.clone(),
        health: client.url("/healthz"),
        client,
        customers,
        writers,
        next: Arc::new(AtomicU64::new(1_000_000)),
        gateway,
        participant_id,
        tokens,
        connect,
        merchant_id: creds["connect"]["merchant_id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    })
}

/// The server's sandbox credentials, and a check cashing partner client
/// signed in with them.
pub(crate) async fn sandbox_partner(
    server: &Server,
    device: &str,
) -> anyhow::Result<(Value, PartnerClient)> {
    let creds: Value = serde_json::from_str(&std::fs::read_to_string(
        server.data_dir.join("sandbox-credentials.json"),
    )?)?;
    let mut client = PartnerClient::new(&server.base, device);
    let a = client
        .authenticate(
            creds["check_cashing"]["client_id"]
                .as_str()
                .unwrap_or_default(),
            creds["check_cashing"]["client_secret"]
                .as_str()
                .unwrap_or_default(),
        )
        .await?;
    if a.status != 200 {
        bail!("authentication failed: {}", a.status);
    }
    Ok((creds, client))
}

/// A customer pair for each `n`: the customer id with its enrollment, and
/// (for the first 32) the customer id with its card's id.
type Enrolled = (Vec<(String, Value)>, Vec<(String, String)>);

/// `n` enrolled customers, each with a test card.
async fn enrolled_with_cards(client: &PartnerClient, n: u64) -> anyhow::Result<Enrolled> {
    let mut customers = Vec::new();
    let mut check_cards = Vec::new();
    for n in 0..n {
        let (cid, body, card_id) = enroll_with_card(client, n).await?;
        if check_cards.len() < 32 {
            check_cards.push((cid.clone(), card_id));
        }
        customers.push((cid, body));
    }
    Ok((customers, check_cards))
}

/// Enrolls test customer `n` with its test card: the customer's id, its
/// enrollment, and the card's id.
pub(crate) async fn enroll_with_card(
    client: &PartnerClient,
    n: u64,
) -> anyhow::Result<(String, Value, String)> {
    let body = enrollment(n);
    let a = client.call("enroll-customer", &body).await?;
    let cid = a.body["CustomerId"]
        .as_str()
        .ok_or_else(|| anyhow!("enroll failed: {}", a.text))?
        .to_string();
    let a = client
        .call("add-or-update-card", &card(&cid, &test_visa(n)))
        .await?;
    let card_id = a.body["cards"][0]["cardId"]
        .as_str()
        .filter(|_| a.status == 200)
        .ok_or_else(|| anyhow!("card setup failed: {}", a.text))?
        .to_string();
    Ok((cid, body, card_id))
}

/// `n` test cards verified through the gateway: their account tokens.
async fn verified_cards(
    gateway: &GatewayClient,
    participant_id: i64,
    n: u64,
) -> anyhow::Result<Vec<String>> {
    let mut tokens = Vec::new();
    for n in 0..n {
        let a = gateway
            .post(
                "/gateway/verify",
                &gateway_card(participant_id, 500_000 + n),
                &[],
            )
            .await?;
        let t = a.body["data"]["customer_account_token"]
            .as_str()
            .ok_or_else(|| anyhow!("verify failed: {}", a.text))?;
        tokens.push(t.to_string());
    }
    Ok(tokens)
}

fn gateway_card(participant_id: i64, n: u64) -> Value {
    json!({"participant_id": participant_id, "account_type": "CA", "recipient_first_name": "Johnny",
           "recipient_last_name": "Rockets", "account": test_visa(n), "expiration_date": "3012",
           "recipient_address1": "123 Main St", "recipient_city": "Atlanta", "recipient_state": "GA",
           "recipient_zip": "30313", "participant_unique_id1": format!("bench-{n}"),
           "timestamp": chrono::Utc::now().timestamp(), "version": 11})
}

/// A check deposit's multipart form: the images cycle through the fixture's
/// pool (a repeated image is a risk signal for the background steps, not a
/// refusal at submission); the check number is unique.
fn check_form(f: &Fixture, n: u64) -> reqwest::multipart::Form {
    let (front, back) = &f.check_images[(n as usize) % f.check_images.len()];
    let (_, card_id) = &f.checks[(n as usize) % f.checks.len()];
    let micr = format!("T021000021T {:09}O {}", 100_000_000 + n % 1000, n);
    crate::client::Deposit::payroll(front.clone(), back.clone(), card_id, &micr).form()
}

/// A check submission; success is 202 (processing continues on the server).
async fn check_call(f: &Fixture, n: u64, form: reqwest::multipart::Form) -> bool {
    let (token, _) = &f.checks[(n as usize) % f.checks.len()];
    matches!(
        f.http
            .post(format!("{}/api/v1/checks", f.base))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await,
        Ok(r) if r.status() == 202
    )
}

/// A signed gateway call; success is envelope status 100.
async fn gateway_call(f: &Fixture, scenario: &str, n: u64) -> bool {
    let (path, body) = if scenario == "gateway-verify" {
        ("/gateway/verify", gateway_card(f.participant_id, n))
    } else {
        let token = &f.tokens[(n as usize) % f.tokens.len()];
        (
            "/gateway/process",
            json!({"participant_id": f.participant_id, "customer_account_token": token, "amount": "1.00",
                   "participant_unique_id1": format!("pay-{n}"), "timestamp": chrono::Utc::now().timestamp(), "version": 11}),
        )
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let signed = f.gateway.sign(path, &bytes, &Signing::now());
    matches!(f.gateway.send(&signed).await, Ok(a) if a.body["status"] == 100)
}

fn request_for(scenario: &str, f: &Fixture, i: u64) -> (&'static str, Value) {
    let (cid, enrolled) = &f.customers[(i as usize) % f.customers.len()];
    match scenario {
        "get-registered-cards" => ("get-registered-cards", json!({"customerId": cid})),
        "find-customer" => (
            "find-customer",
            json!({"ssn": enrolled["ssn"], "dateOfBirth": "1978-09-11"}),
        ),
        "add-or-update-card" => {
            let n = f.next.fetch_add(1, Ordering::Relaxed);
            let writer = &f.writers[(n as usize) % f.writers.len()];
            ("add-or-update-card", card(writer, &test_visa(n)))
        }
        "enroll-customer" => {
            let n = f.next.fetch_add(1, Ordering::Relaxed);
            ("enroll-customer", enrollment(n))
        }
        _ => ("authenticate-obo", json!({"customerId": cid})),
    }
}

async fn measure(engine: &str, scenario: &str, f: &Fixture, args: &BenchArgs) -> Row {
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..args.connections {
        let fixture = f.clone();
        let scenario = scenario.to_string();
        tasks.push(tokio::spawn(async move {
            let mut hist =
                Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
            let (mut n, mut errors) = (0u64, 0u64);
            let mut parts: std::collections::BTreeMap<&'static str, Histogram<u64>> =
                Default::default();
            let mut i = w as u64 * 7919;
            while Instant::now() < deadline {
                let part = (scenario == "mix").then(|| MIX[(i % MIX.len() as u64) as usize]);
                let (t, ok) = one_request(&fixture, part.unwrap_or(scenario.as_str()), i).await;
                i += 1;
                let micros = t.elapsed().as_micros().max(1) as u64;
                let _ = hist.record(micros);
                if let Some(p) = part {
                    let h = parts.entry(p).or_insert_with(latencies);
                    let _ = h.record(micros);
                }
                n += 1;
                if !ok {
                    errors += 1;
                }
            }
            (hist, n, errors, parts)
        }));
    }
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
    let (mut requests, mut errors) = (0, 0);
    let mut parts: std::collections::BTreeMap<&'static str, Histogram<u64>> = Default::default();
    for t in tasks {
        if let Ok((h, n, e, p)) = t.await {
            let _ = hist.add(&h);
            requests += n;
            errors += e;
            for (k, h) in p {
                let _ = parts.entry(k).or_insert_with(latencies).add(&h);
            }
        }
    }
    Row {
        engine: engine.into(),
        scenario: scenario.into(),
        requests,
        errors,
        secs: start.elapsed().as_secs_f64(),
        hist,
        parts,
        cpu_us_per_request: None,
    }
}

/// One request of `scenario` (the `i`-th of its connection): when its
/// clock started (after the request was prepared) and whether it succeeded.
async fn one_request(fixture: &Fixture, scenario: &str, i: u64) -> (Instant, bool) {
    let client = &fixture.client;
    if scenario == "http-ceiling" {
        let t = Instant::now();
        let ok = match client.http.get(&fixture.health).send().await {
            Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
            Err(_) => false,
        };
        (t, ok)
    } else if scenario == "connect-token" {
        let t = Instant::now();
        let n = fixture.next.fetch_add(1, Ordering::Relaxed);
        (t, connect_call(fixture, n).await)
    } else if scenario == "check-deposit" {
        let n = fixture.next.fetch_add(1, Ordering::Relaxed);
        let form = check_form(fixture, n);
        let t = Instant::now();
        (t, check_call(fixture, n, form).await)
    } else if scenario.starts_with("gateway-") {
        let t = Instant::now();
        let n = fixture.next.fetch_add(1, Ordering::Relaxed);
        (t, gateway_call(fixture, scenario, n).await)
    } else {
        let (method, body) = request_for(scenario, fixture, i);
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let t = Instant::now();
        (t, matches!(client.call_status(method, body).await, Ok(200)))
    }
}

/// A latency histogram in microseconds, 1 µs to 60 s.
fn latencies() -> Histogram<u64> {
    Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds")
}

/// The mix's requests by kind: count, p50 and p99 of each.
fn print_parts(r: &Row) {
    for (name, h) in &r.parts {
        println!(
            "            {:<22} {:>8} req  p50 {:>6.2} ms  p99 {:>6.2} ms",
            name,
            h.len(),
            h.value_at_quantile(0.50) as f64 / 1000.0,
            h.value_at_quantile(0.99) as f64 / 1000.0,
        );
    }
}

fn print_row(r: &Row, ceiling: Option<f64>) {
    let ms = |q: f64| r.hist.value_at_quantile(q) as f64 / 1000.0;
    let rps = r.requests as f64 / r.secs;
    let ratio = ceiling
        .map(|c| format!("  ({:.0}% of ceiling)", 100.0 * rps / c))
        .unwrap_or_default();
    let cpu = r
        .cpu_us_per_request
        .map(|us| format!("  server CPU {us:.0} µs/req"))
        .unwrap_or_default();
    println!(
        "{:<9} {:<22} {:>8} req {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  p99.9 {:>6.2} ms  errors {}{ratio}{cpu}",
        r.engine,
        r.scenario,
        r.requests,
        rps,
        ms(0.50),
        ms(0.99),
        ms(0.999),
        r.errors
    );
}

/// This disk's fsync rate for one second (what a durable commit costs here),
/// so write figures compare across machines.
fn fsync_rate() -> String {
    use std::io::Write;
    let Ok(dir) = tempfile::tempdir() else {
        return "fsync rate: unknown".into();
    };
    let Ok(mut f) = std::fs::File::create(dir.path().join("fsync-probe")) else {
        return "fsync rate: unknown".into();
    };
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        if f.write_all(b"x").is_err() || f.sync_data().is_err() {
            return "fsync rate: unknown".into();
        }
        n += 1;
    }
    format!(
        "disk: {:.0} fsync/s",
        n as f64 / start.elapsed().as_secs_f64()
    )
}

/// A new card token at the token service (a number no other write uses).
async fn connect_call(f: &Fixture, n: u64) -> bool {
    let number = test_visa(n + 70_000_000_000);
    let body = json!({"paymentProductId": 1, "card": {"customer": {"billingAddress": {"countryCode": "US"}},
        "data": {"cardWithoutCvv": {"cardNumber": number, "cardholderName": "Bench Mark", "expiryDate": "1230"}}}});
    let path = format!("/v1/{}/tokens", f.merchant_id);
    matches!(f.connect.request("POST", &path, Some(&body)).await, Ok(a) if a.status == 201 || a.status == 200)
}

/// The engines an `--engine` flag names: `both`, `sqlite` or `postgres`.
pub fn engines(flag: &str) -> anyhow::Result<Vec<&'static str>> {
    Ok(match flag {
        "both" => vec!["sqlite", "postgres"],
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        other => bail!("unknown engine {other}"),
    })
}

/// The database a bench or crash run starts its server on: a schema of its
/// own on the PostgreSQL server for "postgres", else `None` (the server makes
/// a fresh SQLite file in its data directory).
pub async fn fresh_database(engine: &str, postgres_url: &str) -> anyhow::Result<Option<String>> {
    if engine != "postgres" {
        return Ok(None);
    }
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    Ok(Some(
        fundline_store::isolated_postgres_url(postgres_url, &schema)
            .await
            .map_err(|e| anyhow!("{e}"))?,
    ))
}
