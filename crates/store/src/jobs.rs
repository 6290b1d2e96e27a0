//! Work kept in the database and taken by one node at a time: report
//! builds, check steps, webhook deliveries and the customer outbox.
//!
//! Every kind of work is a [`Queue`]: a table, its key, which rows may be
//! taken now and what taking one writes. A worker claims a row with one
//! guarded `UPDATE … WHERE <claimable>`: of two nodes racing for a row, the
//! database lets exactly one update it (the other's `WHERE` no longer holds
//! once the first commits, on SQLite and on PostgreSQL alike). A claim is a
//! lease: a worker that dies leaves a claim that goes stale (`{stale}`) or
//! a due time pushed to the lease's end (`{lease}`), and another worker
//! takes the row then. Attempts are counted on the row; failures are tried
//! again on the [`retry_at`] schedule (exponential backoff, capped).

use std::time::Duration;

use crate::query::{Record, Table};
use crate::{Param, Params, Store, StoreError};

/// One kind of queued work. In `claimable` and `claim`, `{now}` stands for
/// the time of the claim, `{stale}` for the time before which a claim is
/// presumed dead and `{lease}` for the end of the new claim's lease.
#[derive(Debug, Clone, Copy)]
pub struct Queue {
    pub table: &'static str,
    pub key: &'static str,
    /// Rows that may be claimed at `{now}`.
    pub claimable: &'static str,
    /// The assignments that claim a row.
    pub claim: &'static str,
    /// The order candidates are tried in.
    pub order: &'static str,
}

/// Check processing steps: queued and due, or running under a stale claim.
pub const CHECK_STEPS: Queue = Queue {
    table: "cc_checks",
    key: "transaction_id",
    claimable: "(job_state = 'queued' AND job_due_at <= {now}) \
                OR (job_state = 'running' AND job_claimed_at < {stale})",
    claim: "job_state = 'running', job_claimed_at = {now}, job_attempts = job_attempts + 1",
    order: "job_due_at",
};

/// Report builds: queued, or running under a stale claim.
pub const REPORT_BUILDS: Queue = Queue {
    table: "ba_report_requests",
    key: "id",
    claimable: "job_state = 'queued' OR (job_state = 'running' AND job_claimed_at < {stale})",
    claim: "job_state = 'running', job_claimed_at = {now}, job_attempts = job_attempts + 1",
    order: "updated_at",
};

/// Webhook deliveries: pending and due. A claim moves the next attempt to
/// the lease's end; the attempt's outcome then sets it (or ends it).
pub const WEBHOOK_DELIVERIES: Queue = Queue {
    table: "cc_webhook_events",
    key: "id",
    claimable: "state = 'pending' AND next_attempt_at <= {now}",
    claim: "next_attempt_at = {lease}",
    order: "created_at",
};

/// Customer messages (email, SMS): pending and due (NULL: at once), leased
/// the same way as webhook deliveries.
pub const OUTBOX: Queue = Queue {
    table: "ba_outbox",
    key: "id",
    claimable: "state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= {now})",
    claim: "next_attempt_at = {lease}",
    order: "created_at",
};

/// The times one claim is made with.
#[derive(Debug, Clone, Copy)]
pub struct Lease {
    pub now: i64,
    /// Claims made before this are presumed dead.
    pub stale_before: i64,
    /// The new claim holds the row until then.
    pub until: i64,
}

impl Lease {
    /// A lease of `length` from `now`; claims older than `length` are stale.
    pub fn new(now: i64, length: Duration) -> Lease {
        let micros = length.as_micros().min(i64::MAX as u128) as i64;
        Lease {
            now,
            stale_before: now.saturating_sub(micros),
            until: now.saturating_add(micros),
        }
    }
}

/// Replaces `{now}`, `{stale}` and `{lease}` by placeholders numbered from
/// `first`, answering the SQL and the values to bind, in order.
fn render(template: &str, lease: &Lease, first: usize) -> (String, Vec<i64>) {
    let mut sql = String::with_capacity(template.len());
    let mut binds = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        sql.push_str(&rest[..start]);
        let after = &rest[start..];
        let (value, len) = if after.starts_with("{now}") {
            (lease.now, 5)
        } else if after.starts_with("{stale}") {
            (lease.stale_before, 7)
        } else if after.starts_with("{lease}") {
            (lease.until, 7)
        } else {
            sql.push('{');
            rest = &after[1..];
            continue;
        };
        binds.push(value);
        sql.push_str(&format!("${}", first + binds.len() - 1));
        rest = &after[len..];
    }
    sql.push_str(rest);
    (sql, binds)
}

