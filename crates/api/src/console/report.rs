//! A report request's financial report: the stored report GET
//! /api/v1/instantbankanalysis/financialreport answers with
//! (`analysis::report_data::report_of`), beside what the customer stated
//! (`analysis::customers::record`), with its charts (`charts`). A report
//! still building refreshes itself. The PDF (`pdf`) shows the same.

use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::analysis::customers::record;
use crate::analysis::error::AnalysisError;
use crate::analysis::report_data::report_of;
use crate::analysis::zone::Zone;
use crate::AppState;

/// A number of the report as the API wrote it, read digit for digit from
/// its JSON text (never through a float).
#[derive(Default)]
pub(super) struct Amount(pub(super) Decimal);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        let raw = <&RawValue>::deserialize(d)?;
        raw.get()
            .parse::<Decimal>()
            .map(Amount)
            .map_err(serde::de::Error::custom)
    }
}

impl Amount {
    /// A ratio, percentage or score term, to two places.
    pub(super) fn plain(&self) -> String {
        self.0.round_dp(2).normalize().to_string()
    }
}

impl std::fmt::Display for Amount {
    /// Money to the cent, without a symbol: the page names the report's
    /// currency once, and it need not be dollars.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2}", self.0.round_dp(2))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Component {
    name: String,
    weight: Amount,
    value: Amount,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Deposit {
    posted_date: String,
    amount: Amount,
    memo: String,
}

impl Deposit {
    fn day(&self) -> &str {
        self.posted_date.get(..10).unwrap_or(&self.posted_date)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stream {
    employer_name: String,
    frequency: String,
    active: bool,
    monthly_income: Amount,
    probability: Amount,
    occurrence_count: u32,
    #[serde(default)]
    transactions: Vec<Deposit>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Loan {
    detected_company_name: String,
    repayment_frequency: String,
    payment_amount: Amount,
    principal: Option<Amount>,
    confidence_score: Amount,
    #[serde(default)]
    debit_transactions: Vec<Deposit>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Quality {
    #[serde(default)]
    warnings: Vec<String>,
    history_days: u32,
    data_age_days: Option<u32>,
    owner_name_match: String,
    balance_source: String,
}

/// The parts of the API's financial report the page shows.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    score: i32,
    currency_code: Option<String>,
    average_income_per_month: Amount,
    average_expenses_per_month: Amount,
    disposable_income: Amount,
    debt_to_income_ratio: Amount,
    monthly_ability_to_pay: Amount,
    bi_weekly_ability_to_pay: Amount,
    income_probability: Amount,
    score_components: Vec<Component>,
    likely_employer_results: Vec<Stream>,
    potential_loans: Vec<Loan>,
    nsf_count30: u32,
    nsf_count60: u32,
    nsf_count90: u32,
    overdraft_count30: u32,
    overdraft_count60: u32,
    overdraft_count90: u32,
    own_transfer_count: u32,
    negative_balance_days: u32,
    data_quality: Quality,
    #[serde(default)]
    monthly_expenditures: Vec<Expenditure>,
    window_start_date: Option<String>,
    #[serde(default)]
    window_end_date: String,
}

/// One month and category of spending (`monthlyExpenditures`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Expenditure {
    month: String,
    category: String,
    total_spent: Amount,
}

/// A `dataQuality` warning code as a sentence (the code itself for one
/// this page does not know yet).
fn warning_text(code: &str, q: &Quality) -> String {
    match code {
        "stale_data" => format!(
            "Stale data: the newest transaction is {} days old.",
            q.data_age_days.unwrap_or_default()
        ),
        "short_history" => format!("Short history: only {} days of data.", q.history_days),
        "under_one_month" => {
            "Less than a month of data: monthly figures are the totals seen, not extrapolated."
                .into()
        }
        "owner_mismatch" => format!(
            "Owner name mismatch: the statements' owner names and the applicant's name ({}).",
            q.owner_name_match
        ),
        "mixed_currencies" => {
            "Mixed currencies: accounts in other currencies are left out of the figures.".into()
        }
        "non_deposit_account" => {
            "A credit or investment account is left out of the balances.".into()
        }
        "possibly_edited" => {
            "A statement's closing balance is not its opening balance plus its entries: it may have been edited."
                .into()
        }
        "no_balance_in_data" => format!(
            "Balance source {}: no balance in the data, balances are a running sum from 0.",
            q.balance_source
        ),
        "currency_inferred" => "The currency was inferred, not stated by the statements.".into(),
        "currency_unknown" => "No statement gave or implied a currency.".into(),
        "statement_gaps" => "Some days between statements are covered by no statement.".into(),
        other => other.to_string(),
    }
}

/// A term of the headline and its definition: the page's glossary and
/// the PDF's headline table.
const GLOSSARY: [(&str, &str, &str); 7] = [
    ("g-income", "Average monthly income", "The monthly income of the active income streams, summed."),
    ("g-expenses", "Average monthly expenses", "Expenses in the report's window divided by the months it covers."),
    ("g-disposable", "Disposable income", "Average monthly income minus average monthly expenses."),
    ("g-dti", "DTI", "Expenses divided by income, as a percentage; 0 when no income was found."),
    ("g-ability", "Ability to pay", "The disposable income a month, and half of it for every two weeks."),
    ("g-score", "Score", "300 to 850, from the weighted components listed under the headline."),
    ("g-probability", "Income probability", "How likely the active streams are to be income (0 to 100), weighted by their monthly amounts."),
];

#[derive(Template)]
#[template(path = "console/report.html")]
struct ReportPage<'a> {
    nonce: &'a str,
    frame: &'a super::Frame,
    /// The report request's id, for the link to its transactions.
    id: &'a str,
    name: &'a str,
    report: &'a Report,
    currency: &'a str,
    warnings: &'a [String],
    /// What the customer stated beside what the report detected:
    /// (label, stated, detected).
    stated: &'a [(&'static str, String, String)],
    charts: Vec<super::charts::Chart>,
    /// The first `MAX_EVENTS` events, and how many more there are.
    events: &'a [EventRow],
    more_events: usize,
    glossary: &'a [(&'static str, &'static str, &'static str)],
}

