//! The real binary as an operator runs it: logs, crashes, restarts, admin
//! commands beside a running server, the master key check, key rotation.

use crate::common;
use common::steps::Partner;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::binary::{self, command, serve, Server, BIN};

use fundline::client::{card, enrollment, test_visa, PartnerClient};
use serde_json::{json, Value};

/// A server at debug level: these tests scan every line it logs.
async fn start(dir: &Path, db: &str, log_name: &str) -> Server {
    start_env(dir, db, log_name, &[]).await
}

async fn start_env(dir: &Path, db: &str, log_name: &str, envs: &[(&str, &str)]) -> Server {
    let mut all = vec![("FUNDLINE_LOG", "debug")];
    all.extend_from_slice(envs);
    serve(dir, db, log_name, &all).await
}

/// `contents` written to `name` in `dir`; its path.
fn file_in(dir: &tempfile::TempDir, name: &str, contents: impl AsRef<[u8]>) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

async fn fresh() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = common::fresh_database_url(dir.path()).await;
    (dir, db)
}

/// `admin tenant <what> --tenant <tenant> [--set <value>]` beside the
/// server (any outcome).
fn tenant_admin(
    dir: &Path,
    db: &str,
    what: &str,
    tenant: &str,
    set: Option<&str>,
) -> std::process::Output {
    let mut c = command(dir, db);
    c.args(["admin", "tenant", what, "--tenant", tenant]);
    if let Some(value) = set {
        c.args(["--set", value]);
    }
    c.output().unwrap()
}

