use std::collections::BTreeMap;
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use zeroize::Zeroizing;

use crate::keys::hmac_sha256;
use crate::{aead, DataKey, SecretString, VaultError};

const SEAL_PREFIX: &str = "fv1.";
const ROW_SEAL_PREFIX: &str = "fv2.";

/// The keys that sign rather than seal: staff JWTs and capture-page URLs.
/// Each is versioned; version 0 is the legacy derivation from the
/// fingerprint key, used by tenants created before these keys existed.
pub const JWT: &str = "jwt";
pub const URL: &str = "url";

/// How a fingerprint names its key version: version 1 (every fingerprint
/// written before the key rotated) is the bare 64 hex digits; version N ≥ 2
/// is "fp<N>." + the hex digits. The version travels inside the value, so a
/// writer cannot store one without the other, the unique indexes over the
/// fingerprint columns keep working, and values of version 1 need no
/// rewrite to say what they are.
const FP_PREFIX: &str = "fp";

#[derive(Clone)]
struct FingerprintVersion {
    key: DataKey,
    /// Lookups compare under it (false once retired: every value moved on).
    live: bool,
}

#[derive(Clone)]
struct SigningVersion {
    key: DataKey,
    /// When this version was created (µs): it retires the one before it.
    created_at: i64,
}

/// A tenant's unwrapped keys, held in memory by the server.
#[derive(Clone)]
pub struct TenantKeys {
    tenant_id: String,
    /// Fingerprint key versions (at least version 1, kept even when retired:
    /// the legacy signing derivation uses it).
    fingerprint_keys: BTreeMap<i64, FingerprintVersion>,
    data_keys: BTreeMap<i64, DataKey>,
    signing: BTreeMap<String, BTreeMap<i64, SigningVersion>>,
    // Cached so `current_version` needs no fallible lookup.
    current: i64,
}

