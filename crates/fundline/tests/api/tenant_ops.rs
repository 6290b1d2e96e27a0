//! Tenant operations through the real binary, beside a running server on the
//! same store: credential rotation with its overlap window, revocation,
//! tenant disable/enable, and the sandbox switch (FUNDLINE_SANDBOX) with the
//! mailbox's staff login.

use crate::common;
use common::steps::Connect;
use common::steps::Partner;

use std::path::Path;

use common::binary::{self, command, serve};
use std::time::{Duration, Instant};

use fundline::client::{
    card, enrollment, session_request, test_visa, ConnectClient, GatewayClient, PartnerClient,
};
use serde_json::{json, Value};

/// Runs `fundline admin …` against the store; its one JSON line of output.
fn admin(dir: &Path, db: &str, args: &[&str], envs: &[(&str, &str)]) -> Value {
    let out = binary::succeeded(
        command(dir, db)
            .arg("admin")
            .args(args)
            .envs(envs.iter().copied()),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.trim().lines().count(), 1, "one JSON line: {text}");
    serde_json::from_str(text.trim()).unwrap()
}

/// `fundline admin tenant credentials --tenant <tenant> <args…>`: its JSON.
fn credentials_cmd(
    dir: &Path,
    db: &str,
    tenant: &str,
    args: &[&str],
    envs: &[(&str, &str)],
) -> Value {
    let mut all = vec!["tenant", "credentials", "--tenant", tenant];
    all.extend_from_slice(args);
    admin(dir, db, &all, envs)
}

fn admin_fails(dir: &Path, db: &str, args: &[&str]) -> String {
    let out = command(dir, db).arg("admin").args(args).output().unwrap();
    assert!(!out.status.success(), "admin {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn fresh() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = common::fresh_database_url(dir.path()).await;
    (dir, db)
}

fn new_tenant(dir: &Path, db: &str) -> Value {
    admin(
        dir,
        db,
        &["tenant", "create", "--name", "Rotating Partner", "--json"],
        &[],
    )
}

/// Check cashing: whether these client credentials open a session.
async fn cc_auth(base: &str, id: &str, secret: &str) -> u16 {
    let mut c = PartnerClient::new(base, "device-r");
    c.authenticate(id, secret).await.unwrap().status
}

/// Gateway (spec 002): a signed search; the HTTP status and the body.
async fn gw_search(base: &str, username: &str, secret: &str, participant: i64) -> (u16, Value) {
    let g = GatewayClient::new(base, username, secret);
    let a = g
        .post(
            "/gateway/search",
            &json!({"participant_id": participant, "payee_name": "jersey", "timestamp": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(), "version": 11}),
            &[],
        )
        .await
        .unwrap();
    (a.status, a.body)
}

/// Gateway (spec 001): a capture session request.
async fn gw_session(base: &str, username: &str, secret: &str, participant: i64) -> (u16, Value) {
    let g = GatewayClient::new(base, username, secret);
    let mut body = session_request(&uuid::Uuid::new_v4().to_string());
    body["participant_id"] = json!(participant);
    let a = g
        .post("/api/v1/sessions/point-in-time/plugin", &body, &[])
        .await
        .unwrap();
    (a.status, a.body)
}

/// Token service (spec 003): reading a token that does not exist (404 when
/// authenticated, 401 when not).
async fn connect_get(base: &str, key: &str, secret: &str, merchant: &str) -> (u16, Value) {
    let c = ConnectClient::new(base, key, secret);
    let a = c
        .ask("GET", &format!("/v1/{merchant}/tokens/no-such-token"), None)
        .await;
    (a.status, a.body)
}

async fn staff_login(base: &str, email: &str, password: &str) -> (u16, Value) {
    common::send(
        reqwest::Client::new()
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password})),
    )
    .await
}

async fn staff_status(base: &str, token: &str) -> (u16, Value) {
    common::send(
        reqwest::Client::new()
            .get(format!("{base}/api/v1/auth/status"))
            .bearer_auth(token),
    )
    .await
}

fn creds<'a>(t: &'a Value, product: &str, key: &str) -> &'a str {
    t[product][key].as_str().unwrap()
}

