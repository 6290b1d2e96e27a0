//! Every sealed column in one place, and the re-encryption pass that moves
//! each sealed value onto the tenant's newest data key (`admin keys
//! reseal`).
//!
//! A value is sealed with associated data naming its tenant, table and
//! column (`fv1.`), and — from the reseal pass on — its row (`fv2.`); the
//! `aad_table`/`aad_column` below are the names the seal uses, which are
//! not always the SQL names.

use fundline_vault::TenantKeys;

use crate::keyring::Keyring;
use crate::query::TextRow;
use crate::{params, Param, Store, StoreError};

/// One sealed column: where it is and how its values are bound.
#[derive(Debug, Clone, Copy)]
pub struct SealedColumn {
    pub table: &'static str,
    /// The column holding the owning tenant's id.
    pub tenant_col: &'static str,
    /// The columns that identify a row within the tenant (the row id bound
    /// into `fv2.` values is these values joined with '/').
    pub key_cols: &'static [&'static str],
    pub column: &'static str,
    /// The table and column names in the seal's associated data.
    pub aad_table: &'static str,
    pub aad_column: &'static str,
    /// Whether every reader opens this column with its row id (`open_row`):
    /// then new values and the reseal pass write row-bound `fv2` values.
    pub row_bound: bool,
}

const fn col(
    table: &'static str,
    key_cols: &'static [&'static str],
    column: &'static str,
    aad_column: &'static str,
) -> SealedColumn {
    SealedColumn {
        table,
        tenant_col: "tenant_id",
        key_cols,
        column,
        aad_table: table,
        aad_column,
        row_bound: false,
    }
}

const fn bound(c: SealedColumn) -> SealedColumn {
    SealedColumn {
        row_bound: true,
        ..c
    }
}

/// Every column that holds sealed values. A new sealed column must be added
/// here, or the reseal pass leaves it on its old key.
pub const SEALED_COLUMNS: &[SealedColumn] = &[
    // Gateway and Connect HMAC secrets, bound to "<product>/<public id>"
    // (`tenants::credential_row_id`).
    bound(col(
        "credentials",
        &["product", "public_id"],
        "secret_sealed",
        "secret",
    )),
    // A rotated credential's previous secret, live until its overlap ends:
    // the same associated data as the current one (a rotation moves the
    // value between the two columns of one row).
    bound(col(
        "credentials",
        &["product", "public_id"],
        "previous_secret_sealed",
        "secret",
    )),
    // A signed gateway request's first answer, kept for its retries.
    col(
        "gw_seen_signatures",
        &["signature_hash"],
        "answer_sealed",
        "answer_sealed",
    ),
    bound(col("cc_customers", &["id"], "ssn_sealed", "ssn")),
    bound(col("cc_cards", &["id"], "number_sealed", "number")),
    bound(col("cc_check_images", &["content_hash"], "sealed", "image")),
    bound(col("cc_checks", &["transaction_id"], "micr_sealed", "micr")),
    col("cc_webhooks", &["tenant_id"], "secret_sealed", "secret"),
    bound(col("gw_accounts", &["token"], "account_sealed", "account")),
    bound(col("ct_tokens", &["id"], "number_sealed", "number")),
    bound(col(
        "ct_client_keys",
        &["key_id"],
        "private_sealed",
        "private_key",
    )),
    bound(col(
        "ba_customers",
        &["id"],
        "drivers_license_sealed",
        "drivers_license",
    )),
    bound(col("ba_customers", &["id"], "ssn_sealed", "ssn")),
    bound(col(
        "ba_customers",
        &["id"],
        "bank_acc_sealed",
        "bank_acc_no",
    )),
    bound(col("ba_outbox", &["id"], "text_sealed", "text")),
    bound(col("ba_outbox", &["id"], "link_sealed", "link")),
    bound(col(
        "ba_accounts",
        &["id"],
        "account_number_sealed",
        "account_number",
    )),
];

/// Rows read per batch; each row is then updated on its own.
const BATCH: i64 = 200;

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ResealReport {
    /// Values re-encrypted under the newest key.
    pub resealed: u64,
    /// Values already on the newest key.
    pub current: u64,
    /// Values changed by a concurrent write between read and update (the
    /// concurrent write wins; it was sealed with a current key).
    pub raced: u64,
    /// Values that did not open (damaged, or copied from another row).
    pub unreadable: u64,
}

fn row_id(key: &[String]) -> String {
    key.join("/")
}

fn is_current(keys: &TenantKeys, c: &SealedColumn, sealed: &str) -> bool {
    if c.row_bound {
        keys.is_current(sealed)
    } else {
        TenantKeys::sealed_version(sealed).is_ok_and(|v| v == keys.current_version())
            && sealed.starts_with("fv1.")
    }
}

