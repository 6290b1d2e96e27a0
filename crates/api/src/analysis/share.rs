//! The customer's side: the link from the outbox opens a page where the
//! customer consents and shares bank data, by uploading statements or by
//! linking the sandbox bank. Answers here are for a browser, not a partner:
//! HTML pages, and `{"status": …}` / `{"error": …}` JSON for the page's script.

use crate::extract::AnyPath;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::multipart::{Field, MultipartRejection};
use axum::extract::{ConnectInfo, FromRequestParts, Multipart, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fundline_store::reports::{self, ReportRequest, Shared};
use fundline_vault::{hash_token, TenantKeys};
use serde_json::json;

use super::error::{AnalysisError, Result};
use super::shared_accounts::{add_statement, is_investment, Shareable};
use crate::pages::{self, Headers};
use crate::AppState;

/// Per upload request: files, bytes per file, transactions in all.
pub const MAX_FILES: usize = 24;
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;
pub const MAX_TRANSACTIONS: usize = fundline_statements::DEFAULT_MAX_TRANSACTIONS;
/// The CSV column mapping field.
const MAX_MAPPING_BYTES: usize = 4096;

/// Bounds on the customer link and its statement uploads
/// (docs/security.md, "Statement uploads").
#[derive(Debug, Clone)]
pub struct UploadLimits {
    /// Statement parses that run at once on this node; an upload beyond
    /// them waits for a slot.
    pub parse_concurrency: usize,
    /// How long an upload waits for a parse slot before it is answered 429.
    pub parse_wait: Duration,
    /// Uploads a minute per link and per client address (0: no limit).
    pub uploads_per_minute: u32,
    /// Other requests on a link (the page, status polls, consent, the
    /// sandbox bank) a minute per link and per client address (0: no limit).
    pub link_requests_per_minute: u32,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            parse_concurrency: default_parse_concurrency(),
            parse_wait: Duration::from_secs(10),
            uploads_per_minute: 6,
            link_requests_per_minute: 120,
        }
    }
}

/// One parse at a time. A parse is CPU-bound, and one in flight may hold
/// up to about 200 MiB at the parse limits (a 10 MB file of dense OFX or of
/// bare markup, its parse tree and its transactions); with two at once and
/// a report build beside them, six parallel 10 MB uploads were measured at
/// up to 675 MiB on a 2-core machine. One keeps the flood under 600 MiB; a
/// machine with memory to spare raises `FUNDLINE_STATEMENT_PARSES`.
pub fn default_parse_concurrency() -> usize {
    1
}

/// The client's address as the connection reports it.
pub struct ClientAddr(pub String);

/// The client's address for the link's rate limits: the peer, or the
/// `X-Forwarded-For` client when the peer is a trusted proxy (the same rule
/// as staff logins, `FUNDLINE_TRUSTED_PROXIES`).
impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr(super::auth::client_address(
            peer,
            &parts.headers,
            &state.config.staff_auth.trusted_proxies,
        )))
    }
}

#[derive(Clone, Copy)]
enum Bucket {
    /// The page, status, consent, sandbox bank.
    Link,
    /// Statement uploads.
    Upload,
}

/// Takes one request from the link's and the client address's buckets;
/// `Some(seconds)` when either is empty. The link is keyed by its token's
/// hash, so no token is kept in memory.
fn throttled(state: &AppState, token: &str, client: &str, bucket: Bucket) -> Option<u64> {
    let limits = &state.config.uploads;
    let (rate, kind) = match bucket {
        Bucket::Link => (limits.link_requests_per_minute, "link"),
        Bucket::Upload => (limits.uploads_per_minute, "upload"),
    };
    if rate == 0 {
        return None;
    }
    let by_link = state.limiter.check_per_minute(
        &format!("connect:{kind}:token:{}", hash_token(token)),
        rate,
        rate,
    );
    let by_client =
        state
            .limiter
            .check_per_minute(&format!("connect:{kind}:client:{client}"), rate, rate);
    match (by_link, by_client) {
        (Ok(()), Ok(())) => None,
        (Err(a), Err(b)) => Some(a.max(b)),
        (Err(a), _) | (_, Err(a)) => Some(a),
    }
}

