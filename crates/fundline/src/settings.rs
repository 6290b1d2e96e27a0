//! Configuration: flags over environment over `fundline.toml` over defaults
//! (docs/configuration.md lists every setting).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Deserialize;

#[derive(clap::Args, Debug, Default, Clone)]
pub struct Flags {
    /// Address to listen on [env: FUNDLINE_LISTEN] (default 127.0.0.1:8080).
    #[arg(long, global = true)]
    pub listen: Option<String>,
    /// Data directory [env: FUNDLINE_DATA_DIR] (default ./fundline-data).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// sqlite:… or postgres://… [env: DATABASE_URL] (default: SQLite in the data directory).
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Base URL of links handed out [env: FUNDLINE_PUBLIC_URL].
    #[arg(long, global = true)]
    pub public_url: Option<String>,
    /// PEM certificate chain for the built-in TLS listener [env: FUNDLINE_TLS_CERT] (default: no TLS).
    #[arg(long, global = true)]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for the built-in TLS listener [env: FUNDLINE_TLS_KEY].
    #[arg(long, global = true)]
    pub tls_key: Option<PathBuf>,
    /// Configuration file (default ./fundline.toml if present).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
}

/// The optional file; every key is optional.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct File {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    public_url: Option<String>,
    max_body_bytes: Option<usize>,
    request_timeout_secs: Option<u64>,
    ofac_blocked_countries: Option<Vec<String>>,
    pool_size: Option<u32>,
    /// Sandbox network: card number → decline code.
    sandbox_declines: Option<std::collections::BTreeMap<String, String>>,
    /// Sandbox network: BIN prefixes refused as outside the network.
    sandbox_blocked_bin_prefixes: Option<Vec<String>>,
    /// Sandbox network: "test-values" (default) or "compare" (AVS against the address on file).
    sandbox_avs: Option<String>,
    /// Bank analysis: hours a customer's report link stays open.
    report_link_ttl_hours: Option<u64>,
    report_stale_after_days: Option<u32>,
    /// Bank analysis: the plain-SMTP relay for customer emails, host:port.
    smtp_relay: Option<String>,
    /// Bank analysis: the From address of customer emails.
    smtp_from: Option<String>,
    /// Bank analysis: the SMS provider, "webhook" or "twilio" (none: SMS
    /// are recorded only).
    sms_provider: Option<String>,
    /// The webhook provider's URL (https, or http to this machine).
    sms_webhook_url: Option<String>,
    /// The webhook provider's bearer token.
    sms_webhook_token: Option<String>,
    /// Twilio: account SID, auth token, sender number, API base URL.
    twilio_account_sid: Option<String>,
    twilio_auth_token: Option<String>,
    twilio_from: Option<String>,
    twilio_base_url: Option<String>,
    /// Seconds one request to the SMS provider may take.
    sms_timeout_secs: Option<u64>,
    /// Customer messages: attempts before a message is failed.
    outbox_max_attempts: Option<i64>,
    /// Customer messages: seconds before the first retry (doubling).
    outbox_backoff_secs: Option<u64>,
    /// Requests per second per credential, per node (0 = no limit).
    rate_limit_per_second: Option<u32>,
    /// Requests a credential may burst above the rate.
    rate_limit_burst: Option<u32>,
    /// Connections served at once.
    max_connections: Option<usize>,
    /// Seconds a client has to send a request's headers.
    header_read_timeout_secs: Option<u64>,
    /// Connections one client address may hold (0 = no cap).
    max_connections_per_address: Option<usize>,
    /// Seconds a connection may stay open with no request in flight.
    idle_timeout_secs: Option<u64>,
    /// HTTP/2: seconds without frames before a keep-alive PING.
    http2_keepalive_secs: Option<u64>,
    /// Built-in TLS: PEM certificate chain.
    tls_cert: Option<PathBuf>,
    /// Built-in TLS: PEM private key.
    tls_key: Option<PathBuf>,
    /// Password hashes running at once (default twice the cores).
    password_hash_concurrency: Option<usize>,
    /// Milliseconds a login waits for a hashing slot before a 429.
    password_hash_wait_ms: Option<u64>,
    /// Hours a staff session lasts at most from its login.
    staff_session_max_hours: Option<u64>,
    /// Proxies whose X-Forwarded-For names the client (addresses or CIDRs).
    trusted_proxies: Option<Vec<String>>,
    /// Statement parses (and report builds) that run at once (default 1).
    statement_parses: Option<usize>,
    /// Seconds an upload waits for a parse slot before 429.
    statement_parse_wait_secs: Option<u64>,
    /// Statement uploads a minute per customer link and per client address.
    statement_uploads_per_minute: Option<u32>,
    /// Other customer-link requests a minute per link and per client address.
    connect_rate_per_minute: Option<u32>,
    /// The sandbox (sandbox tenant, mailbox, sandbox bank, loopback webhooks).
    sandbox: Option<bool>,
    /// Seconds a rotated credential's previous secret keeps working.
    credential_overlap_secs: Option<u64>,
    /// A file holding the base64 master key (outside the data directory).
    master_key_file: Option<PathBuf>,
    /// Master key shares combined at start: file paths or `env:NAME`.
    master_key_shares: Option<Vec<String>>,
}

