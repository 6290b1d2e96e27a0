//! Bank-analysis customers (spec 004). Sensitive columns arrive sealed by the
//! caller; this module only stores and finds rows.

use sqlx::FromRow;

use crate::query;
use crate::{params, Store, StoreError};

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
            Box::pin(async move { insert_in(conn, &c).await })
        })
        .await
}

/// Inserts within a caller's transaction (a customer created with its first
/// report request is one write).
pub async fn insert_in(conn: &mut crate::Conn, c: &Customer) -> Result<(), StoreError> {
    let placeholders = (1..=37)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("INSERT INTO ba_customers ({COLUMNS}) VALUES ({placeholders})");
    let params = params![
        &c.id,
        &c.tenant_id,
        c.customer_type,
        &c.user_name,
        &c.password_hash,
        &c.company_name,
        &c.first_name,
        &c.last_name,
        &c.phone_type,
        &c.phone_number,
        &c.email,
        &c.address_line1,
        &c.address_line2,
        &c.city,
        &c.state,
        &c.postal_code,
        &c.country,
        &c.country_code,
        &c.employer,
        &c.occupation,
        &c.monthly_income,
        &c.pay_frequency,
        &c.drivers_license_sealed,
        &c.drivers_license_last4,
        &c.ssn_sealed,
        &c.ssn_last4,
        &c.dob,
        &c.bank_name,
        &c.bank_acc_sealed,
        &c.bank_acc_last4,
        &c.routing_no,
        &c.ein,
        &c.employer_name,
        &c.search_text,
        c.is_active,
        c.created_at,
        c.updated_at,
    ];
    query::execute(conn, &sql, params).await?;
    Ok(())
}

pub async fn get(store: &Store, tenant_id: &str, id: &str) -> Result<Option<Customer>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM ba_customers WHERE tenant_id = $1 AND id = $2");
    store.fetch_optional(&sql, params![tenant_id, id]).await
}

/// Replaces the whole row (the handlers read, change the fields their
/// endpoint owns, and write back). `Ok(false)`: no such customer.
pub async fn replace(store: &Store, c: Customer) -> Result<bool, StoreError> {
    let n = store
        .execute(
            "UPDATE ba_customers SET customer_type = $1, company_name = $2, first_name = $3, last_name = $4, \
             phone_number = $5, email = $6, address_line1 = $7, address_line2 = $8, city = $9, state = $10, \
             postal_code = $11, country = $12, drivers_license_sealed = $13, drivers_license_last4 = $14, \
             ssn_sealed = $15, ssn_last4 = $16, dob = $17, bank_name = $18, bank_acc_sealed = $19, \
             bank_acc_last4 = $20, routing_no = $21, ein = $22, employer_name = $23, pay_frequency = $24, \
             search_text = $25, updated_at = $26 WHERE tenant_id = $27 AND id = $28",
            params![
                c.customer_type, c.company_name, c.first_name, c.last_name, c.phone_number, c.email,
                c.address_line1, c.address_line2, c.city, c.state, c.postal_code, c.country,
                c.drivers_license_sealed, c.drivers_license_last4, c.ssn_sealed, c.ssn_last4, c.dob,
                c.bank_name, c.bank_acc_sealed, c.bank_acc_last4, c.routing_no, c.ein, c.employer_name,
                c.pay_frequency, c.search_text, c.updated_at, c.tenant_id, c.id,
            ],
        )
        .await?;
    Ok(n == 1)
}

#[derive(Debug, Clone, Copy, Default)]
pub enum CustomerOrder {
    #[default]
    CreatedDate,
    FirstName,
    LastName,
    Email,
}

#[derive(Debug, Clone)]
pub struct CustomerQuery {
    pub name_query: Option<String>,
    pub customer_type: Option<i64>,
    /// Created (onboarded) at or after, in µs.
    pub created_from: Option<i64>,
    /// Created at or before, in µs.
    pub created_to: Option<i64>,
    pub order_by: CustomerOrder,
    pub page: crate::Page,
}

/// (total, page)
pub async fn list(
    store: &Store,
    tenant_id: &str,
    q: &CustomerQuery,
) -> Result<(i64, Vec<Customer>), StoreError> {
    let pattern = crate::contains_pattern(q.name_query.as_deref());
    // Absent filters bind values that match everything.
    let filter =
        "tenant_id = $1 AND search_text LIKE $2 ESCAPE '\\' AND ($3 = 0 OR customer_type = $3) \
        AND created_at >= $4 AND created_at <= $5";
    let col = match q.order_by {
        CustomerOrder::CreatedDate => "created_at",
        CustomerOrder::FirstName => "first_name",
        CustomerOrder::LastName => "last_name",
        CustomerOrder::Email => "email",
    };
    let dir = q.page.direction();
    let kind = q.customer_type.unwrap_or(0);
    store
        .fetch_page(
            &format!("SELECT COUNT(*) FROM ba_customers WHERE {filter}"),
            &format!(
                "SELECT {COLUMNS} FROM ba_customers WHERE {filter} ORDER BY {col} {dir}, id {dir} LIMIT $6 OFFSET $7"
            ),
            params![
                tenant_id,
                pattern,
                kind,
                q.created_from.unwrap_or(i64::MIN),
                q.created_to.unwrap_or(i64::MAX)
            ],
            q.page,
        )
        .await
}
