//! FindCustomer, EnrollCustomer and AuthenticateOBO.

use crate::common;
use common::steps::Partner;

use fundline::client::{card, enrollment, test_visa};
use serde_json::{json, Value};

fn errors(body: &Value) -> Vec<(String, String)> {
    body["validationErrors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["key"].as_str().unwrap_or("").to_string(),
                        e["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn has(body: &Value, key: &str, message: &str) -> bool {
    errors(body).iter().any(|(k, m)| k == key && m == message)
}

#[tokio::test]
async fn the_spec_sample_enrolls_as_written() {
    let (_app, c) = common::spawn_partner().await;
    // Verbatim from the spec: `email` for emailAddress, keys and values with
    // stray spaces, allowTexts as a JSON boolean.
    let sample = json!({
        "email": "5QY8A9Pr7b@gmail.com",
        "ssn": "684832266",
        "firstName": "Roger",
        "lastName": "Rabbit",
        "middleInitial": "R",
        "title": "Mr.",
        "suffix": "",
        "mobileNumber": "6153456789",
        "homeNumber": "6153456565",
        "addressLine1": "660 Bakers Bridge Lane",
        "addressLine2": "Suite 100 ",
        "city ": "Franklin",
        "state ": "TN ",
        "zip ": "37067 ",
        "dateOfBirth ": "1978-09-11",
        "allowTexts": true
    });
    let a = c.ask("enroll-customer", &sample).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.body["CustomerId"].as_str().unwrap();
    assert_eq!(id.len(), 36);

    let f = c.find("684832266", "09/11/1978").await;
    assert_eq!(f.status, 200);
    assert_eq!(f.body, json!({"customerId": id}));
}

#[tokio::test]
async fn the_spec_samples_enroll_then_add_a_tokenized_card_at_another_address() {
    let (_app, c) = common::spawn_partner().await;
    let enroll = json!({"email": "5QY8A9Pr7b@gmail.com", "ssn": "684832266", "firstName": "Roger", "lastName": "Rabbit",
        "middleInitial": "R", "title": "Mr.", "suffix": "", "mobileNumber": "6153456789", "homeNumber": "6153456565",
        "addressLine1": "660 Bakers Bridge Lane", "addressLine2": "Suite 100 ", "city ": "Franklin", "state ": "TN ",
        "zip ": "37067 ", "dateOfBirth ": "1978-09-11", "allowTexts": true});
    let a = c.ask("enroll-customer", &enroll).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.body["CustomerId"].as_str().unwrap();
    // The spec's AddOrUpdateTokenizedCard sample, its address unlike the
    // enrolment's (its 5-digit "12345 " BIN is below the table's own 6-digit
    // minimum, so a real Visa BIN stands in). The sandbox's AVS fails only
    // for its documented test values, so this passes.
    let card = json!({"customerId": id, "cardToken": "42f76930-2662-4839-bf9f-8bfbe9b58cca", "cardBin": "411111",
        "expirationMonthYear": "1230", "cardNickname": "Home", "nameOnCard": "Roger Rabbit",
        "addressLine1": "123 Main St.", "addressLine2": "", "city": "Nashville", "state": "TN", "zip": "37075"});
    let a = c.ask("add-or-update-tokenized-card", &card).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let mut failing = card.clone();
    failing["cardToken"] = json!("another-token");
    failing["zip"] = json!(fundline_api::cardnet::AVS_FAILURE_ZIP);
    let a = c.ask("add-or-update-tokenized-card", &failing).await;
    assert_eq!(
        (a.status, a.body["errorCode"].as_str()),
        (422, Some("AVS_MISMATCH")),
        "{}",
        a.text
    );
}

#[tokio::test]
async fn find_customer_reads_every_listed_date_format() {
    let (_app, c) = common::spawn_partner().await;
    let mut body = enrollment(1);
    body["dateOfBirth"] = json!("1988-05-31");
    let id = c.enroll_with(&body).await;
    for dob in [
        "05/31/88",
        "05-31-88",
        "1988/05/31",
        "1988-05-31",
        "05/31/1988",
        "05-31-1988",
    ] {
        let a = c
            .ask(
                "find-customer",
                &json!({"ssn": body["ssn"], "dateOfBirth": dob}),
            )
            .await;
        assert_eq!(a.status, 200, "{dob}: {}", a.text);
        assert_eq!(a.body["customerId"], id.as_str());
    }
    // A .NET client's UTF-8 byte-order mark before the JSON (ASP.NET accepts it).
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(
        serde_json::to_vec(&json!({"ssn": body["ssn"], "dateOfBirth": "05/31/1988"})).unwrap(),
    );
    let a = c
        .call_raw("find-customer", "application/json; charset=utf-8", bom)
        .await
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["customerId"], id.as_str());
}

#[tokio::test]
async fn a_two_digit_year_still_to_come_this_century_reads_as_19yy() {
    use chrono::Datelike;
    let (_app, c) = common::spawn_partner().await;
    // Tomorrow in 20YY is in the future, so MM/DD/YY of it means 19YY.
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
    let born = chrono::NaiveDate::from_ymd_opt(
        1900 + tomorrow.year() % 100,
        tomorrow.month(),
        tomorrow.day().min(28),
    )
    .unwrap();
    let mut body = enrollment(7);
    body["dateOfBirth"] = json!(born.format("%Y-%m-%d").to_string());
    let id = c.enroll_with(&body).await;
    let short = born.format("%m/%d/%y").to_string();
    let a = c
        .ask(
            "find-customer",
            &json!({"ssn": body["ssn"], "dateOfBirth": short}),
        )
        .await;
    assert_eq!(a.status, 200, "{short}: {}", a.text);
    assert_eq!(a.body["customerId"], id.as_str());
}

#[tokio::test]
async fn an_unknown_customer_is_422_customer_not_found() {
    let (_app, c) = common::spawn_partner().await;
    let body = enrollment(2);
    c.ask("enroll-customer", &body).await;
    for (ssn, dob) in [
        ("123456789", "1978-09-11"),
        (body["ssn"].as_str().unwrap(), "1978-09-12"),
    ] {
        let a = c
            .ask("find-customer", &json!({"ssn": ssn, "dateOfBirth": dob}))
            .await;
        assert_eq!(a.status, 422);
        assert_eq!(
            a.body,
            json!({
                "type": "https://tools.ietf.org/html/rfc4918#section-11.2",
                "title": "Customer Not Found",
                "status": 422,
                "detail": "We're sorry, this customer was not found. Please check SSN and DOB and try again. (A172)",
                "instance": "/api/v1/partners/find-customer",
                "errorCode": "CUSTOMER_NOT_FOUND"
            })
        );
    }
}

#[tokio::test]
async fn find_customer_validates_its_parameters() {
    let (_app, c) = common::spawn_partner().await;
    let a = c.find("12345678", "31/05/1988").await;
    assert_eq!(a.status, 400);
    assert!(
        has(
            &a.body,
            "command.Ssn",
            "Ssn must be a 9 digit number with no spaces or dashes."
        ),
        "{}",
        a.text
    );
    assert!(errors(&a.body)
        .iter()
        .any(|(k, _)| k == "command.DateOfBirth"));
    assert_eq!(a.body["errors"], json!({}));
    assert_eq!(a.body["title"], "Bad Request");
    assert_eq!(a.body["detail"], "One or more validation errors occurred.");
}

#[tokio::test]
async fn ssn_or_email_already_enrolled_is_refused_with_an_error_code() {
    let (_app, c) = common::spawn_partner().await;
    assert_eq!(c.status_of("enroll-customer", &enrollment(3)).await, 200);

    let mut same_ssn = enrollment(4);
    same_ssn["ssn"] = enrollment(3)["ssn"].clone();
    let a = c.ask("enroll-customer", &same_ssn).await;
    assert_eq!(a.status, 422);
    assert_eq!(a.body["errorCode"], "SSN_ALREADY_IN_USE");

    let mut same_email = enrollment(5);
    same_email["emailAddress"] = json!("CUSTOMER3@example.com");
    let a = c.ask("enroll-customer", &same_email).await;
    assert_eq!(a.status, 422);
    assert_eq!(a.body["errorCode"], "EMAIL_ALREADY_IN_USE");
}

#[tokio::test]
async fn concurrent_identical_enrollments_make_one_customer() {
    let (_app, c) = common::spawn_partner().await;
    let body = enrollment(77);
    let calls = (0..8).map(|_| c.call("enroll-customer", &body));
    let answers = futures::future::join_all(calls).await;
    for a in &answers {
        let a = a.as_ref().unwrap();
        assert!(
            a.status == 200 || a.status == 422,
            "{} {}",
            a.status,
            a.text
        );
    }
    let ok = answers
        .iter()
        .filter(|a| a.as_ref().unwrap().status == 200)
        .count();
    // SSN and email both collide; the engine reports whichever index it checks first.
    let dup = answers
        .iter()
        .filter(|a| {
            let code = &a.as_ref().unwrap().body["errorCode"];
            code == "SSN_ALREADY_IN_USE" || code == "EMAIL_ALREADY_IN_USE"
        })
        .count();
    assert_eq!((ok, dup), (1, 7));
}

#[tokio::test]
async fn every_rule_of_the_enrollment_table() {
    let (_app, c) = common::spawn_partner().await;
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "gender",
            json!("MF"),
            "command.Gender",
            "Gender cannot exceed 1 character",
        ),
        (
            "gender",
            json!("X"),
            "command.Gender",
            "Gender must be M or F.",
        ),
        (
            "emailAddress",
            json!("no-at-sign"),
            "command.EmailAddress",
            "EmailAddress is not a valid email address.",
        ),
        (
            "emailAddress",
            json!(format!("{}@example.com", "a".repeat(95))),
            "command.EmailAddress",
            "EmailAddress cannot exceed 100 characters",
        ),
        (
            "ssn",
            json!("12345678A"),
            "command.Ssn",
            "Ssn must be a 9 digit number with no spaces or dashes.",
        ),
        (
            "ssn",
            json!("000123456"),
            "command.Ssn",
            "Ssn is not a valid SSN or ITIN.",
        ),
        (
            "firstName",
            json!(""),
            "command.FirstName",
            "The FirstName field is required.",
        ),
        (
            "firstName",
            json!("a".repeat(51)),
            "command.FirstName",
            "FirstName cannot exceed 50 characters",
        ),
        (
            "lastName",
            json!("b".repeat(51)),
            "command.LastName",
            "LastName cannot exceed 50 characters",
        ),
        (
            "middleInitial",
            json!("RR"),
            "command.MiddleInitial",
            "MiddleInitial cannot exceed 1 character",
        ),
        (
            "title",
            json!("Honourable!"),
            "command.Title",
            "Title cannot exceed 10 characters",
        ),
        (
            "suffix",
            json!("the Third!!"),
            "command.Suffix",
            "Suffix cannot exceed 10 characters",
        ),
        (
            "mobileNumber",
            json!("615-345-6789"),
            "command.MobileNumber",
            "MobileNumber cannot exceed 10 characters",
        ),
        (
            "mobileNumber",
            json!("61534567"),
            "command.MobileNumber",
            "MobileNumber must be at least 10 characters",
        ),
        (
            "homeNumber",
            json!("(615)34567"),
            "command.HomeNumber",
            "HomeNumber must be exactly 10 digits with no formatting characters.",
        ),
        (
            "addressLine1",
            json!("x".repeat(51)),
            "command.AddressLine1",
            "AddressLine1 cannot exceed 50 characters",
        ),
        (
            "addressLine2",
            json!("x".repeat(51)),
            "command.AddressLine2",
            "AddressLine2 cannot exceed 50 characters",
        ),
        (
            "city",
            json!("x".repeat(51)),
            "command.City",
            "City cannot exceed 50 characters",
        ),
        (
            "state",
            json!("XX"),
            "command.State",
            "State is not a valid state code.",
        ),
        (
            "state",
            json!("TNN"),
            "command.State",
            "State cannot exceed 2 characters",
        ),
        (
            "zip",
            json!("3706"),
            "command.Zip",
            "Zip must be at least 5 characters",
        ),
        (
            "zip",
            json!("3706A"),
            "command.Zip",
            "Zip must be exactly 5 digits.",
        ),
        (
            "dateOfBirth",
            json!("1978-13-11"),
            "command.DateOfBirth",
            "DateOfBirth is not a valid date.",
        ),
        (
            "dateOfBirth",
            json!("2015-01-01"),
            "command.DateOfBirth",
            "The customer must be at least 18 years old.",
        ),
        (
            "allowTexts",
            json!("X"),
            "command.AllowTexts",
            "AllowTexts must be Y or N.",
        ),
        (
            "allowTexts",
            json!(5),
            "command.allowTexts",
            "The input was not valid.",
        ),
        (
            "referrerCode",
            json!("r".repeat(51)),
            "command.ReferrerCode",
            "ReferrerCode cannot exceed 50 characters",
        ),
        (
            "firstName",
            json!(42),
            "command.firstName",
            "The input was not valid.",
        ),
    ];
    for (field, value, key, message) in cases {
        let mut body = enrollment(10);
        body[field] = value.clone();
        let a = c.ask("enroll-customer", &body).await;
        assert_eq!(a.status, 400, "{field}={value}: {}", a.text);
        assert!(
            has(&a.body, key, message),
            "{field}={value}: want {key} '{message}', got {:?}",
            errors(&a.body)
        );
        assert_eq!(a.body["instance"], "/api/v1/partners/enroll-customer");
    }
    // Required fields missing: each is named.
    let a = c.ask("enroll-customer", &json!({})).await;
    assert_eq!(a.status, 400);
    for f in [
        "EmailAddress",
        "Ssn",
        "FirstName",
        "LastName",
        "MobileNumber",
        "AddressLine1",
        "AddressLine2",
        "City",
        "State",
        "Zip",
        "DateOfBirth",
        "AllowTexts",
    ] {
        assert!(
            has(
                &a.body,
                &format!("command.{f}"),
                &format!("The {f} field is required.")
            ),
            "{f}: {:?}",
            errors(&a.body)
        );
    }
}

