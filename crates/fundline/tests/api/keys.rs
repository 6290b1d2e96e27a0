//! Key custody through the real binary: where the master key comes from
//! (file, environment, shares), private files, the reseal pass, master key
//! rotation, and the separate, rotatable JWT and URL signing keys.

use crate::common;
use common::steps::Connect;
use common::steps::Partner;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::binary::{self, Server};

use fundline::client::{
    card, enrollment, session_request, test_visa, GatewayClient, PartnerClient,
};
use serde_json::{json, Value};

/// `fundline` over the store with these settings.
fn command(dir: &Path, db: &str, envs: &[(&str, &str)]) -> Command {
    let mut c = binary::command(dir, db);
    c.envs(envs.iter().copied());
    c
}

fn admin(dir: &Path, db: &str, envs: &[(&str, &str)], args: &[&str]) -> Output {
    command(dir, db, envs)
        .arg("admin")
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// An admin command that must succeed, its JSON output read.
fn admin_json(dir: &Path, db: &str, envs: &[(&str, &str)], args: &[&str]) -> Value {
    serde_json::from_str(ok(&admin(dir, db, envs, args)).trim()).unwrap()
}

/// Enrolls customer `n` through the partner API; its CustomerId.
async fn enroll(c: &PartnerClient, n: u64) -> String {
    c.enroll(n).await
}

/// Starts `serve`; Err(its log) if it exits instead of becoming ready.
async fn try_start(dir: &Path, db: &str, envs: &[(&str, &str)]) -> Result<Server, String> {
    // Each start in a test's directory keeps its own log.
    static STARTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = STARTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    binary::try_serve(dir, db, &format!("serve-{n}"), envs).await
}

async fn start(dir: &Path, db: &str, envs: &[(&str, &str)]) -> Server {
    try_start(dir, db, envs).await.unwrap()
}

async fn staff_get(base: &str, token: &str, path: &str) -> (u16, Value) {
    let http = reqwest::Client::new();
    common::send(http.get(format!("{base}{path}")).bearer_auth(token)).await
}

fn kid(token: &str) -> String {
    jsonwebtoken_kid(token)
}

/// The `kid` of a JWT's header (base64url JSON, first segment).
fn jsonwebtoken_kid(token: &str) -> String {
    use base64::Engine as _;
    let head = token.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head)
        .unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["kid"].as_str().unwrap().to_string()
}

async fn fresh() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = common::fresh_database_url(dir.path()).await;
    (dir, db)
}

fn is_sqlite(db: &str) -> bool {
    db.starts_with("sqlite:")
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// A new master key in a directory apart from the data.
fn new_master(dir: &Path, db: &str, keys: &Path, name: &str) -> PathBuf {
    let path = keys.join(name);
    ok(&admin(
        dir,
        db,
        &[],
        &["keys", "new-master", "--out", path.to_str().unwrap()],
    ));
    path
}

/// A fresh store whose master key ("k1") is a file kept apart from the data.
struct Keyed {
    dir: tempfile::TempDir,
    keys: tempfile::TempDir,
    db: String,
    key_file: PathBuf,
}

impl Keyed {
    async fn new() -> Keyed {
        let (dir, db) = fresh().await;
        let keys = tempfile::tempdir().unwrap();
        let key_file = new_master(dir.path(), &db, keys.path(), "k1");
        Keyed {
            dir,
            keys,
            db,
            key_file,
        }
    }

    /// A new store and `serve` over it with the key file; the server and
    /// the sandbox credentials it wrote.
    async fn serving() -> (Keyed, Server, Value) {
        let k = Keyed::new().await;
        let s = k.start(&k.env()).await;
        let creds = binary::sandbox_credentials(k.d());
        (k, s, creds)
    }

    fn d(&self) -> &Path {
        self.dir.path()
    }

    /// The environment naming the key file.
    fn env(&self) -> [(&'static str, &str); 1] {
        [("FUNDLINE_MASTER_KEY_FILE", self.key_file.to_str().unwrap())]
    }

    async fn start(&self, envs: &[(&str, &str)]) -> Server {
        start(self.d(), &self.db, envs).await
    }

    async fn try_start(&self, envs: &[(&str, &str)]) -> Result<Server, String> {
        try_start(self.d(), &self.db, envs).await
    }

    /// `serve` with `envs` starts and the sandbox partner logs in.
    async fn opens_with(&self, envs: &[(&str, &str)]) {
        let s = self.start(envs).await;
        let creds = binary::sandbox_credentials(self.d());
        binary::partner(&s.base, &creds, "device-k").await;
    }

    /// `serve` with `envs` does not start; its log.
    async fn refused_with(&self, envs: &[(&str, &str)]) -> String {
        let names: Vec<_> = envs.iter().map(|(name, _)| *name).collect();
        self.try_start(envs)
            .await
            .err()
            .unwrap_or_else(|| panic!("the server started with {names:?}"))
    }

    /// An admin command with the key file (any outcome).
    fn admin(&self, args: &[&str]) -> Output {
        admin(self.d(), &self.db, &self.env(), args)
    }

    /// An admin command with the key file that must succeed; its JSON output.
    fn admin_json(&self, args: &[&str]) -> Value {
        admin_json(self.d(), &self.db, &self.env(), args)
    }
}

/// The gateway client of the sandbox tenant in `creds`.
fn gateway(s: &Server, creds: &Value) -> GatewayClient {
    GatewayClient::new(
        &s.base,
        creds["ingopay"]["username"].as_str().unwrap(),
        creds["ingopay"]["secret"].as_str().unwrap(),
    )
}

/// A Connect client of the sandbox tenant in `creds`, signing with `secret`.
fn connect(s: &Server, creds: &Value, secret: &str) -> fundline::client::ConnectClient {
    fundline::client::ConnectClient::new(
        &s.base,
        creds["connect"]["api_key_id"].as_str().unwrap(),
        secret,
    )
}

/// A plugin session created through the gateway, which must be accepted.
async fn plugin_session(g: &GatewayClient, uid: &str) -> fundline::client::Answer {
    let a = g
        .post(
            "/api/v1/sessions/point-in-time/plugin",
            &session_request(uid),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(a.body["status"], 100, "{}", a.text);
    a
}

/// FindCustomer by test customer `n`'s SSN and date of birth.
async fn find_by_ssn(c: &PartnerClient, n: u64) -> fundline::client::Answer {
    c.ask(
        "find-customer",
        &json!({"ssn": enrollment(n)["ssn"], "dateOfBirth": "1978-09-11"}),
    )
    .await
}

/// A connection straight to the database, past the server.
async fn connect_db(db: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    <sqlx::AnyConnection as sqlx::Connection>::connect(db)
        .await
        .unwrap()
}

async fn fetch_all(conn: &mut sqlx::AnyConnection, sql: &str) -> Vec<sqlx::any::AnyRow> {
    sqlx::query(sql).fetch_all(conn).await.unwrap()
}

/// The outbox message with `id` in `list` (admin outbox list's output).
fn message<'a>(list: &'a Value, id: &Value) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| &m["id"] == id)
        .unwrap()
}

