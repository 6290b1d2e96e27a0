//! Connection handling of the real binary: idle and half-open sockets
//! (whatever protocol they pretend to speak) lose their slot at the header
//! timeout, one address cannot take every slot, HTTP/2 works and idle HTTP/2
//! connections are closed, and the built-in TLS listener serves HSTS and
//! reloads its certificate on SIGHUP. The store plays no part here, so these
//! run on the default SQLite store only.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BIN: &str = env!("CARGO_BIN_EXE_fundline");
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
const H2_SETTINGS: &[u8] = &[0, 0, 0, 4, 0, 0, 0, 0, 0];
const HSTS: &str = "max-age=31536000; includeSubDomains";

struct Server {
    child: Child,
    addr: SocketAddr,
    err_log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.err_log).unwrap_or_default()
    }

    fn sighup(&self) {
        let ok = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

/// Starts `fundline serve` on a fresh SQLite store and waits for /readyz
/// (through `ready`, which builds the client: plain or TLS).
async fn start(
    dir: &Path,
    envs: &[(&str, &str)],
    ready: impl Fn(SocketAddr) -> reqwest::RequestBuilder,
) -> Server {
    let port = crate::common::binary::free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let err_log = dir.join("server.err");
    let child = Command::new(BIN)
        .arg("serve")
        .env("FUNDLINE_DATA_DIR", dir)
        .env("FUNDLINE_LISTEN", addr.to_string())
        .env("FUNDLINE_LOG", "debug")
        .env_remove("DATABASE_URL")
        .env_remove("FUNDLINE_MASTER_KEY")
        .envs(envs.iter().copied())
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(&err_log).unwrap()))
        .spawn()
        .unwrap();
    let s = Server {
        child,
        addr,
        err_log,
    };
    for _ in 0..300 {
        if let Ok(r) = ready(addr).send().await {
            if r.status() == 200 {
                // The client (and its keep-alive connection) is gone now;
                // give the server a moment to see it close.
                tokio::time::sleep(Duration::from_millis(200)).await;
                return s;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not start: {}", s.log());
}

/// GET `url` with `client`.
async fn get(client: &reqwest::Client, url: String) -> reqwest::Result<reqwest::Response> {
    client.get(url).send().await
}

fn healthz(addr: SocketAddr) -> String {
    format!("http://{addr}/healthz")
}

fn client_with_timeout(secs: u64) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(secs))
        .build()
        .unwrap()
}

/// Whether `done` holds within 5 s (looking every 100 ms).
async fn within_5s(mut done: impl AsyncFnMut() -> bool) -> bool {
    crate::common::try_eventually(Duration::from_secs(5), async || done().await.then_some(()))
        .await
        .is_ok()
}

/// A hyper HTTP/2 client on `addr` that pings every 300 ms while idle (with
/// `window` as its initial stream window, if given); the sender and the
/// connection's task.
async fn pinging_h2(
    addr: SocketAddr,
    window: Option<u32>,
) -> (
    hyper::client::conn::http2::SendRequest<axum::body::Body>,
    tokio::task::JoinHandle<hyper::Result<()>>,
) {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut builder =
        hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .keep_alive_interval(Duration::from_millis(300))
        .keep_alive_while_idle(true);
    if let Some(w) = window {
        builder.initial_stream_window_size(w);
    }
    let (send, conn) = builder
        .handshake::<_, axum::body::Body>(hyper_util::rt::TokioIo::new(tcp))
        .await
        .unwrap();
    (send, tokio::spawn(conn))
}

/// [`start`] in a new directory, ready over plain HTTP.
async fn start_plain(envs: &[(&str, &str)]) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), envs, plain_ready).await;
    (dir, s)
}

/// Waits at most `limit` for the connection task `conn` to end; the time
/// from `since`.
async fn ended_after(
    conn: tokio::task::JoinHandle<hyper::Result<()>>,
    since: Instant,
    limit: Duration,
    what: &str,
) -> Duration {
    let ended = tokio::time::timeout(limit, conn)
        .await
        .unwrap_or_else(|_| panic!("{what}: kept open"));
    let after = since.elapsed();
    eprintln!("{what}: closed after {after:?}: {ended:?}");
    after
}

fn plain_ready(addr: SocketAddr) -> reqwest::RequestBuilder {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
        .get(format!("http://{addr}/readyz"))
}

/// Waits for the server to close `sock` (reads and discards whatever it
/// sends first, e.g. its HTTP/2 SETTINGS); the time from `since`.
async fn closed_after(mut sock: TcpStream, since: Instant, limit: Duration) -> Option<Duration> {
    let mut buf = Vec::new();
    match tokio::time::timeout(limit, sock.read_to_end(&mut buf)).await {
        Ok(_) => Some(since.elapsed()),
        Err(_) => None,
    }
}