fn with_retry_after(mut resp: Response, seconds: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// The link's buckets, or the 429 that says when to come back.
fn take(state: &AppState, token: &str, client: &str, bucket: Bucket, message: &str) -> Result<()> {
    match throttled(state, token, client, bucket) {
        Some(seconds) => Err(AnalysisError::link_busy(seconds, message)),
        None => Ok(()),
    }
}

const SLOW_DOWN: &str = "Too many requests on this link. Please wait a minute and try again.";

enum Link {
    Open(ReportRequest),
    Done(ReportRequest),
    Expired,
    Unknown,
}

async fn link(state: &AppState, token: &str) -> Result<Link> {
    if token.len() > 100 {
        return Ok(Link::Unknown);
    }
    let r = reports::by_link(&state.store, &hash_token(token))
        .await
        .map_err(AnalysisError::link_unavailable)?;
    let now = state.clock.now_micros();
    Ok(match r {
        None => Link::Unknown,
        Some(r) if r.job_state.is_some() || r.status == reports::COMPLETED => Link::Done(r),
        Some(r) if r.status != reports::PENDING || r.link_expires_at <= now => Link::Expired,
        Some(r) => Link::Open(r),
    })
}

fn closed(l: &Link) -> AnalysisError {
    match l {
        Link::Done(_) => AnalysisError::link(StatusCode::GONE, "This link has already been used."),
        Link::Expired => AnalysisError::link(
            StatusCode::GONE,
            "This link has expired. Ask your lender to send a new one.",
        ),
        _ => AnalysisError::link(StatusCode::NOT_FOUND, "This link is not valid."),
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

/// The customer's page in one state of its link.
#[derive(Template)]
#[template(path = "analysis/share.html")]
struct SharePage<'a> {
    nonce: &'a str,
    view: View,
}

enum View {
    /// Consent, then upload statements (or link the sandbox bank).
    Form {
        sandbox_bank: bool,
    },
    /// The data was shared; `status` is the request's `status_name`.
    Done {
        status: &'static str,
    },
    Expired,
    NotValid,
    /// The link's rate limit was hit.
    Busy,
}

fn page(view: View) -> Response {
    let status = match view {
        View::Form { .. } | View::Done { .. } => StatusCode::OK,
        View::Expired => StatusCode::GONE,
        View::NotValid => StatusCode::NOT_FOUND,
        View::Busy => StatusCode::TOO_MANY_REQUESTS,
    };
    let nonce = pages::nonce();
    pages::render(
        status,
        &SharePage {
            nonce: &nonce,
            view,
        },
        Headers::customer_page(&nonce, None, "'none'"),
    )
}

/// GET /connect/{token}
#[utoipa::path(get, path = "/connect/{token}", tag = "Bank analysis",
    description = "The customer's page behind a report link: consent, then upload statements (OFX, QFX, CSV, MT940, CAMT.053) or link the sandbox bank.",
    params(("token" = String, Path, description = "The link token")),
    responses((status = 200, content_type = "text/html"), (status = 404, content_type = "text/html"), (status = 410, content_type = "text/html"), (status = 429, content_type = "text/html")))]
pub async fn show(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    AnyPath(token): AnyPath<String>,
) -> Response {
    if let Some(seconds) = throttled(&state, &token, &client, Bucket::Link) {
        return with_retry_after(page(View::Busy), seconds);
    }
    match link(&state, &token).await {
        Err(e) => e.into_response(),
        Ok(Link::Open(r)) => {
            // The sandbox bank is offered on the sandbox tenant's links only,
            // with the sandbox on.
            let sandbox_bank = crate::tenancy::sandbox_privileged(
                &state,
                fundline_store::tenants::is_sandbox(&state.store, &r.tenant_id)
                    .await
                    .unwrap_or(false),
            );
            page(View::Form { sandbox_bank })
        }
        Ok(Link::Done(r)) => page(View::Done {
            status: status_name(&r),
        }),
        Ok(Link::Expired) => page(View::Expired),
        Ok(Link::Unknown) => page(View::NotValid),
    }
}

