//! What kind of check it is and how fast the money moves. Both drive the
//! fee; `Funding` also drives the expected load date and the transaction
//! type shown in the partner's history.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The kind of check, as the customer (or classification) declares it.
///
/// Payroll and government checks are drawn on accounts that almost never
/// bounce, which is why they carry the lower fee in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckType {
    Payroll,
    Government,
    Personal,
    Other,
}

impl CheckType {
    pub const ALL: [CheckType; 4] = [
        CheckType::Payroll,
        CheckType::Government,
        CheckType::Personal,
        CheckType::Other,
    ];

    /// The lowercase name, identical to the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckType::Payroll => "payroll",
            CheckType::Government => "government",
            CheckType::Personal => "personal",
            CheckType::Other => "other",
        }
    }
}

/// How fast the customer wants the money: pushed to the card within
/// minutes (fee charged, we carry the return risk) or loaded once the
/// check has cleared (free by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Funding {
    Minutes,
    Days,
}

impl Funding {
    pub const ALL: [Funding; 2] = [Funding::Minutes, Funding::Days];

    /// The lowercase name, identical to the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            Funding::Minutes => "minutes",
            Funding::Days => "days",
        }
    }
}

/// A string that names no variant. It carries only which enum was being
/// parsed: request text is not echoed back into messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what}")]
pub struct UnknownValue {
    pub what: &'static str,
}

/// Case-insensitive match of `s` (surrounding whitespace ignored) against
/// the variants' names.
fn parse_named<T: Copy>(
    s: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    what: &'static str,
) -> Result<T, UnknownValue> {
    let s = s.trim();
    all.iter()
        .copied()
        .find(|v| name(*v).eq_ignore_ascii_case(s))
        .ok_or(UnknownValue { what })
}

impl FromStr for CheckType {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named(s, &CheckType::ALL, CheckType::as_str, "check type")
    }
}

impl FromStr for Funding {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named(s, &Funding::ALL, Funding::as_str, "funding")
    }
}

impl fmt::Display for CheckType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Funding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_type_parses_case_insensitively() {
        assert_eq!("payroll".parse(), Ok(CheckType::Payroll));
        assert_eq!("PAYROLL".parse(), Ok(CheckType::Payroll));
        assert_eq!(" Government ".parse(), Ok(CheckType::Government));
        assert_eq!("personal".parse(), Ok(CheckType::Personal));
        assert_eq!("oThEr".parse(), Ok(CheckType::Other));
    }

    #[test]
    fn check_type_rejects_unknown() {
        for bad in ["", "pay", "payroll2", "govt", "ＰＡＹＲＯＬＬ", "payroll\0"] {
            let e = bad.parse::<CheckType>().unwrap_err();
            assert_eq!(e.to_string(), "unknown check type");
        }
    }

    #[test]
    fn funding_parses_case_insensitively() {
        assert_eq!("minutes".parse(), Ok(Funding::Minutes));
        assert_eq!("Days".parse(), Ok(Funding::Days));
        assert_eq!("MINUTES".parse(), Ok(Funding::Minutes));
        assert_eq!(
            "weeks".parse::<Funding>().unwrap_err().to_string(),
            "unknown funding"
        );
    }

    #[test]
    fn as_str_round_trips_and_matches_serde() {
        for t in CheckType::ALL {
            assert_eq!(t.as_str().parse(), Ok(t));
            assert_eq!(t.to_string(), t.as_str());
        }
        for f in Funding::ALL {
            assert_eq!(f.as_str().parse(), Ok(f));
            assert_eq!(f.to_string(), f.as_str());
        }
    }

    #[test]
    fn serde_names_are_the_lowercase_names() {
        use serde::de::value::{Error, StrDeserializer};
        use serde::de::IntoDeserializer;
        for t in CheckType::ALL {
            let d: StrDeserializer<'_, Error> = t.as_str().into_deserializer();
            assert_eq!(CheckType::deserialize(d), Ok(t));
        }
        for f in Funding::ALL {
            let d: StrDeserializer<'_, Error> = f.as_str().into_deserializer();
            assert_eq!(Funding::deserialize(d), Ok(f));
        }
        let d: StrDeserializer<'_, Error> = "Payroll".into_deserializer();
        assert!(CheckType::deserialize(d).is_err(), "serde form is exact");
    }
}
