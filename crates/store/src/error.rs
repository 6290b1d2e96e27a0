use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique index refused the write. The repository functions turn the
    /// violations they expect into outcomes of their own (the index, not a
    /// prior SELECT, decides); one that reaches a caller was not expected.
    #[error("unique constraint {0} violated")]
    Unique(String),
    #[error("the vault refused: {0}")]
    Vault(String),
    #[error("{0}")]
    Config(String),
    #[error("commit failed: {0}")]
    CommitFailed(String),
    #[error("the write queue is closed")]
    WriterGone,
    /// A text value held a NUL character. PostgreSQL cannot store or
    /// compare one, so both engines refuse it before the statement runs:
    /// the input was bad, and the caller answers as it does to bad input.
    #[error("a text value holds a NUL character")]
    NulInText,
}

/// How a write closure run by `Store::write_or_refuse` stops early: a
/// refusal (an outcome of the business, handed back as a value) or a
/// failure. Either rolls the write back.
#[derive(Debug)]
pub enum Abort<R> {
    Refused(R),
    Failed(StoreError),
}

impl<R> From<StoreError> for Abort<R> {
    fn from(e: StoreError) -> Self {
        Abort::Failed(e)
    }
}

impl<R> From<sqlx::Error> for Abort<R> {
    fn from(e: sqlx::Error) -> Self {
        Abort::Failed(e.into())
    }
}

/// The name of the unique index a database error reports, if it is one.
/// PostgreSQL names the constraint; SQLite names the columns, so SQLite
/// errors are matched on the message "UNIQUE constraint failed: table.col, …"
/// against the index definitions we own (see `sqlite_index_for`).
pub fn unique_constraint(err: &sqlx::Error) -> Option<String> {
    let db = err.as_database_error()?;
    if !matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation) {
        return None;
    }
    if let Some(c) = db.constraint() {
        return Some(c.to_string());
    }
    let msg = db.message();
    let cols = msg.strip_prefix("UNIQUE constraint failed: ")?;
    Some(sqlite_index_for(cols).unwrap_or(cols).to_string())
}

/// SQLite reports "table.col1, table.col2"; map each of our unique indexes'
/// column lists back to the index name so both engines yield the same name.
fn sqlite_index_for(cols: &str) -> Option<&'static str> {
    SQLITE_INDEXES
        .iter()
        .find(|(c, _)| *c == cols)
        .map(|(_, n)| *n)
}

/// (SQLite's column list, index name) of every unique index whose
/// violation a repository turns into an outcome (a test checks the list
/// against the migrations).
const SQLITE_INDEXES: &[(&str, &str)] = &[
    (
        "cc_customers.tenant_id, cc_customers.ssn_fp",
        "cc_customers_ssn",
    ),
    (
        "cc_customers.tenant_id, cc_customers.email",
        "cc_customers_email",
    ),
    (
        "cc_cards.tenant_id, cc_cards.customer_id, cc_cards.kind, cc_cards.number_fp",
        "cc_cards_live",
    ),
    (
        "credentials.product, credentials.public_id",
        "credentials_pkey",
    ),
    (
        "credentials.product, credentials.numeric_id",
        "credentials_numeric",
    ),
    (
        "credentials.tenant_id, credentials.product",
        "credentials_tenant_product",
    ),
    ("users.tenant_id, users.email", "users_tenant_email"),
    (
        "ba_report_requests.link_token_hash",
        "ba_report_requests_link",
    ),
    (
        "ba_report_requests.tenant_id, ba_report_requests.report_number",
        "ba_report_requests_number",
    ),
    ("ba_report_requests.customer_id", "ba_report_requests_open"),
    (
        "ba_accounts.report_id, ba_accounts.account_no",
        "ba_accounts_report",
    ),
    (
        "ba_transactions.report_id, ba_transactions.transaction_no",
        "ba_transactions_no",
    ),
    ("vault_meta.id", "vault_meta_pkey"),
    ("tenants.id", "tenants_pkey"),
    (
        "gw_seen_signatures.signature_hash",
        "gw_seen_signatures_pkey",
    ),
    (
        "gw_payment_keys.tenant_id, gw_payment_keys.idem_key",
        "gw_payment_keys_pkey",
    ),
    (
        "gw_idempotency.tenant_id, gw_idempotency.idem_key",
        "gw_idempotency_pkey",
    ),
    ("gw_session_urls.url_hash", "gw_session_urls_pkey"),
    ("gw_accounts.tenant_id, gw_accounts.fp", "gw_accounts_fp"),
    (
        "ct_idempotence.tenant_id, ct_idempotence.merchant_id, ct_idempotence.idem_key",
        "ct_idempotence_pkey",
    ),
    (
        "ct_tokens.tenant_id, ct_tokens.merchant_id, ct_tokens.kind, ct_tokens.number_fp",
        "ct_tokens_number",
    ),
    (
        "tenant_keys.tenant_id, tenant_keys.purpose, tenant_keys.version",
        "tenant_keys_pkey",
    ),
    (
        "ct_client_sessions.customer_id",
        "ct_client_sessions_customer",
    ),
    ("ba_reports.report_id", "ba_reports_pkey"),
];

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::from_sqlx(err)
    }
}

