//! Configuration: flags over environment over `fundline.toml` over defaults,
//! merged by figment into [`Config`], the one list of every setting, its
//! default and its environment variable ([`ENV_VARS`]); docs/configuration.md
//! lists them for operators. [`Settings`], what the server runs with, is
//! built from it and checked.

mod forms;
mod sources;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use figment::Figment;
use fundline_api::analysis::auth::StaffAuthConfig;
use fundline_api::analysis::share::UploadLimits;
use fundline_api::cardnet::SandboxNetwork;
use fundline_api::config::{SmsConfig, SmsProvider, SmtpConfig};
use fundline_api::ratelimit::RateLimit;
use fundline_api::server::ServerLimits;
use fundline_vault::SecretString;
use serde::{Deserialize, Serialize};

pub use forms::Secret;

/// The flags every command takes (the settings they name are in [`Config`]).
#[derive(clap::Args, Serialize, Debug, Default, Clone)]
pub struct Flags {
    /// Address to listen on [env: FUNDLINE_LISTEN] (default 127.0.0.1:8080).
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// Data directory [env: FUNDLINE_DATA_DIR] (default ./fundline-data).
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// sqlite:… or postgres://… [env: DATABASE_URL] (default: SQLite in the data directory).
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// Base URL of links handed out [env: FUNDLINE_PUBLIC_URL].
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// PEM certificate chain for the built-in TLS listener [env: FUNDLINE_TLS_CERT] (default: no TLS).
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for the built-in TLS listener [env: FUNDLINE_TLS_KEY].
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    /// Configuration file (default ./fundline.toml if present).
    #[arg(long, global = true)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
}

