//! The official Connect server SDKs, unmodified, against the token service:
//! connect-sdk-python3 from PyPI and connect-sdk-nodejs from npm (which also
//! validates every request against Worldline's JSON schemas). `.ci/run` sets
//! FUNDLINE_REQUIRE_SDK=1, which makes a failure to install an SDK a test
//! failure rather than a skip.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::spawn_app;

const PYTHON_SDK: &str = "connect-sdk-python3==6.3.0";
const NODE_SDK: &str = "connect-sdk-nodejs@5.2.0";

fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target")
}

fn run(program: impl AsRef<std::ffi::OsStr>, args: &[&str], what: &str) -> Result<(), String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{what}: {}", String::from_utf8_lossy(&out.stderr)))
    }
}

/// A virtual environment with the Python SDK, kept under target/ between runs.
fn sdk_python() -> Result<PathBuf, String> {
    let root = target_dir().join("connect-sdk-venv");
    let python = root.join("bin/python");
    let ready = root.join(".installed-6.3.0");
    if ready.exists() && python.exists() {
        return Ok(python);
    }
    let root_s = root.to_string_lossy().to_string();
    run("python3", &["-m", "venv", &root_s], "venv")?;
    run(
        &python,
        &["-m", "pip", "install", "-q", PYTHON_SDK],
        "pip install",
    )?;
    let _ = std::fs::write(&ready, PYTHON_SDK);
    Ok(python)
}

/// The Node SDK installed under target/, its node_modules folder.
fn sdk_node() -> Result<PathBuf, String> {
    let root = target_dir().join("connect-sdk-node");
    let modules = root.join("node_modules");
    let ready = root.join(".installed-5.2.0");
    if ready.exists() && modules.join("connect-sdk-nodejs").exists() {
        return Ok(modules);
    }
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    let root_s = root.to_string_lossy().to_string();
    run(
        "npm",
        &[
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            &root_s,
            NODE_SDK,
        ],
        "npm install",
    )?;
    let _ = std::fs::write(&ready, NODE_SDK);
    Ok(modules)
}

fn required_or_skip(what: &str, e: &str) {
    assert!(
        std::env::var("FUNDLINE_REQUIRE_SDK").is_err(),
        "the {what} is required: {e}"
    );
    eprintln!("skipping the {what} test: {e}");
}

/// Runs one SDK script against a fresh server; it prints "ok: …" per check.
async fn drive(program: &Path, script: &str, env: &[(&str, String)]) {
    let app = spawn_app().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sdk")
        .join(script);
    let c = &app.tenant.connect;
    let mut cmd = tokio::process::Command::new(program);
    cmd.arg(script)
        .env("FUNDLINE_ENDPOINT", &app.base)
        .env("FUNDLINE_API_KEY_ID", &c.api_key_id)
        .env("FUNDLINE_SECRET_API_KEY", &c.secret_api_key)
        .env("FUNDLINE_MERCHANT_ID", &c.merchant_id);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "SDK checks failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all SDK checks passed"), "{stdout}");
    eprintln!("{stdout}");
}

#[tokio::test]
async fn the_official_python_sdk_drives_every_token_group() {
    match sdk_python() {
        Ok(python) => drive(&python, "connect_tokens.py", &[]).await,
        Err(e) => required_or_skip("Python Connect SDK", &e),
    }
}

#[tokio::test]
async fn the_official_node_sdk_drives_every_token_group() {
    match sdk_node() {
        Ok(modules) => {
            let path = modules.to_string_lossy().to_string();
            drive(
                Path::new("node"),
                "connect_tokens.js",
                &[("NODE_PATH", path)],
            )
            .await
        }
        Err(e) => required_or_skip("Node.js Connect SDK", &e),
    }
}
