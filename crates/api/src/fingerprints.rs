//! The re-fingerprint pass (`admin keys refingerprint`, PCI DSS 3.6/3.7):
//! after `admin keys rotate --key fp` every fingerprint column is
//! recomputed under the tenant's newest fingerprint key, from the row's
//! opened sealed value, in exactly the canonical form the product writes,
//! and the older versions are then retired.
//!
//! Each product's canonical form lives with the product and is shared by
//! its writer and this pass: `checkcashing::service` (SSN, card number, card
//! data), `gateway::verify::account_canonical`, `connect::tokens`
//! (`number_fp_domain`), `checks::deposit::presentment_key`. Before a value
//! is replaced, the pass recomputes it under the version it carries: a row
//! whose stored fingerprint is not what its own data gives (`mismatched`)
//! is left alone and reported, never silently changed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use fundline_store::fingerprints::{
    self as store_fp, FingerprintRow, FingerprintTable, Update, FINGERPRINT_TABLES,
};
use fundline_store::keyring::{self, Keyring};
use fundline_store::{Store, StoreError};
use fundline_vault::{fingerprint_version_of, TenantKeys};

use crate::checkcashing::service::{card_number_fp_domain, CardData, CARD_DATA_FP, SSN_FP};
use crate::checks::deposit::{presentment_key, PRESENTMENT_FP};
use crate::connect::tokens::number_fp_domain;
use crate::gateway::verify::{account_canonical, ACCOUNT_FP};

/// Rows read per batch; each row is then updated on its own.
const BATCH: i64 = 200;

