//! GetTransactionHistory, AddCustomerAttributes, AddSessionAttributes,
//! tenant isolation, bad input, and what is stored at rest.

use crate::common;
use common::steps::{Partner, PARTNER_METHODS};

use common::{spawn_app, TestApp};
use fundline::client::{card, enrollment, test_visa, PartnerClient};
use fundline_store::checkcashing as repo;
use serde_json::{json, Value};

async fn customer_with_card(app: &TestApp, c: &PartnerClient, n: u64) -> (String, String) {
    let id = c.enroll(n).await;
    let a = c.ask("add-or-update-card", &card(&id, &test_visa(n))).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let _ = app;
    (
        id,
        a.body["cards"][0]["cardId"].as_str().unwrap().to_string(),
    )
}

fn tx(app: &TestApp, customer: &str, card: &str, i: i64) -> repo::Transaction {
    let at = 1_689_167_224_000_000 + i * 60_000_000;
    repo::Transaction {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: app.tenant.tenant_id.clone(),
        customer_id: customer.into(),
        card_id: card.into(),
        created_at: at,
        status_code: 14,
        status_message: "Account Funded".into(),
        state: 4,
        amount_cents: 1000 + i,
        fee_cents: 59,
        processing_status: 1101,
        classification_status: 1012,
        decline_reason_code: 0,
        decline_reason_message: String::new(),
        pickup_location_id: 0,
        mobile_transaction_type_id: 100,
        ocr_amount_cents: 1000 + i,
        user_entered_amount_cents: 1000 + i,
        submitted_for_classification_on: Some(at),
        finished_classification_on: Some(at),
        submitted_for_approval_on: Some(at + 7_000_000),
        finished_approval_on: Some(at + 10_000_000),
        load_status: 1011,
        expected_load_date: Some(at + 7_000_000),
        actual_load_date: Some(at + 10_000_000),
        load_amount_cents: 941 + i,
        destination_display_name: "John Smith".into(),
        updated_at: at,
    }
}