/// Every setting. The field is the file key; [`ENV_VARS`] gives its
/// environment variable; [`Flags`] the few with a flag. Defaults are in
/// `Default` below. Each is checked when [`Settings`] is built.
#[derive(Deserialize, Debug, Clone)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Data directory (SQLite database, development master key, sandbox
    /// credentials).
    pub data_dir: PathBuf,
    /// `sqlite:…` or `postgres://…`; none: SQLite in the data directory.
    pub database_url: Option<String>,
    /// Base URL of links handed out; none: `http(s)://<listen>`.
    pub public_url: Option<String>,
    /// Built-in TLS: PEM certificate chain (with the key; none: plain HTTP).
    pub tls_cert: Option<PathBuf>,
    /// Built-in TLS: PEM private key.
    pub tls_key: Option<PathBuf>,
    /// Base64 master key (environment only).
    pub master_key: Option<Secret>,
    /// A file holding the base64 master key (outside the data directory).
    pub master_key_file: Option<PathBuf>,
    /// Master key shares combined at start: file paths or `env:NAME`.
    #[serde(deserialize_with = "forms::list")]
    pub master_key_shares: Vec<String>,
    /// The new master key of `admin keys rotate-master` (environment only).
    pub new_master_key: Option<Secret>,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Seconds a request may take.
    pub request_timeout_secs: u64,
    /// OFAC-blocked countries of origin (`none` in the environment: none).
    #[serde(deserialize_with = "forms::list_or_none")]
    pub ofac_blocked_countries: Vec<String>,
    /// Database connections.
    pub pool_size: u32,
    /// Sandbox network: card number → decline code; none: the network's own.
    #[serde(deserialize_with = "forms::pairs")]
    pub sandbox_declines: Option<Vec<(String, String)>>,
    /// Sandbox network: BIN prefixes refused as outside the network.
    #[serde(deserialize_with = "forms::list")]
    pub sandbox_blocked_bin_prefixes: Vec<String>,
    /// Sandbox network: `test-values` or `compare` (AVS against the address
    /// on file).
    pub sandbox_avs: String,
    /// Bank analysis: hours a customer's report link stays open.
    pub report_link_ttl_hours: u64,
    /// Bank analysis: newest data older than this many days is stale.
    pub report_stale_after_days: u32,
    /// Bank analysis: the plain-SMTP relay for customer emails, host:port.
    pub smtp_relay: Option<String>,
    /// Bank analysis: the From address of customer emails.
    pub smtp_from: Option<String>,
    /// The SMS provider, `webhook` or `twilio`; none: SMS are recorded only.
    pub sms_provider: Option<String>,
    /// The webhook provider's URL (https, or http to this machine).
    pub sms_webhook_url: Option<String>,
    /// The webhook provider's bearer token.
    pub sms_webhook_token: Option<Secret>,
    /// Twilio: account SID.
    pub twilio_account_sid: Option<String>,
    /// Twilio: auth token.
    pub twilio_auth_token: Option<Secret>,
    /// Twilio: sender number.
    pub twilio_from: Option<String>,
    /// Twilio: API base URL; none: Twilio's.
    pub twilio_base_url: Option<String>,
    /// Seconds one request to the SMS provider may take.
    pub sms_timeout_secs: u64,
    /// Customer messages: attempts before a message is failed.
    pub outbox_max_attempts: i64,
    /// Customer messages: seconds before the first retry (doubling).
    pub outbox_backoff_secs: u64,
    /// Requests per second per credential, per node (0 = no limit).
    pub rate_limit_per_second: u32,
    /// Requests a credential may burst above the rate.
    pub rate_limit_burst: u32,
    /// Connections served at once.
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers.
    pub header_read_timeout_secs: u64,
    /// Connections one client address may hold (0 = no cap).
    pub max_connections_per_address: usize,
    /// Seconds a connection may stay open with no request in flight.
    pub idle_timeout_secs: u64,
    /// HTTP/2: seconds without frames before a keep-alive PING.
    pub http2_keepalive_secs: u64,
    /// Password hashes running at once.
    pub password_hash_concurrency: usize,
    /// Milliseconds a login waits for a hashing slot before a 429.
    pub password_hash_wait_ms: u64,
    /// Hours a staff session lasts at most from its login.
    pub staff_session_max_hours: u64,
    /// Proxies whose X-Forwarded-For names the client (addresses or CIDRs).
    #[serde(deserialize_with = "forms::list")]
    pub trusted_proxies: Vec<String>,
    /// Statement parses (and report builds) that run at once.
    pub statement_parses: usize,
    /// Seconds an upload waits for a parse slot before 429.
    pub statement_parse_wait_secs: u64,
    /// Statement uploads a minute per customer link and per client address.
    pub statement_uploads_per_minute: u32,
    /// Other customer-link requests a minute per link and per client address.
    pub connect_rate_per_minute: u32,
    /// The sandbox (sandbox tenant, mailbox, sandbox bank, loopback webhooks).
    pub sandbox: bool,
    /// Seconds a rotated credential's previous secret keeps working.
    pub credential_overlap_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        let server = ServerLimits::default();
        let uploads = UploadLimits::default();
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./fundline-data"),
            database_url: None,
            public_url: None,
            tls_cert: None,
            tls_key: None,
            master_key: None,
            master_key_file: None,
            master_key_shares: Vec::new(),
            new_master_key: None,
            max_body_bytes: 64 * 1024,
            request_timeout_secs: 30,
            ofac_blocked_countries: fundline_api::ofac::OfacScreen::default_list(),
            pool_size: 8,
            sandbox_declines: None,
            sandbox_blocked_bin_prefixes: SandboxNetwork::default().blocked_bin_prefixes,
            sandbox_avs: "test-values".into(),
            report_link_ttl_hours: 72,
            report_stale_after_days: fundline_analysis::DEFAULT_STALE_AFTER_DAYS,
            smtp_relay: None,
            smtp_from: None,
            sms_provider: None,
            sms_webhook_url: None,
            sms_webhook_token: None,
            twilio_account_sid: None,
            twilio_auth_token: None,
            twilio_from: None,
            twilio_base_url: None,
            sms_timeout_secs: 10,
            outbox_max_attempts: 5,
            outbox_backoff_secs: 30,
            rate_limit_per_second: RateLimit::default().per_second,
            rate_limit_burst: RateLimit::default().burst,
            max_connections: server.max_connections,
            header_read_timeout_secs: server.header_read_timeout.as_secs(),
            max_connections_per_address: server.max_connections_per_address,
            idle_timeout_secs: server.idle_timeout.as_secs(),
            http2_keepalive_secs: server.http2_keep_alive_interval.as_secs(),
            password_hash_concurrency: StaffAuthConfig::default().hash_concurrency,
            password_hash_wait_ms: 2000,
            staff_session_max_hours: 12,
            trusted_proxies: Vec::new(),
            statement_parses: uploads.parse_concurrency,
            statement_parse_wait_secs: uploads.parse_wait.as_secs(),
            statement_uploads_per_minute: uploads.uploads_per_minute,
            connect_rate_per_minute: uploads.link_requests_per_minute,
            sandbox: true,
            credential_overlap_secs: 24 * 3600,
        }
    }
}

