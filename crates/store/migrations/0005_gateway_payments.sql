-- Payments made by /gateway/process, their ledger, and velocity counters.

CREATE TABLE gw_payments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    token TEXT NOT NULL REFERENCES gw_accounts(token),
    account_type TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    status TEXT NOT NULL,
    participant_unique_id1 TEXT NOT NULL,
    participant_unique_id2 TEXT NOT NULL,
    estimated_posting_time TEXT NOT NULL,
    estimated_posting_date TEXT NOT NULL,
    -- Checks only: when the print run takes it (after that it cannot be cancelled).
    print_at BIGINT,
    created_at BIGINT NOT NULL,
    cancelled_at BIGINT
);
-- participant_unique_id1 is the payment's idempotency key.
CREATE UNIQUE INDEX gw_payments_uid1 ON gw_payments(tenant_id, participant_unique_id1);

-- Double entry: every transaction's entries sum to zero.
CREATE TABLE ledger_entries (
    id TEXT PRIMARY KEY,
    transaction_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    account TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ledger_entries_tx ON ledger_entries(transaction_id);

-- Running totals per scope and UTC day; updated in the payment's transaction.
CREATE TABLE gw_velocity (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    scope TEXT NOT NULL,
    day TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, scope, day)
);
