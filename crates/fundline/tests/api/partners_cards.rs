//! GetRegisteredCards, AddOrUpdateCard, AddOrUpdateTokenizedCard, DeleteCard.

use crate::common;
use common::steps::Partner;

use common::{spawn_app, TestApp};
use fundline::client::{card, enrollment, test_visa, PartnerClient};
use serde_json::{json, Value};

async fn customer(app: &TestApp, n: u64) -> (PartnerClient, String) {
    let c = app.partner().await;
    let a = c.ask("enroll-customer", &enrollment(n)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    (c, a.body["CustomerId"].as_str().unwrap().to_string())
}

/// [`card`]'s registration with the partner's token for the number.
fn tokenized(customer_id: &str, token: &str, bin: &str) -> Value {
    let mut body = card(customer_id, "");
    let o = body.as_object_mut().unwrap();
    o.remove("cardNumber");
    o.insert("cardToken".into(), json!(token));
    o.insert("cardBin".into(), json!(bin));
    o.insert("lastFourOfCard".into(), json!("4242"));
    o.insert("cardNickname".into(), json!("Tokenized"));
    body
}

#[tokio::test]
async fn a_new_card_is_authorized_and_listed_without_its_pan() {
    let app = spawn_app().await;
    let (c, id) = customer(&app, 1).await;
    let pan = test_visa(1);
    let a = c.add_card(&id, &pan).await;
    assert!(!a.text.contains(&pan));
    let added = &a.body["cards"][0];
    assert_eq!(added["lastFourDigits"], &pan[12..]);
    assert_eq!(added["customerId"], id.as_str());
    assert_eq!(app.authorizations(), 1);

    let list = c.cards_of(&id).await;
    assert_eq!(list.status, 200);
    assert!(!list.text.contains(&pan));
    let cards = list.body["cards"].as_array().unwrap();
    assert_eq!(cards.len(), 1);
    let k = &cards[0];
    assert_eq!(k["cardId"], added["cardId"]);
    assert_eq!(k["lastFourDigits"], &pan[12..]);
    assert_eq!(k["cardNickname"], "Home");
    assert_eq!(k["cardProgram"], "Fundline Visa Debit");
    assert_eq!(k["currentCardMin"], 500);
    assert_eq!(k["currentCardMax"], 500000);
    assert_eq!(k["expirationMonthYear"], "1230");
    assert_eq!(k["issuerType"], 1);
    assert_eq!(k["cardProgramPhone"], "8005550100");
    for field in [
        "cardArtAsBase64Png",
        "showTermsAndConditions",
        "termsAndConditionsId",
        "hashId",
    ] {
        assert!(k.get(field).is_some(), "{field}");
    }

    // The GET form of the method answers the same.
    let (status, body) = c
        .call_raw_get(&format!(
            "/api/v1/partners/get-registered-cards?customerId={id}"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["cards"][0]["cardId"], added["cardId"]);
}

#[tokio::test]
async fn identical_data_changes_nothing_and_changed_data_is_reauthorized() {
    let app = spawn_app().await;
    let (c, id) = customer(&app, 2).await;
    let pan = test_visa(2);
    let first = c.ask("add-or-update-card", &card(&id, &pan)).await;
    let card_id = first.body["cards"][0]["cardId"].clone();
    assert_eq!(app.authorizations(), 1);

    let again = c.ask("add-or-update-card", &card(&id, &pan)).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["cards"][0]["cardId"], card_id);
    assert_eq!(
        app.authorizations(),
        1,
        "identical data must not be reauthorized"
    );

    let mut changed = card(&id, &pan);
    changed["expirationMonthYear"] = json!("0631");
    changed["cardNickname"] = json!("Payroll");
    let upd = c.ask("add-or-update-card", &changed).await;
    assert_eq!(upd.status, 200);
    assert_eq!(
        upd.body["cards"][0]["cardId"], card_id,
        "an update keeps the cardId"
    );
    assert_eq!(app.authorizations(), 2);
    let list = c.cards_of(&id).await;
    assert_eq!(list.body["cards"][0]["expirationMonthYear"], "0631");
    assert_eq!(list.body["cards"][0]["cardNickname"], "Payroll");
    assert_eq!(list.body["cards"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_failed_authorization_marks_the_card_invalid_and_names_the_reason() {
    let app = spawn_app().await;
    let (c, id) = customer(&app, 3).await;
    let good = test_visa(3);
    assert_eq!(
        c.status_of("add-or-update-card", &card(&id, &good)).await,
        200
    );

    // A documented sandbox decline.
    let a = c
        .ask("add-or-update-card", &card(&id, "4000000000000002"))
        .await;
    assert_eq!(a.status, 422);
    assert_eq!(a.body["errorCode"], "CARD_DECLINED");
    assert_eq!(a.body["instance"], "/api/v1/partners/add-or-update-card");
    // Sent again unchanged: no reauthorization, same answer.
    let before = app.authorizations();
    let a = c
        .ask("add-or-update-card", &card(&id, "4000000000000002"))
        .await;
    assert_eq!(a.status, 422);
    assert_eq!(app.authorizations(), before);

    // Expired.
    let mut expired = card(&id, &test_visa(33));
    expired["expirationMonthYear"] = json!("0120");
    let a = c.ask("add-or-update-card", &expired).await;
    assert_eq!(
        (a.status, a.body["errorCode"].as_str()),
        (422, Some("EXPIRED_CARD"))
    );

    // AVS: the sandbox's documented failing ZIP.
    let mut avs = card(&id, &test_visa(34));
    avs["zip"] = json!(fundline_api::cardnet::AVS_FAILURE_ZIP);
    let a = c.ask("add-or-update-card", &avs).await;
    assert_eq!(
        (a.status, a.body["errorCode"].as_str()),
        (422, Some("AVS_MISMATCH"))
    );

    // A previously good card updated into failure becomes invalid and is no longer listed.
    let mut bad_update = card(&id, &good);
    bad_update["zip"] = json!(fundline_api::cardnet::AVS_FAILURE_ZIP);
    assert_eq!(c.status_of("add-or-update-card", &bad_update).await, 422);
    let list = c.cards_of(&id).await;
    assert_eq!(list.body["cards"].as_array().unwrap().len(), 0);
    let rows =
        fundline_store::checkcashing::list_cards(&app.store, &app.tenant.tenant_id, &id, false)
            .await
            .unwrap();
    assert!(rows.iter().all(|r| r.status == "invalid"));
    assert_eq!(rows.len(), 4);
}

#[tokio::test]
async fn card_fields_are_validated_as_the_table_says() {
    let app = spawn_app().await;
    let (c, id) = customer(&app, 4).await;
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "cardNumber",
            json!("41111111111111111111"),
            "command.CardNumber",
            "CardNumber cannot exceed 19 characters",
        ),
        (
            "cardNumber",
            json!("41111111111111"),
            "command.CardNumber",
            "CardNumber must be at least 15 characters",
        ),
        (
            "cardNumber",
            json!("4111 1111 1111 1111"),
            "command.CardNumber",
            "CardNumber must contain only digits.",
        ),
        (
            "expirationMonthYear",
            json!("1325"),
            "command.ExpirationMonthYear",
            "ExpirationMonthYear must be four digits MMYY with a month from 01 to 12.",
        ),
        (
            "expirationMonthYear",
            json!("12/25"),
            "command.ExpirationMonthYear",
            "ExpirationMonthYear cannot exceed 4 characters",
        ),
        (
            "cardNickname",
            json!("n".repeat(21)),
            "command.CardNickname",
            "CardNickname cannot exceed 20 characters",
        ),
        (
            "cardNickname",
            json!(""),
            "command.CardNickname",
            "The CardNickname field is required.",
        ),
        (
            "nameOnCard",
            json!("n".repeat(101)),
            "command.NameOnCard",
            "NameOnCard cannot exceed 100 characters",
        ),
        (
            "state",
            json!("ZZ"),
            "command.State",
            "State is not a valid state code.",
        ),
        (
            "customerId",
            json!("1234"),
            "command.customerId",
            "The input was not valid.",
        ),
    ];
    for (field, value, key, message) in cases {
        let mut body = card(&id, &test_visa(4));
        body[field] = value.clone();
        let a = c.ask("add-or-update-card", &body).await;
        assert_eq!(a.status, 400, "{field}={value}: {}", a.text);
        let found = a.body["validationErrors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["key"] == key && e["message"] == message);
        assert!(found, "{field}={value}: {}", a.text);
    }
    // A number failing Luhn never reaches the network and is not stored.
    let a = c
        .ask("add-or-update-card", &card(&id, "4111111111111112"))
        .await;
    assert_eq!(
        (a.status, a.body["errorCode"].as_str()),
        (422, Some("INVALID_CARD_NUMBER"))
    );
    assert_eq!(app.authorizations(), 0);
    // Unknown customer.
    let a = c
        .ask(
            "add-or-update-card",
            &card("333554bf-b273-4d6e-b4f8-d319a1929608", &test_visa(4)),
        )
        .await;
    assert_eq!(
        (a.status, a.body["errorCode"].as_str()),
        (422, Some("CUSTOMER_NOT_FOUND"))
    );
}

#[tokio::test]
async fn concurrent_identical_registrations_make_one_card() {
    let app = spawn_app().await;
    let (c, id) = customer(&app, 5).await;
    let body = card(&id, &test_visa(5));
    let answers =
        futures::future::join_all((0..10).map(|_| c.call("add-or-update-card", &body))).await;
    let ids: std::collections::HashSet<String> = answers
        .iter()
        .map(|a| {
            let a = a.as_ref().unwrap();
            assert_eq!(a.status, 200, "{}", a.text);
            a.body["cards"][0]["cardId"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    let rows =
        fundline_store::checkcashing::list_cards(&app.store, &app.tenant.tenant_id, &id, false)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn tokenized_cards_follow_the_same_rules() {
    let app = spawn_app().await;
    let (c, id) = customer(&app, 6).await;
    let token = "42f76930-2662-4839-bf9f-8bfbe9b58cca";
    let a = c
        .ask(
            "add-or-update-tokenized-card",
            &tokenized(&id, token, "411111"),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(!a.text.contains(token));
    let card_id = a.body["cards"][0]["cardId"].clone();
    assert_eq!(a.body["cards"][0]["lastFourDigits"], "4242");
    assert_eq!(app.authorizations(), 1);

    let again = c
        .ask(
            "add-or-update-tokenized-card",
            &tokenized(&id, token, "411111"),
        )
        .await;
    assert_eq!(again.body["cards"][0]["cardId"], card_id);
    assert_eq!(app.authorizations(), 1);

    let mut changed = tokenized(&id, token, "411111");
    changed["expirationMonthYear"] = json!("1131");
    let upd = c.ask("add-or-update-tokenized-card", &changed).await;
    assert_eq!(upd.body["cards"][0]["cardId"], card_id);
    assert_eq!(app.authorizations(), 2);

    // Without last four the spec shows "****".
    let mut no_last4 = tokenized(&id, "other-token-1", "545454");
    no_last4.as_object_mut().unwrap().remove("lastFourOfCard");
    let a = c.ask("add-or-update-tokenized-card", &no_last4).await;
    assert_eq!(a.body["cards"][0]["lastFourDigits"], "****");
    assert_eq!(
        a.body["cards"][0]["cardProgram"],
        "Fundline Mastercard Prepaid"
    );

    // A BIN outside our network: the spec's A275 answer.
    let a = c
        .ask(
            "add-or-update-tokenized-card",
            &tokenized(&id, "t-2", "990000"),
        )
        .await;
    assert_eq!(
        a.body,
        json!({
            "type": "https://tools.ietf.org/html/rfc4918#section-11.2",
            "title": "Error",
            "status": 422,
            "detail": "Sorry, the account you're attempting to register is not allowed in our network.(A275)",
            "instance": "/api/v1/partners/add-or-update-tokenized-card",
            "errorCode": "BAD_REQUEST"
        })
    );
    // Field rules.
    let a = c
        .ask(
            "add-or-update-tokenized-card",
            &tokenized(&id, "t-3", "12345"),
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(a.text.contains("CardBin must be a 6 to 8 digit number."));
    let a = c
        .ask(
            "add-or-update-tokenized-card",
            &tokenized(&id, &"t".repeat(257), "411111"),
        )
        .await;
    assert!(
        a.text.contains("CardToken cannot exceed 256 characters"),
        "{}",
        a.text
    );
}

#[tokio::test]
async fn deleting_a_card_hides_it_and_re_adding_gives_a_new_card_id() {
    let app = spawn_app().await;
    let (c, id) = customer(&app, 7).await;
    let pan = test_visa(7);
    let card_id = c.ask("add-or-update-card", &card(&id, &pan)).await.body["cards"][0]["cardId"]
        .as_str()
        .unwrap()
        .to_string();
    let d = c
        .ask("delete-card", &json!({"customerId": id, "cardId": card_id}))
        .await;
    assert_eq!(d.status, 200);
    assert_eq!(d.text, "");
    let list = c.cards_of(&id).await;
    assert_eq!(list.body["cards"].as_array().unwrap().len(), 0);

    let again = c
        .ask("delete-card", &json!({"customerId": id, "cardId": card_id}))
        .await;
    assert_eq!(
        (again.status, again.body["errorCode"].as_str()),
        (422, Some("CARD_NOT_FOUND"))
    );

    let readd = c.ask("add-or-update-card", &card(&id, &pan)).await;
    assert_eq!(readd.status, 200);
    assert_ne!(readd.body["cards"][0]["cardId"].as_str().unwrap(), card_id);

    let bad = c
        .ask(
            "delete-card",
            &json!({"customerId": id, "cardId": "3b242db9"}),
        )
        .await;
    assert_eq!(bad.status, 400);
    common::steps::only_invalid(&bad, "command.cardId", "The input was not valid.");
}

#[tokio::test]
async fn get_registered_cards_validates_the_customer_id() {
    let (_app, c) = common::spawn_partner().await;
    let a = c.cards_of("4g623rb9-48gh-7594-a5d6-268d37362d65").await;
    assert_eq!(
        a.body,
        json!({
            "errors": {},
            "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
            "title": "Bad Request",
            "status": 400,
            "detail": "One or more validation errors occurred.",
            "instance": "/api/v1/partners/get-registered-cards",
            "validationErrors": [{"key": "query.customerId", "message": "The input was not valid."}]
        })
    );
}
