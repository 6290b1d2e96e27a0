-- What each shared account's statements say, for the report's balances and
-- data quality (docs/analysis-report.md, "Balance sources", "Data quality").
-- owner_name: the holder's name as the statement gives it.
-- currency_source: 'file', 'inferred' (IBAN country, sort code, ...) or
-- 'unknown' (the file gives none and nothing implies one).
-- statements: JSON array, one object per statement of the account (period,
-- opening/closing/available balances, the sum and count of its entries).
ALTER TABLE ba_accounts ADD COLUMN owner_name TEXT;
ALTER TABLE ba_accounts ADD COLUMN currency_source TEXT;
ALTER TABLE ba_accounts ADD COLUMN statements TEXT;
