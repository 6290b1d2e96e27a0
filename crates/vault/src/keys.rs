use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{aead, VaultError};

pub(crate) const KEY_LEN: usize = 32;
const WRAP_PREFIX: &str = "wk1.";
const WRAPPED_LEN: usize = aead::NONCE_LEN + KEY_LEN + aead::TAG_LEN;
const CHECK_LABEL: &[u8] = b"fundline master key check v1";
const SHARE_PREFIX: &str = "fks1.";

fn random_key() -> [u8; KEY_LEN] {
    let mut bytes = [0u8; KEY_LEN];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so construction cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The root key; only ever used to wrap data keys and derive the check value.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct MasterKey {
    bytes: [u8; KEY_LEN],
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(**)")
    }
}

impl MasterKey {
    pub fn generate() -> MasterKey {
        MasterKey {
            bytes: random_key(),
        }
    }

    /// Standard base64 that must decode to exactly 32 bytes. Surrounding
    /// whitespace is tolerated because keys usually arrive via env vars or
    /// files with a trailing newline.
    pub fn from_base64(s: &str) -> Result<MasterKey, VaultError> {
        let decoded = Zeroizing::new(
            STANDARD
                .decode(s.trim())
                .map_err(|_| VaultError::KeyEncoding)?,
        );
        let bytes: [u8; KEY_LEN] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::KeyEncoding)?;
        Ok(MasterKey { bytes })
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.bytes)
    }

    /// HMAC-SHA256(master, "fundline master key check v1"), first 16 bytes,
    /// lowercase hex. Safe to store: it reveals nothing about the key.
    pub fn check_value(&self) -> String {
        let mac = hmac_sha256(&self.bytes, &[CHECK_LABEL]);
        hex::encode(&mac[..16])
    }

    /// Wraps a data key with AES-256-GCM under the master key, aad = the
    /// given context (e.g. "tenant:<id>:dek:<version>").
    /// Output: "wk1.<base64(nonce||ciphertext||tag)>".
    pub fn wrap(&self, key: &DataKey, aad: &str) -> String {
        let sealed = aead::seal(&self.bytes, aad.as_bytes(), key.bytes());
        let mut out = String::from(WRAP_PREFIX);
        STANDARD.encode_string(sealed, &mut out);
        out
    }

    /// Splits the key into `n` (2..=16) shares for split knowledge: n-1
    /// uniformly random 32-byte values and one that XORs with them to the
    /// key. Every share alone (or any n-1 of them) is uniformly random and
    /// says nothing about the key; all n together give it back. Each share
    /// is `fks1.<split id>.<index>.<count>.<base64>`; the split id keeps
    /// shares of two different splits from being combined by mistake.
    pub fn split(&self, n: usize) -> Result<Vec<String>, VaultError> {
        if !(2..=16).contains(&n) {
            return Err(VaultError::KeyEncoding);
        }
        let mut split_id = [0u8; 8];
        OsRng.fill_bytes(&mut split_id);
        let split_id = hex::encode(split_id);
        let mut last = Zeroizing::new(self.bytes);
        let mut out = Vec::with_capacity(n);
        for i in 1..n {
            let share = Zeroizing::new(random_key());
            for (l, s) in last.iter_mut().zip(share.iter()) {
                *l ^= s;
            }
            out.push(format!(
                "{SHARE_PREFIX}{split_id}.{i}.{n}.{}",
                STANDARD.encode(*share)
            ));
        }
        out.push(format!(
            "{SHARE_PREFIX}{split_id}.{n}.{n}.{}",
            STANDARD.encode(*last)
        ));
        Ok(out)
    }

    /// Combines the shares `split` made: all of them, each once, from one
    /// split (any order). Anything else is `KeyEncoding`.
    pub fn combine(shares: &[&str]) -> Result<MasterKey, VaultError> {
        let mut seen: Option<(String, usize)> = None;
        let mut indices = Vec::new();
        let mut bytes = [0u8; KEY_LEN];
        for share in shares {
            let body = share
                .trim()
                .strip_prefix(SHARE_PREFIX)
                .ok_or(VaultError::KeyEncoding)?;
            let mut parts = body.splitn(4, '.');
            let (Some(id), Some(index), Some(count), Some(b64)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(VaultError::KeyEncoding);
            };
            let index: usize = index.parse().map_err(|_| VaultError::KeyEncoding)?;
            let count: usize = count.parse().map_err(|_| VaultError::KeyEncoding)?;
            match &seen {
                None => seen = Some((id.to_string(), count)),
                Some((sid, c)) if sid == id && *c == count => {}
                Some(_) => return Err(VaultError::KeyEncoding),
            }
            if index == 0 || index > count || indices.contains(&index) {
                return Err(VaultError::KeyEncoding);
            }
            indices.push(index);
            let decoded =
                Zeroizing::new(STANDARD.decode(b64).map_err(|_| VaultError::KeyEncoding)?);
            if decoded.len() != KEY_LEN {
                return Err(VaultError::KeyEncoding);
            }
            for (b, d) in bytes.iter_mut().zip(decoded.iter()) {
                *b ^= d;
            }
        }
        match seen {
            Some((_, count)) if count >= 2 && indices.len() == count => Ok(MasterKey { bytes }),
            _ => {
                bytes.zeroize();
                Err(VaultError::KeyEncoding)
            }
        }
    }

    pub fn unwrap(&self, wrapped: &str, aad: &str) -> Result<DataKey, VaultError> {
        let body = wrapped
            .strip_prefix(WRAP_PREFIX)
            .ok_or(VaultError::Malformed)?;
        let data = STANDARD.decode(body).map_err(|_| VaultError::Malformed)?;
        // A wrapped key has a fixed size; rejecting anything else early keeps
        // structurally wrong input distinct from a failed authentication.
        if data.len() != WRAPPED_LEN {
            return Err(VaultError::Malformed);
        }
        let plain = aead::open(&self.bytes, aad.as_bytes(), &data)?;
        let bytes: [u8; KEY_LEN] = plain
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::Malformed)?;
        Ok(DataKey { bytes })
    }
}

