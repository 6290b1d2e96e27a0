-- encryptedCustomerInput values already submitted (spec 003: each can be
-- submitted once). SHA-256 of the JWE; kept until its client session expires.
CREATE TABLE ct_used_inputs (
    tenant_id TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, input_hash)
);
CREATE INDEX ct_used_inputs_expiry ON ct_used_inputs (expires_at);
