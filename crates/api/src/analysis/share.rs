//! The customer's side: the link from the outbox opens a page where the
//! customer consents and shares bank data, by uploading statements or by
//! linking the sandbox bank. Answers here are for a browser, not a partner:
//! HTML pages, and `{"status": …}` / `{"error": …}` JSON for the page's script.

use crate::extract::AnyPath;
use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use fundline_store::reports::{self, NewAccount, NewTransaction, ReportRequest, Shared};
use fundline_vault::{hash_token, random_token, TenantKeys};
use serde_json::json;

use super::fields::last4;
use crate::AppState;

/// Per upload request: files, bytes per file, transactions in all.
pub const MAX_FILES: usize = 24;
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;
pub const MAX_TRANSACTIONS: usize = 200_000;

enum Link {
    Open(ReportRequest),
    Done(ReportRequest),
    Expired,
    Unknown,
}

async fn link(state: &AppState, token: &str) -> Result<Link, Response> {
    if token.len() > 100 {
        return Ok(Link::Unknown);
    }
    let r = reports::by_link(&state.store, &hash_token(token))
        .await
        .map_err(|_| {
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again in a moment.",
            )
        })?;
    let now = state.clock.now_micros();
    Ok(match r {
        None => Link::Unknown,
        Some(r) if r.job_state.is_some() || r.status == reports::COMPLETED => Link::Done(r),
        Some(r) if r.status != reports::PENDING || r.link_expires_at <= now => Link::Expired,
        Some(r) => Link::Open(r),
    })
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}

fn closed(l: &Link) -> Response {
    match l {
        Link::Done(_) => error(StatusCode::GONE, "This link has already been used."),
        Link::Expired => error(
            StatusCode::GONE,
            "This link has expired. Ask your lender to send a new one.",
        ),
        _ => error(StatusCode::NOT_FOUND, "This link is not valid."),
    }
}

fn status_name(r: &ReportRequest) -> &'static str {
    match (r.status, r.job_state.as_deref()) {
        (reports::COMPLETED, _) => "Completed",
        (reports::FAILED, _) => "Failed",
        (reports::EXPIRED, _) => "Expired",
        (_, Some("queued" | "running")) => "Processing",
        _ => "Pending",
    }
}

fn page(title: &str, body: &str, script: bool) -> Response {
    let nonce = random_token(16);
    let html = include_str!("share.html")
        .replace("{{TITLE}}", title)
        .replace("{{BODY}}", body)
        .replace("{{NONCE}}", &nonce)
        .replace(
            "{{SCRIPT}}",
            if script { include_str!("share.js") } else { "" },
        );
    let mut resp = Html(html).into_response();
    let h = resp.headers_mut();
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; \
         form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    );
    if let Ok(v) = csp.parse() {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
    h.insert(
        header::REFERRER_POLICY,
        "no-referrer".parse().expect("static"),
    );
    h.insert("x-content-type-options", "nosniff".parse().expect("static"));
    resp
}

/// GET /connect/{token}
#[utoipa::path(get, path = "/connect/{token}", tag = "Bank analysis",
    description = "The customer's page behind a report link: consent, then upload statements (OFX, QFX, CSV, MT940, CAMT.053) or link the sandbox bank.",
    params(("token" = String, Path, description = "The link token")),
    responses((status = 200, content_type = "text/html"), (status = 404, content_type = "text/html"), (status = 410, content_type = "text/html")))]
pub async fn show(State(state): State<AppState>, AnyPath(token): AnyPath<String>) -> Response {
    match link(&state, &token).await {
        Err(r) => r,
        Ok(Link::Open(_)) => page(
            "Share your bank information",
            include_str!("share_form.html"),
            true,
        ),
        Ok(Link::Done(r)) => {
            let mut p = page(
                "Thank you",
                &format!("<h1>Thank you</h1><p id=\"status\" data-status=\"{0}\">{0}</p><p>Your bank information has been shared. You may close this page.</p>", status_name(&r)),
                false,
            );
            *p.status_mut() = StatusCode::OK;
            p
        }
        Ok(Link::Expired) => {
            let mut p = page(
                "Link expired",
                "<h1>This link has expired</h1><p>Ask your lender to send you a new one.</p>",
                false,
            );
            *p.status_mut() = StatusCode::GONE;
            p
        }
        Ok(Link::Unknown) => {
            let mut p = page("Link not valid", "<h1>This link is not valid</h1>", false);
            *p.status_mut() = StatusCode::NOT_FOUND;
            p
        }
    }
}