/// A per-tenant key: either a data-encryption key or the fingerprint key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey {
    bytes: [u8; KEY_LEN],
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(**)")
    }
}

impl DataKey {
    pub fn generate() -> DataKey {
        DataKey {
            bytes: random_key(),
        }
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }

    #[cfg(test)]
    pub(crate) fn from_bytes(bytes: [u8; KEY_LEN]) -> DataKey {
        DataKey { bytes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_key_base64_round_trip() {
        let k = MasterKey::generate();
        let s = k.to_base64();
        let k2 = MasterKey::from_base64(&format!("  {s}\n")).unwrap();
        assert_eq!(k.bytes, k2.bytes);
    }

    #[test]
    fn master_key_rejects_bad_base64_and_lengths() {
        for bad in [
            "",
            "   ",
            "not base64!!",
            &STANDARD.encode([0u8; 31]),
            &STANDARD.encode([0u8; 33]),
            &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xffu8; 32]),
        ] {
            assert!(
                matches!(MasterKey::from_base64(bad), Err(VaultError::KeyEncoding)),
                "accepted {bad:?}"
            );
        }
    }

    #[test]
    fn wrap_unwrap_round_trip() {
        let mk = MasterKey::generate();
        let dk = DataKey::generate();
        let wrapped = mk.wrap(&dk, "tenant:t1:dek:1");
        assert!(wrapped.starts_with("wk1."));
        let back = mk.unwrap(&wrapped, "tenant:t1:dek:1").unwrap();
        assert_eq!(back.bytes, dk.bytes);
        // Fresh nonce each time.
        assert_ne!(wrapped, mk.wrap(&dk, "tenant:t1:dek:1"));
    }

    #[test]
    fn unwrap_with_wrong_master_or_aad_fails() {
        let mk = MasterKey::generate();
        let other = MasterKey::generate();
        let dk = DataKey::generate();
        let wrapped = mk.wrap(&dk, "tenant:t1:dek:1");
        assert!(matches!(
            other.unwrap(&wrapped, "tenant:t1:dek:1"),
            Err(VaultError::Decrypt)
        ));
        assert!(matches!(
            mk.unwrap(&wrapped, "tenant:t1:dek:2"),
            Err(VaultError::Decrypt)
        ));
        assert!(matches!(
            mk.unwrap(&wrapped, "tenant:t2:dek:1"),
            Err(VaultError::Decrypt)
        ));
    }

