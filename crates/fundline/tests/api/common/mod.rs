//! `spawn_app()`: a real server on port 0 over a fresh store — a temporary
//! SQLite file, or with FUNDLINE_TEST_DATABASE_URL=postgres://… a fresh
//! schema on that server — with a tenant and a clock the test can move.
#![allow(dead_code)]

pub mod binary;
pub mod chromium;
pub mod console;
pub mod ofx;
pub mod sharing;
pub mod smtp;
pub mod staff;
pub mod steps;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::thread::ThreadId;

use fundline::app::{App, Options};
use fundline::client::{Answer, GatewayClient, PartnerClient};
use fundline::settings::{Flags, Settings};
use fundline_api::cardnet::{
    AuthDecision, AuthRequest, CardNetwork, LoadRequest, LoadResult, SandboxNetwork,
};
use fundline_api::clock::ShiftedClock;
use fundline_api::{ApiConfig, AppState};
use fundline_store::keyring::Keyring;
use fundline_store::tenants::{create_tenant, TenantCredentials};
use fundline_store::Store;
use fundline_vault::MasterKey;
use futures::future::BoxFuture;

/// The sandbox network, counting authorizations.
#[derive(Default)]
pub struct CountingNetwork {
    inner: SandboxNetwork,
    pub calls: AtomicUsize,
}

impl CardNetwork for CountingNetwork {
    fn authorize<'a>(&'a self, req: AuthRequest<'a>) -> BoxFuture<'a, AuthDecision> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.authorize(req)
    }

    fn load<'a>(&'a self, req: LoadRequest<'a>) -> BoxFuture<'a, LoadResult> {
        self.inner.load(req)
    }
}

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub keyring: Arc<Keyring>,
    pub clock: Arc<ShiftedClock>,
    pub network: Arc<CountingNetwork>,
    pub tenant: TenantCredentials,
    pub database_url: String,
    /// The server's state (for running one round of a worker by hand).
    pub state: AppState,
    /// The master key, base64, for a second node over the same store.
    master_key: String,
    /// The test thread whose log lines are this app's.
    log_owner: ThreadId,
    /// Where the shared log lines stood when the app started.
    shared_logs_from: usize,
    _dir: tempfile::TempDir,
}

/// The database URL for a fresh, isolated store.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("FUNDLINE_TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            fundline_store::isolated_postgres_url(&url, &schema)
                .await
                .expect("create test schema")
        }
        _ => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(ApiConfig::default()).await
}

/// Every log line of every in-process server, at debug level, so each test
/// can check that nothing sensitive was logged. All tests share one process,
/// so lines are kept per test: a `#[tokio::test]` runs its server, workers
/// and client on its own thread, and a line written on a thread that spawned
/// an app is that test's. Lines from other threads (the blocking pool, a
/// multi-threaded runtime's workers) cannot be attributed and are shared:
/// every app alive when one was written checks it.
#[derive(Default)]
struct Logs {
    by_thread: HashMap<ThreadId, Vec<u8>>,
    shared: Vec<u8>,
}

static LOGS: OnceLock<Mutex<Logs>> = OnceLock::new();

fn logs() -> std::sync::MutexGuard<'static, Logs> {
    LOGS.get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

#[derive(Clone)]
struct LogSink;

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut logs = logs();
        let id = std::thread::current().id();
        match logs.by_thread.get_mut(&id) {
            Some(own) => own.extend_from_slice(buf),
            None => logs.shared.extend_from_slice(buf),
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capture once and claims the calling thread's lines for
/// the calling test.
fn capture_logs() -> ThreadId {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .json()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "debug,hyper=info,sqlx=info,reqwest=info,h2=info",
            ))
            .with_writer(|| LogSink)
            .try_init();
    });
    let id = std::thread::current().id();
    logs().by_thread.entry(id).or_default();
    id
}

/// Values a test used that must never be logged (PANs, SSNs, tokens …),
/// by the thread (test) that named them: only that test's apps check them,
/// so one test's secret showing up legitimately elsewhere fails nobody else.
static SENSITIVE: Mutex<Vec<(ThreadId, String)>> = Mutex::new(Vec::new());

pub fn sensitive(value: &str) {
    if let Ok(mut v) = SENSITIVE.lock() {
        v.push((std::thread::current().id(), value.to_string()));
    }
}

