-- The fingerprint key ('fp') is versioned like the other tenant keys
-- (`admin keys rotate --key fp`). A version whose fingerprints have all been
-- recomputed under a newer one is retired: lookups stop comparing under it.
-- Its row stays (the legacy signing derivation of version 1 still needs the
-- key); NULL = live.
ALTER TABLE tenant_keys ADD COLUMN retired_at BIGINT;
