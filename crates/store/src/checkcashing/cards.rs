//! Customers' cards: sealed PANs, fingerprints, and the card data the partner sends.

#[allow(unused_imports)]
use super::*;

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// A card's own data, from `number_sealed` to `authorized_at`: the run the
/// insert and the update both bind, in that order.
fn bind_card_data<'q>(q: AnyQuery<'q>, card: &Card) -> AnyQuery<'q> {
    q.bind(card.number_sealed.clone())
        .bind(card.bin.clone())
        .bind(card.last4.clone())
        .bind(card.data_fp.clone())
        .bind(card.expiration_mmyy.clone())
        .bind(card.nickname.clone())
        .bind(card.name_on_card.clone())
        .bind(card.address_line1.clone())
        .bind(card.address_line2.clone())
        .bind(card.city.clone())
        .bind(card.state.clone())
        .bind(card.zip.clone())
        .bind(card.status.clone())
        .bind(card.decline_code.clone())
        .bind(card.program_name.clone())
        .bind(card.program_phone.clone())
        .bind(card.issuer_type)
        .bind(card.min_cents)
        .bind(card.max_cents)
        .bind(card.terms_id.clone())
        .bind(card.show_terms)
        .bind(card.authorized_at)
}

#[derive(Debug, Clone, FromRow)]
pub struct Card {
    pub id: String,
    pub tenant_id: String,
    pub customer_id: String,
    pub kind: String,
    pub number_fp: String,
    pub number_sealed: String,
    pub bin: String,
    pub last4: String,
    pub data_fp: String,
    pub expiration_mmyy: String,
    pub nickname: String,
    pub name_on_card: Option<String>,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub status: String,
    pub decline_code: Option<String>,
    pub program_name: String,
    pub program_phone: String,
    pub issuer_type: i64,
    pub min_cents: i64,
    pub max_cents: i64,
    pub terms_id: String,
    pub show_terms: i64,
    pub authorized_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

pub const CARD_VALID: &str = "valid";
pub const CARD_INVALID: &str = "invalid";

const CARD_COLUMNS: &str = "id, tenant_id, customer_id, kind, number_fp, number_sealed, bin, last4, data_fp, expiration_mmyy, \
     nickname, name_on_card, address_line1, address_line2, city, state, zip, status, decline_code, program_name, \
     program_phone, issuer_type, min_cents, max_cents, terms_id, show_terms, authorized_at, created_at, updated_at, deleted_at";

/// The customer's live card whose number fingerprint is one of
/// `number_fps` (one per live fingerprint key version).
pub async fn find_live_card(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
    kind: &str,
    number_fps: &[String],
) -> Result<Option<Card>, StoreError> {
    if number_fps.is_empty() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {CARD_COLUMNS} FROM cc_cards WHERE tenant_id = $1 AND customer_id = $2 AND kind = $3 AND number_fp IN ({}) \
         AND deleted_at IS NULL ORDER BY created_at, id",
        in_list(4, number_fps.len())
    );
    let mut q = sqlx::query_as::<_, Card>(&sql)
        .bind(tenant_id)
        .bind(customer_id)
        .bind(kind);
    for fp in number_fps {
        q = q.bind(fp);
    }
    Ok(q.fetch_optional(store.reader()).await?)
}

/// Live cards of a customer, oldest first; `valid_only` hides cards whose
/// last authorization failed.
pub async fn list_cards(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
    valid_only: bool,
) -> Result<Vec<Card>, StoreError> {
    Ok(sqlx::query_as::<_, Card>(&format!(
        "SELECT {CARD_COLUMNS} FROM cc_cards WHERE tenant_id = $1 AND customer_id = $2 AND deleted_at IS NULL \
         AND ($3 = 0 OR status = 'valid') ORDER BY created_at, id"
    ))
    .bind(tenant_id)
    .bind(customer_id)
    .bind(valid_only as i64)
    .fetch_all(store.reader())
    .await?)
}

/// A customer's live cards in one query: `None` when the customer does not
/// exist (for this tenant), else its cards, oldest first.
pub async fn customer_cards(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
    valid_only: bool,
) -> Result<Option<Vec<Card>>, StoreError> {
    let cols = CARD_COLUMNS
        .split(", ")
        .map(|c| format!("k.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(&format!(
        "SELECT c.id AS customer_found, {cols} FROM cc_customers c LEFT JOIN cc_cards k \
         ON k.tenant_id = c.tenant_id AND k.customer_id = c.id AND k.deleted_at IS NULL AND ($3 = 0 OR k.status = 'valid') \
         WHERE c.tenant_id = $1 AND c.id = $2 ORDER BY k.created_at, k.id"
    ))
    .bind(tenant_id)
    .bind(customer_id)
    .bind(valid_only as i64)
    .fetch_all(store.reader())
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut cards = Vec::with_capacity(rows.len());
    for row in rows {
        if row.try_get::<Option<String>, _>("id")?.is_some() {
            cards.push(Card::from_row(&row)?);
        }
    }
    Ok(Some(cards))
}

