-- A signed gateway request's first answer, kept (sealed) until its X-Date
-- window closes, so an exact retry gets that answer instead of a refusal or
-- a second effect (docs/gateway.md, "Retries").
ALTER TABLE gw_seen_signatures ADD COLUMN tenant_id TEXT;
ALTER TABLE gw_seen_signatures ADD COLUMN answer_status BIGINT;
ALTER TABLE gw_seen_signatures ADD COLUMN answer_sealed TEXT;

-- participant_unique_id1 is a correlation id (spec 002: "CustomerID or
-- AccountID"), repeated across a customer's payments: searchable, not unique.
DROP INDEX gw_payments_uid1;
CREATE INDEX gw_payments_uid1_lookup ON gw_payments(tenant_id, participant_unique_id1);

-- A payment's own idempotency: Idempotency-Key, spec 001's semantics.
CREATE TABLE gw_payment_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    payment_id TEXT NOT NULL REFERENCES gw_payments(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, idem_key)
);
