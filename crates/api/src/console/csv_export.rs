//! A report's transactions as a CSV file: every row the transactions page
//! finds for the same filters (not one page), at most
//! `share::MAX_TRANSACTIONS` (200,000), the most a report can hold.
//!
//! Against formula injection in spreadsheets, a text cell (account,
//! description, category) that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return is written with a leading `'`. The date and the amount
//! are written by the console itself (`2024-03-31`, `-1200.00`), never
//! from the statement's text, so a negative amount stays a number.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::transactions::{answer, find, money, Row};
use crate::analysis::query::Params;
use crate::middleware::ErrorCause;
use crate::AppState;

/// The file's columns.
const HEADER: [&str; 5] = ["date", "account", "description", "category", "amount"];

/// A text cell as a spreadsheet cannot take it for a formula.
fn text_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The CSV file of `rows`, header first.
fn write(rows: &[Row]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for r in rows {
        w.write_record([
            r.date.as_str(),
            &text_cell(&r.account),
            &text_cell(&r.description),
            &text_cell(&r.category),
            &money(r.amount),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// GET /console/reports/{id}/transactions.csv: the transactions the page's
/// filters keep, as a download; a refused filter is the page's 400.
pub async fn download(
    State(state): State<AppState>,
    super::SignedIn(s, frame): super::SignedIn,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let p = Params::parse(raw.as_deref());
    let (found, filters) = match find(&state, &s.staff, &id, &p).await {
        Ok(both) => both,
        Err(e) => return super::refused(&s, e),
    };
    if !filters.errors.is_empty() {
        return answer(&s, &frame, &p, found, filters);
    }
    let body = match write(&found.rows) {
        Ok(b) => b,
        Err(e) => return s.finish(super::unavailable(Some(ErrorCause::new(e)))),
    };
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    // The id is the stored request's, a GUID: nothing to quote.
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"transactions-{}.csv\"",
        found.request.id
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    s.finish(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(description: &str, amount: &str) -> Row {
        Row {
            date: "2024-03-01".into(),
            account: "CHECKING *****6789".into(),
            description: description.into(),
            category: "Utilities".into(),
            kind: "Debit",
            amount: amount.parse().unwrap(),
        }
    }

    #[test]
    fn text_cells_that_a_spreadsheet_would_run_are_prefixed_and_amounts_stay_numbers() {
        for risky in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(text_cell(risky), format!("'{risky}"));
        }
        assert_eq!(text_cell("ACME PAYROLL"), "ACME PAYROLL");
        assert_eq!(text_cell(" =x"), " =x");
        let file = write(&[
            row("=HYPERLINK(\"x\")", "-1200.00"),
            row("RENT, \"MAIN\"", "5"),
        ])
        .unwrap();
        let mut r = csv::Reader::from_reader(file.as_slice());
        assert_eq!(r.headers().unwrap(), HEADER.as_slice());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(&rows[0][2], "'=HYPERLINK(\"x\")");
        assert_eq!(&rows[0][4], "-1200.00");
        assert_eq!(&rows[1][2], "RENT, \"MAIN\"");
        assert_eq!(&rows[1][4], "5.00");
    }
}
