/// Errors are deliberately coarse: telling a caller *why* a decryption failed
/// (bad tag vs. wrong key vs. wrong context) would only help an attacker.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("invalid key encoding")]
    KeyEncoding,
    #[error("sealed value is malformed")]
    Malformed,
    #[error("unknown data key version {0}")]
    UnknownKeyVersion(i64),
    #[error("decryption failed (wrong key or tampered data)")]
    Decrypt,
}
