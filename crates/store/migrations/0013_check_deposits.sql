-- Check deposits: the customer's check session (from an SSO token), each
-- check with its MICR and images (sealed, by content hash), the processing
-- job, and the partner's webhooks with their delivery log.
CREATE TABLE cc_check_sessions (
    token_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    customer_id TEXT NOT NULL REFERENCES cc_customers(id),
    sso_token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE cc_check_images (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    content_hash TEXT NOT NULL,
    media_type TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, content_hash)
);

-- stage: submitted, classified, approved, funded, declined.
-- job_state: queued (job_due_at says when), running, done.
CREATE TABLE cc_checks (
    transaction_id TEXT PRIMARY KEY REFERENCES cc_transactions(id),
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    customer_id TEXT NOT NULL REFERENCES cc_customers(id),
    card_id TEXT NOT NULL REFERENCES cc_cards(id),
    check_type TEXT NOT NULL,
    funding TEXT NOT NULL,
    micr_sealed TEXT NOT NULL,
    presentment_fp TEXT NOT NULL,
    front_hash TEXT NOT NULL,
    back_hash TEXT NOT NULL,
    stage TEXT NOT NULL,
    decline_code BIGINT,
    job_state TEXT NOT NULL,
    job_due_at BIGINT NOT NULL,
    job_claimed_at BIGINT,
    job_attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cc_checks_job ON cc_checks(job_state, job_due_at);
CREATE INDEX cc_checks_customer ON cc_checks(tenant_id, customer_id, created_at);
CREATE INDEX cc_checks_presentment ON cc_checks(tenant_id, presentment_fp);
CREATE INDEX cc_checks_front ON cc_checks(tenant_id, front_hash);

CREATE TABLE cc_webhooks (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    url TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per event; delivered by the webhook worker with backoff.
CREATE TABLE cc_webhook_events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    transaction_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_status BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX cc_webhook_events_due ON cc_webhook_events(state, next_attempt_at);
CREATE INDEX cc_webhook_events_tenant ON cc_webhook_events(tenant_id, created_at);

CREATE TABLE cc_webhook_attempts (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES cc_webhook_events(id),
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    attempted_at BIGINT NOT NULL,
    status BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX cc_webhook_attempts_event ON cc_webhook_attempts(event_id, attempted_at);
