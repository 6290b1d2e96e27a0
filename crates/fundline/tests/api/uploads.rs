//! Statement uploads against the real binary: six parallel 10 MB uploads
//! keep the server's peak RSS bounded, parses run under a concurrency cap,
//! and the customer link is rate limited per link and per client address.

use crate::common;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use common::binary::{self, serve, Server};
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

/// The largest statement file the server takes.
const TEN_MB: usize = 10 * 1024 * 1024;

/// A fresh store and a server over it.
async fn start(name: &str, envs: &[(&str, &str)]) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let db = common::fresh_database_url(dir.path()).await;
    let s = serve(dir.path(), &db, name, envs).await;
    (dir, s)
}

/// Staff of the sandbox tenant create customers with a report request; the
/// customer links come from the outbox, as the operator sees them.
async fn report_links(s: &Server, n: usize) -> Vec<String> {
    let creds = binary::sandbox_credentials(&s.dir);
    let token = binary::staff_token(&s.base, &creds).await;
    for i in 0..n {
        binary::create_customer(&s.base, &token, &json!({
                "userName": format!("up{i}"), "password": "pw-123456", "customerType": 1,
                "lastName": "Upload", "firstName": "Una", "phoneNumber": "4045550199",
                "email": format!("up{i}@example.com"), "addressLine1": "1 Demo Way", "country": "USA",
                "city": "Atlanta", "state": "GA", "postalCode": "30303", "ssn": "123456780",
                "dob": "1988-02-03", "triggerReportRequest": true
            })).await;
    }
    let messages = binary::outbox(&s.dir, &s.db);
    let links: Vec<String> = messages
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["link"].as_str().map(str::to_string))
        .collect();
    assert_eq!(links.len(), n, "{messages}");
    for link in &links {
        assert_eq!(common::sharing::consent(link).await, 200);
    }
    links
}

/// Repeats `unit(i)` between `head` and `tail` up to (not past) 10 MB.
fn fill(head: &str, unit: impl Fn(usize) -> String, tail: &str) -> Vec<u8> {
    let mut s = String::with_capacity(TEN_MB);
    s.push_str(head);
    let mut i = 0;
    loop {
        let u = unit(i);
        if s.len() + u.len() + tail.len() > TEN_MB {
            break;
        }
        s.push_str(&u);
        i += 1;
    }
    s.push_str(tail);
    s.into_bytes()
}

fn day(i: usize) -> (usize, usize) {
    ((i / 28) % 12 + 1, i % 28 + 1)
}

fn csv_file() -> Vec<u8> {
    fill(
        "Date,Amount,Description\n",
        |i| {
            let (m, d) = day(i);
            format!(
                "2024-{m:02}-{d:02},-{}.{:02},Payee {}\n",
                i % 900,
                i % 100,
                i % 97
            )
        },
        "",
    )
}

fn ofx_sgml_file() -> Vec<u8> {
    fill(
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nENCODING:USASCII\nCHARSET:1252\n\n<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20240131</DTSERVER><LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\n<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>121000248<ACCTID>000123456789<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20240101<DTEND>20241231\n",
        |i| {
            let (m, d) = day(i);
            format!("<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>2024{m:02}{d:02}<TRNAMT>-{}.{:02}<FITID>F{i}<NAME>Payee {}<MEMO>Card purchase {i}</STMTTRN>\n", i % 900, i % 100, i % 97)
        },
        "</BANKTRANLIST><LEDGERBAL><BALAMT>100.00<DTASOF>20241231</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n",
    )
}

fn ofx_xml_file() -> Vec<u8> {
    fill(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<?OFX OFXHEADER=\"200\" VERSION=\"220\"?>\n<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STMTRS><CURDEF>USD</CURDEF><BANKACCTFROM><BANKID>121000248</BANKID><ACCTID>000123456780</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM><BANKTRANLIST>\n",
        |i| {
            let (m, d) = day(i);
            format!("<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>2024{m:02}{d:02}</DTPOSTED><TRNAMT>{}.{:02}</TRNAMT><FITID>X{i}</FITID><NAME>Payer {}</NAME></STMTTRN>\n", i % 900, i % 100, i % 97)
        },
        "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n",
    )
}

fn mt940_file() -> Vec<u8> {
    fill(
        ":20:UPLOAD\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C240101EUR1000,00\n",
        |i| {
            let (m, d) = day(i);
            format!(
                ":61:24{m:02}{d:02}{m:02}{d:02}D{},{:02}NTRFREF{i}\n:86:Transfer {i} to savings, reference {i}\n",
                i % 900,
                i % 100
            )
        },
        ":62F:C241231EUR1000,00\n-\n",
    )
}

