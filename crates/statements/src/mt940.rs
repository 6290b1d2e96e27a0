//! SWIFT MT940 (and MT942 interim reports, which share the fields): with or
//! without `{1:}{2:}{4:` block wrappers, CRLF or LF, several statements per
//! file (each `:20:` starts one; the statements of one account are joined
//! into one [`Account`] that opens on the earliest statement's opening
//! balance and closes on the latest one's, statements of different accounts
//! give one [`Account`] each).

use crate::amount::{parse_amount, DecimalMark};
use crate::date::yymmdd;
use crate::detect::swift_tag;
use crate::error::ParseError;
use crate::finish::merge_statements;
use crate::limits::{Budget, Limits};
use crate::model::{Account, Balance, Format, Statement, Transaction};
use crate::text::{collapse, decode};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

const F: Format = Format::Mt940;

struct Field {
    tag: String,
    value: String,
    line: usize,
}

/// Field tags of MT940 and MT942. A line that looks like a tag but is not
/// one of these (":12:11" where a bank wrapped a timestamp) continues the
/// previous field.
const KNOWN_TAGS: &[&str] = &[
    "20", "21", "25", "25P", "28", "28C", "60F", "60M", "61", "62F", "62M", "64", "65", "86", "13",
    "13D", "34F", "90D", "90C", "NS",
];

/// Strip the SWIFT envelope ("{1:...}{2:...}{3:{108:...}}{4:") from a line.
fn strip_envelope(mut line: &str) -> &str {
    loop {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("{4:") {
            line = rest;
            continue;
        }
        if t.starts_with('{') && t.get(2..3) == Some(":") {
            line = skip_block(t);
            continue;
        }
        return line;
    }
}

/// Split the text into tagged fields and statement breaks, dropping the
/// SWIFT envelope. `None` marks a message end (`-` or `-}`).
///
/// Lines count against the element limit and `:61:` fields against the
/// transaction limit, before anything is built from them.
fn fields(text: &str, budget: &mut Budget) -> Result<Vec<Option<Field>>, ParseError> {
    let mut lines: Vec<&str> = Vec::new();
    for l in text.lines() {
        budget.elements(1)?;
        lines.push(strip_envelope(l.trim_end_matches(['\r', '\u{1a}'])));
    }
    let mut out: Vec<Option<Field>> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let line_no = i + 1;
        let trimmed = line.trim();
        if trimmed.starts_with("-}") || (trimmed == "-" && ends_message(&lines, i)) {
            out.push(None);
            continue;
        }
        let start = line.trim_start();
        let tag =
            swift_tag(start).filter(|t| KNOWN_TAGS.contains(&t.to_ascii_uppercase().as_str()));
        match (tag, out.last_mut()) {
            (Some(tag), _) => {
                if tag == "61" {
                    budget.saw_transaction()?;
                }
                let value = start.get(tag.len() + 2..).unwrap_or_default();
                out.push(Some(Field {
                    tag: tag.to_ascii_uppercase(),
                    value: value.to_string(),
                    line: line_no,
                }));
            }
            (None, Some(Some(last))) => {
                last.value.push('\n');
                last.value.push_str(line);
            }
            // Lines before the first field (bank headers such as "940 00") are noise.
            _ => {}
        }
    }
    Ok(out)
}

/// A lone "-" ends a message only where something that is not field text
/// follows: ING wraps ":86:" text so that a line of just "-" appears in it.
fn ends_message(lines: &[&str], i: usize) -> bool {
    let next = lines
        .iter()
        .skip(i + 1)
        .map(|l| l.trim())
        .find(|l| !l.is_empty());
    match next {
        None => true,
        Some(l) => l.starts_with('{') || l.starts_with('-') || swift_tag(l).is_some(),
    }
}

/// Skip one `{n:...}` block, nested braces included.
fn skip_block(s: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return s.get(i + 1..).unwrap_or_default();
                }
            }
            _ => {}
        }
    }
    ""
}

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Statement, ParseError> {
    let text = decode(bytes, None);
    parse_text(&text, limits)
}

#[derive(Default)]
struct Builder {
    accounts: Vec<Account>,
    current: Option<Account>,
    /// Whether the last field was a `:61:`, so a following `:86:` belongs to it.
    after_61: bool,
}

