//! Tenants and their per-product credentials.

use crate::keyring::{insert_key, Keyring, WrappedKey};
use crate::{now_micros, params, query, Store, StoreError};
use fundline_vault::{hash_password, hash_token, random_token, TenantKeys};
use rand::Rng;
use serde::Serialize;

/// Why a tenant administration command did nothing: the operator's input
/// names something that is not there, or a real failure (`Store`). The
/// messages are what the admin CLI prints.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("no tenant {0}")]
    NoSuchTenant(String),
    #[error("tenant {0} has no admin user")]
    NoAdminUser(String),
    #[error("unknown product {0:?} (one of {products})", products = PRODUCTS.join(", "))]
    UnknownProduct(String),
    #[error("tenant name must be 1-100 printable characters")]
    InvalidName,
    #[error("a staff password has no previous secret: a rotation replaces it at once")]
    NoPreviousSecret,
    #[error("could not allocate unique identifiers")]
    IdentifiersExhausted,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AdminError {
    fn from(e: sqlx::Error) -> Self {
        AdminError::Store(e.into())
    }
}

/// `NoSuchTenant` unless the tenant exists (inside a write, before it changes anything).
pub(crate) async fn require_tenant(
    conn: &mut crate::Conn,
    tenant_id: &str,
) -> Result<(), AdminError> {
    let n: i64 = query::fetch_scalar(
        conn,
        "SELECT COUNT(*) FROM tenants WHERE id = $1",
        params![tenant_id],
    )
    .await?;
    if n == 0 {
        return Err(AdminError::NoSuchTenant(tenant_id.to_string()));
    }
    Ok(())
}

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

/// Where a credential's sealed secrets are bound (`seal_row`): table
/// "credentials", column "secret" (both the current and the previous
/// secret, so a rotation moves the current one into `previous_secret_sealed`
/// of the same row unchanged), row "<product>/<public id>" — the row-id
/// columns of `SEALED_COLUMNS`. A secret copied into another credential
/// row does not open there.
pub const CREDENTIAL_TABLE: &str = "credentials";
pub const CREDENTIAL_COLUMN: &str = "secret";

pub fn credential_row_id(product: &str, public_id: &str) -> String {
    format!("{product}/{public_id}")
}

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
    let mut raw = vec![0u8; bytes];
    rand::thread_rng().fill(&mut raw[..]);
    hex::encode(raw)
}

/// Creates a tenant with one credential set per product and its first
/// staff user (an admin of the bank-analysis product).
pub async fn create_tenant(
    store: &Store,
    keyring: &Keyring,
    name: &str,
    sandbox: bool,
) -> Result<TenantCredentials, AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AdminError::InvalidName);
    }
    // Numeric ids are random, so a collision is possible but rare: retry.
    for _ in 0..5 {
        match try_create_tenant(store, keyring, name, sandbox).await {
            Err(e) if e.is_unique("credentials_numeric") || e.is_unique("users_tenant_email") => {
                continue
            }
            other => return Ok(other?),
        }
    }
    Err(AdminError::IdentifiersExhausted)
}

async fn try_create_tenant(
    store: &Store,
    keyring: &Keyring,
    name: &str,
    sandbox: bool,
) -> Result<TenantCredentials, StoreError> {
    let tenant_id = uuid::Uuid::new_v4().to_string();
    let (keys, wrapped) = keyring.new_tenant_keys(&tenant_id)?;
    let creds = new_credentials(tenant_id, name);
    let tenant = NewTenant::of(&creds, &keys, wrapped, name, sandbox).await?;
    store
        .write(move |conn| {
            let tenant = tenant.clone();
            Box::pin(async move { tenant.insert(conn).await })
        })
        .await?;
    Ok(creds)
}

/// Fresh credentials for every product of a new tenant.
fn new_credentials(tenant_id: String, name: &str) -> TenantCredentials {
    // The gateway spec gives participant_id as a 5-digit integer.
    let participant_id: i64 = rand::thread_rng().gen_range(10_000..100_000);
    let merchant_numeric: i64 = rand::thread_rng().gen_range(1_000..10_000_000);
    TenantCredentials {
        tenant_id,
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
    }
}

/// A new tenant as it is stored: its wrapped keys, and its secrets sealed
/// or hashed (never the plain text).
#[derive(Clone)]
struct NewTenant {
    creds: TenantCredentials,
    name: String,
    sandbox: bool,
    wrapped: Vec<WrappedKey>,
    ingopay_sealed: String,
    connect_sealed: String,
    cc_hash: String,
    password_hash: String,
}

