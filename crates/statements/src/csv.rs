//! CSV exports. Columns are found by header name (English, German, French,
//! Spanish, Dutch spellings) and by content; a headerless file (Wells Fargo)
//! is read when one column is all dates and another all amounts. Anything
//! else needs a [`CsvMapping`].

use crate::amount::{parse_amount, DecimalMark};
use crate::csv_columns::{
    amount_score, balance_score, credit_score, date_score, debit_score, description_score,
    find_exact, name_score, norm, pick, ACCOUNT_HEADERS, CHECK_HEADERS, CURRENCY_HEADERS,
    ID_HEADERS, KIND_HEADERS, OWNER_HEADERS, SORT_CODE_HEADERS,
};
use crate::date::{infer_format, parse_with, CSV_DATE_FORMATS};
use crate::error::ParseError;
use crate::limits::{Budget, Limits};
use crate::model::{Account, CsvMapping, Format, Statement, Transaction};
use crate::running;
use crate::text::decode;
use rust_decimal::Decimal;
use std::collections::HashMap;

const F: Format = Format::Csv;
/// How far down the file a header row may sit behind bank preamble lines.
const HEADER_SCAN: usize = 40;
/// Columns past this are ignored: no statement export has that many, and
/// column scans stay linear in the file size on hostile input.
const MAX_COLUMNS: usize = 256;

struct Row {
    cells: Vec<String>,
    line: usize,
}

impl Row {
    fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", |s| s.trim())
    }

    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// Rows a file may have beyond its transactions: bank preamble, the header
/// (sometimes repeated), balance and total lines.
const ROW_SLACK: usize = HEADER_SCAN + 24;

/// Reads the rows, counting cells against the element limit and rows
/// against the transaction limit (with [`ROW_SLACK`] for the lines that
/// are not transactions), so an oversized file stops here rather than
/// after every row is in memory.
fn read_rows(text: &str, delimiter: u8, budget: &mut Budget) -> Result<Vec<Row>, ParseError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let line = record
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                budget.elements(record.len().min(MAX_COLUMNS))?;
                if rows.len() >= budget.max_transactions().saturating_add(ROW_SLACK) {
                    return Err(budget.too_many());
                }
                rows.push(Row {
                    cells: record
                        .iter()
                        .take(MAX_COLUMNS)
                        .map(|c| c.trim_start_matches('\u{feff}').to_string())
                        .collect(),
                    line,
                });
            }
            Ok(false) => break,
            // Only UTF-8 errors are possible on &str input; skip the record.
            Err(_) => continue,
        }
    }
    Ok(rows)
}

/// The delimiter giving the most rows with the same field count (more fields
/// breaking ties), over the start of the file.
fn sniff_delimiter(text: &str) -> u8 {
    let sample: String = text.lines().take(60).collect::<Vec<_>>().join("\n");
    let mut best = (b',', 0usize, 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        // A 60-line sample stays far inside the default limits.
        let mut budget = Budget::new(&Limits::default(), F);
        let rows = read_rows(&sample, d, &mut budget).unwrap_or_default();
        let mut counts: Vec<usize> = rows
            .iter()
            .filter(|r| !r.is_blank())
            .map(|r| r.cells.len())
            .collect();
        counts.sort_unstable();
        let mut modal = (0usize, 0usize);
        let mut i = 0;
        while let Some(&c) = counts.get(i) {
            let n = counts.iter().skip(i).take_while(|x| **x == c).count();
            if n > modal.1 || (n == modal.1 && c > modal.0) {
                modal = (c, n);
            }
            i += n;
        }
        if modal.0 >= 2 && (modal.1 > best.2 || (modal.1 == best.2 && modal.0 > best.1)) {
            best = (d, modal.0, modal.1);
        }
    }
    best.0
}

#[derive(Debug, Clone)]
enum Money {
    Signed(usize),
    Split {
        debit: Option<usize>,
        credit: Option<usize>,
    },
}