/// The built-in TLS listener's files (reloaded on SIGHUP).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub public_url: String,
    /// Base64 master key from FUNDLINE_MASTER_KEY, if set (else the key file).
    pub master_key_env: Option<String>,
    /// FUNDLINE_MASTER_KEY_FILE: a file holding the base64 master key.
    pub master_key_file: Option<PathBuf>,
    /// FUNDLINE_MASTER_KEY_SHARES: where the key shares are, each a file
    /// path or `env:NAME`; all of them are combined at start.
    pub master_key_shares: Vec<String>,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub ofac_blocked_countries: Vec<String>,
    pub pool_size: u32,
    pub sandbox_network: fundline_api::cardnet::SandboxNetwork,
    pub report_link_ttl: Duration,
    /// Newest statement data older than this many days is flagged stale.
    pub report_stale_after_days: u32,
    pub smtp: Option<fundline_api::config::SmtpConfig>,
    pub sms: Option<fundline_api::config::SmsConfig>,
    /// Customer messages: attempts in all, and the first retry's wait.
    pub outbox_max_attempts: i64,
    pub outbox_backoff: Duration,
    pub rate_limit: fundline_api::ratelimit::RateLimit,
    pub server_limits: fundline_api::server::ServerLimits,
    /// Serve HTTPS (and send HSTS) with these files; none = plain HTTP.
    pub tls: Option<TlsFiles>,
    pub staff_auth: fundline_api::analysis::auth::StaffAuthConfig,
    pub uploads: fundline_api::analysis::share::UploadLimits,
    /// The sandbox is on (default): docs/security.md, "Tenants, credentials
    /// and the sandbox".
    pub sandbox: bool,
    /// How long a rotated credential's previous secret keeps working.
    pub credential_overlap: Duration,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Settings {
    pub fn load(flags: &Flags) -> anyhow::Result<Settings> {
        let file_path = flags.config.clone().or_else(|| {
            let p = PathBuf::from("fundline.toml");
            p.exists().then_some(p)
        });
        let file: File = match &file_path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing {}", p.display()))?
            }
            None => File::default(),
        };
        let staff_auth = staff_auth_settings(&file)?;
        let sms = sms_settings(&file, env)?;
        let listen = flags
            .listen
            .clone()
            .or_else(|| env("FUNDLINE_LISTEN"))
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let data_dir = flags
            .data_dir
            .clone()
            .or_else(|| env("FUNDLINE_DATA_DIR").map(PathBuf::from))
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./fundline-data"));
        let database_url = flags
            .database_url
            .clone()
            .or_else(|| env("DATABASE_URL"))
            .or(file.database_url)
            .unwrap_or_else(|| {
                format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("fundline.db").display()
                )
            });
        let tls_cert = flags
            .tls_cert
            .clone()
            .or_else(|| env("FUNDLINE_TLS_CERT").map(PathBuf::from))
            .or(file.tls_cert);
        let tls_key = flags
            .tls_key
            .clone()
            .or_else(|| env("FUNDLINE_TLS_KEY").map(PathBuf::from))
            .or(file.tls_key);
        let tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => bail!("FUNDLINE_TLS_CERT and FUNDLINE_TLS_KEY go together: set both or neither"),
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let public_url = flags
            .public_url
            .clone()
            .or_else(|| env("FUNDLINE_PUBLIC_URL"))
            .or(file.public_url)
            .unwrap_or_else(|| format!("{scheme}://{listen}"));
        let max_body_bytes = match env("FUNDLINE_MAX_BODY_BYTES") {
            Some(v) => v
                .parse()
                .context("FUNDLINE_MAX_BODY_BYTES must be a number of bytes")?,
            None => file.max_body_bytes.unwrap_or(64 * 1024),
        };
        let request_timeout = Duration::from_secs(match env("FUNDLINE_REQUEST_TIMEOUT_SECS") {
            Some(v) => v
                .parse()
                .context("FUNDLINE_REQUEST_TIMEOUT_SECS must be a number of seconds")?,
            None => file.request_timeout_secs.unwrap_or(30),
        });
        let ofac_blocked_countries = match env("FUNDLINE_OFAC_BLOCKED_COUNTRIES") {
            Some(v) if v.trim() == "none" => Vec::new(),
            Some(v) => v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            None => file
                .ofac_blocked_countries
                .unwrap_or_else(fundline_api::ofac::OfacScreen::default_list),
        };
        let pool_size = match env("FUNDLINE_POOL_SIZE") {
            Some(v) => v.parse().context("FUNDLINE_POOL_SIZE must be a number")?,
            None => file.pool_size.unwrap_or(8),
        };
        let mut sandbox_network = fundline_api::cardnet::SandboxNetwork::default();
        let declines: Option<Vec<(String, String)>> = match env("FUNDLINE_SANDBOX_DECLINES") {
            Some(v) => Some(
                v.split(',')
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| {
                        let (n, c) = p.split_once(':').unwrap_or((p, ""));
                        (n.trim().to_string(), c.trim().to_string())
                    })
                    .collect(),
            ),
            None => file.sandbox_declines.map(|m| m.into_iter().collect()),
        };
        if let Some(declines) = declines {
            sandbox_network.declines = declines
                .into_iter()
                .map(
                    |(n, c)| match fundline_api::cardnet::DeclineCode::parse(&c) {
                        Some(code) if n.bytes().all(|b| b.is_ascii_digit()) => Ok((n, code)),
                        _ => Err(anyhow::anyhow!(
                            "sandbox decline {n}:{c}: expected <digits>:<decline code>"
                        )),
                    },
                )
                .collect::<anyhow::Result<_>>()?;
        }
        if let Some(bins) = env("FUNDLINE_SANDBOX_BLOCKED_BINS")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .or(file.sandbox_blocked_bin_prefixes)
        {
            sandbox_network.blocked_bin_prefixes = bins;
        }
        if let Some(rule) = env("FUNDLINE_SANDBOX_AVS").or(file.sandbox_avs) {
            sandbox_network.avs =
                fundline_api::cardnet::AvsRule::parse(&rule).ok_or_else(|| {
                    anyhow::anyhow!("the sandbox AVS rule must be \"test-values\" or \"compare\"")
                })?;
        }
        let report_link_ttl_hours = match env("FUNDLINE_REPORT_LINK_TTL_HOURS") {
            Some(v) => v
                .parse()
                .context("FUNDLINE_REPORT_LINK_TTL_HOURS must be a number of hours")?,
            None => file.report_link_ttl_hours.unwrap_or(72),
        };
        if !(1..=24 * 30).contains(&report_link_ttl_hours) {
            bail!("the report link lifetime must be between 1 hour and 30 days");
        }
        let report_stale_after_days = match env("FUNDLINE_REPORT_STALE_AFTER_DAYS") {
            Some(v) => v
                .parse()
                .context("FUNDLINE_REPORT_STALE_AFTER_DAYS must be a number of days")?,
            None => file
                .report_stale_after_days
                .unwrap_or(fundline_analysis::DEFAULT_STALE_AFTER_DAYS),
        };
        if !(1..=3650).contains(&report_stale_after_days) {
            bail!("the stale-data age of reports must be between 1 and 3650 days");
        }
        let smtp = match env("FUNDLINE_SMTP_RELAY").or(file.smtp_relay) {
            None => None,
            Some(relay) => {
                let (host, port) = match relay.rsplit_once(':') {
                    Some((h, p)) => (
                        h.to_string(),
                        p.parse::<u16>()
                            .context("FUNDLINE_SMTP_RELAY must be host:port")?,
                    ),
                    None => (relay.clone(), 25),
                };
                let from = env("FUNDLINE_SMTP_FROM")
                    .or(file.smtp_from)
                    .context("FUNDLINE_SMTP_FROM is required with FUNDLINE_SMTP_RELAY")?;
                Some(fundline_api::config::SmtpConfig { host, port, from })
            }
        };
        let outbox_max_attempts: i64 = match env("FUNDLINE_OUTBOX_MAX_ATTEMPTS") {
            Some(v) => v
                .parse()
                .context("FUNDLINE_OUTBOX_MAX_ATTEMPTS must be a whole number")?,
            None => file.outbox_max_attempts.unwrap_or(5),
        };
        if !(1..=50).contains(&outbox_max_attempts) {
            bail!("the outbox attempts must be between 1 and 50");
        }
        let outbox_backoff_secs: u64 = match env("FUNDLINE_OUTBOX_BACKOFF_SECS") {
            Some(v) => v
                .parse()
                .context("FUNDLINE_OUTBOX_BACKOFF_SECS must be a number of seconds")?,
            None => file.outbox_backoff_secs.unwrap_or(30),
        };
        if !(1..=3600).contains(&outbox_backoff_secs) {
            bail!("the outbox backoff must be between 1 and 3600 seconds");
        }
        let defaults = fundline_api::ratelimit::RateLimit::default();
        let rate_limit = fundline_api::ratelimit::RateLimit {
            per_second: match env("FUNDLINE_RATE_LIMIT_PER_SECOND") {
                Some(v) => v
                    .parse()
                    .context("FUNDLINE_RATE_LIMIT_PER_SECOND must be a whole number")?,
                None => file.rate_limit_per_second.unwrap_or(defaults.per_second),
            },
            burst: match env("FUNDLINE_RATE_LIMIT_BURST") {
                Some(v) => v
                    .parse()
                    .context("FUNDLINE_RATE_LIMIT_BURST must be a whole number")?,
                None => file.rate_limit_burst.unwrap_or(defaults.burst),
            },
        };
        let server_defaults = fundline_api::server::ServerLimits::default();
        let server_limits = fundline_api::server::ServerLimits {
            max_connections: match env("FUNDLINE_MAX_CONNECTIONS") {
                Some(v) => v
                    .parse()
                    .context("FUNDLINE_MAX_CONNECTIONS must be a number")?,
                None => file
                    .max_connections
                    .unwrap_or(server_defaults.max_connections),
            },
            header_read_timeout: match env("FUNDLINE_HEADER_READ_TIMEOUT_SECS") {
                Some(v) => Duration::from_secs(
                    v.parse()
                        .context("FUNDLINE_HEADER_READ_TIMEOUT_SECS must be a number of seconds")?,
                ),
                None => file
                    .header_read_timeout_secs
                    .map(Duration::from_secs)
                    .unwrap_or(server_defaults.header_read_timeout),
            },
            request_timeout,
            max_connections_per_address: match env("FUNDLINE_MAX_CONNECTIONS_PER_ADDRESS") {
                Some(v) => v.parse().context(
                    "FUNDLINE_MAX_CONNECTIONS_PER_ADDRESS must be a number (0 = no cap)",
                )?,
                None => file
                    .max_connections_per_address
                    .unwrap_or(server_defaults.max_connections_per_address),
            },
            idle_timeout: match env("FUNDLINE_IDLE_TIMEOUT_SECS") {
                Some(v) => Duration::from_secs(
                    v.parse()
                        .context("FUNDLINE_IDLE_TIMEOUT_SECS must be a number of seconds")?,
                ),
                None => file
                    .idle_timeout_secs
                    .map(Duration::from_secs)
                    .unwrap_or(server_defaults.idle_timeout),
            },
            http2_keep_alive_interval: match env("FUNDLINE_HTTP2_KEEPALIVE_SECS") {
                Some(v) => Duration::from_secs(
                    v.parse()
                        .context("FUNDLINE_HTTP2_KEEPALIVE_SECS must be a number of seconds")?,
                ),
                None => file
                    .http2_keepalive_secs
                    .map(Duration::from_secs)
                    .unwrap_or(server_defaults.http2_keep_alive_interval),
            },
        };
        if server_limits.max_connections == 0
            || server_limits.header_read_timeout.is_zero()
            || server_limits.idle_timeout.is_zero()
            || server_limits.http2_keep_alive_interval.is_zero()
        {
            bail!("max connections, the header read timeout, the idle timeout and the HTTP/2 keep-alive interval must be above zero");
        }
        let upload_defaults = fundline_api::analysis::share::UploadLimits::default();
        let uploads =
            fundline_api::analysis::share::UploadLimits {
                parse_concurrency: match env("FUNDLINE_STATEMENT_PARSES") {
                    Some(v) => v
                        .parse()
                        .context("FUNDLINE_STATEMENT_PARSES must be a number")?,
                    None => file
                        .statement_parses
                        .unwrap_or(upload_defaults.parse_concurrency),
                },
                parse_wait: match env("FUNDLINE_STATEMENT_PARSE_WAIT_SECS") {
                    Some(v) => Duration::from_secs(v.parse().context(
                        "FUNDLINE_STATEMENT_PARSE_WAIT_SECS must be a number of seconds",
                    )?),
                    None => file
                        .statement_parse_wait_secs
                        .map(Duration::from_secs)
                        .unwrap_or(upload_defaults.parse_wait),
                },
                uploads_per_minute: match env("FUNDLINE_STATEMENT_UPLOADS_PER_MINUTE") {
                    Some(v) => v
                        .parse()
                        .context("FUNDLINE_STATEMENT_UPLOADS_PER_MINUTE must be a whole number")?,
                    None => file
                        .statement_uploads_per_minute
                        .unwrap_or(upload_defaults.uploads_per_minute),
                },
                link_requests_per_minute: match env("FUNDLINE_CONNECT_RATE_PER_MINUTE") {
                    Some(v) => v
                        .parse()
                        .context("FUNDLINE_CONNECT_RATE_PER_MINUTE must be a whole number")?,
                    None => file
                        .connect_rate_per_minute
                        .unwrap_or(upload_defaults.link_requests_per_minute),
                },
            };
        if uploads.parse_concurrency == 0 {
            bail!("FUNDLINE_STATEMENT_PARSES must be at least 1");
        }
        if uploads.parse_wait > Duration::from_secs(60) {
            bail!("the statement parse wait must be at most 60 seconds");
        }
        if max_body_bytes < 1024 {
            bail!("max body size must be at least 1024 bytes");
        }
        let sandbox = match env("FUNDLINE_SANDBOX") {
            Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                "on" | "true" | "1" | "yes" => true,
                "off" | "false" | "0" | "no" => false,
                _ => bail!("FUNDLINE_SANDBOX must be on or off"),
            },
            None => file.sandbox.unwrap_or(true),
        };
        let credential_overlap =
            Duration::from_secs(match env("FUNDLINE_CREDENTIAL_OVERLAP_SECS") {
                Some(v) => v
                    .parse()
                    .context("FUNDLINE_CREDENTIAL_OVERLAP_SECS must be a number of seconds")?,
                None => file.credential_overlap_secs.unwrap_or(24 * 3600),
            });
        if credential_overlap > Duration::from_secs(30 * 24 * 3600) {
            bail!("the credential overlap must be at most 30 days");
        }
        let master_key_file = env("FUNDLINE_MASTER_KEY_FILE")
            .map(PathBuf::from)
            .or(file.master_key_file);
        let master_key_shares: Vec<String> = match env("FUNDLINE_MASTER_KEY_SHARES") {
            Some(v) => v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            None => file.master_key_shares.unwrap_or_default(),
        };
        if master_key_shares.len() == 1 {
            bail!("FUNDLINE_MASTER_KEY_SHARES needs two or more shares");
        }
        Ok(Settings {
            listen,
            master_key_file,
            master_key_shares,
            data_dir,
            database_url,
            public_url: public_url.trim_end_matches('/').to_string(),
            master_key_env: env("FUNDLINE_MASTER_KEY"),
            max_body_bytes,
            request_timeout,
            ofac_blocked_countries,
            pool_size,
            sandbox_network,
            report_link_ttl: Duration::from_secs(report_link_ttl_hours * 3600),
            report_stale_after_days,
            smtp,
            sms,
            outbox_max_attempts,
            outbox_backoff: Duration::from_secs(outbox_backoff_secs),
            rate_limit,
            server_limits,
            tls,
            staff_auth,
            uploads,
            sandbox,
            credential_overlap,
        })
    }

    pub fn key_file(&self) -> PathBuf {
        self.data_dir.join("master.key")
    }
}

