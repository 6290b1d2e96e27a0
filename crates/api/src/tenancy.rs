//! Whether a tenant may use the platform right now: every product's
//! authentication asks on each request (one indexed read), so disabling a
//! tenant (`fundline admin tenant disable`) or revoking a credential takes
//! effect at once on every node, though the command runs in another process.
//! With the sandbox off (`FUNDLINE_SANDBOX=off`) the sandbox tenant is
//! refused like a disabled one.

use fundline_store::tenants::{tenant_access, TenantAccess};

use crate::AppState;

/// The tenant's access state when it may use the platform; `None` when it
/// is unknown, disabled, or the sandbox tenant while the sandbox is off.
/// A store error refuses too (fail closed), and is logged.
pub(crate) async fn admitted(state: &AppState, tenant_id: &str) -> Option<TenantAccess> {
    match tenant_access(&state.store, tenant_id).await {
        Ok(Some(a)) if !a.disabled && (state.config.sandbox || !a.sandbox) => Some(a),
        Ok(Some(_)) => {
            tracing::info!(tenant_id = %tenant_id, "request of a disabled tenant refused");
            None
        }
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, "tenant access check failed");
            None
        }
    }
}

/// `admitted`, as a yes or no.
pub(crate) async fn tenant_active(state: &AppState, tenant_id: &str) -> bool {
    admitted(state, tenant_id).await.is_some()
}

/// Whether the sandbox tenant's privileges (loopback webhooks, the sandbox
/// bank, the mailbox) apply to a tenant: only with the sandbox on.
pub(crate) fn sandbox_privileged(state: &AppState, tenant_is_sandbox: bool) -> bool {
    state.config.sandbox && tenant_is_sandbox
}

/// The merchant id every bank-analysis response carries for a tenant
/// (`merchantId` of customers, report requests, accounts, transactions and
/// the financial report): the `analysis.merchant_id` of the tenant's
/// credentials, as `admin tenant create` printed it. A tenant without that
/// credential (none is created so) falls back to its tenant id.
pub(crate) async fn merchant_id(
    state: &AppState,
    tenant_id: &str,
) -> Result<String, fundline_store::StoreError> {
    match fundline_store::tenants::analysis_merchant_id(&state.store, tenant_id).await? {
        Some(m) => Ok(m),
        None => {
            tracing::warn!(tenant_id = %tenant_id, "tenant without a bank-analysis merchant id");
            Ok(tenant_id.to_string())
        }
    }
}