/// GET /connect/{token}/status
#[utoipa::path(get, path = "/connect/{token}/status", tag = "Bank analysis",
    description = "Where the customer's request stands: Pending, Processing, Completed, Expired or Failed.",
    params(("token" = String, Path, description = "The link token")),
    responses((status = 200, content_type = "application/json"), (status = 404, content_type = "application/json")))]
pub async fn status(State(state): State<AppState>, AnyPath(token): AnyPath<String>) -> Response {
    match link(&state, &token).await {
        Err(r) => r,
        Ok(Link::Open(r) | Link::Done(r)) => {
            axum::Json(json!({"status": status_name(&r), "consented": r.consent_at.is_some()}))
                .into_response()
        }
        Ok(Link::Expired) => axum::Json(json!({"status": "Expired"})).into_response(),
        Ok(Link::Unknown) => error(StatusCode::NOT_FOUND, "This link is not valid."),
    }
}

/// POST /connect/{token}/consent
#[utoipa::path(post, path = "/connect/{token}/consent", tag = "Bank analysis",
    description = "The customer's consent to share bank data with the lender; required before any data is accepted.",
    params(("token" = String, Path, description = "The link token")),
    responses((status = 200, content_type = "application/json"), (status = 404, content_type = "application/json"), (status = 410, content_type = "application/json")))]
pub async fn consent(State(state): State<AppState>, AnyPath(token): AnyPath<String>) -> Response {
    match link(&state, &token).await {
        Err(r) => r,
        Ok(Link::Open(r)) => {
            match reports::record_consent(&state.store, &r.id, state.clock.now_micros()).await {
                Ok(()) => {
                    tracing::info!(report_id = %r.id, "customer consented to share bank data");
                    axum::Json(json!({"consented": true})).into_response()
                }
                Err(_) => error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Please try again in a moment.",
                ),
            }
        }
        Ok(l) => closed(&l),
    }
}

/// Accounts and transactions ready to store, from any source.
#[derive(Default)]
pub struct Shareable {
    pub accounts: Vec<NewAccount>,
    pub transactions: Vec<NewTransaction>,
}

/// Adds parsed statements, merging an account that appears in several
/// files (monthly statements) and dropping transactions seen twice.
pub fn add_statement(
    into: &mut Shareable,
    keys: &TenantKeys,
    st: &fundline_statements::Statement,
    source: &str,
) {
    let mut seen: std::collections::HashSet<(i64, String, String, String)> = into
        .transactions
        .iter()
        .map(|t| {
            (
                t.account_no,
                t.posted_date.clone(),
                t.amount.clone(),
                t.memo.clone(),
            )
        })
        .collect();
    for a in &st.accounts {
        let last = a.account_id.as_deref().map(last4);
        let existing = into
            .accounts
            .iter()
            .find(|x| {
                a.account_id.is_some()
                    && x.account_last4 == last
                    && x.institution_id == a.bank_id
                    && x.account_number_sealed
                        .as_deref()
                        .and_then(|s| {
                            keys.open_string_row("ba_accounts", "account_number", &x.id, s)
                                .ok()
                        })
                        .is_some_and(|n| Some(n.expose()) == a.account_id.as_deref())
            })
            .map(|x| x.account_no);
        let account_no = match existing {
            Some(no) => no,
            None => {
                let no = into.accounts.len() as i64 + 1;
                let currency = a
                    .currency
                    .clone()
                    .or_else(|| a.transactions.iter().find_map(|t| t.currency.clone()))
                    .unwrap_or_else(|| "USD".into());
                let id = uuid::Uuid::new_v4().to_string();
                // Bound to the account's row.
                let account_number_sealed = a
                    .account_id
                    .as_deref()
                    .map(|n| keys.seal_row("ba_accounts", "account_number", &id, n.as_bytes()));
                into.accounts.push(NewAccount {
                    id,
                    account_no: no,
                    account_type: a.account_type.clone(),
                    institution: a.institution.clone(),
                    institution_id: a.bank_id.clone(),
                    account_number_sealed,
                    account_last4: last.clone(),
                    currency,
                    current_balance: a
                        .closing_balance
                        .as_ref()
                        .map(|b| b.amount.normalize().to_string()),
                    available_balance: a
                        .available_balance
                        .as_ref()
                        .map(|b| b.amount.normalize().to_string()),
                    balance_date: a
                        .closing_balance
                        .as_ref()
                        .and_then(|b| b.date)
                        .map(|d| d.to_string()),
                    source: source.to_string(),
                });
                no
            }
        };
        let currency = into
            .accounts
            .iter()
            .find(|x| x.account_no == account_no)
            .map(|x| x.currency.clone())
            .unwrap_or_else(|| "USD".into());
        for t in &a.transactions {
            let key = (
                account_no,
                t.date.to_string(),
                t.amount.normalize().to_string(),
                t.memo.clone(),
            );
            // The same posting in two overlapping statements is one posting;
            // two identical postings in one file are both kept.
            if t.id.is_some() && existing.is_some() && seen.contains(&key) {
                continue;
            }
            seen.insert(key);
            into.transactions.push(NewTransaction {
                id: uuid::Uuid::new_v4().to_string(),
                account_no,
                posted_date: t.date.to_string(),
                amount: t.amount.normalize().to_string(),
                currency: t.currency.clone().unwrap_or_else(|| currency.clone()),
                memo: if t.memo.is_empty() {
                    t.name.clone().unwrap_or_default()
                } else {
                    t.memo.clone()
                },
                payee: t.name.clone(),
                kind: t.kind.clone(),
            });
        }
    }
}

