use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params};
use rand::rngs::OsRng;
use rand::RngCore;

use crate::random_token;

// Upper bounds on cost parameters accepted from a stored hash. The PHC string
// comes from the database, and argon2 allocates `m_cost` KiB up front: a
// corrupted or planted row must not be able to make one login allocate
// gigabytes (or abort the process on OOM). The bounds leave generous room to
// raise our own parameters later.
const MAX_VERIFY_M_COST: u32 = 256 * 1024;
const MAX_VERIFY_T_COST: u32 = 16;
const MAX_VERIFY_P_COST: u32 = 8;

/// argon2id with default params (m=19456 KiB, t=2, p=1), PHC string output.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    // encode_b64 only fails for salts outside 4..=64 bytes.
    let salt = SaltString::encode_b64(&salt).expect("16-byte salt is always valid");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        // argon2 only rejects passwords over 4 GiB, which no request carries.
        .expect("argon2id hashing with default params")
        .to_string()
}

/// Returns false on any mismatch or malformed PHC string; never panics.
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    // We only ever produce argon2id; accepting weaker variants from storage
    // would let a downgraded row through unnoticed.
    if hash.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    if params.m_cost() > MAX_VERIFY_M_COST
        || params.t_cost() > MAX_VERIFY_T_COST
        || params.p_cost() > MAX_VERIFY_P_COST
    {
        return false;
    }
    Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok()
}

/// Shortest staff password accepted (PCI DSS 8.3.6: at least 12 characters).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest staff password accepted (bounds the hashing work of one request).
pub const MAX_PASSWORD_CHARS: usize = 128;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

fn common_passwords() -> &'static std::collections::HashSet<&'static str> {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether a password is on the built-in list of common passwords: the
/// password itself (case-insensitive), or what is left of it once its
/// trailing digits and symbols are removed ("Password2024!" is "password").
pub fn is_common_password(password: &str) -> bool {
    let lower = password.to_lowercase();
    let set = common_passwords();
    let stem = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    set.contains(lower.as_str()) || (!stem.is_empty() && set.contains(stem))
}

/// The rule a new staff password breaks, if any: at least
/// [`MIN_PASSWORD_CHARS`] characters, at most [`MAX_PASSWORD_CHARS`], at
/// least five different characters, and not a common password.
pub fn password_problem(password: &str) -> Option<&'static str> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Some("Password must be at least 12 characters.");
    }
    if n > MAX_PASSWORD_CHARS {
        return Some("Password must not exceed 128 characters.");
    }
    let distinct: std::collections::HashSet<char> = password.chars().collect();
    if distinct.len() < 5 || is_common_password(password) {
        return Some("Password is too common or too easy to guess.");
    }
    None
}

/// A fixed, valid argon2id PHC string of a random password, computed once.
/// Verifying a login for an unknown user against it costs the same as a real
/// verification, so response time doesn't reveal which accounts exist.
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token(32)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let phc = hash_password("correct horse battery staple");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse battery staple", &phc));
        assert!(!verify_password("correct horse battery stapl", &phc));
        assert!(!verify_password("", &phc));
        // Salted: same password, different hash.
        assert_ne!(phc, hash_password("correct horse battery staple"));
    }

    #[test]
    fn unicode_and_empty_passwords() {
        let phc = hash_password("pässwörd🔑");
        assert!(verify_password("pässwörd🔑", &phc));
        assert!(!verify_password("passwörd🔑", &phc));
        let empty = hash_password("");
        assert!(verify_password("", &empty));
        assert!(!verify_password(" ", &empty));
    }

    #[test]
    fn dummy_hash_is_stable_valid_and_rejects() {
        let d = dummy_password_hash();
        assert!(std::ptr::eq(d, dummy_password_hash()));
        assert!(PasswordHash::new(d).is_ok());
        assert!(d.starts_with("$argon2id$"));
        assert!(!verify_password(&random_token(16), d));
        assert!(!verify_password("", d));
    }

    #[test]
    fn password_policy() {
        assert!(common_passwords().len() > 250);
        for bad in [
            "short",
            "elevenchars",
            "passwordpassword",
            "Password2024!",
            "QWERTYUIOP123",
            "123456789012",
            "aaaaaaaaaaaaaaaa",
            "abababababababab",
            "Football1234567",
            "Welcome2024!!",
        ] {
            assert!(password_problem(bad).is_some(), "accepted {bad:?}");
        }
        assert_eq!(
            password_problem("elevenchars"),
            Some("Password must be at least 12 characters.")
        );
        assert!(password_problem(&"x".repeat(129)).is_some());
        for good in [
            "correct horse battery staple",
            "analyst-pass-1",
            "SecurePassword123!",
            "4z~`T4~JnX_^%2D90{>6j@s",
            "pässwörd🔑-long",
        ] {
            assert_eq!(password_problem(good), None, "{good}");
        }
    }

    #[test]
    fn malformed_phc_is_false() {
        let good = hash_password("pw");
        let cases = [
            String::new(),
            "$".into(),
            "not a hash".into(),
            "$argon2id$".into(),
            "$argon2id$v=19$m=19456,t=2,p=1$".into(),
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$".into(),
            good.replace("m=19456", "m=4294967295"),
            good.replace("t=2", "t=4294967295"),
            good.replace("p=1", "p=16777215"),
            good.replace("m=19456", "m=1"),
            good.replace("v=19", "v=99"),
            good.replace("argon2id", "argon2i"),
            good.replace("argon2id", "bcrypt"),
            good[..good.len() - 5].to_string(),
            format!("{good}$extra"),
            "$argon2id$v=19$m=19456,t=2,p=1$!!!!$!!!!".into(),
        ];
        for c in &cases {
            assert!(!verify_password("pw", c), "accepted {c:?}");
        }
        assert!(verify_password("pw", &good));
    }
}
