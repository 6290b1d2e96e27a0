-- X-GCS-Idempotence-Key: the first answer to a key, replayed to repeats.
-- state 'in_progress' until the first request finishes.
CREATE TABLE ct_idempotence (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    merchant_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    state TEXT NOT NULL,
    status BIGINT,
    body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, merchant_id, idem_key)
);
