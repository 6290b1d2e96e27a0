//! Messages to customers. Every message is recorded in the outbox (sealed);
//! email is relayed over SMTP when a relay is configured, SMS goes to the
//! configured HTTP provider (`sms.rs`); a channel without a transport is
//! recorded only. The outbox is the queue: a sender on every node with a
//! transport claims due messages (a lease on the row, so one node sends
//! each), and records each attempt: sent, retried later with exponential
//! backoff, or failed (refused for good, or out of attempts).
//! The sandbox tenant's messages can be read at /sandbox/mailbox by its
//! staff (sandbox on only).

use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use fundline_store::outbox::{self, OutboxMessage};
use futures::StreamExt;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::sms::{self, Outcome, Sms};
use crate::config::SmtpConfig;
use crate::pages::{self, Headers};
use crate::AppState;

/// How long a claimed message is left to its sender before another may
/// take it (longer than any one attempt's time limits).
const LEASE: Duration = Duration::from_secs(120);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// Messages sent at once by one node.
const CONCURRENCY: usize = 8;

/// Whether this node sends messages of `channel` ("email", "sms"); a
/// message of a channel without a transport is recorded only.
pub fn deliverable(state: &AppState, channel: &str) -> bool {
    match channel {
        "email" => state.config.smtp.is_some(),
        "sms" => state.sms.is_some(),
        _ => false,
    }
}

struct Mail {
    smtp: SmtpConfig,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

/// This node's sender: the SMTP relay (when configured) and the SMS
/// provider; run by the outbox worker (`crate::workers`).
pub struct Sender {
    mail: Option<Mail>,
}

impl Sender {
    /// `None` when this node has no transport at all (messages are then
    /// recorded only).
    pub fn new(state: &AppState) -> Option<Sender> {
        if state.config.smtp.is_none() && state.sms.is_none() {
            return None;
        }
        let mail = state.config.smtp.clone().map(|smtp| Mail {
            transport: AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                .port(smtp.port)
                .timeout(Some(Duration::from_secs(20)))
                .build(),
            smtp,
        });
        Some(Sender { mail })
    }

    /// Claims and sends what is due; how many messages this node took.
    pub async fn deliver_due(&self, state: &AppState) -> usize {
        let mail = self.mail.as_ref();
        let mut channels = Vec::new();
        if mail.is_some() {
            channels.push("email");
        }
        if state.sms.is_some() {
            channels.push("sms");
        }
        let now = state.clock.now_micros();
        let due = match outbox::outbox_due(&state.store, &channels, now, 50).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "outbox read failed");
                return 0;
            }
        };
        let taken = std::sync::atomic::AtomicUsize::new(0);
        futures::stream::iter(due)
            .for_each_concurrent(CONCURRENCY, |m| async {
                if deliver(state, mail, m).await {
                    taken.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            })
            .await;
        taken.into_inner()
    }
}

/// One attempt at one message, if no other sender has it.
async fn deliver(state: &AppState, mail: Option<&Mail>, m: OutboxMessage) -> bool {
    let now = state.clock.now_micros();
    let lease_until = now + LEASE.as_micros() as i64;
    match outbox::outbox_claim(&state.store, &m.id, now, lease_until).await {
        Ok(true) => {}
        Ok(false) => return false,
        Err(e) => {
            tracing::warn!(message_id = %m.id, error = %e, "outbox claim failed");
            return false;
        }
    }
    let outcome = match (m.channel.as_str(), mail, &state.sms) {
        ("email", Some(mail), _) => send_email(state, mail, &m).await,
        ("sms", _, Some(sender)) => send_sms(state, sender.as_ref(), &m).await,
        _ => Outcome::Retry("no transport for this channel on this node".into()),
    };
    record(state, &m, outcome).await;
    true
}

/// Wait before attempt `attempts + 1`: the backoff, doubled per attempt made.
fn backoff(state: &AppState, attempts: i64) -> Duration {
    fundline_store::jobs::backoff(state.config.outbox_backoff, attempts, MAX_BACKOFF)
}