#[tokio::test]
async fn the_master_key_comes_from_a_file_the_environment_or_all_of_its_shares() {
    let k = Keyed::new().await;
    let (d, db, key_file, file_env) = (k.d(), &k.db, &k.key_file, k.env());
    #[cfg(unix)]
    assert_eq!(mode(key_file), 0o600);
    k.opens_with(&file_env).await;

    #[cfg(unix)]
    if is_sqlite(db) {
        let db_path = db
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{db_path}{suffix}"));
            if p.exists() {
                assert_eq!(mode(&p), 0o600, "{}", p.display());
            }
        }
        assert_eq!(mode(&d.join("sandbox-credentials.json")), 0o600);
    }

    // Split into three shares; all three start the server, two do not.
    let prefix = k.keys.path().join("share");
    ok(&k.admin(&[
        "keys",
        "split",
        "--shares",
        "3",
        "--out",
        prefix.to_str().unwrap(),
    ]));
    let share = |i: u32| format!("{}.{i}", prefix.display());
    let key_b64 = std::fs::read_to_string(key_file).unwrap();
    for i in 1..=3 {
        let text = std::fs::read_to_string(share(i)).unwrap();
        assert!(text.starts_with("fks1."));
        assert!(!text.contains(key_b64.trim()));
        #[cfg(unix)]
        assert_eq!(mode(Path::new(&share(i))), 0o600);
    }
    let all = format!("{},{},{}", share(1), share(2), share(3));
    k.opens_with(&[("FUNDLINE_MASTER_KEY_SHARES", &all)]).await;
    // A share may also come from the environment.
    let third = std::fs::read_to_string(share(3)).unwrap();
    let mixed = format!("{},env:KEY_SHARE_C,{}", share(1), share(2));
    k.opens_with(&[
        ("FUNDLINE_MASTER_KEY_SHARES", &mixed),
        ("KEY_SHARE_C", third.trim()),
    ])
    .await;

    let two = format!("{},{}", share(1), share(2));
    let err = k
        .refused_with(&[("FUNDLINE_MASTER_KEY_SHARES", &two)])
        .await;
    assert!(err.contains("do not combine"), "{err}");
    let err = k
        .refused_with(&[("FUNDLINE_MASTER_KEY_SHARES", &share(1))])
        .await;
    assert!(err.contains("two or more"), "{err}");

    // The environment holds the same key; two sources at once are refused.
    k.opens_with(&[("FUNDLINE_MASTER_KEY", key_b64.trim())])
        .await;
    let err = k
        .refused_with(&[
            ("FUNDLINE_MASTER_KEY", key_b64.trim()),
            ("FUNDLINE_MASTER_KEY_FILE", key_file.to_str().unwrap()),
        ])
        .await;
    assert!(err.contains("set only one"), "{err}");

    // A key file others can read is refused.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = k.refused_with(&file_env).await;
        assert!(err.contains("readable by other users"), "{err}");
        std::fs::set_permissions(key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // No key ever went into the data directory, and none reached stderr.
    assert!(!d.join("master.key").exists());
    for entry in std::fs::read_dir(d).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "err") {
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(!text.contains(key_b64.trim()), "{}", p.display());
            assert!(!text.contains(third.trim()), "{}", p.display());
        }
    }
}

/// Every sealed value of every sealed column, straight from the database.
async fn sealed_values(db: &str) -> Vec<(String, String)> {
    use sqlx::Row;
    let mut conn = connect_db(db).await;
    let mut out = Vec::new();
    for c in fundline_store::sealed::SEALED_COLUMNS {
        let sql = format!(
            "SELECT {col} FROM {t} WHERE {col} IS NOT NULL",
            col = c.column,
            t = c.table
        );
        for r in fetch_all(&mut conn, &sql).await {
            out.push((format!("{}.{}", c.table, c.column), r.get::<String, _>(0)));
        }
    }
    out
}

