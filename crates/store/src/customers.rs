//! Bank-analysis customers (spec 004). Sensitive columns arrive sealed by the
//! caller; this module only stores and finds rows.

use sqlx::{FromRow, Row};

use crate::{like_escape, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct Customer {
    pub id: String,
    pub tenant_id: String,
    pub customer_type: i64,
    pub user_name: String,
    pub password_hash: String,
    pub company_name: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub phone_type: Option<String>,
    pub phone_number: String,
    pub email: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub country_code: Option<String>,
    pub employer: Option<String>,
    pub occupation: Option<String>,
    pub monthly_income: Option<String>,
    pub pay_frequency: Option<String>,
    pub drivers_license_sealed: Option<String>,
    pub drivers_license_last4: Option<String>,
    pub ssn_sealed: String,
    pub ssn_last4: String,
    pub dob: String,
    pub bank_name: Option<String>,
    pub bank_acc_sealed: Option<String>,
    pub bank_acc_last4: Option<String>,
    pub routing_no: Option<String>,
    pub ein: Option<String>,
    pub employer_name: Option<String>,
    pub search_text: String,
    pub is_active: i64,
    pub created_at: i64,
    pub updated_at: Option<i64>,
}

const COLUMNS: &str = "id, tenant_id, customer_type, user_name, password_hash, company_name, first_name, last_name, \
    phone_type, phone_number, email, address_line1, address_line2, city, state, postal_code, country, country_code, \
    employer, occupation, monthly_income, pay_frequency, drivers_license_sealed, drivers_license_last4, ssn_sealed, \
    ssn_last4, dob, bank_name, bank_acc_sealed, bank_acc_last4, routing_no, ein, employer_name, search_text, \
    is_active, created_at, updated_at";

impl Customer {
    /// What nameQuery searches: names, company and email, lower-cased.
    pub fn search_text_of(&self) -> String {
        format!(
            "{} {} {} {}",
            self.first_name,
            self.last_name,
            self.company_name.as_deref().unwrap_or(""),
            self.email
        )
        .to_lowercase()
    }
}

pub async fn insert(store: &Store, c: Customer) -> Result<(), StoreError> {
    store
        .write(move |conn| {
            let c = c.clone();
            Box::pin(async move {
                insert_in(conn, &c).await?;
                Ok(())
            })
        })
        .await
}

/// Inserts within a caller's transaction (a customer created with its first
/// report request is one write).
pub async fn insert_in(conn: &mut sqlx::AnyConnection, c: &Customer) -> Result<(), StoreError> {
    let placeholders = (1..=37)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!(
        "INSERT INTO ba_customers ({COLUMNS}) VALUES ({placeholders})"
    ))
    .bind(&c.id)
    .bind(&c.tenant_id)
    .bind(c.customer_type)
    .bind(&c.user_name)
    .bind(&c.password_hash)
    .bind(&c.company_name)
    .bind(&c.first_name)
    .bind(&c.last_name)
    .bind(&c.phone_type)
    .bind(&c.phone_number)
    .bind(&c.email)
    .bind(&c.address_line1)
    .bind(&c.address_line2)
    .bind(&c.city)
    .bind(&c.state)
    .bind(&c.postal_code)
    .bind(&c.country)
    .bind(&c.country_code)
    .bind(&c.employer)
    .bind(&c.occupation)
    .bind(&c.monthly_income)
    .bind(&c.pay_frequency)
    .bind(&c.drivers_license_sealed)
    .bind(&c.drivers_license_last4)
    .bind(&c.ssn_sealed)
    .bind(&c.ssn_last4)
    .bind(&c.dob)
    .bind(&c.bank_name)
    .bind(&c.bank_acc_sealed)
    .bind(&c.bank_acc_last4)
    .bind(&c.routing_no)
    .bind(&c.ein)
    .bind(&c.employer_name)
    .bind(&c.search_text)
    .bind(c.is_active)
    .bind(c.created_at)
    .bind(c.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(store: &Store, tenant_id: &str, id: &str) -> Result<Option<Customer>, StoreError> {
    Ok(sqlx::query_as::<_, Customer>(&format!(
        "SELECT {COLUMNS} FROM ba_customers WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(store.reader())
    .await?)
}

/// Replaces the whole row (the handlers read, change the fields their
/// endpoint owns, and write back). `Ok(false)`: no such customer.
pub async fn replace(store: &Store, c: Customer) -> Result<bool, StoreError> {
    store
        .write(move |conn| {
            let c = c.clone();
            Box::pin(async move {
                let r = sqlx::query(
                    "UPDATE ba_customers SET customer_type = $1, company_name = $2, first_name = $3, last_name = $4, \
                     phone_number = $5, email = $6, address_line1 = $7, address_line2 = $8, city = $9, state = $10, \
                     postal_code = $11, country = $12, drivers_license_sealed = $13, drivers_license_last4 = $14, \
                     ssn_sealed = $15, ssn_last4 = $16, dob = $17, bank_name = $18, bank_acc_sealed = $19, \
                     bank_acc_last4 = $20, routing_no = $21, ein = $22, employer_name = $23, pay_frequency = $24, \
                     search_text = $25, updated_at = $26 WHERE tenant_id = $27 AND id = $28",
                )
                .bind(c.customer_type)
                .bind(&c.company_name)
                .bind(&c.first_name)
                .bind(&c.last_name)
                .bind(&c.phone_number)
                .bind(&c.email)
                .bind(&c.address_line1)
                .bind(&c.address_line2)
                .bind(&c.city)
                .bind(&c.state)
                .bind(&c.postal_code)
                .bind(&c.country)
                .bind(&c.drivers_license_sealed)
                .bind(&c.drivers_license_last4)
                .bind(&c.ssn_sealed)
                .bind(&c.ssn_last4)
                .bind(&c.dob)
                .bind(&c.bank_name)
                .bind(&c.bank_acc_sealed)
                .bind(&c.bank_acc_last4)
                .bind(&c.routing_no)
                .bind(&c.ein)
                .bind(&c.employer_name)
                .bind(&c.pay_frequency)
                .bind(&c.search_text)
                .bind(c.updated_at)
                .bind(&c.tenant_id)
                .bind(&c.id)
                .execute(&mut *conn)
                .await?;
                Ok(r.rows_affected() == 1)
            })
        })
        .await
}

#[derive(Debug, Clone, Copy, Default)]
pub enum CustomerOrder {
    #[default]
    CreatedDate,
    FirstName,
    LastName,
    Email,
}

#[derive(Debug, Clone, Default)]
pub struct CustomerQuery {
    pub name_query: Option<String>,
    pub customer_type: Option<i64>,
    pub order_by: CustomerOrder,
    pub descending: bool,
    pub page_number: i64,
    pub page_size: i64,
}

/// (total, page)
pub async fn list(
    store: &Store,
    tenant_id: &str,
    q: &CustomerQuery,
) -> Result<(i64, Vec<Customer>), StoreError> {
    let pattern = format!(
        "%{}%",
        like_escape(&q.name_query.clone().unwrap_or_default().to_lowercase())
    );
    let filter =
        "tenant_id = $1 AND search_text LIKE $2 ESCAPE '\\' AND ($3 = 0 OR customer_type = $3)";
    let col = match q.order_by {
        CustomerOrder::CreatedDate => "created_at",
        CustomerOrder::FirstName => "first_name",
        CustomerOrder::LastName => "last_name",
        CustomerOrder::Email => "email",
    };
    let dir = if q.descending { "DESC" } else { "ASC" };
    let kind = q.customer_type.unwrap_or(0);
    let total: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM ba_customers WHERE {filter}"))
        .bind(tenant_id)
        .bind(&pattern)
        .bind(kind)
        .fetch_one(store.reader())
        .await?
        .get(0);
    let rows = sqlx::query_as::<_, Customer>(&format!(
        "SELECT {COLUMNS} FROM ba_customers WHERE {filter} ORDER BY {col} {dir}, id {dir} LIMIT $4 OFFSET $5"
    ))
    .bind(tenant_id)
    .bind(&pattern)
    .bind(kind)
    .bind(q.page_size)
    .bind((q.page_number - 1).saturating_mul(q.page_size))
    .fetch_all(store.reader())
    .await?;
    Ok((total, rows))
}