/// `fundline serve` over a fresh store, and admin commands beside it.
struct Op {
    dir: tempfile::TempDir,
    db: String,
    s: binary::Server,
}

impl Op {
    async fn serve(log_name: &str, envs: &[(&str, &str)]) -> Op {
        let (dir, db) = fresh().await;
        let s = serve(dir.path(), &db, log_name, envs).await;
        Op { dir, db, s }
    }

    fn d(&self) -> &Path {
        self.dir.path()
    }

    fn new_tenant(&self) -> Value {
        new_tenant(self.d(), &self.db)
    }

    /// `admin tenant credentials --tenant <tenant> <args…>`: its JSON.
    fn credentials(&self, tenant: &str, args: &[&str]) -> Value {
        credentials_cmd(self.d(), &self.db, tenant, args, &[])
    }

    /// `admin tenant credentials --tenant <args…>`, which must fail: stderr.
    fn credentials_fail(&self, args: &[&str]) -> String {
        let mut all = vec!["tenant", "credentials", "--tenant"];
        all.extend_from_slice(args);
        admin_fails(self.d(), &self.db, &all)
    }
}

/// Each product of one tenant on `base`: its public identifiers from `t`,
/// the secret from whichever credentials (`t`, or a rotation's answer) a
/// call names.
struct Probe<'a> {
    base: &'a str,
    t: &'a Value,
}

