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
    pub gateway_velocity: crate::gateway::process::VelocityLimits,
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
        }
    }
}