impl Builder {
    fn account(&mut self) -> &mut Account {
        self.current.get_or_insert_with(Account::default)
    }

    /// Close the current statement. Its period runs from its opening
    /// balance date to its closing balance date (`:60F:`/`:62F:`).
    fn finish(&mut self) {
        self.after_61 = false;
        let Some(mut next) = self.current.take() else {
            return;
        };
        next.start_date = next.opening_balance.as_ref().and_then(|b| b.date);
        next.end_date = next.closing_balance.as_ref().and_then(|b| b.date);
        self.accounts.push(next);
    }
}

pub(crate) fn parse_text(text: &str, limits: &Limits) -> Result<Statement, ParseError> {
    // Old Mac exports end lines with a bare CR.
    let normalised;
    let text = if text.contains('\r') {
        normalised = text.replace("\r\n", "\n").replace('\r', "\n");
        normalised.as_str()
    } else {
        text
    };
    let mut budget = Budget::new(limits, F);
    let mut b = Builder::default();
    for field in fields(text, &mut budget)? {
        match field {
            Some(field) => b.field(&field.tag, field.value.trim_end(), field.line, &mut budget)?,
            None => b.finish(),
        }
    }
    b.finish();
    let accounts = merge_statements(b.accounts);
    if accounts.is_empty() {
        return Err(ParseError::new(
            Some(F),
            "no statement fields (:20:, :25:, :60F:, :61:, :62F:) found",
        ));
    }
    Ok(Statement {
        format: F,
        accounts,
    })
}

impl Builder {
    /// Reads one field (`tag`, its `value`) into the statement being built.
    fn field(
        &mut self,
        tag: &str,
        value: &str,
        line: usize,
        budget: &mut Budget,
    ) -> Result<(), ParseError> {
        let was_61 = std::mem::replace(&mut self.after_61, false);
        match tag {
            "20" => {
                self.finish();
                self.account();
            }
            "25" | "25P" => {
                let id = value.lines().next().unwrap_or_default().trim();
                let acct = self.account();
                if !id.is_empty() && acct.account_id.is_none() {
                    acct.account_id = Some(id.to_string());
                    if let Some((bank, _)) = id.split_once('/') {
                        acct.bank_id = Some(bank.trim().to_string()).filter(|s| !s.is_empty());
                    }
                }
            }
            "60F" | "60M" | "60" => {
                let bal = balance(value, line)?;
                let acct = self.account();
                if acct.currency.is_none() {
                    acct.currency = bal.1;
                }
                if acct.opening_balance.is_none() {
                    acct.opening_balance = Some(bal.0);
                }
            }
            "62F" | "62M" | "62" => {
                let bal = balance(value, line)?;
                let acct = self.account();
                if acct.currency.is_none() {
                    acct.currency = bal.1;
                }
                acct.closing_balance = Some(bal.0);
            }
            "64" => {
                let bal = balance(value, line)?;
                self.account().available_balance = Some(bal.0);
            }
            "61" => {
                let acct = self.account();
                let mut t = statement_line(value, line)?;
                t.currency.clone_from(&acct.currency);
                acct.transactions.push(t);
                budget.built(1)?;
                self.after_61 = true;
            }
            "86" if was_61 => {
                if let Some(t) = self.account().transactions.last_mut() {
                    let (name, memo) = details(value);
                    t.name = name;
                    if !memo.is_empty() {
                        t.memo = memo;
                    }
                }
            }
            // Other fields (:28C:, :NS:, a statement-level :86:) carry nothing
            // we keep, but they do make the file an MT940 statement.
            _ => {
                self.account();
            }
        }
        Ok(())
    }
}

