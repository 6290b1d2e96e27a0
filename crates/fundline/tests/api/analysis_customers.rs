//! Bank analysis customers: onboarding with every rule of spec 004, the four
//! partial updates, masking of sealed fields, listing and paging.

use crate::common;

use common::staff::{customer, customers_two_days_apart, envelope_err, envelope_ok, Staff};
use common::{captured_logs, sensitive, spawn_app};
use serde_json::{json, Value};

#[tokio::test]
async fn a_customer_is_created_read_and_listed_with_sealed_fields_masked() {
    let app = spawn_app().await;
    let staff = Staff::admin(&app).await;
    let body = customer(1);
    let (ssn, acc) = (
        body["ssn"].as_str().unwrap().to_string(),
        body["bankAccNo"].as_str().unwrap().to_string(),
    );
    sensitive(&ssn);
    sensitive(&acc);
    let a = staff.post("/api/v1/customer", &body).await;
    envelope_ok(&a, "Customer created successfully.");
    let d = &a.body["data"];
    assert_eq!(d["password"], "*****");
    assert_eq!(d["ssn"], format!("*****{}", &ssn[5..]));
    assert_eq!(d["bankAccNo"], format!("*****{}", &acc[acc.len() - 4..]));
    assert_eq!(d["driversLicense"], "*****4567");
    assert_eq!(d["dob"], "1990-05-24T00:00:00.0000000Z");
    assert_eq!(d["monthlyIncome"], 3200.5);
    assert_eq!(d["payFrequency"], "Bi-Weekly");
    assert_eq!(d["customerType"], 1);
    let text = a.body.to_string();
    assert!(!text.contains(&ssn) && !text.contains(&acc) && !text.contains("S3cure-pass!"));
    let id = d["id"].as_str().unwrap().to_string();

    // At rest: sealed, not plain.
    let row: (String, String) =
        sqlx::query_as("SELECT ssn_sealed, bank_acc_sealed FROM ba_customers WHERE id = $1")
            .bind(&id)
            .fetch_one(app.store.reader())
            .await
            .unwrap();
    assert!(!row.0.contains(&ssn) && !row.1.contains(&acc));

    let got = staff
        .get_ok(
            &format!("/api/v1/customer/{id}"),
            "Record retrieved successfully.",
        )
        .await;
    assert_eq!(got.body["data"]["email"], "jane1@example.com");
    assert_eq!(got.body["data"]["isActive"], true);
    staff
        .get_refused(
            "/api/v1/customer/3fa85f64-5717-4562-b3fc-2c963f66afa6",
            400,
            "Not found",
            &["Customer not found."],
        )
        .await;
    staff
        .get_refused(
            "/api/v1/customer/xyz",
            400,
            "Not found",
            &["Customer not found."],
        )
        .await;

    // Another tenant's staff cannot see it.
    let other = app.other_tenant().await;
    let stranger = Staff::login(&app, &other.analysis.email, &other.analysis.password).await;
    envelope_err(
        &stranger.get(&format!("/api/v1/customer/{id}")).await,
        400,
        "Not found",
        &["Customer not found."],
    );

    for n in 2..=12 {
        envelope_ok(
            &staff.post("/api/v1/customer", &customer(n)).await,
            "Customer created successfully.",
        );
    }
    let mut business = customer(50);
    business["customerType"] = json!(2);
    business["companyName"] = json!("Doe Enterprises");
    business["ein"] = json!("123456789");
    let b = staff.post("/api/v1/customer", &business).await;
    envelope_ok(&b, "Customer created successfully.");
    assert_eq!(b.body["data"]["ein"], "12-3456789");

    let page = staff
        .get_ok(
            "/api/v1/customer/all?pageNumber=2&pageSize=5&orderBy=CreatedDate&order=ASC",
            "Customers retrieved successfully.",
        )
        .await;
    assert_eq!(page.body["data"]["totalRecords"], 13);
    assert_eq!(page.body["data"]["pageNumber"], 2);
    let records = page.body["data"]["records"].as_array().unwrap();
    assert_eq!(records.len(), 5);
    assert_eq!(records[0]["firstName"], "Jane6");
    let businesses = staff
        .get("/api/v1/customer/all?customerType=business")
        .await;
    assert_eq!(businesses.body["data"]["totalRecords"], 1);
    let named = staff.get("/api/v1/customer/all?nameQuery=JANE1").await;
    assert_eq!(
        named.body["data"]["totalRecords"], 4,
        "Jane1, Jane10, Jane11, Jane12: {named}"
    );
    let by_company = staff.get("/api/v1/customer/all?nameQuery=doe%20ent").await;
    assert_eq!(by_company.body["data"]["totalRecords"], 1);
    let wildcard = staff.get("/api/v1/customer/all?nameQuery=%25").await;
    assert_eq!(
        wildcard.body["data"]["totalRecords"], 0,
        "% is a character, not a wildcard"
    );
    staff.get_refused("/api/v1/customer/all?pageNumber=-1&pageSize=0&customerType=robot&order=UP&orderBy=Salary", 400, "Bad Request", &[
            "Invalid request parameters.",
            "PageNumber must be greater than 0.",
            "PageSize must be between 1 and 100.",
            "Order must be either ASC or DESC.",
            "OrderBy must be one of: CreatedDate, FirstName, LastName, Email.",
            "CustomerType must be either 'customer' or 'business'.",
        ]).await;
    let logs = captured_logs();
    assert!(!logs.contains(&ssn) && !logs.contains(&acc));
}

