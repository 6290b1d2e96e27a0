//! Text messages to customers through an HTTP provider, behind a trait
//! (`SmsSender`): a generic JSON webhook, or Twilio's Messages API. The
//! outbox sender (`outbox.rs`) decides from the `Outcome` whether the
//! message is sent, retried later or failed: a 2xx answer is delivered;
//! 408, 429, 5xx, a timeout or no connection are retried; any other answer
//! fails the message at once.
//!
//! Neither the provider's token nor the full phone number is ever logged:
//! logs name the message id and the number's last four digits only, and
//! the errors kept on the message are our own words (with the provider's
//! numeric error code when it gives one), never the provider's body.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::json;

use crate::config::{SmsConfig, SmsProvider};

/// One text message.
#[derive(Debug, Clone, Copy)]
pub struct Sms<'a> {
    /// E.164, e.g. `+14045550123` (see `e164`).
    pub to: &'a str,
    pub body: &'a str,
    /// Our id of the message (the outbox row), for the provider's records
    /// and to tell retries of one message apart from new messages.
    pub reference: &'a str,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Worth another attempt later (the provider is busy, down or slow).
    Retry(String),
    /// Another attempt would be refused the same way.
    Failed(String),
}

/// A way to send text messages.
pub trait SmsSender: Send + Sync {
    /// For logs: `webhook`, `twilio`, ….
    fn name(&self) -> &'static str;
    fn send<'a>(&'a self, sms: Sms<'a>) -> BoxFuture<'a, Outcome>;
}

/// The sender a configuration describes.
pub fn sender(config: &SmsConfig) -> Result<Arc<dyn SmsSender>, String> {
    let client = reqwest::Client::builder()
        .timeout(config.timeout)
        .connect_timeout(config.timeout.min(Duration::from_secs(10)))
        // A provider answers; it does not send us elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|_| "the SMS provider's HTTP client cannot be built".to_string())?;
    Ok(match &config.provider {
        SmsProvider::Webhook { url, token } => Arc::new(Webhook {
            client,
            url: url.clone(),
            token: token.clone(),
        }),
        SmsProvider::Twilio {
            base_url,
            account_sid,
            auth_token,
            from,
        } => Arc::new(Twilio {
            client,
            url: twilio_messages_url(base_url, account_sid),
            account_sid: account_sid.clone(),
            auth_token: auth_token.clone(),
            from: from.clone(),
        }),
    })
}

/// `{base}/2010-04-01/Accounts/{sid}/Messages.json`
pub fn twilio_messages_url(base_url: &str, account_sid: &str) -> String {
    let sid: String = url::form_urlencoded::byte_serialize(account_sid.as_bytes()).collect();
    format!(
        "{}/2010-04-01/Accounts/{sid}/Messages.json",
        base_url.trim_end_matches('/')
    )
}

/// A phone number in E.164. Customers' numbers are 10 digits (spec 004),
/// North American: `+1` is put in front; 11 digits starting with 1 get a
/// `+`; a number already in E.164 is kept. `None`: none of these.
pub fn e164(phone: &str) -> Option<String> {
    let p = phone.trim();
    let (plus, digits) = match p.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, p),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match (plus, digits.len()) {
        (true, 8..=15) if !digits.starts_with('0') => Some(format!("+{digits}")),
        (false, 10) => Some(format!("+1{digits}")),
        (false, 11) if digits.starts_with('1') => Some(format!("+{digits}")),
        _ => None,
    }
}

/// A phone number as logs may show it: its last four digits.
pub fn masked(phone: &str) -> String {
    fundline_vault::mask_keep_last(phone.trim(), 4)
}

/// The outcome of an HTTP answer's status.
pub fn outcome_of_status(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        408 | 429 | 500..=599 => Outcome::Retry(format!("the SMS provider answered {status}")),
        _ => Outcome::Failed(format!("the SMS provider answered {status}")),
    }
}