/// Still open: no EOF within `wait`.
async fn still_open(sock: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 256];
    loop {
        match tokio::time::timeout(wait, sock.read(&mut buf)).await {
            Err(_) => return true,
            Ok(Ok(0)) | Ok(Err(_)) => return false,
            Ok(Ok(_)) => continue,
        }
    }
}

/// The attack: with FUNDLINE_MAX_CONNECTIONS=4, four sockets that
/// send nothing, 16 bytes of the HTTP/2 preface, the whole preface, and the
/// preface with a SETTINGS frame but no request fill every slot. With the
/// default header timeout (10 s) each is closed at about 10 s, and /healthz
/// answers again.
#[tokio::test]
async fn idle_and_half_open_sockets_lose_their_slot_at_the_header_timeout() {
    let (_dir, s) = start_plain(&[("FUNDLINE_MAX_CONNECTIONS", "4")]).await;
    let payloads: [(&str, Vec<u8>); 4] = [
        ("nothing", Vec::new()),
        ("16 bytes of the h2 preface", H2_PREFACE[..16].to_vec()),
        ("the h2 preface", H2_PREFACE.to_vec()),
        (
            "the h2 preface and SETTINGS",
            [H2_PREFACE, H2_SETTINGS].concat(),
        ),
    ];
    let opened = Instant::now();
    let mut socks = Vec::new();
    for (_, bytes) in &payloads {
        let mut sock = TcpStream::connect(s.addr).await.unwrap();
        sock.write_all(bytes).await.unwrap();
        socks.push(sock);
    }
    // Every slot is taken: a fifth client is not served.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let quick = client_with_timeout(2);
    assert!(
        get(&quick, healthz(s.addr)).await.is_err(),
        "a fifth connection was served while four idle sockets held the cap"
    );
    // Each idle socket is closed by the server at the header timeout.
    let waits = socks
        .into_iter()
        .map(|sock| closed_after(sock, opened, Duration::from_secs(20)));
    let closed = futures::future::join_all(waits).await;
    for ((what, _), after) in payloads.iter().zip(&closed) {
        let after = after.unwrap_or_else(|| panic!("{what}: still open after 20 s"));
        eprintln!("socket sending {what}: closed by the server after {after:?}");
        assert!(
            after >= Duration::from_secs(9) && after <= Duration::from_secs(14),
            "{what}: closed after {after:?}, expected about 10 s"
        );
    }
    let t = Instant::now();
    let ok = get(&quick, healthz(s.addr))
        .await
        .expect("/healthz after the idle sockets were closed");
    assert_eq!(ok.status(), 200);
    eprintln!(
        "/healthz answered {} {:?} after the sockets were closed ({:?} after they opened)",
        ok.status(),
        t.elapsed(),
        opened.elapsed()
    );
}

/// A client address holds at most FUNDLINE_MAX_CONNECTIONS_PER_ADDRESS
/// connections; the next one is closed at once, and another address is
/// still served.
#[tokio::test]
async fn one_address_cannot_take_every_slot() {
    let (_dir, s) = start_plain(&[
        ("FUNDLINE_MAX_CONNECTIONS", "8"),
        ("FUNDLINE_MAX_CONNECTIONS_PER_ADDRESS", "3"),
    ])
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(s.addr).await.unwrap());
    }
    for sock in &mut held {
        assert!(still_open(sock, Duration::from_millis(300)).await);
    }
    // The fourth from the same address: closed at once, not queued.
    let fourth = TcpStream::connect(s.addr).await.unwrap();
    let after = closed_after(fourth, Instant::now(), Duration::from_secs(3))
        .await
        .expect("a connection over the per-address cap was kept open");
    assert!(after < Duration::from_secs(1), "{after:?}");
    let same = client_with_timeout(3);
    assert!(get(&same, healthz(s.addr)).await.is_err());
    // Another address (127.0.0.2 reaches the listener on 127.0.0.1).
    let other = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let ok = get(&other, healthz(s.addr)).await.unwrap();
    assert_eq!(ok.status(), 200);
    // The slots come back when the connections close.
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ok = get(&same, healthz(s.addr)).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(s.log().contains("per-address cap"));
}