/// Claims one row by its key; false when it may not be claimed now
/// (another worker has it, it is done, or it is not due).
pub async fn claim(
    store: &Store,
    queue: &Queue,
    key: &str,
    lease: Lease,
) -> Result<bool, StoreError> {
    let (set, mut binds) = render(queue.claim, &lease, 1);
    let (cond, more) = render(queue.claimable, &lease, binds.len() + 1);
    binds.extend(more);
    let sql = format!(
        "UPDATE {} SET {set} WHERE {} = ${} AND ({cond})",
        queue.table,
        queue.key,
        binds.len() + 1
    );
    let mut params = to_params(binds);
    params.push(Param::from(key));
    Ok(store.execute(&sql, params).await? == 1)
}

/// Up to `limit` keys of rows that may be claimed now, in the queue's order
/// (read without a claim: [`claim`] decides).
pub async fn candidates(
    store: &Store,
    queue: &Queue,
    lease: Lease,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    let (cond, binds) = render(queue.claimable, &lease, 1);
    let sql = format!(
        "SELECT {} FROM {} WHERE {cond} ORDER BY {} LIMIT ${}",
        queue.key,
        queue.table,
        queue.order,
        binds.len() + 1
    );
    let mut params = to_params(binds);
    params.push(Param::from(limit));
    let keys: Vec<(String,)> = store.fetch_all(&sql, params).await?;
    Ok(keys.into_iter().map(|(key,)| key).collect())
}

fn to_params(binds: Vec<i64>) -> Params {
    binds.into_iter().map(Param::from).collect()
}

/// Claims the next row that may be claimed now; its key, or `None` when
/// there is nothing to do.
pub async fn claim_next(
    store: &Store,
    queue: &Queue,
    lease: Lease,
) -> Result<Option<String>, StoreError> {
    for key in candidates(store, queue, lease, 8).await? {
        if claim(store, queue, &key, lease).await? {
            return Ok(Some(key));
        }
    }
    Ok(None)
}

/// Claims the next row of a job queue whose claims are presumed dead when
/// older than `stale_before` (a claim holds until the next claim goes
/// stale), and reads it from `rows` (the queue's table).
pub async fn claim_next_job<T: Record>(
    store: &Store,
    queue: &Queue,
    rows: &Table<T>,
    now: i64,
    stale_before: i64,
) -> Result<Option<T>, StoreError> {
    let lease = Lease {
        now,
        stale_before,
        until: now,
    };
    let Some(key) = claim_next(store, queue, lease).await? else {
        return Ok(None);
    };
    let filter = format!("{} = $1", queue.key);
    rows.find(store, &filter, crate::params![key]).await
}

/// The wait before the next attempt after `attempts` failed ones: `base`,
/// doubled per further attempt, at most `cap`.
pub fn backoff(base: Duration, attempts: i64, cap: Duration) -> Duration {
    let factor = 1u32 << (attempts.clamp(1, 20) - 1);
    base.saturating_mul(factor).min(cap)
}

/// When to try again after `attempts` failed attempts, out of at most
/// `max_attempts`; `None`: give up.
pub fn retry_at(
    now: i64,
    attempts: i64,
    max_attempts: i64,
    base: Duration,
    cap: Duration,
) -> Option<i64> {
    (attempts < max_attempts.max(1))
        .then(|| now.saturating_add(backoff(base, attempts, cap).as_micros() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_template() {
        let lease = Lease {
            now: 10,
            stale_before: 5,
            until: 20,
        };
        let (sql, binds) = render(CHECK_STEPS.claimable, &lease, 3);
        assert!(sql.contains("job_due_at <= $3") && sql.contains("job_claimed_at < $4"));
        assert_eq!(binds, vec![10, 5]);
        let (sql, binds) = render(OUTBOX.claim, &lease, 1);
        assert_eq!(sql, "next_attempt_at = $1");
        assert_eq!(binds, vec![20]);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = Duration::from_secs;
        assert_eq!(backoff(s(30), 1, s(3600)), s(30));
        assert_eq!(backoff(s(30), 3, s(3600)), s(120));
        assert_eq!(backoff(s(30), 12, s(3600)), s(3600));
        assert_eq!(retry_at(0, 1, 3, s(1), s(10)), Some(1_000_000));
        assert_eq!(retry_at(0, 3, 3, s(1), s(10)), None);
    }
}