#[tokio::test]
async fn reseal_moves_every_sealed_value_to_the_newest_key_while_the_server_runs() {
    let (k, s, creds) = Keyed::serving().await;
    let c = binary::partner(&s.base, &creds, "device-k").await;
    let cid = enroll(&c, 51).await;
    let pan = test_visa(51);
    let added = c.ask("add-or-update-card", &card(&cid, &pan)).await;
    assert_eq!(added.status, 200, "{}", added.text);
    // An analysis customer (sealed SSN, licence, account number) and the
    // message sent to them (sealed text and link).
    let token = binary::staff_token(&s.base, &creds).await;
    let created = binary::create_customer(&s.base, &token, &json!({
            "userName": "kim", "password": "pw-123456", "customerType": 1, "lastName": "Keys", "firstName": "Kim",
            "phoneNumber": "4045550111", "email": "kim@example.com", "addressLine1": "1 Vault Way", "country": "USA",
            "city": "Atlanta", "state": "GA", "postalCode": "30303", "ssn": "123456781", "dob": "1988-02-03",
            "driversLicense": "D7654321", "bankAccNo": "34366787628003540", "bankName": "First", "routingNo": "011000015",
            "triggerReportRequest": true
        })).await;
    let outbox_before = ok(&k.admin(&["outbox", "list", "--json"]));

    let before = sealed_values(&k.db).await;
    let bound: std::collections::BTreeSet<String> = fundline_store::sealed::SEALED_COLUMNS
        .iter()
        .filter(|c| c.row_bound)
        .map(|c| format!("{}.{}", c.table, c.column))
        .collect();
    for (col, v) in &before {
        let prefix = if bound.contains(col) {
            "fv2.1."
        } else {
            "fv1.1."
        };
        assert!(v.starts_with(prefix), "{col}: {}", &v[..6]);
    }
    let columns: std::collections::BTreeSet<_> = before.iter().map(|(c, _)| c.clone()).collect();
    for needed in [
        "credentials.secret_sealed",
        "cc_customers.ssn_sealed",
        "cc_cards.number_sealed",
        "ba_customers.ssn_sealed",
        "ba_customers.drivers_license_sealed",
        "ba_customers.bank_acc_sealed",
        "ba_outbox.text_sealed",
        "ba_outbox.link_sealed",
    ] {
        assert!(
            columns.contains(needed),
            "{needed} has no values: {columns:?}"
        );
    }

    // Rotate and reseal beside the running server.
    let out = k.admin(&["keys", "rotate", "--reseal", "--json"]);
    let stdout = ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("reseal: tenant"),
        "progress on stderr: {stderr}"
    );
    assert!(
        stderr.contains("0 values not on the newest key"),
        "{stderr}"
    );
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        report["reseal"]["resealed"],
        before.len() as u64,
        "{report}"
    );
    assert_eq!(report["reseal"]["unreadable"], 0);

    let after = sealed_values(&k.db).await;
    assert_eq!(after.len(), before.len());
    for (col, v) in &after {
        let prefix = if bound.contains(col) {
            "fv2.2."
        } else {
            "fv1.2."
        };
        assert!(v.starts_with(prefix), "{col} still on an old key");
    }
    // Resumable: a second pass finds nothing left to do.
    let again = k.admin_json(&["keys", "reseal", "--json"]);
    assert_eq!(again["resealed"], 0);
    assert_eq!(again["current"], before.len() as u64);

    // The server still reads everything: the partner's card (last four),
    // SSN lookups (fingerprints), the gateway secret (HMAC verification), the
    // sealed outbox, the analysis customer.
    let list = c.cards_of(&cid).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["cards"][0]["lastFourDigits"], &pan[12..]);
    let f = find_by_ssn(&c, 51).await;
    assert_eq!(f.body["customerId"], cid.as_str());
    plugin_session(&gateway(&s, &creds), "KEY-1").await;
    assert_eq!(ok(&k.admin(&["outbox", "list", "--json"])), outbox_before);
    let id = created["data"]["id"].as_str().unwrap().to_string();
    let (status, body) = staff_get(&s.base, &token, &format!("/api/v1/customer/{id}")).await;
    assert_eq!(status, 200, "{body}");
    let d = &body["data"];
    assert_eq!(d["ssn"], "*****6781", "{body}");
    assert!(
        d["driversLicense"].as_str().unwrap().ends_with("4321"),
        "{body}"
    );
    assert!(d["bankAccNo"].as_str().unwrap().ends_with("3540"), "{body}");
    assert!(!body.to_string().contains("D7654321"));
}

#[tokio::test]
async fn rotate_master_rewraps_every_key_and_only_the_new_master_opens_the_store() {
    let (k, s, creds) = Keyed::serving().await;
    let (d, db) = (k.d(), &k.db);
    let cid = enroll(&binary::partner(&s.base, &creds, "device-k").await, 61).await;
    drop(s);

    let k2 = new_master(d, db, k.keys.path(), "k2");
    // The new key as shares, to show a rotation into split knowledge.
    let prefix = k.keys.path().join("new-share");
    ok(&admin(
        d,
        db,
        &[],
        &[
            "keys",
            "split",
            "--shares",
            "2",
            "--from-file",
            k2.to_str().unwrap(),
            "--out",
            prefix.to_str().unwrap(),
        ],
    ));
    // Before the rotation the new key does not open the store.
    let new_env = [("FUNDLINE_MASTER_KEY_FILE", k2.to_str().unwrap())];
    let err = k.refused_with(&new_env).await;
    assert!(err.contains("does not match"), "{err}");

    let shares = format!("{p}.1,{p}.2", p = prefix.display());
    let moved = k.admin_json(&[
        "keys",
        "rotate-master",
        "--new-key-shares",
        &shares,
        "--json",
    ]);
    assert!(moved["rewrapped"].as_u64().unwrap() >= 4, "{moved}");

    let err = k.refused_with(&k.env()).await;
    assert!(err.contains("does not match"), "{err}");
    let s = k.start(&[("FUNDLINE_MASTER_KEY_SHARES", &shares)]).await;
    let c = binary::partner(&s.base, &creds, "device-k").await;
    let f = find_by_ssn(&c, 61).await;
    assert_eq!(f.body["customerId"], cid.as_str());
    drop(s);
    k.opens_with(&new_env).await;
}