/// Events listed on the page; the rest are on the transactions page.
const MAX_EVENTS: usize = 200;

/// A completed report as the page and its PDF show it.
pub(super) struct Ready {
    /// The report request's id.
    pub(super) id: String,
    /// When the report was built (µs).
    built_at: Option<i64>,
    name: String,
    report: Report,
    currency: String,
    warnings: Vec<String>,
    stated: Vec<(&'static str, String, String)>,
    /// The shared accounts, as GET …/GetBankAccountByReportId reads them.
    accounts: Vec<fundline_store::reports::AccountRow>,
    /// The window's daily balances (`fundline_analysis::daily_balances`).
    days: Vec<fundline_analysis::DayBalance>,
    /// The fees and own transfers behind the report's counts, newest first.
    events: Vec<EventRow>,
}

/// A transaction behind the NSF, overdraft and own-transfer counts
/// (`fundline_analysis::events`), as the page lists it.
pub(super) struct EventRow {
    pub(super) date: String,
    pub(super) kind: &'static str,
    pub(super) account: String,
    pub(super) description: String,
    pub(super) amount: String,
}

impl EventRow {
    fn of(
        e: fundline_analysis::Event,
        accounts: &[fundline_store::reports::AccountRow],
    ) -> EventRow {
        use fundline_analysis::EventKind::*;
        EventRow {
            date: e.date.to_string(),
            kind: match e.kind {
                NsfFee => "NSF fee or return",
                OverdraftFee => "Overdraft fee",
                FeeReversal => "Fee reversed",
                OwnTransfer => "Own transfer (matched pair)",
                InternalTransfer => "Own transfer (as described)",
            },
            account: accounts
                .iter()
                .find(|a| a.account_no == i64::from(e.account))
                .map(super::transactions::account_label)
                .unwrap_or_default(),
            description: e.memo,
            amount: super::transactions::money(e.amount),
        }
    }
}

/// A report handler's argument: the signed-in user's session and frame
/// and the report of the path's request, ready. Otherwise the page to
/// answer instead: the sign-in redirect, the 404 page (another tenant's,
/// unknown), the building page (not ready), the unavailable page.
pub(super) struct ReadyReport(
    pub(super) super::session::Session,
    pub(super) super::Frame,
    pub(super) Box<Ready>,
);

impl axum::extract::FromRequestParts<AppState> for ReadyReport {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Response> {
        let super::SignedIn(s, frame) = super::SignedIn::from_request_parts(parts, state).await?;
        let Ok(Path(id)) = Path::<String>::from_request_parts(parts, state).await else {
            return Err(s.finish(super::not_found()));
        };
        match prepare(state, &s, &frame, &id).await {
            Prepared::Ready(ready) => Ok(ReadyReport(s, frame, ready)),
            Prepared::Answer(resp) => Err(resp),
        }
    }
}

/// The report of request `id` for the signed-in user, or the answer to
/// give instead.
enum Prepared {
    Ready(Box<Ready>),
    Answer(Response),
}

async fn prepare(
    state: &AppState,
    s: &super::session::Session,
    frame: &super::Frame,
    id: &str,
) -> Prepared {
    let unavailable = |cause: String| {
        Prepared::Answer(s.finish(super::unavailable(Some(
            crate::middleware::ErrorCause::new(cause),
        ))))
    };
    let (r, data) = match report_of(state, &s.staff, id).await {
        Ok(both) => both,
        Err(e) => return Prepared::Answer(super::refused(s, e)),
    };
    let customer = match record(state, &s.staff, &Zone(chrono_tz::Tz::UTC), &r.customer_id).await {
        Ok(c) => c,
        Err(AnalysisError::Unavailable { cause }) => {
            return Prepared::Answer(s.finish(super::unavailable(cause)))
        }
        Err(_) => serde_json::Value::Null,
    };
    let name = format!(
        "{} {}",
        super::customer::text(&customer["firstName"]),
        super::customer::text(&customer["lastName"])
    );
    let Some(data) = data else {
        let page = super::building::BuildingPage::of(frame, name, &r);
        return Prepared::Answer(super::shown(s, frame, &page));
    };
    let report = match serde_json::from_str::<Report>(&data) {
        Ok(rep) => rep,
        Err(e) => return unavailable(format!("stored report: {e}")),
    };
    let (accounts, days, events) = match recomputed(state, &r, &report).await {
        Ok(all) => all,
        Err(cause) => return unavailable(cause),
    };
    let stated = stated_vs_detected(&report, &customer);
    let warnings = report
        .data_quality
        .warnings
        .iter()
        .map(|w| warning_text(w, &report.data_quality))
        .collect();
    Prepared::Ready(Box::new(Ready {
        id: r.id.clone(),
        built_at: r.updated_at,
        name,
        currency: report.currency_code.clone().unwrap_or_default(),
        warnings,
        stated,
        report,
        accounts,
        days,
        events,
    }))
}

/// What the stored report keeps only as measures and counts, from the
/// request's data by the engine's own rules: the shared accounts, the
/// balance of each day and the fee and transfer events, to the report's
/// last day.
async fn recomputed(
    state: &AppState,
    r: &fundline_store::reports::ReportRequest,
    report: &Report,
) -> Result<
    (
        Vec<fundline_store::reports::AccountRow>,
        Vec<fundline_analysis::DayBalance>,
        Vec<EventRow>,
    ),
    String,
> {
    let (mut input, accounts, _) = crate::analysis::job::input_of(state, r)
        .await
        .map_err(|e| format!("report data: {e}"))?;
    if let Some(end) = report
        .window_end_date
        .get(..10)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        input.as_of = end;
    }
    let (days, found) =
        tokio::task::spawn_blocking(move || fundline_analysis::daily_balances_and_events(&input))
            .await
            .map_err(|_| "daily balances stopped".to_string())?;
    let events = found
        .into_iter()
        .map(|e| EventRow::of(e, &accounts))
        .collect();
    Ok((accounts, days, events))
}

