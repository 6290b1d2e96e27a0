//! The query layer: parameters bind as the SQL types the schema uses (NULLs
//! typed too) and writes report the rows they affected. (A write replayed in
//! its batch binding the same values: tests/writer.rs.)

mod common;

use common::store;
use fundline_store::query::{self, TextRow};
use fundline_store::{params, Engine, Param, StoreError};

#[test]
fn values_become_text_or_bigint_params() {
    let text: Option<String> = None;
    assert_eq!(
        params![
            "a",
            String::from("b"),
            &String::from("c"),
            &text,
            None::<&str>,
            7i64,
            7i32,
            true,
            false,
            None::<i64>,
        ],
        vec![
            Param::Text(Some("a".into())),
            Param::Text(Some("b".into())),
            Param::Text(Some("c".into())),
            Param::Text(None),
            Param::Text(None),
            Param::Int(Some(7)),
            Param::Int(Some(7)),
            Param::Int(Some(1)),
            Param::Int(Some(0)),
            Param::Int(None),
        ]
    );
}

#[tokio::test]
async fn params_bind_as_their_sql_types_including_nulls() {
    let (store, _dir) = store().await;
    let (sql, expected) = match store.engine() {
        Engine::Sqlite => (
            "SELECT typeof($1), typeof($2), typeof($3), typeof($4), typeof($5)",
            ["text", "integer", "null", "null", "integer"],
        ),
        // PostgreSQL takes each parameter's type from what is bound: a NULL
        // keeps its column type.
        Engine::Postgres => (
            "SELECT pg_typeof($1)::text, pg_typeof($2)::text, pg_typeof($3)::text, pg_typeof($4)::text, \
             pg_typeof($5)::text",
            ["text", "bigint", "text", "bigint", "bigint"],
        ),
    };
    let row: TextRow = store
        .fetch_one(sql, params!["x", 5i64, None::<String>, None::<i64>, true])
        .await
        .unwrap();
    let types: Vec<String> = row.0.into_iter().map(Option::unwrap).collect();
    assert_eq!(types, expected);
}

#[tokio::test]
async fn a_typed_null_falls_back_in_coalesce_on_both_engines() {
    let (store, _dir) = store().await;
    let (text, int): (String, i64) = store
        .fetch_one(
            "SELECT COALESCE($1, 'fallback'), COALESCE($2, 7)",
            params![None::<String>, None::<i64>],
        )
        .await
        .unwrap();
    assert_eq!((text.as_str(), int), ("fallback", 7));
    let (text, int): (String, i64) = store
        .fetch_one(
            "SELECT COALESCE($1, 'fallback'), COALESCE($2, 7)",
            params!["given", 3i64],
        )
        .await
        .unwrap();
    assert_eq!((text.as_str(), int), ("given", 3));
}

async fn insert_tenant(
    store: &fundline_store::Store,
    id: &str,
    name: &str,
) -> Result<u64, StoreError> {
    store
        .execute(
            "INSERT INTO tenants (id, name, is_sandbox, created_at) VALUES ($1, $2, $3, 0)",
            params![id, name, false],
        )
        .await
}

#[tokio::test]
async fn execute_answers_the_rows_it_affected() {
    let (store, _dir) = store().await;
    for id in ["a", "b", "c"] {
        assert_eq!(insert_tenant(&store, id, "old").await.unwrap(), 1);
    }
    let sql = "UPDATE tenants SET name = $1 WHERE is_sandbox = $2 AND id <> $3";
    assert_eq!(
        store
            .execute(sql, params!["new", false, "a"])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store.execute(sql, params!["new", true, "a"]).await.unwrap(),
        0
    );
    let names: Vec<(String, String)> = store
        .fetch_all("SELECT id, name FROM tenants ORDER BY id", params![])
        .await
        .unwrap();
    let expected = [("a", "old"), ("b", "new"), ("c", "new")];
    assert_eq!(
        names,
        expected
            .map(|(i, n)| (i.to_string(), n.to_string()))
            .to_vec()
    );
}

#[tokio::test]
async fn a_write_closure_reads_and_writes_through_its_connection() {
    let (store, _dir) = store().await;
    let seen = store
        .write(|c| {
            Box::pin(async move {
                let n = query::execute(
                    c,
                    "INSERT INTO tenants (id, name, is_sandbox, created_at) VALUES ($1, $2, 0, 0)",
                    params!["w", "inside"],
                )
                .await?;
                let name: String =
                    query::fetch_scalar(c, "SELECT name FROM tenants WHERE id = $1", params!["w"])
                        .await?;
                let missing: Option<String> = query::fetch_optional_scalar(
                    c,
                    "SELECT name FROM tenants WHERE id = $1",
                    params!["nobody"],
                )
                .await?;
                let none = query::fetch_one::<(String,)>(
                    c,
                    "SELECT name FROM tenants WHERE id = $1",
                    params!["nobody"],
                )
                .await;
                Ok((
                    n,
                    name,
                    missing,
                    matches!(none, Err(StoreError::Db(sqlx::Error::RowNotFound))),
                ))
            })
        })
        .await
        .unwrap();
    assert_eq!(seen, (1, "inside".to_string(), None, true));
    assert!(store
        .exists("SELECT COUNT(*) FROM tenants WHERE id = $1", params!["w"])
        .await
        .unwrap());
}

#[tokio::test]
async fn fetch_page_counts_everything_and_lists_one_page() {
    let (store, _dir) = store().await;
    for i in 0..5 {
        insert_tenant(&store, &format!("p{i}"), "x").await.unwrap();
    }
    let (total, page): (i64, Vec<(String,)>) = store
        .fetch_page(
            "SELECT COUNT(*) FROM tenants WHERE name = $1",
            "SELECT id FROM tenants WHERE name = $1 ORDER BY id LIMIT $2 OFFSET $3",
            params!["x"],
            fundline_store::Page {
                number: 2,
                size: 2,
                descending: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(total, 5);
    assert_eq!(page, vec![("p2".to_string(),), ("p3".to_string(),)]);
}

#[tokio::test]
async fn a_parameter_binds_by_its_number_in_any_order_and_repeated() {
    // SQLite numbers named parameters by first appearance; `$2` before `$1`
    // and a repeated `$1` must still bind the second and first values.
    let (store, _dir) = store().await;
    let row: TextRow = store
        .fetch_one(
            "SELECT $2 || '-' || $1 || '-' || $2, CAST($3 + $3 AS TEXT)",
            params!["one", "two", 20i64],
        )
        .await
        .unwrap();
    assert_eq!(
        row.0,
        vec![Some("two-one-two".to_string()), Some("40".to_string())]
    );
    let n = store
        .write(|c| {
            Box::pin(async move {
                query::execute(
                    c,
                    "INSERT INTO tenants (id, name, is_sandbox, created_at) VALUES ($2, $1, 0, $3)",
                    params!["the name", "the-id", 5i64],
                )
                .await?;
                query::fetch_scalar::<String>(
                    c,
                    "SELECT name FROM tenants WHERE id = $1",
                    params!["the-id"],
                )
                .await
            })
        })
        .await
        .unwrap();
    assert_eq!(n, "the name");
}