impl NewTenant {
    async fn of(
        creds: &TenantCredentials,
        keys: &TenantKeys,
        wrapped: Vec<WrappedKey>,
        name: &str,
        sandbox: bool,
    ) -> Result<NewTenant, StoreError> {
        let ingopay_sealed = keys.seal_row(
            CREDENTIAL_TABLE,
            CREDENTIAL_COLUMN,
            &credential_row_id(PRODUCT_INGOPAY, &creds.ingopay.username),
            creds.ingopay.secret.as_bytes(),
        );
        let connect_sealed = keys.seal_row(
            CREDENTIAL_TABLE,
            CREDENTIAL_COLUMN,
            &credential_row_id(PRODUCT_CONNECT, &creds.connect.api_key_id),
            creds.connect.secret_api_key.as_bytes(),
        );
        let password = creds.analysis.password.clone();
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| StoreError::Config(format!("password hashing failed: {e}")))?;
        Ok(NewTenant {
            creds: creds.clone(),
            name: name.to_string(),
            sandbox,
            wrapped,
            ingopay_sealed,
            connect_sealed,
            cc_hash: hash_token(&creds.check_cashing.client_secret),
            password_hash,
        })
    }

    /// The tenant, its keys, its credentials, its default framing hosts and
    /// its first admin user, in the caller's transaction.
    async fn insert(&self, conn: &mut crate::Conn) -> Result<(), StoreError> {
        let c = &self.creds;
        let now = now_micros();
        query::execute(
            conn,
            "INSERT INTO tenants (id, name, is_sandbox, created_at) VALUES ($1, $2, $3, $4)",
            params![&c.tenant_id, &self.name, self.sandbox, now],
        )
        .await?;
        for w in &self.wrapped {
            insert_key(conn, &c.tenant_id, w.purpose, w.version, &w.wrapped).await?;
        }
        // The Connect merchant id is a number, kept as such too.
        let merchant_numeric: Option<i64> = c.connect.merchant_id.parse().ok();
        let rows: [CredentialRow<'_>; 4] = [
            (
                PRODUCT_CHECK_CASHING,
                &c.check_cashing.client_id,
                Some(&self.cc_hash),
                None,
                None,
            ),
            (
                PRODUCT_INGOPAY,
                &c.ingopay.username,
                None,
                Some(&self.ingopay_sealed),
                Some(c.ingopay.participant_id),
            ),
            (
                PRODUCT_CONNECT,
                &c.connect.api_key_id,
                None,
                Some(&self.connect_sealed),
                merchant_numeric,
            ),
            (PRODUCT_ANALYSIS, &c.analysis.merchant_id, None, None, None),
        ];
        for (product, public_id, hash, sealed, numeric) in rows {
            query::execute(
                conn,
                "INSERT INTO credentials (product, public_id, tenant_id, secret_hash, secret_sealed, numeric_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                params![product, public_id, &c.tenant_id, hash, sealed, numeric, now],
            )
            .await?;
        }
        // A new tenant's sessions may be framed from local hosts only,
        // until its operator sets the real list.
        for (position, host) in crate::gateway::DEFAULT_ALLOWED_HOSTS.iter().enumerate() {
            query::execute(
                conn,
                "INSERT INTO gw_allowed_hosts (tenant_id, position, host) VALUES ($1, $2, $3)",
                params![&c.tenant_id, position as i64, *host],
            )
            .await?;
        }
        query::execute(
            conn,
            "INSERT INTO users (id, tenant_id, email, password_hash, role, first_name, last_name, created_at) \
             VALUES ($1, $2, $3, $4, 'admin', 'Admin', $5, $6)",
            params![uuid::Uuid::new_v4().to_string(), &c.tenant_id, &c.analysis.email, &self.password_hash, &self.name, now],
        )
        .await?;
        Ok(())
    }
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
    store
        .fetch_scalar("SELECT COUNT(*) FROM tenants", params![])
        .await
}

/// A product credential as stored: never the plain secret. Only credentials
/// that are not revoked, of tenants that are not disabled, are found.
#[derive(Debug, Clone)]
pub struct StoredCredential {
    pub tenant_id: String,
    pub secret_hash: Option<String>,
    pub secret_sealed: Option<String>,
    pub numeric_id: Option<i64>,
    /// The secret a rotation replaced, accepted until `previous_valid_until`.
    pub previous_secret_hash: Option<String>,
    pub previous_secret_sealed: Option<String>,
    pub previous_valid_until: Option<i64>,
    /// The tenant is the sandbox tenant (refused when the sandbox is off).
    pub tenant_sandbox: bool,
}