#[tokio::test]
async fn the_list_filters_by_onboarding_date_both_bounds_included() {
    let app = spawn_app().await;
    let (first, second) = customers_two_days_apart(&app).await;
    let staff = Staff::admin(&app).await;
    let names = |a: &common::staff::Answer| -> Vec<String> {
        assert_eq!(a.status, 200, "{a}");
        a.body["data"]["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["firstName"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let all = "/api/v1/customer/all?order=ASC";
    assert_eq!(names(&staff.get(all).await), ["Jane1", "Jane2"]);
    let on_first = format!("{all}&createdDateFrom={first}&createdDateTo={first}");
    let a = staff.get(&on_first).await;
    assert_eq!(
        names(&a),
        ["Jane1"],
        "a bare To date includes its whole day"
    );
    assert_eq!(a.body["data"]["totalRecords"], 1);
    let from_second = format!("{all}&createdDateFrom={second}");
    assert_eq!(names(&staff.get(&from_second).await), ["Jane2"]);
    let both = format!("{all}&createdDateFrom={first}&createdDateTo={second}");
    assert_eq!(names(&staff.get(&both).await), ["Jane1", "Jane2"]);
    let reversed = format!("{all}&createdDateFrom={second}&createdDateTo={first}");
    let a = staff.get(&reversed).await;
    assert!(names(&a).is_empty(), "an end before the start matches none");
    assert_eq!(a.body["data"]["totalRecords"], 0);
    // With an offset the instant is taken as given.
    let before_second = format!("{all}&createdDateTo={second}T00:00:00Z");
    assert_eq!(names(&staff.get(&before_second).await), ["Jane1"]);

    staff
        .get_refused(
            "/api/v1/customer/all?createdDateFrom=yesterday&createdDateTo=2025-13-01&pageSize=0",
            400,
            "Bad Request",
            &[
                "Invalid request parameters.",
                "PageSize must be between 1 and 100.",
                "CreatedDateFrom must be an ISO-8601 date.",
                "CreatedDateTo must be an ISO-8601 date.",
            ],
        )
        .await;
}

#[tokio::test]
async fn onboarding_reports_every_failed_rule_word_for_word() {
    let app = spawn_app().await;
    let staff = Staff::admin(&app).await;
    let a = staff
        .post(
            "/api/v1/customer",
            &json!({
            "userName": "x", "customerType": 1, "companyName": "Acme", "ein": "12-3456789",
            "lastName": "L".repeat(51), "phoneNumber": "555-1234", "email": "nope",
            "addressLine1": "", "city": "C".repeat(51), "state": "S".repeat(51),
            "postalCode": "12345678901", "ssn": "12345", "dob": "2999-01-01T00:00:00Z",
            "bankAccNo": "123", "routingNo": "12", "bankName": "B".repeat(101),
            "employerName": "E".repeat(101), "payFrequency": "Daily", "driversLicense": "D-1"
            }),
        )
        .await;
    envelope_err(
        &a,
        400,
        "Validation failed for the request.",
        &[
            "Company name should be empty for regular customers.",
            "EIN should be empty for regular customers.",
            "Password is required.",
            "Last name must not exceed 50 characters.",
            "First name is required.",
            "Phone number must be exactly 10 digits.",
            "Invalid email format.",
            "Address line 1 is required.",
            "Country is required.",
            "City must not exceed 50 characters.",
            "State must not exceed 50 characters.",
            "Postal code must not exceed 10 characters.",
            "Pay Frequency must be one of the following: Monthly, Bi-Monthly, Weekly, Bi-Weekly.",
            "Driver's License must be 5 to 20 alphanumeric characters.",
            "SSN must be exactly 9 digits.",
            "Date of Birth must be in the past.",
            "Bank name must not exceed 100 characters.",
            "Bank Account Number must be at least 6 digits.",
            "Routing number must be exactly 9 digits.",
            "Employer name must not exceed 100 characters.",
        ],
    );
    // (customer, fields changed, the rules broken)
    let mut cases: Vec<(u32, Value, &[&str])> = vec![
        (
            1,
            json!({"customerType": 3}),
            &["Customer type must be either 'customer' or 'business'."],
        ),
        (
            2,
            json!({"customerType": 2}),
            &[
                "Company name is required for business customers.",
                "EIN is required for business customers.",
            ],
        ),
        // Wrong JSON types are rule failures, not crashes.
        (
            3,
            json!({"monthlyIncome": "lots", "triggerReportRequest": [1]}),
            &[
                "Monthly income must be a non-negative number.",
                "TriggerReportRequest must be true or false.",
            ],
        ),
    ];
    // Nine digits that no SSN or ITIN can be (area 000 or 666, group 00,
    // serial 0000) are refused like a malformed one.
    for ssn in ["000123456", "666123456", "123001234", "123450000"] {
        cases.push((
            1,
            json!({ "ssn": ssn }),
            &["SSN is not a valid SSN or ITIN."],
        ));
    }
    for (n, changes, rules) in cases {
        let mut c = customer(n);
        for (field, value) in changes.as_object().unwrap() {
            c[field] = value.clone();
        }
        staff
            .post_refused(
                "/api/v1/customer",
                &c,
                400,
                "Validation failed for the request.",
                rules,
            )
            .await;
    }
    // No token at all.
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/customer", app.base))
        .json(&customer(4))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

/// A PUT the API refuses with 400, breaking exactly `rules`.
async fn put_refused(staff: &Staff, path: &str, body: &Value, rules: &[&str]) {
    envelope_err(
        &staff.put(path, body).await,
        400,
        "Validation failed for the request.",
        rules,
    );
}

#[tokio::test]
async fn the_four_partial_updates() {
    let app = spawn_app().await;
    let staff = Staff::admin(&app).await;
    let id = staff.post("/api/v1/customer", &customer(1)).await.body["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let info = staff
        .put(
            "/api/v1/customer/information",
            &json!({"id": id, "customerType": 1, "firstName": "Janet", "lastName": "Doe", "addressLine1": "456 Elm Street",
                    "addressLine2": "Suite 5A", "city": "Gotham", "state": "CA", "postalCode": "90210", "driversLicense": "X9876543",
                    "ssn": "987654321", "country": "USA", "dob": "1985-08-15T00:00:00Z"}),
        )
        .await;
    envelope_ok(&info, "Customer information updated successfully.");
    assert_eq!(info.body["data"]["ssn"], "*****4321");
    assert_eq!(info.body["data"]["driversLicense"], "*****6543");
    assert_eq!(info.body["data"]["dob"], "1985-08-15T00:00:00.0000000Z");
    put_refused(
        &staff,
        "/api/v1/customer/information",
        &json!({"id": id, "customerType": 5, "postalCode": "12345678901", "ssn": "1", "dob": "2999-01-01", "driversLicense": "!!"}),
        &[
            "Customer type must be either 'customer' or 'business'.",
            "First name is required.",
            "Last name is required.",
            "Address line 1 is required.",
            "City is required.",
            "State is required.",
            "Postal code must not exceed 10 characters.",
            "Driver's License must be 5 to 20 alphanumeric characters.",
            "SSN must be exactly 9 digits.",
            "Country is required.",
            "Date of Birth must be in the past.",
        ],
    )
    .await;

    let bank = staff
        .put("/api/v1/customer/bank-information", &json!({"id": id, "bankName": "Bank of America", "bankAccNo": "81526962681303286", "routingNo": "697876632"}))
        .await;
    envelope_ok(&bank, "Customer bank information updated successfully.");
    assert_eq!(bank.body["data"]["bankAccNo"], "*****3286");
    put_refused(
        &staff,
        "/api/v1/customer/bank-information",
        &json!({"bankAccNo": "12a", "routingNo": "1", "bankName": "B".repeat(101)}),
        &[
            "Customer ID is required.",
            "Bank Account Number must contain only digits.",
            "Bank Account Number must be at least 6 digits.",
            "Routing number must be exactly 9 digits.",
            "Bank name must not exceed 100 characters.",
        ],
    )
    .await;
    put_refused(
        &staff,
        "/api/v1/customer/bank-information",
        &json!({"id": id, "bankName": "B", "bankAccNo": "123456789012345678", "routingNo": "697876632"}),
        &["Bank Account Number must not exceed 17 digits."],
    )
    .await;

    let contact = staff
        .put("/api/v1/customer/contact-information", &json!({"id": id, "customerType": 1, "phoneNumber": "1234567890", "email": "updated.email@example.com"}))
        .await;
    envelope_ok(
        &contact,
        "Customer contact information updated successfully.",
    );
    assert_eq!(contact.body["data"]["email"], "updated.email@example.com");
    assert_eq!(contact.body["data"]["firstName"], "Janet");
    put_refused(
        &staff,
        "/api/v1/customer/contact-information",
        &json!({"customerType": 7, "email": format!("{}@example.com", "a".repeat(45)), "phoneNumber": ""}),
        &["Customer ID is required.", "CustomerType must be either 'customer' or 'business'.", "Email must not exceed 50 characters.", "Phone number is required."],
    )
    .await;
    put_refused(
        &staff,
        "/api/v1/customer/contact-information",
        &json!({"id": id, "customerType": 1, "firstName": "J", "lastName": "D", "phoneNumber": "1234567890", "email": "a@example.com"}),
        &["First name must be null for customer type 'customer'.", "Last name must be null for customer type 'customer'."],
    )
    .await;

    let job = staff
        .put("/api/v1/customer/employee-information", &json!({"id": id, "customerType": 1, "payFrequency": "Monthly", "employerName": "Tech Solutions Pvt. Ltd."}))
        .await;
    envelope_ok(&job, "Employee information updated successfully.");
    assert_eq!(
        job.body["data"],
        json!({"id": id, "payFrequency": "Monthly", "employerName": "Tech Solutions Pvt. Ltd."})
    );
    put_refused(
        &staff,
        "/api/v1/customer/employee-information",
        &json!({"customerType": 2, "payFrequency": "Yearly", "employerName": "E".repeat(101)}),
        &[
            "Customer Id is required.",
            "Customer type must be 'customer'.",
            "Employer name must not exceed 100 characters.",
            "Pay Frequency must be one of the following: Monthly, Bi-Monthly, Weekly, Bi-Weekly.",
        ],
    )
    .await;
    envelope_err(
        &staff
            .put("/api/v1/customer/employee-information", &json!({"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "customerType": 1, "payFrequency": "Weekly", "employerName": "E"}))
            .await,
        400,
        "Not found",
        &["Customer not found."],
    );

    let after = staff.get(&format!("/api/v1/customer/{id}")).await.body["data"].clone();
    assert_eq!(after["firstName"], "Janet");
    assert_eq!(after["bankName"], "Bank of America");
    assert_eq!(after["email"], "updated.email@example.com");
    assert_eq!(after["employerName"], "Tech Solutions Pvt. Ltd.");
    assert!(after["updatedDate"].is_string());
}

#[tokio::test]
async fn reading_a_full_customer_record_is_audited() {
    let app = spawn_app().await;
    let admin = Staff::admin(&app).await;
    let me = admin.user_id().await;
    let c = admin.post("/api/v1/customer", &customer(41)).await;
    assert_eq!(c.status, 200, "{c}");
    let id = c.body["data"]["id"].as_str().unwrap().to_string();
    let got = admin.get(&format!("/api/v1/customer/{id}")).await;
    assert_eq!(got.status, 200, "{got}");
    let logs = common::captured_logs();
    let line = logs
        .lines()
        .find(|l| l.contains(r#""audit_event":"customer.read""#) && l.contains(&id))
        .expect("a customer.read event");
    assert!(line.contains(r#""target":"audit""#), "{line}");
    assert!(line.contains(&format!(r#""user_id":"{me}""#)), "{line}");
    assert!(line.contains(&format!(r#""customer_id":"{id}""#)), "{line}");
    // No SSN, account number or email of the customer in it.
    let body = customer(41);
    for field in ["ssn", "bankAccNo", "email"] {
        assert!(
            !line.contains(body[field].as_str().unwrap()),
            "{field} in {line}"
        );
    }
}
