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

    #[test]
    fn a_total_up_to_the_limit_passes() {
        let token = limit("token:t", 1_000, Refusal::TokenDailyLimit);
        let tenant = limit("tenant", 5_000, Refusal::TenantDailyLimit);
        let counted = [
            Counted {
                limit: &token,
                total_cents: 1_000,
            },
            Counted {
                limit: &tenant,
                total_cents: 4_999,
            },
        ];
        assert_eq!(over_limit(&counted), None);
        assert_eq!(over_limit(&[]), None);
    }

    #[test]
    fn the_first_limit_exceeded_refuses() {
        let token = limit("token:t", 1_000, Refusal::TokenDailyLimit);
        let tenant = limit("tenant", 5_000, Refusal::TenantDailyLimit);
        let both = [
            Counted {
                limit: &token,
                total_cents: 1_001,
            },
            Counted {
                limit: &tenant,
                total_cents: 5_001,
            },
        ];
        assert_eq!(over_limit(&both), Some(Refusal::TokenDailyLimit));
        let tenant_only = [
            Counted {
                limit: &token,
                total_cents: 10,
            },
            Counted {
                limit: &tenant,
                total_cents: 5_001,
            },
        ];
        assert_eq!(over_limit(&tenant_only), Some(Refusal::TenantDailyLimit));
    }
}
