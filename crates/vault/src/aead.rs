//! Thin layer over `aes-gcm` so every caller uses the same nonce handling and
//! byte layout: `nonce || ciphertext || tag`.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::VaultError;

pub(crate) const NONCE_LEN: usize = 12;
pub(crate) const TAG_LEN: usize = 16;

pub(crate) fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    // Random 96-bit nonces: with per-tenant keys and realistic volumes the
    // birthday bound (~2^32 seals per key) is far away, and data keys rotate.
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let ciphertext = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        // aes-gcm only refuses plaintexts over ~64 GiB, which cannot reach a
        // vault seal (request bodies are limited long before that).
        .expect("AES-GCM plaintext exceeds 64 GiB");
    let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    out
}

pub(crate) fn open(
    key: &[u8; 32],
    aad: &[u8],
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    if data.len() < NONCE_LEN + TAG_LEN {
        return Err(VaultError::Malformed);
    }
    let (nonce, ciphertext) = data.split_at(NONCE_LEN);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| VaultError::Decrypt)
}