/// Each setting's environment variable: (variable, file key). A blank
/// value counts as unset; lists are comma-separated.
#[rustfmt::skip]
pub const ENV_VARS: &[(&str, &str)] = &[
    ("FUNDLINE_LISTEN",                        "listen"),
    ("FUNDLINE_DATA_DIR",                      "data_dir"),
    ("DATABASE_URL",                           "database_url"),
    ("FUNDLINE_PUBLIC_URL",                    "public_url"),
    ("FUNDLINE_TLS_CERT",                      "tls_cert"),
    ("FUNDLINE_TLS_KEY",                       "tls_key"),
    ("FUNDLINE_MASTER_KEY",                    "master_key"),
    ("FUNDLINE_MASTER_KEY_FILE",               "master_key_file"),
    ("FUNDLINE_MASTER_KEY_SHARES",             "master_key_shares"),
    ("FUNDLINE_NEW_MASTER_KEY",                "new_master_key"),
    ("FUNDLINE_MAX_BODY_BYTES",                "max_body_bytes"),
    ("FUNDLINE_REQUEST_TIMEOUT_SECS",          "request_timeout_secs"),
    ("FUNDLINE_OFAC_BLOCKED_COUNTRIES",        "ofac_blocked_countries"),
    ("FUNDLINE_POOL_SIZE",                     "pool_size"),
    ("FUNDLINE_SANDBOX_DECLINES",              "sandbox_declines"),
    ("FUNDLINE_SANDBOX_BLOCKED_BINS",          "sandbox_blocked_bin_prefixes"),
    ("FUNDLINE_SANDBOX_AVS",                   "sandbox_avs"),
    ("FUNDLINE_REPORT_LINK_TTL_HOURS",         "report_link_ttl_hours"),
    ("FUNDLINE_REPORT_STALE_AFTER_DAYS",       "report_stale_after_days"),
    ("FUNDLINE_SMTP_RELAY",                    "smtp_relay"),
    ("FUNDLINE_SMTP_FROM",                     "smtp_from"),
    ("FUNDLINE_SMS_PROVIDER",                  "sms_provider"),
    ("FUNDLINE_SMS_WEBHOOK_URL",               "sms_webhook_url"),
    ("FUNDLINE_SMS_WEBHOOK_TOKEN",             "sms_webhook_token"),
    ("FUNDLINE_TWILIO_ACCOUNT_SID",            "twilio_account_sid"),
    ("FUNDLINE_TWILIO_AUTH_TOKEN",             "twilio_auth_token"),
    ("FUNDLINE_TWILIO_FROM",                   "twilio_from"),
    ("FUNDLINE_TWILIO_BASE_URL",               "twilio_base_url"),
    ("FUNDLINE_SMS_TIMEOUT_SECS",              "sms_timeout_secs"),
    ("FUNDLINE_OUTBOX_MAX_ATTEMPTS",           "outbox_max_attempts"),
    ("FUNDLINE_OUTBOX_BACKOFF_SECS",           "outbox_backoff_secs"),
    ("FUNDLINE_RATE_LIMIT_PER_SECOND",         "rate_limit_per_second"),
    ("FUNDLINE_RATE_LIMIT_BURST",              "rate_limit_burst"),
    ("FUNDLINE_MAX_CONNECTIONS",               "max_connections"),
    ("FUNDLINE_HEADER_READ_TIMEOUT_SECS",      "header_read_timeout_secs"),
    ("FUNDLINE_MAX_CONNECTIONS_PER_ADDRESS",   "max_connections_per_address"),
    ("FUNDLINE_IDLE_TIMEOUT_SECS",             "idle_timeout_secs"),
    ("FUNDLINE_HTTP2_KEEPALIVE_SECS",          "http2_keepalive_secs"),
    ("FUNDLINE_PASSWORD_HASH_CONCURRENCY",     "password_hash_concurrency"),
    ("FUNDLINE_PASSWORD_HASH_WAIT_MS",         "password_hash_wait_ms"),
    ("FUNDLINE_STAFF_SESSION_MAX_HOURS",       "staff_session_max_hours"),
    ("FUNDLINE_TRUSTED_PROXIES",               "trusted_proxies"),
    ("FUNDLINE_STATEMENT_PARSES",              "statement_parses"),
    ("FUNDLINE_STATEMENT_PARSE_WAIT_SECS",     "statement_parse_wait_secs"),
    ("FUNDLINE_STATEMENT_UPLOADS_PER_MINUTE",  "statement_uploads_per_minute"),
    ("FUNDLINE_CONNECT_RATE_PER_MINUTE",       "connect_rate_per_minute"),
    ("FUNDLINE_SANDBOX",                       "sandbox"),
    ("FUNDLINE_CREDENTIAL_OVERLAP_SECS",       "credential_overlap_secs"),
];

