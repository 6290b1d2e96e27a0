use std::collections::BTreeMap;
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use zeroize::Zeroizing;

use crate::encoding::hex_lower;
use crate::keys::hmac_sha256;
use crate::{aead, DataKey, SecretString, VaultError};

const SEAL_PREFIX: &str = "fv1.";

/// A tenant's unwrapped keys, held in memory by the server.
#[derive(Clone)]
pub struct TenantKeys {
    tenant_id: String,
    fingerprint_key: DataKey,
    data_keys: BTreeMap<i64, DataKey>,
    // Cached so `current_version` needs no fallible lookup.
    current: i64,
}

impl fmt::Debug for TenantKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantKeys")
            .field("tenant_id", &self.tenant_id)
            .field("versions", &self.data_keys.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Splits "fv1.<version>.<body>" without decoding the body.
fn split_sealed(sealed: &str) -> Result<(i64, &str), VaultError> {
    let rest = sealed
        .strip_prefix(SEAL_PREFIX)
        .ok_or(VaultError::Malformed)?;
    let (version_str, body) = rest.split_once('.').ok_or(VaultError::Malformed)?;
    let version: i64 = version_str.parse().map_err(|_| VaultError::Malformed)?;
    // The version is outside the AEAD's associated data, so only its canonical
    // spelling is accepted: otherwise "01" or "+1" would be alternative
    // encodings of the same sealed value and tampering would go unnoticed.
    if version.to_string() != version_str {
        return Err(VaultError::Malformed);
    }
    Ok((version, body))
}

fn decode_body(body: &str) -> Result<Vec<u8>, VaultError> {
    let data = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| VaultError::Malformed)?;
    if data.len() < aead::NONCE_LEN + aead::TAG_LEN {
        return Err(VaultError::Malformed);
    }
    Ok(data)
}

impl TenantKeys {
    /// `data_keys`: (version, key); the highest version is used for new
    /// seals. Must be non-empty and free of duplicate versions (else
    /// `Err(Malformed)`): with two keys under one version, whichever lost
    /// would leave its data unreadable.
    pub fn new(
        tenant_id: &str,
        fingerprint_key: DataKey,
        data_keys: Vec<(i64, DataKey)>,
    ) -> Result<TenantKeys, VaultError> {
        let mut map = BTreeMap::new();
        for (version, key) in data_keys {
            if map.insert(version, key).is_some() {
                return Err(VaultError::Malformed);
            }
        }
        let current = *map.keys().next_back().ok_or(VaultError::Malformed)?;
        Ok(TenantKeys {
            tenant_id: tenant_id.to_owned(),
            fingerprint_key,
            data_keys: map,
            current,
        })
    }

    pub fn current_version(&self) -> i64 {
        self.current
    }

    fn aad(&self, table: &str, column: &str) -> String {
        format!("fundline:v1:{}:{}:{}", self.tenant_id, table, column)
    }

    /// AES-256-GCM with a random nonce; aad = "fundline:v1:" + tenant_id +
    /// ":" + table + ":" + column. Binding the location means a ciphertext
    /// copied into another tenant's row or another column will not open.
    /// Output: "fv1.<version>.<base64url-no-pad(nonce||ciphertext||tag)>".
    pub fn seal(&self, table: &str, column: &str, plaintext: &[u8]) -> String {
        // `current` always has a key: `new` derives it from the map.
        let key = &self.data_keys[&self.current];
        let data = aead::seal(key.bytes(), self.aad(table, column).as_bytes(), plaintext);
        let mut out = format!("{SEAL_PREFIX}{}.", self.current);
        URL_SAFE_NO_PAD.encode_string(data, &mut out);
        out
    }

    pub fn seal_str(&self, table: &str, column: &str, plaintext: &str) -> String {
        self.seal(table, column, plaintext.as_bytes())
    }

    /// Opens with the version named in the sealed string, so values sealed
    /// before a rotation stay readable. A value sealed for another
    /// tenant/table/column fails with `Decrypt`.
    pub fn open(
        &self,
        table: &str,
        column: &str,
        sealed: &str,
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let (version, body) = split_sealed(sealed)?;
        let data = decode_body(body)?;
        let key = self
            .data_keys
            .get(&version)
            .ok_or(VaultError::UnknownKeyVersion(version))?;
        aead::open(key.bytes(), self.aad(table, column).as_bytes(), &data)
    }

