//! Every fingerprint column in one place, and the storage side of the
//! re-fingerprint pass (`admin keys refingerprint`): reading the rows whose
//! fingerprints are not on the tenant's newest fingerprint key, writing the
//! recomputed values guarded by the old ones, counting what is left, and
//! retiring the old key versions. How each product canonicalises the value
//! it fingerprints lives with the product (`fundline_api::fingerprints`).
//!
//! A stored fingerprint names its key version (see
//! `fundline_vault::fingerprint_version_of`): bare hex is version 1,
//! "fp<N>.<hex>" version N.

use crate::keyring::Keyring;
use crate::query::TextRow;
use crate::{params, Param, Params, Store, StoreError};

/// A table with fingerprint columns: the sealed column whose plaintext they
/// are computed from and the plain columns the canonical forms also need.
#[derive(Debug, Clone, Copy)]
pub struct FingerprintTable {
    pub table: &'static str,
    /// The row id (one text column; the row id sealed values are bound to).
    pub key_col: &'static str,
    /// The sealed column holding the fingerprinted value.
    pub sealed_col: &'static str,
    /// Its names in the seal's associated data (as in `SEALED_COLUMNS`).
    pub aad_table: &'static str,
    pub aad_column: &'static str,
    /// The fingerprint columns. An empty value means "nothing to compare"
    /// (a check whose MICR did not parse) and is left alone.
    pub fp_cols: &'static [&'static str],
    /// Plain columns the canonical forms read (NULL reads as None).
    pub extra_cols: &'static [&'static str],
}

/// Every fingerprint column. A new one must be added here (and its
/// canonical form to `fundline_api::fingerprints`), or a fingerprint key
/// rotation leaves it on the old version and lookups miss it once the old
/// version is retired.
pub const FINGERPRINT_TABLES: &[FingerprintTable] = &[
    FingerprintTable {
        table: "cc_customers",
        key_col: "id",
        sealed_col: "ssn_sealed",
        aad_table: "cc_customers",
        aad_column: "ssn",
        fp_cols: &["ssn_fp"],
        extra_cols: &[],
    },
    FingerprintTable {
        table: "cc_cards",
        key_col: "id",
        sealed_col: "number_sealed",
        aad_table: "cc_cards",
        aad_column: "number",
        fp_cols: &["number_fp", "data_fp"],
        extra_cols: &[
            "kind",
            "expiration_mmyy",
            "nickname",
            "name_on_card",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "zip",
            "bin",
            "last4",
        ],
    },
    FingerprintTable {
        table: "gw_accounts",
        key_col: "token",
        sealed_col: "account_sealed",
        aad_table: "gw_accounts",
        aad_column: "account",
        fp_cols: &["fp"],
        extra_cols: &["account_type", "details_json"],
    },
    FingerprintTable {
        table: "ct_tokens",
        key_col: "id",
        sealed_col: "number_sealed",
        aad_table: "ct_tokens",
        aad_column: "number",
        fp_cols: &["number_fp"],
        extra_cols: &["kind"],
    },
    FingerprintTable {
        table: "cc_checks",
        key_col: "transaction_id",
        sealed_col: "micr_sealed",
        aad_table: "cc_checks",
        aad_column: "micr",
        fp_cols: &["presentment_fp"],
        extra_cols: &[],
    },
];

/// One row as the pass reads it.
#[derive(Debug, Clone)]
pub struct FingerprintRow {
    pub key: String,
    pub sealed: String,
    /// In the order of `fp_cols`.
    pub fps: Vec<String>,
    /// In the order of `extra_cols`.
    pub extra: Vec<Option<String>>,
}

impl FingerprintRow {
    /// A plain column's value by name ("" when NULL or not read).
    pub fn extra(&self, t: &FingerprintTable, col: &str) -> Option<&str> {
        t.extra_cols
            .iter()
            .position(|c| *c == col)
            .and_then(|i| self.extra[i].as_deref())
    }
}