/// Settings refused in the file: a key belongs in the environment or a
/// key file, not beside the other settings.
const ENV_ONLY: &[&str] = &["master_key", "new_master_key"];

/// The built-in TLS listener's files (reloaded on SIGHUP).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// What the server runs with: [`Config`] checked and typed.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub public_url: String,
    /// Base64 master key from FUNDLINE_MASTER_KEY, if set (else the key file).
    pub master_key_env: Option<SecretString>,
    /// FUNDLINE_MASTER_KEY_FILE: a file holding the base64 master key.
    pub master_key_file: Option<PathBuf>,
    /// FUNDLINE_MASTER_KEY_SHARES: where the key shares are, each a file
    /// path or `env:NAME`; all of them are combined at start.
    pub master_key_shares: Vec<String>,
    /// FUNDLINE_NEW_MASTER_KEY: the key `admin keys rotate-master` moves to.
    pub new_master_key: Option<SecretString>,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub ofac_blocked_countries: Vec<String>,
    pub pool_size: u32,
    pub sandbox_network: SandboxNetwork,
    pub report_link_ttl: Duration,
    /// Newest statement data older than this many days is flagged stale.
    pub report_stale_after_days: u32,
    pub smtp: Option<SmtpConfig>,
    pub sms: Option<SmsConfig>,
    /// Customer messages: attempts in all, and the first retry's wait.
    pub outbox_max_attempts: i64,
    pub outbox_backoff: Duration,
    pub rate_limit: RateLimit,
    pub server_limits: ServerLimits,
    /// Serve HTTPS (and send HSTS) with these files; none = plain HTTP.
    pub tls: Option<TlsFiles>,
    pub staff_auth: StaffAuthConfig,
    pub uploads: UploadLimits,
    /// The sandbox is on (default): docs/security.md, "Tenants, credentials
    /// and the sandbox".
    pub sandbox: bool,
    /// How long a rotated credential's previous secret keeps working.
    pub credential_overlap: Duration,
}

