//! Customer and session attributes (name/value pairs).

#[allow(unused_imports)]
use super::*;

pub async fn upsert_attributes(
    store: &Store,
    tenant_id: String,
    customer_id: String,
    attributes: Vec<(String, String)>,
    now: i64,
) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let (tenant_id, customer_id, attributes) = (tenant_id.clone(), customer_id.clone(), attributes.clone());
            Box::pin(async move {
                for (name, value) in attributes {
                    query::execute(
                        c,
                        "INSERT INTO cc_customer_attributes (tenant_id, customer_id, name, value, updated_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (tenant_id, customer_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                        params![&tenant_id, &customer_id, name, value, now],
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .await
}

pub async fn get_attributes(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    store
        .fetch_all(
            "SELECT name, value FROM cc_customer_attributes WHERE tenant_id = $1 AND customer_id = $2 ORDER BY name",
            params![tenant_id, customer_id],
        )
        .await
}
