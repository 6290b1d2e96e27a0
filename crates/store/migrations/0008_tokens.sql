-- Token service (spec 003): payment tokens per merchant. The card number or
-- account number is sealed; number_fp (keyed) finds an existing card token.
CREATE TABLE ct_tokens (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    merchant_id TEXT NOT NULL,
    payment_product_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    number_fp TEXT NOT NULL,
    number_sealed TEXT NOT NULL,
    -- The token object as GET answers it (sensitive numbers masked).
    view_json TEXT NOT NULL,
    mandate_status TEXT,
    mandate_cancel_date TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE UNIQUE INDEX ct_tokens_number ON ct_tokens(tenant_id, merchant_id, kind, number_fp) WHERE deleted_at IS NULL;