impl From<rusqlite::Error> for StoreError {
    /// Lifts unique violations into `Unique`, named as on PostgreSQL.
    fn from(err: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(e, Some(msg)) = &err {
            let unique = [
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE,
                rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY,
            ];
            if unique.contains(&e.extended_code) {
                if let Some(cols) = msg.strip_prefix("UNIQUE constraint failed: ") {
                    return StoreError::Unique(sqlite_index_for(cols).unwrap_or(cols).to_string());
                }
            }
        }
        StoreError::Sqlite(err)
    }
}

impl StoreError {
    /// Converts a sqlx error, lifting unique violations into `Unique`.
    pub fn from_sqlx(err: sqlx::Error) -> StoreError {
        match unique_constraint(&err) {
            Some(name) => StoreError::Unique(name),
            None => StoreError::Db(err),
        }
    }

    pub(crate) fn is_unique(&self, index: &str) -> bool {
        matches!(self, StoreError::Unique(n) if n == index)
    }
}

#[cfg(test)]
mod tests {
    use super::{sqlite_index_for, SQLITE_INDEXES};
    use std::collections::BTreeMap;

    /// Unique indexes and keys a write never violates as an outcome, so
    /// SQLite's column list need not be named: (index, why).
    const NOT_OUTCOMES: &[(&str, &str)] = &[
        ("gw_velocity_pkey", "written by an upsert (ON CONFLICT)"),
        ("tenant_settings_pkey", "written by an upsert (ON CONFLICT)"),
        ("cc_webhooks_pkey", "written by an upsert (ON CONFLICT)"),
        (
            "cc_customer_attributes_pkey",
            "written by an upsert (ON CONFLICT)",
        ),
        (
            "ba_login_failures_pkey",
            "written by an upsert (ON CONFLICT)",
        ),
        ("ct_used_inputs_pkey", "written by ON CONFLICT DO NOTHING"),
        ("cc_check_images_pkey", "written by ON CONFLICT DO NOTHING"),
        (
            "gw_allowed_hosts_pkey",
            "rewritten whole after a delete in the same write",
        ),
        ("gw_billers_pkey", "seeded by the migrations only"),
        (
            "cc_checks_pkey",
            "keyed by the transaction inserted in the same write",
        ),
        ("gw_accounts_pkey", "a fresh UUID token"),
        ("ct_client_keys_pkey", "a fresh random key id"),
        (
            "cc_partner_sessions_pkey",
            "the hash of a fresh random session token",
        ),
        ("cc_sso_tokens_pkey", "the hash of a fresh random token"),
        ("gw_page_views_pkey", "the hash of a fresh random token"),
        ("ba_refresh_tokens_pkey", "the hash of a fresh random token"),
        ("cc_check_sessions_pkey", "the hash of a fresh random token"),
    ];

