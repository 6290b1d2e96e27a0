-- Accounts tokenized by /gateway/verify (and the hosted page). The account
-- number is sealed; `fp` is a keyed fingerprint of the account and recipient
-- data, so the same data gives the same token (unique per tenant).
CREATE TABLE gw_accounts (
    token TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    account_type TEXT NOT NULL,
    fp TEXT NOT NULL,
    account_sealed TEXT NOT NULL,
    last4 TEXT NOT NULL,
    -- Non-sensitive details: names, address, expiry (YYMM), routing number,
    -- payee id, network, beneficiary block without its account number.
    details_json TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX gw_accounts_fp ON gw_accounts(tenant_id, fp);

-- The biller directory for bill pay (BP) and /gateway/search.
CREATE TABLE gw_billers (
    payee_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT,
    city TEXT,
    state TEXT,
    zip TEXT,
    -- What a biller's account numbers look like: 'digits:MIN:MAX' or 'alnum:MIN:MAX'.
    account_pattern TEXT NOT NULL,
    posting_days BIGINT NOT NULL
);
-- Sandbox billers (from the spec's samples); operators load their own.
INSERT INTO gw_billers VALUES ('526263', 'Bank of America - Platinum MasterCard and Visa', 'PO Box 15019', 'Wilmington', 'DE', '19850-5019', 'digits:12:19', 1);
INSERT INTO gw_billers VALUES ('123457', 'First Service Middle Jersey', 'PO Box 5555', 'Secaucus', 'NJ', '07032-0310', 'digits:6:12', 1);
INSERT INTO gw_billers VALUES ('550333', 'Test', NULL, NULL, NULL, NULL, 'alnum:4:20', 1);
INSERT INTO gw_billers VALUES ('600100', 'Georgia Power', '96 Annex', 'Atlanta', 'GA', '30396-0001', 'digits:10:10', 2);
INSERT INTO gw_billers VALUES ('600200', 'Capital One Card Services', 'PO Box 60599', 'City of Industry', 'CA', '91716-0599', 'digits:16:16', 1);
