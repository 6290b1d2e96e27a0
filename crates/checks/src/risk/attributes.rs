//! The partner's predictive customer data (AddCustomerAttributes), as far
//! as the risk rules use it.

use fundline_core::money::Cents;

/// The attributes the risk rules read; `None` when the partner did not
/// send one (or sent something unreadable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// `NumberOfChecksReturned`: checks returned in the last 90 days.
    pub checks_returned_90d: Option<i64>,
    /// `BalanceOnReturnedChecks`: debt still owed on returned checks.
    pub balance_on_returned_checks_cents: Option<i64>,
    /// `NumberOfChecksCashed`: checks cashed in the last 90 days.
    pub checks_cashed_90d: Option<i64>,
    /// `DirectDeposit`: enrolled for direct deposit to the card.
    pub direct_deposit: Option<bool>,
    /// `Tenure`: months the customer has had the (longest held) card.
    pub tenure_months: Option<i64>,
    /// `AverageCheckCashedAmt`: average check cashed in the last 90 days.
    pub average_check_cashed_cents: Option<i64>,
}

/// Amounts are `DDDDD.CC` in the spec; up to 12 integer digits are read
/// here so that a partner's larger value is not silently dropped (the API
/// layer already refuses more than 7 on the way in).
const AMOUNT_INT_DIGITS: usize = 12;
/// Counts longer than this are nonsense, and stay clear of i64 overflow.
const COUNT_MAX_DIGITS: usize = 12;

/// Reads the stored name/value pairs.
///
/// Names match case-insensitively, ignoring spaces (`numberofchecksreturned`
/// and `Number Of Checks Returned` both count). Counts are whole numbers,
/// booleans `True`/`False` in any case, amounts decimal with at most two
/// fraction digits, surrounding spaces ignored. Unknown names and values
/// that do not parse are ignored, so one bad attribute never blocks a
/// deposit; when a name appears more than once the last readable value
/// wins (the store keeps one value per name, so this only matters for
/// hand-built input).
pub fn attributes_from(pairs: &[(String, String)]) -> Attributes {
    let mut a = Attributes::default();
    for (name, value) in pairs {
        let value = value.trim();
        let key: String = name
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match key.as_str() {
            "numberofchecksreturned" => set(&mut a.checks_returned_90d, count(value)),
            "balanceonreturnedchecks" => {
                set(&mut a.balance_on_returned_checks_cents, amount(value))
            }
            "numberofcheckscashed" => set(&mut a.checks_cashed_90d, count(value)),
            "directdeposit" => set(&mut a.direct_deposit, boolean(value)),
            "tenure" => set(&mut a.tenure_months, count(value)),
            "averagecheckcashedamt" => set(&mut a.average_check_cashed_cents, amount(value)),
            _ => {}
        }
    }
    a
}

fn set<T>(slot: &mut Option<T>, v: Option<T>) {
    if v.is_some() {
        *slot = v;
    }
}

fn count(v: &str) -> Option<i64> {
    if v.is_empty() || v.len() > COUNT_MAX_DIGITS || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

fn boolean(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn amount(v: &str) -> Option<i64> {
    Cents::parse_decimal(v, AMOUNT_INT_DIGITS).map(|c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_every_attribute() {
        let a = attributes_from(&pairs(&[
            ("NumberOfChecksReturned", "1"),
            ("BalanceOnReturnedChecks", "250.75"),
            ("NumberOfChecksCashed", "12"),
            ("DirectDeposit", "True"),
            ("Tenure", "18"),
            ("AverageCheckCashedAmt", "00612.5"),
        ]));
        assert_eq!(
            a,
            Attributes {
                checks_returned_90d: Some(1),
                balance_on_returned_checks_cents: Some(25_075),
                checks_cashed_90d: Some(12),
                direct_deposit: Some(true),
                tenure_months: Some(18),
                average_check_cashed_cents: Some(61_250),
            }
        );
    }

    #[test]
    fn the_spec_sample() {
        // AddCustomerAttributes' sample request, as stored (CustomerId and
        // SSN are not kept as attributes).
        let a = attributes_from(&pairs(&[
            ("DirectDeposit", "True"),
            ("Tenure", "18"),
            ("TransactionsPerMonth", "4"),
            ("NumberOfCards", "2"),
            ("CurrentBalance", "3456.76"),
            ("AverageMonthlyLoadAmount", "6114.25"),
        ]));
        assert_eq!(
            a,
            Attributes {
                direct_deposit: Some(true),
                tenure_months: Some(18),
                ..Attributes::default()
            }
        );
    }

    #[test]
    fn names_and_values_are_forgiving() {
        let a = attributes_from(&pairs(&[
            ("directdeposit", " false "),
            (" TENURE ", "7"),
            ("Number Of Checks Cashed", "0"),
            ("balanceOnReturnedChecks", "0.00"),
        ]));
        assert_eq!(a.direct_deposit, Some(false));
        assert_eq!(a.tenure_months, Some(7));
        assert_eq!(a.checks_cashed_90d, Some(0));
        assert_eq!(a.balance_on_returned_checks_cents, Some(0));
        assert_eq!(
            attributes_from(&pairs(&[("DirectDeposit", "TRUE")])).direct_deposit,
            Some(true)
        );
    }

    #[test]
    fn bad_values_and_unknown_names_are_ignored() {
        let a = attributes_from(&pairs(&[
            ("NumberOfChecksReturned", "-1"),
            ("NumberOfChecksCashed", "1.5"),
            ("Tenure", "12 months"),
            ("DirectDeposit", "yes"),
            ("BalanceOnReturnedChecks", "12.345"),
            ("AverageCheckCashedAmt", "$100.00"),
            ("Tenure", "99999999999999999999"),
            ("Unknown", "1"),
            ("", ""),
        ]));
        assert_eq!(a, Attributes::default());
    }

    #[test]
    fn last_readable_value_wins() {
        let a = attributes_from(&pairs(&[
            ("Tenure", "3"),
            ("Tenure", "24"),
            ("Tenure", "garbage"),
        ]));
        assert_eq!(a.tenure_months, Some(24));
    }
}