#[derive(Debug, Clone)]
struct Layout {
    /// Index into the rows of the header line, if the file has one.
    header: Option<usize>,
    date: usize,
    date_format: String,
    money: Money,
    description: Option<usize>,
    name: Option<usize>,
    currency: Option<usize>,
    id: Option<usize>,
    check: Option<usize>,
    kind: Option<usize>,
    /// Column of D/C, debit/credit, Af/Bij markers that give the sign.
    indicator: Option<usize>,
    account: Option<usize>,
    /// Running balance after each row.
    balance: Option<usize>,
    /// UK sort code of the account.
    bank: Option<usize>,
    /// Account holder's name.
    owner: Option<usize>,
    mark: DecimalMark,
    negate: bool,
}

impl Layout {
    /// A date and the money, no header and no other column: what the
    /// layouts that know fewer columns than a header can name start from.
    fn bare(date: usize, date_format: String, money: Money, mark: DecimalMark) -> Layout {
        Layout {
            header: None,
            date,
            date_format,
            money,
            description: None,
            name: None,
            currency: None,
            id: None,
            check: None,
            kind: None,
            indicator: None,
            account: None,
            balance: None,
            bank: None,
            owner: None,
            mark,
            negate: false,
        }
    }
}

pub(crate) fn parse_auto(bytes: &[u8], limits: &Limits) -> Result<Statement, ParseError> {
    let text = decode(bytes, None);
    let delimiter = sniff_delimiter(&text);
    let mut budget = Budget::new(limits, F);
    let rows = read_rows(&text, delimiter, &mut budget)?;
    drop(text);
    let layout = detect_layout(&rows, delimiter)?;
    build(&rows, &layout, &mut budget)
}

pub(crate) fn parse_mapped(
    bytes: &[u8],
    mapping: &CsvMapping,
    limits: &Limits,
) -> Result<Statement, ParseError> {
    let text = decode(bytes, None);
    let delimiter = match mapping.delimiter {
        Some(c) => u8::try_from(u32::from(c))
            .ok()
            .filter(u8::is_ascii)
            .ok_or_else(|| {
                ParseError::new(
                    Some(F),
                    "the mapping's delimiter must be an ASCII character",
                )
            })?,
        None => sniff_delimiter(&text),
    };
    let mut budget = Budget::new(limits, F);
    let rows = read_rows(&text, delimiter, &mut budget)?;
    drop(text);
    let layout = mapped_layout(&rows, mapping, delimiter)?;
    build(&rows, &layout, &mut budget)
}

fn headers_of(row: &Row) -> Vec<String> {
    row.cells.iter().map(|c| norm(c)).collect()
}

/// Rows after the header, without blank lines and repeated header lines
/// (some exports repeat the header at the end). Computed once per file:
/// every column scan works on this list.
fn data_rows(rows: &[Row], header: Option<usize>) -> Vec<&Row> {
    let start = header.map_or(0, |h| h + 1);
    let header_cells: Option<Vec<String>> = header.and_then(|h| rows.get(h)).map(headers_of);
    rows.iter()
        .skip(start)
        .filter(|r| !r.is_blank())
        .filter(|r| {
            header_cells.as_ref().is_none_or(|h| {
                r.cells.len() != h.len() || r.cells.iter().zip(h).any(|(c, h)| norm(c) != *h)
            })
        })
        .collect()
}

fn detect_layout(rows: &[Row], delimiter: u8) -> Result<Layout, ParseError> {
    for (i, row) in rows.iter().enumerate().take(HEADER_SCAN) {
        let headers = headers_of(row);
        if pick(&headers, date_score, &[]).is_none() {
            continue;
        }
        let has_money = pick(&headers, amount_score, &[]).is_some_and(|(_, s)| s >= 3)
            || pick(&headers, debit_score, &[]).is_some()
            || pick(&headers, credit_score, &[]).is_some();
        if has_money {
            return header_layout(rows, i, &headers, delimiter);
        }
    }
    headerless_layout(rows, delimiter)
}

