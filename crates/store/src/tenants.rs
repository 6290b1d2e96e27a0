//! Tenants and their per-product credentials.

use fundline_vault::{hash_password, hash_token, random_token};
use rand::Rng;
use serde::Serialize;
use sqlx::Row;

use crate::keyring::{insert_key, Keyring};
use crate::{now_micros, Store, StoreError};

/// What `admin tenant create --json` prints: the only time secrets are shown.
#[derive(Debug, Clone, Serialize)]
pub struct TenantCredentials {
    pub tenant_id: String,
    pub check_cashing: CheckCashingCredentials,
    pub ingopay: IngoPayCredentials,
    pub connect: ConnectCredentials,
    pub analysis: AnalysisCredentials,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckCashingCredentials {
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IngoPayCredentials {
    pub participant_id: i64,
    pub username: String,
    pub secret: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConnectCredentials {
    pub merchant_id: String,
    pub api_key_id: String,
    pub secret_api_key: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnalysisCredentials {
    pub merchant_id: String,
    pub email: String,
    pub password: String,
}

pub const PRODUCT_CHECK_CASHING: &str = "check_cashing";
pub const PRODUCT_INGOPAY: &str = "ingopay";
pub const PRODUCT_CONNECT: &str = "connect";
pub const PRODUCT_ANALYSIS: &str = "analysis";

fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').chars().take(30).collect::<String>();
    if s.is_empty() {
        "tenant".into()
    } else {
        s
    }
}

fn hex(bytes: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.gen::<u8>()))
        .collect()
}

/// Creates a tenant with one credential set per product and its first
/// staff user (an admin of the bank-analysis product).
pub async fn create_tenant(
    store: &Store,
    keyring: &Keyring,
    name: &str,
    sandbox: bool,
) -> Result<TenantCredentials, StoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(StoreError::Rejected(
            "tenant name must be 1-100 printable characters".into(),
        ));
    }
    // Numeric ids are random, so a collision is possible but rare: retry.
    for _ in 0..5 {
        match try_create_tenant(store, keyring, name, sandbox).await {
            Err(e) if e.is_unique("credentials_numeric") || e.is_unique("users_tenant_email") => {
                continue
            }
            other => return other,
        }
    }
    Err(StoreError::Rejected(
        "could not allocate unique identifiers".into(),
    ))
}

