//! The real `fundline` binary, as an operator runs it: `serve` on a free
//! port over a store, and `admin` commands beside it, with nothing taken
//! from the caller's environment that would change which key or settings
//! the store is opened with.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_fundline");

/// A running `fundline serve`; killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub dir: PathBuf,
    pub db: String,
    log_name: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// What the server printed on stdout (the sandbox credentials).
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(self.dir.join(format!("{}.out", self.log_name))).unwrap_or_default()
    }

    /// Its log (stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join(format!("{}.err", self.log_name))).unwrap_or_default()
    }

    /// Peak resident set size so far, in KiB (VmHWM).
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/<pid>/status")
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `fundline` over the store in `dir` / `db`. Key sources and the settings
/// the tests switch are cleared, so each test says what it sets.
pub fn command(dir: &Path, db: &str) -> Command {
    let mut c = Command::new(BIN);
    c.env("FUNDLINE_DATA_DIR", dir)
        .env("DATABASE_URL", db)
        .env_remove("FUNDLINE_MASTER_KEY")
        .env_remove("FUNDLINE_MASTER_KEY_FILE")
        .env_remove("FUNDLINE_MASTER_KEY_SHARES")
        .env_remove("FUNDLINE_NEW_MASTER_KEY")
        .env_remove("FUNDLINE_SANDBOX")
        .env_remove("FUNDLINE_CREDENTIAL_OVERLAP_SECS")
        .current_dir(dir);
    c
}

/// Starts `serve` (log level info unless `envs` says otherwise), its output
/// in `<log_name>.out` / `.err`; Err(its log) if it exits or is not ready
/// within 15 s.
pub async fn try_serve(
    dir: &Path,
    db: &str,
    log_name: &str,
    envs: &[(&str, &str)],
) -> Result<Server, String> {
    let port = free_port();
    let out = std::fs::File::create(dir.join(format!("{log_name}.out"))).unwrap();
    let err = std::fs::File::create(dir.join(format!("{log_name}.err"))).unwrap();
    let child = command(dir, db)
        .arg("serve")
        .env("FUNDLINE_LISTEN", format!("127.0.0.1:{port}"))
        .env("FUNDLINE_LOG", "info")
        .envs(envs.iter().copied())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .unwrap();
    let mut s = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        dir: dir.to_path_buf(),
        db: db.to_string(),
        log_name: log_name.to_string(),
    };
    let child = &mut s.child;
    if wait_ready(&s.base, Duration::from_secs(15), || {
        matches!(child.try_wait(), Ok(Some(_)))
    })
    .await
    {
        return Ok(s);
    }
    match s.child.try_wait() {
        Ok(Some(_)) => Err(s.log()),
        _ => Err(format!("not ready: {}", s.log())),
    }
}

/// Whether the server at `base` answers /readyz with 200 within `within`;
/// false at once when `exited` says its process is gone.
pub async fn wait_ready(base: &str, within: Duration, mut exited: impl FnMut() -> bool) -> bool {
    super::try_eventually(within, async || {
        if exited() {
            return Some(false);
        }
        match reqwest::get(format!("{base}/readyz")).await {
            Ok(r) if r.status() == 200 => Some(true),
            _ => None,
        }
    })
    .await
    .unwrap_or(false)
}

/// [`try_serve`], or the test fails with the server's log.
pub async fn serve(dir: &Path, db: &str, log_name: &str, envs: &[(&str, &str)]) -> Server {
    try_serve(dir, db, log_name, envs)
        .await
        .unwrap_or_else(|log| panic!("server did not start: {log}"))
}

/// The credentials `serve` wrote for the sandbox tenant in `dir`.
pub fn sandbox_credentials(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("sandbox-credentials.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A partner logged in at `base` with the check-cashing credentials in
/// `creds` (as `serve` or `admin tenant create` print them).
pub async fn partner(
    base: &str,
    creds: &serde_json::Value,
    device: &str,
) -> fundline::client::PartnerClient {
    let cc = &creds["check_cashing"];
    let mut c = fundline::client::PartnerClient::new(base, device);
    let a = c
        .authenticate(
            cc["client_id"].as_str().unwrap(),
            cc["client_secret"].as_str().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text);
    c
}

/// The access token of the staff user in `creds` (its analysis login).
pub async fn staff_token(base: &str, creds: &serde_json::Value) -> String {
    let login = super::json_of(reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": creds["analysis"]["email"], "password": creds["analysis"]["password"]}))).await;
    login["data"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("login: {login}"))
        .to_string()
}

/// A bank-analysis customer created by the staff user holding `token`,
/// accepted; the answer.
pub async fn create_customer(
    base: &str,
    token: &str,
    body: &serde_json::Value,
) -> serde_json::Value {
    let created = super::json_of(
        reqwest::Client::new()
            .post(format!("{base}/api/v1/customer"))
            .bearer_auth(token)
            .json(body),
    )
    .await;
    assert_eq!(created["success"], true, "{created}");
    created
}

/// `fundline admin outbox list --json`, which must succeed: the messages.
pub fn outbox(dir: &Path, db: &str) -> serde_json::Value {
    let out = succeeded(command(dir, db).args(["admin", "outbox", "list", "--json"]));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `c`, which must exit successfully (else the test fails with its
/// stderr); its output.
pub fn succeeded(c: &mut Command) -> std::process::Output {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        c.get_args().collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