#[derive(Debug, Clone, Copy, Default)]
pub struct PassOptions {
    /// Stop after this many rows were re-fingerprinted (a pass spread over
    /// several windows; run it again to continue). No retirement then.
    pub max_rows: Option<u64>,
    /// Leave the older fingerprint key versions live at the end.
    pub keep_old: bool,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct RefingerprintReport {
    /// Rows whose fingerprints were recomputed under the newest key.
    pub refingerprinted: u64,
    /// Rows a running server changed between read and update (it wrote
    /// them with the newest key).
    pub raced: u64,
    /// Rows whose new fingerprint another row already holds (a duplicate
    /// written under two versions while both were live): left as they are.
    pub conflicts: u64,
    /// Rows whose sealed value does not open (damaged, or copied from
    /// another row).
    pub unreadable: u64,
    /// Rows whose stored fingerprint is not the one their data gives under
    /// its own version: left as they are.
    pub mismatched: u64,
    /// Fingerprint values not on their tenant's newest key after the pass.
    pub left: u64,
    /// Tenants whose older fingerprint key versions were retired.
    pub retired_tenants: u64,
    /// The pass stopped at `max_rows`.
    pub stopped_early: bool,
    pub seconds: f64,
    pub rows_per_second: f64,
}

/// The fingerprints of a row under one key version, in the order of the
/// table's `fp_cols`, from its opened sealed value `plain` and plain
/// columns; None when the canonical form cannot be rebuilt. An empty string
/// stands for "no fingerprint" (a MICR line that does not parse).
pub fn row_fingerprints(
    keys: &TenantKeys,
    version: i64,
    t: &FingerprintTable,
    row: &FingerprintRow,
    plain: &str,
) -> Option<Vec<String>> {
    let at = |domain: &str, value: &str| keys.fingerprint_at(version, domain, value);
    let extra = |col: &str| row.extra(t, col).unwrap_or("");
    Some(match t.table {
        "cc_customers" => vec![at(SSN_FP, plain)?],
        "cc_cards" => {
            let kind = extra("kind");
            let data = CardData::of_row(
                kind,
                extra("expiration_mmyy"),
                extra("nickname"),
                row.extra(t, "name_on_card"),
                extra("address_line1"),
                extra("address_line2"),
                extra("city"),
                extra("state"),
                extra("zip"),
                extra("bin"),
                extra("last4"),
            );
            vec![
                at(&card_number_fp_domain(kind), plain)?,
                at(CARD_DATA_FP, &data.canonical())?,
            ]
        }
        "gw_accounts" => {
            let details: serde_json::Value = serde_json::from_str(extra("details_json")).ok()?;
            let canonical = account_canonical(extra("account_type"), plain, &details)?;
            vec![at(ACCOUNT_FP, &canonical)?]
        }
        "ct_tokens" => vec![at(&number_fp_domain(extra("kind")), plain)?],
        "cc_checks" => vec![match presentment_key(plain) {
            Some(k) => at(PRESENTMENT_FP, &k)?,
            None => String::new(),
        }],
        _ => return None,
    })
}

enum Outcome {
    Updated(Update),
    Unreadable,
    Mismatched,
}

/// Recomputes one row's fingerprints under `newest` and writes them,
/// guarded by what was read.
async fn refingerprint_row(
    store: &Store,
    keys: &TenantKeys,
    tenant: &str,
    t: &FingerprintTable,
    row: &FingerprintRow,
    newest: i64,
) -> Result<Outcome, StoreError> {
    let Ok(opened) = keys.open_string_row(t.aad_table, t.aad_column, &row.key, &row.sealed) else {
        return Ok(Outcome::Unreadable);
    };
    let plain = opened.expose();
    // Every stored value must be what the row's data gives under the value's
    // own version: that proves the canonical form before it is replaced.
    let mut by_version: BTreeMap<i64, Option<Vec<String>>> = BTreeMap::new();
    let mut new = Vec::with_capacity(row.fps.len());
    for (i, stored) in row.fps.iter().enumerate() {
        if stored.is_empty() {
            new.push(String::new());
            continue;
        }
        let Some(version) = fingerprint_version_of(stored) else {
            return Ok(Outcome::Mismatched);
        };
        for v in [version, newest] {
            by_version
                .entry(v)
                .or_insert_with(|| row_fingerprints(keys, v, t, row, plain));
        }
        let recomputed = by_version[&version].as_ref().map(|fps| &fps[i]);
        if recomputed != Some(stored) {
            return Ok(Outcome::Mismatched);
        }
        match &by_version[&newest] {
            Some(fps) if !fps[i].is_empty() => new.push(fps[i].clone()),
            _ => return Ok(Outcome::Mismatched),
        }
    }
    if new == row.fps {
        return Ok(Outcome::Updated(Update::Done));
    }
    Ok(Outcome::Updated(
        store_fp::update_row(store, t, tenant, row, &new).await?,
    ))
}

/// Lets running servers' key caches expire so that every node writes
/// fingerprints with the newest key before the pass starts: a value written
/// with an older key after the pass went by would be missed by lookups once
/// that key is retired.
async fn wait_for_servers(
    store: &Store,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<(), StoreError> {
    let Some(at) = keyring::newest_fingerprint_key_at(store).await? else {
        return Ok(());
    };
    let ready = at + (keyring::CACHE_TTL + Duration::from_secs(1)).as_micros() as i64;
    let now = fundline_store::now_micros();
    if now < ready {
        let wait = Duration::from_micros((ready - now) as u64);
        progress(&format!(
            "refingerprint: waiting {:.1} s for running servers to pick the new fingerprint key up",
            wait.as_secs_f64()
        ));
        tokio::time::sleep(wait).await;
    }
    Ok(())
}

/// Recomputes every fingerprint of every tenant that is not on the tenant's
/// newest fingerprint key, then retires the older versions of each tenant
/// left with none. Safe beside running servers (each update is guarded by
/// the values read, so a concurrent write wins); resumable (only rows not
/// yet on the newest key are read, so running it again continues where a
/// stopped run ended, and a finished pass finds nothing to do). `progress`
/// gets one line per batch.
pub async fn refingerprint(
    store: &Store,
    keyring: &Keyring,
    opts: PassOptions,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<RefingerprintReport, StoreError> {
    wait_for_servers(store, progress).await?;
    let started = Instant::now();
    let mut report = RefingerprintReport::default();
    'tenants: for tenant in store_fp::tenant_ids(store).await? {
        let keys = keyring.fresh(store, &tenant).await?;
        let mut pass = Pass {
            store,
            keys: &keys,
            tenant: &tenant,
            opts,
            report: &mut report,
            progress: &mut *progress,
        };
        for t in FINGERPRINT_TABLES {
            if pass.table(t).await? == Stopped::AtMaxRows {
                break 'tenants;
            }
        }
        if !opts.keep_old && keys.live_fingerprint_versions().len() >= 2 {
            pass.retire_when_done().await?;
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    if report.seconds > 0.0 {
        report.rows_per_second = report.refingerprinted as f64 / report.seconds;
    }
    report.left = store_fp::stale_counts(store, keyring)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    Ok(report)
}

#[derive(Debug, PartialEq, Eq)]
enum Stopped {
    AtMaxRows,
    Finished,
}

/// One tenant's part of a re-fingerprint pass.
struct Pass<'a> {
    store: &'a Store,
    keys: &'a TenantKeys,
    tenant: &'a str,
    opts: PassOptions,
    report: &'a mut RefingerprintReport,
    progress: &'a mut (dyn FnMut(&str) + Send),
}

impl Pass<'_> {
    /// Re-fingerprints the table's rows not on the newest key, a batch at a
    /// time, unless the pass's row budget runs out.
    async fn table(&mut self, t: &FingerprintTable) -> Result<Stopped, StoreError> {
        let (store, tenant) = (self.store, self.tenant);
        let newest = self.keys.fingerprint_version();
        let mut after: Option<String> = None;
        let mut checked = 0u64;
        loop {
            let rows =
                store_fp::stale_rows(store, t, tenant, newest, after.as_deref(), BATCH).await?;
            let n = rows.len();
            for row in &rows {
                if self
                    .opts
                    .max_rows
                    .is_some_and(|max| self.report.refingerprinted >= max)
                {
                    self.report.stopped_early = true;
                    return Ok(Stopped::AtMaxRows);
                }
                after = Some(row.key.clone());
                checked += 1;
                let report = &mut *self.report;
                match refingerprint_row(store, self.keys, tenant, t, row, newest).await? {
                    Outcome::Updated(Update::Done) => report.refingerprinted += 1,
                    Outcome::Updated(Update::Raced) => report.raced += 1,
                    Outcome::Updated(Update::Conflict) => report.conflicts += 1,
                    Outcome::Unreadable => report.unreadable += 1,
                    Outcome::Mismatched => report.mismatched += 1,
                }
            }
            if n > 0 {
                (self.progress)(&format!(
                    "refingerprint: tenant {tenant} {}: {checked} rows checked ({} re-fingerprinted so far)",
                    t.table, self.report.refingerprinted
                ));
            }
            if (n as i64) < BATCH {
                return Ok(Stopped::Finished);
            }
        }
    }

    /// Retires the tenant's older fingerprint key versions once no row
    /// uses them.
    async fn retire_when_done(&mut self) -> Result<(), StoreError> {
        let (store, tenant) = (self.store, self.tenant);
        let newest = self.keys.fingerprint_version();
        let mut left = 0;
        for t in FINGERPRINT_TABLES {
            for col in t.fp_cols {
                left += store_fp::tenant_stale(store, t, col, tenant, newest).await?;
            }
        }
        if left > 0 {
            return Ok(());
        }
        let n =
            keyring::retire_fingerprint_keys(store, tenant, newest, fundline_store::now_micros())
                .await?;
        if n > 0 {
            self.report.retired_tenants += 1;
            crate::audit!("key.retire", tenant_id = %tenant, key = keyring::FP, below_version = newest);
            (self.progress)(&format!(
                "refingerprint: tenant {tenant}: fingerprint key versions below {newest} retired"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fundline_vault::DataKey;

    fn keys() -> TenantKeys {
        TenantKeys::new("t", DataKey::generate(), vec![(1, DataKey::generate())])
            .unwrap()
            .with_fingerprint_keys(vec![
                (1, DataKey::generate(), true),
                (2, DataKey::generate(), true),
            ])
            .unwrap()
    }

    /// The fingerprinted table `name`.
    fn table(name: &str) -> &'static FingerprintTable {
        FINGERPRINT_TABLES.iter().find(|t| t.table == name).unwrap()
    }

    /// The first version-2 fingerprint of a row of `t` (its other columns
    /// `extra`) that holds `plain`.
    fn first_fp(
        k: &TenantKeys,
        t: &FingerprintTable,
        extra: &[(&str, Option<&str>)],
        plain: &str,
    ) -> String {
        row_fingerprints(k, 2, t, &row(t, extra), plain).unwrap()[0].clone()
    }

    fn row(t: &FingerprintTable, extra: &[(&str, Option<&str>)]) -> FingerprintRow {
        FingerprintRow {
            key: "r".into(),
            sealed: String::new(),
            fps: vec![String::new(); t.fp_cols.len()],
            extra: t
                .extra_cols
                .iter()
                .map(|c| {
                    extra
                        .iter()
                        .find(|(n, _)| n == c)
                        .and_then(|(_, v)| v.map(str::to_string))
                })
                .collect(),
        }
    }

    #[test]
    fn every_fingerprint_table_has_a_canonical_form() {
        let k = keys();
        for t in FINGERPRINT_TABLES {
            let r = row(
                t,
                &[
                    ("kind", Some("pan")),
                    ("account_type", Some("AC")),
                    (
                        "details_json",
                        Some(
                            r#"{"recipient":{"first_name":"A","last_name":"B","address1":"1","address2":null,"city":"C","state":"GA","zip":"30303"},"routing_number":"011000015"}"#,
                        ),
                    ),
                ],
            );
            let plain = match t.table {
                "cc_checks" => "T021000021T 000123456789O 0042",
                "cc_customers" => "123456789",
                _ => "4111111111111111",
            };
            let fps = row_fingerprints(&k, 2, t, &r, plain)
                .unwrap_or_else(|| panic!("{} has no canonical form", t.table));
            assert_eq!(fps.len(), t.fp_cols.len());
            for fp in &fps {
                assert!(fp.starts_with("fp2."), "{}: {fp}", t.table);
            }
            let v1 = row_fingerprints(&k, 1, t, &r, plain).unwrap();
            assert_eq!(fingerprint_version_of(&v1[0]), Some(1));
        }
    }

    #[test]
    fn canonical_forms_are_the_writers() {
        let k = keys();
        let t = table("cc_customers");
        assert_eq!(
            first_fp(&k, t, &[], "123456789"),
            k.fingerprint("ssn", "123456789")
        );
        let t = table("cc_checks");
        assert_eq!(
            first_fp(&k, t, &[], "T021000021T 123-456-789O 42"),
            k.fingerprint("check-presentment", "021000021|123456789|42")
        );
        assert_eq!(first_fp(&k, t, &[], "garbage"), "");
        let t = table("ct_tokens");
        assert_eq!(
            first_fp(&k, t, &[("kind", Some("sepaDirectDebit"))], "DE89"),
            k.fingerprint("ct-sepaDirectDebit", "DE89")
        );
        // A token card without its last four was stored with "****".
        let t = table("cc_cards");
        let r = row(
            t,
            &[
                ("kind", Some("token")),
                ("expiration_mmyy", Some("1230")),
                ("nickname", Some("Mine")),
                ("name_on_card", None),
                ("address_line1", Some("1 Main")),
                ("address_line2", Some("")),
                ("city", Some("Atlanta")),
                ("state", Some("GA")),
                ("zip", Some("30303")),
                ("bin", Some("411111")),
                ("last4", Some("****")),
            ],
        );
        let fps = row_fingerprints(&k, 2, t, &r, "tok-1").unwrap();
        assert_eq!(fps[0], k.fingerprint("card-token", "tok-1"));
        assert_eq!(
            fps[1],
            k.fingerprint(
                "card-data",
                r#"["1230","Mine","","1 Main","","Atlanta","GA","30303","411111",""]"#
            )
        );
    }
}