async fn try_create_tenant(
    store: &Store,
    keyring: &Keyring,
    name: &str,
    sandbox: bool,
) -> Result<TenantCredentials, StoreError> {
    let tenant_id = uuid::Uuid::new_v4().to_string();
    let (keys, wrapped) = keyring.new_tenant_keys(&tenant_id)?;
    // The gateway spec gives participant_id as a 5-digit integer.
    let participant_id: i64 = rand::thread_rng().gen_range(10_000..100_000);
    let merchant_numeric: i64 = rand::thread_rng().gen_range(1_000..10_000_000);
    let creds = TenantCredentials {
        tenant_id: tenant_id.clone(),
        check_cashing: CheckCashingCredentials {
            client_id: format!("cc_{}", hex(12)),
            client_secret: random_token(32),
        },
        ingopay: IngoPayCredentials {
            participant_id,
            username: format!("ip_{}", hex(12)),
            secret: random_token(32),
        },
        connect: ConnectCredentials {
            merchant_id: merchant_numeric.to_string(),
            api_key_id: hex(8),
            secret_api_key: random_token(32),
        },
        analysis: AnalysisCredentials {
            merchant_id: uuid::Uuid::new_v4().to_string(),
            email: format!("admin-{}@{}.fundline.test", hex(4), slug(name)),
            password: random_token(18),
        },
    };
    let ingopay_sealed = keys.seal_str("credentials", "secret", &creds.ingopay.secret);
    let connect_sealed = keys.seal_str("credentials", "secret", &creds.connect.secret_api_key);
    let cc_hash = hash_token(&creds.check_cashing.client_secret);
    let password = creds.analysis.password.clone();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| StoreError::Config(format!("password hashing failed: {e}")))?;
    let c = creds.clone();
    let name = name.to_string();
    store
        .write(move |conn| {
            let (c, name, wrapped, ingopay_sealed, connect_sealed, cc_hash, password_hash) = (c.clone(), name.clone(), wrapped.clone(), ingopay_sealed.clone(), connect_sealed.clone(), cc_hash.clone(), password_hash.clone());
            Box::pin(async move {
                let now = now_micros();
                sqlx::query("INSERT INTO tenants (id, name, is_sandbox, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(&c.tenant_id)
                    .bind(&name)
                    .bind(sandbox as i64)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                for w in &wrapped {
                    insert_key(conn, &c.tenant_id, w.purpose, w.version, &w.wrapped).await?;
                }
                let rows: [CredentialRow<'_>; 4] = [
                    (PRODUCT_CHECK_CASHING, &c.check_cashing.client_id, Some(&cc_hash), None, None),
                    (PRODUCT_INGOPAY, &c.ingopay.username, None, Some(&ingopay_sealed), Some(c.ingopay.participant_id)),
                    (PRODUCT_CONNECT, &c.connect.api_key_id, None, Some(&connect_sealed), Some(merchant_numeric)),
                    (PRODUCT_ANALYSIS, &c.analysis.merchant_id, None, None, None),
                ];
                for (product, public_id, hash, sealed, numeric) in rows {
                    sqlx::query(
                        "INSERT INTO credentials (product, public_id, tenant_id, secret_hash, secret_sealed, numeric_id, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(product)
                    .bind(public_id)
                    .bind(&c.tenant_id)
                    .bind(hash)
                    .bind(sealed)
                    .bind(numeric)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                }
                // A new tenant's sessions may be framed from local hosts only,
                // until its operator sets the real list.
                for (position, host) in crate::gateway::DEFAULT_ALLOWED_HOSTS.iter().enumerate() {
                    sqlx::query("INSERT INTO gw_allowed_hosts (tenant_id, position, host) VALUES ($1, $2, $3)")
                        .bind(&c.tenant_id)
                        .bind(position as i64)
                        .bind(*host)
                        .execute(&mut *conn)
                        .await?;
                }
                sqlx::query(
                    "INSERT INTO users (id, tenant_id, email, password_hash, role, first_name, last_name, created_at) \
                     VALUES ($1, $2, $3, $4, 'admin', 'Admin', $5, $6)",
                )
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(&c.tenant_id)
                .bind(&c.analysis.email)
                .bind(&password_hash)
                .bind(&name)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .await?;
    Ok(creds)
}

/// (product, public id, secret hash, sealed secret, numeric id)
type CredentialRow<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<i64>,
);

pub async fn tenant_count(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT COUNT(*) FROM tenants")
        .fetch_one(store.reader())
        .await?
        .get(0))
}

/// A product credential as stored: never the plain secret.
#[derive(Debug, Clone)]
pub struct StoredCredential {
    pub tenant_id: String,
    pub secret_hash: Option<String>,
    pub secret_sealed: Option<String>,
    pub numeric_id: Option<i64>,
}

pub async fn find_credential(
    store: &Store,
    product: &str,
    public_id: &str,
) -> Result<Option<StoredCredential>, StoreError> {
    let row = sqlx::query(
        "SELECT tenant_id, secret_hash, secret_sealed, numeric_id FROM credentials WHERE product = $1 AND public_id = $2",
    )
    .bind(product)
    .bind(public_id)
    .fetch_optional(store.reader())
    .await?;
    Ok(row.map(|r| StoredCredential {
        tenant_id: r.get(0),
        secret_hash: r.get(1),
        secret_sealed: r.get(2),
        numeric_id: r.get(3),
    }))
}

/// A tenant's gateway participant id.
pub async fn ingopay_participant(
    store: &Store,
    tenant_id: &str,
) -> Result<Option<i64>, StoreError> {
    let row =
        sqlx::query("SELECT numeric_id FROM credentials WHERE tenant_id = $1 AND product = $2")
            .bind(tenant_id)
            .bind(PRODUCT_INGOPAY)
            .fetch_optional(store.reader())
            .await?;
    Ok(row.and_then(|r| r.get::<Option<i64>, _>(0)))
}

/// A tenant's stored settings document for a product, if any.
pub async fn settings(
    store: &Store,
    tenant_id: &str,
    product: &str,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query(
        "SELECT settings_json FROM tenant_settings WHERE tenant_id = $1 AND product = $2",
    )
    .bind(tenant_id)
    .bind(product)
    .fetch_optional(store.reader())
    .await?;
    Ok(row.map(|r| r.get(0)))
}

/// Replaces a tenant's settings document for a product (validated by the caller).
pub async fn set_settings(
    store: &Store,
    tenant_id: String,
    product: &'static str,
    json: String,
) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let (tenant_id, json) = (tenant_id.clone(), json.clone());
            Box::pin(async move {
                let n: i64 = sqlx::query("SELECT COUNT(*) FROM tenants WHERE id = $1").bind(&tenant_id).fetch_one(&mut *c).await?.get(0);
                if n == 0 {
                    return Err(StoreError::Rejected(format!("no tenant {tenant_id}")));
                }
                sqlx::query(
                    "INSERT INTO tenant_settings (tenant_id, product, settings_json, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (tenant_id, product) DO UPDATE SET settings_json = excluded.settings_json, updated_at = excluded.updated_at",
                )
                .bind(&tenant_id)
                .bind(product)
                .bind(&json)
                .bind(now_micros())
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
}

pub async fn is_sandbox(store: &Store, tenant_id: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query("SELECT is_sandbox FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_optional(store.reader())
        .await?
        .is_some_and(|r| r.get::<i64, _>(0) == 1))
}

/// A tenant's display name (the creditor of its SEPA mandates).
pub async fn tenant_name(store: &Store, tenant_id: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar::<_, String>("SELECT name FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_optional(store.reader())
            .await?,
    )
}