/// This test's lines and the shared ones written since `shared_from`.
fn lines_of(owner: ThreadId, shared_from: usize) -> String {
    let logs = logs();
    let own = logs.by_thread.get(&owner).map(Vec::as_slice).unwrap_or(&[]);
    let shared = logs.shared.get(shared_from..).unwrap_or(&[]);
    let mut text = String::from_utf8_lossy(own).into_owned();
    text.push_str(&String::from_utf8_lossy(shared));
    text
}

/// Everything the calling test's servers logged, and the shared lines.
pub fn captured_logs() -> String {
    lines_of(std::thread::current().id(), 0)
}

/// 9-digit runs that are SSNs the test clients generate (fundline::client::test_ssn).
fn ssn_like(text: &str) -> Option<String> {
    let known: std::collections::HashSet<String> =
        (0..5000u64).map(fundline::client::test_ssn).collect();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if run.len() == 9 && known.contains(&run) {
            return Some(run);
        }
        run.clear();
    }
    None
}

/// Runs of 15-19 digits that start like a card (2-6) and pass Luhn.
fn pan_like(text: &str) -> Option<String> {
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if (15..=19).contains(&run.len())
            && matches!(run.as_bytes()[0], b'2'..=b'6')
            && fundline_core::card::luhn_valid(&run)
        {
            return Some(run);
        }
        run.clear();
    }
    None
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // A second panic would abort the whole test binary; the test has
        // already failed.
        if std::thread::panicking() {
            return;
        }
        let logs = lines_of(self.log_owner, self.shared_logs_from);
        let t = &self.tenant;
        let mut secrets = vec![
            t.check_cashing.client_secret.clone(),
            t.ingopay.secret.clone(),
            t.connect.secret_api_key.clone(),
            t.analysis.password.clone(),
        ];
        secrets.extend(
            SENSITIVE
                .lock()
                .map(|v| {
                    v.iter()
                        .filter(|(owner, _)| *owner == self.log_owner)
                        .map(|(_, s)| s.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        );
        for s in secrets {
            if s.len() >= 6 && logs.contains(&s) {
                panic!("a sensitive value reached the logs: {}…", &s[..4]);
            }
        }
        if let Some(p) = pan_like(&logs) {
            panic!(
                "a card number reached the logs: {}…{}",
                &p[..6],
                &p[p.len() - 4..]
            );
        }
        if let Some(s) = ssn_like(&logs) {
            panic!("an SSN reached the logs: …{}", &s[5..]);
        }
    }
}

/// A server started the way `fundline serve` starts one ([`App::build`],
/// then its server loop and workers), with the test's pieces in place of
/// the production ones: a fresh store and key, a clock the test moves, a
/// counting card network, `config`, and a tenant made up front.
pub async fn spawn_app_with(config: ApiConfig) -> TestApp {
    let log_owner = capture_logs();
    let shared_logs_from = logs().shared.len();
    let dir = tempfile::tempdir().expect("tempdir");
    let database_url = fresh_database_url(dir.path()).await;
    let settings = Settings::load(&Flags {
        listen: Some("127.0.0.1:0".into()),
        data_dir: Some(dir.path().to_path_buf()),
        database_url: Some(database_url.clone()),
        ..Flags::default()
    })
    .expect("settings");
    let clock = Arc::new(ShiftedClock::default());
    let network = Arc::new(CountingNetwork::default());
    let master_key = MasterKey::generate();
    let master_key_b64 = master_key.to_base64();
    let app = App::build(Options {
        master_key: Some(master_key),
        clock: clock.clone(),
        network: Some(network.clone()),
        config: Some(config),
        sandbox_tenant: false,
        tenant: Some("Test Partner".into()),
        ..Options::new(settings)
    })
    .await
    .expect("app");
    let test_app = TestApp {
        base: app.url(),
        store: app.store.clone(),
        keyring: app.keyring.clone(),
        clock,
        network,
        tenant: app.tenant.clone().expect("tenant"),
        database_url,
        state: app.state.clone(),
        master_key: master_key_b64,
        log_owner,
        shared_logs_from,
        _dir: dir,
    };
    // Serves until the test's runtime ends.
    tokio::spawn(app.run_until(std::future::pending()));
    test_app
}

/// A second node started by [`TestApp::second_node`]: serving until
/// [`SecondNode::stop`].
pub struct SecondNode {
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<()>,
}

impl SecondNode {
    /// Shuts the node down as SIGTERM does (open requests finish, workers
    /// are joined, the store closes) and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.done.await.expect("second node");
    }
}