fn decimal_mark<'a>(values: impl Iterator<Item = &'a str>, delimiter: u8) -> DecimalMark {
    let (mut dot, mut comma) = (0, 0);
    for v in values {
        let v = v.trim();
        let last_sep = v.rfind(['.', ',']);
        let Some(i) = last_sep else { continue };
        let after = v.get(i + 1..).unwrap_or_default();
        let digits_after = after.chars().take_while(char::is_ascii_digit).count();
        let sep = v.get(i..=i).unwrap_or_default();
        let both = v.contains('.') && v.contains(',');
        if both || digits_after != 3 {
            if sep == "." {
                dot += 1;
            } else {
                comma += 1;
            }
        }
    }
    match (dot > 0, comma > 0) {
        (true, false) => DecimalMark::Dot,
        (false, true) => DecimalMark::Comma,
        _ if delimiter == b',' => DecimalMark::Dot,
        _ if delimiter == b';' => DecimalMark::Comma,
        _ => DecimalMark::Auto,
    }
}

fn money_columns(money: &Money) -> Vec<usize> {
    match money {
        Money::Signed(i) => vec![*i],
        Money::Split { debit, credit } => debit.iter().chain(credit.iter()).copied().collect(),
    }
}

/// Choose the date column with the most readable values (header score
/// breaking ties) and the format that reads them.
fn choose_date(
    data: &[&Row],
    candidates: &[(usize, u8)],
    day_first: bool,
) -> Option<(usize, String)> {
    let mut best: Option<(usize, usize, u8, &'static str)> = None;
    for &(col, score) in candidates {
        let values = data.iter().map(|r| r.cell(col));
        let Some(format) = infer_date_format(values.clone(), day_first) else {
            continue;
        };
        let ok = values.filter(|v| parse_with(v, format).is_some()).count();
        if best.is_none_or(|(_, n, s, _)| ok > n || (ok == n && score > s)) {
            best = Some((col, ok, score, format));
        }
    }
    best.map(|(c, _, _, f)| (c, f.to_string()))
}

/// Like [`infer_format`], but files with decimal commas (European) read
/// ambiguous dates day-first.
fn infer_date_format<'a>(
    values: impl Iterator<Item = &'a str> + Clone,
    day_first: bool,
) -> Option<&'static str> {
    let chosen = infer_format(values.clone())?;
    if !day_first || !chosen.starts_with("%m") {
        return Some(chosen);
    }
    let swapped = chosen
        .replacen("%m", "%@", 1)
        .replacen("%d", "%m", 1)
        .replacen("%@", "%d", 1);
    let Some(alt) = CSV_DATE_FORMATS.iter().find(|f| **f == swapped) else {
        return Some(chosen);
    };
    let count = |f: &str| {
        values
            .clone()
            .filter(|v| parse_with(v, f).is_some())
            .count()
    };
    Some(if count(alt) >= count(chosen) {
        alt
    } else {
        chosen
    })
}

fn header_layout(
    rows: &[Row],
    header: usize,
    headers: &[String],
    delimiter: u8,
) -> Result<Layout, ParseError> {
    let data = data_rows(rows, Some(header));
    let money = money_by_header(headers)?;
    let money_cols = money_columns(&money);
    let mark = decimal_mark(
        data.iter()
            .flat_map(|r| money_cols.iter().map(|c| r.cell(*c))),
        delimiter,
    );
    let (date, date_format) = date_by_header(headers, &data, &money_cols, mark)?;
    let mut used = money_cols.clone();
    used.push(date);
    let description = pick(headers, description_score, &used).map(|(i, _)| i);
    if let Some(d) = description {
        used.push(d);
    }
    let name = pick(headers, name_score, &used).map(|(i, _)| i);
    let indicator = headers
        .iter()
        .enumerate()
        .find_map(|(i, _)| (!used.contains(&i) && is_indicator_column(&data, i)).then_some(i));
    let kind =
        find_exact(headers, KIND_HEADERS).filter(|k| Some(*k) != indicator && !used.contains(k));
    let mut not_balance = money_cols.clone();
    not_balance.push(date);
    let balance = pick(headers, balance_score, &not_balance).map(|(i, _)| i);
    let layout = Layout {
        header: Some(header),
        date,
        date_format,
        money,
        description,
        name,
        currency: find_exact(headers, CURRENCY_HEADERS),
        id: find_exact(headers, ID_HEADERS),
        check: find_exact(headers, CHECK_HEADERS),
        kind,
        indicator,
        account: find_exact(headers, ACCOUNT_HEADERS),
        balance,
        bank: find_exact(headers, SORT_CODE_HEADERS),
        owner: find_exact(headers, OWNER_HEADERS),
        mark,
        negate: false,
    };
    Ok(amount_by_balance(rows, headers, layout))
}