/// `C100318EUR380115,12`: mark, date, currency, amount.
fn balance(value: &str, line: usize) -> Result<(Balance, Option<String>), ParseError> {
    let v = value.trim();
    let bad = || {
        ParseError::at(
            F,
            line,
            "balance field is not <C|D><YYMMDD><currency><amount>",
        )
    };
    let mark = v.get(..1).ok_or_else(bad)?;
    let sign = match mark {
        "C" => Decimal::ONE,
        "D" => Decimal::NEGATIVE_ONE,
        _ => return Err(bad()),
    };
    let date = v.get(1..7).and_then(yymmdd);
    let currency = v
        .get(7..10)
        .filter(|c| c.chars().all(|ch| ch.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase);
    // Some banks leave the currency out ("C020315105000,00"): the amount
    // then starts right after the date.
    let amount_from = if currency.is_some() { 10 } else { 7 };
    let amount = v
        .get(amount_from..)
        .and_then(|a| parse_amount(a.lines().next().unwrap_or_default(), DecimalMark::Comma))
        .ok_or_else(bad)?;
    Ok((
        Balance {
            amount: amount * sign,
            date,
        },
        currency,
    ))
}

/// `:61:` statement line: `YYMMDD[MMDD](C|D|RC|RD)[funds code]amount
/// (N|F|S)xxx reference[//bank reference]` and an optional second line of
/// supplementary details. Banks break the first line in odd places, so
/// when it does not read on its own it is read joined to the second.
fn statement_line(value: &str, line: usize) -> Result<Transaction, ParseError> {
    let mut lines = value.lines();
    let first = lines.next().unwrap_or_default();
    let rest: Vec<&str> = lines.collect();
    if let Some(t) = read_61(first, rest.first().copied()) {
        return Ok(t);
    }
    let joined: String = value.lines().map(str::trim).collect::<Vec<_>>().concat();
    read_61(&joined, None).ok_or_else(|| {
        ParseError::at(
            F,
            line,
            ":61: statement line without a readable value date, debit/credit mark and amount",
        )
    })
}

fn read_61(s: &str, supplementary: Option<&str>) -> Option<Transaction> {
    let s = s.trim_start();
    let value_date = value_date(s.get(..6)?)?;
    let mut rest = s.get(6..)?;
    // Optional entry date MMDD; some banks pad a missing one with spaces.
    let mut entry: Option<(u32, u32)> = None;
    if let Some(md) = rest.get(..4) {
        if md.bytes().all(|b| b.is_ascii_digit()) {
            entry = Some((md.get(..2)?.parse().ok()?, md.get(2..)?.parse().ok()?));
            rest = rest.get(4..)?;
        } else if md.trim().is_empty() {
            rest = rest.get(4..)?;
        }
    }
    rest = rest.trim_start();
    let (sign, after_mark) = if let Some(r) = rest.strip_prefix("RC") {
        (Decimal::NEGATIVE_ONE, r)
    } else if let Some(r) = rest.strip_prefix("RD") {
        (Decimal::ONE, r)
    } else if let Some(r) = rest.strip_prefix("EC").or_else(|| rest.strip_prefix("C")) {
        (Decimal::ONE, r)
    } else if let Some(r) = rest.strip_prefix("ED").or_else(|| rest.strip_prefix("D")) {
        (Decimal::NEGATIVE_ONE, r)
    } else {
        return None;
    };
    // Optional funds code: the third letter of the currency.
    let after_funds = match after_mark.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => after_mark.get(1..)?,
        _ => after_mark,
    };
    let amount_len = after_funds
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(after_funds.len());
    let amount_text = after_funds.get(..amount_len)?;
    let amount = parse_amount(amount_text, DecimalMark::Comma)?;
    let tail = after_funds.get(amount_len..)?;
    let (kind, reference_part) = if tail.len() >= 4 && tail.is_char_boundary(4) {
        let (k, r) = tail.split_at(4);
        (Some(k.trim().to_string()).filter(|k| !k.is_empty()), r)
    } else {
        (Some(tail.trim().to_string()).filter(|k| !k.is_empty()), "")
    };
    let (customer_ref, bank_ref) = match reference_part.split_once("//") {
        Some((c, b)) => (c.trim(), Some(b.trim())),
        None => (reference_part.trim(), None),
    };
    let id = [Some(customer_ref), bank_ref]
        .into_iter()
        .flatten()
        .find(|r| !r.is_empty() && !r.eq_ignore_ascii_case("NONREF"))
        .map(str::to_string);
    let date = entry
        .and_then(|(m, d)| entry_date(value_date, m, d))
        .unwrap_or(value_date);
    Some(Transaction {
        date,
        amount: amount * sign,
        currency: None,
        id,
        name: None,
        memo: supplementary
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        kind,
        check_number: None,
        balance: None,
    })
}

