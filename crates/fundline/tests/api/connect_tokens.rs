//! The token service through the HTTP API, signed as the Connect SDKs sign.

use crate::common;
use common::steps::Connect;

use std::collections::HashSet;

use common::{spawn_app, TestApp};
use fundline::client::{Answer, ConnectClient};
use serde_json::{json, Value};

fn card(number: &str, expiry: &str) -> Value {
    json!({"paymentProductId": 1, "card": {
        "customer": {"billingAddress": {"countryCode": "US", "city": "Monument Valley", "street": "Desertroad", "houseNumber": "13", "zip": "84536"},
                     "personalInformation": {"name": {"firstName": "Wile", "surname": "Coyote", "surnamePrefix": "E."}},
                     "merchantCustomerId": "1234", "companyInformation": {"name": "Acme Labs"}},
        "data": {"cardWithoutCvv": {"cardNumber": number, "cardholderName": "Wile E. Coyote", "expiryDate": expiry}}}})
}

/// POST /v1/{merchant}/tokens (any status).
async fn create(c: &ConnectClient, m: &str, body: &Value) -> Answer {
    c.ask("POST", &format!("/v1/{m}/tokens"), Some(body)).await
}

async fn get_token(c: &ConnectClient, m: &str, token: &str) -> Answer {
    c.ask("GET", &format!("/v1/{m}/tokens/{token}"), None).await
}

async fn put_token(c: &ConnectClient, m: &str, token: &str, body: &Value) -> Answer {
    c.ask("PUT", &format!("/v1/{m}/tokens/{token}"), Some(body))
        .await
}

async fn approve(c: &ConnectClient, m: &str, token: &str, body: &Value) -> Answer {
    let path = format!("/v1/{m}/tokens/{token}/approvesepadirectdebit");
    c.ask("POST", &path, Some(body)).await
}

fn first_error(a: &Answer) -> &Value {
    &a.body["errors"][0]
}

#[tokio::test]
async fn a_card_token_is_created_once_read_updated_and_deleted() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let a = create(&c, &m, &card("4567350000427977", "1230")).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["isNewToken"], true);
    let token = a.body["token"].as_str().unwrap().to_string();
    // The card number alone decides: another expiry, the same token.
    let again = create(&c, &m, &card("4567350000427977", "0131")).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, json!({"token": token, "isNewToken": false}));

    let g = get_token(&c, &m, &token).await;
    assert_eq!(g.status, 200, "{}", g.text);
    assert!(!g.text.contains("4567350000427977"));
    assert_eq!(g.body["id"], token.as_str());
    assert_eq!(g.body["paymentProductId"], 1);
    assert_eq!(
        g.body["card"]["data"]["cardWithoutCvv"]["cardNumber"],
        "************7977"
    );
    assert_eq!(g.body["card"]["alias"], "************7977");
    assert_eq!(
        g.body["card"]["customer"]["personalInformation"]["name"]["surname"],
        "Coyote"
    );

    let u = put_token(&c, &m, &token, &card("4567350000427977", "0632")).await;
    assert_eq!(u.status, 204, "{}", u.text);
    assert_eq!(u.text, "", "no body on 204");
    let g = get_token(&c, &m, &token).await;
    assert_eq!(
        g.body["card"]["data"]["cardWithoutCvv"]["expiryDate"],
        "0632"
    );

    let d = c
        .ask("DELETE", &format!("/v1/{m}/tokens/{token}"), None)
        .await;
    assert_eq!((d.status, d.text.as_str()), (204, ""));
    let gone = get_token(&c, &m, &token).await;
    assert_eq!(gone.status, 404);
    assert_eq!(first_error(&gone)["id"], "UNKNOWN_TOKEN");
    assert_eq!(first_error(&gone)["httpStatusCode"], 404);
    assert!(gone.body["errorId"].is_string());
    assert_eq!(
        c.status_of("DELETE", &format!("/v1/{m}/tokens/{token}"), None)
            .await,
        404
    );
    // After deletion the same card makes a new token.
    let fresh = create(&c, &m, &card("4567350000427977", "1230")).await;
    assert_eq!(fresh.status, 201);
    assert_ne!(fresh.body["token"], token.as_str());
}