#[tokio::test]
async fn jwt_and_url_keys_rotate_and_old_tokens_keep_working_within_their_lifetime() {
    let (k, s, creds) = Keyed::serving().await;
    let tenant = creds["tenant_id"].as_str().unwrap().to_string();
    let old = binary::staff_token(&s.base, &creds).await;
    assert_eq!(kid(&old), format!("{tenant}.1"));
    assert_eq!(staff_get(&s.base, &old, "/api/v1/auth/status").await.0, 200);

    let g = gateway(&s, &creds);
    let session = |uid: &'static str| {
        let g = &g;
        let base = s.base.clone();
        async move {
            let a = plugin_session(g, uid).await;
            let url = a.body["data"]["authorized_url"]
                .as_str()
                .unwrap()
                .to_string();
            let path = url.split_once("/session/").unwrap().1.to_string();
            format!("{base}/session/{path}")
        }
    };
    let old_url = session("URL-OLD").await;

    let rotated = k.admin_json(&["keys", "rotate", "--key", "jwt,url", "--json"]);
    let kinds: Vec<_> = rotated["rotated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["version"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("jwt".into(), 2)) && kinds.contains(&("url".into(), 2)),
        "{kinds:?}"
    );
    tokio::time::sleep(Duration::from_secs(6)).await;

    // New tokens carry the new version; the old one still works until it expires.
    let new = binary::staff_token(&s.base, &creds).await;
    assert_eq!(kid(&new), format!("{tenant}.2"));
    assert_eq!(staff_get(&s.base, &new, "/api/v1/auth/status").await.0, 200);
    assert_eq!(staff_get(&s.base, &old, "/api/v1/auth/status").await.0, 200);
    // A token that names a version the tenant lacks, or none, is refused.
    let parts: Vec<&str> = new.split('.').collect();
    {
        use base64::Engine as _;
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        for forged_kid in [
            format!("{tenant}.7"),
            tenant.clone(),
            format!("{tenant}.01x"),
        ] {
            let head =
                e.encode(json!({"alg": "HS256", "typ": "JWT", "kid": forged_kid}).to_string());
            let t = format!("{head}.{}.{}", parts[1], parts[2]);
            assert_eq!(
                staff_get(&s.base, &t, "/api/v1/auth/status").await.0,
                401,
                "{forged_kid}"
            );
        }
    }

    // The URL issued before the rotation still opens (it expires in 30 s);
    // a new one is signed with the new key; a tampered one does not open.
    let r = reqwest::get(&old_url).await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let new_url = session("URL-NEW").await;
    assert_ne!(new_url, old_url);
    assert_eq!(reqwest::get(&new_url).await.unwrap().status(), 200);
    let newer_url = session("URL-NEWER").await;
    let tampered = format!("{}0", &newer_url[..newer_url.len() - 1]);
    let tampered = if tampered == newer_url {
        format!("{}1", &newer_url[..newer_url.len() - 1])
    } else {
        tampered
    };
    assert_ne!(reqwest::get(&tampered).await.unwrap().status(), 200);
}

/// Signs `claims` as an HS256 JWT with `key` and `kid`.
fn sign_jwt(claims: &Value, key: &[u8], kid: &str) -> String {
    let mut header = josekit::jws::JwsHeader::new();
    header.set_token_type("JWT");
    header.set_key_id(kid);
    let payload = josekit::jwt::JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
    let signer = josekit::jws::HS256.signer_from_bytes(key).unwrap();
    josekit::jwt::encode_with_signer(&payload, &header, &signer).unwrap()
}

