//! Settings of the HTTP layer, each with a documented default (docs/configuration.md).

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Base of links we hand out (authorized_url, customer links).
    pub public_url: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Whole-request time limit.
    pub request_timeout: Duration,
    /// A partner session ends after this long without a call...
    pub partner_session_idle: Duration,
    /// ...and after this long in all.
    pub partner_session_max: Duration,
    /// How long an SSO token from AuthenticateOBO stays usable.
    pub sso_token_ttl: Duration,
    /// Youngest age at which a customer may enroll.
    pub min_enrollment_age: u32,
    /// Gateway payout velocity limits.
    pub gateway_velocity: crate::gateway::settings::VelocityLimits,
    /// How long a customer's report link stays open.
    pub report_link_ttl: Duration,
    /// A report flags its data stale when the newest of it is older than
    /// this many days.
    pub report_stale_after_days: u32,
    /// How often report builders look for queued work (they are also woken
    /// at once by uploads on their own node).
    pub job_poll: Duration,
    /// The mail relay for customer emails; without one they are recorded in
    /// the outbox only.
    pub smtp: Option<SmtpConfig>,
    /// The SMS provider for customer text messages; without one they are
    /// recorded in the outbox only.
    pub sms: Option<SmsConfig>,
    /// Customer messages (email and SMS): first retry after this, doubling
    /// each attempt (at most an hour)…
    pub outbox_backoff: Duration,
    /// …up to this many attempts in all, then the message is failed.
    pub outbox_max_attempts: i64,
    /// How often the message sender looks for due messages (it is also
    /// woken at once by a new message on its own node).
    pub outbox_poll: Duration,
    /// Check webhooks: first retry after this, doubling each attempt…
    pub webhook_backoff: Duration,
    /// …up to this many attempts in all.
    pub webhook_max_attempts: i64,
    /// How often the webhook sender looks for due events.
    pub webhook_poll: Duration,
    /// How often housekeeping runs (pruning, link expiry).
    pub housekeeping_every: Duration,
    /// Accept plain-http loopback webhook URLs for every tenant (sandbox
    /// tenants always may); for local development and tests.
    pub allow_loopback_webhooks: bool,
    /// Requests per credential (partner session, gateway username, Connect
    /// key, staff user, check session), per node.
    pub rate_limit: crate::ratelimit::RateLimit,
    /// Send `Strict-Transport-Security` on every response (set when the
    /// built-in TLS listener is on).
    pub hsts: bool,
    /// Staff authentication: hashing cap, session limits, trusted proxies.
    pub staff_auth: crate::analysis::auth::StaffAuthConfig,
    /// The customer link's rate limits and the statement parse cap.
    pub uploads: crate::analysis::share::UploadLimits,
    /// The sandbox (`FUNDLINE_SANDBOX`, default on): the sandbox tenant, its
    /// mailbox and sandbox bank, loopback webhooks. Off: the sandbox routes
    /// answer 404, the sandbox tenant is refused like a disabled one, and no
    /// webhook may reach a loopback address.
    pub sandbox: bool,
    /// Called when a statement upload or a report build has finished and
    /// dropped its data. The binary returns freed heap to the system
    /// (glibc `malloc_trim`), so one large build does not keep the node's
    /// resident memory raised for good; `None` in tests and libraries.
    pub release_memory: Option<fn()>,
}

/// A plain-SMTP relay (a local MTA that takes care of TLS onwards).
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// The From address, e.g. "Lender <no-reply@lender.example>".
    pub from: String,
}

/// An SMS provider reached over HTTP(S) (`analysis::sms`).
#[derive(Debug, Clone)]
pub struct SmsConfig {
    pub provider: SmsProvider,
    /// Time limit of one request to the provider (an attempt that runs out
    /// is retried).
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub enum SmsProvider {
    /// POST of JSON `{to, body, reference}` to `url`, with
    /// `Authorization: Bearer <token>` when a token is set.
    Webhook {
        url: String,
        token: Option<fundline_vault::SecretString>,
    },
    /// Twilio's Messages API: POST form `To`, `From`, `Body` to
    /// `{base_url}/2010-04-01/Accounts/{account_sid}/Messages.json`, HTTP
    /// Basic `account_sid:auth_token`.
    Twilio {
        base_url: String,
        account_sid: String,
        auth_token: fundline_vault::SecretString,
        from: String,
    },
}

impl SmsProvider {
    /// Twilio's API; a test or a proxy may stand in for it.
    pub const TWILIO_BASE_URL: &'static str = "https://api.twilio.com";

    pub fn name(&self) -> &'static str {
        match self {
            SmsProvider::Webhook { .. } => "webhook",
            SmsProvider::Twilio { .. } => "twilio",
        }
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            public_url: "http://127.0.0.1:8080".into(),
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            partner_session_idle: Duration::from_secs(20 * 60),
            partner_session_max: Duration::from_secs(8 * 3600),
            sso_token_ttl: Duration::from_secs(5 * 60),
            min_enrollment_age: 18,
            gateway_velocity: Default::default(),
            report_link_ttl: Duration::from_secs(72 * 3600),
            report_stale_after_days: fundline_analysis::DEFAULT_STALE_AFTER_DAYS,
            job_poll: Duration::from_secs(2),
            smtp: None,
            sms: None,
            outbox_backoff: Duration::from_secs(30),
            outbox_max_attempts: 5,
            outbox_poll: Duration::from_secs(5),
            webhook_backoff: Duration::from_secs(30),
            webhook_max_attempts: 12,
            webhook_poll: Duration::from_secs(1),
            housekeeping_every: Duration::from_secs(600),
            allow_loopback_webhooks: false,
            rate_limit: Default::default(),
            hsts: false,
            staff_auth: Default::default(),
            uploads: Default::default(),
            sandbox: true,
            release_memory: None,
        }
    }
}
