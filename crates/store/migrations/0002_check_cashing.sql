CREATE TABLE cc_partner_sessions (
    id_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    device_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE TABLE cc_customers (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    ssn_fp TEXT NOT NULL,
    ssn_sealed TEXT NOT NULL,
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    middle_initial TEXT,
    title TEXT,
    suffix TEXT,
    mobile_number TEXT NOT NULL,
    home_number TEXT,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    zip TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    country_of_origin TEXT,
    gender TEXT,
    allow_texts BIGINT NOT NULL,
    referrer_code TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX cc_customers_ssn ON cc_customers(tenant_id, ssn_fp);
CREATE UNIQUE INDEX cc_customers_email ON cc_customers(tenant_id, email);

-- kind 'pan' (number_sealed holds the PAN) or 'token' (the partner's card token).
CREATE TABLE cc_cards (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    customer_id TEXT NOT NULL REFERENCES cc_customers(id),
    kind TEXT NOT NULL,
    number_fp TEXT NOT NULL,
    number_sealed TEXT NOT NULL,
    bin TEXT NOT NULL,
    last4 TEXT NOT NULL,
    data_fp TEXT NOT NULL,
    expiration_mmyy TEXT NOT NULL,
    nickname TEXT NOT NULL,
    name_on_card TEXT,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    zip TEXT NOT NULL,
    status TEXT NOT NULL,
    decline_code TEXT,
    program_name TEXT NOT NULL,
    program_phone TEXT NOT NULL,
    issuer_type BIGINT NOT NULL,
    min_cents BIGINT NOT NULL,
    max_cents BIGINT NOT NULL,
    terms_id TEXT NOT NULL,
    show_terms BIGINT NOT NULL,
    authorized_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE UNIQUE INDEX cc_cards_live ON cc_cards(tenant_id, customer_id, kind, number_fp) WHERE deleted_at IS NULL;
CREATE INDEX cc_cards_customer ON cc_cards(tenant_id, customer_id);

CREATE TABLE cc_customer_attributes (
    tenant_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES cc_customers(id),
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, name)
);

-- One-time SSO tokens from AuthenticateOBO, and the session attributes that
-- narrow what that SSO session sees. card_filter holds card ids only: raw
-- card numbers from AccountNumberFilter are resolved to ids, never stored.
CREATE TABLE cc_sso_tokens (
    token_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    customer_id TEXT NOT NULL REFERENCES cc_customers(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT,
    preferred_email TEXT,
    card_filter TEXT
);

CREATE TABLE cc_transactions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    customer_id TEXT NOT NULL REFERENCES cc_customers(id),
    card_id TEXT NOT NULL REFERENCES cc_cards(id),
    created_at BIGINT NOT NULL,
    status_code BIGINT NOT NULL,
    status_message TEXT NOT NULL,
    state BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    fee_cents BIGINT NOT NULL,
    processing_status BIGINT NOT NULL,
    classification_status BIGINT NOT NULL,
    decline_reason_code BIGINT NOT NULL,
    decline_reason_message TEXT NOT NULL,
    pickup_location_id BIGINT NOT NULL,
    mobile_transaction_type_id BIGINT NOT NULL,
    ocr_amount_cents BIGINT NOT NULL,
    user_entered_amount_cents BIGINT NOT NULL,
    submitted_for_classification_on BIGINT,
    finished_classification_on BIGINT,
    submitted_for_approval_on BIGINT,
    finished_approval_on BIGINT,
    load_status BIGINT NOT NULL,
    expected_load_date BIGINT,
    actual_load_date BIGINT,
    load_amount_cents BIGINT NOT NULL,
    destination_display_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cc_transactions_customer ON cc_transactions(tenant_id, customer_id, created_at, id);