impl Settings {
    /// This process's settings: `flags`, then the environment, then the
    /// file, then the defaults.
    pub fn load(flags: &Flags) -> anyhow::Result<Settings> {
        Settings::load_with(flags, |name| std::env::var(name).ok())
    }

    /// As [`Settings::load`], with `env` reading one environment variable.
    pub fn load_with(
        flags: &Flags,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Settings> {
        let file = flags.config.clone().or_else(|| {
            let p = PathBuf::from("fundline.toml");
            p.exists().then_some(p)
        });
        let mut figment = Figment::new();
        if let Some(path) = &file {
            figment = figment.merge(sources::file(path)?);
        }
        // Lossy: environment text becomes the number or on/off it spells.
        let config: Config = figment
            .merge(sources::environment(env))
            .merge(sources::flags(flags)?)
            .extract_lossy()
            .map_err(|e| sources::explain(e, file.as_deref()))?;
        Settings::check(config)
    }

    /// Checks each setting's range and builds the runtime pieces from them.
    fn check(c: Config) -> anyhow::Result<Settings> {
        let staff_auth = staff_auth(&c)?;
        let sms = sms(&c)?;
        let tls = tls(&c)?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let public_url = c
            .public_url
            .clone()
            .unwrap_or_else(|| format!("{scheme}://{}", c.listen));
        let database_url = c.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                c.data_dir.join("fundline.db").display()
            )
        });
        let sandbox_network = sandbox_network(&c)?;
        if !(1..=24 * 30).contains(&c.report_link_ttl_hours) {
            bail!("the report link lifetime must be between 1 hour and 30 days");
        }
        if !(1..=3650).contains(&c.report_stale_after_days) {
            bail!("the stale-data age of reports must be between 1 and 3650 days");
        }
        let smtp = smtp(&c)?;
        if !(1..=50).contains(&c.outbox_max_attempts) {
            bail!("the outbox attempts must be between 1 and 50");
        }
        if !(1..=3600).contains(&c.outbox_backoff_secs) {
            bail!("the outbox backoff must be between 1 and 3600 seconds");
        }
        let server_limits = server_limits(&c)?;
        let uploads = uploads(&c)?;
        if c.max_body_bytes < 1024 {
            bail!("max body size must be at least 1024 bytes");
        }
        let credential_overlap = Duration::from_secs(c.credential_overlap_secs);
        if credential_overlap > Duration::from_secs(30 * 24 * 3600) {
            bail!("the credential overlap must be at most 30 days");
        }
        if c.master_key_shares.len() == 1 {
            bail!("FUNDLINE_MASTER_KEY_SHARES needs two or more shares");
        }
        Ok(Settings {
            public_url: public_url.trim_end_matches('/').to_string(),
            database_url,
            master_key_env: c.master_key.map(|s| s.0),
            new_master_key: c.new_master_key.map(|s| s.0),
            request_timeout: Duration::from_secs(c.request_timeout_secs),
            report_link_ttl: Duration::from_secs(c.report_link_ttl_hours * 3600),
            outbox_backoff: Duration::from_secs(c.outbox_backoff_secs),
            rate_limit: RateLimit {
                per_second: c.rate_limit_per_second,
                burst: c.rate_limit_burst,
            },
            listen: c.listen,
            data_dir: c.data_dir,
            master_key_file: c.master_key_file,
            master_key_shares: c.master_key_shares,
            max_body_bytes: c.max_body_bytes,
            ofac_blocked_countries: c.ofac_blocked_countries,
            pool_size: c.pool_size,
            report_stale_after_days: c.report_stale_after_days,
            outbox_max_attempts: c.outbox_max_attempts,
            sandbox: c.sandbox,
            sandbox_network,
            smtp,
            sms,
            server_limits,
            tls,
            staff_auth,
            uploads,
            credential_overlap,
        })
    }

    pub fn key_file(&self) -> PathBuf {
        self.data_dir.join("master.key")
    }
}

