//! A staff user's client for the bank-analysis API.

use serde_json::{json, Value};

use super::TestApp;

pub struct Staff {
    pub base: String,
    pub token: String,
    pub zone: Option<String>,
    http: reqwest::Client,
}

pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

impl Staff {
    /// The tenant's first user (an admin).
    pub async fn admin(app: &TestApp) -> Staff {
        let a = &app.tenant.analysis;
        Staff::login(app, &a.email, &a.password).await
    }

    pub async fn login(app: &TestApp, email: &str, password: &str) -> Staff {
        let http = reqwest::Client::new();
        let r = super::json_of(
            http.post(format!("{}/api/v1/auth/login", app.base))
                .json(&json!({"email": email, "password": password})),
        )
        .await;
        let token = r["data"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {r}"))
            .to_string();
        Staff {
            base: app.base.clone(),
            token,
            zone: None,
            http,
        }
    }

    /// The signed-in user's id, as /api/v1/auth/status gives it.
    pub async fn user_id(&self) -> String {
        let a = self.get("/api/v1/auth/status").await;
        a.body["data"]["userId"]
            .as_str()
            .unwrap_or_else(|| panic!("auth status: {a}"))
            .to_string()
    }

    /// GET /sandbox/mailbox with this user's bearer token: the answer as
    /// it came (a page, not the envelope).
    pub async fn sandbox_mailbox(&self) -> reqwest::Response {
        self.http
            .get(format!("{}/sandbox/mailbox", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let mut req = req.bearer_auth(&self.token);
        if let Some(z) = &self.zone {
            req = req.header("X-Timezone", z);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer { status, body }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(self.http.post(format!("{}{path}", self.base)).json(body))
            .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Answer {
        self.send(self.http.put(format!("{}{path}", self.base)).json(body))
            .await
    }

    /// GET `path`, refused with this status, message and errors.
    pub async fn get_refused(&self, path: &str, status: u16, message: &str, errors: &[&str]) {
        envelope_err(&self.get(path).await, status, message, errors);
    }

    /// POST `body` to `path`, refused with this status, message and errors.
    pub async fn post_refused(
        &self,
        path: &str,
        body: &Value,
        status: u16,
        message: &str,
        errors: &[&str],
    ) {
        envelope_err(&self.post(path, body).await, status, message, errors);
    }

    /// GET `path`, answered 200 in the envelope with `message`.
    pub async fn get_ok(&self, path: &str, message: &str) -> Answer {
        let a = self.get(path).await;
        envelope_ok(&a, message);
        a
    }

    /// The report request re-sent, which must be accepted; the answer.
    pub async fn resend(&self, report_id: &str) -> Answer {
        let body = json!({"reportRequestId": report_id});
        let a = self
            .post("/api/v1/instantbankanalysis/report-request/reset", &body)
            .await;
        envelope_ok(&a, "Report request re-sent successfully.");
        a
    }

    /// Customer `n` (see [`customer`]), created; its id.
    pub async fn create_customer(&self, n: u32) -> String {
        let c = self.post("/api/v1/customer", &customer(n)).await;
        c.body["data"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("customer: {c}"))
            .to_string()
    }

    /// A report request for the customer, sent `via` (1 email, 2 SMS): the
    /// answer, whatever it is.
    pub async fn request_report(&self, customer_id: &str, via: i64) -> Answer {
        let body = json!({"customerId": customer_id, "sendVia": via});
        self.post("/api/v1/instantbankanalysis/report-request", &body)
            .await
    }

    /// Customer `n` and a report request by email, which must be accepted:
    /// (customer id, report request id).
    pub async fn customer_with_request(&self, n: u32) -> (String, String) {
        let customer_id = self.create_customer(n).await;
        let r = self.request_report(&customer_id, 1).await;
        assert_eq!(r.status, 200, "{r}");
        let report_id = r.body["data"]
            .as_str()
            .or_else(|| r.body["data"]["id"].as_str())
            .unwrap_or_else(|| panic!("report request: {r}"))
            .to_string();
        (customer_id, report_id)
    }

    /// Every BankingTransactions row of the report's account (`account`:
    /// its number in the report), newest first, read a page of 100 at a time.
    pub async fn all_transactions(&self, report_id: &str, account: &Value) -> Vec<Value> {
        let mut rows = Vec::new();
        for page in 1.. {
            let a = self
                .get(&format!(
                    "/api/v1/instantbankanalysis/BankingTransactions/{report_id}/{account}?pageSize=100&pageNumber={page}"
                ))
                .await;
            assert_eq!(a.status, 200, "{a}");
            let data = a.body["data"].as_array().unwrap();
            rows.extend(data.iter().cloned());
            if data.is_empty() || rows.len() as u64 >= a.body["totalCount"].as_u64().unwrap() {
                break;
            }
        }
        rows
    }

    pub async fn post_raw(&self, path: &str, body: &'static str) -> Answer {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/json")
                .body(body),
        )
        .await
    }
}

/// Customers 1 and 2, onboarded two days apart: the clock moves 48 hours
/// between them and the admin signs in again (a session left alone ends).
/// Their onboarding days as YYYY-MM-DD, in UTC.
pub async fn customers_two_days_apart(app: &TestApp) -> (String, String) {
    let mut days = Vec::new();
    for n in 1..=2 {
        if n > 1 {
            app.clock.advance(std::time::Duration::from_secs(48 * 3600));
        }
        let c = Staff::admin(app)
            .await
            .post("/api/v1/customer", &customer(n))
            .await;
        envelope_ok(&c, "Customer created successfully.");
        let created = c.body["data"]["createdDate"].as_str().unwrap_or_default();
        days.push(created.get(..10).unwrap_or_default().to_string());
    }
    (days.remove(0), days.remove(0))
}

/// A valid individual customer; `n` varies email and SSN.
pub fn customer(n: u32) -> Value {
    json!({
        "userName": format!("jane{n}"),
        "password": "S3cure-pass!",
        "customerType": 1,
        "lastName": "Smith",
        "firstName": format!("Jane{n}"),
        "phoneType": "Mobile",
        "phoneNumber": "4045550123",
        "email": format!("jane{n}@example.com"),
        "addressLine1": "123 Main St",
        "country": "USA",
        "addressLine2": "Apt 4B",
        "city": "Atlanta",
        "state": "GA",
        "postalCode": "30313",
        "employer": "Tasty Bites",
        "occupation": "Cook",
        "monthlyIncome": 3200.5,
        "payFrequency": "Bi-Weekly",
        "driversLicense": "D1234567",
        // Serial 0000 is never issued (and refused): start at 0001.
        "ssn": format!("{:09}", 123_450_001 + n),
        "dob": "1990-05-24T00:00:00.000Z",
        "bankName": "First National Bank",
        "bankAccNo": format!("{}", 34_366_787_628_003_539u64 + u64::from(n)),
        "routingNo": "011000015",
        "employerName": "Tasty Bites LLC",
        "countryCode": "US"
    })
}

pub fn envelope_ok(a: &Answer, message: &str) {
    assert_eq!(a.status, 200, "{a}");
    assert_eq!(a.body["success"], true, "{a}");
    assert_eq!(a.body["message"], message, "{a}");
    assert_eq!(a.body["errors"], Value::Null, "{a}");
}

pub fn envelope_err(a: &Answer, status: u16, message: &str, errors: &[&str]) {
    assert_eq!(a.status, status, "{a}");
    assert_eq!(a.body["success"], false, "{a}");
    assert_eq!(a.body["message"], message, "{a}");
    assert_eq!(a.body["data"], Value::Null, "{a}");
    assert_eq!(a.body["errors"], json!(errors), "{a}");
}