    /// Every unique index and primary key the migrations leave, as
    /// (PostgreSQL's name, SQLite's "table.col, …" list).
    fn unique_indexes() -> BTreeMap<String, String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("migrations directory")
            .map(|e| e.expect("migration entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        let mut out = BTreeMap::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("migration");
            let sql: String = text
                .lines()
                .map(|l| l.split("--").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join(" ");
            for statement in sql.split(';') {
                let words: Vec<&str> = statement.split_whitespace().collect();
                let st = words.join(" ");
                let upper = st.to_uppercase();
                if upper.starts_with("CREATE UNIQUE INDEX ") {
                    let (name, table, cols) = index_parts(&st);
                    out.insert(name, qualified(&table, &cols));
                } else if upper.starts_with("DROP INDEX ") {
                    out.remove(words[2]);
                } else if upper.starts_with("CREATE TABLE ") {
                    let table = words[2];
                    let body = &st
                        [st.find('(').expect("table body") + 1..st.rfind(')').expect("table body")];
                    for item in top_level_items(body) {
                        let u = item.to_uppercase();
                        let unique = u
                            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                            .any(|w| w == "UNIQUE");
                        assert!(!unique, "inline UNIQUE in {table}: name it as an index");
                        if let Some(rest) = u.strip_prefix("PRIMARY KEY") {
                            let cols = &item[item.len() - rest.len()..];
                            let cols = cols.trim().trim_start_matches('(').trim_end_matches(')');
                            out.insert(format!("{table}_pkey"), qualified(table, cols));
                        } else if u.contains(" PRIMARY KEY") {
                            let col = item.split_whitespace().next().expect("column");
                            out.insert(format!("{table}_pkey"), qualified(table, col));
                        }
                    }
                }
            }
        }
        out
    }

    /// (name, table, columns) of "CREATE UNIQUE INDEX name ON table(cols) …".
    fn index_parts(st: &str) -> (String, String, String) {
        let words: Vec<&str> = st.split_whitespace().collect();
        let name = words[3].to_string();
        let on = st.find(" ON ").expect("ON") + 4;
        let open = st[on..].find('(').expect("columns") + on;
        let close = st[open..].find(')').expect("columns") + open;
        (
            name,
            st[on..open].trim().to_string(),
            st[open + 1..close].to_string(),
        )
    }

    fn qualified(table: &str, cols: &str) -> String {
        cols.split(',')
            .map(|c| format!("{table}.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A CREATE TABLE body split at its top-level commas.
    fn top_level_items(body: &str) -> Vec<String> {
        let (mut items, mut cur, mut depth) = (Vec::new(), String::new(), 0);
        for ch in body.chars() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(cur.trim().to_string());
                    cur.clear();
                    continue;
                }
                _ => {}
            }
            cur.push(ch);
        }
        items.push(cur.trim().to_string());
        items
    }

    #[test]
    fn every_unique_index_is_named_on_sqlite_or_excluded_with_a_reason() {
        let indexes = unique_indexes();
        assert!(indexes.len() > 40, "parsed too few: {indexes:?}");
        let mut missing = Vec::new();
        for (name, cols) in &indexes {
            let excluded = NOT_OUTCOMES.iter().any(|(n, _)| n == name)
                // A fresh UUID primary key never collides.
                || cols.ends_with(".id") && !cols.contains(',');
            match sqlite_index_for(cols) {
                Some(n) => assert_eq!(n, name, "{cols} maps to the wrong index"),
                None if excluded => {}
                None => missing.push(format!("{name}: {cols}")),
            }
        }
        assert!(
            missing.is_empty(),
            "add to sqlite_index_for or NOT_OUTCOMES: {missing:#?}"
        );
        for (name, _) in NOT_OUTCOMES {
            assert!(
                indexes.contains_key(*name),
                "{name} is excluded but no longer exists"
            );
        }
        for (cols, name) in SQLITE_INDEXES {
            assert_eq!(
                indexes.get(*name).map(String::as_str),
                Some(*cols),
                "{name} is stale"
            );
        }
    }
}