/// The built-in TLS listener: both files or neither.
fn tls(c: &Config) -> anyhow::Result<Option<TlsFiles>> {
    match (&c.tls_cert, &c.tls_key) {
        (Some(cert), Some(key)) => Ok(Some(TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        })),
        (None, None) => Ok(None),
        _ => bail!("FUNDLINE_TLS_CERT and FUNDLINE_TLS_KEY go together: set both or neither"),
    }
}

/// The sandbox card network: its own rules, with what the settings replace.
fn sandbox_network(c: &Config) -> anyhow::Result<SandboxNetwork> {
    use fundline_api::cardnet::{AvsRule, DeclineCode};
    let mut network = SandboxNetwork::default();
    if let Some(declines) = &c.sandbox_declines {
        network.declines = declines
            .iter()
            .map(|(n, c)| match DeclineCode::parse(c) {
                Some(code) if n.bytes().all(|b| b.is_ascii_digit()) => Ok((n.clone(), code)),
                _ => Err(anyhow::anyhow!(
                    "sandbox decline {n}:{c}: expected <digits>:<decline code>"
                )),
            })
            .collect::<anyhow::Result<_>>()?;
    }
    network.blocked_bin_prefixes = c.sandbox_blocked_bin_prefixes.clone();
    network.avs = AvsRule::parse(&c.sandbox_avs).ok_or_else(|| {
        anyhow::anyhow!("the sandbox AVS rule must be \"test-values\" or \"compare\"")
    })?;
    Ok(network)
}

/// Customer email: a relay needs a From address.
fn smtp(c: &Config) -> anyhow::Result<Option<SmtpConfig>> {
    let Some(relay) = &c.smtp_relay else {
        return Ok(None);
    };
    let (host, port) = match relay.rsplit_once(':') {
        Some((h, p)) => (
            h.to_string(),
            p.parse::<u16>()
                .context("FUNDLINE_SMTP_RELAY must be host:port")?,
        ),
        None => (relay.clone(), 25),
    };
    let from = c
        .smtp_from
        .clone()
        .context("FUNDLINE_SMTP_FROM is required with FUNDLINE_SMTP_RELAY")?;
    Ok(Some(SmtpConfig { host, port, from }))
}

/// The server loop's limits; none of them may be zero but the per-address cap.
fn server_limits(c: &Config) -> anyhow::Result<ServerLimits> {
    let limits = ServerLimits {
        max_connections: c.max_connections,
        header_read_timeout: Duration::from_secs(c.header_read_timeout_secs),
        request_timeout: Duration::from_secs(c.request_timeout_secs),
        max_connections_per_address: c.max_connections_per_address,
        idle_timeout: Duration::from_secs(c.idle_timeout_secs),
        http2_keep_alive_interval: Duration::from_secs(c.http2_keepalive_secs),
    };
    if limits.max_connections == 0
        || limits.header_read_timeout.is_zero()
        || limits.idle_timeout.is_zero()
        || limits.http2_keep_alive_interval.is_zero()
    {
        bail!("max connections, the header read timeout, the idle timeout and the HTTP/2 keep-alive interval must be above zero");
    }
    Ok(limits)
}

/// Statement uploads: the parse slots, their wait, and the link's rates.
fn uploads(c: &Config) -> anyhow::Result<UploadLimits> {
    let uploads = UploadLimits {
        parse_concurrency: c.statement_parses,
        parse_wait: Duration::from_secs(c.statement_parse_wait_secs),
        uploads_per_minute: c.statement_uploads_per_minute,
        link_requests_per_minute: c.connect_rate_per_minute,
    };
    if uploads.parse_concurrency == 0 {
        bail!("FUNDLINE_STATEMENT_PARSES must be at least 1");
    }
    if uploads.parse_wait > Duration::from_secs(60) {
        bail!("the statement parse wait must be at most 60 seconds");
    }
    Ok(uploads)
}

/// A text setting, a blank one counting as unset (as an empty variable does).
fn given(value: &Option<String>) -> Option<String> {
    value.clone().filter(|v| !v.trim().is_empty())
}

