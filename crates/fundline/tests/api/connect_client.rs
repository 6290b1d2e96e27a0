//! encryptedCustomerInput: client sessions, the public key, and card data
//! encrypted the way the Connect client SDKs encrypt it.

use crate::common;
use common::steps::Connect;

use std::time::Duration;

use base64::Engine as _;
use common::{spawn_app, TestApp};
use fundline::client::ConnectClient;
use josekit::jwe::{JweHeader, RSA_OAEP};
use serde_json::{json, Value};

async fn public_key(app: &TestApp, customer: &str, session: &str) -> (u16, Value) {
    common::send(
        reqwest::Client::new()
            .get(format!(
                "{}/client/v1/{customer}/crypto/publickey",
                app.base
            ))
            .header("Authorization", format!("GCS v1Client:{session}")),
    )
    .await
}

/// A new client session's public key (a session asked with an empty body).
async fn new_session_key(app: &TestApp, c: &ConnectClient, m: &str) -> Value {
    let s = c
        .ask("POST", &format!("/v1/{m}/sessions"), Some(&json!({})))
        .await;
    assert_eq!(s.status, 201, "{}", s.text);
    let customer = s.body["customerId"].as_str().unwrap();
    let (status, key) =
        public_key(app, customer, s.body["clientSessionId"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    key
}

/// POST /v1/{m}/tokens with `body`.
async fn tokenize(c: &ConnectClient, m: &str, body: &Value) -> fundline::client::Answer {
    c.ask("POST", &format!("/v1/{m}/tokens"), Some(body)).await
}

/// What the client SDK sends: the card values, encrypted to the session's key.
fn encrypt(key: &Value, session: &str, number: &str, enc: &str) -> String {
    let der = base64::engine::general_purpose::STANDARD
        .decode(key["publicKey"].as_str().unwrap())
        .unwrap();
    let encrypter = RSA_OAEP.encrypter_from_der(&der).unwrap();
    let mut header = JweHeader::new();
    header.set_content_encryption(enc);
    header.set_key_id(key["keyId"].as_str().unwrap());
    let payload = json!({"clientSessionId": session, "nonce": "5f6c4c1a", "paymentProductId": 1,
        "paymentValues": [{"key": "cardNumber", "value": number}, {"key": "expiryDate", "value": "1230"},
                          {"key": "cardholderName", "value": "Wile E. Coyote"}]});
    josekit::jwe::serialize_compact(payload.to_string().as_bytes(), &header, &encrypter).unwrap()
}

#[tokio::test]
async fn encrypted_card_input_is_decrypted_and_tokenized() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let s = c
        .ask(
            "POST",
            &format!("/v1/{m}/sessions"),
            Some(&json!({"tokens": ["no-such-token"]})),
        )
        .await;
    assert_eq!(s.status, 201, "{}", s.text);
    let session = s.body["clientSessionId"].as_str().unwrap().to_string();
    let customer = s.body["customerId"].as_str().unwrap().to_string();
    assert!(s.body["clientApiUrl"]
        .as_str()
        .unwrap()
        .ends_with("/client/v1"));
    assert_eq!(s.body["invalidTokens"], json!(["no-such-token"]));

    let (status, key) = public_key(&app, &customer, &session).await;
    assert_eq!(status, 200);
    assert!(key["keyId"].is_string() && key["publicKey"].is_string());
    assert_eq!(public_key(&app, &customer, "0000").await.0, 401);
    assert_eq!(public_key(&app, "someone-else", &session).await.0, 401);

    for (enc, number) in [
        ("A256CBC-HS512", "4567350000427977"),
        ("A256GCM", "5399999999999999"),
    ] {
        let jwe = encrypt(&key, &session, number, enc);
        let encrypted = json!({"paymentProductId": 1, "encryptedCustomerInput": jwe});
        let a = tokenize(&c, &m, &encrypted).await;
        assert_eq!(a.status, 201, "{enc}: {}", a.text);
        let token = a.body["token"].as_str().unwrap().to_string();
        // Spec 003: the same encrypted input can be submitted once.
        let twice = tokenize(&c, &m, &encrypted).await;
        assert_eq!(twice.status, 400, "{enc}: {}", twice.text);
        assert_eq!(
            twice.body["errors"][0]["propertyName"], "encryptedCustomerInput",
            "{}",
            twice.text
        );
        // The same card sent in the clear finds the same token.
        let plain = json!({"paymentProductId": 1, "card": {"data": {"cardWithoutCvv": {"cardNumber": number, "expiryDate": "1230"}}}});
        let again = tokenize(&c, &m, &plain).await;
        assert_eq!(
            (again.status, again.body["token"].as_str()),
            (200, Some(token.as_str()))
        );
        let g = c.ask("GET", &format!("/v1/{m}/tokens/{token}"), None).await;
        assert_eq!(
            g.body["card"]["data"]["cardWithoutCvv"]["cardholderName"],
            "Wile E. Coyote"
        );
    }

    // Tampered input is refused and names the property.
    let mut jwe = encrypt(&key, &session, "4567350000427977", "A256GCM");
    // Change one character of the authentication tag, whatever it was
    // (writing a fixed "AA" left it intact 1 time in 4,096).
    let at = jwe.len() - 4;
    let flipped = if &jwe[at..at + 1] == "A" { "B" } else { "A" };
    jwe.replace_range(at..at + 1, flipped);
    let a = tokenize(&c, &m, &json!({"encryptedCustomerInput": jwe})).await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.body["errors"][0]["propertyName"],
        "encryptedCustomerInput"
    );

    // Expired sessions are refused.
    app.clock.advance(Duration::from_secs(2 * 3600 + 1));
    let jwe = encrypt(&key, &session, "4567350000427977", "A256GCM");
    let mut late = c.clone();
    late.date = Some(chrono::Utc::now() + chrono::Duration::seconds(2 * 3600 + 1));
    let a = tokenize(&late, &m, &json!({"encryptedCustomerInput": jwe})).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert!(a.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
    assert_eq!(public_key(&app, &customer, &session).await.0, 401);
}

#[tokio::test]
async fn client_keys_rotate() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let k1 = new_session_key(&app, &c, &m).await;
    let k2 = new_session_key(&app, &c, &m).await;
    assert_eq!(k1["keyId"], k2["keyId"], "one key serves many sessions");
    app.clock.advance(Duration::from_secs(31 * 24 * 3600));
    let mut later = c.clone();
    later.date = Some(chrono::Utc::now() + chrono::Duration::seconds(31 * 24 * 3600));
    let k3 = new_session_key(&app, &later, &m).await;
    assert_ne!(k1["keyId"], k3["keyId"], "a month later a new key");
}