/// Records an attempt's outcome on the message.
async fn record(state: &AppState, m: &OutboxMessage, outcome: Outcome) {
    let now = state.clock.now_micros();
    let attempts = m.attempts + 1;
    let out_of_attempts = attempts >= state.config.outbox_max_attempts.max(1);
    let to = recipient_for_logs(m);
    let (next, error, next_at) = match outcome {
        Outcome::Delivered => {
            tracing::info!(message_id = %m.id, report_id = %m.report_request_id, channel = %m.channel, to = %to, attempts, "customer message sent");
            (outbox::OUTBOX_SENT, None, None)
        }
        Outcome::Retry(e) if !out_of_attempts => {
            let wait = backoff(state, attempts);
            tracing::warn!(message_id = %m.id, channel = %m.channel, to = %to, attempts, error = %e, retry_in_secs = wait.as_secs_f64(), "customer message not delivered; retried later");
            (
                outbox::OUTBOX_PENDING,
                Some(e),
                Some(now + wait.as_micros() as i64),
            )
        }
        Outcome::Retry(e) | Outcome::Failed(e) => {
            tracing::warn!(message_id = %m.id, report_id = %m.report_request_id, channel = %m.channel, to = %to, attempts, error = %e, "customer message failed");
            (outbox::OUTBOX_FAILED, Some(e), None)
        }
    };
    if let Err(e) = outbox::outbox_mark(&state.store, &m.id, next, error, now, next_at).await {
        tracing::warn!(message_id = %m.id, error = %e, "outbox update failed");
    }
}

/// The recipient as logs show it: a phone number by its last four digits.
fn recipient_for_logs(m: &OutboxMessage) -> String {
    if m.channel == "sms" {
        sms::masked(&m.recipient)
    } else {
        m.recipient.clone()
    }
}

async fn message_text(state: &AppState, m: &OutboxMessage) -> Result<String, Outcome> {
    let keys = state
        .keyring
        .tenant(&state.store, &m.tenant_id)
        .await
        .map_err(|e| Outcome::Retry(e.to_string()))?;
    keys.open_string_row("ba_outbox", "text", &m.id, &m.text_sealed)
        .map(|t| t.expose().to_string())
        .map_err(|_| Outcome::Failed("the message cannot be opened".into()))
}

async fn send_sms(state: &AppState, sender: &dyn sms::SmsSender, m: &OutboxMessage) -> Outcome {
    let Some(to) = sms::e164(&m.recipient) else {
        return Outcome::Failed("the phone number cannot be written in E.164".into());
    };
    let text = match message_text(state, m).await {
        Ok(t) => t,
        Err(o) => return o,
    };
    sender
        .send(Sms {
            to: &to,
            body: &text,
            reference: &m.id,
        })
        .await
}

async fn send_email(state: &AppState, mail: &Mail, m: &OutboxMessage) -> Outcome {
    let text = match message_text(state, m).await {
        Ok(t) => t,
        Err(o) => return o,
    };
    let Ok(from) = mail.smtp.from.parse() else {
        return Outcome::Retry("the sender address is not valid".into());
    };
    let Ok(to) = m.recipient.parse() else {
        return Outcome::Failed("the recipient address is not valid".into());
    };
    let email = match Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .body(text)
    {
        Ok(e) => e,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    // The SMTP error may quote the server, never the message.
    match mail.transport.send(email).await {
        Ok(_) => Outcome::Delivered,
        Err(e) if e.is_permanent() => Outcome::Failed(e.to_string()),
        Err(e) => Outcome::Retry(e.to_string()),
    }
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
        "lastError": m.last_error,
        "nextAttemptAt": m.next_attempt_at.and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_micros).map(|t| t.to_rfc3339()),
        "createdAt": chrono::DateTime::<chrono::Utc>::from_timestamp_micros(m.created_at).map(|t| t.to_rfc3339()),
        "sentAt": m.sent_at.and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_micros).map(|t| t.to_rfc3339()),
    })
}

/// The sandbox mailbox: the messages, opened.
#[derive(Template)]
#[template(path = "sandbox/mailbox.html")]
struct MailboxPage {
    messages: Vec<MailboxEntry>,
}

struct MailboxEntry {
    subject: String,
    recipient: String,
    channel: String,
    created_at: String,
    text: String,
    link: String,
}

/// The mailbox's answer to a browser that has not signed in.
#[derive(Template)]
#[template(path = "sandbox/sign_in.html")]
struct SignInPage;

/// Basic-auth attempts per client address and node: a burst of 5, then one a second.
const MAILBOX_BASIC_LIMIT: crate::ratelimit::RateLimit = crate::ratelimit::RateLimit {
    per_second: 1,
    burst: 5,
};