#[tokio::test]
async fn an_update_to_the_number_another_token_holds_is_a_documented_409() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let first = create(&c, &m, &card("4567350000427977", "1230")).await;
    let second = create(&c, &m, &card("4111111111111111", "1230")).await;
    assert_eq!((first.status, second.status), (201, 201));
    let second = second.body["token"].as_str().unwrap().to_string();

    let u = put_token(&c, &m, &second, &card("4567350000427977", "0632")).await;
    assert_eq!(u.status, 409, "{}", u.text);
    assert_eq!(first_error(&u)["code"], "300450");
    assert_eq!(first_error(&u)["id"], "DUPLICATE_TOKEN");
    assert_eq!(first_error(&u)["httpStatusCode"], 409);
    // The refused update changed nothing.
    let g = get_token(&c, &m, &second).await;
    let data = &g.body["card"]["data"]["cardWithoutCvv"];
    assert_eq!(data["cardNumber"], "************1111");
    assert_eq!(data["expiryDate"], "1230");

    // A client generated from /openapi.json knows the answer.
    let doc = app.openapi().await;
    let responses = &doc["paths"]["/v1/{merchantId}/tokens/{tokenId}"]["put"]["responses"];
    assert!(responses["409"].is_object(), "{responses}");
}

#[tokio::test]
async fn invalid_requests_name_the_offending_property() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let mut body = card("4567350000427977", "1230");
    body["card"]["data"]["cardWithoutCvv"]
        .as_object_mut()
        .unwrap()
        .remove("cardNumber");
    let a = create(&c, &m, &body).await;
    assert_eq!(a.status, 400);
    let e = first_error(&a);
    assert_eq!(e["code"], "20000000");
    assert_eq!(e["propertyName"], "card.data.cardWithoutCvv.cardNumber");
    assert_eq!(e["message"], "PARAMETER_NOT_FOUND_IN_REQUEST");
    for (number, expiry, property) in [
        (
            "4567350000427978",
            "1230",
            "card.data.cardWithoutCvv.cardNumber",
        ),
        ("45673500004", "1230", "card.data.cardWithoutCvv.cardNumber"),
        (
            "4567350000427977",
            "1320",
            "card.data.cardWithoutCvv.expiryDate",
        ),
        (
            "4567350000427977",
            "0120",
            "card.data.cardWithoutCvv.expiryDate",
        ),
    ] {
        let a = create(&c, &m, &card(number, expiry)).await;
        assert_eq!(a.status, 400, "{number} {expiry}");
        assert_eq!(first_error(&a)["propertyName"], property);
        assert_eq!(first_error(&a)["code"], "21000020");
    }
    let mut long = card("4567350000427977", "1230");
    long["card"]["customer"]["personalInformation"]["name"]["surname"] = json!("x".repeat(71));
    let a = create(&c, &m, &long).await;
    assert_eq!(
        first_error(&a)["propertyName"],
        "card.customer.personalInformation.name.surname"
    );
    let a = create(&c, &m, &json!({"card": {}})).await;
    assert!(a.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["propertyName"] == "paymentProductId"));
    let unknown = c.ask("GET", &format!("/v1/{m}/nothing-here"), None).await;
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.body["errors"].is_array(),
        "an unknown route answers the same JSON shape"
    );
}

