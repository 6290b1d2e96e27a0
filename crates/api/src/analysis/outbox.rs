//! Messages to customers. Every message is recorded in the outbox (sealed);
//! email is relayed over SMTP when a relay is configured, retried with the
//! outbox as the queue. SMS has no provider yet: recorded only.
//! Sandbox tenants' messages can be read at /sandbox/mailbox.

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

/// GET /sandbox/mailbox
#[utoipa::path(get, path = "/sandbox/mailbox", tag = "Bank analysis",
    description = "The messages sent to customers of sandbox tenants, newest first (other tenants' messages never show here).",
    responses((status = 200, content_type = "text/html")))]
pub async fn mailbox(State(state): State<AppState>) -> Response {
    let messages = match reports::sandbox_outbox(&state.store, 100).await {
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
        rows = "<p>No messages yet. Create a report request in a sandbox tenant.</p>".into();
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