/// The SMS provider (docs/configuration.md): `sms_provider` `webhook` or
/// `twilio` and that provider's settings; none without it.
fn sms(c: &Config) -> anyhow::Result<Option<SmsConfig>> {
    let Some(kind) = given(&c.sms_provider) else {
        return Ok(None);
    };
    if !(1..=60).contains(&c.sms_timeout_secs) {
        bail!("the SMS provider timeout must be between 1 and 60 seconds");
    }
    let secret = |s: &Option<Secret>| {
        s.as_ref()
            .map(|s| s.0.clone())
            .filter(|s| !s.expose().trim().is_empty())
    };
    let provider = match kind.trim().to_ascii_lowercase().as_str() {
        "webhook" => {
            let url = given(&c.sms_webhook_url).context(
                "FUNDLINE_SMS_WEBHOOK_URL is required with FUNDLINE_SMS_PROVIDER=webhook",
            )?;
            provider_url("FUNDLINE_SMS_WEBHOOK_URL", &url)?;
            SmsProvider::Webhook {
                url: url.trim().to_string(),
                token: secret(&c.sms_webhook_token),
            }
        }
        "twilio" => {
            let required =
                |name: &str| format!("{name} is required with FUNDLINE_SMS_PROVIDER=twilio");
            let base_url = given(&c.twilio_base_url)
                .unwrap_or_else(|| SmsProvider::TWILIO_BASE_URL.to_string());
            provider_url("FUNDLINE_TWILIO_BASE_URL", &base_url)?;
            SmsProvider::Twilio {
                base_url: base_url.trim().trim_end_matches('/').to_string(),
                account_sid: given(&c.twilio_account_sid)
                    .with_context(|| required("FUNDLINE_TWILIO_ACCOUNT_SID"))?
                    .trim()
                    .to_string(),
                auth_token: secret(&c.twilio_auth_token)
                    .with_context(|| required("FUNDLINE_TWILIO_AUTH_TOKEN"))?,
                from: given(&c.twilio_from)
                    .with_context(|| required("FUNDLINE_TWILIO_FROM"))?
                    .trim()
                    .to_string(),
            }
        }
        _ => bail!("FUNDLINE_SMS_PROVIDER must be webhook or twilio"),
    };
    Ok(Some(SmsConfig {
        provider,
        timeout: Duration::from_secs(c.sms_timeout_secs),
    }))
}

/// An SMS provider's URL: https, or plain http to this machine only (the
/// request carries a token and customers' numbers).
fn provider_url(name: &str, url: &str) -> anyhow::Result<()> {
    let u = reqwest::Url::parse(url.trim()).with_context(|| format!("{name} is not a URL"))?;
    let local = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match u.scheme() {
        "https" => Ok(()),
        "http" if local => Ok(()),
        _ => bail!("{name} must be an https URL (plain http only to this machine)"),
    }
}

/// Staff authentication: the hashing cap, the session limit, trusted proxies.
fn staff_auth(c: &Config) -> anyhow::Result<StaffAuthConfig> {
    let trusted_proxies = StaffAuthConfig::parse_proxies(&c.trusted_proxies.join(","))
        .map_err(|e| anyhow::anyhow!("FUNDLINE_TRUSTED_PROXIES: {e}"))?;
    if !(1..=1024).contains(&c.password_hash_concurrency) {
        bail!("the password hash concurrency must be between 1 and 1024");
    }
    if !(1..=24).contains(&c.staff_session_max_hours) {
        bail!("the staff session limit must be between 1 and 24 hours");
    }
    if c.password_hash_wait_ms > 30_000 {
        bail!("the password hash wait must be at most 30000 ms");
    }
    Ok(StaffAuthConfig {
        hash_concurrency: c.password_hash_concurrency,
        hash_wait: Duration::from_millis(c.password_hash_wait_ms),
        session_max: Duration::from_secs(c.staff_session_max_hours * 3600),
        trusted_proxies,
    })
}

/// Writes a file readable by its owner only.
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests;
