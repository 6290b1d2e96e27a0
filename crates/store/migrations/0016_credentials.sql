-- Credential rotation and revocation, tenant disable (docs/security.md,
-- "Tenants, credentials and the sandbox").
--
-- A rotated credential keeps its previous secret (hashed or sealed, like the
-- current one) until previous_valid_until, so a partner can deploy the new
-- secret without downtime. revoked_at: every secret of the credential was
-- revoked at that instant (a later rotation issues a fresh one and clears it).
ALTER TABLE credentials ADD COLUMN previous_secret_hash TEXT;
ALTER TABLE credentials ADD COLUMN previous_secret_sealed TEXT;
ALTER TABLE credentials ADD COLUMN previous_valid_until BIGINT;
ALTER TABLE credentials ADD COLUMN rotated_at BIGINT;
ALTER TABLE credentials ADD COLUMN revoked_at BIGINT;
-- The latest revocation of every secret, never cleared by a later rotation:
-- sessions opened with the credential before it are over.
ALTER TABLE credentials ADD COLUMN sessions_revoked_at BIGINT;

-- A disabled tenant is refused on every product (401) until enabled again.
ALTER TABLE tenants ADD COLUMN disabled_at BIGINT;
