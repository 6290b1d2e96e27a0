-- A deposit's duplicate-image check looks its front image up among the
-- tenant's earlier checks' fronts and backs. With only (tenant_id,
-- front_hash) indexed, that lookup read every check of the tenant: one
-- deposit cost grew with the tenant's whole history.
CREATE INDEX cc_checks_back ON cc_checks(tenant_id, back_hash);
