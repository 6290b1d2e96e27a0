use std::sync::Arc;

use fundline_store::keyring::Keyring;
use fundline_store::Store;

use crate::cardnet::CardNetwork;
use crate::checkcashing::auth::SessionCache;
use crate::clock::Clock;
use crate::config::ApiConfig;
use crate::middleware::Metrics;
use crate::ofac::OfacScreen;

/// Everything a handler may need, cheap to clone: one reference count.
/// The router clones the state for every layer and extractor of every
/// request; cloning the parts one by one (a score of reference counts,
/// shared by every core) took two thirds of the server's time on
/// `/healthz` under load.
#[derive(Clone)]
pub struct AppState(Arc<StateParts>);

impl std::ops::Deref for AppState {
    type Target = StateParts;

    fn deref(&self) -> &StateParts {
        &self.0
    }
}

/// What `AppState` holds.
#[derive(Clone)]
pub struct StateParts {
    pub store: Store,
    pub keyring: Arc<Keyring>,
    pub config: Arc<ApiConfig>,
    pub clock: Arc<dyn Clock>,
    pub cardnet: Arc<dyn CardNetwork>,
    pub ofac: Arc<OfacScreen>,
    /// Sends customers' text messages; `None`: they are recorded only
    /// (built from `config.sms`; `with_sms` plugs in another sender).
    pub sms: Option<Arc<dyn crate::analysis::sms::SmsSender>>,
    pub(crate) sessions: Arc<SessionCache>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) gw_secrets: Arc<crate::gateway::auth::SecretCache>,
    pub(crate) settings_docs: Arc<crate::SettingsDocs>,
    /// Wakes this node's report builder (bank data was just shared).
    pub(crate) jobs_wake: Arc<tokio::sync::Notify>,
    /// Wakes this node's mail relay (a message was just recorded).
    pub(crate) outbox_wake: Arc<tokio::sync::Notify>,
    /// Wakes this node's check processor (a check was just submitted).
    pub(crate) checks_wake: Arc<tokio::sync::Notify>,
    pub(crate) limiter: Arc<crate::ratelimit::RateLimiter>,
    /// Password hashes running at once (argon2id takes 19 MiB each).
    pub(crate) hashing: Arc<tokio::sync::Semaphore>,
    /// Statement parses running on this node (the upload cap).
    pub(crate) statement_parses: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// After large work (see `ApiConfig::release_memory`).
    pub(crate) fn release_memory(&self) {
        if let Some(release) = self.config.release_memory {
            release();
        }
    }

    pub fn new(
        store: Store,
        keyring: Arc<Keyring>,
        config: ApiConfig,
        clock: Arc<dyn Clock>,
        cardnet: Arc<dyn CardNetwork>,
        ofac: OfacScreen,
    ) -> Self {
        let statement_parses = Arc::new(tokio::sync::Semaphore::new(
            config.uploads.parse_concurrency.max(1),
        ));
        let sms = config
            .sms
            .as_ref()
            .and_then(|c| match crate::analysis::sms::sender(c) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::error!(error = %e, "no SMS provider: text messages are recorded only");
                    None
                }
            });
        AppState(Arc::new(StateParts {
            sms,
            statement_parses,
            store,
            keyring,
            hashing: Arc::new(tokio::sync::Semaphore::new(
                config.staff_auth.hash_concurrency.max(1),
            )),
            config: Arc::new(config),
            clock,
            cardnet,
            ofac: Arc::new(ofac),
            sessions: Arc::new(SessionCache::default()),
            metrics: Arc::new(Metrics::default()),
            gw_secrets: Arc::new(Default::default()),
            settings_docs: Arc::new(Default::default()),
            jobs_wake: Arc::new(tokio::sync::Notify::new()),
            outbox_wake: Arc::new(tokio::sync::Notify::new()),
            checks_wake: Arc::new(tokio::sync::Notify::new()),
            limiter: Arc::new(Default::default()),
        }))
    }

    /// The same state with another SMS sender (or none).
    pub fn with_sms(self, sms: Option<Arc<dyn crate::analysis::sms::SmsSender>>) -> Self {
        let mut parts = Arc::unwrap_or_clone(self.0);
        parts.sms = sms;
        AppState(Arc::new(parts))
    }
}
