-- Per-tenant product settings as validated JSON documents (the gateway's:
-- retail flag, CVV, destinations, attempt limits, issuer limits, velocity).
CREATE TABLE tenant_settings (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    product TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, product)
);