/// Re-encrypts every sealed value of every tenant under the tenant's newest
/// data key. Safe beside running servers: each update is guarded by the old
/// value (`WHERE col = <old>`), so a concurrent write wins; resumable: a
/// value already on the newest key is left alone, so running it again
/// continues where a stopped run ended. `progress` gets one line per batch.
pub async fn reseal(
    store: &Store,
    keyring: &Keyring,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<ResealReport, StoreError> {
    let tenants = crate::fingerprints::tenant_ids(store).await?;
    let mut report = ResealReport::default();
    for tenant in &tenants {
        let keys = keyring.fresh(store, tenant).await?;
        for c in SEALED_COLUMNS {
            reseal_column(store, &keys, tenant, c, &mut report, progress).await?;
        }
    }
    Ok(report)
}

async fn reseal_column(
    store: &Store,
    keys: &TenantKeys,
    tenant: &str,
    c: &SealedColumn,
    report: &mut ResealReport,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<(), StoreError> {
    let pages = Pages::of(c);
    let mut last: Option<Vec<String>> = None;
    let mut done: u64 = 0;
    loop {
        let rows: Vec<TextRow> = match &last {
            None => store.fetch_all(&pages.first, params![tenant]).await?,
            Some(key) => {
                let mut params = params![tenant];
                params.extend(key.iter().map(Param::from));
                store.fetch_all(&pages.next, params).await?
            }
        };
        if rows.is_empty() {
            break;
        }
        let n = rows.len();
        for row in rows {
            let key = (0..c.key_cols.len())
                .map(|i| row.text(i))
                .collect::<Result<Vec<_>, _>>()?;
            let old = row.text(c.key_cols.len())?;
            last = Some(key.clone());
            done += 1;
            reseal_value(store, keys, tenant, c, &key, &old, report).await?;
        }
        progress(&format!(
            "reseal: tenant {tenant} {}.{}: {done} values checked ({} resealed so far)",
            c.table, c.column, report.resealed
        ));
        if (n as i64) < pages.batch {
            break;
        }
    }
    Ok(())
}

/// The queries that read a sealed column's values page by page, in row key
/// order: the first page, and the page after a row key.
struct Pages {
    first: String,
    next: String,
    batch: i64,
}

impl Pages {
    fn of(c: &SealedColumn) -> Pages {
        let keys_sql = c.key_cols.join(", ");
        // Check images are large: fewer per batch keeps the pass's memory small.
        let batch = if c.table == "cc_check_images" {
            10
        } else {
            BATCH
        };
        // Keyset pagination over the row key: (k1 > a) OR (k1 = a AND k2 > b) …
        let after = |first: usize| -> String {
            let mut ors = Vec::new();
            for i in 0..c.key_cols.len() {
                let mut ands: Vec<String> = (0..i)
                    .map(|j| format!("{} = ${}", c.key_cols[j], first + j))
                    .collect();
                ands.push(format!("{} > ${}", c.key_cols[i], first + i));
                ors.push(format!("({})", ands.join(" AND ")));
            }
            format!("({})", ors.join(" OR "))
        };
        let select = format!(
            "SELECT {keys_sql}, {col} FROM {table} WHERE {tc} = $1 AND {col} IS NOT NULL",
            col = c.column,
            table = c.table,
            tc = c.tenant_col,
        );
        Pages {
            first: format!("{select} ORDER BY {keys_sql} LIMIT {batch}"),
            next: format!(
                "{select} AND {after} ORDER BY {keys_sql} LIMIT {batch}",
                after = after(2)
            ),
            batch,
        }
    }
}

/// Seals one value under the tenant's current key, unless it already is;
/// counts what happened in `report`.
async fn reseal_value(
    store: &Store,
    keys: &TenantKeys,
    tenant: &str,
    c: &SealedColumn,
    key: &[String],
    old: &str,
    report: &mut ResealReport,
) -> Result<(), StoreError> {
    if is_current(keys, c, old) {
        report.current += 1;
        return Ok(());
    }
    let rid = row_id(key);
    let Ok(plain) = keys.open_row(c.aad_table, c.aad_column, &rid, old) else {
        report.unreadable += 1;
        return Ok(());
    };
    let new = if c.row_bound {
        keys.seal_row(c.aad_table, c.aad_column, &rid, &plain)
    } else {
        keys.seal(c.aad_table, c.aad_column, &plain)
    };
    if update_if_unchanged(store, c, tenant, key, old, new).await? {
        report.resealed += 1;
    } else {
        report.raced += 1;
    }
    Ok(())
}

async fn update_if_unchanged(
    store: &Store,
    c: &SealedColumn,
    tenant: &str,
    key: &[String],
    old: &str,
    new: String,
) -> Result<bool, StoreError> {
    let mut sql = format!(
        "UPDATE {} SET {col} = $1 WHERE {} = $2 AND {col} = $3",
        c.table,
        c.tenant_col,
        col = c.column
    );
    for (i, k) in c.key_cols.iter().enumerate() {
        sql.push_str(&format!(" AND {k} = ${}", i + 4));
    }
    let mut params = params![new, tenant, old];
    params.extend(key.iter().map(Param::from));
    Ok(store.execute(&sql, params).await? == 1)
}

/// Per sealed column: how many values are not on their tenant's newest data
/// key (what a finished reseal pass leaves at zero).
pub async fn stale_counts(
    store: &Store,
    keyring: &Keyring,
) -> Result<Vec<(String, u64)>, StoreError> {
    let tenants = crate::fingerprints::tenant_ids(store).await?;
    let mut out = Vec::new();
    for c in SEALED_COLUMNS {
        let mut stale = 0u64;
        for tenant in &tenants {
            let keys = keyring.fresh(store, tenant).await?;
            let prefix = if c.row_bound { "fv2" } else { "fv1" };
            let sql = format!(
                "SELECT COUNT(*) FROM {table} WHERE {tc} = $1 AND {col} IS NOT NULL AND {col} NOT LIKE $2",
                col = c.column,
                table = c.table,
                tc = c.tenant_col
            );
            let current = format!("{prefix}.{}.%", keys.current_version());
            let n: i64 = store.fetch_scalar(&sql, params![tenant, current]).await?;
            stale += n as u64;
        }
        out.push((format!("{}.{}", c.table, c.column), stale));
    }
    Ok(out)
}