fn claims_of(token: &str) -> Value {
    use base64::Engine as _;
    let body = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_replaced_jwt_key_stops_verifying_after_the_token_lifetime_and_the_fingerprint_key_signs_nothing(
) {
    let app = common::spawn_app().await;
    let staff = common::staff::Staff::admin(&app).await;
    let tenant = app.tenant.tenant_id.clone();
    assert_eq!(kid(&staff.token), format!("{tenant}.1"));
    let keys = app.keyring.fresh(&app.store, &tenant).await.unwrap();
    let v1 = keys
        .signing_key(fundline_vault::JWT, 1, "staff-jwt-v1")
        .unwrap()
        .to_vec();
    // The old derivation (fingerprint key) no longer signs anything.
    let legacy = keys.fingerprint("staff-jwt-v1", &tenant).into_bytes();
    let mut claims = claims_of(&staff.token);
    let forged = sign_jwt(&claims, &legacy, &tenant);
    assert_eq!(staff_status(&app, &forged).await, 401);
    assert_eq!(staff_status(&app, &staff.token).await, 200);

    let rotated =
        fundline_store::keyring::rotate_keys(&app.store, app.keyring.master(), fundline_vault::JWT)
            .await
            .unwrap();
    assert_eq!(rotated[0].1, 2);
    app.keyring.fresh(&app.store, &tenant).await.unwrap();
    // A v1 token that would not expire for a day: valid while v1 overlaps…
    let now = claims["iat"].as_i64().unwrap();
    claims["exp"] = json!(now + 24 * 3600);
    let long = sign_jwt(&claims, &v1, &format!("{tenant}.1"));
    assert_eq!(staff_status(&app, &long).await, 200);
    assert_eq!(staff_status(&app, &staff.token).await, 200);
    // …and refused once the 15-minute overlap has passed, whatever its exp.
    app.clock.advance(Duration::from_secs(16 * 60));
    assert_eq!(staff_status(&app, &long).await, 401);
    assert_eq!(staff_status(&app, &staff.token).await, 401);
    let fresh = common::staff::Staff::admin(&app).await;
    assert_eq!(kid(&fresh.token), format!("{tenant}.2"));
    assert_eq!(staff_status(&app, &fresh.token).await, 200);
}

async fn staff_status(app: &common::TestApp, token: &str) -> u16 {
    staff_get(&app.base, token, "/api/v1/auth/status").await.0
}

#[tokio::test]
async fn a_sealed_value_copied_to_another_row_does_not_open() {
    let (k, s, creds) = Keyed::serving().await;
    let token = binary::staff_token(&s.base, &creds).await;
    for (n, email) in [(1, "ann@example.com"), (2, "bob@example.com")] {
        binary::create_customer(&s.base, &token, &json!({
                "userName": format!("row{n}"), "password": "pw-123456", "customerType": 1, "lastName": "Row", "firstName": format!("R{n}"),
                "phoneNumber": "4045550111", "email": email, "addressLine1": "1 Vault Way", "country": "USA",
                "city": "Atlanta", "state": "GA", "postalCode": "30303", "ssn": format!("12345678{n}"), "dob": "1988-02-03",
                "triggerReportRequest": true
            })).await;
    }
    let list = k.admin_json(&["outbox", "list", "--json"]);
    let msgs = list.as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    let (a, b) = (&msgs[0], &msgs[1]);
    let a_link = a["link"].as_str().unwrap().to_string();
    assert!(b["link"].as_str().is_some());

    // An attacker with write access to the database copies A's sealed link
    // (a live credential) into B's row, hoping B's recipient gets it.
    use sqlx::Row;
    let mut conn = connect_db(&k.db).await;
    let sealed: String = sqlx::query("SELECT link_sealed FROM ba_outbox WHERE id = $1")
        .bind(a["id"].as_str().unwrap())
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert!(sealed.starts_with("fv2."));
    sqlx::query("UPDATE ba_outbox SET link_sealed = $1 WHERE id = $2")
        .bind(&sealed)
        .bind(b["id"].as_str().unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);

    let list = k.admin_json(&["outbox", "list", "--json"]);
    let text = list.to_string();
    let b2 = message(&list, &b["id"]);
    assert_eq!(
        b2["link"],
        Value::Null,
        "the copied link must not open in B's row"
    );
    assert_eq!(
        text.matches(&a_link).count(),
        2,
        "only A's own text and link show it"
    );
    assert_eq!(message(&list, &a["id"])["link"], a_link.as_str());
    // After a rotation the reseal pass does not launder it into B's row: it
    // counts it as unreadable and leaves it alone.
    let report = k.admin_json(&["keys", "rotate", "--reseal", "--json"]);
    assert_eq!(report["reseal"]["unreadable"], 1, "{report}");
    let list = k.admin_json(&["outbox", "list", "--json"]);
    assert_eq!(message(&list, &b["id"])["link"], Value::Null);
}

/// Every fingerprint value of every fingerprint column, straight from the
/// database: "table.column" → [(row id, value)] in row-id order.
async fn fingerprint_values(db: &str) -> std::collections::BTreeMap<String, Vec<(String, String)>> {
    use sqlx::Row;
    let mut conn = connect_db(db).await;
    let mut out = std::collections::BTreeMap::new();
    for t in fundline_store::fingerprints::FINGERPRINT_TABLES {
        for col in t.fp_cols {
            let sql = format!(
                "SELECT {k}, {col} FROM {t} ORDER BY {k}",
                k = t.key_col,
                t = t.table
            );
            let rows = fetch_all(&mut conn, &sql).await;
            out.insert(
                format!("{}.{col}", t.table),
                rows.iter()
                    .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
                    .collect(),
            );
        }
    }
    out
}

/// One row per fingerprint key version of the tenant: (version, retired?).
async fn fingerprint_keys(db: &str) -> Vec<(i64, bool)> {
    use sqlx::Row;
    let mut conn = connect_db(db).await;
    let sql = "SELECT version, retired_at FROM tenant_keys WHERE purpose = 'fp' ORDER BY version";
    fetch_all(&mut conn, sql)
        .await
        .iter()
        .map(|r| (r.get(0), r.get::<Option<i64>, _>(1).is_some()))
        .collect()
}

/// What the check deposit flow needs: a session of a customer.
async fn check_session(s: &Server, c: &PartnerClient, customer: &str) -> String {
    let a = c.obo(customer).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let b = common::json_of(
        reqwest::Client::new()
            .post(format!("{}/api/v1/checks/sessions", s.base))
            .json(&json!({"ssoToken": a.body["ssoToken"]})),
    )
    .await;
    b["accessToken"].as_str().unwrap().to_string()
}

/// Deposits a check (images made unique by `salt`) and waits until it is
/// funded or declined; its final state.
async fn deposit(s: &Server, session: &str, card_id: &str, micr: &str, salt: u64) -> Value {
    let http = reqwest::Client::new();
    let png = fundline::client::check_png;
    let (front, back) = (png(1600, 700, salt), png(1600, 700, 1_000_000 + salt));
    let form = fundline::client::Deposit::payroll(front, back, card_id, micr).form();
    let sub = common::json_of(
        http.post(format!("{}/api/v1/checks", s.base))
            .bearer_auth(session)
            .multipart(form),
    )
    .await;
    let id = sub["transactionId"]
        .as_str()
        .unwrap_or_else(|| panic!("{sub}"))
        .to_string();
    let settled = common::try_eventually(Duration::from_secs(30), async || {
        let b = common::json_of(
            http.get(format!("{}/api/v1/checks/{id}", s.base))
                .bearer_auth(session),
        )
        .await;
        ["funded", "declined"]
            .contains(&b["status"].as_str().unwrap_or(""))
            .then_some(b)
    })
    .await;
    settled.unwrap_or_else(|_| panic!("check {id} did not settle: {}", s.log()))
}

fn gateway_card(creds: &Value, pan: &str) -> Value {
    json!({"participant_id": creds["ingopay"]["participant_id"], "account_type": "CA", "amount": "10.50",
           "recipient_first_name": "Johnny", "recipient_last_name": "Rockets", "account": pan, "expiration_date": "3012",
           "cvv": "123", "recipient_address1": "123 Main St", "recipient_address2": "Apt 2", "recipient_city": "Atlanta",
           "recipient_state": "GA", "recipient_zip": "30313", "recipient_phone": "1231231234",
           "participant_unique_id1": "fp-rotation", "timestamp": chrono::Utc::now().timestamp(), "version": 11})
}

fn gateway_bank(creds: &Value) -> Value {
    json!({"participant_id": creds["ingopay"]["participant_id"], "account_type": "AC", "recipient_first_name": "Luke",
           "recipient_last_name": "Skywalker", "account": "22222222", "routing_number": "011000015",
           "recipient_address1": "123 Main St.", "recipient_city": "Atlanta",
           "recipient_state": "GA", "recipient_zip": "30313", "recipient_phone": 1231231234,
           "participant_unique_id1": "fp-rotation", "amount": "10.50",
           "timestamp": chrono::Utc::now().timestamp().to_string(), "version": 11})
}

fn connect_card(number: &str) -> Value {
    json!({"paymentProductId": 1, "card": {
        "customer": {"billingAddress": {"countryCode": "US", "city": "Monument Valley", "street": "Desertroad", "houseNumber": "13", "zip": "84536"},
                     "personalInformation": {"name": {"firstName": "Wile", "surname": "Coyote"}}},
        "data": {"cardWithoutCvv": {"cardNumber": number, "cardholderName": "Wile E. Coyote", "expiryDate": "1230"}}}})
}

/// What each product answers for the data created before the rotation:
/// the same customer, card, gateway token and Connect token, and a second
/// presentment of the same check declined as a duplicate.
struct Products<'a> {
    s: &'a Server,
    creds: &'a Value,
    partner: PartnerClient,
    customers: Vec<(u64, String)>,
    card: (String, String),
    gateway_tokens: Vec<String>,
    connect_token: String,
    micr: String,
    session: String,
    card_id: String,
}

