//! The write path: batched commits keep each write's outcome its own, and
//! unique violations surface as the index's name on both engines.

mod common;

use common::store;
use fundline_store::{params, query, Abort, Store, StoreError};
use sqlx::Row;

/// One write through `Store::execute`: its parameters are owned, so a
/// batch replayed after a neighbour failed binds them again unchanged.
async fn insert_tenant(store: &Store, id: String, name: &str) -> Result<(), StoreError> {
    store
        .execute(
            "INSERT INTO tenants (id, name, is_sandbox, created_at) VALUES ($1, $2, 0, 0)",
            params![id, name],
        )
        .await?;
    Ok(())
}

/// How many tenants are committed, read past the store's own queries.
async fn tenant_count(store: &Store) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM tenants")
        .fetch_one(store.reader())
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn a_failing_write_in_a_batch_leaves_its_neighbours_committed() {
    let (store, _dir) = store().await;
    insert_tenant(&store, "dup".into(), "first").await.unwrap();
    // Many concurrent writes land in the same batches; every third collides.
    let writes = (0..60u32).map(|i| {
        let store = store.clone();
        async move {
            let id = if i.is_multiple_of(3) {
                "dup".to_string()
            } else {
                format!("t{i}")
            };
            insert_tenant(&store, id, &format!("name of {i}")).await
        }
    });
    let results = futures::future::join_all(writes).await;
    for (i, r) in results.iter().enumerate() {
        if i.is_multiple_of(3) {
            assert!(
                matches!(r, Err(StoreError::Unique(n)) if n == "tenants_pkey"),
                "{i}: {r:?}"
            );
        } else {
            assert!(r.is_ok(), "{i}: {r:?}");
        }
    }
    assert_eq!(tenant_count(&store).await, 41);
    // Each committed write holds its own values, replayed or not.
    let rows: Vec<(String, String)> = store
        .fetch_all(
            "SELECT id, name FROM tenants WHERE id <> $1",
            params!["dup"],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 40);
    for (id, name) in rows {
        assert_eq!(name, format!("name of {}", &id[1..]));
    }
}

#[tokio::test]
async fn a_write_that_fails_half_way_is_rolled_back_whole() {
    let (store, _dir) = store().await;
    let r = store
        .write_or_refuse(|c| {
            Box::pin(async move {
                query::execute(
                    c,
                    "INSERT INTO tenants (id, name, is_sandbox, created_at) VALUES ('a', 'a', 0, 0)",
                    params![],
                )
                .await?;
                Err::<(), _>(Abort::Refused("business rule"))
            })
        })
        .await;
    assert!(matches!(r, Ok(Err("business rule"))));
    assert_eq!(tenant_count(&store).await, 0);
}

#[tokio::test]
async fn a_neighbour_never_sees_the_partial_effects_of_a_failed_write() {
    let (store, _dir) = store().await;
    // Pairs fired together: A inserts k<i> then fails; B inserts k<i>. Had B
    // seen A's partial insert, B would fail on the duplicate.
    let mut calls = Vec::new();
    for i in 0..40 {
        let key = format!("k{i}");
        let a_store = store.clone();
        let a_key = key.clone();
        calls.push(tokio::spawn(async move {
            let r = a_store
                .write_or_refuse(move |c| {
                    let key = a_key.clone();
                    Box::pin(async move {
                        query::execute(
                            c,
                            "INSERT INTO tenants (id, name, is_sandbox, created_at) VALUES ($1, 'a', 0, 0)",
                            params![key],
                        )
                        .await?;
                        Err::<(), _>(Abort::Refused("after a partial write"))
                    })
                })
                .await;
            // Refused, or (PostgreSQL) beaten to the key by B: never committed.
            !matches!(r, Ok(Ok(())))
        }));
        let b_store = store.clone();
        calls.push(tokio::spawn(async move {
            insert_tenant(&b_store, key, "b").await.is_ok()
        }));
    }
    for c in calls {
        assert!(c.await.unwrap());
    }
    let names: Vec<String> = sqlx::query("SELECT name FROM tenants")
        .fetch_all(store.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names.len(), 40);
    assert!(names.iter().all(|n| n == "b"));
}
