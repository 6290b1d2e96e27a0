-- More housekeeping sweeps by time (docs/design.md, "Jobs and workers"):
-- the token service's idempotence keys and expired client sessions (the
-- encrypted inputs recorded under them are indexed by 0018), check
-- sessions and the SSO tokens no check session reads any more, and staff
-- login-failure counts. Staff sessions are swept by family, indexed by 0011.
CREATE INDEX ct_idempotence_created ON ct_idempotence(created_at);
CREATE INDEX ct_client_sessions_expiry ON ct_client_sessions(expires_at);
CREATE INDEX ba_login_failures_window ON ba_login_failures(window_start);
CREATE INDEX cc_check_sessions_expiry ON cc_check_sessions(expires_at);
CREATE INDEX cc_check_sessions_sso ON cc_check_sessions(sso_token_hash);
CREATE INDEX cc_sso_tokens_expiry ON cc_sso_tokens(expires_at);
