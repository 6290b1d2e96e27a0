//! Starting the platform: data directory, master key, store, keyring, the
//! sandbox tenant, the listener (plain or TLS, certificate reloaded on
//! SIGHUP), and a graceful stop on SIGTERM.

use std::sync::Arc;

use anyhow::{anyhow, Context};
use fundline_api::tls::TlsCertificate;
use fundline_api::ApiConfig;
use fundline_store::keyring::Keyring;
use fundline_store::{tenants, Store, StoreOptions};
use std::path::Path;

use fundline_vault::{MasterKey, SecretString};

use crate::app::{App, Options};
use crate::settings::{write_private, Settings};

/// Reads a secret file, refusing one that others may read (it would be
/// world- or group-readable key material).
fn read_secret_file(path: &Path) -> anyhow::Result<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta =
            std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(anyhow!(
                "{} is readable by other users; make it private (chmod 600)",
                path.display()
            ));
        }
    }
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Where the master key comes from, for logs and errors (never the key).
pub fn master_key_source(settings: &Settings) -> &'static str {
    if settings.master_key_env.is_some() {
        "FUNDLINE_MASTER_KEY"
    } else if settings.master_key_file.is_some() {
        "FUNDLINE_MASTER_KEY_FILE"
    } else if !settings.master_key_shares.is_empty() {
        "FUNDLINE_MASTER_KEY_SHARES"
    } else {
        "the data directory's master.key"
    }
}

/// Combines key shares, each a file path or `env:NAME`.
pub fn key_from_shares(shares: &[String]) -> anyhow::Result<MasterKey> {
    let mut texts = Vec::with_capacity(shares.len());
    for s in shares {
        let text = match s.strip_prefix("env:") {
            Some(name) => {
                std::env::var(name).map_err(|_| anyhow!("key share variable {name} is not set"))?
            }
            None => read_secret_file(Path::new(s))?,
        };
        texts.push(SecretString::new(text));
    }
    let refs: Vec<&str> = texts.iter().map(|t| t.expose()).collect();
    MasterKey::combine(&refs).map_err(|_| {
        anyhow!(
            "the master key shares do not combine: every share of one split is needed, each once"
        )
    })
}

