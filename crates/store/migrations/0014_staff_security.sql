-- Staff authentication hardening (issue 11).
-- Login attempts are counted before the password is checked: a row per scope
-- ("acct:<email>", "ip:<address>") holds the attempts of the current window
-- (the old `failures` column) and, once the limit is reached, the time the
-- lock ends.
ALTER TABLE ba_login_failures ADD COLUMN locked_until BIGINT;

-- Staff emails are unique per tenant, not across tenants: creating a user
-- must not reveal whether another tenant has one with that email.
DROP INDEX users_email;
CREATE UNIQUE INDEX users_tenant_email ON users(tenant_id, email);
CREATE INDEX users_email ON users(email);