impl Products<'_> {
    /// Every lookup by fingerprint finds the rows written before, whatever
    /// their fingerprint version; `salt` keeps new check images unique.
    async fn still_find_everything(&self, salt: u64) {
        let c = &self.partner;
        for (n, id) in &self.customers {
            let f = find_by_ssn(c, *n).await;
            assert_eq!(f.body["customerId"], id.as_str(), "SSN lookup: {}", f.text);
            // The SSN is taken, whatever version its fingerprint is under.
            let mut again = enrollment(*n);
            again["emailAddress"] = json!(format!("other-{n}-{salt}@example.com"));
            let dup = c.ask("enroll-customer", &again).await;
            assert_eq!(dup.body["errorCode"], "SSN_ALREADY_IN_USE", "{}", dup.text);
            // Attributes need the SSN to match the customer's fingerprint.
            let attrs = c
                .ask(
                    "add-customer-attributes",
                    &json!({"customerAttributes": [{"name": "CustomerId", "value": id},
                        {"name": "SSN", "value": enrollment(*n)["ssn"]}, {"name": "Tenure", "value": "18"}]}),
                ).await;
            assert_eq!(attrs.status, 200, "{}", attrs.text);
        }
        // The same card with the same data: recognised, not a second card.
        let (customer, pan) = &self.card;
        let same = c.ask("add-or-update-card", &card(customer, pan)).await;
        assert_eq!(same.status, 200, "{}", same.text);
        let list = c.cards_of(customer).await;
        assert_eq!(
            list.body["cards"].as_array().unwrap().len(),
            2,
            "{}",
            list.text
        );
        assert_eq!(list.body["cards"][0]["cardId"], self.card_id.as_str());
        // The gateway tokenizes the same account to the same token.
        let g = gateway(self.s, self.creds);
        for (body, token) in [
            (
                gateway_card(self.creds, &test_visa(91)),
                &self.gateway_tokens[0],
            ),
            (gateway_bank(self.creds), &self.gateway_tokens[1]),
        ] {
            let a = g.post("/gateway/verify", &body, &[]).await.unwrap();
            assert_eq!(
                a.body["data"]["customer_account_token"],
                token.as_str(),
                "{}",
                a.text
            );
        }
        // The Connect token of the same number.
        let t = make_connect_token(self.s, self.creds).await;
        assert_eq!(
            t.body,
            json!({"token": self.connect_token, "isNewToken": false}),
            "{}",
            t.text
        );
        // A new photograph of the deposited check: a duplicate presentment.
        let dup = deposit(self.s, &self.session, &self.card_id, &self.micr, salt).await;
        assert_eq!(dup["status"], "declined", "{dup}");
        assert_eq!(
            dup["declineReasonCode"],
            fundline_checks::codes::DeclineReason::DuplicatePresentment.code(),
            "{dup}"
        );
    }
}

