//! A fresh store per test: SQLite in a temporary directory, or a schema of
//! its own on the PostgreSQL server named by DATABASE_URL (or
//! FUNDLINE_TEST_DATABASE_URL).

use fundline_store::{isolated_postgres_url, Store, StoreOptions};

pub async fn store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let postgres = ["FUNDLINE_TEST_DATABASE_URL", "DATABASE_URL"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|u| u.starts_with("postgres"));
    let url = match postgres {
        Some(u) => isolated_postgres_url(&u, &format!("t_{}", uuid::Uuid::new_v4().simple()))
            .await
            .unwrap(),
        None => format!("sqlite://{}?mode=rwc", dir.path().join("w.db").display()),
    };
    (Store::connect(&StoreOptions::new(url)).await.unwrap(), dir)
}
