//! Persistence and caching of the vault's keys: the master key check value
//! and every tenant's wrapped data keys.

use std::sync::Arc;
use std::time::Duration;

use crate::Conn;
use fundline_vault::{DataKey, MasterKey, SecretString, TenantKeys, VaultError};

use crate::{now_micros, params, query, Store, StoreError};

/// `tenant_keys.purpose` values: the fingerprint key, data keys, the staff
/// JWT signing key and the capture-URL signing key.
pub const FP: &str = "fp";
pub const DEK: &str = "dek";
pub use fundline_vault::{JWT, URL};

/// The key kinds `admin keys rotate --key` accepts.
pub const ROTATABLE: &[&str] = &[DEK, FP, JWT, URL];

/// How long a node trusts its cached keys before looking for a newer data
/// key version (written by `admin keys rotate` in another process).
pub const CACHE_TTL: Duration = Duration::from_secs(5);

pub struct Keyring {
    master: MasterKey,
    /// Tenants' keys for `CACHE_TTL`, by tenant id.
    cache: moka::sync::Cache<String, Arc<TenantKeys>>,
}

/// Tenants whose keys a node keeps at once (the least used go first).
const CACHE_MAX: u64 = 100_000;

fn wrap_aad(tenant_id: &str, purpose: &str, version: i64) -> String {
    format!("tenant:{tenant_id}:{purpose}:{version}")
}