/// 401 with the Basic challenge a browser answers with a login prompt.
fn challenge() -> Response {
    // Sent as it always was: without the mailbox's other headers.
    let mut r = pages::render(StatusCode::UNAUTHORIZED, &SignInPage, Headers::default());
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
            return Err(too_many_attempts(retry));
        }
        basic_sign_in(state, b64).await?
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

/// The tenant of the sandbox tenant's active staff user whose email and
/// password the Basic credentials `b64` carry.
async fn basic_sign_in(state: &AppState, b64: &str) -> Result<String, Response> {
    use base64::Engine as _;
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
    let candidate = sandbox_user(state, &email).await?;
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
        return Err(too_many_attempts(1));
    };
    match candidate.filter(|_| ok) {
        Some(u) => Ok(u.tenant_id),
        None => {
            tracing::info!("sandbox mailbox sign-in refused");
            Err(challenge())
        }
    }
}

/// Staff emails are unique per tenant: only a sandbox tenant's active user
/// with this email can sign in here.
async fn sandbox_user(
    state: &AppState,
    email: &str,
) -> Result<Option<fundline_store::staff::User>, Response> {
    let users = fundline_store::staff::users_by_email(&state.store, email)
        .await
        .map_err(|_| challenge())?;
    for u in users.into_iter().filter(|u| u.is_active == 1) {
        if crate::tenancy::admitted(state, &u.tenant_id)
            .await
            .is_some_and(|a| crate::tenancy::sandbox_privileged(state, a.sandbox))
        {
            return Ok(Some(u));
        }
    }
    Ok(None)
}

/// 429, to try again after `seconds`.
fn too_many_attempts(seconds: u64) -> Response {
    let mut r = (
        StatusCode::TOO_MANY_REQUESTS,
        "Too many attempts; try again shortly.",
    )
        .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    r
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
    let messages = match outbox::sandbox_outbox(&state.store, &tenant_id, 100).await {
        Ok(m) => m,
        Err(_) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again in a moment.",
            )
                .into_response()
        }
    };
    let mut entries = Vec::with_capacity(messages.len());
    for m in &messages {
        let Ok(keys) = state.keyring.tenant(&state.store, &m.tenant_id).await else {
            continue;
        };
        let v = opened(&keys, m);
        let field = |k: &str| v[k].as_str().unwrap_or("").to_string();
        entries.push(MailboxEntry {
            subject: m.subject.clone(),
            recipient: m.recipient.clone(),
            channel: m.channel.clone(),
            created_at: field("createdAt"),
            text: field("text"),
            link: field("link"),
        });
    }
    pages::render(
        StatusCode::OK,
        &MailboxPage { messages: entries },
        // Nothing but the page's own markup: no style, script or image.
        Headers {
            csp: Some("default-src 'none'; frame-ancestors 'none'".into()),
            no_store: true,
            ..Headers::default()
        },
    )
}

#[cfg(test)]
mod mailbox_tests {
    use super::*;

    #[test]
    fn the_mailbox_escapes_what_it_shows() {
        let hostile = "<script>alert(1)</script>\"'&";
        let html = MailboxPage {
            messages: vec![MailboxEntry {
                subject: "Share your bank information".into(),
                recipient: "mia@example.com".into(),
                channel: "email".into(),
                created_at: "2026-05-04T10:00:00+00:00".into(),
                text: format!("Hello {hostile},\n\nhttps://x.example/connect/t0k\n"),
                link: "https://x.example/connect/t0k?a=\"1\"&b=2".into(),
            }],
        }
        .render()
        .unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains(
                "<pre>Hello &#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;,\n\nhttps://x.example/connect/t0k\n</pre>"
            ),
            "{html}"
        );
        assert!(
            html.contains(
                "<a href=\"https://x.example/connect/t0k?a=&#34;1&#34;&#38;b=2\">Open the link</a>"
            ),
            "{html}"
        );
        assert!(html.contains(
            "<b>To:</b> mia@example.com (email)<br><b>At:</b> 2026-05-04T10:00:00+00:00"
        ));
    }

    #[test]
    fn an_empty_mailbox_says_how_to_fill_it() {
        let html = MailboxPage { messages: vec![] }.render().unwrap();
        assert!(html.contains(
            "<h1>Sandbox mailbox</h1><p>No messages yet. Create a report request in the sandbox tenant.</p>"
        ));
        assert!(!html.contains("<article>"));
    }
}