#[tokio::test]
async fn authentication_and_merchant_rules() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let path = format!("/v1/{m}/tokens/abc-123");
    let mut wrong = c.clone();
    wrong.secret = "I42Zf4pVnRdroHfuHnRiJjJ2B6+22h0yQt/R3nZR8Xg=".into();
    let a = wrong.ask("GET", &path, None).await;
    assert_eq!(a.status, 401);
    assert_eq!(first_error(&a)["code"], "9002");
    assert_eq!(
        first_error(&a)["message"],
        "MISSING_OR_INVALID_AUTHORIZATION"
    );
    let mut unknown = c.clone();
    unknown.key_id = "0000000000000000".into();
    assert_eq!(unknown.status_of("GET", &path, None).await, 401);
    let mut stale = c.clone();
    stale.date = Some(chrono::Utc::now() - chrono::Duration::minutes(6));
    assert_eq!(stale.status_of("GET", &path, None).await, 401);
    let mut near = c.clone();
    near.date = Some(chrono::Utc::now() - chrono::Duration::minutes(4));
    assert_eq!(
        near.status_of("GET", &path, None).await,
        404,
        "within 5 minutes"
    );
    let unsigned = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    assert_eq!(unsigned.status(), 401);

    // Another merchant's path.
    let other = app.other_tenant().await;
    let a = c
        .ask(
            "GET",
            &format!("/v1/{}/tokens/abc-123", other.connect.merchant_id),
            None,
        )
        .await;
    assert_eq!(a.status, 403);
    assert_eq!(first_error(&a)["code"], "9007");
    // A merchant not enabled for tokenization (settings reach servers within
    // their 5 s cache; this tenant is configured before its first call).
    let disabled = app.other_tenant().await;
    fundline_store::tenants::set_settings(
        &app.store,
        disabled.tenant_id.clone(),
        "connect",
        r#"{"tokenization_enabled": false}"#.into(),
    )
    .await
    .unwrap();
    let d = ConnectClient::new(
        &app.base,
        &disabled.connect.api_key_id,
        &disabled.connect.secret_api_key,
    );
    let a = d
        .ask(
            "POST",
            &format!("/v1/{}/tokens", disabled.connect.merchant_id),
            Some(&card("4567350000427977", "1230")),
        )
        .await;
    assert_eq!(a.status, 403);
    assert_eq!(first_error(&a)["code"], "700660");
    assert_eq!(first_error(&a)["message"], "SERVICE_NOT_ALLOWED");
}

#[tokio::test]
async fn concurrent_identical_creates_make_one_token() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let path = format!("/v1/{m}/tokens");
    let body = card("5399999999999999", "1230");
    let answers =
        futures::future::join_all((0..10).map(|_| c.request("POST", &path, Some(&body)))).await;
    let mut tokens = HashSet::new();
    let mut created = 0;
    for a in answers {
        let a = a.unwrap();
        assert!(a.status == 200 || a.status == 201, "{}", a.text);
        created += (a.status == 201) as usize;
        tokens.insert(a.body["token"].as_str().unwrap().to_string());
    }
    assert_eq!((tokens.len(), created), (1, 1));
}

fn sepa(iban: &str, signed: bool) -> Value {
    let mut mandate = json!({
        "bankAccountIban": {"accountHolderName": "Wile E. Coyote", "iban": iban},
        "customerContractIdentifier": "contract-1",
        "debtor": {"firstName": "Wile", "surname": "Coyote", "street": "Desertroad", "houseNumber": "13", "zip": "84536",
                   "city": "Monument Valley", "countryCode": "NL"},
        "isRecurring": true,
        "preNotification": "do-not-send"
    });
    if signed {
        mandate["mandateApproval"] = json!({"mandateSignatureDate": "20261120", "mandateSignaturePlace": "Amsterdam", "mandateSigned": true});
    }
    json!({"paymentProductId": 770, "sepaDirectDebit": {"mandate": mandate,
        "customer": {"billingAddress": {"countryCode": "NL"}, "personalInformation": {"name": {"surname": "Coyote"}}}}})
}

