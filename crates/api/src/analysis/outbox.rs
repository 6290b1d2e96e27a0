//! Messages to customers. Every message is recorded in the outbox (sealed);
//! email is relayed over SMTP when a relay is configured, retried with the
//! outbox as the queue. SMS has no provider yet: recorded only.
//! The sandbox tenant's messages can be read at /sandbox/mailbox by its
//! staff (sandbox on only).

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use fundline_store::reports::{self, OutboxMessage};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::SmtpConfig;
use crate::AppState;

/// Attempts before a message is left as failed.
const MAX_ATTEMPTS: i64 = 5;

pub fn spawn(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let smtp = state.config.smtp.clone()?;
    Some(tokio::spawn(async move {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            .port(smtp.port)
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        loop {
            deliver_pending(&state, &smtp, &transport).await;
            tokio::select! {
                _ = state.outbox_wake.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(30)) => {}
            }
        }
    }))
}

async fn deliver_pending(
    state: &AppState,
    smtp: &SmtpConfig,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
) {
    let Ok(pending) = reports::outbox_pending(&state.store, 50).await else {
        return;
    };
    for m in pending {
        let result = send(state, smtp, transport, &m).await;
        let now = state.clock.now_micros();
        let (next, error) = match result {
            Ok(()) => ("sent", None),
            Err(e) if m.attempts + 1 >= MAX_ATTEMPTS => ("failed", Some(e)),
            Err(e) => ("pending", Some(e)),
        };
        if let Some(e) = &error {
            tracing::warn!(message_id = %m.id, error = %e, "email relay failed");
        }
        let _ = reports::outbox_mark(&state.store, &m.id, next, error, now).await;
    }
}

