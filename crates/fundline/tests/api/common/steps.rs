//! What a partner does, one step a line: each step is a request that must
//! go through (a transport error fails the test, naming the step), and the
//! steps with a meaning (enroll, link a card, log the customer in) also
//! check that the service accepted them.

use fundline::client::{
    card, enrollment, test_visa, Answer, ConnectClient, GatewayClient, PartnerClient,
};
use serde_json::{json, Value};

/// Every partner method that needs a session (all but `authenticate`).
pub const PARTNER_METHODS: &[&str] = &[
    "find-customer",
    "enroll-customer",
    "authenticate-obo",
    "get-registered-cards",
    "add-or-update-card",
    "add-or-update-tokenized-card",
    "get-transaction-history",
    "delete-card",
    "add-customer-attributes",
    "add-session-attributes",
];

/// Partner API steps on a logged-in [`PartnerClient`].
pub trait Partner {
    /// `method` answered (any status).
    async fn ask(&self, method: &str, body: &Value) -> Answer;

    /// The status `method` answered.
    async fn status_of(&self, method: &str, body: &Value) -> u16 {
        self.ask(method, body).await.status
    }

    /// EnrollCustomer with `body`, accepted; the new CustomerId.
    async fn enroll_with(&self, body: &Value) -> String {
        let a = self.ask("enroll-customer", body).await;
        assert_eq!(a.status, 200, "enroll-customer: {}", a.text);
        text_at(&a.body["CustomerId"])
    }

    /// Test customer `n` enrolled; its CustomerId.
    async fn enroll(&self, n: u64) -> String {
        self.enroll_with(&enrollment(n)).await
    }

    /// AddOrUpdateCard for `pan`, accepted; the answer (with the cards).
    async fn add_card(&self, customer_id: &str, pan: &str) -> Answer {
        let a = self
            .ask("add-or-update-card", &card(customer_id, pan))
            .await;
        assert_eq!(a.status, 200, "add-or-update-card: {}", a.text);
        a
    }

    /// Test customer `n` enrolled with test card `n`; (CustomerId, cardId).
    async fn customer_with_card(&self, n: u64) -> (String, String) {
        let id = self.enroll(n).await;
        let a = self.add_card(&id, &test_visa(n)).await;
        (id, text_at(&a.body["cards"][0]["cardId"]))
    }

    /// GetRegisteredCards for the customer (any status).
    async fn cards_of(&self, customer_id: &str) -> Answer {
        self.ask("get-registered-cards", &json!({"customerId": customer_id}))
            .await
    }

    /// FindCustomer by SSN and date of birth (any status).
    async fn find(&self, ssn: &str, date_of_birth: &str) -> Answer {
        let body = json!({"ssn": ssn, "dateOfBirth": date_of_birth});
        self.ask("find-customer", &body).await
    }

    /// AuthenticateOBO for the customer (any status).
    async fn obo(&self, customer_id: &str) -> Answer {
        self.ask("authenticate-obo", &json!({"customerId": customer_id}))
            .await
    }

    /// AuthenticateOBO for the customer, accepted; the SSO token.
    async fn sso_token(&self, customer_id: &str) -> String {
        let a = self.obo(customer_id).await;
        assert_eq!(a.status, 200, "authenticate-obo: {}", a.text);
        text_at(&a.body["ssoToken"])
    }
}

impl Partner for PartnerClient {
    async fn ask(&self, method: &str, body: &Value) -> Answer {
        self.call(method, body)
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }
}

/// Connect API requests that must go through (any status).
pub trait Connect {
    async fn ask(&self, method: &str, path: &str, body: Option<&Value>) -> Answer;

    /// The status the request answered.
    async fn status_of(&self, method: &str, path: &str, body: Option<&Value>) -> u16 {
        self.ask(method, path, body).await.status
    }
}

impl Connect for ConnectClient {
    async fn ask(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.request(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }
}

/// A partner answer whose only validation error is `message` on `key`.
pub fn only_invalid(a: &Answer, key: &str, message: &str) {
    assert_eq!(
        a.body["validationErrors"],
        json!([{"key": key, "message": message}]),
        "{}",
        a.text
    );
}

/// Gateway (spec 001/002) requests that must go through (any status).
pub trait Gateway {
    async fn ask(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> Answer;

    /// POST /gateway/verify (any status).
    async fn verify(&self, body: &Value) -> Answer {
        self.ask("/gateway/verify", body, &[]).await
    }

    /// POST /gateway/process with `headers` (any status).
    async fn process(&self, body: &Value, headers: &[(&str, &str)]) -> Answer {
        self.ask("/gateway/process", body, headers).await
    }
}

/// `n` identical requests at once, each of which must go through: every
/// answer's `status`, and the distinct values of its `data.<id_field>`.
pub async fn burst(
    n: usize,
    request: impl AsyncFn() -> Answer,
    id_field: &str,
) -> (Vec<i64>, std::collections::HashSet<String>) {
    let answers = futures::future::join_all((0..n).map(|_| request())).await;
    let statuses = answers
        .iter()
        .map(|a| a.body["status"].as_i64().unwrap())
        .collect();
    let ids = answers
        .iter()
        .map(|a| text_at(&a.body["data"][id_field]))
        .collect();
    (statuses, ids)
}

impl Gateway for GatewayClient {
    async fn ask(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> Answer {
        self.post(path, body, headers)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

/// Two answers whose `data.<field>` differ (a new session, a new token).
pub fn differ_in(a: &Answer, b: &Answer, field: &str) {
    assert_ne!(a.body["data"][field], b.body["data"][field], "{field}");
}

/// A gateway answer with envelope status 100 (accepted).
pub fn accepted(a: &Answer) {
    assert_eq!(a.body["status"], 100, "{}", a.text);
}

/// A gateway answer with this HTTP status and this envelope `status` code
/// (`what` names the case).
pub fn answered(a: &Answer, http: u16, code: i64, what: &str) {
    assert_eq!(
        (a.status, a.body["status"].as_i64()),
        (http, Some(code)),
        "{what}: {}",
        a.text
    );
}

/// A gateway 13400 answer names each `(field, message)` as the only error
/// of that field.
pub fn field_errors(a: &Answer, fields: &[(&str, &str)]) {
    for (field, message) in fields {
        assert_eq!(
            a.body["data"][field],
            json!([message]),
            "{field}: {}",
            a.text
        );
    }
}

/// A JSON string field the test relies on being there.
pub fn text_at(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
        .to_string()
}
