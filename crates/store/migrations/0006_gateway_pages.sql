-- One row per opened authorized_url: the page view's token (hashed) and its
-- per-feature verification attempts. The session keeps the overall count.
CREATE TABLE gw_page_views (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES gw_sessions(id),
    expires_at BIGINT NOT NULL,
    recipient_attempts BIGINT NOT NULL DEFAULT 0,
    account_attempts BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0
);
