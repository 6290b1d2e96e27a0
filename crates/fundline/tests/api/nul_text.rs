//! A NUL character in text: PostgreSQL cannot store or compare one, so the
//! store refuses it on both engines and each product answers it as bad
//! input in its own envelope, never as a 5xx (schemathesis found the 503).

use crate::common;
use common::steps::Connect;

use common::spawn_app;
use common::staff::{envelope_err, Staff};
use serde_json::json;

#[tokio::test]
async fn a_nul_in_a_staff_users_text_is_bad_input_and_nothing_is_stored() {
    let app = spawn_app().await;
    let admin = Staff::admin(&app).await;
    let users = app.rows("users").await;
    let body = json!({"firstName": "Ann", "lastName": "Lyst", "jobTitle": "Under\u{0}writer",
        "email": "ann@lender.example", "phone": "9251990831", "password": "analyst-pass-1"});
    let a = admin.post("/api/v1/user", &body).await;
    envelope_err(
        &a,
        400,
        "Validation failed for the request.",
        &["A field contains a NUL character."],
    );
    assert_eq!(app.rows("users").await, users);
}

#[tokio::test]
async fn a_nul_in_a_connect_token_id_is_a_400_in_connects_envelope() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let path = format!("/v1/{m}/sessions");
    let a = c
        .ask("POST", &path, Some(&json!({"tokens": ["a\u{0}b"]})))
        .await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(a.body["errors"][0]["id"], "REQUEST_PARAMETER_INVALID");
    assert_eq!(a.body["errors"][0]["httpStatusCode"], 400);
    // The same request without the NUL opens a session.
    let ok = c.ask("POST", &path, Some(&json!({"tokens": ["ab"]}))).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
}
