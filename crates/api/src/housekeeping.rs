//! Housekeeping, a worker on every node (`crate::workers`), each round
//! pruning what would otherwise grow forever and writing what time alone
//! changes: expired partner sessions, gateway signatures past their X-Date
//! window (with their kept answers), gateway and token-service idempotency
//! keys past their window, ended client, check and staff sessions (with
//! the SSO tokens no check session reads), login-failure counts whose
//! window and lock are over, and report requests whose link ran out; and
//! on this node, idle rate-limit buckets and unscraped latency samples.
//! Every statement is idempotent, so two nodes may run it at once.

use std::time::Duration;

use fundline_store::{checkcashing, checks, connect, gateway, reports, staff, StoreError};

use crate::AppState;

/// Ended client, check and staff sessions are kept this long: a late
/// request about a client session still hears "expired" rather than
/// "unknown", and no access token of an ended staff session (15 minutes
/// at most) outlives its rows.
const ENDED_SESSIONS_KEPT: Duration = Duration::from_secs(24 * 3600);

/// What one round removed or changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub signatures: u64,
    pub idempotency_keys: u64,
    pub connect_idempotence_keys: u64,
    pub client_sessions: u64,
    /// Check sessions and the SSO tokens no session reads any more.
    pub check_sessions: u64,
    pub login_failures: u64,
    pub staff_session_tokens: u64,
    pub expired_requests: u64,
}

/// One round of housekeeping at the clock's time.
pub async fn run_once(state: &AppState) -> Swept {
    let store = &state.store;
    let now = state.clock.now_micros();
    let ago = |d: Duration| now - d.as_micros() as i64;
    let idle = ago(state.config.partner_session_idle);
    let max = ago(state.config.partner_session_max);
    counted(
        "partner sessions",
        checkcashing::prune_partner_sessions(store, idle, max).await,
    );
    let keys_before = ago(crate::gateway::idempotency::IDEMPOTENCY_TTL);
    let connect_keys_before = now - crate::connect::idempotence::IDEMPOTENCE_TTL_MICROS;
    let failure_window = now - crate::analysis::auth::FAILURE_WINDOW_MICROS;
    let swept = Swept {
        signatures: counted("signatures", gateway::prune_signatures(store, now).await),
        idempotency_keys: counted(
            "idempotency keys",
            gateway::prune_idempotency_keys(store, keys_before).await,
        ),
        connect_idempotence_keys: counted(
            "token idempotence keys",
            connect::prune_idempotence(store, connect_keys_before).await,
        ),
        client_sessions: counted(
            "client sessions",
            connect::prune_client_sessions(store, ago(ENDED_SESSIONS_KEPT)).await,
        ),
        check_sessions: counted(
            "check sessions",
            checks::prune_sessions(store, ago(ENDED_SESSIONS_KEPT)).await,
        ),
        login_failures: counted(
            "login failures",
            staff::prune_login_failures(store, now, failure_window).await,
        ),
        staff_session_tokens: counted(
            "staff sessions",
            staff::prune_sessions(store, ago(ENDED_SESSIONS_KEPT)).await,
        ),
        expired_requests: counted(
            "report request expiry",
            reports::expire_links(store, now).await,
        ),
    };
    // Node-local memory: idle credentials' rate buckets, and the latency
    // samples no scrape has folded into the histograms yet.
    state.limiter.retain_recent();
    state.metrics.upkeep();
    if swept != Swept::default() {
        tracing::info!(?swept, "housekeeping");
    }
    swept
}

/// The rows a sweep removed or changed; a failed sweep is logged and
/// counts none (the next round tries again).
fn counted(what: &str, swept: Result<u64, StoreError>) -> u64 {
    swept.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "housekeeping: {what} failed");
        0
    })
}
