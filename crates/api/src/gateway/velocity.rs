//! Velocity: a payout is refused when it would take a day's total over a
//! limit (docs/gateway.md). The store counts, in the payment's transaction;
//! this rule reads the counts.

use fundline_store::gateway::Counted;

use super::error::Refusal;

/// The refusal of the first limit (in the order given) whose day's total,
/// this payment included, is over the limit. A total equal to the limit is
/// allowed: the limit is the most a day may pay.
pub fn over_limit(counted: &[Counted<'_, Refusal>]) -> Option<Refusal> {
    counted
        .iter()
        .find(|c| c.total_cents > c.limit.limit_cents)
        .map(|c| c.limit.refusal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fundline_store::gateway::Velocity;

    fn limit(scope: &str, limit_cents: i64, refusal: Refusal) -> Velocity<Refusal> {
        Velocity {
            scope: scope.into(),
            day: "2025-01-02".into(),
            limit_cents,
            refusal,
        }
    }

    /// Today's totals against a token limit of $10.00 and a tenant limit
    /// of $50.00, in that order.
    fn over(token_total: i64, tenant_total: i64) -> Option<Refusal> {
        let token = limit("token:t", 1_000, Refusal::TokenDailyLimit);
        let tenant = limit("tenant", 5_000, Refusal::TenantDailyLimit);
        over_limit(&[
            Counted {
                limit: &token,
                total_cents: token_total,
            },
            Counted {
                limit: &tenant,
                total_cents: tenant_total,
            },
        ])
    }

    #[test]
    fn a_total_up_to_the_limit_passes() {
        assert_eq!(over(1_000, 4_999), None);
        assert_eq!(over(1_000, 5_000), None);
        assert_eq!(over_limit(&[]), None);
    }

    #[test]
    fn the_first_limit_exceeded_refuses() {
        assert_eq!(over(1_001, 5_001), Some(Refusal::TokenDailyLimit));
        assert_eq!(over(10, 5_001), Some(Refusal::TenantDailyLimit));
        assert_eq!(over(1_001, 10), Some(Refusal::TokenDailyLimit));
    }
}
