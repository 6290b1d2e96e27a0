use std::fmt;

use secrecy::ExposeSecret;

/// A string that never prints: Debug and Display show "[REDACTED]", so a
/// stray `{:?}` in a log line cannot leak a PAN or SSN. Held in a
/// `secrecy::SecretString`, which zeroizes it on drop. A newtype rather
/// than the bare `secrecy` type so callers keep `expose()` (and
/// `ExposeSecret::expose_secret` works too).
#[derive(Clone)]
pub struct SecretString(secrecy::SecretString);

impl SecretString {
    pub fn new(s: impl Into<String>) -> Self {
        SecretString(secrecy::SecretString::from(s.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl ExposeSecret<str> for SecretString {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        SecretString(secrecy::SecretString::from(s))
    }
}

impl From<secrecy::SecretString> for SecretString {
    fn from(s: secrecy::SecretString) -> Self {
        SecretString(s)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Masking for display: keeps the last `keep` characters and replaces the
/// rest by '*'. Counts chars rather than bytes so multi-byte input can never
/// be split mid-character. A value no longer than `keep` is fully masked,
/// since showing all of it would defeat the point.
pub fn mask_keep_last(s: &str, keep: usize) -> String {
    let len = s.chars().count();
    if len <= keep {
        return "*".repeat(len);
    }
    let masked = len - keep;
    s.chars()
        .enumerate()
        .map(|(i, c)| if i < masked { '*' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_string_never_prints() {
        let s = SecretString::new("123-45-6789");
        assert_eq!(format!("{s:?}"), "[REDACTED]");
        assert_eq!(format!("{s}"), "[REDACTED]");
        assert_eq!(format!("{s:#?}"), "[REDACTED]");
        let wrapped = Some(s.clone());
        assert!(!format!("{wrapped:?}").contains("6789"));
        assert_eq!(s.expose(), "123-45-6789");
        let from: SecretString = String::from("pw").into();
        assert_eq!(from.expose(), "pw");
        assert_eq!(from.clone().expose(), "pw");
    }

    #[test]
    fn mask_pan() {
        assert_eq!(mask_keep_last("4111111111111111", 4), "************1111");
    }

    #[test]
    fn mask_short_and_edge_cases() {
        assert_eq!(mask_keep_last("", 4), "");
        assert_eq!(mask_keep_last("123", 4), "***");
        assert_eq!(mask_keep_last("1234", 4), "****");
        assert_eq!(mask_keep_last("12345", 4), "*2345");
        assert_eq!(mask_keep_last("secret", 0), "******");
    }

    #[test]
    fn mask_multibyte() {
        assert_eq!(mask_keep_last("héllo wörld", 3), "********rld");
        assert_eq!(mask_keep_last("日本語テキスト", 2), "*****スト");
        assert_eq!(mask_keep_last("👍👍👍", 1), "**👍");
        assert_eq!(mask_keep_last("ü", 1), "*");
        assert_eq!(mask_keep_last("éé", 5), "**");
    }
}