/// The outcome of a request that got no answer. The error's own text is not
/// kept: it may carry the provider's URL.
fn outcome_of_error(e: &reqwest::Error) -> Outcome {
    if e.is_builder() {
        Outcome::Failed("the SMS provider's URL is not valid".into())
    } else if e.is_timeout() {
        Outcome::Retry("the SMS provider did not answer in time".into())
    } else if e.is_connect() {
        Outcome::Retry("the SMS provider could not be reached".into())
    } else {
        Outcome::Retry("the request to the SMS provider failed".into())
    }
}

/// Reads the answer: its status decides; a refusal's numeric `code` (Twilio
/// and many webhooks give one) is added to the error.
async fn settle(response: Result<reqwest::Response, reqwest::Error>) -> Outcome {
    let r = match response {
        Ok(r) => r,
        Err(e) => return outcome_of_error(&e),
    };
    let status = r.status().as_u16();
    match outcome_of_status(status) {
        Outcome::Delivered => Outcome::Delivered,
        Outcome::Retry(e) => Outcome::Retry(e),
        Outcome::Failed(e) => match error_code(r).await {
            Some(code) => Outcome::Failed(format!("{e} (code {code})")),
            None => Outcome::Failed(e),
        },
    }
}

/// The numeric `code` of a JSON error body of at most 16 KiB.
async fn error_code(mut r: reqwest::Response) -> Option<i64> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = r.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > 16 * 1024 {
            return None;
        }
    }
    serde_json::from_slice::<serde_json::Value>(&body)
        .ok()?
        .get("code")?
        .as_i64()
}

/// POST `{"to", "body", "reference"}` as JSON, with the bearer token if
/// one is set and `Idempotency-Key: <reference>`.
struct Webhook {
    client: reqwest::Client,
    url: String,
    token: Option<fundline_vault::SecretString>,
}

impl SmsSender for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn send<'a>(&'a self, sms: Sms<'a>) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            let mut req = self
                .client
                .post(&self.url)
                .header("idempotency-key", sms.reference)
                .json(&json!({"to": sms.to, "body": sms.body, "reference": sms.reference}));
            if let Some(token) = &self.token {
                req = req.bearer_auth(token.expose());
            }
            settle(req.send().await).await
        })
    }
}

/// Twilio's Messages API: form `To`, `From`, `Body`, HTTP Basic sid:token.
struct Twilio {
    client: reqwest::Client,
    url: String,
    account_sid: String,
    auth_token: fundline_vault::SecretString,
    from: String,
}

impl SmsSender for Twilio {
    fn name(&self) -> &'static str {
        "twilio"
    }

    fn send<'a>(&'a self, sms: Sms<'a>) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            let form = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("To", sms.to)
                .append_pair("From", &self.from)
                .append_pair("Body", sms.body)
                .finish();
            let req = self
                .client
                .post(&self.url)
                .basic_auth(&self.account_sid, Some(self.auth_token.expose()))
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(form);
            settle(req.send().await).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_put_in_e164() {
        assert_eq!(e164("4045550123").as_deref(), Some("+14045550123"));
        assert_eq!(e164(" 14045550123 ").as_deref(), Some("+14045550123"));
        assert_eq!(e164("+447700900123").as_deref(), Some("+447700900123"));
        for bad in [
            "",
            "+",
            "404-555-0123",
            "12345",
            "24045550123",
            "+0123456789",
        ] {
            assert_eq!(e164(bad), None, "{bad}");
        }
        assert_eq!(masked("+14045550123"), "********0123");
    }

    #[test]
    fn statuses_decide_the_outcome() {
        assert_eq!(outcome_of_status(200), Outcome::Delivered);
        assert_eq!(outcome_of_status(201), Outcome::Delivered);
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(matches!(outcome_of_status(s), Outcome::Retry(_)), "{s}");
        }
        for s in [301, 400, 401, 403, 404, 422] {
            assert!(matches!(outcome_of_status(s), Outcome::Failed(_)), "{s}");
        }
    }

    #[test]
    fn the_twilio_url_names_the_account() {
        assert_eq!(
            twilio_messages_url("https://api.twilio.com/", "AC123"),
            "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
        );
    }
}
