//! Customers' cards: sealed PANs, fingerprints, and the card data the partner sends.

#[allow(unused_imports)]
use super::*;

/// A card's own data, from `number_sealed` to `authorized_at`: the run the
/// insert and the update both bind, in that order.
fn card_data(card: &Card) -> Params {
    params![
        &card.number_sealed,
        &card.bin,
        &card.last4,
        &card.data_fp,
        &card.expiration_mmyy,
        &card.nickname,
        &card.name_on_card,
        &card.address_line1,
        &card.address_line2,
        &card.city,
        &card.state,
        &card.zip,
        &card.status,
        &card.decline_code,
        &card.program_name,
        &card.program_phone,
        card.issuer_type,
        card.min_cents,
        card.max_cents,
        &card.terms_id,
        card.show_terms,
        card.authorized_at,
    ]
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

const CARDS: Table<Card> = Table::new("cc_cards", CARD_COLUMNS);

/// The customer's live card whose number fingerprint is one of
/// `number_fps` (one per live fingerprint key version).
pub async fn find_live_card(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
    kind: &str,
    number_fps: &[String],
) -> Result<Option<Card>, StoreError> {
    let live = "tenant_id = $1 AND customer_id = $2 AND kind = $3 AND deleted_at IS NULL";
    let params = params![tenant_id, customer_id, kind];
    CARDS
        .find_by_fingerprint(
            store,
            (live, params),
            "number_fp",
            number_fps,
            "created_at, id",
        )
        .await
}

/// Live cards of a customer, oldest first; `valid_only` hides cards whose
/// last authorization failed.
pub async fn list_cards(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
    valid_only: bool,
) -> Result<Vec<Card>, StoreError> {
    let sql = format!(
        "SELECT {CARD_COLUMNS} FROM cc_cards WHERE tenant_id = $1 AND customer_id = $2 AND deleted_at IS NULL \
         AND ($3 = 0 OR status = 'valid') ORDER BY created_at, id"
    );
    store
        .fetch_all(&sql, params![tenant_id, customer_id, valid_only])
        .await
}

/// A customer's live cards in one query: `None` when the customer does not
/// exist (for this tenant), else its cards, oldest first.
pub async fn customer_cards(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
    valid_only: bool,
) -> Result<Option<Vec<Card>>, StoreError> {
    let cols = joined_card_columns();
    let rows: Vec<JoinedCard> = store.fetch_all(&format!(
        "SELECT c.id AS customer_found, {cols} FROM cc_customers c LEFT JOIN cc_cards k \
         ON k.tenant_id = c.tenant_id AND k.customer_id = c.id AND k.deleted_at IS NULL AND ($3 = 0 OR k.status = 'valid') \
         WHERE c.tenant_id = $1 AND c.id = $2 ORDER BY k.created_at, k.id"
    ), params![tenant_id, customer_id, valid_only])
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(rows.into_iter().filter_map(|r| r.0).collect()))
}

/// A card's columns as `k.col, …`, for a customer row LEFT JOINed to its cards.
fn joined_card_columns() -> String {
    CARD_COLUMNS
        .split(", ")
        .map(|c| format!("k.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A customer row LEFT JOINed to a card: the card, if the join found one.
struct JoinedCard(Option<Card>);

impl<'r> FromRow<'r, sqlx::any::AnyRow> for JoinedCard {
    fn from_row(row: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        Ok(JoinedCard(
            match row.try_get::<Option<String>, _>("id")? {
                Some(_) => Some(Card::from_row(row)?),
                None => None,
            },
        ))
    }
}

/// The cardholder's address on file (`on_file_*` columns) and a joined card.
struct OnFileAndCard(AddressOnFile, Option<Card>);

impl<'r> FromRow<'r, sqlx::any::AnyRow> for OnFileAndCard {
    fn from_row(row: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        let address = AddressOnFile {
            line1: row.try_get("on_file_line1")?,
            zip: row.try_get("on_file_zip")?,
        };
        Ok(OnFileAndCard(address, JoinedCard::from_row(row)?.0))
    }
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
    let cols = joined_card_columns();
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
    let mut params = params![tenant_id, customer_id, kind];
    if number_fps.is_empty() {
        params.push(Param::from(""));
    }
    params.extend(number_fps.iter().map(Param::from));
    let row: Option<OnFileAndCard> = store.fetch_optional(&sql, params).await?;
    Ok(row.map(|OnFileAndCard(address, card)| (address, card)))
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
    let sql = format!("SELECT {CARD_COLUMNS} FROM cc_cards WHERE tenant_id = $1 AND id = $2");
    store
        .fetch_optional(&sql, params![tenant_id, card_id])
        .await
}

/// Inserts a new card, or — when `replace` names the live card it supersedes
/// — rewrites that card in place (same id). Guarded by the card's previous
/// data fingerprint so two concurrent updates cannot both win silently.
pub async fn save_card(
    store: &Store,
    card: Card,
    previous_data_fp: Option<String>,
) -> Result<bool, StoreError> {
    let n = match previous_data_fp {
        None => {
            let sql = format!(
                "INSERT INTO cc_cards ({CARD_COLUMNS}) VALUES \
                 ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30)"
            );
            let identity = params![
                &card.id,
                &card.tenant_id,
                &card.customer_id,
                &card.kind,
                &card.number_fp
            ];
            let times = params![card.created_at, card.updated_at, card.deleted_at];
            store
                .execute(&sql, [identity, card_data(&card), times].concat())
                .await?;
            1
        }
        Some(prev) => {
            let guard = params![
                card.updated_at,
                &card.id,
                &card.tenant_id,
                prev,
                &card.number_fp
            ];
            store
                .execute(
                    "UPDATE cc_cards SET number_sealed = $1, bin = $2, last4 = $3, data_fp = $4, expiration_mmyy = $5, \
                     nickname = $6, name_on_card = $7, address_line1 = $8, address_line2 = $9, city = $10, state = $11, \
                     zip = $12, status = $13, decline_code = $14, program_name = $15, program_phone = $16, issuer_type = $17, \
                     min_cents = $18, max_cents = $19, terms_id = $20, show_terms = $21, authorized_at = $22, updated_at = $23, \
                     number_fp = $27 WHERE id = $24 AND tenant_id = $25 AND data_fp = $26 AND deleted_at IS NULL",
                    [card_data(&card), guard].concat(),
                )
                .await?
        }
    };
    Ok(n == 1)
}

/// Soft-deletes a live card; a card added again later gets a new id.
pub async fn delete_card(
    store: &Store,
    tenant_id: String,
    customer_id: String,
    card_id: String,
    now: i64,
) -> Result<bool, StoreError> {
    let n = store
        .execute(
            "UPDATE cc_cards SET deleted_at = $1, updated_at = $1 WHERE tenant_id = $2 AND customer_id = $3 AND id = $4 AND deleted_at IS NULL",
            params![now, tenant_id, customer_id, card_id],
        )
        .await?;
    Ok(n == 1)
}
