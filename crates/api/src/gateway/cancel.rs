//! Which payments `POST /gateway/checkcancel` may cancel (docs/gateway.md):
//! a check (CK) payment, still accepted, before its print run.

use fundline_store::gateway::{Payment, PAYMENT_CANCELLED};

/// Why a payment cannot be cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Only check payments are cancellable.
    NotCheck,
    AlreadyCancelled,
    /// The print run (`print_at`) has come: the check is on paper.
    Printed,
}

/// Whether `p` may be cancelled at `now` (micros). A check without a print
/// time counts as printed: there is no moment before which it is safe.
pub fn may_cancel(p: &Payment, now: i64) -> Result<(), Refusal> {
    if p.account_type != "CK" {
        return Err(Refusal::NotCheck);
    }
    if p.status == PAYMENT_CANCELLED {
        return Err(Refusal::AlreadyCancelled);
    }
    if p.print_at.is_none_or(|at| now >= at) {
        return Err(Refusal::Printed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fundline_store::gateway::PAYMENT_ACCEPTED;

    fn check(print_at: Option<i64>) -> Payment {
        Payment {
            id: "p".into(),
            tenant_id: "t".into(),
            token: "tok".into(),
            account_type: "CK".into(),
            amount_cents: 100,
            status: PAYMENT_ACCEPTED.into(),
            participant_unique_id1: "u1".into(),
            participant_unique_id2: String::new(),
            estimated_posting_time: String::new(),
            estimated_posting_date: String::new(),
            print_at,
            created_at: 0,
            cancelled_at: None,
        }
    }

    #[test]
    fn an_accepted_check_before_its_print_run_is_cancellable() {
        assert_eq!(may_cancel(&check(Some(100)), 99), Ok(()));
    }

    #[test]
    fn at_or_after_the_print_run_it_is_printed() {
        assert_eq!(may_cancel(&check(Some(100)), 100), Err(Refusal::Printed));
        assert_eq!(may_cancel(&check(Some(100)), 101), Err(Refusal::Printed));
        assert_eq!(may_cancel(&check(None), 0), Err(Refusal::Printed));
    }

    #[test]
    fn other_payments_and_cancelled_checks_are_refused() {
        let card = Payment {
            account_type: "CA".into(),
            ..check(Some(100))
        };
        assert_eq!(may_cancel(&card, 0), Err(Refusal::NotCheck));
        let cancelled = Payment {
            status: PAYMENT_CANCELLED.into(),
            ..check(Some(100))
        };
        assert_eq!(may_cancel(&cancelled, 0), Err(Refusal::AlreadyCancelled));
    }
}