impl TestApp {
    /// Another node of this deployment, built by the builder `fundline
    /// serve` uses: its own connections to the same database, the same
    /// master key, its own listener and workers.
    pub async fn second_node(&self, config: ApiConfig) -> SecondNode {
        let dir = self._dir.path().join("node-b");
        std::fs::create_dir_all(&dir).expect("node dir");
        let settings = Settings::load(&Flags {
            listen: Some("127.0.0.1:0".into()),
            data_dir: Some(dir),
            database_url: Some(self.database_url.clone()),
            ..Flags::default()
        })
        .expect("settings");
        let app = App::build(Options {
            master_key: Some(MasterKey::from_base64(&self.master_key).expect("key")),
            clock: self.clock.clone(),
            network: Some(self.network.clone()),
            config: Some(config),
            sandbox_tenant: false,
            tenant: None,
            ..Options::new(settings)
        })
        .await
        .expect("second node");
        let base = app.url();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        SecondNode { base, stop, done }
    }

    /// The bank-analysis outbox, opened (as `admin outbox list` prints it),
    /// with links pointing at this test server.
    pub async fn outbox(&self) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for m in fundline_store::reports::outbox(&self.store, None)
            .await
            .expect("outbox")
        {
            let keys = self
                .keyring
                .tenant(&self.store, &m.tenant_id)
                .await
                .expect("keys");
            let mut v = fundline_api::analysis::outbox::opened(&keys, &m);
            for field in ["link", "text"] {
                if let Some(s) = v[field].as_str() {
                    v[field] = serde_json::json!(s.replace("http://127.0.0.1:8080", &self.base));
                }
            }
            out.push(v);
        }
        out
    }

    /// A Connect client signing with the sandbox tenant's API key, and the
    /// tenant's merchant id.
    pub fn connect(&self) -> (fundline::client::ConnectClient, String) {
        let c = &self.tenant.connect;
        (
            fundline::client::ConnectClient::new(&self.base, &c.api_key_id, &c.secret_api_key),
            c.merchant_id.clone(),
        )
    }

    /// The served OpenAPI document.
    pub async fn openapi(&self) -> serde_json::Value {
        reqwest::get(format!("{}/openapi.json", self.base))
            .await
            .expect("GET /openapi.json")
            .json()
            .await
            .expect("the OpenAPI document is JSON")
    }

    /// How many rows `table` holds (what a sweep left).
    pub async fn rows(&self, table: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.store.reader())
            .await
            .expect("count rows")
    }

    /// The newest outbox message of a report request, opened.
    pub async fn message_for(&self, report_id: &str) -> serde_json::Value {
        self.outbox()
            .await
            .into_iter()
            .rev()
            .find(|m| m["reportRequestId"] == report_id)
            .expect("a message for the request")
    }

    /// The customer link in [`TestApp::message_for`].
    pub async fn link_for(&self, report_id: &str) -> String {
        let m = self.message_for(report_id).await;
        steps::text_at(&m["link"])
    }

    /// A client with a live session for this app's tenant.
    pub async fn partner(&self) -> PartnerClient {
        self.partner_for(&self.tenant).await
    }

    pub async fn partner_for(&self, t: &TenantCredentials) -> PartnerClient {
        let mut c = PartnerClient::new(&self.base, "device-1");
        let a = c
            .authenticate(&t.check_cashing.client_id, &t.check_cashing.client_secret)
            .await
            .expect("auth");
        assert_eq!(a.status, 200, "{}", a.text);
        c
    }

    pub async fn other_tenant(&self) -> TenantCredentials {
        create_tenant(&self.store, &self.keyring, "Other Partner", false)
            .await
            .expect("tenant")
    }

    /// A gateway (spec 002) client signing as this app's tenant.
    pub fn gateway(&self) -> GatewayClient {
        let t = &self.tenant.ingopay;
        GatewayClient::new(&self.base, &t.username, &t.secret)
    }

    /// A plugin session's identifier and its authorized URL (pointing at
    /// this test server), from the answer that created it.
    pub fn session_link(&self, a: &Answer) -> (String, String) {
        let data = &a.body["data"];
        let id = data["session_identifier"].as_str().unwrap().to_string();
        let url = data["authorized_url"]
            .as_str()
            .unwrap()
            .replace("http://127.0.0.1:8080", &self.base);
        (id, url)
    }

    /// A gateway bill payment (spec 002, account type BP) to `payee_id`
    /// for this app's tenant.
    pub fn bill_payment(
        &self,
        payee_id: i64,
        amount: &str,
        account: &str,
        uid1: &str,
    ) -> serde_json::Value {
        serde_json::json!({"participant_id": self.tenant.ingopay.participant_id, "account_type": "BP", "payee_id": payee_id,
            "amount": amount, "account": account, "recipient_first_name": "Johnny", "recipient_last_name": "Rockets",
            "recipient_address1": "123 Main St", "recipient_city": "Atlanta", "recipient_state": "GA", "recipient_zip": "30313",
            "participant_unique_id1": uid1, "timestamp": ts(), "version": 11})
    }

    pub fn authorizations(&self) -> usize {
        self.network.calls.load(Ordering::SeqCst)
    }
}