impl Probe<'_> {
    /// Check cashing: the status of an authentication with `v`'s secret.
    async fn cc(&self, v: &Value) -> u16 {
        let id = creds(self.t, "check_cashing", "client_id");
        cc_auth(self.base, id, creds(v, "check_cashing", "client_secret")).await
    }

    fn gw_args<'v>(&self, v: &'v Value) -> (&str, &'v str, i64) {
        (
            creds(self.t, "ingopay", "username"),
            creds(v, "ingopay", "secret"),
            self.t["ingopay"]["participant_id"].as_i64().unwrap(),
        )
    }

    /// Gateway (spec 002): a search signed with `v`'s secret.
    async fn gw(&self, v: &Value) -> (u16, Value) {
        let (user, secret, participant) = self.gw_args(v);
        gw_search(self.base, user, secret, participant).await
    }

    /// Gateway (spec 001): a session request signed with `v`'s secret.
    async fn gw_session(&self, v: &Value) -> (u16, Value) {
        let (user, secret, participant) = self.gw_args(v);
        gw_session(self.base, user, secret, participant).await
    }

    /// Token service: reading a missing token, signed with `v`'s secret.
    async fn ct(&self, v: &Value) -> (u16, Value) {
        let key = creds(self.t, "connect", "api_key_id");
        let merchant = creds(self.t, "connect", "merchant_id");
        connect_get(
            self.base,
            key,
            creds(v, "connect", "secret_api_key"),
            merchant,
        )
        .await
    }

    /// Bank analysis: a staff login with `v`'s password.
    async fn staff(&self, v: &Value) -> (u16, Value) {
        let email = creds(self.t, "analysis", "email");
        staff_login(self.base, email, creds(v, "analysis", "password")).await
    }

    /// [`Probe::staff`], which must succeed: the access token.
    async fn staff_token(&self, v: &Value) -> String {
        let (code, login) = self.staff(v).await;
        assert_eq!(code, 200, "{login}");
        login["data"]["accessToken"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn rotated_secrets_overlap_then_stop_and_revocation_is_immediate() {
    let op = Op::serve("rotate", &[]).await;
    let (d, s) = (op.d(), &op.s);
    let t = op.new_tenant();
    let tenant = t["tenant_id"].as_str().unwrap().to_string();
    let at = Probe {
        base: &s.base,
        t: &t,
    };

    // Rotation with a 3-second overlap (the setting, as an operator sets it).
    let short = [("FUNDLINE_CREDENTIAL_OVERLAP_SECS", "3")];
    let started = Instant::now();
    let mut rotated = serde_json::Map::new();
    for product in ["check_cashing", "ingopay", "connect"] {
        let r = credentials_cmd(d, &op.db, &tenant, &["--rotate", product], &short);
        assert_eq!(r["tenant_id"], tenant.as_str());
        assert_eq!(r["product"], product);
        assert!(r["previous_valid_until"].is_string(), "{r}");
        // Same public identifiers, a new secret, in `tenant create`'s shape.
        for (k, v) in t[product].as_object().unwrap() {
            if k.contains("secret") {
                assert_ne!(&r[product][k], v, "{product}.{k} is new");
                common::sensitive(r[product][k].as_str().unwrap());
            } else {
                assert_eq!(&r[product][k], v, "{product}.{k} is kept");
            }
        }
        rotated.insert(product.into(), r[product].clone());
    }
    // Each old secret's window runs from its own rotation: the last one
    // ended before this instant (a busy machine can take a while for three).
    let last_rotated = Instant::now();
    let r = Value::Object(rotated);
    for secret in [
        creds(&t, "check_cashing", "client_secret"),
        creds(&t, "ingopay", "secret"),
        creds(&t, "connect", "secret_api_key"),
    ] {
        common::sensitive(secret);
    }
    // During the overlap both the old and the new secrets work, on every product.
    for v in [&t, &r] {
        assert_eq!(at.cc(v).await, 200);
        let (code, body) = at.gw(v).await;
        assert_ne!(code, 401, "{body}");
        let (code, body) = at.ct(v).await;
        assert_eq!(code, 404, "{body}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the overlap checks ran inside the window"
    );
    // After the overlap the old secrets stop; the new ones keep working.
    tokio::time::sleep(
        Duration::from_secs(3).saturating_sub(last_rotated.elapsed()) + Duration::from_millis(300),
    )
    .await;
    assert_eq!(at.cc(&t).await, 401);
    assert_eq!(at.cc(&r).await, 200);
    let (code, body) = at.gw(&t).await;
    assert_eq!((code, &body["status"]), (401, &json!(13401)), "{body}");
    assert_ne!(at.gw(&r).await.0, 401);
    let (code, body) = at.ct(&t).await;
    assert_eq!(code, 401, "{body}");
    assert_eq!(body["errors"][0]["id"], "MISSING_OR_INVALID_AUTHORIZATION");
    assert_eq!(at.ct(&r).await.0, 404);

    // The default overlap is 24 hours; --revoke --previous-only ends it at once.
    let r2 = op.credentials(&tenant, &["--rotate", "ingopay"]);
    common::sensitive(creds(&r2, "ingopay", "secret"));
    let until =
        chrono::DateTime::parse_from_rfc3339(r2["previous_valid_until"].as_str().unwrap()).unwrap();
    let hours = (until.timestamp() - chrono::Utc::now().timestamp()) as f64 / 3600.0;
    assert!((23.9..=24.0).contains(&hours), "{hours} h");
    let (code, _) = at.gw(&r).await;
    assert_ne!(code, 401, "the previous secret works in its overlap");
    op.credentials(&tenant, &["--revoke", "ingopay", "--previous-only"]);
    assert_eq!(at.gw(&r).await.0, 401, "previous secret revoked at once");
    assert_ne!(at.gw(&r2).await.0, 401, "the current one still works");

    // --revoke stops every secret of the product at once, on a server that
    // has just used (and cached) them; open partner sessions end too.
    let open = binary::partner(
        &s.base,
        &json!({"check_cashing": r["check_cashing"]}),
        "device-r",
    )
    .await;
    let open_status = || async {
        open.call_status("find-customer", b"{}".to_vec())
            .await
            .unwrap()
    };
    assert_ne!(open_status().await, 401);
    for product in ["check_cashing", "ingopay", "connect"] {
        let v = op.credentials(&tenant, &["--revoke", product]);
        assert_eq!(v["revoked"], "all");
    }
    assert_eq!(open_status().await, 401);
    assert_eq!(at.cc(&r).await, 401);
    assert_eq!(at.gw(&r2).await.0, 401);
    assert_eq!(at.ct(&r).await.0, 401);
    // A rotation after a revocation issues a fresh secret with no overlap:
    // the revoked one never comes back.
    let r3 = op.credentials(&tenant, &["--rotate", "connect"]);
    common::sensitive(creds(&r3, "connect", "secret_api_key"));
    assert!(r3["previous_valid_until"].is_null(), "{r3}");
    assert_eq!(at.ct(&r).await.0, 401);
    assert_eq!(at.ct(&r3).await.0, 404);

    // The partner session opened before the revocation stays ended after
    // the next check cashing rotation, on this node's cache too.
    let r4 = op.credentials(&tenant, &["--rotate", "check_cashing"]);
    common::sensitive(creds(&r4, "check_cashing", "client_secret"));
    assert!(r4["previous_valid_until"].is_null(), "{r4}");
    assert_eq!(open_status().await, 401);
    assert_eq!(at.cc(&r4).await, 200);

    // Bank analysis: a new password for the first admin, at once; their sessions end.
    let token = at.staff_token(&t).await;
    let a = op.credentials(&tenant, &["--rotate", "analysis"]);
    common::sensitive(creds(&a, "analysis", "password"));
    assert_eq!(a["analysis"]["email"], t["analysis"]["email"]);
    assert_eq!(staff_status(&s.base, &token).await.0, 401);
    assert_eq!(at.staff(&t).await.0, 401);
    let token = at.staff_token(&a).await;
    op.credentials(&tenant, &["--revoke", "analysis"]);
    assert_eq!(staff_status(&s.base, &token).await.0, 401);
    assert_eq!(at.staff(&a).await.0, 401);

    // Bad input is refused with a message, never half-done.
    for (args, says) in [
        (
            vec![tenant.as_str(), "--rotate", "paypal"],
            "unknown product",
        ),
        (vec!["no-such-tenant", "--rotate", "ingopay"], "no tenant"),
        (vec![tenant.as_str()], ""),
        (
            vec![
                tenant.as_str(),
                "--rotate",
                "connect",
                "--revoke",
                "connect",
            ],
            "",
        ),
    ] {
        let err = op.credentials_fail(&args);
        assert!(err.contains(says), "{args:?}: {err}");
    }

    // No secret reached the server's log or the commands' audit lines.
    let log = std::fs::read_to_string(d.join("rotate.err")).unwrap();
    for v in [&t, &r, &r2, &r3, &r4, &a] {
        for product in ["check_cashing", "ingopay", "connect", "analysis"] {
            for k in ["client_secret", "secret", "secret_api_key", "password"] {
                if let Some(secret) = v[product][k].as_str() {
                    assert!(!log.contains(secret), "{product}.{k} logged");
                }
            }
        }
    }
}

#[tokio::test]
async fn a_disabled_tenant_gets_401_on_every_product_at_once() {
    let op = Op::serve("disable", &[]).await;
    let (d, db, s) = (op.d(), &op.db, &op.s);
    let t = op.new_tenant();
    let other = op.new_tenant();
    let tenant = t["tenant_id"].as_str().unwrap().to_string();
    let at = Probe {
        base: &s.base,
        t: &t,
    };

    // Everything open and working before: a partner session, a check
    // session, a staff session, signed gateway and token service calls.
    let p = binary::partner(&s.base, &t, "device-r").await;
    let customer = p.ask("enroll-customer", &enrollment(71)).await;
    assert_eq!(customer.status, 200, "{}", customer.text);
    let cid = customer.body["CustomerId"].as_str().unwrap().to_string();
    let linked = p
        .ask("add-or-update-card", &card(&cid, &test_visa(71)))
        .await;
    assert_eq!(linked.status, 200, "{}", linked.text);
    let sso = p.sso_token(&cid).await;
    let http = reqwest::Client::new();
    let check = common::json_of(
        http.post(format!("{}/api/v1/checks/sessions", s.base))
            .json(&json!({"ssoToken": sso})),
    )
    .await;
    let check_token = check["accessToken"].as_str().unwrap().to_string();
    let checks_cards = || async {
        let r = http
            .get(format!("{}/api/v1/checks/cards", s.base))
            .bearer_auth(&check_token)
            .send()
            .await
            .unwrap();
        let ct = common::header(&r, "content-type");
        (r.status().as_u16(), ct)
    };
    let (code, login) = at.staff(&t).await;
    assert_eq!(code, 200, "{login}");
    let staff = login["data"]["accessToken"].as_str().unwrap().to_string();
    let refresh = login["data"]["refreshToken"].as_str().unwrap().to_string();

    assert_ne!(
        p.call_status("find-customer", b"{}".to_vec())
            .await
            .unwrap(),
        401
    );
    assert_eq!(checks_cards().await.0, 200);
    assert_eq!(staff_status(&s.base, &staff).await.0, 200);
    assert_ne!(at.gw(&t).await.0, 401);
    let (code, body) = at.gw_session(&t).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(at.ct(&t).await.0, 404);

    let v = admin(d, db, &["tenant", "disable", "--tenant", &tenant], &[]);
    assert_eq!(v["disabled"], true);
    // At once, with no wait: every product answers 401 in its own envelope.
    let (code, problem) = p
        .call_raw_put(
            "/api/v1/partners/webhook",
            &json!({"url": "https://partner.example/h"}),
        )
        .await;
    assert_eq!(code, 401, "check cashing (spec 000): {problem}");
    assert_eq!(problem["status"], 401);
    assert_eq!(at.cc(&t).await, 401);
    let (code, ct) = checks_cards().await;
    assert_eq!(code, 401, "check deposits");
    assert_eq!(ct.as_deref(), Some("application/problem+json"));
    let (code, body) = at.gw_session(&t).await;
    assert_eq!(
        (code, &body["status"]),
        (401, &json!(13401)),
        "IngoPay sessions (spec 001): {body}"
    );
    let (code, body) = at.gw(&t).await;
    assert_eq!(
        (code, &body["status"]),
        (401, &json!(13401)),
        "IngoPay gateway (spec 002): {body}"
    );
    let (code, body) = at.ct(&t).await;
    assert_eq!(code, 401, "token service (spec 003): {body}");
    assert_eq!(body["errors"][0]["id"], "MISSING_OR_INVALID_AUTHORIZATION");
    let (code, body) = staff_status(&s.base, &staff).await;
    assert_eq!(
        (code, &body["success"]),
        (401, &json!(false)),
        "bank analysis (spec 004): {body}"
    );
    let (code, body) = at.staff(&t).await;
    assert_eq!((code, &body["success"]), (401, &json!(false)), "{body}");
    let refreshed = http
        .post(format!("{}/api/v1/auth/refresh", s.base))
        .json(&json!({"refreshToken": refresh}));
    assert_eq!(common::send(refreshed).await.0, 401);
    // Another tenant is untouched.
    binary::partner(&s.base, &other, "device-r").await;
    let other_at = Probe {
        base: &s.base,
        t: &other,
    };
    assert_eq!(other_at.ct(&other).await.0, 404);

    // Enabled again: the same credentials work.
    let v = admin(d, db, &["tenant", "enable", "--tenant", &tenant], &[]);
    assert_eq!(v["disabled"], false);
    assert_eq!(at.cc(&t).await, 200);
    assert_ne!(at.gw(&t).await.0, 401);
    assert_eq!(at.ct(&t).await.0, 404);
    assert_eq!(staff_status(&s.base, &staff).await.0, 200);
    assert_eq!(checks_cards().await.0, 200);
    assert!(
        admin_fails(d, db, &["tenant", "disable", "--tenant", "no-such-tenant"])
            .contains("no tenant")
    );
    for product in ["check_cashing", "ingopay", "connect", "analysis"] {
        for k in ["client_secret", "secret", "secret_api_key", "password"] {
            if let Some(secret) = t[product][k].as_str() {
                common::sensitive(secret);
            }
        }
    }
}

/// Reads the sandbox mailbox with an Authorization header (or none).
async fn mailbox(base: &str, auth: Option<String>) -> (u16, Option<String>, String) {
    let mut r = reqwest::Client::new().get(format!("{base}/sandbox/mailbox"));
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    let r = r.send().await.unwrap();
    let challenge = common::header(&r, "www-authenticate");
    (r.status().as_u16(), challenge, r.text().await.unwrap())
}

fn basic(email: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{email}:{password}"))
    )
}

/// Creates a customer with a report request as the given staff user; its email.
async fn customer_with_request(base: &str, token: &str, n: u32) -> String {
    let email = format!("mailbox{n}@example.com");
    binary::create_customer(base, token, &json!({
            "userName": format!("mb{n}"), "password": "pw-123456", "customerType": 1, "lastName": "Box", "firstName": "Mia",
            "phoneNumber": "4045550199", "email": email, "addressLine1": "1 Demo Way", "country": "USA",
            "city": "Atlanta", "state": "GA", "postalCode": "30303", "ssn": format!("12345{n:04}"), "dob": "1988-02-03",
            "triggerReportRequest": true
        })).await;
    email
}

#[tokio::test]
async fn the_mailbox_needs_the_sandbox_staff_login_and_shows_only_sandbox_mail() {
    let op = Op::serve("mailbox", &[]).await;
    let s = &op.s;
    let sandbox: Value = serde_json::from_str(&s.stdout()).unwrap();
    let real = op.new_tenant();
    let (sb_email, sb_password) = (
        creds(&sandbox, "analysis", "email"),
        creds(&sandbox, "analysis", "password"),
    );
    let sb_token = Probe {
        base: &s.base,
        t: &sandbox,
    }
    .staff_token(&sandbox)
    .await;
    let real_token = Probe {
        base: &s.base,
        t: &real,
    }
    .staff_token(&real)
    .await;
    let sandbox_mail = customer_with_request(&s.base, &sb_token, 1).await;
    let real_mail = customer_with_request(&s.base, &real_token, 2).await;

    // Nobody signed in: 401 with the challenge a browser turns into a prompt.
    let (code, challenge, body) = mailbox(&s.base, None).await;
    assert_eq!(code, 401);
    assert!(challenge.unwrap().starts_with("Basic realm="));
    assert!(!body.contains(&sandbox_mail));
    for auth in [
        basic(sb_email, "wrong-password"),
        basic("nobody@example.com", sb_password),
        // Another tenant's valid staff login opens nothing here…
        basic(
            creds(&real, "analysis", "email"),
            creds(&real, "analysis", "password"),
        ),
        format!("Bearer {real_token}"),
        "Bearer not-a-token".to_string(),
        "Basic !!!".to_string(),
    ] {
        let (code, _, body) = mailbox(&s.base, Some(auth.clone())).await;
        assert_eq!(code, 401, "{auth}");
        assert!(!body.contains(&sandbox_mail) && !body.contains(&real_mail));
    }
    // …the sandbox tenant's staff login does, by Basic or Bearer, and shows
    // its own messages only, with their links.
    for auth in [basic(sb_email, sb_password), format!("Bearer {sb_token}")] {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let (code, _, body) = mailbox(&s.base, Some(auth)).await;
        assert_eq!(code, 200, "{body}");
        assert!(body.contains(&sandbox_mail), "{body}");
        assert!(body.contains(&format!("{}/connect/", s.base)));
        assert!(!body.contains(&real_mail), "another tenant's mail shown");
    }
    // The sandbox tenant's customer page offers the sandbox bank.
    let link = regex_link(
        &mailbox(&s.base, Some(format!("Bearer {sb_token}"))).await.2,
        &s.base,
    );
    let page = reqwest::get(&link).await.unwrap().text().await.unwrap();
    assert!(page.contains("Link the sandbox bank"), "{page}");
    // Guessing is throttled per client address: a burst, then 429. The
    // guesses go in parallel, as an attacker's would (one after another, a
    // loaded machine's slow password checks would let the bucket refill).
    let guesses = (0..8).map(|_| mailbox(&s.base, Some(basic(sb_email, "guess"))));
    let codes: Vec<u16> = futures::future::join_all(guesses)
        .await
        .into_iter()
        .map(|(code, _, _)| code)
        .collect();
    assert!(codes.contains(&429), "{codes:?}");
    assert!(codes.iter().all(|c| *c == 401 || *c == 429), "{codes:?}");
    common::sensitive(sb_password);
    common::sensitive(creds(&real, "analysis", "password"));
    let log = std::fs::read_to_string(op.d().join("mailbox.err")).unwrap();
    assert!(!log.contains(sb_password));
}

#[tokio::test]
async fn with_the_sandbox_off_there_is_no_sandbox_tenant_route_or_loopback_webhook() {
    // An empty store with the sandbox off: nothing created, nothing printed.
    let off = [("FUNDLINE_SANDBOX", "off")];
    let Op { dir, db, s } = Op::serve("off", &off).await;
    let d = dir.path();
    assert_eq!(s.stdout().trim(), "", "no credentials printed");
    assert!(!d.join("sandbox-credentials.json").exists());
    let t = new_tenant(d, &db);
    let (code, _, _) = mailbox(&s.base, None).await;
    assert_eq!(code, 404, "mailbox");
    let token = Probe {
        base: &s.base,
        t: &t,
    }
    .staff_token(&t)
    .await;
    let (code, _, _) = mailbox(&s.base, Some(format!("Bearer {token}"))).await;
    assert_eq!(code, 404, "mailbox, signed in");
    let bank = reqwest::Client::new().post(format!("{}/connect/any-token/sandbox-bank", s.base));
    assert_eq!(common::send(bank).await.0, 404, "sandbox bank");
    // A customer's page does not offer the sandbox bank.
    customer_with_request(&s.base, &token, 3).await;
    let messages = binary::outbox(d, &db);
    let link = messages[0]["link"].as_str().unwrap().to_string();
    let page = reqwest::get(&link).await.unwrap().text().await.unwrap();
    assert!(page.contains("Upload statements"), "{page}");
    assert!(!page.contains("sandbox bank"), "{page}");
    // No loopback webhook, in any spelling.
    let p = binary::partner(&s.base, &t, "device-r").await;
    for url in [
        "http://127.0.0.1:9/hooks",
        "https://127.0.0.1:9/hooks",
        "https://[::1]:9/",
        "https://[::ffff:127.0.0.1]:9/",
    ] {
        let (code, body) = p
            .call_raw_put("/api/v1/partners/webhook", &json!({"url": url}))
            .await;
        assert_eq!(code, 400, "{url}: {body}");
    }
    drop(s);
    let tenants: i64 = {
        let store =
            fundline_store::Store::connect(&fundline_store::StoreOptions::new(db.to_string()))
                .await
                .unwrap();
        let n = fundline_store::tenants::tenant_count(&store).await.unwrap();
        store.close().await;
        n
    };
    assert_eq!(tenants, 1, "only the tenant the operator created");

    // A store made with the sandbox on keeps its sandbox tenant, but with the
    // sandbox off that tenant is refused on every product.
    let (dir2, db2) = fresh().await;
    let d2 = dir2.path();
    let on = serve(d2, &db2, "on", &[]).await;
    let sandbox: Value = serde_json::from_str(&on.stdout()).unwrap();
    common::sensitive(creds(&sandbox, "check_cashing", "client_secret"));
    common::sensitive(creds(&sandbox, "analysis", "password"));
    common::sensitive(creds(&sandbox, "ingopay", "secret"));
    common::sensitive(creds(&sandbox, "connect", "secret_api_key"));
    let (code, _) = p_sandbox_webhook(&on.base, &sandbox).await;
    assert_eq!(
        code, 200,
        "the sandbox tenant may use loopback with the sandbox on"
    );
    drop(on);
    let off2 = serve(d2, &db2, "off2", &off).await;
    let at = Probe {
        base: &off2.base,
        t: &sandbox,
    };
    assert_eq!(at.cc(&sandbox).await, 401);
    assert_eq!(at.gw(&sandbox).await.0, 401);
    assert_eq!(at.ct(&sandbox).await.0, 401);
    assert_eq!(at.staff(&sandbox).await.0, 401);
    drop(t);
}

/// The sandbox tenant registers a plain-http loopback webhook.
async fn p_sandbox_webhook(base: &str, sandbox: &Value) -> (u16, Value) {
    let p = binary::partner(base, sandbox, "device-r").await;
    p.call_raw_put(
        "/api/v1/partners/webhook",
        &json!({"url": "http://127.0.0.1:9/hooks"}),
    )
    .await
}

/// The first customer link on the mailbox page.
fn regex_link(html: &str, base: &str) -> String {
    let start = html
        .find(&format!("{base}/connect/"))
        .expect("a link on the page");
    let end = html[start..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || "_-/:.".contains(c)))
        .unwrap()
        + start;
    html[start..end].to_string()
}
