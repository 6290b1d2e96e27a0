//! The audit trail (PCI DSS 10.2): one structured log line per security
//! event, under the `audit` tracing target, so an operator can route them
//! apart from the request log (`FUNDLINE_LOG=audit=info` keeps only them).
//!
//! Every event has `audit_event` (a stable dotted name, listed in
//! docs/security.md) and the identifiers that say who did what to which
//! record: tenant, acting user, target record, client address. Never a
//! secret, a password, a PAN, an SSN or an account number: the log scans of
//! the test suite cover these lines like every other.

/// `audit!("login.failure", tenant_id = %t, client = %addr)`: one audit
/// event with its fields (tracing's field syntax).
#[macro_export]
macro_rules! audit {
    ($event:literal $(, $($field:tt)*)?) => {
        ::tracing::info!(target: "audit", audit_event = $event $(, $($field)*)?, "audit")
    };
}