/// The SMS provider (docs/configuration.md): `FUNDLINE_SMS_PROVIDER`
/// `webhook` or `twilio` and that provider's settings; none without it.
/// `env` reads one environment variable (a parameter, for the tests).
fn sms_settings(
    file: &File,
    env: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<fundline_api::config::SmsConfig>> {
    use fundline_api::config::{SmsConfig, SmsProvider};
    use fundline_vault::SecretString;
    let pick = |name: &str, from_file: &Option<String>| {
        env(name).or_else(|| from_file.clone().filter(|v| !v.trim().is_empty()))
    };
    let Some(kind) = pick("FUNDLINE_SMS_PROVIDER", &file.sms_provider) else {
        return Ok(None);
    };
    let timeout_secs: u64 = match env("FUNDLINE_SMS_TIMEOUT_SECS") {
        Some(v) => v
            .parse()
            .context("FUNDLINE_SMS_TIMEOUT_SECS must be a number of seconds")?,
        None => file.sms_timeout_secs.unwrap_or(10),
    };
    if !(1..=60).contains(&timeout_secs) {
        bail!("the SMS provider timeout must be between 1 and 60 seconds");
    }
    let provider = match kind.trim().to_ascii_lowercase().as_str() {
        "webhook" => {
            let url = pick("FUNDLINE_SMS_WEBHOOK_URL", &file.sms_webhook_url).context(
                "FUNDLINE_SMS_WEBHOOK_URL is required with FUNDLINE_SMS_PROVIDER=webhook",
            )?;
            provider_url("FUNDLINE_SMS_WEBHOOK_URL", &url)?;
            SmsProvider::Webhook {
                url: url.trim().to_string(),
                token: pick("FUNDLINE_SMS_WEBHOOK_TOKEN", &file.sms_webhook_token)
                    .map(SecretString::from),
            }
        }
        "twilio" => {
            let required = |name: &str, from_file: &Option<String>| {
                pick(name, from_file).with_context(|| {
                    format!("{name} is required with FUNDLINE_SMS_PROVIDER=twilio")
                })
            };
            let base_url = pick("FUNDLINE_TWILIO_BASE_URL", &file.twilio_base_url)
                .unwrap_or_else(|| SmsProvider::TWILIO_BASE_URL.to_string());
            provider_url("FUNDLINE_TWILIO_BASE_URL", &base_url)?;
            SmsProvider::Twilio {
                base_url: base_url.trim().trim_end_matches('/').to_string(),
                account_sid: required("FUNDLINE_TWILIO_ACCOUNT_SID", &file.twilio_account_sid)?
                    .trim()
                    .to_string(),
                auth_token: SecretString::from(required(
                    "FUNDLINE_TWILIO_AUTH_TOKEN",
                    &file.twilio_auth_token,
                )?),
                from: required("FUNDLINE_TWILIO_FROM", &file.twilio_from)?
                    .trim()
                    .to_string(),
            }
        }
        _ => bail!("FUNDLINE_SMS_PROVIDER must be webhook or twilio"),
    };
    Ok(Some(SmsConfig {
        provider,
        timeout: Duration::from_secs(timeout_secs),
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
fn staff_auth_settings(
    file: &File,
) -> anyhow::Result<fundline_api::analysis::auth::StaffAuthConfig> {
    use fundline_api::analysis::auth::StaffAuthConfig;
    let defaults = StaffAuthConfig::default();
    let hash_concurrency = match env("FUNDLINE_PASSWORD_HASH_CONCURRENCY") {
        Some(v) => v
            .parse()
            .context("FUNDLINE_PASSWORD_HASH_CONCURRENCY must be a number")?,
        None => file
            .password_hash_concurrency
            .unwrap_or(defaults.hash_concurrency),
    };
    let wait_ms: u64 = match env("FUNDLINE_PASSWORD_HASH_WAIT_MS") {
        Some(v) => v
            .parse()
            .context("FUNDLINE_PASSWORD_HASH_WAIT_MS must be a number of milliseconds")?,
        None => file.password_hash_wait_ms.unwrap_or(2000),
    };
    let max_hours: u64 = match env("FUNDLINE_STAFF_SESSION_MAX_HOURS") {
        Some(v) => v
            .parse()
            .context("FUNDLINE_STAFF_SESSION_MAX_HOURS must be a number of hours")?,
        None => file.staff_session_max_hours.unwrap_or(12),
    };
    let proxies = match env("FUNDLINE_TRUSTED_PROXIES") {
        Some(v) => v,
        None => file.trusted_proxies.clone().unwrap_or_default().join(","),
    };
    let trusted_proxies = StaffAuthConfig::parse_proxies(&proxies)
        .map_err(|e| anyhow::anyhow!("FUNDLINE_TRUSTED_PROXIES: {e}"))?;
    if !(1..=1024).contains(&hash_concurrency) {
        bail!("the password hash concurrency must be between 1 and 1024");
    }
    if !(1..=24).contains(&max_hours) {
        bail!("the staff session limit must be between 1 and 24 hours");
    }
    if wait_ms > 30_000 {
        bail!("the password hash wait must be at most 30000 ms");
    }
    Ok(StaffAuthConfig {
        hash_concurrency,
        hash_wait: Duration::from_millis(wait_ms),
        session_max: Duration::from_secs(max_hours * 3600),
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
mod sms_tests {
    use super::*;
    use fundline_api::config::SmsProvider;

    fn file(toml: &str) -> File {
        toml::from_str(toml).unwrap()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn no_provider_means_sms_are_recorded_only() {
        assert!(sms_settings(&File::default(), no_env).unwrap().is_none());
    }

    #[test]
    fn a_webhook_provider_from_the_file_and_the_environment() {
        let f =
            file("sms_provider = \"webhook\"\nsms_webhook_url = \"https://sms.example/send\"\n");
        let c = sms_settings(&f, no_env).unwrap().unwrap();
        match c.provider {
            SmsProvider::Webhook { url, token } => {
                assert_eq!(url, "https://sms.example/send");
                assert!(token.is_none());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(c.timeout, Duration::from_secs(10));
        let env = |name: &str| match name {
            "FUNDLINE_SMS_WEBHOOK_TOKEN" => Some("tok-123456".to_string()),
            "FUNDLINE_SMS_TIMEOUT_SECS" => Some("3".to_string()),
            _ => None,
        };
        let c = sms_settings(&f, env).unwrap().unwrap();
        match &c.provider {
            SmsProvider::Webhook { token, .. } => {
                assert_eq!(token.as_ref().unwrap().expose(), "tok-123456")
            }
            other => panic!("{other:?}"),
        }
        assert!(
            !format!("{c:?}").contains("tok-123456"),
            "the token never prints"
        );
        assert_eq!(c.timeout, Duration::from_secs(3));
    }

    #[test]
    fn twilio_needs_its_account_and_defaults_to_twilios_api() {
        let f = file("sms_provider = \"twilio\"\ntwilio_account_sid = \"AC1\"\ntwilio_auth_token = \"secret-token\"\n");
        let e = sms_settings(&f, no_env).unwrap_err().to_string();
        assert!(e.contains("FUNDLINE_TWILIO_FROM"), "{e}");
        let f = file("sms_provider = \"Twilio\"\ntwilio_account_sid = \"AC1\"\ntwilio_auth_token = \"secret-token\"\ntwilio_from = \"+15005550006\"\n");
        let c = sms_settings(&f, no_env).unwrap().unwrap();
        match c.provider {
            SmsProvider::Twilio {
                base_url,
                account_sid,
                from,
                ..
            } => {
                assert_eq!(base_url, "https://api.twilio.com");
                assert_eq!(account_sid, "AC1");
                assert_eq!(from, "+15005550006");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn provider_urls_are_https_or_local() {
        for (url, ok) in [
            ("https://sms.example/send", true),
            ("http://127.0.0.1:9000/send", true),
            ("http://localhost:9000/send", true),
            ("http://sms.example/send", false),
            ("ftp://sms.example/", false),
            ("not a url", false),
        ] {
            let f = file(&format!(
                "sms_provider = \"webhook\"\nsms_webhook_url = \"{url}\"\n"
            ));
            assert_eq!(sms_settings(&f, no_env).is_ok(), ok, "{url}");
        }
        let f = file("sms_provider = \"carrier-pigeon\"\n");
        assert!(sms_settings(&f, no_env).is_err());
    }
}