impl StoredCredential {
    /// Whether the previous secret is still accepted at `now` (micros).
    pub fn previous_live(&self, now: i64) -> bool {
        self.previous_valid_until.is_some_and(|until| now < until)
    }

    /// The hashes that authenticate at `now`: the current one, then the
    /// previous one during its overlap window.
    pub fn live_hashes(&self, now: i64) -> Vec<&str> {
        let mut v: Vec<&str> = self.secret_hash.as_deref().into_iter().collect();
        if self.previous_live(now) {
            v.extend(self.previous_secret_hash.as_deref());
        }
        v
    }

    /// The sealed secrets that authenticate at `now`, current first.
    pub fn live_sealed(&self, now: i64) -> Vec<&str> {
        let mut v: Vec<&str> = self.secret_sealed.as_deref().into_iter().collect();
        if self.previous_live(now) {
            v.extend(self.previous_secret_sealed.as_deref());
        }
        v
    }
}

pub async fn find_credential(
    store: &Store,
    product: &str,
    public_id: &str,
) -> Result<Option<StoredCredential>, StoreError> {
    let row: Option<CredentialAndTenant> = store
        .fetch_optional(
            "SELECT c.tenant_id, c.secret_hash, c.secret_sealed, c.numeric_id, c.previous_secret_hash, \
             c.previous_secret_sealed, c.previous_valid_until, t.is_sandbox \
             FROM credentials c JOIN tenants t ON t.id = c.tenant_id \
             WHERE c.product = $1 AND c.public_id = $2 AND c.revoked_at IS NULL AND t.disabled_at IS NULL",
            params![product, public_id],
        )
        .await?;
    Ok(row.map(|CredentialAndTenant(c, sandbox)| StoredCredential {
        tenant_sandbox: sandbox == 1,
        ..c
    }))
}

/// A credential row with its tenant's `is_sandbox` (0/1), the last column.
struct CredentialAndTenant(StoredCredential, i64);

impl<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> for CredentialAndTenant {
    fn from_row(r: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        let credential = StoredCredential {
            tenant_id: r.try_get(0)?,
            secret_hash: r.try_get(1)?,
            secret_sealed: r.try_get(2)?,
            numeric_id: r.try_get(3)?,
            previous_secret_hash: r.try_get(4)?,
            previous_secret_sealed: r.try_get(5)?,
            previous_valid_until: r.try_get(6)?,
            tenant_sandbox: false,
        };
        Ok(CredentialAndTenant(credential, r.try_get(7)?))
    }
}

/// What every product's authentication asks about a tenant on each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantAccess {
    pub disabled: bool,
    pub sandbox: bool,
    /// When every secret of the check cashing credential was last revoked
    /// (kept after a new rotation): partner sessions opened before it are over.
    pub check_cashing_revoked_at: Option<i64>,
}

/// A tenant's access state, `None` for an unknown tenant.
pub async fn tenant_access(
    store: &Store,
    tenant_id: &str,
) -> Result<Option<TenantAccess>, StoreError> {
    let row: Option<(Option<i64>, i64, Option<i64>)> = store
        .fetch_optional(
            "SELECT t.disabled_at, t.is_sandbox, \
             (SELECT c.sessions_revoked_at FROM credentials c WHERE c.tenant_id = t.id AND c.product = $2) \
             FROM tenants t WHERE t.id = $1",
            params![tenant_id, PRODUCT_CHECK_CASHING],
        )
        .await?;
    Ok(row.map(|(disabled_at, sandbox, revoked_at)| TenantAccess {
        disabled: disabled_at.is_some(),
        sandbox: sandbox == 1,
        check_cashing_revoked_at: revoked_at,
    }))
}

/// The products whose credentials `admin tenant credentials` manages.
pub const PRODUCTS: [&str; 4] = [
    PRODUCT_CHECK_CASHING,
    PRODUCT_INGOPAY,
    PRODUCT_CONNECT,
    PRODUCT_ANALYSIS,
];

/// What `admin tenant credentials --rotate` prints: the new secret of one
/// product, in the shape `tenant create` prints it, shown this once.
#[derive(Debug, Clone, Serialize)]
pub struct RotatedCredential {
    pub tenant_id: String,
    pub product: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_cashing: Option<CheckCashingCredentials>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingopay: Option<IngoPayCredentials>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<ConnectCredentials>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<AnalysisCredentials>,
    /// Until when (micros since the epoch) the replaced secret still works;
    /// `None`: it stopped at once (no overlap, a revoked credential, or a
    /// staff password).
    pub previous_valid_until: Option<i64>,
}