#[tokio::test]
async fn sepa_mandates_are_tokenized_masked_and_approved() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let a = create(&c, &m, &sepa("NL91ABNA0417164300", false)).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let token = a.body["token"].as_str().unwrap().to_string();
    let again = create(&c, &m, &sepa("NL91 ABNA 0417 1643 00", false)).await;
    assert_eq!(
        (again.status, again.body["token"].as_str()),
        (200, Some(token.as_str())),
        "the same IBAN, spaced"
    );
    let row = fundline_store::connect::live(&app.store, &app.tenant.tenant_id, &m, &token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.mandate_status.as_deref(),
        Some("UNAPPROVED"),
        "usable only once approved"
    );

    let g = get_token(&c, &m, &token).await;
    assert!(!g.text.contains("NL91ABNA0417164300"));
    assert_eq!(g.body["paymentProductId"], 770);
    assert_eq!(
        g.body["sepaDirectDebit"]["mandate"]["bankAccountIban"]["iban"],
        "**************4300"
    );
    assert_eq!(
        g.body["sepaDirectDebit"]["mandate"]["customerContractIdentifier"],
        "contract-1"
    );

    let approval = json!({"mandateSignatureDate": "20261121", "mandateSignaturePlace": "Utrecht", "mandateSigned": true});
    let ap = approve(&c, &m, &token, &approval).await;
    assert_eq!((ap.status, ap.text.as_str()), (204, ""));
    let row = fundline_store::connect::live(&app.store, &app.tenant.tenant_id, &m, &token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.mandate_status.as_deref(), Some("APPROVED"));
    let g = get_token(&c, &m, &token).await;
    assert_eq!(
        g.body["sepaDirectDebit"]["mandate"]["mandateApproval"]["mandateSignaturePlace"],
        "Utrecht"
    );

    // Signed in the request: approved at once. Bad IBANs name the property.
    let signed = create(&c, &m, &sepa("DE89370400440532013000", true)).await;
    let id = signed.body["token"].as_str().unwrap();
    let row = fundline_store::connect::live(&app.store, &app.tenant.tenant_id, &m, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.mandate_status.as_deref(), Some("APPROVED"));
    for bad in ["NL91ABNA0417164301", "NL91ABNA041716430", "XX00"] {
        let a = create(&c, &m, &sepa(bad, false)).await;
        assert_eq!(a.status, 400, "{bad}");
        assert_eq!(
            first_error(&a)["propertyName"],
            "sepaDirectDebit.mandate.bankAccountIban.iban"
        );
    }
    // A malformed query (the date twice) is refused in Connect's envelope
    // and deletes nothing.
    let d = c
        .ask(
            "DELETE",
            &format!(
                "/v1/{m}/tokens/{token}?mandateCancelDate=20261201&mandateCancelDate=20261202"
            ),
            None,
        )
        .await;
    assert_eq!(d.status, 400);
    assert_eq!(first_error(&d)["propertyName"], "mandateCancelDate");
    assert!(
        fundline_store::connect::live(&app.store, &app.tenant.tenant_id, &m, &token)
            .await
            .unwrap()
            .is_some()
    );
    // Deleting with a mandate cancel date records the cancellation.
    let d = c
        .ask(
            "DELETE",
            &format!("/v1/{m}/tokens/{token}?mandateCancelDate=20261201"),
            None,
        )
        .await;
    assert_eq!(d.status, 204);
    let row = fundline_store::connect::any(&app.store, &app.tenant.tenant_id, &token)
        .await
        .unwrap()
        .unwrap();
    let all = vec![format!(
        "{}:{}",
        row.mandate_status.unwrap_or_default(),
        row.mandate_cancel_date.unwrap_or_default()
    )];
    assert_eq!(all, vec!["CANCELLED:20261201".to_string()]);
    // Approving a card token is refused.
    let card_token = create(&c, &m, &card("4567350000427977", "1230")).await;
    let ct = card_token.body["token"].as_str().unwrap();
    let a = approve(&c, &m, ct, &approval).await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn uk_and_ach_direct_debits_and_paypal_are_tokenized() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let uk = json!({"paymentProductId": 705, "nonSepaDirectDebit": {"customer": {"billingAddress": {"countryCode": "GB"}, "personalInformation": {"name": {"surname": "Coyote"}}}, "mandate": {"paymentProduct705SpecificData": {
        "authorisationId": "AUTH-123", "bankAccountBban": {"accountHolderName": "Wile Coyote", "accountNumber": "31926819", "bankCode": "601613", "countryCode": "GB"}}}}});
    let a = create(&c, &m, &uk).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let t = a.body["token"].as_str().unwrap();
    let g = get_token(&c, &m, t).await;
    assert!(!g.text.contains("31926819"));
    assert_eq!(
        g.body["nonSepaDirectDebit"]["mandate"]["paymentProduct705SpecificData"]["bankAccountBban"]
            ["accountNumber"],
        "****6819"
    );
    let mut no_auth = uk.clone();
    no_auth["nonSepaDirectDebit"]["mandate"]["paymentProduct705SpecificData"]
        .as_object_mut()
        .unwrap()
        .remove("authorisationId");
    let a = create(&c, &m, &no_auth).await;
    assert_eq!(
        first_error(&a)["propertyName"],
        "nonSepaDirectDebit.mandate.paymentProduct705SpecificData.authorisationId"
    );

    let ach = |routing: &str| {
        json!({"paymentProductId": 730, "nonSepaDirectDebit": {"customer": {"billingAddress": {"countryCode": "GB"}, "personalInformation": {"name": {"surname": "Coyote"}}}, "mandate": {"paymentProduct730SpecificData": {
        "bankAccountBban": {"accountHolderName": "Wile Coyote", "accountNumber": "000123456789", "bankCode": routing}}}}})
    };
    let a = create(&c, &m, &ach("011000015")).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let a2 = create(&c, &m, &ach("011000015")).await;
    assert_eq!((a2.status, &a2.body["token"]), (200, &a.body["token"]));
    let bad = create(&c, &m, &ach("011000016")).await;
    assert_eq!(
        first_error(&bad)["propertyName"],
        "nonSepaDirectDebit.mandate.paymentProduct730SpecificData.bankAccountBban.bankCode"
    );

    let paypal = json!({"paymentProductId": 840, "eWallet": {"customer": {"billingAddress": {"countryCode": "GB"}, "personalInformation": {"name": {"surname": "Coyote"}}}, "data": {"billingAgreementId": "B-5A1234567E123456X"}}});
    let a = create(&c, &m, &paypal).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let t = a.body["token"].as_str().unwrap();
    let g = get_token(&c, &m, t).await;
    assert_eq!(g.body["paymentProductId"], 840);
    // Not card data: merchants reconcile PayPal payments by it.
    assert_eq!(
        g.body["eWallet"]["data"]["billingAgreementId"],
        "B-5A1234567E123456X"
    );
    // A group with the wrong product id.
    let wrong = json!({"paymentProductId": 1, "eWallet": {"data": {"billingAgreementId": "B-1"}}});
    let a = create(&c, &m, &wrong).await;
    assert_eq!(first_error(&a)["propertyName"], "paymentProductId");
    // Updating a token into another group is refused.
    let a = put_token(&c, &m, t, &card("4567350000427977", "1230")).await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn an_idempotence_key_replays_the_first_answer() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let send = |key: &'static str, body: Value| {
        let mut c = c.clone();
        c.idempotence_key = Some(key.into());
        let path = format!("/v1/{m}/tokens");
        async move { c.ask("POST", &path, Some(&body)).await }
    };
    let first = send("idem-1", card("4567350000427977", "1230")).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(first
        .headers
        .get("X-GCS-Idempotence-Request-Timestamp")
        .is_none());
    // The replay answers the first answer, even for another body, with the timestamp header.
    let again = send("idem-1", card("5399999999999999", "1230")).await;
    assert_eq!(again.status, 201);
    let ts = again.headers["X-GCS-Idempotence-Request-Timestamp"]
        .to_str()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    assert!((ts - chrono::Utc::now().timestamp_millis()).abs() < 60_000);
    assert_eq!(again.body, first.body);
    // A first answer that was an error is replayed too.
    let bad = send("idem-2", json!({"card": {}})).await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        send("idem-2", card("4567350000427977", "1230"))
            .await
            .status,
        400
    );
    // A duplicate still in flight: 409 with code 1409.
    let now = chrono::Utc::now().timestamp_micros();
    let claim = fundline_store::connect::claim_idempotence(
        &app.store,
        app.tenant.tenant_id.clone(),
        m.clone(),
        "idem-3".into(),
        now,
        now - 60_000_000,
    )
    .await
    .unwrap();
    assert_eq!(claim, fundline_store::connect::Claim::Fresh);
    let busy = send("idem-3", card("4567350000427977", "1230")).await;
    assert_eq!(busy.status, 409);
    assert_eq!(busy.body["errors"][0]["code"], "1409");
}

