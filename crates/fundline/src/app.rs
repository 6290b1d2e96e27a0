//! The server as one value: [`App::build`] opens the store, makes the
//! state and binds the listener; [`App::run_until`] starts the workers and
//! serves until told to stop, then drains. `fundline serve` and the
//! integration tests both start the platform through this, so the tests
//! exercise the production server loop (connection limits, drain, workers).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context};
use fundline_api::cardnet::CardNetwork;
use fundline_api::clock::{Clock, SystemClock};
use fundline_api::ofac::OfacScreen;
use fundline_api::server::{ServerLimits, TlsAcceptor};
use fundline_api::tls::TlsCertificate;
use fundline_api::{ApiConfig, AppState};
use fundline_store::keyring::Keyring;
use fundline_store::tenants::{create_tenant, TenantCredentials};
use fundline_store::Store;
use fundline_vault::MasterKey;
use tokio::net::TcpListener;

use crate::serve;
use crate::settings::Settings;

/// What to start. [`Options::new`] is exactly `fundline serve` over the
/// given settings; the other fields replace one piece each (tests use them).
pub struct Options {
    pub settings: Settings,
    /// Use this key instead of the settings' key sources. The process-wide
    /// file mode and the data directory are then left alone, as they belong
    /// to whoever runs the server in-process.
    pub master_key: Option<MasterKey>,
    pub clock: Arc<dyn Clock>,
    /// The card network; the settings' sandbox network if none.
    pub network: Option<Arc<dyn CardNetwork>>,
    /// The API configuration; the one the settings give if none.
    pub config: Option<ApiConfig>,
    /// The sandbox tenant on an empty store, as `serve` makes it.
    pub sandbox_tenant: bool,
    /// A tenant of this name, created at start.
    pub tenant: Option<String>,
}

impl Options {
    pub fn new(settings: Settings) -> Options {
        Options {
            settings,
            master_key: None,
            clock: Arc::new(SystemClock),
            network: None,
            config: None,
            sandbox_tenant: true,
            tenant: None,
        }
    }
}

/// A started server: the store is open, the listener bound; nothing is
/// served until [`App::run_until`].
pub struct App {
    pub addr: SocketAddr,
    /// `http` or `https`.
    pub scheme: &'static str,
    pub store: Store,
    pub keyring: Arc<Keyring>,
    pub state: AppState,
    /// The tenant [`Options::tenant`] asked for.
    pub tenant: Option<TenantCredentials>,
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    limits: ServerLimits,
}

impl App {
    pub async fn build(options: Options) -> anyhow::Result<App> {
        let settings = &options.settings;
        let (store, keyring) = match options.master_key {
            None => serve::open(settings).await?,
            Some(key) => serve::connect(settings, key).await?,
        };
        if options.sandbox_tenant {
            serve::ensure_sandbox(settings, &store, &keyring).await?;
        }
        let tenant = match &options.tenant {
            None => None,
            Some(name) => Some(
                create_tenant(&store, &keyring, name, false)
                    .await
                    .map_err(|e| anyhow!("{e}"))?,
            ),
        };
        let state = AppState::new(
            store.clone(),
            keyring.clone(),
            options
                .config
                .unwrap_or_else(|| serve::api_config(settings)),
            options.clock,
            options
                .network
                .unwrap_or_else(|| Arc::new(settings.sandbox_network.clone())),
            OfacScreen::new(settings.ofac_blocked_countries.clone()),
        );
        // TLS files are read before binding, so a bad certificate stops the start.
        let tls = match &settings.tls {
            None => None,
            Some(files) => {
                let cert = TlsCertificate::load(&files.cert, &files.key).map_err(|e| anyhow!(e))?;
                tokio::spawn(serve::reload_on_sighup(cert.clone()));
                Some(cert.acceptor().map_err(|e| anyhow!(e))?)
            }
        };
        let listener = TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("listening on {}", settings.listen))?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, engine = ?store.engine(), tls = tls.is_some(), "fundline listening");
        Ok(App {
            addr,
            scheme: if tls.is_some() { "https" } else { "http" },
            store,
            keyring,
            state,
            tenant,
            listener,
            tls,
            limits: settings.server_limits,
        })
    }

    /// `scheme://addr`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Starts the workers and serves until `shutdown` resolves; then lets
    /// open requests finish, stops the workers and closes the store.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) {
        let workers = fundline_api::workers::start(&self.state);
        fundline_api::server::serve(
            self.listener,
            fundline_api::router(self.state),
            self.limits,
            self.tls,
            shutdown,
        )
        .await;
        tracing::info!(workers = workers.len(), "drained; stopping the workers");
        workers.shutdown(Duration::from_secs(30)).await;
        tracing::info!("workers stopped; closing the database");
        self.store.close().await;
    }
}