/// The money columns the headers name: one signed amount, or debit and
/// credit columns.
fn money_by_header(headers: &[String]) -> Result<Money, ParseError> {
    let amount = pick(headers, amount_score, &[]).filter(|(_, s)| *s >= 3);
    let debit = pick(headers, debit_score, &[]).map(|(i, _)| i);
    let credit = pick(headers, credit_score, &[]).map(|(i, _)| i);
    match (amount, debit, credit) {
        (Some((i, _)), _, _) => Ok(Money::Signed(i)),
        (None, d, c) if d.is_some() || c.is_some() => Ok(Money::Split {
            debit: d,
            credit: c,
        }),
        _ => Err(ParseError::new(
            Some(F),
            "no amount, debit or credit column found; pass a column mapping",
        )),
    }
}

/// The date column (by header, then by which of the candidates' values
/// read as dates) and its format.
fn date_by_header(
    headers: &[String],
    data: &[&Row],
    money_cols: &[usize],
    mark: DecimalMark,
) -> Result<(usize, String), ParseError> {
    let candidates: Vec<(usize, u8)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let s = date_score(h);
            (s > 0 && !money_cols.contains(&i)).then_some((i, s))
        })
        .collect();
    choose_date(data, &candidates, mark == DecimalMark::Comma)
        // A header with no rows is an empty statement, not an error.
        .or_else(|| {
            data.is_empty()
                .then(|| {
                    candidates
                        .first()
                        .map(|(c, _)| (*c, "%Y-%m-%d".to_string()))
                })
                .flatten()
        })
        .ok_or_else(|| {
            ParseError::new(
                Some(F),
                "no column looks like a date; pass a column mapping",
            )
        })
}

/// Among several signed amount columns (PayPal's Gross and Net), the one
/// the running balance follows. The header's choice stands unless another
/// column makes the balance equation hold for more rows.
fn amount_by_balance(rows: &[Row], headers: &[String], layout: Layout) -> Layout {
    let (Some(balance), Money::Signed(current)) = (layout.balance, &layout.money) else {
        return layout;
    };
    let current = *current;
    let candidates: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| {
            *i != current && *i != balance && *i != layout.date && amount_score(h) >= 3
        })
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return layout;
    }
    let mut best = (chain_holds(rows, &layout), current);
    for c in candidates {
        let trial = Layout {
            money: Money::Signed(c),
            ..layout.clone()
        };
        let holds = chain_holds(rows, &trial);
        if holds > best.0 {
            best = (holds, c);
        }
    }
    Layout {
        money: Money::Signed(best.1),
        ..layout
    }
}

/// Row pairs whose running balance follows, over all accounts, when the
/// file is read with `layout`; 0 when it does not read.
fn chain_holds(rows: &[Row], layout: &Layout) -> usize {
    // The rows are already read within the caller's limits.
    let unbounded = Limits {
        max_transactions: usize::MAX,
        max_elements: usize::MAX,
    };
    let mut budget = Budget::new(&unbounded, F);
    build(rows, layout, &mut budget).map_or(0, |s| {
        s.accounts
            .iter()
            .map(|a| running::chronological(&a.transactions).1.holds)
            .sum()
    })
}