/// Sends `req`, which must reach the server; the status and the JSON body
/// (Null when the body is not JSON).
pub async fn send(req: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    let r = req.send().await.expect("the request reaches the server");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

/// A webhook receiver on loopback: `post` answers POST /hooks until the
/// test's runtime ends. Its URL.
pub async fn serve_hooks(post: axum::routing::MethodRouter) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let router = axum::Router::new().route("/hooks", post);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    url
}

/// A response header's value, if it is there (and is text).
pub fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Sends `req`, which must reach the server; the body as text.
pub async fn text_of(req: reqwest::RequestBuilder) -> String {
    let r = req.send().await.expect("the request reaches the server");
    r.text().await.expect("a text body")
}

/// [`send`]'s JSON body alone.
pub async fn json_of(req: reqwest::RequestBuilder) -> serde_json::Value {
    send(req).await.1
}

/// [`spawn_app`] and a logged-in partner client of its tenant.
pub async fn spawn_partner() -> (TestApp, PartnerClient) {
    let app = spawn_app().await;
    let c = app.partner().await;
    (app, c)
}

/// [`spawn_app`] and its gateway client.
pub async fn spawn_gateway() -> (TestApp, GatewayClient) {
    let app = spawn_app().await;
    let g = app.gateway();
    (app, g)
}

/// Now as Unix seconds (the gateway's `ts` field).
pub fn ts() -> i64 {
    chrono::Utc::now().timestamp()
}

/// What one look of [`eventually`] found: done with a value, or not yet
/// (with what was seen, for the failure message).
pub trait Attempt {
    type Output;
    fn outcome(self) -> Result<Self::Output, String>;
}

impl<T> Attempt for Option<T> {
    type Output = T;
    fn outcome(self) -> Result<T, String> {
        self.ok_or_else(String::new)
    }
}

impl<T, E: std::fmt::Display> Attempt for Result<T, E> {
    type Output = T;
    fn outcome(self) -> Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

/// `Ok(v)` when `done`, else `Err(v)`: an [`eventually`] probe's answer
/// that shows what it saw when time runs out.
pub fn ok_if<T>(done: bool, v: T) -> Result<T, T> {
    if done {
        Ok(v)
    } else {
        Err(v)
    }
}

/// Looks every 25 ms, for at most `within`, until `probe` yields `Some` or
/// `Ok`; Err(what the last look saw) when time runs out.
pub async fn try_eventually<R: Attempt>(
    within: std::time::Duration,
    mut probe: impl AsyncFnMut() -> R,
) -> Result<R::Output, String> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let last = match probe().await.outcome() {
            Ok(v) => return Ok(v),
            Err(last) => last,
        };
        if tokio::time::Instant::now() >= deadline {
            return Err(last);
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// [`try_eventually`], or the test fails naming `what` it waited for (and
/// the last `Err` seen).
pub async fn eventually<R: Attempt>(
    what: &str,
    within: std::time::Duration,
    probe: impl AsyncFnMut() -> R,
) -> R::Output {
    match try_eventually(within, probe).await {
        Ok(v) => v,
        Err(last) if last.is_empty() => panic!("not within {within:?}: {what}"),
        Err(last) => panic!("not within {within:?}: {what}; last seen: {last}"),
    }
}