/// [`tenant_admin`], which must succeed: its JSON output.
fn tenant_admin_json(dir: &Path, db: &str, what: &str, tenant: &str, set: Option<&str>) -> Value {
    let out = tenant_admin(dir, db, what, tenant, set);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// [`start`] over a fresh store, with the sandbox partner logged in.
async fn started(log_name: &str) -> (tempfile::TempDir, String, Server, Value, PartnerClient) {
    let (dir, db) = fresh().await;
    let s = start(dir.path(), &db, log_name).await;
    let creds = binary::sandbox_credentials(dir.path());
    let c = binary::partner(&s.base, &creds, "device-p").await;
    (dir, db, s, creds, c)
}

#[tokio::test]
async fn first_serve_prints_sandbox_credentials_that_work() {
    let (dir, db) = fresh().await;
    let s = start(dir.path(), &db, "first").await;
    let printed: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("first.out")).unwrap())
            .unwrap();
    assert_eq!(printed, binary::sandbox_credentials(dir.path()));
    for (product, keys) in [
        ("check_cashing", vec!["client_id", "client_secret"]),
        ("ingopay", vec!["participant_id", "username", "secret"]),
        (
            "connect",
            vec!["merchant_id", "api_key_id", "secret_api_key"],
        ),
        ("analysis", vec!["merchant_id", "email", "password"]),
    ] {
        for k in keys {
            assert!(!printed[product][k].is_null(), "{product}.{k}");
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("sandbox-credentials.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = std::fs::metadata(dir.path().join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    binary::partner(&s.base, &printed, "device-p").await;
}

#[tokio::test]
async fn no_pan_ssn_secret_or_card_token_reaches_the_logs() {
    let (dir, _db, s, creds, c) = started("logs").await;
    let enroll = enrollment(31);
    let ssn = enroll["ssn"].as_str().unwrap().to_string();
    let cid = c.enroll_with(&enroll).await;
    let pan = test_visa(31);
    assert_eq!(
        c.status_of("add-or-update-card", &card(&cid, &pan)).await,
        200
    );
    let token = "tok-4c0ffee-partner-secret-token";
    let t = json!({"customerId": cid, "cardToken": token, "cardBin": "411111", "expirationMonthYear": "1230", "cardNickname": "T", "addressLine1": "660 Bakers Bridge Lane", "addressLine2": "", "city": "Franklin", "state": "TN", "zip": "37067"});
    assert_eq!(c.status_of("add-or-update-tokenized-card", &t).await, 200);
    let sso = c.sso_token(&cid).await;
    // Errors that echo the sensitive values back must not log them either.
    c.ask(
        "find-customer",
        &json!({"ssn": ssn, "dateOfBirth": "1900-01-01"}),
    )
    .await;
    c.ask("add-or-update-card", &card(&cid, "4000000000000002"))
        .await;
    c.call_raw(
        "enroll-customer",
        "application/json",
        format!("{{\"ssn\": \"{ssn}\", \"cardNumber\": \"{pan}\"").into_bytes(),
    )
    .await
    .unwrap();
    c.ask("add-session-attributes", &json!({"sessionAttributes": [{"name": "SsoToken", "value": sso}, {"name": "AccountNumberFilter", "value": pan}]})).await;
    let mut bad = PartnerClient::new(&s.base, "device-p");
    bad.authenticate(
        creds["check_cashing"]["client_id"].as_str().unwrap(),
        "wrong-secret-value-123",
    )
    .await
    .unwrap();
    drop(s);

    let logs = std::fs::read_to_string(dir.path().join("logs.err")).unwrap();
    assert!(logs.lines().count() > 10, "one line per request at least");
    assert!(
        logs.contains("request_id"),
        "log lines carry the request id"
    );
    let session = c.session_id.clone().unwrap();
    for secret in [
        pan.as_str(),
        "4000000000000002",
        ssn.as_str(),
        token,
        sso.as_str(),
        session.as_str(),
        "wrong-secret-value-123",
        creds["check_cashing"]["client_secret"].as_str().unwrap(),
        creds["ingopay"]["secret"].as_str().unwrap(),
        creds["connect"]["secret_api_key"].as_str().unwrap(),
        creds["analysis"]["password"].as_str().unwrap(),
    ] {
        assert!(
            !logs.contains(secret),
            "a secret reached the logs: {}…",
            &secret[..4]
        );
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_sigkill() {
    let (_dir, _db, s, creds, c) = started("crash1").await;
    // Concurrent writes, all acknowledged before the kill.
    let writes = (0..40u64).map(|n| {
        let c = c.clone();
        async move {
            let a = c.ask("enroll-customer", &enrollment(500 + n)).await;
            assert_eq!(a.status, 200);
            let id = a.body["CustomerId"].as_str().unwrap().to_string();
            let k = c
                .ask("add-or-update-card", &card(&id, &test_visa(500 + n)))
                .await;
            assert_eq!(k.status, 200);
            (
                id,
                k.body["cards"][0]["cardId"].as_str().unwrap().to_string(),
            )
        }
    });
    let acked = futures::future::join_all(writes).await;
    let mut s = s;
    s.child.kill().unwrap(); // SIGKILL
    s.child.wait().unwrap();
    let (dir_path, db) = (s.dir.clone(), s.db.clone());
    drop(s);

    let s = start(&dir_path, &db, "crash2").await;
    let c = binary::partner(&s.base, &creds, "device-p").await;
    for (n, (id, card_id)) in acked.iter().enumerate() {
        let f = c
            .ask(
                "find-customer",
                &json!({"ssn": enrollment(500 + n as u64)["ssn"], "dateOfBirth": "1978-09-11"}),
            )
            .await;
        assert_eq!(f.body["customerId"], id.as_str());
        let k = c.cards_of(id).await;
        assert_eq!(k.body["cards"][0]["cardId"], card_id.as_str());
    }
    // Nothing was written twice.
    let again = c.ask("enroll-customer", &enrollment(500)).await;
    assert_eq!(again.status, 422);
}

#[tokio::test]
async fn admin_tenant_create_works_beside_a_running_server() {
    let (dir, db) = fresh().await;
    let s = start(dir.path(), &db, "admin").await;
    let out = binary::succeeded(command(dir.path(), &db).args([
        "admin",
        "tenant",
        "create",
        "--name",
        "Acme Check Co",
        "--json",
    ]));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "exactly one JSON object on stdout"
    );
    let creds: Value = serde_json::from_str(stdout.trim()).unwrap();
    let keys: Vec<&str> = creds
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys.len(), 5);
    assert!(creds["ingopay"]["participant_id"].is_i64());
    assert!(uuid::Uuid::parse_str(creds["tenant_id"].as_str().unwrap()).is_ok());
    // The operator sets the hosts allowed to frame its capture sessions.
    let tenant = creds["tenant_id"].as_str().unwrap();
    let hosts = tenant_admin_json(dir.path(), &db, "hosts", tenant, None);
    assert_eq!(
        hosts["allowed_hosts"],
        json!(["http://127.0.0.1", "http://localhost"])
    );
    let set = "https://pay.example.com,http://127.0.0.1:3000";
    let hosts = tenant_admin_json(dir.path(), &db, "hosts", tenant, Some(set));
    assert_eq!(
        hosts["allowed_hosts"],
        json!(["https://pay.example.com", "http://127.0.0.1:3000"])
    );
    let out = tenant_admin(dir.path(), &db, "hosts", tenant, Some("not a url"));
    assert!(!out.status.success());
    // Gateway settings: validated, stored, shown.
    let set = r#"{"retail": true, "destinations": ["debit_card"]}"#;
    let shown = tenant_admin_json(dir.path(), &db, "gateway", tenant, Some(set));
    assert_eq!(shown["gateway"]["retail"], true);
    assert_eq!(shown["gateway"]["destinations"], json!(["debit_card"]));
    assert_eq!(
        shown["gateway"]["attempts"]["per_session"], 5,
        "defaults fill the rest"
    );
    let set = r#"{"retial": true}"#;
    let out = tenant_admin(dir.path(), &db, "gateway", tenant, Some(set));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field"));
    // The running server accepts the new partner at once.
    let c = binary::partner(&s.base, &creds, "device-p").await;
    assert_eq!(c.status_of("enroll-customer", &enrollment(1)).await, 200);
}

#[tokio::test]
async fn settings_come_from_flags_env_and_file_and_configure_the_sandbox_network() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_in(
        &dir,
        "fundline.toml",
        r#"
listen = "127.0.0.1:9999"
max_body_bytes = 2048
sandbox_blocked_bin_prefixes = ["411111"]
[sandbox_declines]
"4242424242424242" = "EXPIRED_CARD"
"#,
    );
    let flags = fundline::settings::Flags {
        config: Some(file.clone()),
        listen: Some("127.0.0.1:7777".into()),
        ..Default::default()
    };
    let s = fundline::settings::Settings::load(&flags).unwrap();
    assert_eq!(s.listen, "127.0.0.1:7777", "a flag beats the file");
    assert_eq!(s.max_body_bytes, 2048);
    assert_eq!(
        s.sandbox_network.blocked_bin_prefixes,
        vec!["411111".to_string()]
    );
    assert_eq!(
        s.sandbox_network.declines,
        vec![(
            "4242424242424242".to_string(),
            fundline_api::cardnet::DeclineCode::Expired
        )]
    );
    std::fs::write(&file, "sandbox_declines = { \"4242\" = \"NOPE\" }\n").unwrap();
    let err = fundline::settings::Settings::load(&flags)
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected <digits>:<decline code>"), "{err}");
    std::fs::write(&file, "no_such_setting = 1\n").unwrap();
    assert!(
        fundline::settings::Settings::load(&flags).is_err(),
        "unknown settings are refused"
    );
}

#[tokio::test]
async fn a_different_master_key_is_refused_with_a_clear_message() {
    let (dir, db) = fresh().await;
    drop(start(dir.path(), &db, "kcv").await);
    let other = fundline_vault::MasterKey::generate().to_base64();
    let out = command(dir.path(), &db)
        .arg("serve")
        .env("FUNDLINE_MASTER_KEY", &other)
        .env("FUNDLINE_LISTEN", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the master key does not match"), "{err}");
    assert!(!err.contains(&other));
}

#[tokio::test]
async fn key_rotation_keeps_old_data_readable_and_seals_new_data_with_the_new_key() {
    let (dir, db, s, creds, c) = started("rotate").await;
    let old = c.enroll(41).await;

    let out =
        binary::succeeded(command(dir.path(), &db).args(["admin", "keys", "rotate", "--json"]));
    let rotated: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(rotated["rotated"][0]["data_key_version"], 2);

    // The server picks up the new version within its key cache lifetime.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let new = c.enroll(42).await;
    // Old data is still found (fingerprints) and served.
    let f = c
        .ask(
            "find-customer",
            &json!({"ssn": enrollment(41)["ssn"], "dateOfBirth": "1978-09-11"}),
        )
        .await;
    assert_eq!(f.body["customerId"], old.as_str());
    drop(s);

    // Open the store as the server does and read both generations.
    let settings = fundline::settings::Settings::load(&fundline::settings::Flags {
        data_dir: Some(dir.path().to_path_buf()),
        database_url: Some(db.clone()),
        ..Default::default()
    })
    .unwrap();
    let (store, keyring) = fundline::serve::open(&settings).await.unwrap();
    let tenant = creds["tenant_id"].as_str().unwrap();
    let keys = keyring.tenant(&store, tenant).await.unwrap();
    for (id, n, version) in [(old, 41, 1), (new, 42, 2)] {
        let row = fundline_store::checkcashing::get_customer(&store, tenant, &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            fundline_vault::TenantKeys::sealed_version(&row.ssn_sealed).unwrap(),
            version
        );
        assert_eq!(
            keys.open_string_row("cc_customers", "ssn", &id, &row.ssn_sealed)
                .unwrap()
                .expose(),
            enrollment(n)["ssn"]
        );
    }
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let (dir, db) = fresh().await;
    let mut s = start(dir.path(), &db, "term").await;
    let status = Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // Up to 15 s: under a loaded CI machine the drain and the workers' join
    // can take a few seconds; a server that ignores SIGTERM never exits.
    for _ in 0..300 {
        if let Some(code) = s.child.try_wait().unwrap() {
            assert!(code.success(), "exit {code:?}");
            let logs = std::fs::read_to_string(dir.path().join("term.err")).unwrap();
            assert!(logs.contains("shutdown signal received"));
            // Every background worker stopped and was joined before the
            // database closed; none had to be aborted.
            assert!(logs.contains("workers stopped"), "{logs}");
            assert!(!logs.contains("still busy at shutdown"), "{logs}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not stop on SIGTERM");
}

/// The sandbox end to end through the binary: a report request's message in
/// `admin outbox list --json` and on the sandbox mailbox page, its link, the
/// sandbox bank, and the finished report.
#[tokio::test]
async fn sandbox_outbox_link_and_sandbox_bank_build_a_report() {
    let (dir, db) = fresh().await;
    let s = start(dir.path(), &db, "iba").await;
    let creds = binary::sandbox_credentials(dir.path());
    let http = reqwest::Client::new();
    let token = binary::staff_token(&s.base, &creds).await;
    let mut body = serde_json::json!({
        "userName": "sam", "password": "pw-123456", "customerType": 1, "lastName": "Sandbox", "firstName": "Sam",
        "phoneNumber": "4045550199", "email": "sam@example.com", "addressLine1": "1 Demo Way", "country": "USA",
        "city": "Atlanta", "state": "GA", "postalCode": "30303", "ssn": "123456780", "dob": "1988-02-03",
        "triggerReportRequest": true
    });
    binary::create_customer(&s.base, &token, &body).await;
    body["email"] = serde_json::json!("unused");

    let messages = binary::outbox(dir.path(), &db);
    let m = &messages[0];
    assert_eq!(m["recipient"], "sam@example.com");
    assert_eq!(m["channel"], "email");
    let link = m["link"].as_str().unwrap().to_string();
    assert!(link.starts_with(&format!("{}/connect/", s.base)), "{link}");
    assert!(m["text"].as_str().unwrap().contains(&link));

    // The mailbox is for the sandbox tenant's staff: the browser's Basic login.
    let mailbox = common::text_of(http.get(format!("{}/sandbox/mailbox", s.base)).basic_auth(
        creds["analysis"]["email"].as_str().unwrap(),
        creds["analysis"]["password"].as_str(),
    ))
    .await;
    assert!(mailbox.contains("sam@example.com") && mailbox.contains(&link));

    assert_eq!(common::sharing::consent(&link).await, 200);
    let shared = http
        .post(format!("{link}/sandbox-bank"))
        .send()
        .await
        .unwrap();
    assert_eq!(shared.status(), 202);
    common::sharing::report_built(&link, Duration::from_secs(10)).await;
    let report_id = m["reportRequestId"].as_str().unwrap();
    let fr = common::json_of(
        http.get(format!(
            "{}/api/v1/instantbankanalysis/financialreport?reportId={report_id}",
            s.base
        ))
        .bearer_auth(&token),
    )
    .await;
    let employers = fr["data"]["likelyEmployerResults"].as_array().unwrap();
    assert_eq!(employers.len(), 1, "{fr}");
    assert_eq!(employers[0]["frequency"], "Bi-Weekly");
    assert!(!fr["data"]["potentialLoans"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn statement_inspect_prints_a_parse_or_the_reason_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let statement = common::ofx::statement(chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
    let good = file_in(&dir, "good.ofx", statement.text);
    let out = Command::new(BIN)
        .args(["statement", "inspect", good.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["statement"]["format"], "ofx2");
    assert!(v["transaction_count"].as_u64().unwrap() > 40);
    assert_eq!(v["statement"]["accounts"][0]["account_id"], "********6789");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("000123456789"));

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "hello,world\nfoo,bar\n").unwrap();
    let out = Command::new(BIN)
        .args(["statement", "inspect", bad.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(!v["error"].as_str().unwrap().is_empty());
}

/// A client that trickles its headers is cut off; one that trickles its body
/// gets 408; connections beyond the cap wait until a slot frees.
#[tokio::test]
async fn slow_clients_time_out_and_connections_are_capped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (dir, db) = fresh().await;
    let s = start_env(
        dir.path(),
        &db,
        "limits",
        &[
            ("FUNDLINE_HEADER_READ_TIMEOUT_SECS", "1"),
            ("FUNDLINE_REQUEST_TIMEOUT_SECS", "1"),
            ("FUNDLINE_MAX_CONNECTIONS", "2"),
        ],
    )
    .await;
    let addr = s.base.trim_start_matches("http://").to_string();

    // Headers never finished: closed after the header deadline.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server kept a half-sent request open");
    drop(slow);

    // A body that never arrives: 408 after the request deadline.
    let mut trickle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    trickle
        .write_all(b"POST /api/v1/partners/authenticate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
        .await
        .unwrap();
    // The answer is in the partner API's own envelope, not an empty 408.
    let mut head = String::new();
    while !head.contains("REQUEST_TIMEOUT") {
        let mut buf = vec![0u8; 2048];
        let n = tokio::time::timeout(Duration::from_secs(5), trickle.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed before the body: {head}");
        head.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(head.contains("application/problem+json"), "{head}");
    drop(trickle);
    // Let the server see those two close.
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Two idle connections hold both slots: a third client waits.
    let idle1 = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let idle2 = tokio::net::TcpStream::connect(&addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    assert!(
        http.get(format!("{}/healthz", s.base))
            .send()
            .await
            .is_err(),
        "a third connection was served"
    );
    drop(idle1);
    drop(idle2);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let ok = reqwest::get(format!("{}/healthz", s.base)).await.unwrap();
    assert_eq!(ok.status(), 200);
}

/// `fundline bench` runs the mix over every product end to end, with no
/// failed request, and prints each kind of request's latencies (a smoke run:
/// the figures themselves come from release builds, docs/benchmarks.md).
#[test]
fn the_bench_mix_runs_every_product_without_errors() {
    let out = Command::new(BIN)
        .args([
            "bench",
            "--engine",
            "sqlite",
            "--scenarios",
            "http-ceiling,mix",
            "--seconds",
            "2",
            "--connections",
            "2",
            "--customers",
            "4",
        ])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mix = text
        .lines()
        .find(|l| l.contains(" mix "))
        .unwrap_or_else(|| panic!("no mix row: {text}"));
    assert!(mix.contains("errors 0"), "{mix}");
    assert!(mix.contains("% of ceiling"), "{mix}");
    for kind in [
        "check-deposit",
        "gateway-process",
        "connect-token",
        "get-registered-cards",
    ] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(kind)),
            "{kind} missing: {text}"
        );
    }
    assert!(text.contains("fsync/s"), "{text}");
}