/// HTTP/2 with prior knowledge (h2c) serves a request; without TLS there is
/// no HSTS. A connection with no request in flight is closed after the idle
/// timeout even though the client keeps pinging.
#[tokio::test]
async fn http2_works_and_idle_http2_connections_are_closed() {
    let (_dir, s) = start_plain(&[("FUNDLINE_IDLE_TIMEOUT_SECS", "2")]).await;
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let r = get(&h2, healthz(s.addr)).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert!(r.headers().get("strict-transport-security").is_none());
    drop(h2);

    // A hyper HTTP/2 client that pings every 300 ms while idle.
    let (mut send, conn) = pinging_h2(s.addr, None).await;
    let req = hyper::Request::get(healthz(s.addr))
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = send.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body = axum::body::to_bytes(axum::body::Body::new(resp.into_body()), 1 << 16)
        .await
        .unwrap();
    assert!(!body.is_empty());
    let what = "an idle HTTP/2 connection (client pinging)";
    let after = ended_after(conn, Instant::now(), Duration::from_secs(10), what).await;
    assert!(
        after >= Duration::from_millis(1500) && after <= Duration::from_secs(5),
        "{after:?}"
    );
    assert!(send
        .send_request(
            hyper::Request::get(healthz(s.addr))
                .body(axum::body::Body::empty())
                .unwrap()
        )
        .await
        .is_err());
}

fn tls_client(ca_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// A self-signed certificate for "localhost": (certificate PEM, key PEM).
fn certificate() -> (String, String) {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    (c.cert.pem(), c.key_pair.serialize_pem())
}

/// [`certificate`] written to cert.pem and key.pem in `dir`: (certificate
/// PEM, key PEM, certificate path, key path).
fn certificate_files(dir: &Path) -> (String, String, std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = certificate();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, &cert).unwrap();
    std::fs::write(&key_path, &key).unwrap();
    (cert, key, cert_path, key_path)
}

