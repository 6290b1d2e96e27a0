//! Headless Chromium under chromedriver for the end-to-end tests.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them
//! and sets FUNDLINE_REQUIRE_BROWSER=1, which makes their absence a failure).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use serde_json::{json, Value};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One browser at a time: on a cold CI machine several Chromium starts at
/// once can outlast the waits of the tests.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A chromedriver for one test; each `session` is a browser of its own
/// (its own profile, so its own cookies).
pub struct Chromium {
    _one: tokio::sync::MutexGuard<'static, ()>,
    _driver: Driver,
    port: u16,
}

impl Chromium {
    /// The driver, or None (skip) when this machine has none and
    /// FUNDLINE_REQUIRE_BROWSER is unset. It keeps the browser to this
    /// test until it is dropped.
    pub async fn start() -> Option<Chromium> {
        let one = ONE_BROWSER.lock().await;
        let driver_bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| Path::new(p).exists());
        let Some(driver_bin) = driver_bin else {
            assert!(
                std::env::var("FUNDLINE_REQUIRE_BROWSER").is_err(),
                "chromedriver is required (apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "skipping the browser test: no chromedriver on this machine (.ci/run installs it)"
            );
            return None;
        };
        let port = super::binary::free_port();
        let driver = Driver(
            Command::new(driver_bin)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        Some(Chromium {
            _one: one,
            _driver: driver,
            port,
        })
    }

    /// A new browser session with a fresh profile; files it downloads go
    /// to `downloads` when given.
    pub async fn session(&self, downloads: Option<&Path>) -> fantoccini::Client {
        let mut options = json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     format!("--user-data-dir={}", tempfile::tempdir().unwrap().keep().display()) ]
        });
        if let Some(dir) = downloads {
            options["prefs"] = json!({
                "download.default_directory": dir.display().to_string(),
                "download.prompt_for_download": false,
                "plugins.always_open_pdf_externally": true,
            });
        }
        let caps: serde_json::Map<String, Value> = serde_json::from_value(json!({
            "browserName": "chrome",
            "goog:chromeOptions": options,
        }))
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(c) => return c,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot start Chromium through chromedriver: {e}"),
            }
        }
    }
}

/// A single-session browser: the driver and its one client.
pub async fn browser() -> Option<(Chromium, fantoccini::Client)> {
    let chromium = Chromium::start().await?;
    let client = chromium.session(None).await;
    Some((chromium, client))
}

pub type Cmd<T> = Result<T, fantoccini::error::CmdError>;

/// After a failed flow, what the browser was showing.
pub async fn show_page(client: &fantoccini::Client) {
    let url = client.current_url().await.map(|u| u.to_string());
    let source = client.source().await.unwrap_or_default();
    eprintln!(
        "browser at failure ({url:?}):\n{}",
        &source[..source.len().min(4000)]
    );
}

/// On a customer's report link page: ticks the consent, records it, waits
/// for the upload step to open, chooses `file` and uploads it.
pub async fn consent_and_upload(client: &fantoccini::Client, file: &Path) -> Cmd<()> {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("consent"))
        .await?
        .click()
        .await?;
    client
        .find(Locator::Id("consent-button"))
        .await?
        .click()
        .await?;
    // The upload step opens once the consent is recorded.
    let deadline = Instant::now() + Duration::from_secs(10);
    while client
        .execute(
            "return document.getElementById('share-step').disabled",
            vec![],
        )
        .await?
        != Value::Bool(false)
    {
        assert!(Instant::now() < deadline, "the upload step never opened");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client
        .find(Locator::Id("file"))
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    client.find(Locator::Id("upload")).await?.click().await
}