impl Keyring {
    /// Checks the master key against the store's check value (writing it on
    /// a fresh store) and refuses a different key.
    pub async fn open(store: &Store, master: MasterKey) -> Result<Keyring, StoreError> {
        let kcv = master.check_value();
        const CHECK_VALUE: &str = "SELECT check_value FROM vault_meta WHERE id = 1";
        let existing: Option<String> = store.fetch_optional_scalar(CHECK_VALUE, params![]).await?;
        let stored = match existing {
            Some(v) => v,
            None => {
                let inserted = store
                    .execute(
                        "INSERT INTO vault_meta (id, check_value, created_at) VALUES (1, $1, $2)",
                        params![&kcv, now_micros()],
                    )
                    .await;
                match inserted {
                    Ok(_) => kcv.clone(),
                    // Another node initialised the store first: compare with its value.
                    Err(e) if e.is_unique("vault_meta_pkey") => {
                        store.fetch_scalar(CHECK_VALUE, params![]).await?
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        if !fundline_vault::ct_eq(&stored, &kcv) {
            return Err(StoreError::Config(format!(
                "the master key does not match the one this store was written with \
                 (key check value {kcv}, store expects {stored}); give the original key \
                 (FUNDLINE_MASTER_KEY, FUNDLINE_MASTER_KEY_FILE, FUNDLINE_MASTER_KEY_SHARES \
                 or the data directory's master.key)"
            )));
        }
        Ok(Keyring {
            master,
            cache: moka::sync::Cache::builder()
                .time_to_live(CACHE_TTL)
                .max_capacity(CACHE_MAX)
                .build(),
        })
    }

    /// The tenant's keys, from cache or the store.
    pub async fn tenant(
        &self,
        store: &Store,
        tenant_id: &str,
    ) -> Result<Arc<TenantKeys>, StoreError> {
        if let Some(keys) = self.cache.get(tenant_id) {
            return Ok(keys);
        }
        self.reload(store, tenant_id).await
    }

    /// The tenant's keys read from the store now, bypassing the cache (for
    /// admin passes that must see a rotation made a moment ago).
    pub async fn fresh(
        &self,
        store: &Store,
        tenant_id: &str,
    ) -> Result<Arc<TenantKeys>, StoreError> {
        self.reload(store, tenant_id).await
    }

    async fn reload(&self, store: &Store, tenant_id: &str) -> Result<Arc<TenantKeys>, StoreError> {
        let rows: Vec<(String, i64, String, i64, Option<i64>)> = store
            .fetch_all(
                "SELECT purpose, version, wrapped, created_at, retired_at FROM tenant_keys WHERE tenant_id = $1",
                params![tenant_id],
            )
            .await?;
        let mut fps = Vec::new();
        let mut deks = Vec::new();
        let mut jwt = Vec::new();
        let mut url = Vec::new();
        for (purpose, version, wrapped, created_at, retired_at) in rows {
            let key = self
                .master
                .unwrap(&wrapped, &wrap_aad(tenant_id, &purpose, version))
                .map_err(vault_err)?;
            match purpose.as_str() {
                FP => fps.push((version, key, retired_at.is_none())),
                DEK => deks.push((version, key)),
                JWT => jwt.push((version, key, created_at)),
                URL => url.push((version, key, created_at)),
                // A purpose a newer release added: not ours to use.
                _ => {}
            }
        }
        let first = fps
            .iter()
            .find(|(v, _, _)| *v == 1)
            .map(|(_, k, _)| k.clone())
            .ok_or_else(|| StoreError::Vault(format!("tenant {tenant_id} has no keys")))?;
        let keys = Arc::new(
            TenantKeys::new(tenant_id, first, deks)
                .and_then(|k| k.with_fingerprint_keys(fps))
                .and_then(|k| k.with_signing_keys(JWT, jwt))
                .and_then(|k| k.with_signing_keys(URL, url))
                .map_err(vault_err)?,
        );
        self.cache.insert(tenant_id.to_string(), keys.clone());
        Ok(keys)
    }

    /// Opens a sealed value; on a key version this node has not seen yet
    /// (rotated by another process), reloads once and retries.
    pub async fn open_string(
        &self,
        store: &Store,
        tenant_id: &str,
        table: &str,
        column: &str,
        sealed: &str,
    ) -> Result<SecretString, StoreError> {
        self.open_with(store, tenant_id, |keys| {
            keys.open_string(table, column, sealed)
        })
        .await
    }

    /// Opens a value of a row-bound column (`open_row`), reloading once on
    /// a key version this node has not seen yet.
    pub async fn open_string_row(
        &self,
        store: &Store,
        tenant_id: &str,
        table: &str,
        column: &str,
        row: &str,
        sealed: &str,
    ) -> Result<SecretString, StoreError> {
        self.open_with(store, tenant_id, |keys| {
            keys.open_string_row(table, column, row, sealed)
        })
        .await
    }

    /// `open` under the tenant's keys; on a key version this node has not
    /// seen yet (rotated by another process), reloads them once and retries.
    async fn open_with(
        &self,
        store: &Store,
        tenant_id: &str,
        open: impl Fn(&TenantKeys) -> Result<SecretString, VaultError>,
    ) -> Result<SecretString, StoreError> {
        let keys = self.tenant(store, tenant_id).await?;
        match open(&keys) {
            Err(VaultError::UnknownKeyVersion(_)) => {
                open(&*self.reload(store, tenant_id).await?).map_err(vault_err)
            }
            other => other.map_err(vault_err),
        }
    }

    /// Fresh keys for a new tenant: the keys themselves (to seal the
    /// tenant's first secrets before its rows exist) and their wrapped rows.
    pub fn new_tenant_keys(
        &self,
        tenant_id: &str,
    ) -> Result<(TenantKeys, Vec<WrappedKey>), StoreError> {
        let fp = DataKey::generate();
        let dek = DataKey::generate();
        let jwt = DataKey::generate();
        let url = DataKey::generate();
        let rows = vec![
            WrappedKey {
                purpose: JWT,
                version: 1,
                wrapped: self.master.wrap(&jwt, &wrap_aad(tenant_id, JWT, 1)),
            },
            WrappedKey {
                purpose: URL,
                version: 1,
                wrapped: self.master.wrap(&url, &wrap_aad(tenant_id, URL, 1)),
            },
            WrappedKey {
                purpose: "fp",
                version: 1,
                wrapped: self.master.wrap(&fp, &wrap_aad(tenant_id, "fp", 1)),
            },
            WrappedKey {
                purpose: "dek",
                version: 1,
                wrapped: self.master.wrap(&dek, &wrap_aad(tenant_id, "dek", 1)),
            },
        ];
        let now = now_micros();
        let keys = TenantKeys::new(tenant_id, fp, vec![(1, dek)])
            .and_then(|k| k.with_signing_keys(JWT, vec![(1, jwt, now)]))
            .and_then(|k| k.with_signing_keys(URL, vec![(1, url, now)]))
            .map_err(vault_err)?;
        Ok((keys, rows))
    }

    pub fn master(&self) -> &MasterKey {
        &self.master
    }
}

#[derive(Clone)]
pub struct WrappedKey {
    pub purpose: &'static str,
    pub version: i64,
    pub wrapped: String,
}

pub(crate) async fn insert_key(
    conn: &mut Conn,
    tenant_id: &str,
    purpose: &str,
    version: i64,
    wrapped: &str,
) -> Result<(), StoreError> {
    query::execute(
        conn,
        "INSERT INTO tenant_keys (tenant_id, purpose, version, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)",
        params![tenant_id, purpose, version, wrapped, now_micros()],
    )
    .await?;
    Ok(())
}

/// Adds a new data key version for every tenant. Old versions stay, so data
/// sealed before stays readable; new seals use the new version.
/// Returns (tenant id, new version) pairs.
pub async fn rotate_data_keys(
    store: &Store,
    master: &MasterKey,
) -> Result<Vec<(String, i64)>, StoreError> {
    rotate_keys(store, master, DEK).await
}

/// Adds a new version of one kind of key (`DEK`, `FP`, `JWT`, `URL`) for
/// every tenant; returns (tenant id, new version) pairs. For signing keys the
/// previous version keeps verifying for its overlap window (what it signed
/// stays valid until it expires), then stops. For the fingerprint key new
/// fingerprints use the new version and lookups compare under every live
/// version until `crate::fingerprints` has moved every value and retired
/// the older ones.
pub async fn rotate_keys(
    store: &Store,
    master: &MasterKey,
    purpose: &'static str,
) -> Result<Vec<(String, i64)>, StoreError> {
    if !ROTATABLE.contains(&purpose) {
        return Err(StoreError::Config(format!("{purpose} keys do not rotate")));
    }
    let master_b64 = SecretString::new(master.to_base64());
    store
        .write(move |c| {
            let master_b64 = master_b64.clone();
            Box::pin(async move {
                let master = MasterKey::from_base64(master_b64.expose()).map_err(vault_err)?;
                let rows: Vec<(String, Option<i64>)> = query::fetch_all(
                    c,
                    "SELECT t.id, (SELECT MAX(k.version) FROM tenant_keys k WHERE k.tenant_id = t.id AND k.purpose = $1) \
                     FROM tenants t ORDER BY t.id",
                    params![purpose],
                )
                .await?;
                let mut out = Vec::new();
                for (tenant, newest) in rows {
                    let version = newest.unwrap_or(0) + 1;
                    let wrapped =
                        master.wrap(&DataKey::generate(), &wrap_aad(&tenant, purpose, version));
                    insert_key(c, &tenant, purpose, version, &wrapped).await?;
                    out.push((tenant, version));
                }
                Ok(out)
            })
        })
        .await
}

/// Re-wraps every tenant key under `new` (each unwrapped with `old`, the
/// keyring's master) and replaces the key check value, in one transaction:
/// either every key moves or none does. Afterwards only `new` opens the
/// store; running servers must be restarted with it.
pub async fn rotate_master(
    store: &Store,
    old: &MasterKey,
    new: &MasterKey,
) -> Result<u64, StoreError> {
    if fundline_vault::ct_eq(&old.check_value(), &new.check_value()) {
        return Err(StoreError::Config(
            "the new master key is the current one".into(),
        ));
    }
    let old_b64 = SecretString::new(old.to_base64());
    let new_b64 = SecretString::new(new.to_base64());
    store
        .write(move |c| {
            let (old_b64, new_b64) = (old_b64.clone(), new_b64.clone());
            Box::pin(async move {
                let old = MasterKey::from_base64(old_b64.expose()).map_err(vault_err)?;
                let new = MasterKey::from_base64(new_b64.expose()).map_err(vault_err)?;
                let rows: Vec<(String, String, i64, String)> = query::fetch_all(
                    c,
                    "SELECT tenant_id, purpose, version, wrapped FROM tenant_keys ORDER BY tenant_id, purpose, version",
                    params![],
                )
                .await?;
                let mut moved = 0u64;
                for (tenant, purpose, version, wrapped) in rows {
                    let aad = wrap_aad(&tenant, &purpose, version);
                    let key = old.unwrap(&wrapped, &aad).map_err(vault_err)?;
                    let rewrapped = new.wrap(&key, &aad);
                    let n = query::execute(
                        c,
                        "UPDATE tenant_keys SET wrapped = $1 WHERE tenant_id = $2 AND purpose = $3 AND version = $4 AND wrapped = $5",
                        params![rewrapped, &tenant, &purpose, version, &wrapped],
                    )
                    .await?;
                    if n != 1 {
                        return Err(StoreError::Config(
                            "a tenant key changed during the master key rotation; run it again".into(),
                        ));
                    }
                    moved += 1;
                }
                query::execute(
                    c,
                    "UPDATE vault_meta SET check_value = $1 WHERE id = 1",
                    params![new.check_value()],
                )
                .await?;
                Ok(moved)
            })
        })
        .await
}

/// When the newest fingerprint key version of any tenant was created (µs),
/// or None if no tenant has one: the re-fingerprint pass waits until every
/// node's key cache has seen it.
pub async fn newest_fingerprint_key_at(store: &Store) -> Result<Option<i64>, StoreError> {
    store
        .fetch_scalar(
            "SELECT MAX(created_at) FROM tenant_keys WHERE purpose = $1",
            params![FP],
        )
        .await
}

/// Retires a tenant's fingerprint key versions older than `newest`:
/// lookups stop comparing under them (within `CACHE_TTL` on running
/// nodes). The rows stay. Returns how many versions were retired.
pub async fn retire_fingerprint_keys(
    store: &Store,
    tenant_id: &str,
    newest: i64,
    now: i64,
) -> Result<u64, StoreError> {
    store
        .execute(
            "UPDATE tenant_keys SET retired_at = $1 WHERE tenant_id = $2 AND purpose = $3 \
             AND version < $4 AND retired_at IS NULL",
            params![now, tenant_id, FP, newest],
        )
        .await
}

fn vault_err(e: VaultError) -> StoreError {
    StoreError::Vault(e.to_string())
}
