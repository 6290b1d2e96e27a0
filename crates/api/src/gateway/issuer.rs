//! What verify tells about an account: whether and how money can reach it,
//! the issuer's limits, and when a payment would post. Pure functions over
//! the tenant's gateway settings and the US banking calendar.

use chrono::NaiveDate;
use fundline_core::calendar::add_banking_days;
use fundline_core::money::Cents;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountType {
    /// Bank account (ACH).
    Ac,
    /// Card (push to card).
    Ca,
    /// Bill pay to a payee of the directory.
    Bp,
    /// Mailed check.
    Ck,
}

impl AccountType {
    pub fn parse(s: &str) -> Option<AccountType> {
        Some(match s {
            "AC" => AccountType::Ac,
            "CA" => AccountType::Ca,
            "BP" => AccountType::Bp,
            "CK" => AccountType::Ck,
            _ => return None,
        })
    }

    pub fn code(&self) -> &'static str {
        match self {
            AccountType::Ac => "AC",
            AccountType::Ca => "CA",
            AccountType::Bp => "BP",
            AccountType::Ck => "CK",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub min: Cents,
    pub max: Cents,
}

/// A tenant's gateway configuration (docs/gateway.md lists the defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewaySettings {
    /// Retail participants must send store, terminal and clerk ids.
    pub retail: bool,
    /// Whether CA verifies require a CVV (used once, never stored).
    pub cvv_required: bool,
    /// Push (credit) limits per account type; `None` = not enabled.
    pub credit: [(AccountType, Option<Limits>); 4],
    /// Pull (debit) limits per account type; `None` = not enabled.
    pub debit: [(AccountType, Option<Limits>); 4],
}

const fn limits(min: i64, max: i64) -> Option<Limits> {
    Some(Limits {
        min: Cents(min),
        max: Cents(max),
    })
}

impl Default for GatewaySettings {
    fn default() -> Self {
        GatewaySettings {
            retail: false,
            cvv_required: false,
            credit: [
                (AccountType::Ca, limits(5, 500_000)),
                (AccountType::Ac, limits(10, 1_000_000)),
                (AccountType::Bp, limits(500, 250_000)),
                (AccountType::Ck, limits(100, 1_000_000)),
            ],
            debit: [
                (AccountType::Ca, None),
                (AccountType::Ac, None),
                (AccountType::Bp, None),
                (AccountType::Ck, None),
            ],
        }
    }
}

impl GatewaySettings {
    pub fn credit_limits(&self, t: AccountType) -> Option<Limits> {
        self.credit
            .iter()
            .find(|(k, _)| *k == t)
            .and_then(|(_, l)| *l)
    }