/// What the customer stated beside what the report detected: the first
/// active stream (the report lists them active first, then by monthly
/// income) and the report's income.
fn stated_vs_detected(
    report: &Report,
    customer: &serde_json::Value,
) -> Vec<(&'static str, String, String)> {
    let top = report.likely_employer_results.iter().find(|st| st.active);
    // A field the customer left empty says so, rather than an empty cell
    // a reader could take for a rendering fault.
    let stated_of = |key: &str| match super::customer::shown(key, &customer[key]) {
        t if t.is_empty() => "Not stated".to_string(),
        t => t,
    };
    vec![
        (
            "Employer",
            format!("{} ({})", stated_of("employer"), stated_of("employerName")),
            top.map(|st| st.employer_name.clone()).unwrap_or_default(),
        ),
        (
            "Pay frequency",
            stated_of("payFrequency"),
            top.map(|st| st.frequency.clone()).unwrap_or_default(),
        ),
        (
            "Monthly income",
            stated_of("monthlyIncome"),
            report.average_income_per_month.to_string(),
        ),
    ]
}

/// A day of the report's JSON ("2026-03-01T00:00:00" → "2026-03-01").
fn day_of(s: &str) -> &str {
    s.get(..10).unwrap_or(s)
}

impl Ready {
    /// The charts of the report, text set in `font`.
    pub(super) fn charts(&self, font: &str) -> Vec<super::charts::Chart> {
        use super::charts::{all, totals, Series};
        let rep = &self.report;
        let start = rep.window_start_date.as_deref().unwrap_or_default();
        let mut months = Series::months_between(start, &rep.window_end_date);
        let mut add = |day: &str, f: &mut dyn FnMut(&mut super::charts::Month)| {
            if let Some((_, m)) = months.iter_mut().find(|(m, _)| day.starts_with(m.as_str())) {
                f(m);
            }
        };
        for t in rep
            .likely_employer_results
            .iter()
            .flat_map(|st| &st.transactions)
        {
            add(&t.posted_date, &mut |m| m.income += t.amount.0);
        }
        for e in &rep.monthly_expenditures {
            add(&e.month, &mut |m| m.expenses += e.total_spent.0);
        }
        for t in rep
            .potential_loans
            .iter()
            .flat_map(|l| &l.debit_transactions)
        {
            add(&t.posted_date, &mut |m| m.loan_payments += t.amount.0.abs());
        }
        let categories = totals(
            rep.monthly_expenditures
                .iter()
                .map(|e| (e.category.clone(), e.total_spent.0)),
        );
        let lenders = totals(rep.potential_loans.iter().flat_map(|l| {
            l.debit_transactions
                .iter()
                .map(|t| (l.detected_company_name.clone(), t.amount.0.abs()))
        }));
        all(
            &Series {
                days: &self.days,
                months,
                categories,
                lenders,
            },
            font,
        )
    }

