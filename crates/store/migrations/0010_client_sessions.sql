-- Client sessions of the token service, and the RSA keys whose public half
-- the client API hands out for encryptedCustomerInput. Private keys are sealed.
CREATE TABLE ct_client_keys (
    key_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    private_sealed TEXT NOT NULL,
    public_der_b64 TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ct_client_keys_tenant ON ct_client_keys(tenant_id, created_at);

CREATE TABLE ct_client_sessions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    merchant_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    key_id TEXT NOT NULL REFERENCES ct_client_keys(key_id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ct_client_sessions_customer ON ct_client_sessions(customer_id);