fn indicator_sign(v: &str) -> Option<Decimal> {
    match v.trim().to_ascii_lowercase().as_str() {
        "d" | "dr" | "debit" | "af" | "s" | "debet" | "out" => Some(Decimal::NEGATIVE_ONE),
        "c" | "cr" | "credit" | "bij" | "h" | "in" => Some(Decimal::ONE),
        _ => None,
    }
}

fn is_indicator_column(data: &[&Row], col: usize) -> bool {
    let mut any = false;
    for r in data {
        let v = r.cell(col);
        if v.is_empty() {
            continue;
        }
        if indicator_sign(v).is_none() {
            return false;
        }
        any = true;
    }
    any
}

/// No header: a column that is all dates and another that is all amounts
/// (the Wells Fargo layout: date, amount, "*", check number, description).
fn headerless_layout(rows: &[Row], delimiter: u8) -> Result<Layout, ParseError> {
    let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let data: Vec<&Row> = rows.iter().filter(|r| !r.is_blank()).collect();
    if data.is_empty() {
        return Err(ParseError::new(Some(F), "no rows"));
    }
    let mut date = None;
    for col in 0..width {
        let values = data.iter().map(|r| r.cell(col));
        if let Some(f) = infer_format(values.clone()) {
            if values.clone().all(|v| parse_with(v, f).is_some()) {
                date = Some((col, f.to_string()));
                break;
            }
        }
    }
    let Some((date, date_format)) = date else {
        return Err(ParseError::new(
            Some(F),
            "no column looks like a date; pass a column mapping",
        ));
    };
    let mut amount = None;
    for col in 0..width {
        if col == date {
            continue;
        }
        let all = data.iter().all(|r| {
            let v = r.cell(col);
            !v.is_empty()
                && v.contains(|c: char| c.is_ascii_digit())
                && parse_amount(v, DecimalMark::Auto).is_some()
        });
        // Identifier-looking numbers (no decimal mark anywhere) are not amounts.
        let has_decimals = data.iter().any(|r| r.cell(col).contains(['.', ',']));
        if all && has_decimals {
            amount = Some(col);
            break;
        }
    }
    let Some(amount) = amount else {
        return Err(ParseError::new(
            Some(F),
            "no header row and no column of amounts; pass a column mapping",
        ));
    };
    let description = (0..width)
        .filter(|c| *c != date && *c != amount)
        .max_by_key(|c| {
            data.iter()
                .map(|r| r.cell(*c).chars().filter(|ch| ch.is_alphabetic()).count())
                .sum::<usize>()
        });
    let mark = decimal_mark(data.iter().map(|r| r.cell(amount)), delimiter);
    Ok(Layout {
        description,
        ..Layout::bare(date, date_format, Money::Signed(amount), mark)
    })
}

fn mapped_layout(rows: &[Row], m: &CsvMapping, delimiter: u8) -> Result<Layout, ParseError> {
    let columns = Mapped::of(rows, m)?;
    let date = columns.resolve(&m.date)?;
    let money = match (&m.amount, &m.debit, &m.credit) {
        (Some(a), _, _) => Money::Signed(columns.resolve(a)?),
        (None, d, c) if d.is_some() || c.is_some() => Money::Split {
            debit: d.as_deref().map(|d| columns.resolve(d)).transpose()?,
            credit: c.as_deref().map(|c| columns.resolve(c)).transpose()?,
        },
        _ => {
            return Err(ParseError::new(
                Some(F),
                "the mapping needs an amount column or debit/credit columns",
            ))
        }
    };
    let description = Some(columns.resolve(&m.description)?);
    let balance = m
        .balance
        .as_deref()
        .map(|b| columns.resolve(b))
        .transpose()?;
    let money_cols = money_columns(&money);
    let data = data_rows(rows, columns.header);
    let mark = decimal_mark(
        data.iter()
            .flat_map(|r| money_cols.iter().map(|c| r.cell(*c))),
        delimiter,
    );
    let date_format = match &m.date_format {
        Some(f) => f.clone(),
        None => infer_date_format(
            data.iter().map(|r| r.cell(date)),
            mark == DecimalMark::Comma,
        )
        .ok_or_else(|| {
            ParseError::new(
                Some(F),
                format!(
                    "values in <{}> are not dates in a known format; pass date_format",
                    m.date
                ),
            )
        })?
        .to_string(),
    };
    Ok(Layout {
        header: columns.header,
        description,
        balance,
        negate: m.negate,
        ..Layout::bare(date, date_format, money, mark)
    })
}

