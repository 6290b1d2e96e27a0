//! Customer email through an SMTP relay: the outbox message is delivered and
//! marked sent; a relay that refuses for now leaves it pending for a retry,
//! one that refuses for good fails it at once.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::spawn_app_with;
use common::staff::Staff;
use fundline_api::config::SmtpConfig;
use fundline_api::ApiConfig;

/// A minimal SMTP server: accepts every message and keeps its DATA; with
/// `refuse`, answers MAIL with a transient error.
async fn relay(refuse: bool) -> (u16, Arc<Mutex<Vec<String>>>) {
    relay_answering_mail(refuse.then_some(b"451 try again later\r\n")).await
}

/// The same, answering MAIL with `mail_refusal` when there is one.
async fn relay_answering_mail(
    mail_refusal: Option<&'static [u8]>,
) -> (u16, Arc<Mutex<Vec<String>>>) {
    common::smtp::relay(mail_refusal).await
}

fn config(port: u16) -> ApiConfig {
    ApiConfig {
        smtp: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            from: "Lender <no-reply@lender.example>".into(),
        }),
        ..ApiConfig::default()
    }
}

async fn request(app: &common::TestApp) {
    Staff::admin(app).await.customer_with_request(1).await;
}

#[tokio::test]
async fn the_link_is_emailed_through_the_relay() {
    let (port, got) = relay(false).await;
    let app = spawn_app_with(config(port)).await;
    request(&app).await;
    common::eventually(
        "the message to be sent",
        Duration::from_secs(5),
        async || {
            let outbox = app.outbox().await;
            let state = outbox[0]["state"].as_str().unwrap().to_string();
            if state == "sent" {
                Ok(())
            } else {
                Err(state)
            }
        },
    )
    .await;
    let mails = got.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.contains("To: jane1@example.com"), "{mail}");
    assert!(
        mail.contains("Subject: Share your bank information"),
        "{mail}"
    );
    assert!(
        mail.contains("/connect/"),
        "the link is in the mail: {mail}"
    );
}

/// The first outbox message once `done` holds for it (within 5 s).
async fn first_message_when(
    app: &common::TestApp,
    what: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    common::eventually(what, Duration::from_secs(5), async || {
        let m = app.outbox().await[0].clone();
        done(&m).then_some(m)
    })
    .await
}

#[tokio::test]
async fn a_refusing_relay_leaves_the_message_pending() {
    let (port, got) = relay(true).await;
    let app = spawn_app_with(config(port)).await;
    request(&app).await;
    let m = first_message_when(&app, "a first delivery attempt", |m| {
        m["attempts"].as_i64().unwrap() >= 1
    })
    .await;
    assert_eq!(m["state"], "pending");
    assert!(got.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_permanent_refusal_fails_the_message_at_once() {
    let (port, got) = relay_answering_mail(Some(b"550 mailbox unavailable\r\n")).await;
    let app = spawn_app_with(ApiConfig {
        outbox_backoff: Duration::from_millis(50),
        outbox_poll: Duration::from_millis(25),
        ..config(port)
    })
    .await;
    request(&app).await;
    let m = first_message_when(&app, "the message to leave pending", |m| {
        m["state"] != "pending"
    })
    .await;
    assert_eq!(m["state"], "failed", "{m}");
    assert_eq!(m["attempts"], 1, "not retried: {m}");
    assert!(m["lastError"].as_str().unwrap().contains("550"), "{m}");
    assert!(got.lock().unwrap().is_empty());
}
