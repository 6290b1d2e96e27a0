-- Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- UUIDs as TEXT, timestamps as BIGINT microseconds since the epoch (UTC),
-- money as BIGINT cents, booleans as BIGINT 0/1, binary data as base64 TEXT.

CREATE TABLE vault_meta (
    id BIGINT PRIMARY KEY,
    check_value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    is_sandbox BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Wrapped (encrypted) per-tenant keys. purpose 'fp' = fingerprint key (never
-- rotates), 'dek' = data encryption key (one row per version).
CREATE TABLE tenant_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    purpose TEXT NOT NULL,
    version BIGINT NOT NULL,
    wrapped TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, purpose, version)
);

-- One credential set per product and tenant. secret_hash for secrets the
-- server only compares; secret_sealed for HMAC secrets the server must hold.
CREATE TABLE credentials (
    product TEXT NOT NULL,
    public_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    secret_hash TEXT,
    secret_sealed TEXT,
    numeric_id BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (product, public_id)
);
CREATE UNIQUE INDEX credentials_tenant_product ON credentials(tenant_id, product);
CREATE UNIQUE INDEX credentials_numeric ON credentials(product, numeric_id);

-- Staff users of the bank-analysis product.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users(email);
