//! A report's accounts and their transactions (issue 16): the accounts
//! GET /api/v1/instantbankanalysis/GetBankAccountByReportId answers from
//! (`report_data::accounts_of`) and each account's transactions as
//! BankingTransactions reads them (`report_data::account_transactions_of`),
//! searched, filtered and paged here; the same rows as a CSV file
//! (`csv_export`).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use fundline_store::reports::{AccountRow, ReportRequest};
use rust_decimal::Decimal;

use super::list::Pager;
use crate::analysis::auth::Staff;
use crate::analysis::error::Result;
use crate::analysis::query::{paging, Params};
use crate::analysis::report_data::{
    account_transactions_of, accounts_of, category, transaction_type,
};
use crate::analysis::share::MAX_TRANSACTIONS;
use crate::pages;
use crate::AppState;

/// The filters the page and the CSV take; the pager keeps them.
const FILTERS: &[&str] = &[
    "account",
    "search",
    "dateFrom",
    "dateTo",
    "direction",
    "category",
];

/// Rows a page shows unless `pageSize` says otherwise (1–100, as the API).
const PAGE_SIZE: i64 = 50;

/// The longest text search taken.
const MAX_SEARCH: usize = 200;

/// The direction filter's choices: (value, label, the API's `transactionType`).
pub(crate) const DIRECTIONS: &[(&str, &str)] =
    &[("", "All"), ("credits", "Credits"), ("debits", "Debits")];

/// An account number as the console shows one: its last four only.
fn masked(a: &AccountRow) -> String {
    format!("*****{}", a.account_last4.as_deref().unwrap_or(""))
}

/// An account as the filter and the rows name it: type and masked number.
pub(super) fn account_label(a: &AccountRow) -> String {
    format!(
        "{} {}",
        a.account_type.as_deref().unwrap_or("Account"),
        masked(a)
    )
}

/// An amount stored as decimal text, read as a decimal (never a float).
fn decimal(text: &str) -> Option<Decimal> {
    text.parse().ok()
}

/// An amount as the page and the CSV write it: exact, with at least two
/// decimals (the store may keep `1500` for `1500.00`).
pub(super) fn money(d: Decimal) -> String {
    let mut d = d;
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

/// The query's filters, checked; a bad value's message is kept by its
/// filter's name, to be shown beside it.
#[derive(Default)]
pub(super) struct Filters {
    account: Option<i64>,
    /// Lower-cased.
    search: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    /// "Credit" or "Debit", as the API's `transactionType`.
    direction: Option<&'static str>,
    category: Option<String>,
    pub(super) errors: Vec<(&'static str, String)>,
}

/// A filter's value; an empty field (a form sends every field) is none.
fn given<'a>(p: &'a Params, name: &str) -> Option<&'a str> {
    p.get(name).map(str::trim).filter(|v| !v.is_empty())
}

impl Filters {
    pub(super) fn read(p: &Params, accounts: &[AccountRow]) -> Filters {
        let mut f = Filters::default();
        if let Some(v) = given(p, "account") {
            match v.parse::<i64>() {
                Ok(n) if accounts.iter().any(|a| a.account_no == n) => f.account = Some(n),
                _ => f
                    .errors
                    .push(("account", "Choose an account of this report.".into())),
            }
        }
        if let Some(v) = given(p, "search") {
            if v.chars().count() > MAX_SEARCH {
                f.errors.push((
                    "search",
                    format!("Search for at most {MAX_SEARCH} characters."),
                ));
            } else {
                f.search = Some(v.to_lowercase());
            }
        }
        let mut date = |name: &'static str| {
            let v = given(p, name)?;
            match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    f.errors
                        .push((name, "Enter a date as YYYY-MM-DD, e.g. 2024-03-31.".into()));
                    None
                }
            }
        };
        let (from, to) = (date("dateFrom"), date("dateTo"));
        (f.from, f.to) = (from, to);
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                f.errors
                    .push(("dateTo", "The end date is before the start date.".into()));
            }
        }
        match given(p, "direction")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None => {}
            Some("credits") => f.direction = Some(transaction_type(Decimal::ONE)),
            Some("debits") => f.direction = Some(transaction_type(Decimal::NEGATIVE_ONE)),
            Some(_) => f
                .errors
                .push(("direction", "Direction is credits or debits.".into())),
        }
        f.category = given(p, "category").map(str::to_string);
        f
    }

    /// Whether transaction `t` passes every filter.
    fn keeps(&self, t: &fundline_store::reports::TransactionRow, amount: Decimal) -> bool {
        let date = NaiveDate::parse_from_str(&t.posted_date, "%Y-%m-%d").ok();
        self.account.is_none_or(|n| t.account_no == n)
            && self.search.as_ref().is_none_or(|s| {
                t.memo.to_lowercase().contains(s)
                    || t.payee
                        .as_ref()
                        .is_some_and(|p| p.to_lowercase().contains(s))
            })
            && self.from.is_none_or(|from| date.is_some_and(|d| d >= from))
            && self.to.is_none_or(|to| date.is_some_and(|d| d <= to))
            && self.direction.is_none_or(|k| transaction_type(amount) == k)
            && self
                .category
                .as_ref()
                .is_none_or(|c| category(t).eq_ignore_ascii_case(c))
    }
}

