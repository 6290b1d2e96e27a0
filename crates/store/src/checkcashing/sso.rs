//! Single sign-on tokens for the customer page.

#[allow(unused_imports)]
use super::*;

#[derive(Debug, Clone, FromRow)]
pub struct SsoToken {
    pub token_hash: String,
    pub tenant_id: String,
    pub customer_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
    pub preferred_email: Option<String>,
    pub card_filter: Option<String>,
}

pub async fn insert_sso_token(store: &Store, t: SsoToken) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let t = t.clone();
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO cc_sso_tokens (token_hash, tenant_id, customer_id, created_at, expires_at, consumed_at, preferred_email, card_filter) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(t.token_hash)
                .bind(t.tenant_id)
                .bind(t.customer_id)
                .bind(t.created_at)
                .bind(t.expires_at)
                .bind(t.consumed_at)
                .bind(t.preferred_email)
                .bind(t.card_filter)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
}

pub async fn get_sso_token(
    store: &Store,
    tenant_id: &str,
    token_hash: &str,
) -> Result<Option<SsoToken>, StoreError> {
    Ok(sqlx::query_as::<_, SsoToken>(
        "SELECT token_hash, tenant_id, customer_id, created_at, expires_at, consumed_at, preferred_email, card_filter \
         FROM cc_sso_tokens WHERE tenant_id = $1 AND token_hash = $2",
    )
    .bind(tenant_id)
    .bind(token_hash)
    .fetch_optional(store.reader())
    .await?)
}

/// Sets the SSO session's attributes, only while the token is live.
pub async fn set_sso_attributes(
    store: &Store,
    tenant_id: String,
    token_hash: String,
    preferred_email: Option<String>,
    card_filter: Option<String>,
    now: i64,
) -> Result<bool, StoreError> {
    store
        .write(move |c| {
            let (preferred_email, card_filter, tenant_id, token_hash) = (preferred_email.clone(), card_filter.clone(), tenant_id.clone(), token_hash.clone());
            Box::pin(async move {
                let r = sqlx::query(
                    "UPDATE cc_sso_tokens SET preferred_email = COALESCE($1, preferred_email), card_filter = COALESCE($2, card_filter) \
                     WHERE tenant_id = $3 AND token_hash = $4 AND consumed_at IS NULL AND expires_at > $5",
                )
                .bind(preferred_email)
                .bind(card_filter)
                .bind(tenant_id)
                .bind(token_hash)
                .bind(now)
                .execute(&mut *c)
                .await?;
                Ok(r.rows_affected() == 1)
            })
        })
        .await
}

/// A live SSO session and the cards it may use: the customer's valid cards,
/// narrowed by its AccountIdFilter / AccountNumberFilter. `None` when the
/// token is unknown, expired or consumed.
pub async fn sso_session_cards(
    store: &Store,
    tenant_id: &str,
    token_hash: &str,
    now: i64,
) -> Result<Option<(SsoToken, Vec<Card>)>, StoreError> {
    let Some(t) = get_sso_token(store, tenant_id, token_hash).await? else {
        return Ok(None);
    };
    if t.consumed_at.is_some() || t.expires_at <= now {
        return Ok(None);
    }
    let cards = list_cards(store, tenant_id, &t.customer_id, true).await?;
    let cards = match &t.card_filter {
        None => cards,
        Some(f) => {
            let allowed: Vec<&str> = f.split(',').collect();
            cards
                .into_iter()
                .filter(|c| allowed.contains(&c.id.as_str()))
                .collect()
        }
    };
    Ok(Some((t, cards)))
}