    /// The report's figures as text, formatted as the page formats them,
    /// for the PDF's template.
    pub(super) fn figures(&self, charts: &[super::charts::Chart]) -> serde_json::Value {
        use serde_json::json;
        let rep = &self.report;
        let built = self
            .built_at
            .and_then(chrono::DateTime::from_timestamp_micros)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        let window = match &rep.window_start_date {
            Some(start) => format!("{} to {}", day_of(start), day_of(&rep.window_end_date)),
            None => format!("no transactions up to {}", day_of(&rep.window_end_date)),
        };
        json!({
            "reportId": self.id,
            "name": self.name,
            "window": window,
            "built": built,
            "currency": if self.currency.is_empty() { "unknown" } else { self.currency.as_str() },
            "warnings": self.warnings,
            "headline": self.headline_figures(),
            "components": rep.score_components.iter().map(|c| json!({
                "name": c.name, "weight": c.weight.plain(), "value": c.value.plain(),
            })).collect::<Vec<_>>(),
            "stated": self.stated.iter().map(|(label, stated, detected)| json!({
                "label": label,
                "stated": stated,
                "detected": if detected.is_empty() { "None found" } else { detected.as_str() },
            })).collect::<Vec<_>>(),
            "streams": self.stream_figures(),
            "loans": rep.potential_loans.iter().map(|l| json!({
                "lender": l.detected_company_name,
                "repayment": l.repayment_frequency,
                "payment": l.payment_amount.to_string(),
                "principal": l.principal.as_ref().map(|p| p.to_string()).unwrap_or_default(),
                "confidence": l.confidence_score.plain(),
                "payments": l.debit_transactions.len().to_string(),
            })).collect::<Vec<_>>(),
            "events": [
                json!({"event": "NSF fees and returns", "d30": rep.nsf_count30.to_string(),
                       "d60": rep.nsf_count60.to_string(), "d90": rep.nsf_count90.to_string()}),
                json!({"event": "Overdrafts", "d30": rep.overdraft_count30.to_string(),
                       "d60": rep.overdraft_count60.to_string(), "d90": rep.overdraft_count90.to_string()}),
            ],
            "negativeDays": rep.negative_balance_days.to_string(),
            "ownTransfers": rep.own_transfer_count.to_string(),
            "eventList": self.events.iter().take(MAX_EVENTS).map(|e| json!({
                "date": e.date, "event": e.kind, "account": e.account,
                "description": e.description, "amount": e.amount,
            })).collect::<Vec<_>>(),
            "moreEvents": self.events.len().saturating_sub(MAX_EVENTS).to_string(),
            "accounts": self.account_figures(),
            "charts": charts.iter().map(|c| json!({
                "id": c.id, "heading": c.heading, "summary": c.summary,
            })).collect::<Vec<_>>(),
        })
    }

