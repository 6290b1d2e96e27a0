//! US postal and contact details.

/// A USPS state/territory code, always stored uppercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsState(&'static str);

/// 50 states, DC, the five inhabited territories, and the three military
/// "states" (AA/AE/AP) that APO/FPO addresses use.
const CODES: [&str; 59] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP", "AA", "AE", "AP",
];

impl UsState {
    /// Case-insensitive 2-letter USPS code. No trimming: callers decide
    /// whether surrounding whitespace is acceptable.
    pub fn parse(s: &str) -> Option<UsState> {
        // `eq_ignore_ascii_case` compares bytes, so a multi-byte input of
        // two bytes simply fails to match rather than panicking.
        CODES
            .iter()
            .find(|c| c.eq_ignore_ascii_case(s))
            .map(|c| UsState(c))
    }

    pub fn code(&self) -> &'static str {
        self.0
    }
}

/// Exactly 5 ASCII digits (ZIP+4 is not accepted here).
pub fn valid_zip5(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Exactly 10 ASCII digits, first digit 2-9 (a NANP area code cannot start
/// with 0 or 1). No "+1" prefix or punctuation.
pub fn valid_phone10(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b.iter().all(u8::is_ascii_digit) && b[0] >= b'2'
}

/// A US ZIP code: five ASCII digits, or ZIP+4 (`xxxxx-xxxx`). No trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zip(String);

impl Zip {
    pub fn parse(s: &str) -> Option<Zip> {
        let ok = match s.split_once('-') {
            None => valid_zip5(s),
            Some((zip5, plus4)) => {
                valid_zip5(zip5) && plus4.len() == 4 && plus4.bytes().all(|b| b.is_ascii_digit())
            }
        };
        ok.then(|| Zip(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The five-digit ZIP, without any +4.
    pub fn zip5(&self) -> &str {
        &self.0[..5]
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A phone number as the payout gateway's specs write it: exactly ten ASCII
/// digits, no punctuation. Unlike [`valid_phone10`] the area code is not
/// checked: the specs' own samples send `1231231234`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(s: &str) -> Option<Phone> {
        (s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit())).then(|| Phone(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// An e-mail address in the form [`normalize_email`] gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Option<Email> {
        normalize_email(s).map(Email)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

const MAX_EMAIL_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
/// DNS caps a label at 63 octets; a longer one can never receive mail.
const MAX_LABEL_LEN: usize = 63;

/// A pragmatic address check: one '@', non-empty local part (max 64)
/// without spaces or control chars, domain with at least one dot, labels of
/// [A-Za-z0-9-] not starting/ending with '-', TLD at least 2 letters, total
/// max 254. Returns the trimmed, lowercased-domain form.
///
/// The local part keeps its case: RFC 5321 lets servers treat it as case
/// sensitive, so folding it could address a different mailbox.
/// Lengths are in bytes, matching the SMTP limits.
pub fn normalize_email(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.len() > MAX_EMAIL_LEN {
        return None;
    }
    let (local, domain) = s.split_once('@')?;
    if domain.contains('@') {
        return None;
    }
    if local.is_empty()
        || local.len() > MAX_LOCAL_LEN
        || local.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    if !valid_domain(domain) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    out.push_str(local);
    out.push('@');
    out.push_str(&domain.to_ascii_lowercase());
    Some(out)
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let labels_ok = labels.iter().all(|l| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.len() <= MAX_LABEL_LEN
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    });
    let tld_ok = labels
        .last()
        .is_some_and(|t| t.len() >= 2 && t.bytes().all(|c| c.is_ascii_alphabetic()));
    labels_ok && tld_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_codes_parse_in_any_case() {
        assert_eq!(CODES.len(), 59);
        for c in CODES {
            assert_eq!(UsState::parse(c).map(|s| s.code()), Some(c));
            let lower = c.to_ascii_lowercase();
            assert_eq!(UsState::parse(&lower).map(|s| s.code()), Some(c));
            let mixed = format!("{}{}", &c[..1], c[1..].to_ascii_lowercase());
            assert_eq!(UsState::parse(&mixed).map(|s| s.code()), Some(c));
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut v = CODES.to_vec();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), CODES.len());
    }

    #[test]
    fn specific_codes() {
        assert_eq!(UsState::parse("ny"), UsState::parse("NY"));
        assert_eq!(UsState::parse("dc").unwrap().code(), "DC");
        assert_eq!(UsState::parse("Pr").unwrap().code(), "PR");
        assert_eq!(UsState::parse("ae").unwrap().code(), "AE");
        assert_eq!(UsState::parse("mp").unwrap().code(), "MP");
    }

    #[test]
    fn rejects_unknown_states() {
        for bad in [
            "",
            "N",
            "NYC",
            "XX",
            "ZZ",
            "PI",
            "FM",
            "MH",
            "PW",
            "CZ",
            " NY",
            "NY ",
            "N Y",
            "New York",
            "ＮＹ",
            "é",
            "🙂",
            "\u{0}\u{0}",
        ] {
            assert_eq!(UsState::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn zip5() {
        assert!(valid_zip5("10001"));
        assert!(valid_zip5("00501"));
        for bad in [
            "1000",
            "100011",
            "10001-1234",
            "1000a",
            " 1000",
            "",
            "١٠٠",
            "１００",
        ] {
            assert!(!valid_zip5(bad), "{bad:?}");
        }
    }

    #[test]
    fn zip_and_zip_plus_4() {
        for ok in ["30313", "30313-1234", "00501"] {
            assert_eq!(Zip::parse(ok).map(Zip::into_string).as_deref(), Some(ok));
        }
        assert_eq!(Zip::parse("30313-1234").unwrap().zip5(), "30313");
        for bad in [
            "3031",
            "303131234",
            "30313-123",
            "30313-",
            "-1234",
            "30313 1234",
            "3031a-1234",
            " 30313",
            "30313-١٢٣٤",
        ] {
            assert_eq!(Zip::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn gateway_phones_are_ten_digits() {
        assert!(Phone::parse("1231231234").is_some());
        assert_eq!(Phone::parse("2125551234").unwrap().as_str(), "2125551234");
        for bad in [
            "",
            "123123123",
            "12312312345",
            "123-123-12",
            "123123123a",
            "１２３１２３１２３４",
        ] {
            assert_eq!(Phone::parse(bad), None, "{bad:?}");
        }
        assert_eq!(
            Email::parse(" A@Example.COM ")
                .map(Email::into_string)
                .as_deref(),
            Some("A@example.com")
        );
        assert_eq!(Email::parse("a@b"), None);
    }

    #[test]
    fn phone10() {
        assert!(valid_phone10("2125551234"));
        assert!(valid_phone10("9995551234"));
        for bad in [
            "0125551234",
            "1125551234",
            "12125551234",
            "212555123",
            "212-555-1234",
            "(212)5551234",
            "+12125551234",
            "212555123a",
            "",
            "２１２５５５１２",
            "2🙂🙂2",
        ] {
            assert!(!valid_phone10(bad), "{bad:?}");
        }
    }

    #[test]
    fn email_normalization() {
        for (typed, kept) in [
            (
                "  Alice.Smith+tag@Example.COM \n",
                "Alice.Smith+tag@example.com",
            ),
            ("a@b.co", "a@b.co"),
            ("x@mail-1.sub.example.org", "x@mail-1.sub.example.org"),
            // Non-ASCII local parts are allowed (SMTPUTF8); only the domain
            // is restricted to LDH labels.
            ("josé@example.com", "josé@example.com"),
        ] {
            assert_eq!(normalize_email(typed).as_deref(), Some(kept), "{typed:?}");
        }
    }

    #[test]
    fn email_rejections() {
        for bad in [
            "",
            "   ",
            "plainaddress",
            "@example.com",
            "a@",
            "a@@example.com",
            "a@b@example.com",
            "a b@example.com",
            "a\tb@example.com",
            "a\u{7}b@example.com",
            "a\u{a0}b@example.com",
            "a@localhost",
            "a@example",
            "a@example.c",
            "a@example.c0m",
            "a@example.123",
            "a@.example.com",
            "a@example..com",
            "a@example.com.",
            "a@-example.com",
            "a@example-.com",
            "a@exa_mple.com",
            "a@exa mple.com",
            "a@exämple.com",
            "a@example.com/",
            "a@[127.0.0.1]",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn email_length_limits() {
        let local64 = "a".repeat(64);
        assert!(normalize_email(&format!("{local64}@example.com")).is_some());
        let local65 = "a".repeat(65);
        assert!(normalize_email(&format!("{local65}@example.com")).is_none());

        let label63 = "b".repeat(63);
        assert!(normalize_email(&format!("a@{label63}.com")).is_some());
        let label64 = "b".repeat(64);
        assert!(normalize_email(&format!("a@{label64}.com")).is_none());

        // Build exactly 254 and 255 bytes total.
        let domain_250 = format!(
            "{}.{}.{}.{}",
            "c".repeat(63),
            "c".repeat(63),
            "c".repeat(63),
            "c".repeat(58)
        );
        assert_eq!(domain_250.len(), 250);
        let ok = format!("abc@{domain_250}");
        assert_eq!(ok.len(), 254);
        assert!(normalize_email(&ok).is_some());
        let too_long = format!("abcd@{domain_250}");
        assert_eq!(too_long.len(), 255);
        assert!(normalize_email(&too_long).is_none());
    }

    #[test]
    fn email_multibyte_never_panics() {
        for s in [
            "🙂@🙂.🙂",
            "a@🙂.com",
            "é@é.é",
            "@",
            "@.",
            "a@.",
            "a@-",
            "\u{0}@\u{0}.\u{0}",
        ] {
            let _ = normalize_email(s);
        }
        assert_eq!(
            normalize_email("🙂@example.com").as_deref(),
            Some("🙂@example.com")
        );
    }
}