/// Housekeeping drops an idempotence key (and its kept answer) once its
/// day is over, and a client session a day after it expired; not before.
#[tokio::test]
async fn housekeeping_drops_idempotence_keys_and_client_sessions_past_their_window() {
    use fundline_api::housekeeping::{run_once, Swept};
    use std::time::Duration;
    let app = spawn_app().await;
    let (mut c, m) = app.connect();
    let session = c
        .ask("POST", &format!("/v1/{m}/sessions"), Some(&json!({})))
        .await;
    assert_eq!(session.status, 201, "{}", session.text);
    c.idempotence_key = Some("swept".into());
    let made = create(&c, &m, &card("4567350000427977", "1230")).await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(app.rows("ct_idempotence").await, 1);
    assert_eq!(app.rows("ct_client_sessions").await, 1);
    assert_eq!(run_once(&app.state).await, Swept::default());

    // The key's 24 hours are over; the session (2 hours) ended 23 hours ago.
    app.clock.advance(Duration::from_secs(25 * 3600));
    let swept = run_once(&app.state).await;
    assert_eq!(
        (swept.connect_idempotence_keys, swept.client_sessions),
        (1, 0)
    );
    assert_eq!(app.rows("ct_idempotence").await, 0);
    assert_eq!(app.rows("ct_client_sessions").await, 1);

    app.clock.advance(Duration::from_secs(2 * 3600));
    let swept = run_once(&app.state).await;
    assert_eq!(
        (swept.connect_idempotence_keys, swept.client_sessions),
        (0, 1)
    );
    assert_eq!(app.rows("ct_client_sessions").await, 0);
    // The token itself is a record, not a key: it stays.
    assert_eq!(app.rows("ct_tokens").await, 1);
}