/// A transaction as the page and the CSV show it.
pub(super) struct Row {
    pub(super) date: String,
    pub(super) account: String,
    pub(super) description: String,
    pub(super) category: String,
    pub(super) kind: &'static str,
    pub(super) amount: Decimal,
}

/// What a report's transactions are, for the page and the CSV: the
/// request, its accounts, the categories seen, and the rows the filters
/// keep, newest first.
pub(super) struct Found {
    pub(super) request: ReportRequest,
    pub(super) accounts: Vec<AccountRow>,
    /// Transactions per account, by account number.
    counts: Vec<(i64, i64)>,
    categories: Vec<String>,
    pub(super) rows: Vec<Row>,
}

/// The report `id`'s accounts and the transactions `f` keeps. Every
/// transaction of the report is read (at most `MAX_TRANSACTIONS`, the most
/// an upload lets a report hold), each account through the API's own read.
pub(super) async fn find(
    state: &AppState,
    who: &Staff,
    id: &str,
    p: &Params,
) -> Result<(Found, Filters)> {
    let (request, accounts) = accounts_of(state, who, id).await?;
    let filters = Filters::read(p, &accounts);
    let mut found = Found {
        request,
        accounts,
        counts: Vec::new(),
        categories: Vec::new(),
        rows: Vec::new(),
    };
    let mut keyed = Vec::new();
    for a in &found.accounts {
        let (_, total, rows) = account_transactions_of(
            state,
            &found.request,
            &a.account_no.to_string(),
            fundline_store::Page {
                number: 1,
                size: MAX_TRANSACTIONS as i64,
                descending: true,
            },
        )
        .await?;
        found.counts.push((a.account_no, total));
        for t in rows {
            let c = category(&t);
            if !found.categories.iter().any(|k| k == c) {
                found.categories.push(c.to_string());
            }
            let amount = decimal(&t.amount).unwrap_or_default();
            if filters.errors.is_empty() && filters.keeps(&t, amount) {
                let row = Row {
                    date: t.posted_date.clone(),
                    account: account_label(a),
                    description: t.memo.clone(),
                    category: c.to_string(),
                    kind: transaction_type(amount),
                    amount,
                };
                keyed.push(((t.posted_date, a.account_no, t.transaction_no), row));
            }
        }
    }
    found.categories.sort();
    // Newest first, as the API pages an account; accounts in their order.
    keyed.sort_by(|(x, _), (y, _)| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(y.2.cmp(&x.2)));
    found.rows = keyed.into_iter().map(|(_, r)| r).collect();
    Ok((found, filters))
}

/// An account as the page's table shows it.
struct AccountView {
    label: String,
    institution: String,
    currency: String,
    current: String,
    available: String,
    count: i64,
}