    /// Like `open`, for values sealed from strings. Authentic plaintext that
    /// is not UTF-8 is reported as `Malformed`.
    pub fn open_string(
        &self,
        table: &str,
        column: &str,
        sealed: &str,
    ) -> Result<SecretString, VaultError> {
        let mut plain = self.open(table, column, sealed)?;
        // Move the bytes out instead of copying so only one buffer ever holds
        // the plaintext; on failure the bytes come back and are wiped.
        match String::from_utf8(std::mem::take(&mut *plain)) {
            Ok(s) => Ok(SecretString::from(s)),
            Err(e) => {
                drop(Zeroizing::new(e.into_bytes()));
                Err(VaultError::Malformed)
            }
        }
    }

    /// The key version a sealed value uses (for re-encryption reports),
    /// without decrypting. The body is still checked structurally so a
    /// report never counts garbage as "on version N".
    pub fn sealed_version(sealed: &str) -> Result<i64, VaultError> {
        let (version, body) = split_sealed(sealed)?;
        decode_body(body)?;
        Ok(version)
    }

    /// HMAC-SHA256(fingerprint_key, domain + "\x00" + normalized), lowercase
    /// hex. The NUL separator keeps ("ab", "c") and ("a", "bc") apart; a
    /// per-tenant key means equal values in two tenants are unlinkable.
    pub fn fingerprint(&self, domain: &str, normalized: &str) -> String {
        let mac = hmac_sha256(
            self.fingerprint_key.bytes(),
            &[domain.as_bytes(), b"\x00", normalized.as_bytes()],
        );
        hex_lower(&mac)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(tenant: &str, versions: &[(i64, &DataKey)]) -> TenantKeys {
        TenantKeys::new(
            tenant,
            DataKey::from_bytes([7u8; 32]),
            versions.iter().map(|(v, k)| (*v, (*k).clone())).collect(),
        )
        .unwrap()
    }

    fn one(tenant: &str) -> (TenantKeys, DataKey) {
        let dk = DataKey::generate();
        (keys(tenant, &[(1, &dk)]), dk)
    }

    #[test]
    fn seal_open_round_trip() {
        let (tk, _) = one("t1");
        let sealed = tk.seal("cards", "pan", b"4111111111111111");
        assert!(sealed.starts_with("fv1.1."));
        assert!(!sealed.contains("4111"));
        let plain = tk.open("cards", "pan", &sealed).unwrap();
        assert_eq!(plain.as_slice(), b"4111111111111111");

        let s = tk.seal_str("people", "ssn", "123-45-6789");
        assert_eq!(
            tk.open_string("people", "ssn", &s).unwrap().expose(),
            "123-45-6789"
        );
        // Random nonce: same input seals differently.
        assert_ne!(s, tk.seal_str("people", "ssn", "123-45-6789"));

        let empty = tk.seal("t", "c", b"");
        assert_eq!(tk.open("t", "c", &empty).unwrap().as_slice(), b"");
    }

    #[test]
    fn open_in_wrong_context_fails() {
        let dk = DataKey::generate();
        let t1 = keys("t1", &[(1, &dk)]);
        // Same data key on purpose: only the associated data differs.
        let t2 = keys("t2", &[(1, &dk)]);
        let sealed = t1.seal("cards", "pan", b"secret");
        assert!(matches!(
            t2.open("cards", "pan", &sealed),
            Err(VaultError::Decrypt)
        ));
        assert!(matches!(
            t1.open("banks", "pan", &sealed),
            Err(VaultError::Decrypt)
        ));
        assert!(matches!(
            t1.open("cards", "token", &sealed),
            Err(VaultError::Decrypt)
        ));
        assert!(t1.open("cards", "pan", &sealed).is_ok());
    }

    #[test]
    fn open_with_different_key_fails() {
        let (a, _) = one("t1");
        let (b, _) = one("t1");
        let sealed = a.seal("x", "y", b"v");
        assert!(matches!(
            b.open("x", "y", &sealed),
            Err(VaultError::Decrypt)
        ));
    }

    #[test]
    fn tampering_any_byte_fails_without_panic() {
        let (tk, _) = one("t1");
        let sealed = tk.seal("cards", "pan", b"4111111111111111");
        let bytes = sealed.as_bytes();
        for i in 0..bytes.len() {
            for repl in [b'A', b'z', b'0', b'1', b'2', b'-', b'_', b'.', b'+', b'='] {
                if bytes[i] == repl {
                    continue;
                }
                let mut t = bytes.to_vec();
                t[i] = repl;
                let t = String::from_utf8(t).unwrap();
                assert!(
                    tk.open("cards", "pan", &t).is_err(),
                    "tamper at {i} accepted: {t}"
                );
            }
        }
        // Truncation and extension are tampering too.
        for cut in 0..sealed.len() {
            assert!(tk.open("cards", "pan", &sealed[..cut]).is_err());
        }
        assert!(tk.open("cards", "pan", &format!("{sealed}A")).is_err());
    }

    #[test]
    fn non_canonical_version_is_rejected() {
        let dk = DataKey::generate();
        let tk = keys("t", &[(1, &dk), (12, &dk)]);
        let sealed = tk.seal("a", "b", b"x");
        let body = sealed.strip_prefix("fv1.12.").unwrap();
        assert!(tk.open("a", "b", &sealed).is_ok());
        for v in ["012", "+12", " 12", "12 "] {
            let t = format!("fv1.{v}.{body}");
            assert!(
                matches!(tk.open("a", "b", &t), Err(VaultError::Malformed)),
                "{v}"
            );
        }
    }

    #[test]
    fn rotation_keeps_old_data_readable() {
        let v1 = DataKey::generate();
        let v2 = DataKey::generate();
        let old = keys("t1", &[(1, &v1)]);
        let old_sealed = old.seal("accounts", "number", b"DE89370400440532013000");
        assert_eq!(TenantKeys::sealed_version(&old_sealed).unwrap(), 1);

        // Order of the input must not matter: the highest version wins.
        let rotated = keys("t1", &[(2, &v2), (1, &v1)]);
        assert_eq!(rotated.current_version(), 2);
        let new_sealed = rotated.seal("accounts", "number", b"GB29NWBK60161331926819");
        assert!(new_sealed.starts_with("fv1.2."));
        assert_eq!(TenantKeys::sealed_version(&new_sealed).unwrap(), 2);

        assert_eq!(
            rotated
                .open("accounts", "number", &old_sealed)
                .unwrap()
                .as_slice(),
            b"DE89370400440532013000"
        );
        assert_eq!(
            rotated
                .open("accounts", "number", &new_sealed)
                .unwrap()
                .as_slice(),
            b"GB29NWBK60161331926819"
        );
        // The old key set can't read the new data.
        assert!(matches!(
            old.open("accounts", "number", &new_sealed),
            Err(VaultError::UnknownKeyVersion(2))
        ));
    }

    #[test]
    fn unknown_version_is_reported() {
        let dk = DataKey::generate();
        let v3 = keys("t", &[(3, &dk)]);
        let sealed = v3.seal("a", "b", b"x");
        let (v1, _) = one("t");
        assert!(matches!(
            v1.open("a", "b", &sealed),
            Err(VaultError::UnknownKeyVersion(3))
        ));
    }

    #[test]
    fn new_rejects_empty_and_duplicate_versions() {
        assert!(matches!(
            TenantKeys::new("t", DataKey::generate(), vec![]),
            Err(VaultError::Malformed)
        ));
        assert!(matches!(
            TenantKeys::new(
                "t",
                DataKey::generate(),
                vec![(1, DataKey::generate()), (1, DataKey::generate())]
            ),
            Err(VaultError::Malformed)
        ));
        let neg =
            TenantKeys::new("t", DataKey::generate(), vec![(-5, DataKey::generate())]).unwrap();
        let sealed = neg.seal("a", "b", b"x");
        assert_eq!(TenantKeys::sealed_version(&sealed).unwrap(), -5);
        assert_eq!(neg.open("a", "b", &sealed).unwrap().as_slice(), b"x");
    }

    #[test]
    fn malformed_inputs_are_errors() {
        let (tk, _) = one("t");
        let huge_body = "A".repeat(4 << 20);
        let cases: Vec<String> = vec![
            String::new(),
            "fv1.".into(),
            "fv1.x.y".into(),
            "fv1.1".into(),
            "fv1.1.".into(),
            "fv1..AAAA".into(),
            "fv2.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
            "fv1.1.!!!!".into(),
            "fv1.1.AAAA====".into(),
            "fv1.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==".into(),
            "fv1.1.AAAA".into(),
            "fv1.99999999999999999999999.AAAA".into(),
            "fv1.1.ünïcödé".into(),
            format!("fv1.{}.AAAA", "9".repeat(100_000)),
            format!("fv1.1.{}", "!".repeat(1 << 20)),
        ];
        for c in &cases {
            let shown = &c[..c.len().min(40)];
            assert!(
                matches!(tk.open("t", "c", c), Err(VaultError::Malformed)),
                "open accepted {shown:?}"
            );
            assert!(tk.open_string("t", "c", c).is_err());
            assert!(
                matches!(TenantKeys::sealed_version(c), Err(VaultError::Malformed)),
                "sealed_version accepted {shown:?}"
            );
        }
        // Well-formed but enormous: decodes, then fails authentication.
        let huge = format!("fv1.1.{huge_body}");
        assert!(matches!(tk.open("t", "c", &huge), Err(VaultError::Decrypt)));
    }

    #[test]
    fn open_string_rejects_non_utf8() {
        let (tk, _) = one("t");
        let sealed = tk.seal("a", "b", &[0xff, 0xfe, 0x00]);
        assert!(matches!(
            tk.open_string("a", "b", &sealed),
            Err(VaultError::Malformed)
        ));
    }

    #[test]
    fn fingerprint_is_deterministic_and_tenant_specific() {
        let dk = DataKey::generate();
        let a = keys("t1", &[(1, &dk)]);
        let a_rotated = TenantKeys::new(
            "t1",
            DataKey::from_bytes([7u8; 32]),
            vec![(1, dk.clone()), (2, DataKey::generate())],
        )
        .unwrap();
        let b = TenantKeys::new("t2", DataKey::generate(), vec![(1, dk.clone())]).unwrap();

        let fa = a.fingerprint("pan", "4111111111111111");
        assert_eq!(fa.len(), 64);
        assert!(fa
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_eq!(fa, a.fingerprint("pan", "4111111111111111"));
        // Data-key rotation must not change lookups.
        assert_eq!(fa, a_rotated.fingerprint("pan", "4111111111111111"));
        assert_ne!(fa, b.fingerprint("pan", "4111111111111111"));
        assert_ne!(fa, a.fingerprint("ssn", "4111111111111111"));
        assert_ne!(a.fingerprint("ab", "c"), a.fingerprint("a", "bc"));
    }

    #[test]
    fn fingerprint_matches_known_vector() {
        // Computed independently with Python's hmac; fingerprints are stored,
        // so their derivation must never drift.
        let mut k = [0u8; 32];
        for (i, b) in k.iter_mut().enumerate() {
            *b = i as u8;
        }
        let tk =
            TenantKeys::new("t", DataKey::from_bytes(k), vec![(1, DataKey::generate())]).unwrap();
        assert_eq!(
            tk.fingerprint("pan", "4111111111111111"),
            "82fd0347d7b27f5b6792102330fa4f29671277adbfcda6bfb5a28b302073ade0"
        );
    }

    #[test]
    fn debug_hides_keys() {
        let dk = DataKey::from_bytes([0xab; 32]);
        let tk = keys("t1", &[(1, &dk)]);
        let dbg = format!("{tk:?}");
        assert!(dbg.contains("t1"));
        assert!(!dbg.to_lowercase().contains("abab"));
        assert!(!dbg.contains("171"));
    }
}