/// Markup and nothing else: a CAMT document of empty elements with
/// attributes, the shape that grows most from file to parse tree.
fn wide_xml_file() -> Vec<u8> {
    fill(
        "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>\n",
        |_| "<a b=\"\" c=\"\"/>".to_string(),
        "</BkToCstmrStmt></Document>\n",
    )
}

/// A CSV of empty cells: each comma a cell in the parsed rows.
fn wide_csv_file() -> Vec<u8> {
    fill(
        "Date,Amount,Description\n",
        |_| format!("{}\n", ",".repeat(255)),
        "",
    )
}

async fn upload(http: &reqwest::Client, link: &str, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let r = http
        .post(format!("{link}/statements"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let retry_after = r.headers().get("retry-after").is_some();
    let mut body: Value = r.json().await.unwrap_or(Value::Null);
    if retry_after {
        body["retry-after"] = json!(true);
    }
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn six_parallel_10_mb_uploads_keep_peak_rss_under_600_mib() {
    // The debug build parses several times slower than a release build, so
    // uploads here may wait up to the longest allowed parse wait (and the
    // request deadline is raised to match): every file is then read, under
    // the default parse cap for this machine's cores.
    let (_dir, s) = start(
        "six",
        &[
            ("FUNDLINE_STATEMENT_PARSE_WAIT_SECS", "60"),
            ("FUNDLINE_REQUEST_TIMEOUT_SECS", "90"),
        ],
    )
    .await;
    let links = report_links(&s, 1).await;
    let link = links[0].clone();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("many.csv", csv_file()),
        ("many.ofx", ofx_sgml_file()),
        ("many2.ofx", ofx_xml_file()),
        ("many.sta", mt940_file()),
        ("wide.xml", wide_xml_file()),
        ("wide.csv", wide_csv_file()),
    ];
    for (name, bytes) in &files {
        assert!(
            bytes.len() > 9 * 1024 * 1024 && bytes.len() <= TEN_MB,
            "{name}"
        );
    }
    let idle = s.peak_rss_kib();
    let http = reqwest::Client::new();
    let started = Instant::now();
    let tasks: Vec<_> = files
        .into_iter()
        .map(|(name, bytes)| {
            let (http, link) = (http.clone(), link.clone());
            tokio::spawn(async move { (name, upload(&http, &link, name, bytes).await) })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    let at_answers = s.peak_rss_kib();
    // The accepted file's report is built next, under the same cap: give
    // it up to 30 s and take the peak again.
    let built = common::eventually(
        "the report to be built or fail",
        Duration::from_secs(30),
        async || {
            let st: Value = http
                .get(format!("{link}/status"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap_or(Value::Null);
            common::ok_if(st["status"] == "Completed" || st["status"] == "Failed", st)
        },
    )
    .await;
    assert_eq!(
        built["status"], "Completed",
        "the report was built: {built}"
    );
    let peak = s.peak_rss_kib();
    eprintln!(
        "six parallel 10 MB uploads: peak RSS {} MiB ({} MiB when all were answered, idle {} MiB) in {:.1} s; answers {:?}",
        peak / 1024,
        at_answers / 1024,
        idle / 1024,
        elapsed.as_secs_f64(),
        answers
            .iter()
            .map(|(n, (st, b))| format!("{n}: {st} {b}"))
            .collect::<Vec<_>>()
    );
    for (name, (status, body)) in &answers {
        // A 2xx, or a clear 4xx in the link page's JSON format.
        assert!(
            (200..300).contains(status) || (400..500).contains(status),
            "{name}: {status} {body}"
        );
        if (400..500).contains(status) {
            assert!(
                body["error"].as_str().is_some_and(|e| !e.is_empty()),
                "{name}: {status} {body}"
            );
        }
    }
    let by_name = |n: &str| &answers.iter().find(|(name, _)| *name == n).unwrap().1;
    // Past the transaction limit: stopped while reading, answered 413.
    let (status, body) = by_name("many.csv");
    assert_eq!(*status, 413, "{body}");
    assert!(body["error"].as_str().unwrap().contains("200000"), "{body}");
    // Markup past the element limit.
    for n in ["wide.xml", "wide.csv"] {
        let (status, body) = by_name(n);
        assert_eq!(*status, 413, "{n}: {body}");
    }
    // The real statements are read; one of them takes the link, the others
    // find it used (or wait their turn and are told to retry).
    let good: Vec<u16> = ["many.ofx", "many2.ofx", "many.sta"]
        .iter()
        .map(|n| by_name(n).0)
        .collect();
    assert_eq!(good.iter().filter(|s| **s == 202).count(), 1, "{good:?}");
    assert!(
        good.iter().all(|s| [202, 409, 410, 429].contains(s)),
        "{good:?}"
    );
    // The flood itself: every upload answered within 600 MiB.
    assert!(
        at_answers <= 600 * 1024,
        "peak RSS {} MiB while the uploads were answered is over 600 MiB",
        at_answers / 1024
    );
    // The accepted file's report build (one 75-90k-transaction statement)
    // comes after, under the same cap, and stays within the same 600 MiB:
    // the report is written straight to text, not built as a JSON tree.
    assert!(
        peak <= 600 * 1024,
        "peak RSS {} MiB during the report build is over 600 MiB",
        peak / 1024
    );
    // Nothing from the files (account numbers) reached the log.
    let log = s.log();
    assert!(!log.contains("000123456789") && !log.contains("0417164300"));
}

/// A 10 MB OFX file whose last transaction has no amount: read to the end,
/// then refused, so the parse is long and nothing is stored.
fn ofx_bad_at_the_end() -> Vec<u8> {
    let mut bytes = ofx_sgml_file();
    let at = bytes.windows(9).rposition(|w| w == b"<STMTTRN>").unwrap();
    let tail = b"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240101<FITID>LAST</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n";
    bytes.truncate(at);
    bytes.extend_from_slice(tail);
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parses_beyond_the_cap_are_refused_with_429_when_they_cannot_wait() {
    let (_dir, s) = start(
        "cap",
        &[
            ("FUNDLINE_STATEMENT_PARSES", "1"),
            ("FUNDLINE_STATEMENT_PARSE_WAIT_SECS", "0"),
        ],
    )
    .await;
    let links = report_links(&s, 2).await;
    let http = reqwest::Client::new();
    let a = {
        let (http, link) = (http.clone(), links[0].clone());
        tokio::spawn(async move { upload(&http, &link, "a.ofx", ofx_bad_at_the_end()).await })
    };
    let b = {
        let (http, link) = (http.clone(), links[1].clone());
        tokio::spawn(async move { upload(&http, &link, "b.ofx", ofx_bad_at_the_end()).await })
    };
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    // One parse at a time, and the other may not wait: one is read to its
    // end (and refused for its last transaction), the other is told to
    // come back.
    assert_eq!(statuses, [400, 429], "{a:?} {b:?}");
    let (read, refused) = if a.0 == 429 {
        (&b.1, &a.1)
    } else {
        (&a.1, &b.1)
    };
    assert!(read["error"].as_str().unwrap().contains("TRNAMT"), "{read}");
    assert!(
        refused["error"].as_str().unwrap().contains("try again"),
        "{refused}"
    );
    assert_eq!(refused["retry-after"], true, "{refused}");
    // With the slot free again the refused customer's retry is read.
    let retry_link = if a.0 == 429 { &links[0] } else { &links[1] };
    let (status, body) = upload(&http, retry_link, "c.ofx", ofx_bad_at_the_end()).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("TRNAMT"), "{body}");
}

fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_link_is_rate_limited_per_link_and_per_client_address() {
    let (_dir, s) = start(
        "rate",
        &[
            ("FUNDLINE_STATEMENT_UPLOADS_PER_MINUTE", "2"),
            ("FUNDLINE_CONNECT_RATE_PER_MINUTE", "8"),
        ],
    )
    .await;
    let links = report_links(&s, 3).await;
    let bad = || b"not a statement\n".to_vec();
    let one = client_from("127.0.0.1");
    let two = client_from("127.0.0.2");
    let three = client_from("127.0.0.3");

    // Uploads: two per minute on link 0 from one address, then 429.
    assert_eq!(upload(&one, &links[0], "x.txt", bad()).await.0, 400);
    assert_eq!(upload(&one, &links[0], "x.txt", bad()).await.0, 400);
    let (status, body) = upload(&one, &links[0], "x.txt", bad()).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["retry-after"], true, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("uploads"),
        "{body}"
    );
    // Per link: another address gets nowhere with the same link...
    assert_eq!(upload(&two, &links[0], "x.txt", bad()).await.0, 429);
    // ...and per address: the first address gets nowhere with another link.
    assert_eq!(upload(&one, &links[1], "x.txt", bad()).await.0, 429);
    // A fresh address on a fresh link is read.
    assert_eq!(upload(&three, &links[2], "x.txt", bad()).await.0, 400);

    // Every other request on the link (the page, its status polls, consent)
    // has its own, looser rate: 8 a minute here, one of them spent on the
    // consent.
    let mut codes = Vec::new();
    for _ in 0..10 {
        let r = three
            .get(format!("{}/status", links[2]))
            .send()
            .await
            .unwrap();
        codes.push(r.status().as_u16());
    }
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 7, "{codes:?}");
    assert_eq!(codes.last(), Some(&429), "{codes:?}");
    // The page itself answers a throttled customer with a page.
    let r = three.get(&links[2]).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(common::header(&r, "content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(r.headers().get("retry-after").is_some());
}
