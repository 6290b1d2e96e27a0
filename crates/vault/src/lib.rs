//! Envelope-encryption vault for Fundline.
//!
//! A master key wraps per-tenant data keys; sensitive values are sealed with
//! AES-256-GCM bound (via associated data) to their tenant, table and column.
//! Everything here is pure and in-memory: persisting wrapped keys and sealed
//! strings is the storage crate's job.

mod aead;
mod error;
mod keys;
mod password;
mod secret;
mod tenant;
mod token;

pub use error::VaultError;
pub use keys::{DataKey, MasterKey};
pub use password::{
    dummy_password_hash, hash_password, is_common_password, password_problem, verify_password,
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
};
pub use secrecy::ExposeSecret;
pub use secret::{mask_keep_last, SecretString};
pub use tenant::{fingerprint_hex, fingerprint_version_of, TenantKeys, JWT, URL};
pub use token::{ct_eq, hash_token, random_token};

#[cfg(test)]
mod api_shape {
    //! Other crates are written against these exact signatures; pinning them
    //! as function pointers turns an accidental change into a compile error.
    use super::*;
    use zeroize::Zeroizing;

    // Spelling the full types out is the point of this test.
    #[allow(clippy::type_complexity)]
    #[test]
    fn public_signatures_are_stable() {
        let _: fn() -> MasterKey = MasterKey::generate;
        let _: fn(&str) -> Result<MasterKey, VaultError> = MasterKey::from_base64;
        let _: fn(&MasterKey) -> String = MasterKey::to_base64;
        let _: fn(&MasterKey) -> String = MasterKey::check_value;
        let _: fn(&MasterKey, &DataKey, &str) -> String = MasterKey::wrap;
        let _: fn(&MasterKey, &str, &str) -> Result<DataKey, VaultError> = MasterKey::unwrap;
        let _: fn() -> DataKey = DataKey::generate;
        let _: fn(&str, DataKey, Vec<(i64, DataKey)>) -> Result<TenantKeys, VaultError> =
            TenantKeys::new;
        let _: fn(&TenantKeys) -> i64 = TenantKeys::current_version;
        let _: fn(&TenantKeys, &str, &str, &[u8]) -> String = TenantKeys::seal;
        let _: fn(&TenantKeys, &str, &str, &str) -> String = TenantKeys::seal_str;
        let _: fn(&TenantKeys, &str, &str, &str) -> Result<Zeroizing<Vec<u8>>, VaultError> =
            TenantKeys::open;
        let _: fn(&TenantKeys, &str, &str, &str) -> Result<SecretString, VaultError> =
            TenantKeys::open_string;
        let _: fn(&str) -> Result<i64, VaultError> = TenantKeys::sealed_version;
        let _: fn(&TenantKeys, &str, &str) -> String = TenantKeys::fingerprint;
        let _: fn(String) -> SecretString = |s| SecretString::new(s);
        let _ = SecretString::new("literal");
        let _: fn(&SecretString) -> &str = SecretString::expose;
        let _: fn(String) -> SecretString = SecretString::from;
        let _: fn(&str, usize) -> String = mask_keep_last;
        let _: fn(usize) -> String = random_token;
        let _: fn(&str) -> String = hash_token;
        let _: fn(&str, &str) -> bool = ct_eq;
        let _: fn(&str) -> String = hash_password;
        let _: fn(&str, &str) -> bool = verify_password;
        let _: fn() -> &'static str = dummy_password_hash;

        fn clone_send_sync<T: Clone + Send + Sync + 'static>() {}
        clone_send_sync::<DataKey>();
        clone_send_sync::<TenantKeys>();
        clone_send_sync::<SecretString>();
        fn error<E: std::error::Error + Send + Sync + 'static>() {}
        error::<VaultError>();
        assert_eq!(
            VaultError::UnknownKeyVersion(7).to_string(),
            "unknown data key version 7"
        );
    }
}