impl AccountView {
    fn of(a: &AccountRow, found: &Found) -> AccountView {
        let balance = |b: &Option<String>| {
            b.as_deref()
                .and_then(decimal)
                .map(money)
                .unwrap_or_default()
        };
        AccountView {
            label: account_label(a),
            institution: a.institution.clone().unwrap_or_default(),
            currency: a.currency.clone(),
            current: balance(&a.current_balance),
            available: balance(&a.available_balance),
            count: found
                .counts
                .iter()
                .find(|(n, _)| *n == a.account_no)
                .map(|(_, c)| *c)
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/transactions.html")]
struct TransactionsPage<'a> {
    nonce: &'a str,
    frame: &'a super::Frame,
    report_path: String,
    csv_href: String,
    params: &'a Params,
    errors: &'a [(&'static str, String)],
    accounts: Vec<AccountView>,
    /// (value, label) of the account filter; "" is every account.
    account_choices: Vec<(String, String)>,
    category_choices: Vec<(String, String)>,
    total: usize,
    rows: &'a [Row],
    pager: Pager,
}

impl TransactionsPage<'_> {
    /// A row's amount, as written.
    fn amount(&self, r: &Row) -> String {
        money(r.amount)
    }

    /// A filter's value as the query gave it, or "".
    fn value(&self, name: &str) -> &str {
        self.params.get(name).unwrap_or("")
    }

    /// The message for filter `name`'s value, if it was refused.
    fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| e.as_str())
    }
}

/// The query's filters as a query string (for the CSV link).
fn kept(p: &Params) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for name in FILTERS {
        if let Some(v) = p.get(name) {
            q.append_pair(name, v);
        }
    }
    q.finish()
}

/// GET /console/reports/{id}/transactions: `id` is the report request's.
pub async fn show(
    State(state): State<AppState>,
    super::SignedIn(s, frame): super::SignedIn,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let p = Params::parse(raw.as_deref());
    match find(&state, &s.staff, &id, &p).await {
        Ok((found, filters)) => answer(&s, &frame, &p, found, filters),
        Err(e) => super::refused(&s, e),
    }
}

/// The page the query asks for (the page's own size unless it names
/// one); `None` when a filter or the paging was refused (their messages
/// are in `filters`).
fn page_of(p: &Params, filters: &mut Filters) -> Option<fundline_store::Page> {
    let mut page_errors = Vec::new();
    let mut page = paging(p, &mut page_errors);
    if p.get("pageSize").is_none() {
        page.size = PAGE_SIZE;
    }
    filters
        .errors
        .extend(page_errors.into_iter().map(|e| ("page", e)));
    filters.errors.is_empty().then_some(page)
}

/// The rows of `page` (1-based) of `rows`.
fn page_rows<'a, T>(rows: &'a [T], page: &fundline_store::Page) -> &'a [T] {
    let start = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let end = start.saturating_add(usize::try_from(page.size).unwrap_or(0));
    rows.get(start.min(rows.len())..end.min(rows.len()))
        .unwrap_or_default()
}

/// The page for the query `p`: the accounts, the filters (a refused
/// value's message beside it, with a 400), the page of `found`'s rows.
pub(super) fn answer(
    s: &super::session::Session,
    frame: &super::Frame,
    p: &Params,
    found: Found,
    mut filters: Filters,
) -> Response {
    let page = page_of(p, &mut filters);
    let status = if page.is_some() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let shown = page
        .as_ref()
        .map_or(&[][..], |page| page_rows(&found.rows, page));
    let id = &found.request.id;
    let path = format!("/console/reports/{id}/transactions");
    let total = if page.is_some() { found.rows.len() } else { 0 };
    let mut account_choices = vec![(String::new(), "All accounts".to_string())];
    account_choices.extend(
        found
            .accounts
            .iter()
            .map(|a| (a.account_no.to_string(), account_label(a))),
    );
    let mut category_choices = vec![(String::new(), "All".to_string())];
    category_choices.extend(found.categories.iter().map(|c| (c.clone(), c.clone())));
    let view = TransactionsPage {
        nonce: &frame.nonce,
        frame,
        report_path: format!("/console/reports/{id}"),
        csv_href: format!("/console/reports/{id}/transactions.csv?{}", kept(p)),
        params: p,
        errors: &filters.errors,
        accounts: found
            .accounts
            .iter()
            .map(|a| AccountView::of(a, &found))
            .collect(),
        account_choices,
        category_choices,
        total,
        rows: shown,
        pager: Pager::new(
            &path,
            p,
            FILTERS,
            page.as_ref(),
            i64::try_from(total).unwrap_or(i64::MAX),
        ),
    };
    s.finish(pages::render(status, &view, super::headers(&frame.nonce)))
}
