//! Persistence and caching of the vault's keys: the master key check value
//! and every tenant's wrapped data keys.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use fundline_vault::{DataKey, MasterKey, SecretString, TenantKeys, VaultError};
use sqlx::{AnyConnection, Row};

use crate::{now_micros, Store, StoreError};

/// How long a node trusts its cached keys before looking for a newer data
/// key version (written by `admin keys rotate` in another process).
const CACHE_TTL: Duration = Duration::from_secs(5);

pub struct Keyring {
    master: MasterKey,
    cache: RwLock<HashMap<String, (Instant, Arc<TenantKeys>)>>,
}

fn wrap_aad(tenant_id: &str, purpose: &str, version: i64) -> String {
    format!("tenant:{tenant_id}:{purpose}:{version}")
}

impl Keyring {
    /// Checks the master key against the store's check value (writing it on
    /// a fresh store) and refuses a different key.
    pub async fn open(store: &Store, master: MasterKey) -> Result<Keyring, StoreError> {
        let kcv = master.check_value();
        let existing: Option<String> =
            sqlx::query("SELECT check_value FROM vault_meta WHERE id = 1")
                .fetch_optional(store.reader())
                .await?
                .map(|r| r.get(0));
        let stored = match existing {
            Some(v) => v,
            None => {
                let value = kcv.clone();
                let inserted = store
                    .write(move |c| {
                        let value = value.clone();
                        Box::pin(async move {
                            sqlx::query(
                                "INSERT INTO vault_meta (id, check_value, created_at) VALUES (1, $1, $2)",
                            )
                            .bind(value)
                            .bind(now_micros())
                            .execute(&mut *c)
                            .await?;
                            Ok(())
                        })
                    })
                    .await;
                match inserted {
                    Ok(()) => kcv.clone(),
                    // Another node initialised the store first: compare with its value.
                    Err(e) if e.is_unique("vault_meta_pkey") => {
                        sqlx::query("SELECT check_value FROM vault_meta WHERE id = 1")
                            .fetch_one(store.reader())
                            .await?
                            .get(0)
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        if !fundline_vault::ct_eq(&stored, &kcv) {
            return Err(StoreError::Config(format!(
                "the master key does not match the one this store was written with \
                 (key check value {kcv}, store expects {stored}); set FUNDLINE_MASTER_KEY \
                 or the data directory's master.key to the original key"
            )));
        }
        Ok(Keyring {
            master,
            cache: RwLock::new(HashMap::new()),
        })
    }

    /// The tenant's keys, from cache or the store.
    pub async fn tenant(
        &self,
        store: &Store,
        tenant_id: &str,
    ) -> Result<Arc<TenantKeys>, StoreError> {
        if let Some((at, keys)) = self
            .cache
            .read()
            .ok()
            .and_then(|c| c.get(tenant_id).cloned())
        {
            if at.elapsed() < CACHE_TTL {
                return Ok(keys);
            }
        }
        self.reload(store, tenant_id).await
    }

    async fn reload(&self, store: &Store, tenant_id: &str) -> Result<Arc<TenantKeys>, StoreError> {
        let rows =
            sqlx::query("SELECT purpose, version, wrapped FROM tenant_keys WHERE tenant_id = $1")
                .bind(tenant_id)
                .fetch_all(store.reader())
                .await?;
        let mut fp = None;
        let mut deks = Vec::new();
        for row in rows {
            let purpose: String = row.get(0);
            let version: i64 = row.get(1);
            let wrapped: String = row.get(2);
            let key = self
                .master
                .unwrap(&wrapped, &wrap_aad(tenant_id, &purpose, version))
                .map_err(vault_err)?;
            if purpose == "fp" {
                fp = Some(key);
            } else {
                deks.push((version, key));
            }
        }
        let fp = fp.ok_or_else(|| StoreError::Vault(format!("tenant {tenant_id} has no keys")))?;
        let keys = Arc::new(TenantKeys::new(tenant_id, fp, deks).map_err(vault_err)?);
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(tenant_id.to_string(), (Instant::now(), keys.clone()));
        }
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
        let keys = self.tenant(store, tenant_id).await?;
        match keys.open_string(table, column, sealed) {
            Err(VaultError::UnknownKeyVersion(_)) => self
                .reload(store, tenant_id)
                .await?
                .open_string(table, column, sealed)
                .map_err(vault_err),
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
        let rows = vec![
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
        let keys = TenantKeys::new(tenant_id, fp, vec![(1, dek)]).map_err(vault_err)?;
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
    conn: &mut AnyConnection,
    tenant_id: &str,
    purpose: &str,
    version: i64,
    wrapped: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO tenant_keys (tenant_id, purpose, version, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant_id)
    .bind(purpose)
    .bind(version)
    .bind(wrapped)
    .bind(now_micros())
    .execute(&mut *conn)
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
    let master_b64 = SecretString::new(master.to_base64());
    store
        .write(move |c| {
            let master_b64 = master_b64.clone();
            Box::pin(async move {
                let master = MasterKey::from_base64(master_b64.expose()).map_err(vault_err)?;
                let rows = sqlx::query(
                    "SELECT tenant_id, MAX(version) FROM tenant_keys WHERE purpose = 'dek' GROUP BY tenant_id ORDER BY tenant_id",
                )
                .fetch_all(&mut *c)
                .await?;
                let mut out = Vec::new();
                for row in rows {
                    let tenant: String = row.get(0);
                    let version: i64 = row.get::<i64, _>(1) + 1;
                    let wrapped = master.wrap(&DataKey::generate(), &wrap_aad(&tenant, "dek", version));
                    insert_key(c, &tenant, "dek", version, &wrapped).await?;
                    out.push((tenant, version));
                }
                Ok(out)
            })
        })
        .await
}

fn vault_err(e: VaultError) -> StoreError {
    StoreError::Vault(e.to_string())
}