fn product_name(product: &str) -> Result<&'static str, AdminError> {
    PRODUCTS
        .iter()
        .find(|p| **p == product)
        .copied()
        .ok_or_else(|| AdminError::UnknownProduct(product.to_string()))
}

/// The credential row of a tenant's product: (public id, numeric id, revoked_at).
async fn credential_row(
    conn: &mut crate::Conn,
    tenant_id: &str,
    product: &str,
) -> Result<(String, Option<i64>, Option<i64>), AdminError> {
    query::fetch_optional(
        conn,
        "SELECT public_id, numeric_id, revoked_at FROM credentials WHERE tenant_id = $1 AND product = $2",
        params![tenant_id, product],
    )
    .await?
    .ok_or_else(|| AdminError::NoSuchTenant(tenant_id.to_string()))
}

/// The bank-analysis credential: the tenant's first admin user (the one
/// `tenant create` made).
async fn first_admin(
    conn: &mut crate::Conn,
    tenant_id: &str,
) -> Result<(String, String), AdminError> {
    query::fetch_optional(
        conn,
        "SELECT id, email FROM users WHERE tenant_id = $1 AND role = 'admin' ORDER BY created_at, id LIMIT 1",
        params![tenant_id],
    )
    .await?
    .ok_or_else(|| AdminError::NoAdminUser(tenant_id.to_string()))
}

/// Replaces a staff user's password hash and ends every session of the user.
async fn replace_password(
    conn: &mut crate::Conn,
    user_id: &str,
    password_hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    query::execute(
        conn,
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
        params![password_hash, now, user_id],
    )
    .await?;
    query::execute(
        conn,
        "UPDATE ba_refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        params![now, user_id],
    )
    .await?;
    Ok(())
}

async fn hash_password_blocking(password: String) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| StoreError::Config(format!("password hashing failed: {e}")))
}

/// Issues a new secret for one product of a tenant. The replaced secret
/// keeps working for `overlap_micros` (0: stops at once); a revoked
/// credential's secret never comes back. For `analysis` the new secret is a
/// new password for the tenant's first admin user: the old one stops at
/// once and that user's sessions end.
pub async fn rotate_credential(
    store: &Store,
    keyring: &Keyring,
    tenant_id: &str,
    product: &str,
    overlap_micros: i64,
    now: i64,
) -> Result<RotatedCredential, AdminError> {
    let product = product_name(product)?;
    if tenant_access(store, tenant_id).await?.is_none() {
        return Err(AdminError::NoSuchTenant(tenant_id.to_string()));
    }
    let mut out = RotatedCredential {
        tenant_id: tenant_id.to_string(),
        product,
        check_cashing: None,
        ingopay: None,
        connect: None,
        analysis: None,
        previous_valid_until: None,
    };
    if product == PRODUCT_ANALYSIS {
        out.analysis = Some(rotate_admin_password(store, tenant_id, now).await?);
        return Ok(out);
    }
    let secret = random_token(32);
    let (public_id, numeric_id, until) = rotate_secret(
        store,
        keyring,
        tenant_id,
        product,
        &secret,
        overlap_micros,
        now,
    )
    .await?;
    out.previous_valid_until = until;
    match product {
        PRODUCT_CHECK_CASHING => {
            out.check_cashing = Some(CheckCashingCredentials {
                client_id: public_id,
                client_secret: secret,
            })
        }
        PRODUCT_INGOPAY => {
            out.ingopay = Some(IngoPayCredentials {
                participant_id: numeric_id.unwrap_or_default(),
                username: public_id,
                secret,
            })
        }
        _ => {
            out.connect = Some(ConnectCredentials {
                merchant_id: numeric_id.unwrap_or_default().to_string(),
                api_key_id: public_id,
                secret_api_key: secret,
            })
        }
    }
    Ok(out)
}

