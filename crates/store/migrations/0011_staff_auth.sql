-- Bank analysis staff sessions: rotating refresh tokens in families (a
-- reused token revokes its family), and failed-login counters for throttling.
CREATE TABLE ba_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX ba_refresh_tokens_family ON ba_refresh_tokens(family_id);

CREATE TABLE ba_login_failures (
    scope TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL
);