/// Stores shared data and wakes the report builder.
async fn share(state: &AppState, r: &ReportRequest, data: Shareable) -> Response {
    let (accounts, transactions) = (data.accounts.len(), data.transactions.len());
    match reports::share_bank_data(
        &state.store,
        &r.tenant_id,
        &r.id,
        data.accounts,
        data.transactions,
        state.clock.now_micros(),
    )
    .await
    {
        Ok(Shared::Queued) => {
            state.jobs_wake.notify_one();
            tracing::info!(report_id = %r.id, accounts, transactions, "bank data shared");
            (
                StatusCode::ACCEPTED,
                axum::Json(json!({"status": "Processing", "accounts": accounts, "transactions": transactions})),
            )
                .into_response()
        }
        Ok(Shared::Closed) => error(
            StatusCode::CONFLICT,
            "Consent is required, or this link has already been used.",
        ),
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Please try again in a moment.",
        ),
    }
}

async fn open_link(
    state: &AppState,
    token: &str,
) -> Result<(ReportRequest, Arc<TenantKeys>), Response> {
    let r = match link(state, token).await? {
        Link::Open(r) => r,
        l => return Err(closed(&l)),
    };
    if r.consent_at.is_none() {
        return Err(error(
            StatusCode::CONFLICT,
            "Please give your consent before sharing bank data.",
        ));
    }
    let keys = state
        .keyring
        .tenant(&state.store, &r.tenant_id)
        .await
        .map_err(|_| {
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again in a moment.",
            )
        })?;
    Ok((r, keys))
}

/// POST /connect/{token}/statements
#[utoipa::path(post, path = "/connect/{token}/statements", tag = "Bank analysis",
    description = "Upload statements (multipart, field `file`, several allowed): OFX 1.x/2.x, QFX, CSV, MT940, CAMT.053. A CSV layout that is not recognised can be read with a `mapping` field (JSON: date, amount or debit/credit, description, date_format, delimiter, negate). All files must parse, or nothing is stored and the answer names the file and the problem.",
    params(("token" = String, Path, description = "The link token")),
    responses((status = 202, content_type = "application/json"), (status = 400, content_type = "application/json"), (status = 404, content_type = "application/json"), (status = 409, content_type = "application/json"), (status = 410, content_type = "application/json")))]