/// How a mapping names columns: by number (1-based) in a headerless file,
/// else by header, in the row that holds the mapped date column's name.
struct Mapped {
    header: Option<usize>,
    headers: Vec<String>,
}

impl Mapped {
    fn number(s: &str) -> Option<usize> {
        s.trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .map(|n| n - 1)
    }

    fn of(rows: &[Row], m: &CsvMapping) -> Result<Mapped, ParseError> {
        if Mapped::number(&m.date).is_some() {
            return Ok(Mapped {
                header: None,
                headers: Vec::new(),
            });
        }
        let want = norm(&m.date);
        let header = rows
            .iter()
            .take(HEADER_SCAN)
            .position(|r| headers_of(r).contains(&want))
            .ok_or_else(|| {
                ParseError::new(
                    Some(F),
                    format!("mapped date column <{}> not found in the header", m.date),
                )
            })?;
        Ok(Mapped {
            header: Some(header),
            headers: rows.get(header).map(headers_of).unwrap_or_default(),
        })
    }

    fn resolve(&self, name: &str) -> Result<usize, ParseError> {
        if self.header.is_none() {
            return Mapped::number(name).ok_or_else(|| {
                ParseError::new(
                    Some(F),
                    format!("mapped column <{name}> is not a column number"),
                )
            });
        }
        let want = norm(name);
        self.headers.iter().position(|h| *h == want).ok_or_else(|| {
            ParseError::new(
                Some(F),
                format!("mapped column <{name}> not found in the header"),
            )
        })
    }
}

fn column_label(rows: &[Row], layout: &Layout, col: usize) -> String {
    layout
        .header
        .and_then(|h| rows.get(h))
        .map(|r| r.cell(col).to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("column {}", col + 1))
}

/// Rows into accounts: one per account-number column value and currency,
/// so no account mixes currencies (a PayPal export with EUR, USD and AUD
/// rows gives three). With a running balance column, each account's opening
/// and closing balances come from it (see [`running`]).
fn build(rows: &[Row], layout: &Layout, budget: &mut Budget) -> Result<Statement, ParseError> {
    let data = data_rows(rows, layout.header);
    // Footer lines ("Total", "Balance at start of period") have no date;
    // only rows before the last dated row must have one.
    let last_dated = data
        .iter()
        .rposition(|r| parse_with(r.cell(layout.date), &layout.date_format).is_some());
    let mut accounts = ByAccount::default();
    for (i, row) in data.iter().enumerate() {
        let raw_date = row.cell(layout.date);
        let Some(date) = parse_with(raw_date, &layout.date_format) else {
            if raw_date.is_empty() || last_dated.is_none_or(|l| i > l) {
                continue;
            }
            return Err(ParseError::at(
                F,
                row.line,
                format!(
                    "<{}> is not a date",
                    column_label(rows, layout, layout.date)
                ),
            ));
        };
        // A dated row with no amount at all ("Beginning balance as of ...")
        // is a balance or information line, not a transaction.
        let Some(amount) = row_amount(rows, layout, row)? else {
            continue;
        };
        budget.built(1)?;
        accounts.add(layout, row, date, amount);
    }
    let mut accounts = accounts.list;
    for acct in &mut accounts {
        running::apply(acct);
    }
    if accounts.is_empty() {
        // A header with no rows is an empty statement, not an error.
        accounts.push(Account::default());
    }
    Ok(Statement {
        format: F,
        accounts,
    })
}

