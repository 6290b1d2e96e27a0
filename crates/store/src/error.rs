use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique index refused the write; carries the index name so callers
    /// map it to their own domain error (the index, not a prior SELECT, decides).
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
    /// A domain rule failed inside a write closure; rolls the write back.
    #[error("rejected: {0}")]
    Rejected(String),
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
    const INDEXES: &[(&str, &str)] = &[
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
            "gw_payments.tenant_id, gw_payments.participant_unique_id1",
            "gw_payments_uid1",
        ),
        (
            "tenant_keys.tenant_id, tenant_keys.purpose, tenant_keys.version",
            "tenant_keys_pkey",
        ),
    ];
    INDEXES.iter().find(|(c, _)| *c == cols).map(|(_, n)| *n)
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::from_sqlx(err)
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

    pub fn is_unique(&self, index: &str) -> bool {
        matches!(self, StoreError::Unique(n) if n == index)
    }
}