async fn sepa_token(c: &ConnectClient, m: &str, body: &Value) -> String {
    let a = c.ask("POST", &format!("/v1/{m}/tokens"), Some(body)).await;
    assert!(a.status == 201 || a.status == 200, "{}", a.text);
    a.body["token"].as_str().unwrap().to_string()
}

async fn mandate_status(app: &TestApp, m: &str, token: &str) -> Option<String> {
    fundline_store::connect::live(&app.store, &app.tenant.tenant_id, m, token)
        .await
        .unwrap()
        .unwrap()
        .mandate_status
}

#[tokio::test]
async fn spec_003_fields_where_the_sdk_models_put_them() {
    let app = spawn_app().await;
    let (c, m) = app.connect();

    // firstTransactionDate and providerReference live on card.data.
    let mut body = card("4567350000427977", "1230");
    body["card"]["data"]["firstTransactionDate"] = json!("20240229");
    body["card"]["data"]["providerReference"] = json!("ATOS-TC-1");
    let a = create(&c, &m, &body).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let t = a.body["token"].as_str().unwrap();
    let g = get_token(&c, &m, t).await;
    assert_eq!(g.body["card"]["data"]["firstTransactionDate"], "20240229");
    assert_eq!(g.body["card"]["data"]["providerReference"], "ATOS-TC-1");
    for (field, value) in [
        ("firstTransactionDate", json!("20241399")),
        ("firstTransactionDate", json!("2024-02-29")),
        ("firstTransactionDate", json!("20230229")),
        ("providerReference", json!("x".repeat(4001))),
    ] {
        let mut bad = card("5399999999999999", "1230");
        bad["card"]["data"][field] = value.clone();
        let a = create(&c, &m, &bad).await;
        assert_eq!(a.status, 400, "{field} {value}");
        assert_eq!(
            first_error(&a)["propertyName"],
            format!("card.data.{field}").as_str()
        );
    }

    // One error for one bad field.
    let a = create(&c, &m, &card("5399999999999999", "12300")).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["errors"].as_array().unwrap().len(), 1, "{}", a.text);

    // A card token under a non-card product is refused.
    let mut wallet_id = card("5399999999999999", "1230");
    wallet_id["paymentProductId"] = json!(840);
    let a = create(&c, &m, &wallet_id).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(first_error(&a)["propertyName"], "paymentProductId");

    // customer is required for the mandate and wallet groups, and its lengths hold.
    let mut no_customer = sepa("NL91ABNA0417164300", false);
    no_customer["sepaDirectDebit"]
        .as_object_mut()
        .unwrap()
        .remove("customer");
    let a = create(&c, &m, &no_customer).await;
    assert_eq!(first_error(&a)["propertyName"], "sepaDirectDebit.customer");
    let mut long_vat = sepa("NL91ABNA0417164300", false);
    long_vat["sepaDirectDebit"]["customer"]["vatNumber"] = json!("NL".repeat(9));
    let a = create(&c, &m, &long_vat).await;
    assert_eq!(
        first_error(&a)["propertyName"],
        "sepaDirectDebit.customer.vatNumber"
    );
    let mut long_holder = sepa("NL91ABNA0417164300", false);
    long_holder["sepaDirectDebit"]["mandate"]["bankAccountIban"]["accountHolderName"] =
        json!("W".repeat(31));
    let a = create(&c, &m, &long_holder).await;
    assert_eq!(
        first_error(&a)["propertyName"],
        "sepaDirectDebit.mandate.bankAccountIban.accountHolderName"
    );

    // Spec 003's own 705 request example: an Italian account.
    let italian = json!({"paymentProductId": 705, "nonSepaDirectDebit": {
        "customer": {"billingAddress": {"additionalInfo": "Suite II", "city": "Monument Valley", "countryCode": "US",
            "houseNumber": "1", "state": "Utah", "street": "Desertroad", "zip": "84536"},
            "companyInformation": {"name": "Acme Labs"}, "merchantCustomerId": "1234",
            "personalInformation": {"name": {"firstName": "Wile", "surname": "Coyote", "surnamePrefix": "E."}}},
        "mandate": {"paymentProduct705SpecificData": {"authorisationId": "123456", "bankAccountBban": {
            "accountNumber": "000000123456", "bankCode": "05428", "branchCode": "11101", "checkDigit": "X", "countryCode": "IT"}}}}});
    let a = create(&c, &m, &italian).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let t705 = a.body["token"].as_str().unwrap().to_string();
    let mut bad_abi = italian.clone();
    bad_abi["nonSepaDirectDebit"]["mandate"]["paymentProduct705SpecificData"]["bankAccountBban"]
        ["bankCode"] = json!("0542");
    let a = create(&c, &m, &bad_abi).await;
    assert_eq!(
        first_error(&a)["propertyName"],
        "nonSepaDirectDebit.mandate.paymentProduct705SpecificData.bankAccountBban.bankCode"
    );
    // A token keeps its product: 730 data onto the 705 token is refused.
    let ach = json!({"paymentProductId": 730, "nonSepaDirectDebit": {
        "customer": {"personalInformation": {"name": {"surname": "Coyote"}}},
        "mandate": {"paymentProduct730SpecificData": {"bankAccountBban": {"accountNumber": "000123456789", "bankCode": "011000015"}}}}});
    let a = put_token(&c, &m, &t705, &ach).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(first_error(&a)["propertyName"], "paymentProductId");
}