/// A new password for the tenant's first admin user: the old one stops at
/// once and that user's sessions end.
async fn rotate_admin_password(
    store: &Store,
    tenant_id: &str,
    now: i64,
) -> Result<AnalysisCredentials, AdminError> {
    let password = random_token(18);
    let hash = hash_password_blocking(password.clone()).await?;
    let tid = tenant_id.to_string();
    let (merchant_id, email) = store
        .write_as(move |conn| {
            let (tid, hash) = (tid.clone(), hash.clone());
            Box::pin(async move {
                let (merchant_id, _, _) = credential_row(conn, &tid, PRODUCT_ANALYSIS).await?;
                let (user_id, email) = first_admin(conn, &tid).await?;
                replace_password(conn, &user_id, &hash, now).await?;
                Ok::<_, AdminError>((merchant_id, email))
            })
        })
        .await?;
    Ok(AnalysisCredentials {
        merchant_id,
        email,
        password,
    })
}

/// Makes `secret` the product's secret (hashed for check cashing, sealed
/// for the HMAC products); the one it replaces stays valid until the
/// returned time, if at all. Returns (public id, numeric id, that time).
async fn rotate_secret(
    store: &Store,
    keyring: &Keyring,
    tenant_id: &str,
    product: &'static str,
    secret: &str,
    overlap_micros: i64,
    now: i64,
) -> Result<(String, Option<i64>, Option<i64>), AdminError> {
    let keys = keyring.tenant(store, tenant_id).await?;
    let new_hash = (product == PRODUCT_CHECK_CASHING).then(|| hash_token(secret));
    let overlap = overlap_micros.max(0);
    let (tid, sealing) = (tenant_id.to_string(), secret.to_string());
    store
        .write_as(move |conn| {
            let (tid, new_hash, keys, secret) =
                (tid.clone(), new_hash.clone(), keys.clone(), sealing.clone());
            Box::pin(async move {
                let (public_id, numeric_id, revoked_at) =
                    credential_row(conn, &tid, product).await?;
                // HMAC secrets are sealed for this row, so the public id is
                // read first.
                let new_sealed = (product != PRODUCT_CHECK_CASHING).then(|| {
                    keys.seal_row(
                        CREDENTIAL_TABLE,
                        CREDENTIAL_COLUMN,
                        &credential_row_id(product, &public_id),
                        secret.as_bytes(),
                    )
                });
                // The secret being replaced becomes the previous one, unless
                // it was revoked or no overlap is wanted.
                let until = (revoked_at.is_none() && overlap > 0).then_some(now + overlap);
                query::execute(
                    conn,
                    "UPDATE credentials SET \
                     previous_secret_hash = CASE WHEN $1 = 1 THEN secret_hash ELSE NULL END, \
                     previous_secret_sealed = CASE WHEN $1 = 1 THEN secret_sealed ELSE NULL END, \
                     previous_valid_until = $2, secret_hash = $3, secret_sealed = $4, \
                     rotated_at = $5, revoked_at = NULL WHERE tenant_id = $6 AND product = $7",
                    params![
                        until.is_some(),
                        until,
                        new_hash,
                        new_sealed,
                        now,
                        &tid,
                        product
                    ],
                )
                .await?;
                Ok::<_, AdminError>((public_id, numeric_id, until))
            })
        })
        .await
}

/// What `--revoke` takes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// Every secret of the product, at once (the product is refused until
    /// the next rotation). Check cashing partner sessions end too.
    All,
    /// Only the previous secret of a rotation: its overlap ends now.
    PreviousOnly,
}