    pub fn debit_limits(&self, t: AccountType) -> Option<Limits> {
        self.debit
            .iter()
            .find(|(k, _)| *k == t)
            .and_then(|(_, l)| *l)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub time: String,
    pub date: NaiveDate,
}

impl Posting {
    /// MM/DD/YYYY, as the spec's samples.
    pub fn date_text(&self) -> String {
        self.date.format("%m/%d/%Y").to_string()
    }
}

/// The banking calendar's "today": the date in US Eastern time, where the
/// Federal Reserve's banking day runs. At 00:30 UTC on a Saturday it is
/// still Friday evening in New York, and Friday's postings apply.
pub fn banking_today(now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    now.with_timezone(&chrono_tz::America::New_York)
        .date_naive()
}

/// A biller's posting days as payments use them (1 to 30 banking days):
/// verify's promise and process's answer come from this one rule.
pub fn biller_days(posting_days: i64) -> u32 {
    posting_days.clamp(1, 30) as u32
}

/// When a payment made today would post: card push within minutes, ACH the
/// next banking day, bill pay after the biller's banking days, a check in
/// 7–10 days (dated the 10th banking day).
pub fn posting(t: AccountType, today: NaiveDate, biller_days: u32) -> Posting {
    match t {
        AccountType::Ca => Posting {
            time: "Your payment will post within 5 minutes.".into(),
            date: today,
        },
        AccountType::Ac => {
            let date = add_banking_days(today, 1);
            Posting {
                time: format!("Payment will post {}", date.format("%m/%d/%Y")),
                date,
            }
        }
        AccountType::Bp => {
            let date = add_banking_days(today, biller_days.max(1));
            Posting {
                time: format!("Payment will post {}", date.format("%m/%d/%Y")),
                date,
            }
        }
        AccountType::Ck => Posting {
            time: "Payment will post 7-10 Days".into(),
            date: add_banking_days(today, 10),
        },
    }
}

/// Whether an account number fits a biller's pattern (`digits:MIN:MAX` or `alnum:MIN:MAX`).
pub fn fits_pattern(account: &str, pattern: &str) -> bool {
    let mut parts = pattern.split(':');
    let (Some(kind), Some(min), Some(max)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let (Ok(min), Ok(max)) = (min.parse::<usize>(), max.parse::<usize>()) else {
        return false;
    };
    let len_ok = (min..=max).contains(&account.len());
    let chars_ok = match kind {
        "digits" => account.bytes().all(|b| b.is_ascii_digit()),
        "alnum" => account.bytes().all(|b| b.is_ascii_alphanumeric()),
        _ => false,
    };
    len_ok && chars_ok
}

/// A biller as verify and search show it.
pub fn payee_json(b: &fundline_store::gateway::Biller) -> serde_json::Value {
    serde_json::json!({"payee_id": b.payee_id, "payee_name": b.name, "payee_address": b.address,
           "payee_city": b.city, "payee_state": b.state, "payee_zip": b.zip})
}

#[cfg(test)]
mod tests {
    use super::*;
    use fundline_core::testing::d;

    #[test]
    fn posting_follows_the_banking_calendar() {
        // Friday 2026-11-20: ACH posts Monday; Wednesday before Thanksgiving → Friday.
        assert_eq!(
            posting(AccountType::Ac, d(2026, 11, 20), 0).date,
            d(2026, 11, 23)
        );
        assert_eq!(
            posting(AccountType::Ac, d(2026, 11, 25), 0).date,
            d(2026, 11, 27)
        );
        assert_eq!(
            posting(AccountType::Ac, d(2026, 11, 25), 0).time,
            "Payment will post 11/27/2026"
        );
        assert_eq!(
            posting(AccountType::Ca, d(2026, 11, 21), 0).date,
            d(2026, 11, 21)
        );
        let ck = posting(AccountType::Ck, d(2026, 12, 21), 0);
        assert_eq!(ck.time, "Payment will post 7-10 Days");
        // 10 banking days after Mon 2026-12-21, skipping Christmas and New Year's Day.
        assert_eq!(ck.date, d(2027, 1, 6));
        assert_eq!(
            posting(AccountType::Bp, d(2026, 11, 20), 2).date,
            d(2026, 11, 24)
        );
    }

    #[test]
    fn biller_patterns() {
        assert!(fits_pattern("1234567890", "digits:10:10"));
        assert!(!fits_pattern("123456789", "digits:10:10"));
        assert!(fits_pattern("AB12", "alnum:4:20"));
        assert!(!fits_pattern("AB-12", "alnum:4:20"));
        assert!(!fits_pattern("1", "bogus"));
    }

    #[test]
    fn today_is_the_eastern_banking_day() {
        use chrono::TimeZone;
        // Saturday 00:30 UTC is Friday 19:30 in New York: ACH posts Monday.
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 5, 0, 30, 0).unwrap();
        assert_eq!(banking_today(now), d(2026, 12, 4));
        assert_eq!(
            posting(AccountType::Ac, banking_today(now), 0).date,
            d(2026, 12, 7)
        );
        // Summer time: 03:59 UTC is 23:59 the day before.
        let summer = chrono::Utc.with_ymd_and_hms(2026, 7, 1, 3, 59, 0).unwrap();
        assert_eq!(banking_today(summer), d(2026, 6, 30));
    }
}