/// GET /connect/{token}/status
#[utoipa::path(get, path = "/connect/{token}/status", tag = "Bank analysis",
    description = "Where the customer's request stands: Pending, Processing, Completed, Expired or Failed.",
    params(("token" = String, Path, description = "The link token")),
    responses((status = 200, content_type = "application/json"), (status = 404, content_type = "application/json"), (status = 429, content_type = "application/json")))]
pub async fn status(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    AnyPath(token): AnyPath<String>,
) -> Result<Response> {
    take(&state, &token, &client, Bucket::Link, SLOW_DOWN)?;
    Ok(match link(&state, &token).await? {
        Link::Open(r) | Link::Done(r) => {
            axum::Json(json!({"status": status_name(&r), "consented": r.consent_at.is_some()}))
                .into_response()
        }
        Link::Expired => axum::Json(json!({"status": "Expired"})).into_response(),
        Link::Unknown => return Err(closed(&Link::Unknown)),
    })
}

/// POST /connect/{token}/consent
#[utoipa::path(post, path = "/connect/{token}/consent", tag = "Bank analysis",
    description = "The customer's consent to share bank data with the lender; required before any data is accepted.",
    params(("token" = String, Path, description = "The link token")),
    responses((status = 200, content_type = "application/json"), (status = 404, content_type = "application/json"), (status = 410, content_type = "application/json"), (status = 429, content_type = "application/json")))]
pub async fn consent(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    AnyPath(token): AnyPath<String>,
) -> Result<Response> {
    take(&state, &token, &client, Bucket::Link, SLOW_DOWN)?;
    let r = match link(&state, &token).await? {
        Link::Open(r) => r,
        l => return Err(closed(&l)),
    };
    reports::record_consent(&state.store, &r.id, state.clock.now_micros())
        .await
        .map_err(AnalysisError::link_unavailable)?;
    tracing::info!(report_id = %r.id, "customer consented to share bank data");
    Ok(axum::Json(json!({"consented": true})).into_response())
}

/// Stores shared data and wakes the report builder.
async fn share(state: &AppState, r: &ReportRequest, data: Shareable) -> Result<Response> {
    let data = data.finish();
    let (accounts, transactions) = (data.accounts.len(), data.transactions.len());
    let shared = reports::share_bank_data(
        &state.store,
        &r.tenant_id,
        &r.id,
        data.accounts,
        data.transactions,
        state.clock.now_micros(),
    )
    .await
    .map_err(AnalysisError::link_unavailable)?;
    match shared {
        Shared::Queued => {
            state.jobs_wake.notify_one();
            tracing::info!(report_id = %r.id, accounts, transactions, "bank data shared");
            Ok((
                StatusCode::ACCEPTED,
                axum::Json(json!({"status": "Processing", "accounts": accounts, "transactions": transactions})),
            )
                .into_response())
        }
        Shared::Closed => Err(AnalysisError::link(
            StatusCode::CONFLICT,
            "Consent is required, or this link has already been used.",
        )),
    }
}

async fn open_link(state: &AppState, token: &str) -> Result<(ReportRequest, Arc<TenantKeys>)> {
    let r = match link(state, token).await? {
        Link::Open(r) => r,
        l => return Err(closed(&l)),
    };
    if r.consent_at.is_none() {
        return Err(AnalysisError::link(
            StatusCode::CONFLICT,
            "Please give your consent before sharing bank data.",
        ));
    }
    let keys = state
        .keyring
        .tenant(&state.store, &r.tenant_id)
        .await
        .map_err(AnalysisError::link_unavailable)?;
    Ok((r, keys))
}

/// POST /connect/{token}/statements
#[utoipa::path(post, path = "/connect/{token}/statements", tag = "Bank analysis",
    description = "Upload statements (multipart, field `file`, several allowed): OFX 1.x/2.x, QFX, CSV, MT940, CAMT.053. A CSV layout that is not recognised can be read with a `mapping` field (JSON: date, amount or debit/credit, description, date_format, delimiter, negate). All files must parse, or nothing is stored and the answer names the file and the problem. At most 10 MB a file, 32 MB and 200,000 transactions an upload (413 past them, counted while the files are read); uploads are rate limited per link and per client address, and parses run a few at a time (429 with Retry-After).",
    params(("token" = String, Path, description = "The link token")),
    responses((status = 202, content_type = "application/json"), (status = 400, content_type = "application/json"), (status = 404, content_type = "application/json"), (status = 409, content_type = "application/json"), (status = 410, content_type = "application/json"), (status = 413, content_type = "application/json"), (status = 429, content_type = "application/json")))]