#[tokio::test]
async fn a_mandate_is_approved_only_when_signed_and_for_its_account() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    let token = sepa_token(&c, &m, &sepa("NL91ABNA0417164300", false)).await;

    // The SDK models declare mandateId and creditor.
    let g = get_token(&c, &m, &token).await;
    let mandate_id = g.body["sepaDirectDebit"]["mandate"]["mandateId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!mandate_id.is_empty() && mandate_id.len() <= 35);
    assert_eq!(
        g.body["sepaDirectDebit"]["mandate"]["creditor"]["name"],
        "Test Partner"
    );

    // "Not signed" approves nothing.
    let unsigned = json!({"mandateSignatureDate": "20261121", "mandateSignaturePlace": "Utrecht", "mandateSigned": false});
    let a = approve(&c, &m, &token, &unsigned).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(first_error(&a)["propertyName"], "mandateSigned");
    assert_eq!(
        mandate_status(&app, &m, &token).await.as_deref(),
        Some("UNAPPROVED")
    );
    let signed = json!({"mandateSignatureDate": "20261121", "mandateSignaturePlace": "Utrecht", "mandateSigned": true});
    let a = approve(&c, &m, &token, &signed).await;
    assert_eq!(a.status, 204);
    assert_eq!(
        mandate_status(&app, &m, &token).await.as_deref(),
        Some("APPROVED")
    );

    // The same account updated: still approved, same mandate reference.
    let a = put_token(&c, &m, &token, &sepa("NL91ABNA0417164300", false)).await;
    assert_eq!(a.status, 204, "{}", a.text);
    assert_eq!(
        mandate_status(&app, &m, &token).await.as_deref(),
        Some("APPROVED")
    );
    // Another account: the approval does not carry over.
    let a = put_token(&c, &m, &token, &sepa("DE89370400440532013000", false)).await;
    assert_eq!(a.status, 204, "{}", a.text);
    assert_eq!(
        mandate_status(&app, &m, &token).await.as_deref(),
        Some("UNAPPROVED")
    );
    let g = get_token(&c, &m, &token).await;
    assert_eq!(
        g.body["sepaDirectDebit"]["mandate"]["mandateId"],
        mandate_id
    );
    assert!(g.body["sepaDirectDebit"]["mandate"]
        .get("mandateApproval")
        .is_none());
}

#[tokio::test]
async fn refusals_before_any_handler_are_connect_errors_too() {
    let app = spawn_app().await;
    let (c, m) = app.connect();
    // A body over the limit every JSON API shares (64 KiB by default).
    let mut big = card("4567350000427977", "1230");
    big["card"]["alias"] = json!("x".repeat(70 * 1024));
    let a = create(&c, &m, &big).await;
    assert_eq!(a.status, 413, "{}", a.text);
    assert_eq!(first_error(&a)["httpStatusCode"], 413, "{}", a.text);
    assert!(a.body["errorId"].is_string(), "{}", a.text);
    // A method the path does not answer.
    for path in [
        format!("/v1/{m}/tokens"),
        "/client/v1/someone/crypto/publickey".to_string(),
    ] {
        let r = reqwest::Client::new()
            .patch(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{path}");
        assert!(r.headers().contains_key("allow"), "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["httpStatusCode"], 405, "{path}: {body}");
    }
}
