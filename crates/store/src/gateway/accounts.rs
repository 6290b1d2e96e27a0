//! Tokenized accounts (cards, bank accounts, billers, check payees) and the biller directory.

#[allow(unused_imports)]
use super::*;

#[derive(Debug, Clone, FromRow)]
pub struct Account {
    pub token: String,
    pub tenant_id: String,
    pub account_type: String,
    pub fp: String,
    pub account_sealed: String,
    pub last4: String,
    pub details_json: String,
    pub created_at: i64,
}

const ACCOUNT_COLUMNS: &str =
    "token, tenant_id, account_type, fp, account_sealed, last4, details_json, created_at";

const ACCOUNTS: Table<Account> = Table::new("gw_accounts", ACCOUNT_COLUMNS);

pub async fn account_by_token(
    store: &Store,
    tenant_id: &str,
    token: &str,
) -> Result<Option<Account>, StoreError> {
    let sql =
        format!("SELECT {ACCOUNT_COLUMNS} FROM gw_accounts WHERE tenant_id = $1 AND token = $2");
    store.fetch_optional(&sql, params![tenant_id, token]).await
}

/// The tokenized account whose fingerprint is one of `fps` (one per live
/// fingerprint key version).
pub async fn account_by_fp(
    store: &Store,
    tenant_id: &str,
    fps: &[String],
) -> Result<Option<Account>, StoreError> {
    let tenant = ("tenant_id = $1", params![tenant_id]);
    ACCOUNTS
        .find_by_fingerprint(store, tenant, "fp", fps, "created_at, token")
        .await
}

/// What tokenizing an account gave.
#[derive(Debug, Clone)]
pub enum Tokenized {
    New(Account),
    /// The same data was tokenized first (by a concurrent request): its account.
    Existing(Account),
}

/// Stores a tokenized account, or returns the one the same data already
/// made (the unique fingerprint decides, also under concurrent requests).
pub async fn tokenize(store: &Store, a: Account) -> Result<Tokenized, StoreError> {
    let (tenant_id, fp) = (a.tenant_id.clone(), a.fp.clone());
    let inserted = store
        .execute(
            &format!(
                "INSERT INTO gw_accounts ({ACCOUNT_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)"
            ),
            params![
                &a.token,
                &a.tenant_id,
                &a.account_type,
                &a.fp,
                &a.account_sealed,
                &a.last4,
                &a.details_json,
                a.created_at,
            ],
        )
        .await
        .map(|_| a);
    match inserted {
        Ok(a) => Ok(Tokenized::New(a)),
        Err(e) if e.is_unique("gw_accounts_fp") => {
            match account_by_fp(store, &tenant_id, &[fp]).await? {
                Some(a) => Ok(Tokenized::Existing(a)),
                // The index saw a row this read cannot: not an outcome.
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Biller {
    pub payee_id: String,
    pub name: String,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub account_pattern: String,
    pub posting_days: i64,
}

const BILLER_COLUMNS: &str =
    "payee_id, name, address, city, state, zip, account_pattern, posting_days";

pub async fn biller(store: &Store, payee_id: &str) -> Result<Option<Biller>, StoreError> {
    let sql = format!("SELECT {BILLER_COLUMNS} FROM gw_billers WHERE payee_id = $1");
    store.fetch_optional(&sql, params![payee_id]).await
}

/// Billers whose name contains `name` (case-insensitive), up to `limit`.
pub async fn search_billers(
    store: &Store,
    name: &str,
    limit: i64,
) -> Result<Vec<Biller>, StoreError> {
    let pattern = format!(
        "%{}%",
        name.to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let sql = format!(
        "SELECT {BILLER_COLUMNS} FROM gw_billers WHERE LOWER(name) LIKE $1 ESCAPE '\\' ORDER BY name, payee_id LIMIT $2"
    );
    store.fetch_all(&sql, params![pattern, limit]).await
}
