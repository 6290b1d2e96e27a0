//! Repository of the check cashing partner API: partner sessions, customers,
//! cards, customer attributes, SSO tokens and check transactions.
//! Every query filters by tenant.

use sqlx::{AnyConnection, FromRow, Row};

use crate::fingerprints::in_list;
use crate::{Store, StoreError};

// ---------- partner sessions ----------

#[derive(Debug, Clone, FromRow)]
pub struct PartnerSession {
    pub tenant_id: String,
    pub device_hash: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn insert_partner_session(
    store: &Store,
    id_hash: String,
    tenant_id: String,
    device_hash: String,
    now: i64,
) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let (id_hash, tenant_id, device_hash) = (id_hash.clone(), tenant_id.clone(), device_hash.clone());
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO cc_partner_sessions (id_hash, tenant_id, device_hash, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(id_hash)
                .bind(tenant_id)
                .bind(device_hash)
                .bind(now)
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
}

pub async fn get_partner_session(
    store: &Store,
    id_hash: &str,
) -> Result<Option<PartnerSession>, StoreError> {
    Ok(sqlx::query_as::<_, PartnerSession>(
        "SELECT tenant_id, device_hash, created_at, last_seen_at FROM cc_partner_sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(store.reader())
    .await?)
}

/// Records activity; never moves last_seen backwards (nodes race harmlessly).
pub async fn touch_partner_session(
    store: &Store,
    id_hash: String,
    now: i64,
) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let id_hash = id_hash.clone();
            Box::pin(async move {
                sqlx::query("UPDATE cc_partner_sessions SET last_seen_at = $1 WHERE id_hash = $2 AND last_seen_at < $1")
                    .bind(now)
                    .bind(id_hash)
                    .execute(&mut *c)
                    .await?;
                Ok(())
            })
        })
        .await
}

/// Removes sessions idle since `idle_before` or created before `created_before`.
pub async fn prune_partner_sessions(
    store: &Store,
    idle_before: i64,
    created_before: i64,
) -> Result<u64, StoreError> {
    store
        .write(move |c| {
            Box::pin(async move {
                let r = sqlx::query(
                    "DELETE FROM cc_partner_sessions WHERE last_seen_at < $1 OR created_at < $2",
                )
                .bind(idle_before)
                .bind(created_before)
                .execute(&mut *c)
                .await?;
                Ok(r.rows_affected())
            })
        })
        .await
}

// ---------- customers ----------

#[derive(Debug, Clone, FromRow)]
pub struct Customer {
    pub id: String,
    pub tenant_id: String,
    pub ssn_fp: String,
    pub ssn_sealed: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub middle_initial: Option<String>,
    pub title: Option<String>,
    pub suffix: Option<String>,
    pub mobile_number: String,
    pub home_number: Option<String>,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub date_of_birth: String,
    pub country_of_origin: Option<String>,
    pub gender: Option<String>,
    pub allow_texts: i64,
    pub referrer_code: Option<String>,
    pub created_at: i64,
}

const CUSTOMER_COLUMNS: &str = "id, tenant_id, ssn_fp, ssn_sealed, email, first_name, last_name, middle_initial, title, suffix, \
     mobile_number, home_number, address_line1, address_line2, city, state, zip, date_of_birth, country_of_origin, \
     gender, allow_texts, referrer_code, created_at";

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

/// What enrolling a customer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewCustomer {
    Created,
    /// The partner has a customer with this SSN (`cc_customers_ssn` decides).
    SsnTaken,
    /// The partner has a customer with this email (`cc_customers_email` decides).
    EmailTaken,
}