/// German banks date month-end interest on a 30-day month ("160230"): read
/// an impossible day as the month's last day rather than drop the line.
fn value_date(s: &str) -> Option<NaiveDate> {
    if let Some(d) = yymmdd(s) {
        return Some(d);
    }
    let day: u32 = s.get(4..6)?.parse().ok()?;
    if !(29..=31).contains(&day) {
        return None;
    }
    (28..day)
        .rev()
        .find_map(|d| yymmdd(&format!("{}{d:02}", s.get(..4)?)))
}

/// The entry (booking) date has no year: it is the value date's year,
/// except across a year end (value 2 Jan, booked 31 Dec).
fn entry_date(value: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let year = value.year();
    let candidates = [year - 1, year, year + 1];
    candidates
        .iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(*y, month, day))
        .min_by_key(|d| (*d - value).num_days().abs())
}

/// Information to account owner. Structured German/SEPA style uses `?NN`
/// subfields (`?20`-`?29`, `?60`-`?63` purpose, `?32`/`?33` name); Dutch
/// and SEPA style uses `/NAME/`, `/REMI/` keywords; anything else is free
/// text.
fn details(value: &str) -> (Option<String>, String) {
    let flat: String = value.lines().collect::<Vec<_>>().concat();
    if flat.contains("?2") || flat.contains("?00") || flat.contains("?32") {
        let mut purpose = String::new();
        let mut name = String::new();
        for part in flat.split('?').skip(1) {
            let code = part.get(..2).unwrap_or_default();
            let text = part.get(2..).unwrap_or_default();
            match code {
                "20" | "21" | "22" | "23" | "24" | "25" | "26" | "27" | "28" | "29" | "60"
                | "61" | "62" | "63" => purpose.push_str(text),
                "32" | "33" => name.push_str(text),
                _ => {}
            }
        }
        let name = collapse(&name);
        let memo = collapse(&purpose);
        let memo = if memo.is_empty() { name.clone() } else { memo };
        return ((!name.is_empty()).then_some(name), memo);
    }
    let name = keyword(&flat, "/NAME/")
        .map(|n| collapse(&n))
        .filter(|n| !n.is_empty());
    // A returned SEPA payment names its reason ("/RTRN/MS03/"); the memo
    // keeps it, so the return is visible beside the remittance text.
    let returned = keyword(&flat, "/RTRN/")
        .map(|r| collapse(r.trim_matches('/')))
        .filter(|r| !r.is_empty());
    // SEPA-style "/EREF/../NAME/../REMI/USTD//text/": the remittance text is
    // what a person reads; the keyword soup is not.
    if let Some(remi) = keyword(&flat, "/REMI/") {
        let remi = remi
            .strip_prefix("USTD//")
            .unwrap_or(&remi)
            .trim_end_matches('/');
        let remi = collapse(remi);
        if !remi.is_empty() {
            return match returned {
                Some(r) => (name, format!("{remi} (RTRN {r})")),
                None => (name, remi),
            };
        }
    }
    let memo = collapse(&value.lines().map(str::trim).collect::<Vec<_>>().join(" "));
    (name, memo)
}