/// Revokes a product credential of a tenant at once.
pub async fn revoke_credential(
    store: &Store,
    tenant_id: &str,
    product: &str,
    what: Revocation,
    now: i64,
) -> Result<(), AdminError> {
    let product = product_name(product)?;
    let tid = tenant_id.to_string();
    if product == PRODUCT_ANALYSIS {
        if what == Revocation::PreviousOnly {
            return Err(AdminError::NoPreviousSecret);
        }
        // Nobody knows this password: the admin must be given a new one
        // (`--rotate analysis`) to log in again.
        let hash = hash_password_blocking(random_token(32)).await?;
        return store
            .write_as(move |conn| {
                let (tid, hash) = (tid.clone(), hash.clone());
                Box::pin(async move {
                    credential_row(conn, &tid, PRODUCT_ANALYSIS).await?;
                    let (user_id, _) = first_admin(conn, &tid).await?;
                    Ok(replace_password(conn, &user_id, &hash, now).await?)
                })
            })
            .await;
    }
    store
        .write_as(move |conn| {
            let tid = tid.clone();
            Box::pin(async move {
                credential_row(conn, &tid, product).await?;
                let (sql, params) = match what {
                    Revocation::All => (
                        "UPDATE credentials SET revoked_at = $1, sessions_revoked_at = $1, previous_secret_hash = NULL, \
                         previous_secret_sealed = NULL, previous_valid_until = NULL \
                         WHERE tenant_id = $2 AND product = $3",
                        params![now, &tid, product],
                    ),
                    Revocation::PreviousOnly => (
                        "UPDATE credentials SET previous_secret_hash = NULL, previous_secret_sealed = NULL, \
                         previous_valid_until = NULL WHERE tenant_id = $1 AND product = $2",
                        params![&tid, product],
                    ),
                };
                query::execute(conn, sql, params).await?;
                if product == PRODUCT_CHECK_CASHING && what == Revocation::All {
                    query::execute(
                        conn,
                        "DELETE FROM cc_partner_sessions WHERE tenant_id = $1",
                        params![&tid],
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .await
}

/// Disables (every product refuses the tenant's credentials, 401) or
/// enables a tenant again.
pub async fn set_tenant_disabled(
    store: &Store,
    tenant_id: &str,
    disabled: bool,
    now: i64,
) -> Result<(), AdminError> {
    let tid = tenant_id.to_string();
    store
        .write_as(move |conn| {
            let tid = tid.clone();
            Box::pin(async move {
                let n = query::execute(
                    conn,
                    "UPDATE tenants SET disabled_at = CASE WHEN $1 = 1 THEN COALESCE(disabled_at, $2) ELSE NULL END WHERE id = $3",
                    params![disabled, now, &tid],
                )
                .await?;
                if n == 0 {
                    return Err(AdminError::NoSuchTenant(tid));
                }
                Ok(())
            })
        })
        .await
}

/// A tenant's bank-analysis merchant id: the `analysis.merchant_id` that
/// `admin tenant create` printed (kept through rotations and revocations).
pub async fn analysis_merchant_id(
    store: &Store,
    tenant_id: &str,
) -> Result<Option<String>, StoreError> {
    credential_column(store, "public_id", tenant_id, PRODUCT_ANALYSIS).await
}

/// A tenant's gateway participant id.
pub async fn ingopay_participant(
    store: &Store,
    tenant_id: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(
        credential_column::<Option<i64>>(store, "numeric_id", tenant_id, PRODUCT_INGOPAY)
            .await?
            .flatten(),
    )
}

/// One column of a tenant's credential row for a product.
async fn credential_column<T: query::Value>(
    store: &Store,
    column: &str,
    tenant_id: &str,
    product: &str,
) -> Result<Option<T>, StoreError> {
    let sql = format!("SELECT {column} FROM credentials WHERE tenant_id = $1 AND product = $2");
    store
        .fetch_optional_scalar(&sql, params![tenant_id, product])
        .await
}

/// A tenant's stored settings document for a product, if any.
pub async fn settings(
    store: &Store,
    tenant_id: &str,
    product: &str,
) -> Result<Option<String>, StoreError> {
    store
        .fetch_optional_scalar(
            "SELECT settings_json FROM tenant_settings WHERE tenant_id = $1 AND product = $2",
            params![tenant_id, product],
        )
        .await
}

/// Replaces a tenant's settings document for a product (validated by the caller).
pub async fn set_settings(
    store: &Store,
    tenant_id: String,
    product: &'static str,
    json: String,
) -> Result<(), AdminError> {
    store
        .write_as(move |c| {
            let (tenant_id, json) = (tenant_id.clone(), json.clone());
            Box::pin(async move {
                require_tenant(c, &tenant_id).await?;
                query::execute(
                    c,
                    "INSERT INTO tenant_settings (tenant_id, product, settings_json, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (tenant_id, product) DO UPDATE SET settings_json = excluded.settings_json, updated_at = excluded.updated_at",
                    params![&tenant_id, product, &json, now_micros()],
                )
                .await?;
                Ok(())
            })
        })
        .await
}

pub async fn is_sandbox(store: &Store, tenant_id: &str) -> Result<bool, StoreError> {
    let sandbox: Option<i64> = tenant_column(store, "is_sandbox", tenant_id).await?;
    Ok(sandbox == Some(1))
}

/// A tenant's display name (the creditor of its SEPA mandates).
pub async fn tenant_name(store: &Store, tenant_id: &str) -> Result<Option<String>, StoreError> {
    tenant_column(store, "name", tenant_id).await
}

async fn tenant_column<T: query::Value>(
    store: &Store,
    column: &str,
    tenant_id: &str,
) -> Result<Option<T>, StoreError> {
    let sql = format!("SELECT {column} FROM tenants WHERE id = $1");
    store.fetch_optional_scalar(&sql, params![tenant_id]).await
}
