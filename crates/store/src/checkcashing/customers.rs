//! Enrolled customers, found by SSN fingerprint and date of birth.

#[allow(unused_imports)]
use super::*;

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

const CUSTOMERS: Table<Customer> = Table::new("cc_customers", CUSTOMER_COLUMNS);

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
        .execute(
            &format!(
                "INSERT INTO cc_customers ({CUSTOMER_COLUMNS}) VALUES \
                 ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)"
            ),
            params![
                c.id, c.tenant_id, c.ssn_fp, c.ssn_sealed, c.email, c.first_name, c.last_name, c.middle_initial,
                c.title, c.suffix, c.mobile_number, c.home_number, c.address_line1, c.address_line2, c.city,
                c.state, c.zip, c.date_of_birth, c.country_of_origin, c.gender, c.allow_texts, c.referrer_code,
                c.created_at,
            ],
        )
        .await;
    match inserted {
        Ok(_) => Ok(NewCustomer::Created),
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
    let tenant = ("tenant_id = $1", params![tenant_id]);
    CUSTOMERS
        .find_by_fingerprint(store, tenant, "ssn_fp", ssn_fps, "created_at, id")
        .await
}

pub async fn get_customer(
    store: &Store,
    tenant_id: &str,
    id: &str,
) -> Result<Option<Customer>, StoreError> {
    let sql =
        format!("SELECT {CUSTOMER_COLUMNS} FROM cc_customers WHERE tenant_id = $1 AND id = $2");
    store.fetch_optional(&sql, params![tenant_id, id]).await
}