fn keyword(flat: &str, key: &str) -> Option<String> {
    let start = flat.find(key)? + key.len();
    let rest = flat.get(start..)?;
    // The value runs to the next "/KEYWORD/".
    let mut end = rest.len();
    let bytes = rest.as_bytes();
    for (i, c) in rest.char_indices() {
        if c == '/' {
            let word_len = bytes.get(i + 1..).map_or(0, |b| {
                b.iter().take_while(|c| c.is_ascii_uppercase()).count()
            });
            if word_len >= 2 && bytes.get(i + 1 + word_len) == Some(&b'/') {
                end = i;
                break;
            }
        }
    }
    rest.get(..end).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn statement_lines() {
        let t = read_61(
            "1409010902DR000000000001,62NTRF0000549855700010//025498557/000001",
            None,
        )
        .unwrap();
        assert_eq!(t.amount, Decimal::from_str("-1.62").unwrap());
        assert_eq!(t.date, NaiveDate::from_ymd_opt(2014, 9, 2).unwrap());
        assert_eq!(t.kind.as_deref(), Some("NTRF"));
        assert_eq!(t.id.as_deref(), Some("0000549855700010"));
        let r = read_61("110701RC50,00NTRFNONREF", None).unwrap();
        assert_eq!(r.amount, Decimal::from_str("-50.00").unwrap());
        let e = read_61("140101    C1,00NTRFNONREF//B1", None).unwrap();
        assert_eq!(e.id.as_deref(), Some("B1"));
        let y = read_61("2401021231D5,NMSCX", None).unwrap();
        assert_eq!(y.date, NaiveDate::from_ymd_opt(2023, 12, 31).unwrap());
        assert!(read_61("garbage", None).is_none());
    }

    #[test]
    fn line_endings() {
        for eol in ["\n", "\r\n", "\r"] {
            let text = [
                ":20:A",
                ":25:X",
                ":60F:C240101EUR1,00",
                ":61:240102D0,50NTRFNONREF",
                ":62F:C240102EUR0,50",
                "",
            ]
            .join(eol);
            let s = parse_text(&text, &Limits::default()).unwrap();
            assert_eq!(s.transaction_count(), 1, "{eol:?}");
        }
    }

    #[test]
    fn balance_without_currency() {
        let (b, c) = balance("C020315105000,00", 1).unwrap();
        assert_eq!(b.amount, Decimal::from_str("105000.00").unwrap());
        assert_eq!(b.date, NaiveDate::from_ymd_opt(2002, 3, 15));
        assert_eq!(c, None);
        let (b, c) = balance("D070904EUR4472049,09", 1).unwrap();
        assert_eq!(b.amount, Decimal::from_str("-4472049.09").unwrap());
        assert_eq!(c.as_deref(), Some("EUR"));
    }

    #[test]
    fn statements_of_one_account_close_on_the_latest() {
        // Two daily statements, newest first, then one of another account.
        let text = [
            ":20:S2",
            ":25:NL01BANK0123456789",
            ":28C:2/1",
            ":60F:C240102EUR110,00",
            ":61:240103D10,00NTRFNONREF",
            ":62F:C240103EUR100,00",
            "-",
            ":20:S1",
            ":25:NL01BANK0123456789",
            ":28C:1/1",
            ":60F:C240101EUR100,00",
            ":61:240102C10,00NTRFNONREF",
            ":62F:C240102EUR110,00",
            ":64:C240102EUR105,00",
            "-",
            ":20:S3",
            ":25:NL02BANK0123456789",
            ":60F:C240101EUR5,00",
            ":62F:C240101EUR5,00",
            "-",
        ]
        .join("\n");
        let s = parse_text(&text, &Limits::default()).unwrap();
        assert_eq!(s.accounts.len(), 2);
        let a = &s.accounts[0];
        assert_eq!(a.transactions.len(), 2);
        let day = |d| NaiveDate::from_ymd_opt(2024, 1, d);
        let dec = |v: &str| Decimal::from_str(v).unwrap();
        assert_eq!(
            a.opening_balance.as_ref().map(|b| (b.amount, b.date)),
            Some((dec("100.00"), day(1)))
        );
        assert_eq!(
            a.closing_balance.as_ref().map(|b| (b.amount, b.date)),
            Some((dec("100.00"), day(3))),
            "the latest statement's :62F:, not the last one in the file"
        );
        assert_eq!(
            a.available_balance.as_ref().map(|b| b.amount),
            Some(dec("105.00"))
        );
        assert_eq!((a.start_date, a.end_date), (day(1), day(3)));
        assert_eq!(a.currency.as_deref(), Some("EUR"));
        assert!(a.owner_name.is_none(), "MT940 carries no owner name");
    }

    #[test]
    fn structured_details() {
        let (name, memo) = details("166?00GUTSCHRIFT?20SVWZ+Invoice ?211234?32Peter Pan");
        assert_eq!(name.as_deref(), Some("Peter Pan"));
        assert_eq!(memo, "SVWZ+Invoice 1234");
        let (name, _) = details("/EREF/123/NAME/ACME BV/REMI/Invoice 1");
        assert_eq!(name.as_deref(), Some("ACME BV"));
        // ING's returned direct debit: the reason stays in the memo.
        let (_, memo) = details(
            "/RTRN/MS03//EREF/20120123456789//CNTP/NL32INGB0000012345/INGB\nNL2A/J.Janssen///REMI/USTD//Factuurnr 123456 Klantnr 00123/",
        );
        assert_eq!(memo, "Factuurnr 123456 Klantnr 00123 (RTRN MS03)");
    }
}
