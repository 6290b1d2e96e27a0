//! The log check every `TestApp` makes when dropped, now that every test
//! shares one process: it catches a leak of the test's own values, and a
//! value another test named sensitive does not fail this one.

use std::panic::AssertUnwindSafe;

use crate::common::{self, spawn_app};

fn leak_is_caught(app: common::TestApp) -> bool {
    std::panic::catch_unwind(AssertUnwindSafe(move || drop(app))).is_err()
}

#[tokio::test]
async fn another_tests_sensitive_value_does_not_fail_this_one() {
    let app = spawn_app().await;
    let value = format!("elsewhere-{}", uuid::Uuid::new_v4().simple());
    let named = value.clone();
    std::thread::spawn(move || common::sensitive(&named))
        .join()
        .unwrap();
    tracing::info!(%value, "a value that is only sensitive to another test");
    assert!(!leak_is_caught(app));
}

#[tokio::test]
async fn a_logged_sensitive_value_of_this_test_is_caught() {
    let app = spawn_app().await;
    let value = format!("secret-{}", uuid::Uuid::new_v4().simple());
    common::sensitive(&value);
    tracing::info!(%value, "leaked on the test's own thread");
    assert!(leak_is_caught(app));
}

#[tokio::test]
async fn a_leak_on_a_thread_of_no_test_is_caught() {
    let app = spawn_app().await;
    let value = format!("secret-{}", uuid::Uuid::new_v4().simple());
    common::sensitive(&value);
    let logged = value.clone();
    std::thread::spawn(move || tracing::info!(value = %logged, "leaked off the test thread"))
        .join()
        .unwrap();
    assert!(leak_is_caught(app));
}