fn ids(body: &Value) -> Vec<String> {
    body["searchResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["transactionId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn transaction_history_pages_newest_first() {
    let (app, c) = common::spawn_partner().await;
    let (cid, card_a) = customer_with_card(&app, &c, 1).await;
    let mut b = card(&cid, &test_visa(1001));
    b["cardNickname"] = json!("Second");
    let card_b = c.ask("add-or-update-card", &b).await.body["cards"][0]["cardId"]
        .as_str()
        .unwrap()
        .to_string();
    let mut all = Vec::new();
    for i in 0..25 {
        let t = tx(&app, &cid, if i % 5 == 0 { &card_b } else { &card_a }, i);
        all.push(t.id.clone());
        repo::insert_transaction(&app.store, t).await.unwrap();
    }
    all.reverse(); // newest first

    let a = history(&c, &json!({"customerId": cid})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["totalRecords"], 25);
    assert_eq!(
        ids(&a.body),
        all[..20].to_vec(),
        "20 most recent by default"
    );
    let first = &a.body["searchResults"][0];
    assert_eq!(first["amount"], 1024);
    assert_eq!(first["fee"], 59);
    assert_eq!(first["loadAmount"], 965);
    assert_eq!(first["statusMessage"], "Account Funded");
    assert_eq!(first["createdOn"], "2023-07-12T13:31:04Z");
    assert_eq!(first["lastFourDigitsOfCard"], &test_visa(1)[12..]);
    assert_eq!(first["cardNickname"], "Home");

    // The spec's sample request: empty strings are absent, pageSize 3.
    let a = history(&c, &json!({"customerId": cid, "accountId": "", "pagingTransactionReferenceNumber": "", "pageSize": 3})).await;
    assert_eq!(ids(&a.body), all[..3].to_vec());
    // The next page starts at the transaction given, then older ones.
    let a = history(
        &c,
        &json!({"customerId": cid, "pagingTransactionReferenceNumber": all[3], "pageSize": 3}),
    )
    .await;
    assert_eq!(ids(&a.body), all[3..6].to_vec());
    assert_eq!(a.body["totalRecords"], 25);
    // The last page is short.
    let a = history(
        &c,
        &json!({"customerId": cid, "pagingTransactionReferenceNumber": all[23], "pageSize": 10}),
    )
    .await;
    assert_eq!(ids(&a.body), all[23..].to_vec());

    // One card only.
    let a = history(&c, &json!({"customerId": cid, "accountId": card_b})).await;
    assert_eq!(a.body["totalRecords"], 5);
    assert!(a.body["searchResults"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["cardNickname"] == "Second"));

    // An unknown page start, a bad GUID, a bad page size.
    let a = history(
        &c,
        &json!({"customerId": cid, "pagingTransactionReferenceNumber": uuid::Uuid::new_v4()}),
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.body["validationErrors"][0]["key"],
        "query.pagingTransactionReferenceNumber"
    );
    let a = history(&c, &json!({"customerId": "2eaf7fe8"})).await;
    common::steps::only_invalid(&a, "query.customerId", "The input was not valid.");
    let a = history(&c, &json!({"customerId": cid, "pageSize": 1000})).await;
    assert_eq!(a.status, 400);

    // The GET form.
    let (_, body) = c
        .call_raw_get(&format!(
            "/api/v1/partners/get-transaction-history?customerId={cid}&pageSize=2"
        ))
        .await;
    assert_eq!(ids(&body), all[..2].to_vec());
}

/// GetTransactionHistory with `query` (any status).
async fn history(c: &PartnerClient, query: &Value) -> fundline::client::Answer {
    c.ask("get-transaction-history", query).await
}

fn attrs(pairs: &[(&str, &str)]) -> Value {
    json!({"customerAttributes": pairs.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>()})
}

#[tokio::test]
async fn customer_attributes_are_stored_when_customer_id_and_ssn_agree() {
    let (app, c) = common::spawn_partner().await;
    let (cid, _) = customer_with_card(&app, &c, 2).await;
    let ssn = enrollment(2)["ssn"].as_str().unwrap().to_string();
    let all = [
        ("CustomerId", cid.as_str()),
        ("SSN", &ssn),
        ("DirectDeposit", "True"),
        ("Tenure", "18"),
        ("TransactionsPerMonth", "4"),
        ("NumberOfCards", "2"),
        ("CurrentBalance", "3456.76"),
        ("AverageMonthlyLoadAmount", "6114.25"),
        ("CardIssueDate", "01-15-2024"),
        ("NumberOfChecksReturned", "1"),
        ("BalanceOnReturnedChecks", "120.00"),
    ];
    let a = c.ask("add-customer-attributes", &attrs(&all)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.text, "");
    let stored = repo::get_attributes(&app.store, &app.tenant.tenant_id, &cid)
        .await
        .unwrap();
    assert!(stored.contains(&("CurrentBalance".into(), "3456.76".into())));
    assert!(stored.contains(&("NumberOfChecksReturned".into(), "1".into())));
    assert!(
        !stored.iter().any(|(n, _)| n == "SSN"),
        "the SSN identifies; it is not kept as an attribute"
    );

    // Mismatched SSN: reads as not found.
    let a = c
        .ask(
            "add-customer-attributes",
            &attrs(&[("CustomerId", &cid), ("SSN", "123456789")]),
        )
        .await;
    assert_eq!(
        (a.status, a.body["errorCode"].as_str()),
        (422, Some("CUSTOMER_NOT_FOUND"))
    );

    // The spec's sample error: the 8th attribute without a value.
    let mut body = attrs(&all[..7]);
    body["customerAttributes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "AverageMonthlyLoadAmount"}));
    let a = c.ask("add-customer-attributes", &body).await;
    assert_eq!(a.status, 400);
    common::steps::only_invalid(
        &a,
        "command.CustomerAttributes[7].Value",
        "The Value field is required.",
    );

    // Formats and unknown names after a valid identity, then a missing identity.
    let refused = async |pairs: &[(&str, &str)], key: &str, msg: &str| {
        let a = c.ask("add-customer-attributes", &attrs(pairs)).await;
        assert_eq!(a.status, 400, "{pairs:?}");
        assert!(
            a.body["validationErrors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["key"] == key && e["message"] == msg),
            "{pairs:?}: {}",
            a.text
        );
    };
    for (name, value, field, msg) in [
        (
            "DirectDeposit",
            "yes",
            "Value",
            "The Value field must be True or False.",
        ),
        (
            "CurrentBalance",
            "12.345",
            "Value",
            "The Value field must be DDDDD.CC.",
        ),
        (
            "CardIssueDate",
            "2024-01-15",
            "Value",
            "The Value field must be MM-DD-YYYY.",
        ),
        (
            "Tenure",
            "-1",
            "Value",
            "The Value field must be a whole number.",
        ),
        (
            "FavouriteColour",
            "blue",
            "Name",
            "Name is not a recognized customer attribute.",
        ),
    ] {
        let pairs = [
            ("CustomerId", cid.as_str()),
            ("SSN", ssn.as_str()),
            (name, value),
        ];
        let key = format!("command.CustomerAttributes[2].{field}");
        refused(&pairs, &key, msg).await;
    }
    let key = "command.CustomerAttributes";
    refused(
        &[("CustomerId", cid.as_str())],
        key,
        "The SSN attribute is required.",
    )
    .await;
    refused(
        &[("SSN", ssn.as_str())],
        key,
        "The CustomerId attribute is required.",
    )
    .await;
}

#[tokio::test]
async fn session_attributes_narrow_the_sso_session() {
    let (app, c) = common::spawn_partner().await;
    let (cid, card_a) = customer_with_card(&app, &c, 3).await;
    let pan_b = test_visa(3003);
    let mut b = card(&cid, &pan_b);
    b["cardNickname"] = json!("B");
    let card_b = c.ask("add-or-update-card", &b).await.body["cards"][0]["cardId"]
        .as_str()
        .unwrap()
        .to_string();
    let sso = |c: &PartnerClient| {
        let c = c.clone();
        let cid = cid.clone();
        async move { c.sso_token(&cid).await }
    };
    let visible = |token: String| {
        let store = app.store.clone();
        let tenant = app.tenant.tenant_id.clone();
        let now = fundline_store::now_micros();
        async move {
            let hash = fundline_vault::hash_token(&token);
            let (t, cards) = repo::sso_session_cards(&store, &tenant, &hash, now)
                .await
                .unwrap()
                .unwrap();
            (
                t.preferred_email,
                cards.into_iter().map(|k| k.id).collect::<Vec<_>>(),
            )
        }
    };

    // The spec's sample, with its stray spaces and "PreferredEmail".
    let token = sso(&c).await;
    let body = json!({"sessionAttributes": [
        {"name": "SsoToken", "value": token},
        {"name": "PreferredEmail", "value": "customer@domain.com "},
        {"name ": "AccountIdFilter ", "value ": format!("{card_b} ")}
    ]});
    let a = c.ask("add-session-attributes", &body).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let (email, cards) = visible(token).await;
    assert_eq!(email.as_deref(), Some("customer@domain.com"));
    assert_eq!(cards, vec![card_b.clone()]);

    // A list with no identifier in it is no filter: every card stays visible.
    let token = sso(&c).await;
    let body = json!({"sessionAttributes": [{"name": "SsoToken", "value": token}, {"name": "AccountIdFilter", "value": " , "}]});
    let a = c.ask("add-session-attributes", &body).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let mut all = visible(token).await.1;
    all.sort();
    let mut both = vec![card_a.clone(), card_b.clone()];
    both.sort();
    assert_eq!(all, both);

    // AccountNumberFilter with a raw card number resolves to that card.
    let token = sso(&c).await;
    let body = json!({"sessionAttributes": [{"name": "SsoToken", "value": token}, {"name": "AccountNumberFilter", "value": test_visa(3)}]});
    assert_eq!(c.status_of("add-session-attributes", &body).await, 200);
    assert_eq!(visible(token).await.1, vec![card_a.clone()]);

    // Both filters: refused.
    let token = sso(&c).await;
    let body = json!({"sessionAttributes": [
        {"name": "SsoToken", "value": token},
        {"name": "AccountIdFilter", "value": card_a},
        {"name": "AccountNumberFilter", "value": pan_b}
    ]});
    let a = c.ask("add-session-attributes", &body).await;
    assert_eq!(
        (a.status, a.body["errorCode"].as_str()),
        (422, Some("INVALID_INFORMATION"))
    );

    // A bad PreferredEmail: the spec's body, word for word.
    let body = json!({"sessionAttributes": [{"name": "SsoToken", "value": token}, {"name": "Preferred Email", "value": "not-an-email"}]});
    let a = c.ask("add-session-attributes", &body).await;
    assert_eq!(
        a.body,
        json!({
            "type": "https://tools.ietf.org/html/rfc4918#section-11.2",
            "title": "Invalid Information",
            "status": 422,
            "detail": "Oops, there was a problem with your request. The following field(s) are invalid : PreferredEmail. Please check the values on the screen and try again.",
            "instance": "/api/v1/partners/add-session-attributes",
            "errorCode": "INVALID_INFORMATION"
        })
    );
    // A card that is not this customer's.
    let body = json!({"sessionAttributes": [{"name": "SsoToken", "value": token}, {"name": "AccountIdFilter", "value": uuid::Uuid::new_v4().to_string()}]});
    let a = c.ask("add-session-attributes", &body).await;
    assert!(a.body["detail"]
        .as_str()
        .unwrap()
        .contains("AccountIdFilter"));
    // A dead token, and a missing one.
    let body = json!({"sessionAttributes": [{"name": "SsoToken", "value": "ABC123"}]});
    let a = c.ask("add-session-attributes", &body).await;
    assert!(a.body["detail"].as_str().unwrap().contains("SsoToken"));
    app.clock.advance(std::time::Duration::from_secs(6 * 60));
    let body = json!({"sessionAttributes": [{"name": "SsoToken", "value": token}, {"name": "PreferredEmail", "value": "a@b.co"}]});
    let a = c.ask("add-session-attributes", &body).await;
    assert_eq!(a.status, 422, "an expired SSO token cannot take attributes");
    let a = c
        .ask(
            "add-session-attributes",
            &json!({"sessionAttributes": [{"name": "PreferredEmail", "value": "a@b.co"}]}),
        )
        .await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn a_partner_sees_only_its_own_customers_cards_attributes_and_history() {
    let app = spawn_app().await;
    let a_client = app.partner().await;
    let (cid, card_id) = customer_with_card(&app, &a_client, 4).await;
    repo::insert_transaction(&app.store, tx(&app, &cid, &card_id, 1))
        .await
        .unwrap();
    let token = a_client.sso_token(&cid).await;
    let other = app.other_tenant().await;
    let b = app.partner_for(&other).await;
    let ssn = enrollment(4)["ssn"].clone();

    let not_found = |a: &fundline::client::Answer| {
        a.status == 422 && a.body["errorCode"] == "CUSTOMER_NOT_FOUND"
    };
    assert!(not_found(
        &b.ask(
            "find-customer",
            &json!({"ssn": ssn, "dateOfBirth": "1978-09-11"})
        )
        .await
    ));
    assert!(not_found(&b.cards_of(&cid).await));
    assert!(not_found(
        &b.ask("authenticate-obo", &json!({"customerId": cid})).await
    ));
    assert!(not_found(
        &b.ask("add-or-update-card", &card(&cid, &test_visa(4)))
            .await
    ));
    assert!(not_found(
        &b.ask("get-transaction-history", &json!({"customerId": cid}))
            .await
    ));
    assert!(not_found(
        &b.ask(
            "delete-card",
            &json!({"customerId": cid, "cardId": card_id})
        )
        .await
    ));
    assert!(not_found(
        &b.ask(
            "add-customer-attributes",
            &attrs(&[("CustomerId", &cid), ("SSN", ssn.as_str().unwrap())])
        )
        .await
    ));
    let t = b.ask("add-or-update-tokenized-card", &json!({"customerId": cid, "cardToken": "x", "cardBin": "411111", "expirationMonthYear": "1230", "cardNickname": "n", "addressLine1": "660 B", "addressLine2": "", "city": "F", "state": "TN", "zip": "37067"})).await;
    assert!(not_found(&t));
    let s = b
        .ask(
            "add-session-attributes",
            &json!({"sessionAttributes": [{"name": "SsoToken", "value": token}]}),
        )
        .await;
    assert_eq!(
        (s.status, s.body["errorCode"].as_str()),
        (422, Some("INVALID_INFORMATION"))
    );
    // The same person may enroll with another partner.
    assert_eq!(b.status_of("enroll-customer", &enrollment(4)).await, 200);
    // And tenant A's card is untouched.
    let list = a_client.cards_of(&cid).await;
    assert_eq!(list.body["cards"].as_array().unwrap().len(), 1);
    // A's session is not B's.
    let mut mixed = b.clone();
    mixed.session_id = a_client.session_id.clone();
    mixed.device_id = a_client.device_id.clone();
    assert_eq!(
        mixed
            .status_of("get-registered-cards", &json!({"customerId": cid}))
            .await,
        200
    );
}

#[tokio::test]
async fn malformed_input_gets_the_problem_envelope_never_a_5xx() {
    let (_app, c) = common::spawn_partner().await;
    let big = vec![b'a'; 70 * 1024];
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("application/json", b"{not json".to_vec(), 400),
        ("application/json", b"".to_vec(), 400),
        ("application/json", b"[1,2,3]".to_vec(), 400),
        ("application/json", b"null".to_vec(), 400),
        ("text/plain", b"{}".to_vec(), 400),
        ("application/x-www-form-urlencoded", b"ssn=1".to_vec(), 400),
        ("application/json", big.clone(), 400),
        (
            "application/json",
            b"{\"customerId\": {\"nested\": true}, \"cardId\": [1]}".to_vec(),
            400,
        ),
        (
            "application/json",
            "{\"customerId\": \"\u{0}\u{7}\"}".as_bytes().to_vec(),
            400,
        ),
        ("application/json", vec![0xff, 0xfe, 0x00, 0x7b], 400),
        (
            "application/json",
            format!("{{\"customerId\": \"{}\"}}", "9".repeat(60_000)).into_bytes(),
            400,
        ),
        ("application/json", b"{\"a\":1,\"A\":2}".to_vec(), 400),
        ("application/json", b"{\"unknownField\": 1}".to_vec(), 400),
    ];
    for m in PARTNER_METHODS {
        for (ct, body, status) in &cases {
            let a = c.call_raw(m, ct, body.clone()).await.unwrap();
            assert_eq!(
                a.status,
                *status,
                "{m} {ct} {:?}: {}",
                String::from_utf8_lossy(&body[..body.len().min(40)]),
                a.text
            );
            assert_eq!(
                a.headers.get("content-type").unwrap(),
                "application/problem+json"
            );
            assert_eq!(a.body["status"], *status);
            assert_eq!(a.body["instance"], format!("/api/v1/partners/{m}"));
        }
    }
    // Control characters and over-long strings in a well-formed body.
    let mut body = enrollment(9);
    body["firstName"] = json!("Rog\u{1b}[31mer");
    body["lastName"] = json!("x".repeat(10_000));
    let a = c.ask("enroll-customer", &body).await;
    assert_eq!(a.status, 400);
    assert!(a.text.contains("FirstName contains invalid characters."));
    assert!(a.text.contains("LastName cannot exceed 50 characters"));
    // Unknown fields are named.
    let mut body = enrollment(9);
    body["favouriteColour"] = json!("blue");
    let a = c.ask("enroll-customer", &body).await;
    common::steps::only_invalid(
        &a,
        "command.favouritecolour",
        "The property is not recognized.",
    );
}

#[tokio::test]
async fn random_bodies_never_produce_a_server_error() {
    let (app, c) = common::spawn_partner().await;
    let (cid, card_id) = customer_with_card(&app, &c, 5).await;
    // A deterministic generator of awkward JSON values.
    let values = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1e308),
        json!(""),
        json!(" "),
        json!("0"),
        json!([]),
        json!({}),
        json!("Ω≈ç√∫˜µ≤≥÷"),
        json!("😀".repeat(30)),
        json!("\u{202e}reversed"),
        json!(cid),
        json!(card_id),
        json!("1978-09-11"),
        json!("02/30/1990"),
        json!("0000"),
        json!("9".repeat(300)),
        json!(i64::MAX),
        json!(1.5),
    ];
    let fields = [
        "customerId",
        "cardId",
        "ssn",
        "dateOfBirth",
        "cardNumber",
        "cardToken",
        "cardBin",
        "expirationMonthYear",
        "pageSize",
        "accountId",
        "pagingTransactionReferenceNumber",
        "emailAddress",
        "allowTexts",
        "zip",
        "state",
        "customerAttributes",
        "sessionAttributes",
    ];
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..300 {
        let m = PARTNER_METHODS[round % PARTNER_METHODS.len()];
        let mut body = serde_json::Map::new();
        for _ in 0..(next() % 6) {
            let f = fields[(next() as usize) % fields.len()];
            let v = values[(next() as usize) % values.len()].clone();
            body.insert(f.to_string(), v);
        }
        let a = c.ask(m, &Value::Object(body.clone())).await;
        assert!(a.status < 500, "{m} {body:?} -> {} {}", a.status, a.text);
        assert!(
            a.status == 200 || a.body["status"] == a.status,
            "{m} {body:?} -> {}",
            a.text
        );
    }
}

#[tokio::test]
async fn unknown_partner_paths_and_wrong_methods_answer_in_the_envelope() {
    let (app, c) = common::spawn_partner().await;
    let a = c.ask("no-such-method", &json!({})).await;
    assert_eq!(a.status, 404);
    assert_eq!(a.body["errorCode"], "NOT_FOUND");
    let r = reqwest::Client::new()
        .delete(format!("{}/api/v1/partners/find-customer", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "METHOD_NOT_ALLOWED");
    assert_eq!(body["instance"], "/api/v1/partners/find-customer");
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_read_whole() {
    let (_app, c) = common::spawn_partner().await;
    let a = c
        .call_raw(
            "enroll-customer",
            "application/json",
            vec![b' '; 10 * 1024 * 1024],
        )
        .await
        .unwrap();
    assert_eq!(a.status, 400);
    assert_eq!(a.body["errorCode"], "PAYLOAD_TOO_LARGE");
    assert_eq!(
        a.body["validationErrors"][0]["message"],
        "The request body exceeds the limit of 65536 bytes."
    );
}

#[tokio::test]
async fn pan_ssn_and_card_tokens_are_sealed_at_rest() {
    let (app, c) = common::spawn_partner().await;
    let (cid, _) = customer_with_card(&app, &c, 6).await;
    let token = "partner-token-7f3e1c";
    let t = c
        .ask("add-or-update-tokenized-card", &json!({"customerId": cid, "cardToken": token, "cardBin": "411111", "expirationMonthYear": "1230", "cardNickname": "T", "addressLine1": "660 Bakers Bridge Lane", "addressLine2": "", "city": "Franklin", "state": "TN", "zip": "37067"})).await;
    assert_eq!(t.status, 200, "{}", t.text);
    let pan = test_visa(6);
    let ssn = enrollment(6)["ssn"].as_str().unwrap().to_string();
    let customer = repo::get_customer(&app.store, &app.tenant.tenant_id, &cid)
        .await
        .unwrap()
        .unwrap();
    let cards = repo::list_cards(&app.store, &app.tenant.tenant_id, &cid, false)
        .await
        .unwrap();
    let everything = format!("{customer:?} {cards:?}");
    for secret in [pan.as_str(), ssn.as_str(), token] {
        assert!(!everything.contains(secret), "{secret} stored in clear");
    }
    // Sealed for the row (fv2): bound to tenant, table, column and row id.
    assert!(customer.ssn_sealed.starts_with("fv2."));
    // And the vault opens them again.
    let keys = app
        .keyring
        .tenant(&app.store, &app.tenant.tenant_id)
        .await
        .unwrap();
    assert_eq!(
        keys.open_string_row("cc_customers", "ssn", &cid, &customer.ssn_sealed)
            .unwrap()
            .expose(),
        ssn
    );
    let numbers: Vec<String> = cards
        .iter()
        .map(|k| {
            keys.open_string_row("cc_cards", "number", &k.id, &k.number_sealed)
                .unwrap()
                .expose()
                .to_string()
        })
        .collect();
    assert!(numbers.contains(&pan) && numbers.contains(&token.to_string()));
    // Sealed for one column, it does not open as another.
    assert!(keys
        .open_string_row("cc_cards", "number", &cid, &customer.ssn_sealed)
        .is_err());
    // Nor in another row of its own column.
    assert!(keys
        .open_string_row("cc_customers", "ssn", &cards[0].id, &customer.ssn_sealed)
        .is_err());
}
