//! The official Connect SDK (connect-sdk-python3 from PyPI, unmodified)
//! against the token service. `.ci/run` sets FUNDLINE_REQUIRE_SDK=1, which
//! makes a failure to install the SDK a test failure rather than a skip.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::spawn_app;

const SDK: &str = "connect-sdk-python3==6.3.0";

/// A virtual environment with the SDK, kept under target/ between runs.
fn sdk_python() -> Result<PathBuf, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/connect-sdk-venv");
    let python = root.join("bin/python");
    let ready = root.join(".installed-6.3.0");
    if ready.exists() && python.exists() {
        return Ok(python);
    }
    let venv = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&root)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !venv.status.success() {
        return Err(format!("venv: {}", String::from_utf8_lossy(&venv.stderr)));
    }
    let pip = Command::new(&python)
        .args(["-m", "pip", "install", "-q", SDK])
        .output()
        .map_err(|e| format!("pip: {e}"))?;
    if !pip.status.success() {
        return Err(format!(
            "pip install {SDK}: {}",
            String::from_utf8_lossy(&pip.stderr)
        ));
    }
    let _ = std::fs::write(&ready, SDK);
    Ok(python)
}

#[tokio::test]
async fn the_official_python_sdk_drives_every_token_group() {
    let python = match sdk_python() {
        Ok(p) => p,
        Err(e) => {
            assert!(
                std::env::var("FUNDLINE_REQUIRE_SDK").is_err(),
                "the Connect SDK is required: {e}"
            );
            eprintln!("skipping the SDK test: {e}");
            return;
        }
    };
    let app = spawn_app().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/connect_tokens.py");
    let c = &app.tenant.connect;
    let out = tokio::process::Command::new(python)
        .arg(script)
        .env("FUNDLINE_ENDPOINT", &app.base)
        .env("FUNDLINE_API_KEY_ID", &c.api_key_id)
        .env("FUNDLINE_SECRET_API_KEY", &c.secret_api_key)
        .env("FUNDLINE_MERCHANT_ID", &c.merchant_id)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "SDK checks failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all SDK checks passed"), "{stdout}");
    eprintln!("{stdout}");
}