/// The master key, from exactly one source: FUNDLINE_MASTER_KEY (base64),
/// FUNDLINE_MASTER_KEY_FILE, FUNDLINE_MASTER_KEY_SHARES (two or more
/// shares combined), or — for development only — the data directory's key
/// file, created (mode 0600) on first use.
pub fn master_key(settings: &Settings) -> anyhow::Result<MasterKey> {
    let sources = [
        settings.master_key_env.is_some(),
        settings.master_key_file.is_some(),
        !settings.master_key_shares.is_empty(),
    ]
    .iter()
    .filter(|s| **s)
    .count();
    if sources > 1 {
        return Err(anyhow!(
            "set only one of FUNDLINE_MASTER_KEY, FUNDLINE_MASTER_KEY_FILE and FUNDLINE_MASTER_KEY_SHARES"
        ));
    }
    if let Some(b64) = &settings.master_key_env {
        return MasterKey::from_base64(b64.expose())
            .map_err(|_| anyhow!("FUNDLINE_MASTER_KEY must be base64 of exactly 32 bytes"));
    }
    if let Some(path) = &settings.master_key_file {
        let text = SecretString::new(read_secret_file(path)?);
        return MasterKey::from_base64(text.expose())
            .map_err(|_| anyhow!("{} does not hold a base64 32-byte key", path.display()));
    }
    if !settings.master_key_shares.is_empty() {
        return key_from_shares(&settings.master_key_shares);
    }
    let path = settings.key_file();
    let key = match std::fs::read_to_string(&path) {
        Ok(text) => MasterKey::from_base64(&text)
            .map_err(|_| anyhow!("{} does not hold a base64 32-byte key", path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = MasterKey::generate();
            write_private(&path, &key.to_base64())
                .with_context(|| format!("writing {}", path.display()))?;
            tracing::info!(path = %path.display(), "generated a new master key");
            key
        }
        Err(e) => return Err(anyhow!("reading {}: {e}", path.display())),
    };
    tracing::warn!(
        path = %path.display(),
        "the master key is kept beside the data; for production set FUNDLINE_MASTER_KEY_FILE \
         or FUNDLINE_MASTER_KEY_SHARES (docs/security.md, Key custody)"
    );
    Ok(key)
}

/// Makes every file this process creates private to its user (database,
/// WAL and shared-memory files, keys, credentials), and tightens an existing
/// SQLite database written before this rule.
fn private_files(settings: &Settings) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: umask only sets the process file-creation mask; it cannot fail.
        unsafe {
            libc::umask(0o077);
        }
        if let Some(rest) = settings.database_url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            let path = path.split('?').next().unwrap_or(path);
            for suffix in ["", "-wal", "-shm"] {
                let p = format!("{path}{suffix}");
                if let Ok(meta) = std::fs::metadata(&p) {
                    if meta.permissions().mode() & 0o077 != 0 {
                        let _ =
                            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
                    }
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = settings;
}

/// Opens the store (running migrations) and checks the master key against it.
pub async fn open(settings: &Settings) -> anyhow::Result<(Store, Arc<Keyring>)> {
    private_files(settings);
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating data directory {}", settings.data_dir.display()))?;
    let key = master_key(settings)?;
    open_with(settings, key).await
}

/// Opens the store with the given master key.
pub async fn open_with(
    settings: &Settings,
    key: MasterKey,
) -> anyhow::Result<(Store, Arc<Keyring>)> {
    private_files(settings);
    connect(settings, key).await
}

/// Connects to the store (running migrations) and opens its keyring with
/// `key`, leaving file modes alone.
pub async fn connect(settings: &Settings, key: MasterKey) -> anyhow::Result<(Store, Arc<Keyring>)> {
    let mut opts = StoreOptions::new(settings.database_url.clone());
    opts.pool_size = settings.pool_size;
    let store = Store::connect(&opts)
        .await
        .map_err(|e| anyhow!("opening the database: {e}"))?;
    let keyring = Keyring::open(&store, key)
        .await
        .map_err(|e| anyhow!("{e} (master key from {})", master_key_source(settings)))?;
    Ok((store, Arc::new(keyring)))
}

pub fn api_config(settings: &Settings) -> ApiConfig {
    ApiConfig {
        public_url: settings.public_url.clone(),
        max_body_bytes: settings.max_body_bytes,
        request_timeout: settings.request_timeout,
        report_link_ttl: settings.report_link_ttl,
        report_stale_after_days: settings.report_stale_after_days,
        smtp: settings.smtp.clone(),
        sms: settings.sms.clone(),
        outbox_max_attempts: settings.outbox_max_attempts,
        outbox_backoff: settings.outbox_backoff,
        rate_limit: settings.rate_limit,
        hsts: settings.tls.is_some(),
        staff_auth: settings.staff_auth.clone(),
        uploads: settings.uploads.clone(),
        sandbox: settings.sandbox,
        release_memory: Some(crate::memory::release_free_memory),
        ..ApiConfig::default()
    }
}

/// With the sandbox on (the default), on an empty store: creates the
/// sandbox tenant, prints its credentials on stdout and keeps them in
/// `<data_dir>/sandbox-credentials.json` (0600). With the sandbox off
/// (`FUNDLINE_SANDBOX=off`) nothing is created, and a sandbox tenant made
/// earlier is refused on every product while the setting holds.
pub(crate) async fn ensure_sandbox(
    settings: &Settings,
    store: &Store,
    keyring: &Keyring,
) -> anyhow::Result<()> {
    let path = settings.data_dir.join("sandbox-credentials.json");
    if !settings.sandbox {
        eprintln!("Sandbox off: no sandbox tenant, no sandbox routes");
        return Ok(());
    }
    if tenants::tenant_count(store)
        .await
        .map_err(|e| anyhow!("{e}"))?
        > 0
    {
        if path.exists() {
            eprintln!("Sandbox credentials: {}", path.display());
        }
        return Ok(());
    }
    let creds = tenants::create_tenant(store, keyring, "Sandbox", true)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let json = serde_json::to_string_pretty(&creds)?;
    write_private(&path, &json).with_context(|| format!("writing {}", path.display()))?;
    println!("{json}");
    eprintln!(
        "Sandbox tenant created; credentials saved to {}",
        path.display()
    );
    Ok(())
}

pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let (store, _) = open(&settings).await?;
    store.close().await;
    eprintln!("migrations applied");
    Ok(())
}

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let app = App::build(Options::new(settings)).await?;
    let url = app.url();
    eprintln!("Fundline listening on {url} (docs: {url}/docs)");
    app.run_until(shutdown_signal()).await;
    Ok(())
}

/// SIGHUP reads the TLS certificate and key again: new connections get the
/// new certificate, open ones keep theirs, and a failed reload keeps the old
/// one and logs why.
pub(crate) async fn reload_on_sighup(cert: Arc<TlsCertificate>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            tracing::error!("cannot watch SIGHUP; the TLS certificate will not be reloaded");
            return;
        };
        while hup.recv().await.is_some() {
            match cert.reload() {
                Ok(()) => tracing::info!("TLS certificate reloaded"),
                Err(e) => {
                    tracing::error!(error = %e, "TLS certificate reload failed; keeping the old one")
                }
            }
        }
    }
    #[cfg(not(unix))]
    drop(cert);
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown signal received; draining in-flight requests");
}