    /// The glossary's figures, each with its label and definition.
    fn headline_figures(&self) -> Vec<serde_json::Value> {
        let rep = &self.report;
        let values = [
            rep.average_income_per_month.to_string(),
            rep.average_expenses_per_month.to_string(),
            rep.disposable_income.to_string(),
            format!("{}%", rep.debt_to_income_ratio.plain()),
            format!(
                "{} a month, {} every two weeks",
                rep.monthly_ability_to_pay, rep.bi_weekly_ability_to_pay
            ),
            rep.score.to_string(),
            format!("{}%", rep.income_probability.plain()),
        ];
        GLOSSARY
            .iter()
            .zip(values)
            .map(|((_, label, definition), value)| {
                serde_json::json!({"label": label, "value": value, "definition": definition})
            })
            .collect()
    }

    /// The income streams, each with its deposits.
    fn stream_figures(&self) -> Vec<serde_json::Value> {
        use serde_json::json;
        let yes = |b: bool| if b { "Yes" } else { "No" };
        self.report
            .likely_employer_results
            .iter()
            .map(|st| {
                json!({
                    "employer": st.employer_name,
                    "frequency": st.frequency,
                    "active": yes(st.active),
                    "monthly": st.monthly_income.to_string(),
                    "confidence": format!("{}%", st.probability.plain()),
                    "events": st.occurrence_count.to_string(),
                    "deposits": st.transactions.iter().map(|t| json!({
                        "date": t.day(), "amount": t.amount.to_string(), "memo": t.memo,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect()
    }

    /// The accounts, numbers masked, balances as amounts.
    fn account_figures(&self) -> Vec<serde_json::Value> {
        let money = |s: &Option<String>| {
            s.as_deref()
                .and_then(|v| v.parse::<Decimal>().ok())
                .map(|d| Amount(d).to_string())
                .unwrap_or_default()
        };
        self.accounts.iter().map(|a| serde_json::json!({
            "institution": a.institution.clone().unwrap_or_default(),
            "type": a.account_type.clone().unwrap_or_default(),
            "number": a.account_last4.as_deref().map(|l| format!("*****{l}")).unwrap_or_default(),
            "currency": a.currency,
            "current": money(&a.current_balance),
            "available": money(&a.available_balance),
        })).collect()
    }
}

/// GET /console/reports/{id}: `id` is the report request's.
pub async fn show(ReadyReport(s, frame, ready): ReadyReport) -> Response {
    let page = ReportPage {
        nonce: &frame.nonce,
        frame: &frame,
        id: &ready.id,
        name: &ready.name,
        report: &ready.report,
        currency: &ready.currency,
        warnings: &ready.warnings,
        stated: &ready.stated,
        charts: ready.charts("sans-serif"),
        events: &ready.events[..ready.events.len().min(MAX_EVENTS)],
        more_events: ready.events.len().saturating_sub(MAX_EVENTS),
        glossary: &GLOSSARY,
    };
    super::shown(&s, &frame, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_warning_reads_as_a_sentence() {
        let q = Quality {
            warnings: vec![],
            history_days: 12,
            data_age_days: Some(40),
            owner_name_match: "mismatch".into(),
            balance_source: "rebuilt".into(),
        };
        // The codes `dataQuality.warnings` may hold (report_data::DataQualityDoc).
        for code in [
            "stale_data",
            "short_history",
            "under_one_month",
            "owner_mismatch",
            "mixed_currencies",
            "non_deposit_account",
            "possibly_edited",
            "no_balance_in_data",
            "currency_inferred",
            "currency_unknown",
            "statement_gaps",
        ] {
            let text = warning_text(code, &q);
            assert!(text.ends_with('.') && !text.contains('_'), "{code}: {text}");
        }
        assert!(warning_text("stale_data", &q).contains("40 days"));
        assert!(warning_text("short_history", &q).contains("12 days"));
        assert!(warning_text("no_balance_in_data", &q).contains("rebuilt"));
        assert_eq!(warning_text("something_new", &q), "something_new");
    }

    #[test]
    fn amounts_are_read_from_their_json_text() {
        let a: Amount = serde_json::from_str("1234567890123.455").unwrap();
        assert_eq!(a.to_string(), "1234567890123.46");
        let a: Amount = serde_json::from_str("-0.1").unwrap();
        assert_eq!(a.to_string(), "-0.10");
        assert_eq!(
            serde_json::from_str::<Amount>("57.5123").unwrap().plain(),
            "57.51"
        );
    }
}