/// `$first, $first+1, …` for an `IN (…)` list of `n` parameters.
pub(crate) fn in_list(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A lookup by fingerprint binds one value per live fingerprint key version:
/// `params` followed by `fps`, and the `IN (…)` list of `fps`'s placeholders
/// (numbered after `params`). `None` when `fps` is empty: nothing can match.
pub(crate) fn bind_in_list<S: AsRef<str>>(
    mut params: Params,
    fps: &[S],
) -> Option<(String, Params)> {
    if fps.is_empty() {
        return None;
    }
    let list = in_list(params.len() + 1, fps.len());
    params.extend(fps.iter().map(|fp| Param::from(fp.as_ref())));
    Some((list, params))
}

/// The SQL condition "this fingerprint column is not on version `newest`"
/// (empty values excluded). Version 1 values are bare hex; a value of
/// version N ≥ 2 starts "fp<N>.", so only the prefix is compared.
fn stale_condition(col: &str, newest: i64) -> String {
    if newest <= 1 {
        // Nothing is newer than version 1: only damaged values could be
        // "stale", and the pass cannot fix those.
        return "1 = 0".into();
    }
    format!("({col} <> '' AND {col} NOT LIKE 'fp{newest}.%')")
}

fn any_stale(t: &FingerprintTable, newest: i64) -> String {
    let parts: Vec<String> = t
        .fp_cols
        .iter()
        .map(|c| stale_condition(c, newest))
        .collect();
    format!("({})", parts.join(" OR "))
}

/// Up to `limit` rows of a tenant with a fingerprint not on version
/// `newest`, in row-id order after `after` (keyset pagination).
pub async fn stale_rows(
    store: &Store,
    t: &FingerprintTable,
    tenant: &str,
    newest: i64,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<FingerprintRow>, StoreError> {
    let mut cols = vec![t.key_col, t.sealed_col];
    cols.extend(t.fp_cols);
    cols.extend(t.extra_cols);
    let sql = format!(
        "SELECT {cols} FROM {table} WHERE tenant_id = $1 AND {sealed} IS NOT NULL AND {stale} {after} \
         ORDER BY {key} LIMIT {limit}",
        cols = cols.join(", "),
        table = t.table,
        sealed = t.sealed_col,
        stale = any_stale(t, newest),
        after = if after.is_some() {
            format!("AND {} > $2", t.key_col)
        } else {
            String::new()
        },
        key = t.key_col,
    );
    let mut params = params![tenant];
    params.extend(after.map(Param::from));
    let rows: Vec<TextRow> = store.fetch_all(&sql, params).await?;
    let n_fp = t.fp_cols.len();
    rows.into_iter()
        .map(|r| {
            Ok(FingerprintRow {
                key: r.text(0)?,
                sealed: r.text(1)?,
                fps: (0..n_fp).map(|i| r.text(2 + i)).collect::<Result<_, _>>()?,
                extra: r.0[2 + n_fp..].to_vec(),
            })
        })
        .collect()
}

/// How a guarded update ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    Done,
    /// The row changed (or went away) since it was read: a running server
    /// wrote it, with the newest version.
    Raced,
    /// Another row already holds the new fingerprint under a unique index
    /// (a duplicate written under two versions while both were live).
    Conflict,
}

/// Writes the recomputed fingerprints of a row, only if the row still holds
/// what was read (sealed value and every fingerprint), so a concurrent write
/// by a running server wins.
pub async fn update_row(
    store: &Store,
    t: &FingerprintTable,
    tenant: &str,
    row: &FingerprintRow,
    new_fps: &[String],
) -> Result<Update, StoreError> {
    let n = t.fp_cols.len();
    let sets: Vec<String> = t
        .fp_cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let mut sql = format!(
        "UPDATE {} SET {} WHERE tenant_id = ${} AND {} = ${} AND {} = ${}",
        t.table,
        sets.join(", "),
        n + 1,
        t.key_col,
        n + 2,
        t.sealed_col,
        n + 3
    );
    for (i, c) in t.fp_cols.iter().enumerate() {
        sql.push_str(&format!(" AND {c} = ${}", n + 4 + i));
    }
    let mut params: Params = new_fps.iter().map(Param::from).collect();
    params.extend(params![tenant, &row.key, &row.sealed]);
    params.extend(row.fps.iter().map(Param::from));
    let result = store.execute(&sql, params).await.map(|n| n == 1);
    match result {
        Ok(true) => Ok(Update::Done),
        Ok(false) => Ok(Update::Raced),
        Err(StoreError::Unique(_)) => Ok(Update::Conflict),
        Err(e) => Err(e),
    }
}

/// Per fingerprint column ("table.column"): how many values are not on
/// their tenant's newest fingerprint key (what a finished pass leaves at 0).
pub async fn stale_counts(
    store: &Store,
    keyring: &Keyring,
) -> Result<Vec<(String, u64)>, StoreError> {
    let tenants = tenant_ids(store).await?;
    let mut newest = Vec::with_capacity(tenants.len());
    for tenant in &tenants {
        newest.push(keyring.fresh(store, tenant).await?.fingerprint_version());
    }
    let mut out = Vec::new();
    for t in FINGERPRINT_TABLES {
        for col in t.fp_cols {
            let mut stale = 0u64;
            for (tenant, v) in tenants.iter().zip(&newest) {
                stale += tenant_stale(store, t, col, tenant, *v).await?;
            }
            out.push((format!("{}.{col}", t.table), stale));
        }
    }
    Ok(out)
}

/// How many values of one column of one tenant are not on version `newest`.
pub async fn tenant_stale(
    store: &Store,
    t: &FingerprintTable,
    col: &str,
    tenant: &str,
    newest: i64,
) -> Result<u64, StoreError> {
    let sql = format!(
        "SELECT COUNT(*) FROM {table} WHERE tenant_id = $1 AND {stale}",
        table = t.table,
        stale = stale_condition(col, newest)
    );
    let n: i64 = store.fetch_scalar(&sql, params![tenant]).await?;
    Ok(n as u64)
}

pub async fn tenant_ids(store: &Store) -> Result<Vec<String>, StoreError> {
    let ids: Vec<(String,)> = store
        .fetch_all("SELECT id FROM tenants ORDER BY id", params![])
        .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fingerprinted_value_is_a_sealed_column() {
        for t in FINGERPRINT_TABLES {
            let sealed = crate::sealed::SEALED_COLUMNS
                .iter()
                .find(|c| c.table == t.table && c.column == t.sealed_col)
                .unwrap_or_else(|| panic!("{}.{} is not sealed", t.table, t.sealed_col));
            assert_eq!(sealed.key_cols, &[t.key_col]);
            assert_eq!(sealed.aad_table, t.aad_table);
            assert_eq!(sealed.aad_column, t.aad_column);
            assert!(sealed.row_bound, "{}", t.table);
        }
    }

    #[test]
    fn stale_means_not_on_the_newest_prefix() {
        assert_eq!(stale_condition("fp", 1), "1 = 0");
        assert_eq!(
            stale_condition("fp", 3),
            "(fp <> '' AND fp NOT LIKE 'fp3.%')"
        );
        assert_eq!(in_list(4, 3), "$4, $5, $6");
    }
}
