-- Housekeeping (docs/design.md, "Jobs and workers") sweeps by time.
-- Idempotency keys past their window (gateway sessions and payments).
CREATE INDEX gw_idempotency_created ON gw_idempotency(created_at);
CREATE INDEX gw_payment_keys_created ON gw_payment_keys(created_at);
-- Open report requests by when their link runs out.
CREATE INDEX ba_report_requests_link_expiry ON ba_report_requests(link_expires_at)
    WHERE status = 1 AND job_state IS NULL;
-- Due outbox messages (the outbox worker's claim).
CREATE INDEX ba_outbox_due ON ba_outbox(state, next_attempt_at);
