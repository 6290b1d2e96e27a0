//! A small typed client for the partner API, shared by the bench and the
//! integration tests (which must see exactly what a partner sees).

use reqwest::header::HeaderMap;
use serde_json::Value;

#[derive(Clone)]
pub struct PartnerClient {
    pub http: reqwest::Client,
    pub base: String,
    pub device_id: String,
    pub session_id: Option<String>,
}

/// One answer: status, headers and the body parsed as JSON (Null if empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    async fn from(resp: reqwest::Response) -> Answer {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }
}

impl PartnerClient {
    pub fn new(base: &str, device_id: &str) -> PartnerClient {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        PartnerClient {
            http,
            base: base.trim_end_matches('/').to_string(),
            device_id: device_id.into(),
            session_id: None,
        }
    }

    /// The same partner session, spoken to another server node.
    pub fn clone_for(&self, base: &str) -> PartnerClient {
        PartnerClient {
            http: self.http.clone(),
            base: base.trim_end_matches('/').to_string(),
            device_id: self.device_id.clone(),
            session_id: self.session_id.clone(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// AuthenticatePartner with HTTP Basic; keeps the session for later calls.
    pub async fn authenticate(
        &mut self,
        client_id: &str,
        secret: &str,
    ) -> Result<Answer, reqwest::Error> {
        let resp = self
            .http
            .post(self.url("/api/v1/partners/authenticate"))
            .basic_auth(client_id, Some(secret))
            .header("deviceId", &self.device_id)
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await?;
        let a = Answer::from(resp).await;
        if let Some(s) = a.headers.get("sessionId").and_then(|v| v.to_str().ok()) {
            self.session_id = Some(s.to_string());
        }
        Ok(a)
    }

    /// A partner method: POST JSON with the session headers.
    pub async fn call(&self, method: &str, body: &Value) -> Result<Answer, reqwest::Error> {
        let mut req = self
            .http
            .post(self.url(&format!("/api/v1/partners/{method}")))
            .header("deviceId", &self.device_id)
            .json(body);
        if let Some(s) = &self.session_id {
            req = req.header("sessionId", s);
        }
        Ok(Answer::from(req.send().await?).await)
    }

    /// A session-authenticated call on another path (PUT with a JSON body).
    pub async fn call_raw_put(&self, path: &str, body: &Value) -> (u16, Value) {
        let mut req = self
            .http
            .put(self.url(path))
            .header("deviceId", &self.device_id)
            .json(body);
        if let Some(s) = &self.session_id {
            req = req.header("sessionId", s);
        }
        match req.send().await {
            Ok(r) => (r.status().as_u16(), r.json().await.unwrap_or(Value::Null)),
            Err(_) => (0, Value::Null),
        }
    }

    /// A session-authenticated GET on another path.
    pub async fn call_raw_get(&self, path: &str) -> (u16, Value) {
        let mut req = self
            .http
            .get(self.url(path))
            .header("deviceId", &self.device_id);
        if let Some(s) = &self.session_id {
            req = req.header("sessionId", s);
        }
        match req.send().await {
            Ok(r) => (r.status().as_u16(), r.json().await.unwrap_or(Value::Null)),
            Err(_) => (0, Value::Null),
        }
    }

    /// A partner method, answering only the status (the bench's fast path:
    /// the body is read to the end, not parsed).
    pub async fn call_status(&self, method: &str, body: Vec<u8>) -> Result<u16, reqwest::Error> {
        let mut req = self
            .http
            .post(self.url(&format!("/api/v1/partners/{method}")))
            .header("deviceId", &self.device_id)
            .header("content-type", "application/json")
            .body(body);
        if let Some(s) = &self.session_id {
            req = req.header("sessionId", s);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        resp.bytes().await?;
        Ok(status)
    }

    /// POST raw bytes with a chosen content type (for malformed-input tests).
    pub async fn call_raw(
        &self,
        method: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Answer, reqwest::Error> {
        let mut req = self
            .http
            .post(self.url(&format!("/api/v1/partners/{method}")))
            .header("deviceId", &self.device_id)
            .header("content-type", content_type)
            .body(body);
        if let Some(s) = &self.session_id {
            req = req.header("sessionId", s);
        }
        Ok(Answer::from(req.send().await?).await)
    }
}

/// A Luhn-valid 16-digit Visa number from a counter (distinct counters give distinct numbers).
pub fn test_visa(n: u64) -> String {
    // 4111… keeps clear of the sandbox network's 4000… test numbers.
    let body = format!("4111{:011}", n % 100_000_000_000);
    let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i.is_multiple_of(2) {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// A valid SSN from a counter: area 100-665, group 01-99, serial 0001-9999.
pub fn test_ssn(n: u64) -> String {
    let serial = n % 9999 + 1;
    let group = (n / 9999) % 99 + 1;
    let area = (n / (9999 * 99)) % 566 + 100;
    format!("{area:03}{group:02}{serial:04}")
}

/// An enrollment body for customer `n`.
pub fn enrollment(n: u64) -> Value {
    serde_json::json!({
        "emailAddress": format!("customer{n}@example.com"),
        "ssn": test_ssn(n),
        "firstName": "Roger",
        "lastName": "Rabbit",
        "middleInitial": "R",
        "title": "Mr.",
        "mobileNumber": "6153456789",
        "homeNumber": "6153456565",
        "addressLine1": "660 Bakers Bridge Lane",
        "addressLine2": "Suite 100",
        "city": "Franklin",
        "state": "TN",
        "zip": "37067",
        "dateOfBirth": "1978-09-11",
        "allowTexts": "Y"
    })
}

/// A card registration body matching `enrollment`'s address (so AVS passes).
pub fn card(customer_id: &str, pan: &str) -> Value {
    serde_json::json!({
        "customerId": customer_id,
        "cardNumber": pan,
        "expirationMonthYear": "1230",
        "cardNickname": "Home",
        "nameOnCard": "Roger Rabbit",
        "addressLine1": "660 Bakers Bridge Lane",
        "addressLine2": "",
        "city": "Franklin",
        "state": "TN",
        "zip": "37067"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_numbers_are_valid() {
        for n in [0u64, 1, 42, 99_999_999] {
            assert!(
                fundline_core::card::Pan::parse(&test_visa(n)).is_ok(),
                "{}",
                test_visa(n)
            );
            assert!(
                fundline_core::ssn::Ssn::parse(&test_ssn(n)).is_ok(),
                "{}",
                test_ssn(n)
            );
        }
        assert_ne!(test_visa(1), test_visa(2));
    }
}

/// A gateway client that signs every request the way IngoPay's clients do
/// (ARCHITECTURE.md → "The gateway's HMAC signature").
#[derive(Clone)]
pub struct GatewayClient {
    pub http: reqwest::Client,
    pub base: String,
    pub username: String,
    pub secret: String,
}

/// What to sign and send; tests bend each part to make negatives.
#[derive(Clone, Debug)]
pub struct Signing {
    pub x_date: String,
    pub algorithm: &'static str,
    pub headers: &'static str,
    pub extra_headers: Vec<(String, String)>,
}

impl Signing {
    pub fn now() -> Signing {
        Signing::at(chrono::Utc::now())
    }

    pub fn at(t: chrono::DateTime<chrono::Utc>) -> Signing {
        // X-Date has one-second resolution, so two identical requests in one
        // second would carry one signature (refused as a replay); signing a
        // fresh X-Request-Id keeps every request distinct.
        Signing {
            x_date: t.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            algorithm: "hmac-sha512",
            headers: "request-line x-date content-type content-sha512 content-length x-request-id",
            extra_headers: vec![("x-request-id".into(), uuid::Uuid::new_v4().to_string())],
        }
    }
}

/// A fully built signed request, replayable byte for byte.
#[derive(Clone, Debug)]
pub struct SignedRequest {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl GatewayClient {
    pub fn new(base: &str, username: &str, secret: &str) -> GatewayClient {
        GatewayClient {
            http: reqwest::Client::new(),
            base: base.trim_end_matches('/').to_string(),
            username: username.into(),
            secret: secret.into(),
        }
    }

    pub fn sign(&self, path: &str, body: &[u8], s: &Signing) -> SignedRequest {
        use fundline_api::gateway::hmac::{
            content_sha512, parse_authorization, sign, string_to_sign, Algorithm,
        };
        let digest = content_sha512(body);
        let length = body.len().to_string();
        let mut headers: Vec<(String, String)> = vec![
            ("x-date".into(), s.x_date.clone()),
            ("content-type".into(), "application/json".into()),
            ("content-sha512".into(), digest),
            ("content-length".into(), length),
        ];
        headers.extend(
            s.extra_headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone())),
        );
        let alg = if s.algorithm == "hmac-sha256" {
            Algorithm::Sha256
        } else {
            Algorithm::Sha512
        };
        let placeholder = format!(
            "hmac username=\"{}\", algorithm=\"hmac-sha512\", headers=\"{}\", signature=\"AA==\"",
            self.username, s.headers
        );
        let signature = match parse_authorization(&placeholder) {
            Ok(auth) => {
                let lookup = |name: &str| {
                    headers
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.as_str())
                };
                let text = string_to_sign(&auth, "POST", path, lookup).unwrap_or_default();
                base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    sign(self.secret.as_bytes(), &alg, &text),
                )
            }
            // A header list the server would refuse anyway: sign nothing meaningful.
            Err(_) => "AA==".to_string(),
        };
        headers.push((
            "authorization".into(),
            format!(
                "hmac username=\"{}\", algorithm=\"{}\", headers=\"{}\", signature=\"{signature}\"",
                self.username, s.algorithm, s.headers
            ),
        ));
        SignedRequest {
            path: path.into(),
            headers,
            body: body.to_vec(),
        }
    }

    pub async fn send(&self, r: &SignedRequest) -> Result<Answer, reqwest::Error> {
        let mut req = self
            .http
            .post(format!("{}{}", self.base, r.path))
            .body(r.body.clone());
        for (k, v) in &r.headers {
            if k != "content-length" {
                req = req.header(k, v);
            }
        }
        Ok(Answer::from(req.send().await?).await)
    }

    /// Signs now and sends.
    pub async fn post(
        &self,
        path: &str,
        body: &Value,
        extra: &[(&str, &str)],
    ) -> Result<Answer, reqwest::Error> {
        let mut s = Signing::now();
        s.extra_headers
            .extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let r = self.sign(path, &bytes, &s);
        self.send(&r).await
    }
}

/// Spec 001's sample session request.
pub fn session_request(uid1: &str) -> Value {
    serde_json::json!({
        "participant_unique_id1": uid1,
        "participant_unique_id2": "DEF-5678",
        "recipient_information": {
            "first_name": "Jack",
            "last_name": "Frost",
            "address_line1": "123 Main St",
            "address_line2": "",
            "city": "Atlanta",
            "state": "GA",
            "zip_code": "30313",
            "email_address": "jack.frost@example.com",
            "phone_number": "1231231234",
            "mobile_number": "1231231234"
        }
    })
}

/// A token service client that signs as the Connect SDKs do (`v1HMAC`).
#[derive(Clone)]
pub struct ConnectClient {
    pub http: reqwest::Client,
    pub base: String,
    pub key_id: String,
    pub secret: String,
    /// Date to sign with; `None` = now.
    pub date: Option<chrono::DateTime<chrono::Utc>>,
    /// `X-GCS-Idempotence-Key` to send (and sign) with each request.
    pub idempotence_key: Option<String>,
}

impl ConnectClient {
    pub fn new(base: &str, key_id: &str, secret: &str) -> ConnectClient {
        ConnectClient {
            http: reqwest::Client::new(),
            base: base.trim_end_matches('/').into(),
            key_id: key_id.into(),
            secret: secret.into(),
            date: None,
            idempotence_key: None,
        }
    }

    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, reqwest::Error> {
        use fundline_api::connect::hmac::{sign, string_to_sign};
        let date = self
            .date
            .unwrap_or_else(chrono::Utc::now)
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let meta = "eyJzZGtDcmVhdG9yIjoiRnVuZGxpbmUgdGVzdHMifQ==";
        let content_type = body.map(|_| "application/json");
        let mut gcs = vec![("X-GCS-ServerMetaInfo", meta)];
        if let Some(key) = &self.idempotence_key {
            gcs.push(("X-GCS-Idempotence-Key", key));
        }
        let text = string_to_sign(method, content_type, &date, gcs.iter().copied(), path);
        let signature = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            sign(&self.secret, &text),
        );
        let m: reqwest::Method = method.parse().unwrap_or(reqwest::Method::GET);
        let mut req = self
            .http
            .request(m, format!("{}{path}", self.base))
            .header("Date", &date)
            .header(
                "Authorization",
                format!("GCS v1HMAC:{}:{signature}", self.key_id),
            );
        for (name, value) in gcs {
            req = req.header(name, value);
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(serde_json::to_vec(b).unwrap_or_default());
        }
        Ok(Answer::from(req.send().await?).await)
    }
}

/// A check deposit as the customer's app sends it: the multipart form of
/// POST /api/v1/checks (the images' file names are not read).
pub struct Deposit<'a> {
    pub front: Vec<u8>,
    pub back: Vec<u8>,
    /// Cents.
    pub amount: i64,
    pub check_type: &'a str,
    pub card_id: &'a str,
    pub funding: &'a str,
    pub micr: &'a str,
}

impl<'a> Deposit<'a> {
    /// A $100 payroll check, for funding in minutes.
    pub fn payroll(front: Vec<u8>, back: Vec<u8>, card_id: &'a str, micr: &'a str) -> Self {
        Deposit {
            front,
            back,
            amount: 10_000,
            check_type: "payroll",
            card_id,
            funding: "minutes",
            micr,
        }
    }

    pub fn form(self) -> reqwest::multipart::Form {
        let image = |bytes, name| reqwest::multipart::Part::bytes(bytes).file_name(name);
        reqwest::multipart::Form::new()
            .part("front", image(self.front, "front.png"))
            .part("back", image(self.back, "back.png"))
            .text("amount", self.amount.to_string())
            .text("checkType", self.check_type.to_string())
            .text("cardId", self.card_id.to_string())
            .text("funding", self.funding.to_string())
            .text("micr", self.micr.to_string())
    }
}

/// The header of a PNG image of `width` × `height` (what a check image check
/// reads), made unique by `salt` so two images never share a content hash.
pub fn check_png(width: u32, height: u32, salt: u64) -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.extend_from_slice(&13u32.to_be_bytes());
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b.extend_from_slice(&salt.to_be_bytes());
    b
}
