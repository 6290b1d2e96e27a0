//! The staff users list, for admins: name search, active filter, sort and
//! paging, the records GET /api/v1/user/all answers (which refuses
//! analysts; the console shows them a 403 page).

use serde_json::Value;

use crate::analysis::users::list_of;

/// The active filter's choices, as the API's `isActive` takes them.
pub(super) const ACTIVE: [(&str, &str); 3] =
    [("", "Any"), ("true", "Active"), ("false", "Inactive")];

struct Row {
    id: String,
    name: String,
    email: String,
    role: String,
    job_title: String,
    active: &'static str,
}

impl Row {
    /// A row from the API's record of the user.
    fn of(u: &Value) -> Row {
        let text = |k: &str| u[k].as_str().unwrap_or("").to_string();
        Row {
            id: text("id"),
            name: format!("{} {}", text("firstName"), text("lastName")),
            email: text("email"),
            role: text("role"),
            job_title: text("jobTitle"),
            active: if u["isActive"] == true { "Yes" } else { "No" },
        }
    }
}

const PAGE: super::list::ListPage = super::list::ListPage {
    title: "Staff users",
    noun: "user",
    path: "/console/users",
    filters: &["nameQuery", "isActive"],
    // The API sorts users by the same fields as customers.
    orders: &super::customers::ORDERS,
};

super::list::list_page!("console/users.html", Row, PAGE, list_of);