pub async fn upload(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    AnyPath(token): AnyPath<String>,
    form: std::result::Result<Multipart, MultipartRejection>,
) -> Result<Response> {
    take(
        &state,
        &token,
        &client,
        Bucket::Upload,
        "Too many uploads on this link. Please wait a minute and try again.",
    )?;
    let (r, keys) = open_link(&state, &token).await?;
    // axum's own rejection is plain text; this page's API answers in JSON.
    let (files, mapping) = read_form(form.map_err(|_| unreadable())?).await?;
    let resp = parse_and_share(&state, &r, keys, files, mapping).await;
    state.release_memory();
    resp
}

fn unreadable() -> AnalysisError {
    AnalysisError::link(
        StatusCode::BAD_REQUEST,
        format!(
            "The upload could not be read (multipart, field \"file\"; at most {} MB in all).",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ),
    )
}

fn too_large() -> AnalysisError {
    AnalysisError::link(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "At most {MAX_FILES} files and {} MB per upload.",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ),
    )
}

type Files = Vec<(String, Vec<u8>)>;

/// The statement files of an upload and its CSV column mapping, read with
/// the caps applied as the bytes arrive.
async fn read_form(
    mut form: Multipart,
) -> Result<(Files, Option<fundline_statements::CsvMapping>)> {
    let mut files: Files = Vec::new();
    let mut mapping: Option<fundline_statements::CsvMapping> = None;
    let mut total = 0usize;
    while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("mapping") {
            // A CSV column mapping, for layouts auto-detection does not know.
            let parsed = match read_capped(field, MAX_MAPPING_BYTES).await {
                Ok(bytes) => serde_json::from_slice(&bytes).ok(),
                Err(_) => None,
            };
            mapping = Some(parsed.ok_or_else(|| AnalysisError::link(
                StatusCode::BAD_REQUEST,
                "mapping: expected a JSON object such as {\"date\": \"Posted\", \"amount\": \"Amount\", \"description\": \"Payee\"}.",
            ))?);
            continue;
        }
        if field.name() != Some("file") {
            continue;
        }
        if files.len() == MAX_FILES {
            return Err(too_large());
        }
        let name: String = field
            .file_name()
            .map(|n| n.chars().filter(|c| !c.is_control()).take(100).collect())
            .unwrap_or_else(|| format!("file {}", files.len() + 1));
        // Read with the caps applied chunk by chunk: a file is held once,
        // and never beyond the per-file or per-upload size.
        let cap = MAX_FILE_BYTES.min(MAX_UPLOAD_BYTES - total);
        let bytes = match read_capped(field, cap).await {
            Ok(b) => b,
            Err(Capped::TooLarge) if cap < MAX_FILE_BYTES => return Err(too_large()),
            Err(Capped::TooLarge) => {
                return Err(AnalysisError::link(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "{name}: a statement file may be at most {} MB.",
                        MAX_FILE_BYTES / (1024 * 1024)
                    ),
                ))
            }
            Err(Capped::Unreadable) => {
                return Err(AnalysisError::link(
                    StatusCode::BAD_REQUEST,
                    "The upload could not be read.",
                ))
            }
        };
        total += bytes.len();
        files.push((name, bytes));
    }
    if files.is_empty() {
        return Err(AnalysisError::link(
            StatusCode::BAD_REQUEST,
            "Choose at least one statement file (multipart field \"file\").",
        ));
    }
    Ok((files, mapping))
}