#[tokio::test]
async fn a_fingerprint_key_rotation_recomputes_every_fingerprint_and_lookups_find_old_rows_throughout(
) {
    let (k, s, creds) = Keyed::serving().await;
    let db = k.db.as_str();
    let c = binary::partner(&s.base, &creds, "device-k").await;

    // Data in every product that writes a fingerprint.
    let mut customers = Vec::new();
    for n in [61u64, 62, 63] {
        let id = enroll(&c, n).await;
        customers.push((n, id));
    }
    let customer = customers[0].1.clone();
    let pan = test_visa(61);
    let added = c.ask("add-or-update-card", &card(&customer, &pan)).await;
    assert_eq!(added.status, 200, "{}", added.text);
    // A partner card token sent without its last four.
    let mut tokenized = card(&customer, "");
    let o = tokenized.as_object_mut().unwrap();
    o.remove("cardNumber");
    o.insert("cardToken".into(), json!("partner-token-61"));
    o.insert("cardBin".into(), json!("411111"));
    let t = c.ask("add-or-update-tokenized-card", &tokenized).await;
    assert_eq!(t.status, 200, "{}", t.text);
    let list = c.cards_of(&customer).await;
    let card_id = list.body["cards"][0]["cardId"]
        .as_str()
        .unwrap()
        .to_string();
    let hash_before = list.body["cards"][0]["hashId"].clone();
    let session = check_session(&s, &c, &customer).await;
    let micr = "T021000021T 123456789O 4242".to_string();
    let first = deposit(&s, &session, &card_id, &micr, 1).await;
    assert_eq!(first["status"], "funded", "{first}");
    let g = gateway(&s, &creds);
    let mut gateway_tokens = Vec::new();
    for body in [gateway_card(&creds, &test_visa(91)), gateway_bank(&creds)] {
        let a = g.post("/gateway/verify", &body, &[]).await.unwrap();
        assert_eq!(a.body["status"], 100, "{}", a.text);
        gateway_tokens.push(
            a.body["data"]["customer_account_token"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let made = make_connect_token(&s, &creds).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let products = Products {
        s: &s,
        creds: &creds,
        partner: c,
        customers,
        card: (customer.clone(), pan.clone()),
        gateway_tokens,
        connect_token: made.body["token"].as_str().unwrap().to_string(),
        micr,
        session,
        card_id,
    };

    let before = fingerprint_values(db).await;
    for (col, values) in &before {
        assert!(!values.is_empty(), "{col} has no rows");
        for (_, v) in values {
            assert_eq!(
                fundline_vault::fingerprint_version_of(v),
                Some(1),
                "{col}: {v}"
            );
        }
    }
    assert_eq!(fingerprint_keys(db).await, vec![(1, false)]);

    // Rotate: version 2, beside the running server.
    let rotated = k.admin_json(&["keys", "rotate", "--key", "fp", "--json"]);
    assert_eq!(rotated["rotated"][0]["key"], "fp", "{rotated}");
    assert_eq!(rotated["rotated"][0]["version"], 2, "{rotated}");
    assert_eq!(fingerprint_keys(db).await, vec![(1, false), (2, false)]);
    // Once the server has the new version (its key cache lasts 5 s), new
    // fingerprints are version 2 and every lookup still finds the old rows.
    tokio::time::sleep(fundline_store::keyring::CACHE_TTL + Duration::from_secs(1)).await;
    products.still_find_everything(10).await;
    let new_customer = products
        .partner
        .ask("enroll-customer", &enrollment(64))
        .await;
    assert_eq!(new_customer.status, 200, "{}", new_customer.text);
    let during = fingerprint_values(db).await;
    let fp2 = |v: &str| fundline_vault::fingerprint_version_of(v) == Some(2);
    assert_eq!(
        during["cc_customers.ssn_fp"]
            .iter()
            .filter(|(_, v)| fp2(v))
            .count(),
        1,
        "the new customer's SSN is fingerprinted with version 2"
    );

    // An interrupted pass: three rows, then stop; both versions stay live.
    let part = k.admin_json(&["keys", "refingerprint", "--max-rows", "3", "--json"]);
    assert_eq!(part["refingerprinted"], 3, "{part}");
    assert_eq!(part["stopped_early"], true, "{part}");
    assert_eq!(part["retired_tenants"], 0, "{part}");
    assert!(part["left"].as_u64().unwrap() > 0, "{part}");
    assert_eq!(fingerprint_keys(db).await, vec![(1, false), (2, false)]);
    products.still_find_everything(20).await;

    // The rest of the pass, and the old version retired.
    let pre_pass = fingerprint_values(db).await;
    let out = k.admin(&["keys", "refingerprint", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let done: Value = serde_json::from_str(ok(&out).trim()).unwrap();
    assert!(
        stderr.contains("refingerprint: tenant"),
        "progress: {stderr}"
    );
    assert!(stderr.contains("rows/s"), "{stderr}");
    assert_eq!(done["left"], 0, "{done}");
    assert_eq!(done["retired_tenants"], 1, "{done}");
    for k in ["unreadable", "mismatched", "conflicts"] {
        assert_eq!(done[k], 0, "{k}: {done}");
    }
    assert!(done["refingerprinted"].as_u64().unwrap() > 0, "{done}");
    eprintln!("refingerprint pass: {done}");
    assert_eq!(fingerprint_keys(db).await, vec![(1, true), (2, false)]);
    let after = fingerprint_values(db).await;
    let mut rows = 0;
    for (col, values) in &after {
        for (id, v) in values {
            rows += 1;
            if col == "cc_checks.presentment_fp" && v.is_empty() {
                continue;
            }
            assert!(fp2(v), "{col} row {id} not on version 2: {v}");
        }
        // The same rows as before the pass; every version-1 value replaced.
        assert_eq!(
            values.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            pre_pass[col].iter().map(|(id, _)| id).collect::<Vec<_>>(),
            "{col}"
        );
        for ((_, old), (_, new)) in pre_pass[col].iter().zip(values) {
            if !old.is_empty() && !fp2(old) {
                assert_ne!(old, new, "{col}");
            }
        }
    }
    assert!(rows >= 12, "{after:?}");

    // Run again: nothing to do, the same end state.
    let again = k.admin_json(&["keys", "refingerprint", "--json"]);
    assert_eq!(again["refingerprinted"], 0, "{again}");
    assert_eq!(again["left"], 0, "{again}");
    assert_eq!(fingerprint_values(db).await, after);

    // With version 1 retired (and gone from the server's cache), lookups
    // use version 2 alone and still find everything.
    tokio::time::sleep(fundline_store::keyring::CACHE_TTL + Duration::from_secs(1)).await;
    products.still_find_everything(30).await;
    // The card's hashId is derived from the fingerprint's digits: a new key,
    // a new id (still 32 hex digits).
    let list = products.partner.cards_of(&customer).await;
    let hash_after = list.body["cards"][0]["hashId"].as_str().unwrap();
    assert_eq!(hash_after.len(), 32);
    assert_ne!(list.body["cards"][0]["hashId"], hash_before);
    assert_eq!(fingerprint_values(db).await.len(), after.len());
}

/// A credentials row's sealed secret, straight from the database.
async fn credential_sealed(db: &str, product: &str, column: &str) -> Option<String> {
    use sqlx::Row;
    let mut conn = connect_db(db).await;
    sqlx::query(&format!(
        "SELECT {column} FROM credentials WHERE product = $1"
    ))
    .bind(product)
    .fetch_one(&mut conn)
    .await
    .unwrap()
    .get(0)
}

async fn set_credential_sealed(db: &str, product: &str, value: &str) {
    let mut conn = connect_db(db).await;
    sqlx::query("UPDATE credentials SET secret_sealed = $1 WHERE product = $2")
        .bind(value)
        .bind(product)
        .execute(&mut conn)
        .await
        .unwrap();
}

/// The status of a signed Connect request (404 = authenticated, the token
/// does not exist; 401 = not authenticated).
async fn connect_status(s: &Server, creds: &Value, secret: &str) -> u16 {
    let m = creds["connect"]["merchant_id"].as_str().unwrap();
    connect(s, creds, secret)
        .status_of("GET", &format!("/v1/{m}/tokens/no-such-token"), None)
        .await
}

async fn gateway_status(s: &Server, creds: &Value) -> Value {
    gateway(s, creds)
        .post(
            "/api/v1/sessions/point-in-time/plugin",
            &session_request("ROW-1"),
            &[],
        )
        .await
        .unwrap()
        .body["status"]
        .clone()
}

/// A Connect token made for the test card number (any status).
async fn make_connect_token(s: &Server, creds: &Value) -> fundline::client::Answer {
    let secret = creds["connect"]["secret_api_key"].as_str().unwrap();
    let m = creds["connect"]["merchant_id"].as_str().unwrap();
    connect(s, creds, secret)
        .ask(
            "POST",
            &format!("/v1/{m}/tokens"),
            Some(&connect_card("4567350000427977")),
        )
        .await
}

#[tokio::test]
async fn a_credential_secret_copied_to_another_row_does_not_authenticate_and_reseal_binds_old_ones()
{
    let (k, s, creds) = Keyed::serving().await;
    let db = k.db.as_str();
    let connect_secret = creds["connect"]["secret_api_key"].as_str().unwrap();
    let ingopay_secret = creds["ingopay"]["secret"].as_str().unwrap();
    assert_eq!(connect_status(&s, &creds, connect_secret).await, 404);
    assert_eq!(gateway_status(&s, &creds).await, 100);
    let gateway_sealed = credential_sealed(db, "ingopay", "secret_sealed")
        .await
        .unwrap();
    let connect_sealed = credential_sealed(db, "connect", "secret_sealed")
        .await
        .unwrap();
    assert!(
        gateway_sealed.starts_with("fv2.1."),
        "row-bound when written"
    );
    assert!(connect_sealed.starts_with("fv2.1."));

    // Someone with write access to the database copies the gateway secret
    // (which they know) into the Connect credential, hoping to sign Connect
    // requests with it: the value does not open in that row.
    set_credential_sealed(db, "connect", &gateway_sealed).await;
    assert_eq!(connect_status(&s, &creds, ingopay_secret).await, 401);
    assert_eq!(connect_status(&s, &creds, connect_secret).await, 401);
    assert_eq!(
        gateway_status(&s, &creds).await,
        100,
        "its own row still opens"
    );

    // A value written before row binding (fv1: tenant, table and column
    // only) keeps working…
    let store = fundline_store::Store::connect(&fundline_store::StoreOptions::new(db.to_string()))
        .await
        .unwrap();
    let master = fundline_vault::MasterKey::from_base64(
        std::fs::read_to_string(&k.key_file).unwrap().trim(),
    )
    .unwrap();
    let keyring = fundline_store::keyring::Keyring::open(&store, master)
        .await
        .unwrap();
    let tenant = creds["tenant_id"].as_str().unwrap();
    let old_form = keyring.fresh(&store, tenant).await.unwrap().seal_str(
        "credentials",
        "secret",
        connect_secret,
    );
    store.close().await;
    assert!(old_form.starts_with("fv1.1."));
    set_credential_sealed(db, "connect", &old_form).await;
    assert_eq!(connect_status(&s, &creds, connect_secret).await, 404);
    // …until the reseal pass rewrites it bound to its row.
    let report = k.admin_json(&["keys", "reseal", "--json"]);
    assert_eq!(report["resealed"], 1, "{report}");
    assert_eq!(report["unreadable"], 0, "{report}");
    let resealed = credential_sealed(db, "connect", "secret_sealed")
        .await
        .unwrap();
    assert!(resealed.starts_with("fv2.1."), "{}", &resealed[..6]);
    assert_eq!(connect_status(&s, &creds, connect_secret).await, 404);
    assert_eq!(gateway_status(&s, &creds).await, 100);

    // A rotation seals the new secret for the row and keeps the previous one
    // (moved within the row) working for the overlap.
    let rotated = k.admin_json(&[
        "tenant",
        "credentials",
        "--tenant",
        tenant,
        "--rotate",
        "connect",
    ]);
    let new_secret = rotated["connect"]["secret_api_key"].as_str().unwrap();
    assert!(credential_sealed(db, "connect", "secret_sealed")
        .await
        .unwrap()
        .starts_with("fv2."));
    assert_eq!(
        credential_sealed(db, "connect", "previous_secret_sealed").await,
        Some(resealed)
    );
    assert_eq!(connect_status(&s, &creds, new_secret).await, 404);
    assert_eq!(connect_status(&s, &creds, connect_secret).await, 404);
}

/// How fast the re-fingerprint pass goes (ignored: a measurement, not a
/// check). `FUNDLINE_REFINGERPRINT_ROWS` customers (default 2000) are
/// enrolled, the fingerprint key rotated, and the pass's own figures printed.
#[tokio::test]
#[ignore]
async fn refingerprint_throughput() {
    let rows: u64 = std::env::var("FUNDLINE_REFINGERPRINT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let (k, s, creds) = Keyed::serving().await;
    let c = binary::partner(&s.base, &creds, "device-k").await;
    let mut n = 1_000;
    while n < 1_000 + rows {
        let batch: Vec<_> = (n..(n + 16).min(1_000 + rows))
            .map(|i| {
                let c = c.clone_for(&s.base);
                async move {
                    let a = c.ask("enroll-customer", &enrollment(i)).await;
                    assert_eq!(a.status, 200, "{}", a.text);
                }
            })
            .collect();
        futures::future::join_all(batch).await;
        n += 16;
    }
    ok(&k.admin(&["keys", "rotate", "--key", "fp"]));
    let report = k.admin_json(&["keys", "refingerprint", "--json"]);
    assert_eq!(report["refingerprinted"], rows, "{report}");
    assert_eq!(report["left"], 0, "{report}");
    eprintln!(
        "{} ({}): {report}",
        if is_sqlite(&k.db) {
            "sqlite"
        } else {
            "postgres"
        },
        rows
    );
}