pub async fn insert_customer(store: &Store, c: Customer) -> Result<NewCustomer, StoreError> {
    let inserted = store
        .write(move |conn| {
            let c = c.clone();
            Box::pin(async move {
                sqlx::query(&format!(
                    "INSERT INTO cc_customers ({CUSTOMER_COLUMNS}) VALUES \
                     ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)"
                ))
                .bind(c.id)
                .bind(c.tenant_id)
                .bind(c.ssn_fp)
                .bind(c.ssn_sealed)
                .bind(c.email)
                .bind(c.first_name)
                .bind(c.last_name)
                .bind(c.middle_initial)
                .bind(c.title)
                .bind(c.suffix)
                .bind(c.mobile_number)
                .bind(c.home_number)
                .bind(c.address_line1)
                .bind(c.address_line2)
                .bind(c.city)
                .bind(c.state)
                .bind(c.zip)
                .bind(c.date_of_birth)
                .bind(c.country_of_origin)
                .bind(c.gender)
                .bind(c.allow_texts)
                .bind(c.referrer_code)
                .bind(c.created_at)
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .await;
    match inserted {
        Ok(()) => Ok(NewCustomer::Created),
        Err(e) if e.is_unique("cc_customers_ssn") => Ok(NewCustomer::SsnTaken),
        Err(e) if e.is_unique("cc_customers_email") => Ok(NewCustomer::EmailTaken),
        Err(e) => Err(e),
    }
}

/// The customer whose SSN fingerprint is one of `ssn_fps` (one per live
/// fingerprint key version).
pub async fn find_customer_by_ssn(
    store: &Store,
    tenant_id: &str,
    ssn_fps: &[String],
) -> Result<Option<Customer>, StoreError> {
    if ssn_fps.is_empty() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS} FROM cc_customers WHERE tenant_id = $1 AND ssn_fp IN ({}) ORDER BY created_at, id",
        in_list(2, ssn_fps.len())
    );
    let mut q = sqlx::query_as::<_, Customer>(&sql).bind(tenant_id);
    for fp in ssn_fps {
        q = q.bind(fp);
    }
    Ok(q.fetch_optional(store.reader()).await?)
}

pub async fn get_customer(
    store: &Store,
    tenant_id: &str,
    id: &str,
) -> Result<Option<Customer>, StoreError> {
    Ok(sqlx::query_as::<_, Customer>(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM cc_customers WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(store.reader())
    .await?)
}

// ---------- cards ----------

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

// ---------- customer attributes ----------

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
                    sqlx::query(
                        "INSERT INTO cc_customer_attributes (tenant_id, customer_id, name, value, updated_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (tenant_id, customer_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    )
                    .bind(&tenant_id)
                    .bind(&customer_id)
                    .bind(name)
                    .bind(value)
                    .bind(now)
                    .execute(&mut *c)
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
    let rows = sqlx::query(
        "SELECT name, value FROM cc_customer_attributes WHERE tenant_id = $1 AND customer_id = $2 ORDER BY name",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(store.reader())
    .await?;
    Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
}

// ---------- SSO tokens ----------

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

// ---------- transactions ----------

#[derive(Debug, Clone, FromRow)]
pub struct Transaction {
    pub id: String,
    pub tenant_id: String,
    pub customer_id: String,
    pub card_id: String,
    pub created_at: i64,
    pub status_code: i64,
    pub status_message: String,
    pub state: i64,
    pub amount_cents: i64,
    pub fee_cents: i64,
    pub processing_status: i64,
    pub classification_status: i64,
    pub decline_reason_code: i64,
    pub decline_reason_message: String,
    pub pickup_location_id: i64,
    pub mobile_transaction_type_id: i64,
    pub ocr_amount_cents: i64,
    pub user_entered_amount_cents: i64,
    pub submitted_for_classification_on: Option<i64>,
    pub finished_classification_on: Option<i64>,
    pub submitted_for_approval_on: Option<i64>,
    pub finished_approval_on: Option<i64>,
    pub load_status: i64,
    pub expected_load_date: Option<i64>,
    pub actual_load_date: Option<i64>,
    pub load_amount_cents: i64,
    pub destination_display_name: String,
    pub updated_at: i64,
}

const TX_COLUMNS: &str = "id, tenant_id, customer_id, card_id, created_at, status_code, status_message, state, amount_cents, \
     fee_cents, processing_status, classification_status, decline_reason_code, decline_reason_message, pickup_location_id, \
     mobile_transaction_type_id, ocr_amount_cents, user_entered_amount_cents, submitted_for_classification_on, \
     finished_classification_on, submitted_for_approval_on, finished_approval_on, load_status, expected_load_date, \
     actual_load_date, load_amount_cents, destination_display_name, updated_at";

pub async fn insert_transaction_on(
    conn: &mut AnyConnection,
    t: &Transaction,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO cc_transactions ({TX_COLUMNS}) VALUES \
         ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28)"
    ))
    .bind(&t.id)
    .bind(&t.tenant_id)
    .bind(&t.customer_id)
    .bind(&t.card_id)
    .bind(t.created_at)
    .bind(t.status_code)
    .bind(&t.status_message)
    .bind(t.state)
    .bind(t.amount_cents)
    .bind(t.fee_cents)
    .bind(t.processing_status)
    .bind(t.classification_status)
    .bind(t.decline_reason_code)
    .bind(&t.decline_reason_message)
    .bind(t.pickup_location_id)
    .bind(t.mobile_transaction_type_id)
    .bind(t.ocr_amount_cents)
    .bind(t.user_entered_amount_cents)
    .bind(t.submitted_for_classification_on)
    .bind(t.finished_classification_on)
    .bind(t.submitted_for_approval_on)
    .bind(t.finished_approval_on)
    .bind(t.load_status)
    .bind(t.expected_load_date)
    .bind(t.actual_load_date)
    .bind(t.load_amount_cents)
    .bind(&t.destination_display_name)
    .bind(t.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get_transaction(
    store: &Store,
    tenant_id: &str,
    id: &str,
) -> Result<Option<Transaction>, StoreError> {
    Ok(sqlx::query_as::<_, Transaction>(&format!(
        "SELECT {TX_COLUMNS} FROM cc_transactions WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(store.reader())
    .await?)
}

/// Rewrites a transaction's progress fields (everything but its identity).
pub async fn update_transaction_on(
    conn: &mut AnyConnection,
    t: &Transaction,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE cc_transactions SET status_code = $1, status_message = $2, state = $3, fee_cents = $4, processing_status = $5, \
         classification_status = $6, decline_reason_code = $7, decline_reason_message = $8, mobile_transaction_type_id = $9, \
         ocr_amount_cents = $10, submitted_for_classification_on = $11, finished_classification_on = $12, \
         submitted_for_approval_on = $13, finished_approval_on = $14, load_status = $15, expected_load_date = $16, \
         actual_load_date = $17, load_amount_cents = $18, updated_at = $19 WHERE id = $20",
    )
    .bind(t.status_code)
    .bind(&t.status_message)
    .bind(t.state)
    .bind(t.fee_cents)
    .bind(t.processing_status)
    .bind(t.classification_status)
    .bind(t.decline_reason_code)
    .bind(&t.decline_reason_message)
    .bind(t.mobile_transaction_type_id)
    .bind(t.ocr_amount_cents)
    .bind(t.submitted_for_classification_on)
    .bind(t.finished_classification_on)
    .bind(t.submitted_for_approval_on)
    .bind(t.finished_approval_on)
    .bind(t.load_status)
    .bind(t.expected_load_date)
    .bind(t.actual_load_date)
    .bind(t.load_amount_cents)
    .bind(t.updated_at)
    .bind(&t.id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn insert_transaction(store: &Store, t: Transaction) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let t = t.clone();
            Box::pin(async move { insert_transaction_on(c, &t).await })
        })
        .await
}

/// A history row with the card's display fields.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub tx: Transaction,
    pub card_last4: String,
    pub card_nickname: String,
}

pub struct HistoryPage {
    pub rows: Vec<HistoryRow>,
    pub total: i64,
}

/// Where a history page starts.
pub enum PageStart<'a> {
    Newest,
    /// This transaction, then older ones.
    At(&'a str),
}

/// The customer's transactions, newest first (created_at, then id, both
/// descending), optionally for one card. `None` when the page start names a
/// transaction this customer (and card filter) does not have.
pub async fn transaction_history(
    store: &Store,
    tenant_id: &str,
    customer_id: &str,
    card_id: Option<&str>,
    start: PageStart<'_>,
    limit: i64,
) -> Result<Option<HistoryPage>, StoreError> {
    let card = card_id.unwrap_or("");
    let total: i64 = sqlx::query(
        "SELECT COUNT(*) FROM cc_transactions WHERE tenant_id = $1 AND customer_id = $2 AND ($3 = '' OR card_id = $3)",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .bind(card)
    .fetch_one(store.reader())
    .await?
    .get(0);
    let (from_at, from_id) = match start {
        PageStart::Newest => (i64::MAX, String::new()),
        PageStart::At(id) => {
            let row = sqlx::query(
                "SELECT created_at, id FROM cc_transactions WHERE tenant_id = $1 AND customer_id = $2 AND ($3 = '' OR card_id = $3) AND id = $4",
            )
            .bind(tenant_id)
            .bind(customer_id)
            .bind(card)
            .bind(id)
            .fetch_optional(store.reader())
            .await?;
            match row {
                Some(r) => (r.get(0), r.get(1)),
                None => return Ok(None),
            }
        }
    };
    let cols = TX_COLUMNS
        .split(", ")
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(&format!(
        "SELECT {cols}, k.last4, k.nickname FROM cc_transactions t JOIN cc_cards k ON k.id = t.card_id \
         WHERE t.tenant_id = $1 AND t.customer_id = $2 AND ($3 = '' OR t.card_id = $3) \
         AND (t.created_at < $4 OR (t.created_at = $4 AND ($5 = '' OR t.id <= $5))) \
         ORDER BY t.created_at DESC, t.id DESC LIMIT $6"
    ))
    .bind(tenant_id)
    .bind(customer_id)
    .bind(card)
    .bind(from_at)
    .bind(from_id)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let tx = Transaction::from_row(&r)?;
        out.push(HistoryRow {
            tx,
            card_last4: r.try_get("last4")?,
            card_nickname: r.try_get("nickname")?,
        });
    }
    Ok(Some(HistoryPage { rows: out, total }))
}