/// Parses the files under a parse slot and stores what they hold. Parses
/// are CPU-bound and hold a parse tree, so only a few run at once; the rest
/// wait briefly, then are told to come back.
async fn parse_and_share(
    state: &AppState,
    r: &ReportRequest,
    keys: Arc<TenantKeys>,
    files: Files,
    mapping: Option<fundline_statements::CsvMapping>,
) -> Result<Response> {
    let limits = &state.config.uploads;
    let Ok(Ok(permit)) = tokio::time::timeout(
        limits.parse_wait,
        state.statement_parses.clone().acquire_owned(),
    )
    .await
    else {
        tracing::info!(report_id = %r.id, "statement upload refused: parses busy");
        return Err(AnalysisError::link_busy(
            limits.parse_wait.as_secs().clamp(5, 60),
            "Many statements are being read right now. Please try again in a moment.",
        ));
    };
    // The permit moves into the blocking task: it is released when the
    // parse ends, even if the request is abandoned before that.
    let parsed = tokio::task::spawn_blocking(move || {
        let out = read_statements(files, mapping.as_ref(), &keys);
        (permit, out)
    })
    .await;
    let (permit, data) = match parsed {
        Ok((permit, Ok(data))) => (permit, data),
        Ok((_, Err((status, message)))) => {
            tracing::info!(report_id = %r.id, status = status.as_u16(), "statement upload refused");
            return Err(AnalysisError::link(status, message));
        }
        Err(_) => {
            return Err(AnalysisError::link(
                StatusCode::BAD_REQUEST,
                "The file could not be read.",
            ))
        }
    };
    // Held while the rows are stored, so the memory they take stays
    // within the cap too.
    let resp = share(state, r, data).await;
    drop(permit);
    resp
}

enum Capped {
    TooLarge,
    Unreadable,
}

/// A multipart field's bytes, refused as soon as they pass `cap`.
async fn read_capped(mut field: Field<'_>, cap: usize) -> Result<Vec<u8>, Capped> {
    let mut out = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if out.len() + chunk.len() > cap {
                    return Err(Capped::TooLarge);
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(out),
            Err(_) => return Err(Capped::Unreadable),
        }
    }
}

/// Parses the files one after another, each within what the report still
/// has room for, turning each into rows to store before the next is read;
/// a file's bytes and parse are dropped as soon as it is done. Errors are
/// the status and message for the customer.
fn read_statements(
    files: Vec<(String, Vec<u8>)>,
    mapping: Option<&fundline_statements::CsvMapping>,
    keys: &TenantKeys,
) -> Result<Shareable, (StatusCode, String)> {
    let mut data = Shareable::default();
    for (name, bytes) in files {
        let room = MAX_TRANSACTIONS.saturating_sub(data.transactions.len());
        let st = bank_statement(&name, bytes, mapping, room)?;
        let source = format!(
            "upload:{}",
            serde_json::to_value(st.format)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        );
        add_statement(&mut data, keys, &st, &source);
    }
    // Counted while parsing; merging duplicates only lowers the count.
    if data.transactions.len() > MAX_TRANSACTIONS {
        return Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("At most {MAX_TRANSACTIONS} transactions per report."),
        ));
    }
    Ok(data)
}

/// The file `name` read as a bank statement of at most `room`
/// transactions, or what to tell the customer. With a mapping, .csv files
/// are read by it; other files are sniffed as usual, falling back to the
/// mapping (but not after hitting a limit).
fn bank_statement(
    name: &str,
    bytes: Vec<u8>,
    mapping: Option<&fundline_statements::CsvMapping>,
    room: usize,
) -> Result<fundline_statements::Statement, (StatusCode, String)> {
    use fundline_statements::{Exceeded, Limits};
    let limits = Limits {
        max_transactions: room,
        ..Limits::default()
    };
    let parsed = match mapping {
        Some(m) if name.to_ascii_lowercase().ends_with(".csv") => {
            fundline_statements::parse_csv_with_limited(&bytes, m, &limits)
        }
        Some(m) => match fundline_statements::parse_limited(&bytes, Some(name), &limits) {
            Err(e) if !e.is_limit() => {
                fundline_statements::parse_csv_with_limited(&bytes, m, &limits)
            }
            other => other,
        },
        None => fundline_statements::parse_limited(&bytes, Some(name), &limits),
    };
    drop(bytes);
    match parsed {
        Ok(st) if st.transaction_count() == 0 => Err((
            StatusCode::BAD_REQUEST,
            format!("{name}: the file holds no transactions."),
        )),
        Ok(st) if st.accounts.iter().all(is_investment) => Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{name}: this is an investment account statement. Please share a bank account statement (checking or savings)."),
        )),
        Ok(st) => Ok(st),
        Err(e) => Err(match e.exceeded() {
            Some(Exceeded::Transactions) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("{name}: at most {MAX_TRANSACTIONS} transactions per report; this upload has more."),
            ),
            Some(Exceeded::Elements) => (StatusCode::PAYLOAD_TOO_LARGE, format!("{name}: {e}.")),
            None => (StatusCode::BAD_REQUEST, format!("{name}: {e}")),
        }),
    }
}

