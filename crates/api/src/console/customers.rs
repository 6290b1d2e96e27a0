//! The customers list: search, type and onboarded-date filters, sort and
//! paging, read by the same rules and service as GET /api/v1/customer/all.

use fundline_store::customers::Customer;

use crate::analysis::customers::{list_of, masked_ssn};

/// The type filter's choices, as the API's `customerType` takes them.
pub(super) const TYPES: [(&str, &str); 3] = [
    ("", "Any"),
    ("customer", "Customer"),
    ("business", "Business"),
];
/// The sort choices, as the API's `orderBy` takes them.
pub(super) const ORDERS: [(&str, &str); 4] = [
    ("CreatedDate", "Created"),
    ("FirstName", "First name"),
    ("LastName", "Last name"),
    ("Email", "Email"),
];

struct Row {
    id: String,
    name: String,
    company: String,
    kind: &'static str,
    email: String,
    phone: String,
    ssn: String,
    created: String,
}

impl Row {
    fn of(c: &Customer) -> Row {
        Row {
            id: c.id.clone(),
            name: format!("{} {}", c.first_name, c.last_name),
            company: c.company_name.clone().unwrap_or_default(),
            kind: if c.customer_type == 2 {
                "Business"
            } else {
                "Customer"
            },
            email: c.email.clone(),
            phone: c.phone_number.clone(),
            ssn: masked_ssn(c),
            created: chrono::DateTime::from_timestamp_micros(c.created_at)
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default(),
        }
    }
}

const PAGE: super::list::ListPage = super::list::ListPage {
    title: "Customers",
    noun: "customer",
    path: "/console/customers",
    filters: &[
        "nameQuery",
        "customerType",
        "createdDateFrom",
        "createdDateTo",
    ],
    orders: &ORDERS,
};

super::list::list_page!("console/customers.html", Row, PAGE, list_of);
