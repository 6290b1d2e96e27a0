-- Bank analysis (spec 004): staff profile fields, customers, report requests,
-- the notification outbox, shared bank data and built reports.
-- Sealed columns hold vault ciphertext; *_last4 hold what responses may show.
ALTER TABLE users ADD COLUMN job_title TEXT;
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN secondary_phone TEXT;
ALTER TABLE users ADD COLUMN secondary_email TEXT;
ALTER TABLE users ADD COLUMN is_active BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN updated_at BIGINT;
CREATE INDEX users_tenant ON users(tenant_id, created_at);

CREATE TABLE ba_customers (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    customer_type BIGINT NOT NULL,
    user_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    company_name TEXT,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    phone_type TEXT,
    phone_number TEXT NOT NULL,
    email TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    country TEXT NOT NULL,
    country_code TEXT,
    employer TEXT,
    occupation TEXT,
    monthly_income TEXT,
    pay_frequency TEXT,
    drivers_license_sealed TEXT,
    drivers_license_last4 TEXT,
    ssn_sealed TEXT NOT NULL,
    ssn_last4 TEXT NOT NULL,
    dob TEXT NOT NULL,
    bank_name TEXT,
    bank_acc_sealed TEXT,
    bank_acc_last4 TEXT,
    routing_no TEXT,
    ein TEXT,
    employer_name TEXT,
    search_text TEXT NOT NULL,
    is_active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT
);
CREATE INDEX ba_customers_tenant ON ba_customers(tenant_id, created_at);

-- status: 1 Pending, 2 Completed, 3 Expired, 4 Failed (docs/analysis.md).
-- job_state: NULL (nothing to build), 'queued', 'running', 'done'.
CREATE TABLE ba_report_requests (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    customer_id TEXT NOT NULL REFERENCES ba_customers(id),
    report_number TEXT NOT NULL,
    request_type BIGINT NOT NULL,
    sent_via BIGINT NOT NULL,
    status BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    link_token_hash TEXT NOT NULL,
    link_expires_at BIGINT NOT NULL,
    consent_at BIGINT,
    job_state TEXT,
    job_claimed_at BIGINT,
    job_attempts BIGINT NOT NULL DEFAULT 0,
    failure_reason TEXT,
    report_score BIGINT,
    start_date BIGINT NOT NULL,
    end_date BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT
);
CREATE UNIQUE INDEX ba_report_requests_link ON ba_report_requests(link_token_hash);
CREATE UNIQUE INDEX ba_report_requests_number ON ba_report_requests(tenant_id, report_number);
CREATE INDEX ba_report_requests_tenant ON ba_report_requests(tenant_id, created_at);
CREATE INDEX ba_report_requests_job ON ba_report_requests(job_state, job_claimed_at);

-- Every message we send a customer; text and link are sealed (the link is a
-- bearer credential for the customer's data-sharing page).
CREATE TABLE ba_outbox (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    report_request_id TEXT NOT NULL REFERENCES ba_report_requests(id),
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_sealed TEXT NOT NULL,
    link_sealed TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX ba_outbox_state ON ba_outbox(state, created_at);
CREATE INDEX ba_outbox_tenant ON ba_outbox(tenant_id, created_at);

CREATE TABLE ba_accounts (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    report_id TEXT NOT NULL REFERENCES ba_report_requests(id),
    account_no BIGINT NOT NULL,
    account_type TEXT,
    institution TEXT,
    institution_id TEXT,
    account_number_sealed TEXT,
    account_last4 TEXT,
    currency TEXT NOT NULL,
    current_balance TEXT,
    available_balance TEXT,
    balance_date TEXT,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ba_accounts_report ON ba_accounts(report_id, account_no);

CREATE TABLE ba_transactions (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES ba_report_requests(id),
    account_no BIGINT NOT NULL,
    transaction_no BIGINT NOT NULL,
    posted_date TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    memo TEXT NOT NULL,
    payee TEXT,
    kind TEXT,
    category TEXT,
    sub_category TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ba_transactions_no ON ba_transactions(report_id, transaction_no);
CREATE INDEX ba_transactions_account ON ba_transactions(report_id, account_no, posted_date);

-- The built report, rendered once by the job (the spec's data object).
CREATE TABLE ba_reports (
    report_id TEXT PRIMARY KEY REFERENCES ba_report_requests(id),
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    financial_report_id TEXT NOT NULL,
    data_json TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