/// The file's accounts: one per account-number column value and currency.
#[derive(Default)]
struct ByAccount {
    list: Vec<Account>,
    index: HashMap<(Option<String>, Option<String>), usize>,
}

impl ByAccount {
    /// Adds a dated row with an amount to its account.
    fn add(&mut self, layout: &Layout, row: &Row, date: chrono::NaiveDate, amount: Decimal) {
        let text = |c: Option<usize>| {
            c.map(|c| row.cell(c))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let name = text(layout.name);
        let memo = text(layout.description)
            .or_else(|| name.clone())
            .unwrap_or_default();
        let currency = text(layout.currency).map(|c| c.to_ascii_uppercase());
        let key = (text(layout.account), currency.clone());
        let idx = match self.index.get(&key) {
            Some(i) => *i,
            None => {
                self.list.push(Account {
                    account_id: key.0.clone(),
                    currency: key.1.clone(),
                    ..Account::default()
                });
                self.index.insert(key, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        // An unreadable balance cell costs the row nothing but its balance.
        let balance = layout
            .balance
            .and_then(|c| parse_amount(row.cell(c), layout.mark));
        let acct = &mut self.list[idx];
        if acct.bank_id.is_none() {
            acct.bank_id = text(layout.bank)
                .map(|b| b.trim_start_matches('\'').trim().to_string())
                .filter(|b| !b.is_empty());
        }
        if acct.owner_name.is_none() {
            acct.owner_name = text(layout.owner);
        }
        acct.transactions.push(Transaction {
            date,
            amount,
            currency,
            id: text(layout.id),
            name,
            memo,
            kind: text(layout.kind).map(|k| k.to_ascii_uppercase()),
            check_number: text(layout.check),
            balance,
        });
    }
}

fn row_amount(rows: &[Row], layout: &Layout, row: &Row) -> Result<Option<Decimal>, ParseError> {
    let read = |col: usize| -> Result<Option<Decimal>, ParseError> {
        let v = row.cell(col);
        if v.is_empty() {
            return Ok(None);
        }
        parse_amount(v, layout.mark).map(Some).ok_or_else(|| {
            ParseError::at(
                F,
                row.line,
                format!("<{}> is not an amount", column_label(rows, layout, col)),
            )
        })
    };
    let amount = match &layout.money {
        Money::Signed(col) => read(*col)?,
        Money::Split { debit, credit } => {
            let d = debit.map(read).transpose()?.flatten();
            let c = credit.map(read).transpose()?.flatten();
            if d.is_none() && c.is_none() {
                None
            } else {
                // Debit columns hold spend either as positive or negative numbers.
                let net = c
                    .unwrap_or_default()
                    .checked_sub(d.unwrap_or_default().abs());
                Some(net.ok_or_else(|| {
                    ParseError::at(
                        F,
                        row.line,
                        "debit and credit do not net to a representable amount",
                    )
                })?)
            }
        }
    };
    let Some(mut amount) = amount else {
        return Ok(None);
    };
    if let Some(sign) = layout.indicator.and_then(|c| indicator_sign(row.cell(c))) {
        amount = amount.abs() * sign;
    }
    if layout.negate {
        amount = -amount;
    }
    Ok(Some(amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2,5;3\n4;5,5;6\n"), b';');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3\n"), b'\t');
    }

    #[test]
    fn marks() {
        assert_eq!(
            decimal_mark(["1,50", "2"].into_iter(), b','),
            DecimalMark::Comma
        );
        assert_eq!(
            decimal_mark(["1,000.50"].into_iter(), b';'),
            DecimalMark::Dot
        );
        assert_eq!(decimal_mark(["1,000"].into_iter(), b','), DecimalMark::Dot);
        assert_eq!(
            decimal_mark(["1.000"].into_iter(), b';'),
            DecimalMark::Comma
        );
    }
}
