//! This node's background workers, all run the same way: a worker does one
//! round of its work (claims through `fundline_store::jobs`, so two nodes
//! never take one item), goes again at once while there was work, and
//! otherwise waits for its wake-up, its poll period or the stop. On
//! shutdown every worker finishes the round it is in and is joined.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::AppState;

/// One round of a worker; true when it did something (the worker then
/// goes again at once).
pub type Round = Box<dyn Fn(AppState) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

#[derive(Default)]
struct Stop {
    stopped: AtomicBool,
    notify: Notify,
}

/// The running workers. Dropping this leaves them running; [`Workers::shutdown`]
/// stops and joins them.
#[derive(Default)]
pub struct Workers {
    stop: Arc<Stop>,
    handles: Vec<(&'static str, JoinHandle<()>)>,
}

impl Workers {
    /// Starts a worker running `round` every `poll` (and at once when `wake`
    /// is notified).
    pub fn run(
        &mut self,
        state: &AppState,
        name: &'static str,
        poll: Duration,
        wake: Option<Arc<Notify>>,
        round: Round,
    ) {
        let stop = self.stop.clone();
        let state = state.clone();
        let handle = tokio::spawn(async move {
            while !stop.stopped.load(Ordering::Acquire) {
                if round(state.clone()).await {
                    continue;
                }
                let woken = async {
                    match &wake {
                        Some(w) => w.notified().await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    _ = stop.notify.notified() => {}
                    _ = woken => {}
                    _ = tokio::time::sleep(poll) => {}
                }
            }
            tracing::debug!(worker = name, "worker stopped");
        });
        self.handles.push((name, handle));
    }

    /// How many workers run.
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// Stops every worker after its current round and waits for them (at
    /// most `grace`; a worker still busy then is aborted, its claim left to
    /// go stale and be taken again).
    pub async fn shutdown(self, grace: Duration) {
        self.stop.stopped.store(true, Ordering::Release);
        self.stop.notify.notify_waiters();
        let deadline = tokio::time::Instant::now() + grace;
        for (name, mut handle) in self.handles {
            if tokio::time::timeout_at(deadline, &mut handle)
                .await
                .is_err()
            {
                tracing::warn!(worker = name, "worker still busy at shutdown; aborted");
                handle.abort();
            }
        }
    }
}

fn round<F, Fut>(f: F) -> Round
where
    F: Fn(AppState) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    Box::new(move |s| Box::pin(f(s)))
}

/// Check processors per node: steps wait on the store, so a few run at once
/// (each claim is guarded, so they never take the same check).
const CHECK_PROCESSORS: usize = 4;

/// Starts this node's workers: report builds, check steps, webhook
/// deliveries, the outbox (when this node has a transport) and housekeeping.
pub fn start(state: &AppState) -> Workers {
    let mut w = Workers::default();
    let c = &state.config;
    w.run(
        state,
        "report builds",
        c.job_poll,
        Some(state.jobs_wake.clone()),
        round(|s| async move { crate::analysis::job::run_one(&s).await }),
    );
    for _ in 0..CHECK_PROCESSORS {
        w.run(
            state,
            "check steps",
            c.job_poll,
            Some(state.checks_wake.clone()),
            round(|s| async move { crate::checks::process::run_one(&s).await }),
        );
    }
    w.run(
        state,
        "webhook deliveries",
        c.webhook_poll,
        None,
        round(|s| async move { crate::checks::webhooks::deliver_due(&s).await > 0 }),
    );
    if let Some(outbox) = crate::analysis::outbox::Sender::new(state) {
        let outbox = Arc::new(outbox);
        w.run(
            state,
            "outbox",
            c.outbox_poll,
            Some(state.outbox_wake.clone()),
            round(move |s| {
                let outbox = outbox.clone();
                async move { outbox.deliver_due(&s).await > 0 }
            }),
        );
    }
    w.run(
        state,
        "housekeeping",
        c.housekeeping_every,
        None,
        round(|s| async move {
            crate::housekeeping::run_once(&s).await;
            false
        }),
    );
    w
}