impl fmt::Debug for TenantKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantKeys")
            .field("tenant_id", &self.tenant_id)
            .field("versions", &self.data_keys.keys().collect::<Vec<_>>())
            .field(
                "fingerprint_versions",
                &self.fingerprint_keys.keys().collect::<Vec<_>>(),
            )
            .field(
                "signing",
                &self
                    .signing
                    .iter()
                    .map(|(p, v)| (p, v.keys().collect::<Vec<_>>()))
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// Splits "fv1.<version>.<body>" without decoding the body.
fn split_sealed(sealed: &str) -> Result<(i64, &str), VaultError> {
    split_format(sealed).map(|(_, v, b)| (v, b))
}

/// (row bound?, version, body) of an "fv1." or "fv2." value.
fn split_format(sealed: &str) -> Result<(bool, i64, &str), VaultError> {
    let (row_bound, rest) = match sealed.strip_prefix(SEAL_PREFIX) {
        Some(rest) => (false, rest),
        None => (
            true,
            sealed
                .strip_prefix(ROW_SEAL_PREFIX)
                .ok_or(VaultError::Malformed)?,
        ),
    };
    let (version_str, body) = rest.split_once('.').ok_or(VaultError::Malformed)?;
    let version: i64 = version_str.parse().map_err(|_| VaultError::Malformed)?;
    // The version is outside the AEAD's associated data, so only its canonical
    // spelling is accepted: otherwise "01" or "+1" would be alternative
    // encodings of the same sealed value and tampering would go unnoticed.
    if version.to_string() != version_str {
        return Err(VaultError::Malformed);
    }
    Ok((row_bound, version, body))
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

/// Adds key versions to `map`; each must be at least `min` and not there
/// yet (else `Malformed`): with two keys under one version, whichever lost
/// would leave its data unreadable.
fn insert_versions<V>(
    map: &mut BTreeMap<i64, V>,
    min: i64,
    versions: impl IntoIterator<Item = (i64, V)>,
) -> Result<(), VaultError> {
    for (version, v) in versions {
        if version < min || map.insert(version, v).is_some() {
            return Err(VaultError::Malformed);
        }
    }
    Ok(())
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
        insert_versions(&mut map, i64::MIN, data_keys)?;
        let current = *map.keys().next_back().ok_or(VaultError::Malformed)?;
        let mut fingerprint_keys = BTreeMap::new();
        fingerprint_keys.insert(
            1,
            FingerprintVersion {
                key: fingerprint_key,
                live: true,
            },
        );
        Ok(TenantKeys {
            tenant_id: tenant_id.to_owned(),
            fingerprint_keys,
            data_keys: map,
            signing: BTreeMap::new(),
            current,
        })
    }

    /// Replaces the fingerprint key versions: (version, key, live). Version
    /// 1 must be among them (the key `new` was given is dropped), versions
    /// must be ≥ 1 and distinct, and the newest must be live.
    pub fn with_fingerprint_keys(
        mut self,
        versions: Vec<(i64, DataKey, bool)>,
    ) -> Result<TenantKeys, VaultError> {
        let mut map = BTreeMap::new();
        let versions = versions
            .into_iter()
            .map(|(version, key, live)| (version, FingerprintVersion { key, live }));
        insert_versions(&mut map, 1, versions)?;
        if !map.contains_key(&1) || !map.values().next_back().is_some_and(|v| v.live) {
            return Err(VaultError::Malformed);
        }
        self.fingerprint_keys = map;
        Ok(self)
    }

    /// Adds the versions of a signing key (`JWT`, `URL`): (version, key,
    /// created at µs). Versions must be ≥ 1 (0 is the legacy derivation).
    pub fn with_signing_keys(
        mut self,
        purpose: &str,
        versions: Vec<(i64, DataKey, i64)>,
    ) -> Result<TenantKeys, VaultError> {
        let map = self.signing.entry(purpose.to_string()).or_default();
        let versions = versions
            .into_iter()
            .map(|(version, key, created_at)| (version, SigningVersion { key, created_at }));
        insert_versions(map, 1, versions)?;
        Ok(self)
    }

    /// The newest version of a signing key (0 when the tenant has none yet).
    pub fn signing_version(&self, purpose: &str) -> i64 {
        self.signing
            .get(purpose)
            .and_then(|m| m.keys().next_back().copied())
            .unwrap_or(0)
    }

    /// The versions of a signing key that still verify at `now` (µs): the
    /// newest, and each older one until `overlap` µs after the version that
    /// replaced it was created — long enough for what it signed to expire.
    pub fn live_signing_versions(&self, purpose: &str, now: i64, overlap: i64) -> Vec<i64> {
        let Some(map) = self.signing.get(purpose).filter(|m| !m.is_empty()) else {
            return vec![0];
        };
        let mut live = Vec::new();
        let mut replaced_at: Option<i64> = None;
        for (version, v) in map.iter().rev() {
            if replaced_at.is_none_or(|at| now < at.saturating_add(overlap)) {
                live.push(*version);
            }
            replaced_at = Some(v.created_at);
        }
        // The legacy derivation retires when version 1 arrives, like any other.
        if replaced_at.is_some_and(|at| now < at.saturating_add(overlap)) {
            live.push(0);
        }
        live
    }

    /// The raw key of a signing-key version (for HMAC-based JWTs), or None
    /// for a version the tenant does not have. Version 0 is the legacy
    /// derivation (the fingerprint of the tenant id under the domain
    /// `legacy_domain`), kept so tokens issued before the split verify.
    pub fn signing_key(
        &self,
        purpose: &str,
        version: i64,
        legacy_domain: &str,
    ) -> Option<Zeroizing<Vec<u8>>> {
        if version == 0 {
            if self.signing.get(purpose).is_some_and(|m| !m.is_empty()) {
                return None;
            }
            return Some(Zeroizing::new(
                self.legacy_fingerprint(legacy_domain, &self.tenant_id)
                    .into_bytes(),
            ));
        }
        self.signing
            .get(purpose)?
            .get(&version)
            .map(|v| Zeroizing::new(v.key.bytes().to_vec()))
    }

    /// HMAC-SHA256(version's key, domain + "\x00" + message), lowercase
    /// hex; None for an unknown version. Version 0 is the legacy form: the
    /// fingerprint of the message under `domain`.
    pub fn sign(&self, purpose: &str, version: i64, domain: &str, message: &str) -> Option<String> {
        if version == 0 {
            if self.signing.get(purpose).is_some_and(|m| !m.is_empty()) {
                return None;
            }
            return Some(self.legacy_fingerprint(domain, message));
        }
        let v = self.signing.get(purpose)?.get(&version)?;
        let mac = hmac_sha256(
            v.key.bytes(),
            &[domain.as_bytes(), b"\x00", message.as_bytes()],
        );
        Some(hex::encode(mac))
    }

    pub fn current_version(&self) -> i64 {
        self.current
    }

    fn aad(&self, table: &str, column: &str) -> String {
        format!("fundline:v1:{}:{}:{}", self.tenant_id, table, column)
    }

    fn row_aad(&self, table: &str, column: &str, row: &str) -> String {
        format!(
            "fundline:v2:{}:{}:{}:{}",
            self.tenant_id, table, column, row
        )
    }

    /// Like `seal`, bound to the row as well: associated data
    /// "fundline:v2:<tenant>:<table>:<column>:<row id>", output
    /// "fv2.<version>.<body>". A value copied into another row of the same
    /// column does not open.
    pub fn seal_row(&self, table: &str, column: &str, row: &str, plaintext: &[u8]) -> String {
        let key = &self.data_keys[&self.current];
        let data = aead::seal(
            key.bytes(),
            self.row_aad(table, column, row).as_bytes(),
            plaintext,
        );
        let mut out = format!("{ROW_SEAL_PREFIX}{}.", self.current);
        URL_SAFE_NO_PAD.encode_string(data, &mut out);
        out
    }

    /// Opens an "fv2." value sealed for this row, or an "fv1." value (no
    /// row binding; written before row binding existed).
    pub fn open_row(
        &self,
        table: &str,
        column: &str,
        row: &str,
        sealed: &str,
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let (row_bound, version, body) = split_format(sealed)?;
        let data = decode_body(body)?;
        let key = self
            .data_keys
            .get(&version)
            .ok_or(VaultError::UnknownKeyVersion(version))?;
        let aad = if row_bound {
            self.row_aad(table, column, row)
        } else {
            self.aad(table, column)
        };
        aead::open(key.bytes(), aad.as_bytes(), &data)
    }

    /// `open_row` for values sealed from strings.
    pub fn open_string_row(
        &self,
        table: &str,
        column: &str,
        row: &str,
        sealed: &str,
    ) -> Result<SecretString, VaultError> {
        let mut plain = self.open_row(table, column, row, sealed)?;
        match String::from_utf8(std::mem::take(&mut *plain)) {
            Ok(s) => Ok(SecretString::from(s)),
            Err(e) => {
                drop(Zeroizing::new(e.into_bytes()));
                Err(VaultError::Malformed)
            }
        }
    }

    /// Whether a value is row-bound ("fv2.") and on the newest data key.
    pub fn is_current(&self, sealed: &str) -> bool {
        matches!(split_format(sealed), Ok((true, v, _)) if v == self.current)
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
        let (row_bound, version, body) = split_format(sealed)?;
        // A row-bound value opens only through `open_row`.
        if row_bound {
            return Err(VaultError::Decrypt);
        }
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

    /// The fingerprint of `normalized` under the newest fingerprint key:
    /// HMAC-SHA256(key, domain + "\x00" + normalized), lowercase hex, named
    /// with its version (see `FP_PREFIX`). The NUL separator keeps ("ab",
    /// "c") and ("a", "bc") apart; a per-tenant key means equal values in two
    /// tenants are unlinkable. Written into fingerprint columns.
    pub fn fingerprint(&self, domain: &str, normalized: &str) -> String {
        let version = self.fingerprint_version();
        self.fingerprint_at(version, domain, normalized)
            .unwrap_or_default()
    }

    /// The fingerprint under one key version (live or retired), or None
    /// for a version the tenant does not have.
    pub fn fingerprint_at(&self, version: i64, domain: &str, normalized: &str) -> Option<String> {
        let v = self.fingerprint_keys.get(&version)?;
        let mac = hmac_sha256(
            v.key.bytes(),
            &[domain.as_bytes(), b"\x00", normalized.as_bytes()],
        );
        let hex = hex::encode(mac);
        Some(if version == 1 {
            hex
        } else {
            format!("{FP_PREFIX}{version}.{hex}")
        })
    }

    /// The fingerprints to look a value up by: one per live key version,
    /// newest first. While a re-fingerprint pass runs, rows carry either.
    pub fn fingerprints(&self, domain: &str, normalized: &str) -> Vec<String> {
        self.live_fingerprint_versions()
            .into_iter()
            .filter_map(|v| self.fingerprint_at(v, domain, normalized))
            .collect()
    }

    /// Whether a stored fingerprint is the one of `normalized`, compared
    /// under the stored value's own version (which must be live), in
    /// constant time.
    pub fn fingerprint_matches(&self, stored: &str, domain: &str, normalized: &str) -> bool {
        let Some(version) = fingerprint_version_of(stored) else {
            return false;
        };
        if !self.fingerprint_keys.get(&version).is_some_and(|v| v.live) {
            return false;
        }
        self.fingerprint_at(version, domain, normalized)
            .is_some_and(|fp| crate::ct_eq(&fp, stored))
    }

    /// The newest fingerprint key version (what new values are written with).
    pub fn fingerprint_version(&self) -> i64 {
        self.fingerprint_keys
            .keys()
            .next_back()
            .copied()
            .unwrap_or(1)
    }

    /// The fingerprint key versions lookups compare under, newest first.
    pub fn live_fingerprint_versions(&self) -> Vec<i64> {
        self.fingerprint_keys
            .iter()
            .rev()
            .filter(|(_, v)| v.live)
            .map(|(version, _)| *version)
            .collect()
    }

    /// The legacy signing derivation (signing-key version 0): always the
    /// first fingerprint key, bare hex, so tokens and URLs signed before the
    /// signing keys existed verify whatever the fingerprint key's rotations.
    fn legacy_fingerprint(&self, domain: &str, message: &str) -> String {
        let Some(first) = self.fingerprint_keys.values().next() else {
            return String::new();
        };
        let mac = hmac_sha256(
            first.key.bytes(),
            &[domain.as_bytes(), b"\x00", message.as_bytes()],
        );
        hex::encode(mac)
    }
}

/// The key version a stored fingerprint was computed with (1 for bare hex,
/// N for "fp<N>.<hex>"), or None for anything else (an empty value, a
/// damaged one, a non-canonical version number).
pub fn fingerprint_version_of(stored: &str) -> Option<i64> {
    let is_hex = |h: &str| {
        h.len() == 64
            && h.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    };
    if is_hex(stored) {
        return Some(1);
    }
    let (version, hex) = stored.strip_prefix(FP_PREFIX)?.split_once('.')?;
    let v: i64 = version.parse().ok()?;
    (v >= 2 && v.to_string() == version && is_hex(hex)).then_some(v)
}

/// The hex digits of a stored fingerprint, without its version (for
/// identifiers derived from it).
pub fn fingerprint_hex(stored: &str) -> &str {
    match stored
        .strip_prefix(FP_PREFIX)
        .and_then(|r| r.split_once('.'))
    {
        Some((_, hex)) => hex,
        None => stored,
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
            "fv3.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
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
    fn fingerprint_versions_rotate_and_lookups_try_every_live_one() {
        let (tk, _) = one("t1");
        let v1 = tk.fingerprint("ssn", "123456789");
        assert_eq!(fingerprint_version_of(&v1), Some(1));
        assert_eq!(tk.fingerprints("ssn", "123456789"), vec![v1.clone()]);
        let k1 = DataKey::from_bytes([7u8; 32]);
        let k2 = DataKey::generate();
        let rotated = tk
            .clone()
            .with_fingerprint_keys(vec![(1, k1.clone(), true), (2, k2.clone(), true)])
            .unwrap();
        let v2 = rotated.fingerprint("ssn", "123456789");
        assert!(v2.starts_with("fp2."), "{v2}");
        assert_eq!(fingerprint_version_of(&v2), Some(2));
        assert_eq!(fingerprint_hex(&v2).len(), 64);
        assert_eq!(fingerprint_hex(&v1), v1);
        assert_ne!(fingerprint_hex(&v2), v1);
        // Version 1 under the rotated keys is the value written before.
        assert_eq!(rotated.fingerprint_at(1, "ssn", "123456789").unwrap(), v1);
        assert_eq!(
            rotated.fingerprints("ssn", "123456789"),
            vec![v2.clone(), v1.clone()]
        );
        assert!(rotated.fingerprint_matches(&v1, "ssn", "123456789"));
        assert!(rotated.fingerprint_matches(&v2, "ssn", "123456789"));
        assert!(!rotated.fingerprint_matches(&v2, "ssn", "123456780"));
        // Retired: lookups use the newest only; the legacy signing
        // derivation keeps the first key.
        let retired = tk
            .with_fingerprint_keys(vec![(1, k1, false), (2, k2, true)])
            .unwrap();
        assert_eq!(retired.fingerprints("ssn", "123456789"), vec![v2.clone()]);
        assert!(!retired.fingerprint_matches(&v1, "ssn", "123456789"));
        assert_eq!(retired.live_fingerprint_versions(), vec![2]);
        assert_eq!(
            retired.sign(URL, 0, "session-url", "m").unwrap(),
            rotated.fingerprint_at(1, "session-url", "m").unwrap()
        );
        for bad in [
            "",
            "fp1.00",
            "fp02.aa",
            &format!("fp02.{}", "a".repeat(64)),
            &format!("fp1.{}", "a".repeat(64)),
            &format!("fp2.{}", "A".repeat(64)),
            &"a".repeat(63),
        ] {
            assert_eq!(fingerprint_version_of(bad), None, "{bad}");
        }
        // Version 1 must stay; the newest must be live.
        let (tk, _) = one("t1");
        assert!(tk
            .clone()
            .with_fingerprint_keys(vec![(2, DataKey::generate(), true)])
            .is_err());
        assert!(tk
            .with_fingerprint_keys(vec![
                (1, DataKey::generate(), true),
                (2, DataKey::generate(), false)
            ])
            .is_err());
    }

    #[test]
    fn row_bound_values_open_only_in_their_row() {
        let (tk, _) = one("t1");
        let sealed = tk.seal_row("cards", "pan", "row-1", b"4111111111111111");
        assert!(sealed.starts_with("fv2.1."));
        assert!(tk.is_current(&sealed));
        assert_eq!(
            tk.open_row("cards", "pan", "row-1", &sealed)
                .unwrap()
                .as_slice(),
            b"4111111111111111"
        );
        assert!(tk.open_row("cards", "pan", "row-2", &sealed).is_err());
        assert!(tk.open_row("cards", "token", "row-1", &sealed).is_err());
        assert!(tk.open("cards", "pan", &sealed).is_err());
        // fv1 values still open through open_row, whatever the row.
        let old = tk.seal("cards", "pan", b"x");
        assert!(!tk.is_current(&old));
        assert_eq!(
            tk.open_row("cards", "pan", "any", &old).unwrap().as_slice(),
            b"x"
        );
        assert_eq!(TenantKeys::sealed_version(&sealed).unwrap(), 1);
    }

    #[test]
    fn signing_keys_are_versioned_and_retire_after_the_overlap() {
        let (tk, _) = one("t1");
        // No signing keys yet: the legacy derivation from the fingerprint key.
        assert_eq!(tk.signing_version(JWT), 0);
        assert_eq!(tk.live_signing_versions(JWT, 0, 10), vec![0]);
        let legacy = tk.signing_key(JWT, 0, "staff-jwt-v1").unwrap();
        assert_eq!(
            legacy.as_slice(),
            tk.fingerprint("staff-jwt-v1", "t1").as_bytes()
        );
        assert_eq!(
            tk.sign(URL, 0, "session-url", "m").unwrap(),
            tk.fingerprint("session-url", "m")
        );
        let k1 = DataKey::generate();
        let k2 = DataKey::generate();
        let tk = tk
            .with_signing_keys(JWT, vec![(1, k1, 1_000), (2, k2, 5_000)])
            .unwrap();
        assert_eq!(tk.signing_version(JWT), 2);
        // v1 was replaced at 5000: live until 5000 + overlap.
        assert_eq!(tk.live_signing_versions(JWT, 5_500, 1_000), vec![2, 1]);
        assert_eq!(tk.live_signing_versions(JWT, 6_000, 1_000), vec![2]);
        // The legacy key retired when v1 came.
        assert!(tk.signing_key(JWT, 0, "staff-jwt-v1").is_none());
        assert_ne!(
            tk.signing_key(JWT, 1, "x").unwrap().as_slice(),
            tk.signing_key(JWT, 2, "x").unwrap().as_slice()
        );
        assert!(tk.signing_key(JWT, 3, "x").is_none());
        assert_ne!(tk.sign(JWT, 1, "d", "m"), tk.sign(JWT, 2, "d", "m"));
        assert!(tk.sign(URL, 1, "d", "m").is_none());
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
