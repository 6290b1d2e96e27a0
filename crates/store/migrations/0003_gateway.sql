-- The payout gateway: HMAC replay protection, host whitelist, capture
-- sessions and their idempotency keys and one-time URLs.

-- Signatures seen inside the X-Date window; the primary key refuses a replay
-- on every node at once.
CREATE TABLE gw_seen_signatures (
    signature_hash TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX gw_seen_signatures_expiry ON gw_seen_signatures(expires_at);

-- Hosts allowed to frame a tenant's sessions: scheme://host, or
-- scheme://host:port; an entry without a port allows any port. position
-- keeps the operator's order (the first is the default host_uri).
CREATE TABLE gw_allowed_hosts (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    position BIGINT NOT NULL,
    host TEXT NOT NULL,
    PRIMARY KEY (tenant_id, position)
);

CREATE TABLE gw_sessions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    participant_unique_id1 TEXT NOT NULL,
    participant_unique_id2 TEXT NOT NULL,
    host_uri TEXT NOT NULL,
    -- The recipient block as given (names and address; no account data).
    recipient_json TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE gw_idempotency (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES gw_sessions(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, idem_key)
);

-- Every authorized_url handed out: valid until expires_at, opened once.
CREATE TABLE gw_session_urls (
    url_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES gw_sessions(id),
    expires_at BIGINT NOT NULL,
    opened_at BIGINT
);
