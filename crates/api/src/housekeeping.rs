//! Housekeeping, a worker on every node (`crate::workers`), each round
//! pruning what would otherwise grow forever and writing what time alone
//! changes: expired partner sessions, gateway signatures past their X-Date
//! window (with their kept answers), gateway idempotency keys past their
//! window, and report requests whose link ran out; and on this node, idle
//! rate-limit buckets and unscraped latency samples. Every statement is idempotent, so two nodes may run it at once.

use crate::AppState;

/// What one round removed or changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub signatures: u64,
    pub idempotency_keys: u64,
    pub expired_requests: u64,
}

/// One round of housekeeping at the clock's time.
pub async fn run_once(state: &AppState) -> Swept {
    let now = state.clock.now_micros();
    let mut swept = Swept::default();
    let idle = now - state.config.partner_session_idle.as_micros() as i64;
    let max = now - state.config.partner_session_max.as_micros() as i64;
    if let Err(e) =
        fundline_store::checkcashing::prune_partner_sessions(&state.store, idle, max).await
    {
        tracing::warn!(error = %e, "session pruning failed");
    }
    match fundline_store::gateway::prune_signatures(&state.store, now).await {
        Ok(n) => swept.signatures = n,
        Err(e) => tracing::warn!(error = %e, "signature pruning failed"),
    }
    let keys_before = now - crate::gateway::idempotency::IDEMPOTENCY_TTL.as_micros() as i64;
    match fundline_store::gateway::prune_idempotency_keys(&state.store, keys_before).await {
        Ok(n) => swept.idempotency_keys = n,
        Err(e) => tracing::warn!(error = %e, "idempotency key pruning failed"),
    }
    match fundline_store::reports::expire_links(&state.store, now).await {
        Ok(n) => swept.expired_requests = n,
        Err(e) => tracing::warn!(error = %e, "report request expiry failed"),
    }
    // Node-local memory: idle credentials' rate buckets, and the latency
    // samples no scrape has folded into the histograms yet.
    state.limiter.retain_recent();
    state.metrics.upkeep();
    if swept != Swept::default() {
        tracing::info!(
            signatures = swept.signatures,
            idempotency_keys = swept.idempotency_keys,
            expired_requests = swept.expired_requests,
            "housekeeping"
        );
    }
    swept
}