/// POST /connect/{token}/sandbox-bank
#[utoipa::path(post, path = "/connect/{token}/sandbox-bank", tag = "Bank analysis",
    description = "Sandbox only (the sandbox tenant's links; 404 when the sandbox is off): link a simulated bank that produces a deterministic synthetic history (seeded by the request id), for demos.",
    params(("token" = String, Path, description = "The link token")),
    responses((status = 202, content_type = "application/json"), (status = 403, content_type = "application/json"), (status = 404, content_type = "application/json"), (status = 409, content_type = "application/json"), (status = 410, content_type = "application/json"), (status = 429, content_type = "application/json")))]
pub async fn sandbox_bank(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    AnyPath(token): AnyPath<String>,
) -> Result<Response> {
    if !state.config.sandbox {
        return Err(AnalysisError::link(StatusCode::NOT_FOUND, "Not found."));
    }
    take(&state, &token, &client, Bucket::Link, SLOW_DOWN)?;
    let (r, keys) = open_link(&state, &token).await?;
    let sandbox = fundline_store::tenants::is_sandbox(&state.store, &r.tenant_id)
        .await
        .map_err(AnalysisError::link_unavailable)?;
    if !sandbox {
        return Err(AnalysisError::link(
            StatusCode::FORBIDDEN,
            "The sandbox bank is available to sandbox tenants only.",
        ));
    }
    let today = state.clock.now().date_naive();
    let st = super::sandbox_bank::statement(&r.id, today);
    let mut data = Shareable::default();
    add_statement(&mut data, &keys, &st, "sandbox");
    share(&state, &r, data).await
}

#[cfg(test)]
mod page_tests {
    use super::*;

    fn html(view: View) -> String {
        SharePage {
            nonce: "n0nce",
            view,
        }
        .render()
        .unwrap()
    }

    #[test]
    fn the_form_offers_the_sandbox_bank_only_when_asked_and_runs_the_script() {
        let real = html(View::Form {
            sandbox_bank: false,
        });
        assert!(real.contains("<button id=\"upload\">Upload statements</button></p>"));
        assert!(!real.contains("id=\"sandbox\""));
        assert!(real.contains("<script nonce=\"n0nce\">"));
        assert!(real.contains("$(\"consent-button\").addEventListener"));
        let sandbox = html(View::Form { sandbox_bank: true });
        assert!(sandbox.contains(
            "<button id=\"sandbox\" class=\"secondary\">Link the sandbox bank</button></p>"
        ));
        assert!(sandbox.contains("<title>Share your bank information</title>"));
    }

    #[test]
    fn the_other_states_have_their_own_title_and_text_and_run_no_script() {
        let done = html(View::Done {
            status: "Processing",
        });
        assert!(done.contains("<title>Thank you</title>"));
        assert!(done.contains(
            "<main><h1>Thank you</h1><p id=\"status\" data-status=\"Processing\">Processing</p>"
        ));
        for (view, title, h1) in [
            (View::Expired, "Link expired", "This link has expired"),
            (View::NotValid, "Link not valid", "This link is not valid"),
            (View::Busy, "Please wait", "Please wait a minute"),
        ] {
            let page = html(view);
            assert!(page.contains(&format!("<title>{title}</title>")), "{page}");
            assert!(page.contains(&format!("<main><h1>{h1}</h1>")), "{page}");
            assert!(
                page.contains("<script nonce=\"n0nce\">\n\n</script>"),
                "no script but an empty element: {page}"
            );
            assert!(page.contains("<style nonce=\"n0nce\">"), "{page}");
        }
    }
}