pub async fn upload(
    State(state): State<AppState>,
    AnyPath(token): AnyPath<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let (r, keys) = match open_link(&state, &token).await {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    let unreadable = || {
        error(
            StatusCode::BAD_REQUEST,
            &format!(
                "The upload could not be read (multipart, field \"file\"; at most {} MB in all).",
                MAX_UPLOAD_BYTES / (1024 * 1024)
            ),
        )
    };
    // axum's own rejection is plain text; this page's API answers in JSON.
    let Ok(mut form) = form else {
        return unreadable();
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut mapping: Option<fundline_statements::CsvMapping> = None;
    let mut total = 0usize;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return unreadable(),
        };
        if field.name() == Some("mapping") {
            // A CSV column mapping, for layouts auto-detection does not know.
            let parsed = match field.text().await {
                Ok(t) if t.len() <= 4096 => serde_json::from_str(&t).ok(),
                _ => None,
            };
            let Some(m) = parsed else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "mapping: expected a JSON object such as {\"date\": \"Posted\", \"amount\": \"Amount\", \"description\": \"Payee\"}.",
                );
            };
            mapping = Some(m);
            continue;
        }
        if field.name() != Some("file") {
            continue;
        }
        let name = field
            .file_name()
            .map(|n| n.chars().filter(|c| !c.is_control()).take(100).collect())
            .unwrap_or_else(|| format!("file {}", files.len() + 1));
        let Ok(bytes) = field.bytes().await else {
            return error(StatusCode::BAD_REQUEST, "The upload could not be read.");
        };
        if bytes.len() > MAX_FILE_BYTES {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "{name}: a statement file may be at most {} MB.",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            );
        }
        total += bytes.len();
        files.push((name, bytes.to_vec()));
        if files.len() > MAX_FILES || total > MAX_UPLOAD_BYTES {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "At most {MAX_FILES} files and {} MB per upload.",
                    MAX_UPLOAD_BYTES / (1024 * 1024)
                ),
            );
        }
    }
    if files.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "Choose at least one statement file (multipart field \"file\").",
        );
    }
    let parsed = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        for (name, bytes) in &files {
            // With a mapping, .csv files are read by it; other files are
            // sniffed as usual, falling back to the mapping.
            let parsed = match &mapping {
                Some(m) if name.to_ascii_lowercase().ends_with(".csv") => {
                    fundline_statements::parse_csv_with(bytes, m)
                }
                Some(m) => fundline_statements::parse(bytes, Some(name))
                    .or_else(|_| fundline_statements::parse_csv_with(bytes, m)),
                None => fundline_statements::parse(bytes, Some(name)),
            };
            match parsed {
                Ok(st) if st.transaction_count() == 0 => {
                    return Err(format!("{name}: the file holds no transactions."))
                }
                Ok(st) => out.push((name.clone(), st)),
                Err(e) => return Err(format!("{name}: {e}")),
            }
        }
        Ok(out)
    })
    .await;
    let statements = match parsed {
        Ok(Ok(s)) => s,
        Ok(Err(message)) => {
            tracing::info!(report_id = %r.id, "statement upload refused");
            return error(StatusCode::BAD_REQUEST, &message);
        }
        Err(_) => return error(StatusCode::BAD_REQUEST, "The file could not be read."),
    };
    let mut data = Shareable::default();
    for (_, st) in &statements {
        let source = format!(
            "upload:{}",
            serde_json::to_value(st.format)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        );
        add_statement(&mut data, &keys, st, &source);
    }
    if data.transactions.len() > MAX_TRANSACTIONS {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("At most {MAX_TRANSACTIONS} transactions per report."),
        );
    }
    share(&state, &r, data).await
}

/// POST /connect/{token}/sandbox-bank
#[utoipa::path(post, path = "/connect/{token}/sandbox-bank", tag = "Bank analysis",
    description = "Sandbox only (a sandbox tenant's links): link a simulated bank that produces a deterministic synthetic history (seeded by the request id), for demos.",
    params(("token" = String, Path, description = "The link token")),
    responses((status = 202, content_type = "application/json"), (status = 403, content_type = "application/json"), (status = 404, content_type = "application/json"), (status = 409, content_type = "application/json"), (status = 410, content_type = "application/json")))]
pub async fn sandbox_bank(
    State(state): State<AppState>,
    AnyPath(token): AnyPath<String>,
) -> Response {
    let (r, keys) = match open_link(&state, &token).await {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    match fundline_store::tenants::is_sandbox(&state.store, &r.tenant_id).await {
        Ok(true) => {}
        Ok(false) => {
            return error(
                StatusCode::FORBIDDEN,
                "The sandbox bank is available to sandbox tenants only.",
            )
        }
        Err(_) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again in a moment.",
            )
        }
    }
    let today = state.clock.now().date_naive();
    let st = super::sandbox_bank::statement(&r.id, today);
    let mut data = Shareable::default();
    add_statement(&mut data, &keys, &st, "sandbox");
    share(&state, &r, data).await
}
