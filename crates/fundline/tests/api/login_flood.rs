//! The real binary under a flood of staff logins for unknown emails (each
//! costs one argon2id verification, 19 MiB): the hashing cap keeps the
//! server's peak memory bounded, the surplus gets 429 with Retry-After.

use crate::common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_fundline");
const FLOOD: usize = 300;
const PEAK_LIMIT_MIB: u64 = 400;

/// The process's peak resident set (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/<pid>/status")
}

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn three_hundred_parallel_logins_for_unknown_emails_stay_under_400_mib() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::fresh_database_url(dir.path()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // FUNDLINE_FLOOD_BIN measures another build (e.g. the one before the cap).
    let bin = std::env::var("FUNDLINE_FLOOD_BIN").unwrap_or_else(|_| BIN.to_string());
    let err = std::fs::File::create(dir.path().join("flood.err")).unwrap();
    let child = Command::new(bin)
        .arg("serve")
        .env("FUNDLINE_DATA_DIR", dir.path())
        .env("DATABASE_URL", &db)
        .env_remove("FUNDLINE_MASTER_KEY")
        .env("FUNDLINE_LISTEN", format!("127.0.0.1:{port}"))
        .env("FUNDLINE_LOG", "info")
        // Each request comes "through" the proxy from its own address, so
        // the per-address limit does not hide the hashing cap.
        .env("FUNDLINE_TRUSTED_PROXIES", "127.0.0.1")
        // 300 clients from one address: the per-address connection cap
        // would close most of them before any login is tried.
        .env("FUNDLINE_MAX_CONNECTIONS_PER_ADDRESS", "0")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::from(err))
        .spawn()
        .unwrap();
    let pid = child.id();
    let _server = Killed(child);
    let base = format!("http://127.0.0.1:{port}");
    let ready = common::binary::wait_ready(&base, Duration::from_secs(20), || false).await;
    assert!(ready, "the server did not start");
    let before = peak_rss_kib(pid);

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(45))
        .build()
        .unwrap();
    let started = Instant::now();
    let answers = futures::future::join_all((0..FLOOD).map(|n| {
        let http = http.clone();
        let url = format!("{base}/api/v1/auth/login");
        async move {
            let r = http
                .post(url)
                .header(
                    "x-forwarded-for",
                    format!("198.18.{}.{}", n / 250, n % 250 + 1),
                )
                .json(&serde_json::json!({
                    "email": format!("nobody-{n}@flood.example"),
                    "password": format!("not-a-password-{n}")
                }))
                .send()
                .await;
            match r {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let retry = r.headers().get("retry-after").is_some();
                    let body: serde_json::Value = r.json().await.unwrap_or_default();
                    (status, retry, body)
                }
                Err(e) => (0, false, serde_json::json!(e.to_string())),
            }
        }
    }))
    .await;
    let elapsed = started.elapsed();
    let peak = peak_rss_kib(pid);
    let count = |s: u16| answers.iter().filter(|a| a.0 == s).count();
    eprintln!(
        "{FLOOD} parallel unknown-email logins in {:.1} s: {} x 401, {} x 429; peak RSS {} MiB before, {} MiB after",
        elapsed.as_secs_f64(),
        count(401),
        count(429),
        before / 1024,
        peak / 1024
    );
    assert!(
        peak / 1024 <= PEAK_LIMIT_MIB,
        "peak RSS {} MiB over {PEAK_LIMIT_MIB} MiB",
        peak / 1024
    );
    for (status, retry, body) in &answers {
        match status {
            401 => assert_eq!(body["message"], "Invalid email or password."),
            429 => {
                assert!(retry, "429 without Retry-After");
                assert_eq!(body["success"], false, "{body}");
            }
            other => panic!("unexpected answer {other}: {body}"),
        }
    }
    assert!(count(401) >= 1, "some logins were evaluated");
    // The server still answers after the flood.
    let r = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
}