/// The built-in TLS listener: HTTPS with ALPN h2, HSTS on every response,
/// a stalled handshake closed at the header timeout, and the certificate
/// replaced on SIGHUP for new connections (a broken file keeps the old one).
#[tokio::test]
async fn tls_listener_serves_hsts_and_reloads_its_certificate_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let (cert1, key1, cert_path, key_path) = certificate_files(dir.path());
    let ready_ca = cert1.clone();
    let s = start(
        dir.path(),
        &[
            ("FUNDLINE_TLS_CERT", cert_path.to_str().unwrap()),
            ("FUNDLINE_TLS_KEY", key_path.to_str().unwrap()),
            ("FUNDLINE_HEADER_READ_TIMEOUT_SECS", "2"),
        ],
        move |addr| tls_client(&ready_ca).get(format!("https://localhost:{}/readyz", addr.port())),
    )
    .await;
    let url = |path: &str| format!("https://localhost:{}{path}", s.addr.port());

    let r = get(&tls_client(&cert1), url("/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.version(), reqwest::Version::HTTP_2, "ALPN chose h2");
    assert_eq!(r.headers()["strict-transport-security"], HSTS);
    // Every response, errors included.
    let r = get(&tls_client(&cert1), url("/no/such/route"))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["strict-transport-security"], HSTS);
    let r = tls_client(&cert1)
        .post(url("/api/v1/partners/authenticate"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(r.headers()["strict-transport-security"], HSTS);
    // HTTP/1.1 over TLS too.
    let h1 = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert1.as_bytes()).unwrap())
        .http1_only()
        .build()
        .unwrap();
    let r = get(&h1, url("/healthz")).await.unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_11);
    assert_eq!(r.headers()["strict-transport-security"], HSTS);
    drop(h1);
    // Plain HTTP on the TLS port gets no answer.
    assert!(reqwest::Client::new()
        .get(healthz(s.addr))
        .timeout(Duration::from_secs(3))
        .send()
        .await
        .is_err());

    // A handshake that never starts, and one left after the ClientHello's
    // first bytes, are closed at the header timeout (2 s).
    let opened = Instant::now();
    let silent = TcpStream::connect(s.addr).await.unwrap();
    let mut partial = TcpStream::connect(s.addr).await.unwrap();
    partial
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .await
        .unwrap();
    for sock in [silent, partial] {
        let after = closed_after(sock, opened, Duration::from_secs(10))
            .await
            .expect("a stalled TLS handshake was kept open");
        eprintln!("stalled TLS handshake closed after {after:?}");
        assert!(after >= Duration::from_millis(1500) && after <= Duration::from_secs(5));
    }

    // A new certificate and key, then SIGHUP.
    let (cert2, key2) = certificate();
    std::fs::write(&key_path, &key2).unwrap();
    std::fs::write(&cert_path, &cert2).unwrap();
    s.sighup();
    let switched = within_5s(async || {
        let Ok(r) = get(&tls_client(&cert2), url("/healthz")).await else {
            return false;
        };
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["strict-transport-security"], HSTS);
        true
    })
    .await;
    assert!(
        switched,
        "new connections never saw the new certificate: {}",
        s.log()
    );
    assert!(
        get(&tls_client(&cert1), url("/healthz")).await.is_err(),
        "the old certificate is still served"
    );

    // A broken file: the reload fails, is logged, and the certificate in use stays.
    std::fs::write(&cert_path, "not a certificate").unwrap();
    s.sighup();
    let logged = within_5s(async || s.log().contains("TLS certificate reload failed")).await;
    assert!(logged, "{}", s.log());
    let r = get(&tls_client(&cert2), url("/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
    // A certificate that does not fit the key: refused the same way.
    std::fs::write(&cert_path, &cert1).unwrap();
    s.sighup();
    let refused =
        within_5s(async || s.log().matches("TLS certificate reload failed").count() == 2).await;
    assert!(refused, "{}", s.log());
    assert!(s.log().contains("the key does not fit the certificate"));
    let r = get(&tls_client(&cert2), url("/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(get(&tls_client(&cert1), url("/healthz")).await.is_err());
    let log = s.log();
    assert!(!log.contains(key1.lines().nth(1).unwrap()));
    assert!(!log.contains(key2.lines().nth(1).unwrap()));
}

/// An HTTP/2 client that asks for a response and then withholds flow-control
/// credit (it answers pings, so the connection looks alive) cannot hold the
/// connection: the response body is handed to the HTTP/2 layer at once, so
/// the idle timeout runs (2 s), then GOAWAY and, unanswered, the close after
/// the header timeout (2 s more). (A response streamed in many frames would
/// instead meet the in-flight bound, request + idle timeout.)
#[tokio::test]
async fn a_client_that_stops_reading_its_response_loses_the_connection() {
    let (_dir, s) = start_plain(&[
        ("FUNDLINE_REQUEST_TIMEOUT_SECS", "1"),
        ("FUNDLINE_IDLE_TIMEOUT_SECS", "2"),
        ("FUNDLINE_HEADER_READ_TIMEOUT_SECS", "2"),
    ])
    .await;
    let (mut send, conn) = pinging_h2(s.addr, Some(1024)).await;
    let req = hyper::Request::get(format!("http://{}/openapi.json", s.addr))
        .body(axum::body::Body::empty())
        .unwrap();
    let asked = Instant::now();
    let resp = send.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    // The body (far over 1 KiB) is never read, so no window is granted.
    let what = "a connection with a stalled HTTP/2 response";
    let after = ended_after(conn, asked, Duration::from_secs(15), what).await;
    assert!(
        after >= Duration::from_millis(3500) && after <= Duration::from_secs(8),
        "{after:?}"
    );
    drop(resp);
}

/// The TLS files come from flags or the file as well as the environment,
/// go together, and a broken file stops the start with a message naming it.
#[tokio::test]
async fn tls_settings_come_from_flags_and_file_and_are_checked_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _, cert_path, key_path) = certificate_files(dir.path());
    let serve = |args: &[&str], envs: &[(&str, &str)]| {
        Command::new(BIN)
            .arg("serve")
            .args(args)
            .env("FUNDLINE_DATA_DIR", dir.path())
            .env(
                "FUNDLINE_LISTEN",
                format!("127.0.0.1:{}", crate::common::binary::free_port()),
            )
            .env_remove("DATABASE_URL")
            .env_remove("FUNDLINE_MASTER_KEY")
            .env_remove("FUNDLINE_TLS_CERT")
            .env_remove("FUNDLINE_TLS_KEY")
            .envs(envs.iter().copied())
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    // A certificate without a key.
    let out = serve(&[], &[("FUNDLINE_TLS_CERT", cert_path.to_str().unwrap())]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("set both or neither"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A key file that holds no key: refused, named, not quoted.
    let bogus = dir.path().join("bogus.pem");
    std::fs::write(
        &bogus,
        "-----BEGIN NOTHING-----\nc2VjcmV0\n-----END NOTHING-----\n",
    )
    .unwrap();
    let out = serve(
        &[
            "--tls-cert",
            cert_path.to_str().unwrap(),
            "--tls-key",
            bogus.to_str().unwrap(),
        ],
        &[],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bogus.pem") && err.contains("no PEM private key"),
        "{err}"
    );
    assert!(!err.contains("c2VjcmV0"));

    // From fundline.toml: the server speaks HTTPS.
    std::fs::write(
        dir.path().join("fundline.toml"),
        format!(
            "tls_cert = {:?}\ntls_key = {:?}\n",
            cert_path.to_str().unwrap(),
            key_path.to_str().unwrap()
        ),
    )
    .unwrap();
    let ca = cert.clone();
    let s = start(dir.path(), &[], move |addr| {
        tls_client(&ca).get(format!("https://localhost:{}/readyz", addr.port()))
    })
    .await;
    let r = get(
        &tls_client(&cert),
        format!("https://localhost:{}/healthz", s.addr.port()),
    )
    .await
    .unwrap();
    assert_eq!(r.headers()["strict-transport-security"], HSTS);
    assert!(s.log().contains("\"tls\":true"), "{}", s.log());
}
