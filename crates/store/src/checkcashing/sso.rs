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
        .execute(
            "INSERT INTO cc_sso_tokens (token_hash, tenant_id, customer_id, created_at, expires_at, consumed_at, preferred_email, card_filter) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            params![
                t.token_hash, t.tenant_id, t.customer_id, t.created_at, t.expires_at, t.consumed_at, t.preferred_email,
                t.card_filter,
            ],
        )
        .await?;
    Ok(())
}

pub async fn get_sso_token(
    store: &Store,
    tenant_id: &str,
    token_hash: &str,
) -> Result<Option<SsoToken>, StoreError> {
    store
        .fetch_optional(
            "SELECT token_hash, tenant_id, customer_id, created_at, expires_at, consumed_at, preferred_email, card_filter \
             FROM cc_sso_tokens WHERE tenant_id = $1 AND token_hash = $2",
            params![tenant_id, token_hash],
        )
        .await
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
    let n = store
        .execute(
            "UPDATE cc_sso_tokens SET preferred_email = COALESCE($1, preferred_email), card_filter = COALESCE($2, card_filter) \
             WHERE tenant_id = $3 AND token_hash = $4 AND consumed_at IS NULL AND expires_at > $5",
            params![preferred_email, card_filter, tenant_id, token_hash, now],
        )
        .await?;
    Ok(n == 1)
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
    let cards = filter_cards(cards, t.card_filter.as_deref());
    Ok(Some((t, cards)))
}

/// The cards an SSO session's card filter (card ids, comma-separated)
/// allows; all of them without a filter.
pub fn filter_cards(cards: Vec<Card>, filter: Option<&str>) -> Vec<Card> {
    match filter {
        None => cards,
        Some(f) => {
            let allowed: Vec<&str> = f.split(',').collect();
            cards
                .into_iter()
                .filter(|c| allowed.contains(&c.id.as_str()))
                .collect()
        }
    }
}