#[tokio::test]
async fn ofac_screening_refuses_a_listed_country_of_origin() {
    let (_app, c) = common::spawn_partner().await;
    let mut body = enrollment(11);
    body["countryOfOrigin"] = json!("North Korea");
    let a = c.ask("enroll-customer", &body).await;
    assert_eq!(a.status, 422);
    assert_eq!(a.body["errorCode"], "OFAC_SCREENING_FAILED");
    body["countryOfOrigin"] = json!("Canada");
    assert_eq!(c.status_of("enroll-customer", &body).await, 200);
}

#[tokio::test]
async fn unicode_names_are_kept() {
    let (app, c) = common::spawn_partner().await;
    let mut body = enrollment(12);
    body["firstName"] = json!("José-María");
    body["lastName"] = json!("Ñúñez 山田");
    let a = c.ask("enroll-customer", &body).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.body["CustomerId"].as_str().unwrap();
    let row = fundline_store::checkcashing::get_customer(&app.store, &app.tenant.tenant_id, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.last_name, "Ñúñez 山田");
}

#[tokio::test]
async fn authenticate_obo_needs_a_customer_with_a_card_and_gives_fresh_one_time_tokens() {
    let (_app, c) = common::spawn_partner().await;
    let a = c.obo("333554bf-b273-4d6e-b4f8-d319a1929608").await;
    assert_eq!(a.status, 422);
    assert_eq!(
        a.body["detail"],
        "Oops, your customer information does not exist in our service. Please check your login and try again. (A45)"
    );
    assert_eq!(a.body["errorCode"], "CUSTOMER_NOT_FOUND");

    let id = c.enroll(13).await;
    let a = c.obo(&id).await;
    assert_eq!(a.status, 422);
    assert_eq!(
        a.body,
        json!({
            "type": "https://tools.ietf.org/html/rfc4918#section-11.2",
            "title": "No linked account",
            "status": 422,
            "detail": "The customer does not have a linked account.",
            "instance": "/api/v1/partners/authenticate-obo",
            "errorCode": "NO_LINKED_ACCOUNT"
        })
    );

    assert_eq!(
        c.status_of("add-or-update-card", &card(&id, &test_visa(13)))
            .await,
        200
    );
    let t1 = c.obo(&id).await;
    let t2 = c.obo(&id).await;
    assert_eq!(t1.status, 200);
    let (t1, t2) = (
        t1.body["ssoToken"].as_str().unwrap().to_string(),
        t2.body["ssoToken"].as_str().unwrap().to_string(),
    );
    assert!(t1.len() >= 40);
    assert_ne!(t1, t2);

    let bad = c.obo("not-a-guid").await;
    assert_eq!(bad.status, 400);
    assert!(has(
        &bad.body,
        "command.customerId",
        "The input was not valid."
    ));
}