async fn send(
    state: &AppState,
    smtp: &SmtpConfig,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    m: &OutboxMessage,
) -> Result<(), String> {
    let keys = state
        .keyring
        .tenant(&state.store, &m.tenant_id)
        .await
        .map_err(|e| e.to_string())?;
    let text = keys
        .open_string_row("ba_outbox", "text", &m.id, &m.text_sealed)
        .map_err(|_| "the message cannot be opened".to_string())?;
    let email = Message::builder()
        .from(
            smtp.from
                .parse()
                .map_err(|_| "the sender address is not valid".to_string())?,
        )
        .to(m
            .recipient
            .parse()
            .map_err(|_| "the recipient address is not valid".to_string())?)
        .subject(m.subject.clone())
        .body(text.expose().to_string())
        .map_err(|e| e.to_string())?;
    // The SMTP error may quote the server, never the message.
    transport
        .send(email)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// One outbox message, opened, as the admin CLI and the mailbox show it.
pub fn opened(keys: &fundline_vault::TenantKeys, m: &OutboxMessage) -> serde_json::Value {
    serde_json::json!({
        "id": m.id,
        "tenantId": m.tenant_id,
        "reportRequestId": m.report_request_id,
        "channel": m.channel,
        "recipient": m.recipient,
        "subject": m.subject,
        "text": keys.open_string_row("ba_outbox", "text", &m.id, &m.text_sealed).map(|s| s.expose().to_string()).ok(),
        "link": keys.open_string_row("ba_outbox", "link", &m.id, &m.link_sealed).map(|s| s.expose().to_string()).ok(),
        "state": m.state,
        "attempts": m.attempts,
        "createdAt": chrono::DateTime::<chrono::Utc>::from_timestamp_micros(m.created_at).map(|t| t.to_rfc3339()),
        "sentAt": m.sent_at.and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_micros).map(|t| t.to_rfc3339()),
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Basic-auth attempts per client address and node: a burst of 5, then one a second.
const MAILBOX_BASIC_LIMIT: crate::ratelimit::RateLimit = crate::ratelimit::RateLimit {
    per_second: 1,
    burst: 5,
};

/// 401 with the Basic challenge a browser answers with a login prompt.
fn challenge() -> Response {
    let mut r = (
        axum::http::StatusCode::UNAUTHORIZED,
        Html("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandbox mailbox</title></head>\
              <body><p>Sign in with the sandbox tenant's staff email and password.</p></body></html>"),
    )
        .into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        "Basic realm=\"Fundline sandbox mailbox\", charset=\"UTF-8\""
            .parse()
            .expect("static"),
    );
    r
}

/// The sandbox tenant whose staff member signed in: a Bearer staff access
/// token, or HTTP Basic with the staff email and password (what a browser
/// sends after its login prompt). Only users of the sandbox tenant are
/// accepted; another tenant's password is never checked here.
async fn mailbox_tenant(
    state: &AppState,
    parts: &mut axum::http::request::Parts,
) -> Result<String, Response> {
    use base64::Engine as _;
    let auth = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let tenant_id = if crate::extract::credentials(&auth, "Bearer").is_some() {
        use axum::extract::FromRequestParts;
        super::auth::Staff::from_request_parts(parts, state)
            .await
            .map_err(|_| challenge())?
            .tenant_id
    } else if let Some(b64) = crate::extract::credentials(&auth, "Basic") {
        let client = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        if let Err(retry) = state
            .limiter
            .check(MAILBOX_BASIC_LIMIT, &format!("mailbox:{client}"))
        {
            let mut r = (
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts; try again shortly.",
            )
                .into_response();
            if let Ok(v) = retry.to_string().parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Err(r);
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .ok()
            .and_then(|d| String::from_utf8(d).ok())
            .ok_or_else(challenge)?;
        let (email, password) = decoded.split_once(':').ok_or_else(challenge)?;
        let (email, password) = (email.trim().to_lowercase(), password.to_string());
        if email.len() > 254 || password.is_empty() || password.len() > 256 {
            return Err(challenge());
        }
        // Staff emails are unique per tenant: only a sandbox tenant's
        // active user with this email can sign in here.
        let users = fundline_store::staff::users_by_email(&state.store, &email)
            .await
            .map_err(|_| challenge())?;
        let mut candidate = None;
        for u in users.into_iter().filter(|u| u.is_active == 1) {
            if crate::tenancy::admitted(state, &u.tenant_id)
                .await
                .is_some_and(|a| crate::tenancy::sandbox_privileged(state, a.sandbox))
            {
                candidate = Some(u);
                break;
            }
        }
        // Anyone else costs the same one verification, against a dummy.
        let hash = candidate
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| fundline_vault::dummy_password_hash().to_string());
        // Under the node's one hashing cap, shared with staff logins.
        let Ok(ok) = super::auth::hashing(state, move || {
            fundline_vault::verify_password(&password, &hash)
        })
        .await
        else {
            let mut r = (
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts; try again shortly.",
            )
                .into_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, "1".parse().expect("static"));
            return Err(r);
        };
        match candidate.filter(|_| ok) {
            Some(u) => u.tenant_id,
            None => {
                tracing::info!("sandbox mailbox sign-in refused");
                return Err(challenge());
            }
        }
    } else {
        return Err(challenge());
    };
    let sandbox = crate::tenancy::admitted(state, &tenant_id)
        .await
        .is_some_and(|a| crate::tenancy::sandbox_privileged(state, a.sandbox));
    if !sandbox {
        return Err(challenge());
    }
    Ok(tenant_id)
}

/// GET /sandbox/mailbox
#[utoipa::path(get, path = "/sandbox/mailbox", tag = "Bank analysis",
    description = "The messages sent to the sandbox tenant's customers, newest first, for the sandbox tenant's staff only: HTTP Basic with a staff email and password (a browser prompts for them) or a Bearer staff access token. 404 when the sandbox is off (FUNDLINE_SANDBOX=off).",
    responses((status = 200, content_type = "text/html"), (status = 401, content_type = "text/html"), (status = 404, content_type = "application/json"), (status = 429, content_type = "text/plain")))]
pub async fn mailbox(State(state): State<AppState>, req: axum::extract::Request) -> Response {
    if !state.config.sandbox {
        return crate::ops::not_found(req).await;
    }
    let (mut parts, _) = req.into_parts();
    let tenant_id = match mailbox_tenant(&state, &mut parts).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let messages = match reports::sandbox_outbox(&state.store, &tenant_id, 100).await {
        Ok(m) => m,
        Err(_) => {
            return (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "Please try again in a moment.",
            )
                .into_response()
        }
    };
    let mut rows = String::new();
    for m in &messages {
        let Ok(keys) = state.keyring.tenant(&state.store, &m.tenant_id).await else {
            continue;
        };
        let v = opened(&keys, m);
        let link = v["link"].as_str().unwrap_or("");
        rows.push_str(&format!(
            "<article><h2>{}</h2><p><b>To:</b> {} ({})<br><b>At:</b> {}</p><pre>{}</pre><p><a href=\"{}\">Open the link</a></p></article>",
            escape(&m.subject),
            escape(&m.recipient),
            escape(&m.channel),
            escape(v["createdAt"].as_str().unwrap_or("")),
            escape(v["text"].as_str().unwrap_or("")),
            escape(link),
        ));
    }
    if rows.is_empty() {
        rows = "<p>No messages yet. Create a report request in the sandbox tenant.</p>".into();
    }
    let mut resp = Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandbox mailbox</title></head>\
         <body><h1>Sandbox mailbox</h1>{rows}</body></html>"
    ))
    .into_response();
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'"
            .parse()
            .expect("static"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
    resp
}
