use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Random high-entropy tokens (session ids, API secrets, one-time tokens):
/// `bytes` random bytes from OsRng, base64url without padding (URL- and
/// header-safe as is).
pub fn random_token(bytes: usize) -> String {
    let mut buf = Zeroizing::new(vec![0u8; bytes]);
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(&*buf)
}

/// For high-entropy secrets only (API secrets, session ids, refresh tokens):
/// SHA-256 → lowercase hex. A fast unsalted hash is fine when the input
/// can't be guessed; passwords must use `hash_password`.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time comparison of two strings, so comparing a presented secret
/// against a stored one leaks no prefix-length timing. Only the length is
/// revealed, which for fixed-size tokens and hashes is public anyway.
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn random_token_length_alphabet_and_uniqueness() {
        for (n, chars) in [(0, 0), (1, 2), (16, 22), (32, 43), (33, 44)] {
            let t = random_token(n);
            assert_eq!(t.len(), chars, "bytes={n}");
            assert_eq!(URL_SAFE_NO_PAD.decode(&t).unwrap().len(), n);
            assert!(t
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        }
        let set: HashSet<String> = (0..1000).map(|_| random_token(32)).collect();
        assert_eq!(set.len(), 1000);
    }

    #[test]
    fn hash_token_known_vectors() {
        assert_eq!(
            hash_token(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let t = random_token(32);
        assert_eq!(hash_token(&t), hash_token(&t));
        assert_ne!(hash_token(&t), hash_token(&random_token(32)));
    }

    #[test]
    fn ct_eq_compares_exactly() {
        assert!(ct_eq("", ""));
        assert!(ct_eq("abc", "abc"));
        assert!(!ct_eq("abc", "abd"));
        assert!(!ct_eq("abc", "ab"));
        assert!(!ct_eq("ab", "abc"));
        assert!(!ct_eq("", "a"));
    }
}