    #[test]
    fn unwrap_malformed_inputs() {
        let mk = MasterKey::generate();
        let good = mk.wrap(&DataKey::generate(), "a");
        let body = good.strip_prefix("wk1.").unwrap();
        for bad in [
            String::new(),
            "wk1.".to_string(),
            "wk2.".to_string() + body,
            body.to_string(),
            "wk1.%%%".to_string(),
            format!("wk1.{}", STANDARD.encode([0u8; 10])),
            format!("wk1.{}", STANDARD.encode([0u8; 61])),
            format!("wk1.{}", "A".repeat(1 << 20)),
        ] {
            assert!(
                matches!(mk.unwrap(&bad, "a"), Err(VaultError::Malformed)),
                "accepted {:?}",
                &bad[..bad.len().min(40)]
            );
        }
    }

    #[test]
    fn unwrap_detects_tampering() {
        let mk = MasterKey::generate();
        let wrapped = mk.wrap(&DataKey::generate(), "ctx");
        let bytes = wrapped.as_bytes();
        for i in 0..bytes.len() {
            for repl in [b'A', b'z', b'0', b'+', b'/', b'=', b'.', b'\0'] {
                if bytes[i] == repl {
                    continue;
                }
                let mut t = bytes.to_vec();
                t[i] = repl;
                let t = String::from_utf8(t).unwrap();
                assert!(mk.unwrap(&t, "ctx").is_err(), "tamper at {i} accepted");
            }
        }
    }

    #[test]
    fn shares_combine_only_when_all_are_present() {
        let k = MasterKey::generate();
        let shares = k.split(3).unwrap();
        assert_eq!(shares.len(), 3);
        let refs: Vec<&str> = shares.iter().map(String::as_str).collect();
        let back = MasterKey::combine(&refs).unwrap();
        assert_eq!(back.bytes, k.bytes);
        let rev: Vec<&str> = refs.iter().rev().copied().collect();
        assert_eq!(MasterKey::combine(&rev).unwrap().bytes, k.bytes);
        // Missing, repeated, foreign or damaged shares are refused.
        assert!(MasterKey::combine(&refs[..2]).is_err());
        assert!(MasterKey::combine(&[refs[0], refs[0], refs[1]]).is_err());
        assert!(MasterKey::combine(&[]).is_err());
        let other = k.split(3).unwrap();
        assert!(MasterKey::combine(&[refs[0], refs[1], &other[2]]).is_err());
        assert!(MasterKey::combine(&[refs[0], refs[1], "fks1.x.3.3.AAAA"]).is_err());
        assert!(k.split(1).is_err());
        // No single share is the key.
        for s in &shares {
            assert!(!s.contains(&k.to_base64()));
        }
    }

    #[test]
    fn check_value_stable_and_key_specific() {
        let a = MasterKey::generate();
        let a2 = MasterKey::from_base64(&a.to_base64()).unwrap();
        let b = MasterKey::generate();
        let cv = a.check_value();
        assert_eq!(cv.len(), 32);
        assert!(cv
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_eq!(cv, a.check_value());
        assert_eq!(cv, a2.check_value());
        assert_ne!(cv, b.check_value());
    }

    #[test]
    fn check_value_matches_known_vector() {
        // Pins the derivation (computed independently with Python's hmac) so a
        // refactor can't silently lock every deployment out of its own key.
        let k = MasterKey::from_base64(&STANDARD.encode([0u8; 32])).unwrap();
        assert_eq!(k.check_value(), "8ca5d8c453d0a37d88147de35e6633ce");
    }

    #[test]
    fn debug_never_shows_key_material() {
        let mk = MasterKey::generate();
        let dk = DataKey::generate();
        let mdbg = format!("{mk:?}");
        let ddbg = format!("{dk:?}");
        assert_eq!(mdbg, "MasterKey(**)");
        assert_eq!(ddbg, "DataKey(**)");
        let mb64 = mk.to_base64();
        assert!(!mdbg.contains(&mb64));
        assert!(!mdbg.contains(&hex::encode(&mk.bytes)));
        assert!(!ddbg.contains(&hex::encode(&dk.bytes)));
        assert!(!format!("{mk:#?}").contains(&mb64));
    }
}