/// The cardholder's address on file and the live card with this number, in
/// one query (a card registration needs both): `None` when the customer
/// does not exist for this tenant.
pub async fn customer_and_live_card(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
    kind: &str,
    number_fps: &[String],
) -> Result<Option<(AddressOnFile, Option<Card>)>, StoreError> {
    let cols = CARD_COLUMNS
        .split(", ")
        .map(|c| format!("k.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    // One live fingerprint version or several (during a fingerprint key
    // rotation): the card is found under whichever its row carries.
    let fps = if number_fps.is_empty() {
        in_list(4, 1)
    } else {
        in_list(4, number_fps.len())
    };
    let sql = format!(
        "SELECT c.address_line1 AS on_file_line1, c.zip AS on_file_zip, {cols} FROM cc_customers c LEFT JOIN cc_cards k \
         ON k.tenant_id = c.tenant_id AND k.customer_id = c.id AND k.kind = $3 AND k.number_fp IN ({fps}) AND k.deleted_at IS NULL \
         WHERE c.tenant_id = $1 AND c.id = $2 ORDER BY k.created_at, k.id"
    );
    let mut q = sqlx::query(&sql)
        .bind(tenant_id)
        .bind(customer_id)
        .bind(kind);
    if number_fps.is_empty() {
        q = q.bind("");
    }
    for fp in number_fps {
        q = q.bind(fp);
    }
    let row = q.fetch_optional(store.reader()).await?;
    let Some(row) = row else { return Ok(None) };
    let address = AddressOnFile {
        line1: row.try_get("on_file_line1")?,
        zip: row.try_get("on_file_zip")?,
    };
    let card = match row.try_get::<Option<String>, _>("id")? {
        Some(_) => Some(Card::from_row(&row)?),
        None => None,
    };
    Ok(Some((address, card)))
}

#[derive(Debug, Clone)]
pub struct AddressOnFile {
    pub line1: String,
    pub zip: String,
}

pub async fn get_card(
    store: &Store,
    tenant_id: &str,
    card_id: &str,
) -> Result<Option<Card>, StoreError> {
    Ok(sqlx::query_as::<_, Card>(&format!(
        "SELECT {CARD_COLUMNS} FROM cc_cards WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(card_id)
    .fetch_optional(store.reader())
    .await?)
}

/// Inserts a new card, or — when `replace` names the live card it supersedes
/// — rewrites that card in place (same id). Guarded by the card's previous
/// data fingerprint so two concurrent updates cannot both win silently.
pub async fn save_card(
    store: &Store,
    card: Card,
    previous_data_fp: Option<String>,
) -> Result<bool, StoreError> {
    store
        .write(move |c| {
            let (card, previous_data_fp) = (card.clone(), previous_data_fp.clone());
            Box::pin(async move {
                match previous_data_fp {
                    None => {
                        let sql = format!(
                            "INSERT INTO cc_cards ({CARD_COLUMNS}) VALUES \
                             ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30)"
                        );
                        let q = sqlx::query(&sql)
                        .bind(card.id.clone())
                        .bind(card.tenant_id.clone())
                        .bind(card.customer_id.clone())
                        .bind(card.kind.clone())
                        .bind(card.number_fp.clone());
                        bind_card_data(q, &card)
                        .bind(card.created_at)
                        .bind(card.updated_at)
                        .bind(card.deleted_at)
                        .execute(&mut *c)
                        .await?;
                        Ok(true)
                    }
                    Some(prev) => {
                        let r = sqlx::query(
                            "UPDATE cc_cards SET number_sealed = $1, bin = $2, last4 = $3, data_fp = $4, expiration_mmyy = $5, \
                             nickname = $6, name_on_card = $7, address_line1 = $8, address_line2 = $9, city = $10, state = $11, \
                             zip = $12, status = $13, decline_code = $14, program_name = $15, program_phone = $16, issuer_type = $17, \
                             min_cents = $18, max_cents = $19, terms_id = $20, show_terms = $21, authorized_at = $22, updated_at = $23, \
                             number_fp = $27 WHERE id = $24 AND tenant_id = $25 AND data_fp = $26 AND deleted_at IS NULL",
                        );
                        let r = bind_card_data(r, &card)
                        .bind(card.updated_at)
                        .bind(card.id)
                        .bind(card.tenant_id)
                        .bind(prev)
                        .bind(card.number_fp)
                        .execute(&mut *c)
                        .await?;
                        Ok(r.rows_affected() == 1)
                    }
                }
            })
        })
        .await
}

/// Soft-deletes a live card; a card added again later gets a new id.
pub async fn delete_card(
    store: &Store,
    tenant_id: String,
    customer_id: String,
    card_id: String,
    now: i64,
) -> Result<bool, StoreError> {
    store
        .write(move |c| {
            let (tenant_id, customer_id, card_id) = (tenant_id.clone(), customer_id.clone(), card_id.clone());
            Box::pin(async move {
                let r = sqlx::query(
                    "UPDATE cc_cards SET deleted_at = $1, updated_at = $1 WHERE tenant_id = $2 AND customer_id = $3 AND id = $4 AND deleted_at IS NULL",
                )
                .bind(now)
                .bind(tenant_id)
                .bind(customer_id)
                .bind(card_id)
                .execute(&mut *c)
                .await?;
                Ok(r.rows_affected() == 1)
            })
        })
        .await
}
