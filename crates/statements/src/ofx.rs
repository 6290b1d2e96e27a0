//! OFX and QFX (1.x SGML and 2.x XML): header, charset, then statement
//! extraction from the element tree both readers produce.

use crate::amount::{parse_amount, DecimalMark};
use crate::date::ofx_date;
use crate::error::ParseError;
use crate::limits::{Budget, Limits};
use crate::model::{Account, Balance, Format, Statement, Transaction};
use crate::text::{decode, line_of};
use crate::tree::Node;
use crate::{ofx_sgml, xml_tree};
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

/// Keys of the OFX 1.x header block. Some banks write the block on one line
/// with no separators ("OFXHEADER:100DATA:OFXSGML..."), so values end where
/// the next key starts.
const HEADER_KEYS: &[&str] = &[
    "OFXHEADER:",
    "DATA:",
    "VERSION:",
    "SECURITY:",
    "ENCODING:",
    "CHARSET:",
    "COMPRESSION:",
    "OLDFILEUID:",
    "NEWFILEUID:",
];

fn header_value(header: &str, key: &str) -> Option<String> {
    let upper = header.to_ascii_uppercase();
    let start = upper.find(key)? + key.len();
    let rest = upper.get(start..)?;
    let mut end = rest
        .find(|c: char| c.is_whitespace() || c == '<')
        .unwrap_or(rest.len());
    for other in HEADER_KEYS {
        if let Some(i) = rest.find(other) {
            end = end.min(i);
        }
    }
    let v = rest.get(..end)?.trim().trim_matches('"').to_string();
    (!v.is_empty()).then_some(v)
}

/// The charset a file declares: XML declaration `encoding=`, else OFX 1.x
/// `ENCODING:UTF-8`, else `CHARSET:`.
fn declared_charset(head: &str) -> Option<String> {
    let upper = head.to_ascii_uppercase();
    if let Some(i) = upper.find("ENCODING=") {
        let rest = head.get(i + 9..)?;
        let q = rest.chars().next()?;
        if q == '"' || q == '\'' {
            let inner = rest.get(1..)?;
            return inner
                .find(q)
                .and_then(|e| inner.get(..e))
                .map(str::to_string);
        }
    }
    let encoding = header_value(head, "ENCODING:");
    if encoding.as_deref().is_some_and(|e| e.contains("UTF")) {
        return encoding;
    }
    header_value(head, "CHARSET:")
}

/// Parse an OFX/QFX file.
pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Statement, ParseError> {
    let head_len = bytes.len().min(4096);
    let head = String::from_utf8_lossy(bytes.get(..head_len).unwrap_or_default());
    let charset = declared_charset(&head);
    let text = decode(bytes, charset.as_deref());
    parse_text(&text, limits)
}

fn parse_text(text: &str, limits: &Limits) -> Result<Statement, ParseError> {
    let upper_head: String = text
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_uppercase();
    let xml = upper_head.contains("<?OFX")
        || upper_head.contains("<?XML")
        || header_value(&upper_head, "OFXHEADER:").is_some_and(|v| v.starts_with('2'));
    let format = if xml { Format::Ofx2 } else { Format::Ofx1 };

    let Some(body_start) = find_ofx_start(text) else {
        return Err(ParseError::new(Some(format), "no <OFX> element"));
    };
    let first_line = line_of(text, body_start);
    let body = text.get(body_start..).unwrap_or_default();

    // Files that say they are XML are read as XML; those that are not well
    // formed (SGML-style unclosed leaves under an XML header are common)
    // fall back to the SGML reader, which accepts both.
    // Each reader counts transactions and elements as it goes (a fresh
    // count for the SGML reader when the XML one gave up half way).
    let xml_root = if xml || looks_closed(body) {
        // Only the prologue before <OFX> is searched (and copied).
        let xml_start = text
            .get(..body_start)
            .and_then(|head| head.to_ascii_uppercase().find("<?XML"))
            .unwrap_or(body_start);
        let xml_text = text.get(xml_start..).unwrap_or_default();
        let mut budget = Budget::new(limits, format);
        match xml_tree::parse(
            xml_text,
            line_of(text, xml_start),
            true,
            &mut budget,
            ofx_sgml::TRANSACTION_TAGS,
        ) {
            Ok(root) => Some(root),
            Err(xml_tree::XmlError::Limit(e)) => return Err(e),
            Err(xml_tree::XmlError::Malformed { .. }) => None,
        }
    } else {
        None
    };
    let root = match xml_root {
        Some(root) => root,
        None => ofx_sgml::parse(body, first_line, &mut Budget::new(limits, format))?,
    };

    let Some(ofx) = root
        .find("OFX")
        .or_else(|| (root.name == "OFX").then_some(&root))
    else {
        return Err(ParseError::new(Some(format), "no <OFX> element"));
    };
    let mut budget = Budget::new(limits, format);
    let accounts = extract(ofx, format, &mut budget)?;
    Ok(Statement { format, accounts })
}

/// Where the `<OFX` element starts, matched without regard to case (and
/// without an uppercased copy of the whole file).
fn find_ofx_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|s| s.find('<')) {
        let at = from + i;
        from = at + 1;
        let is_ofx = bytes
            .get(at + 1..at + 4)
            .is_some_and(|t| t.eq_ignore_ascii_case(b"OFX"));
        if !is_ofx {
            continue;
        }
        let next = bytes.get(at + 4).copied();
        if matches!(
            next,
            Some(b'>') | Some(b' ') | Some(b'\t') | Some(b'\r') | Some(b'\n')
        ) {
            return Some(at);
        }
    }
    None
}

/// Headerless OFX that closes its leaf elements is XML in all but name.
fn looks_closed(body: &str) -> bool {
    let upper: String = body
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_uppercase();
    ["</CODE>", "</TRNAMT>", "</SEVERITY>", "</DTSERVER>"]
        .iter()
        .any(|t| upper.contains(t))
}

fn extract(ofx: &Node, format: Format, budget: &mut Budget) -> Result<Vec<Account>, ParseError> {
    let institution = ofx
        .find("SONRS")
        .and_then(|s| s.find("FI"))
        .and_then(|fi| fi.child_value("ORG"))
        .map(str::to_string);
    let mut accounts = Vec::new();
    let mut statements: Vec<&Node> = Vec::new();
    collect_statements(ofx, &mut statements);
    for stmt in statements {
        let mut account = match stmt.name.as_str() {
            "INVSTMTRS" => investment_statement(stmt, format)?,
            _ => bank_statement(stmt, format)?,
        };
        budget.built(account.transactions.len())?;
        account.institution.clone_from(&institution);
        accounts.push(account);
    }
    Ok(accounts)
}

fn collect_statements<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    let mut stack: Vec<&Node> = node.children.iter().rev().collect();
    while let Some(n) = stack.pop() {
        if matches!(n.name.as_str(), "STMTRS" | "CCSTMTRS" | "INVSTMTRS") {
            out.push(n);
        } else {
            stack.extend(n.children.iter().rev());
        }
    }
}

fn upper(s: &str) -> String {
    s.to_ascii_uppercase()
}

fn balance(stmt: &Node, name: &str) -> Option<Balance> {
    let bal = stmt.find(name)?;
    let amount = parse_amount(bal.find_value("BALAMT")?, DecimalMark::Auto)?;
    let date = bal.find_value("DTASOF").and_then(ofx_date);
    Some(Balance { amount, date })
}

/// `DTSTART`/`DTEND` of a transaction list: the period the statement covers.
fn period(list: Option<&Node>) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let Some(list) = list else {
        return (None, None);
    };
    (
        list.child_value("DTSTART").and_then(ofx_date),
        list.child_value("DTEND").and_then(ofx_date),
    )
}

/// A transaction's amount in the account's currency (`CURDEF`), and that
/// currency. `<ORIGCURRENCY>` says the amounts were already converted from
/// another currency, so they are in `CURDEF`. `<CURRENCY>` says they are in
/// `CURSYM`; with a `CURRATE` (`CURDEF` units per `CURSYM` unit) they are
/// converted, rounded to the amount's own precision (at least cents).
/// Without a rate the amount stays in `CURSYM` (the account is then split
/// by currency).
fn in_account_currency(
    trn: &Node,
    amount: Decimal,
    curdef: Option<&str>,
) -> (Decimal, Option<String>) {
    let Some(cur) = trn.find("CURRENCY") else {
        return (amount, curdef.map(str::to_string));
    };
    let sym = cur.child_value("CURSYM").map(upper);
    match (sym, curdef) {
        (Some(sym), Some(def)) if sym != def => {
            let rate = cur
                .child_value("CURRATE")
                .and_then(|r| parse_amount(r, DecimalMark::Auto))
                .filter(|r| *r > Decimal::ZERO);
            let converted = rate.and_then(|r| amount.checked_mul(r)).map(|v| {
                v.round_dp_with_strategy(
                    amount.scale().max(2),
                    RoundingStrategy::MidpointAwayFromZero,
                )
            });
            match converted {
                Some(v) => (v, Some(def.to_string())),
                None => (amount, Some(sym)),
            }
        }
        (sym, def) => (amount, def.map(str::to_string).or(sym)),
    }
}

fn bank_statement(stmt: &Node, format: Format) -> Result<Account, ParseError> {
    let currency = stmt
        .child_value("CURDEF")
        .or_else(|| stmt.find_value("CURDEF"))
        .map(upper);
    let mut account = Account {
        currency: currency.clone(),
        ..Account::default()
    };
    if let Some(from) = stmt.find("BANKACCTFROM") {
        account.account_id = from.find_value("ACCTID").map(str::to_string);
        account.bank_id = from.find_value("BANKID").map(str::to_string);
        account.account_type = from.find_value("ACCTTYPE").map(upper);
    } else if let Some(from) = stmt.find("CCACCTFROM") {
        account.account_id = from.find_value("ACCTID").map(str::to_string);
    }
    if stmt.name == "CCSTMTRS" {
        account.account_type = Some("CREDITCARD".to_string());
    }
    account.closing_balance = balance(stmt, "LEDGERBAL");
    account.available_balance = balance(stmt, "AVAILBAL");
    (account.start_date, account.end_date) = period(stmt.find("BANKTRANLIST"));
    for trn in stmt.find_all("STMTTRN") {
        // An aggregate with no fields at all ("<STMTTRN>*snipped*</STMTTRN>")
        // carries nothing to lose; one with some fields but no date or
        // amount is an error.
        if trn.children.is_empty() {
            continue;
        }
        account
            .transactions
            .push(bank_transaction(trn, currency.as_deref(), format)?);
    }
    Ok(account)
}

const TRN_FENCE: &[&str] = &["STMTTRN", "BANKACCTTO", "CCACCTTO", "EXTBANKACCTTO"];

fn bank_transaction(
    trn: &Node,
    currency: Option<&str>,
    format: Format,
) -> Result<Transaction, ParseError> {
    let field = |name: &str| trn.find_fenced(name, TRN_FENCE).and_then(Node::value);
    // DTUSER is the date the customer made the payment; it is a real date
    // from the file, so it stands in when a bank leaves DTPOSTED out.
    let date = field("DTPOSTED")
        .and_then(ofx_date)
        .or_else(|| field("DTUSER").and_then(ofx_date))
        .ok_or_else(|| missing(trn, format, "DTPOSTED"))?;
    let amount = field("TRNAMT")
        .and_then(|a| parse_amount(a, DecimalMark::Auto))
        .ok_or_else(|| missing(trn, format, "TRNAMT"))?;
    let (amount, trn_currency) = in_account_currency(trn, amount, currency);
    let name = field("NAME")
        .or_else(|| trn.find("PAYEE").and_then(|p| p.child_value("NAME")))
        .map(str::to_string);
    let memo = field("MEMO")
        .map(str::to_string)
        .or_else(|| name.clone())
        .unwrap_or_default();
    Ok(Transaction {
        date,
        amount,
        currency: trn_currency,
        id: field("FITID").map(str::to_string),
        name,
        memo,
        kind: field("TRNTYPE").map(upper),
        check_number: field("CHECKNUM")
            .or_else(|| field("CHKNUM"))
            .map(str::to_string),
        balance: None,
    })
}

fn missing(node: &Node, format: Format, tag: &str) -> ParseError {
    ParseError::at(
        format,
        node.line,
        format!("<{}> without a valid <{tag}>", node.name),
    )
}

fn investment_statement(stmt: &Node, format: Format) -> Result<Account, ParseError> {
    let currency = stmt.child_value("CURDEF").map(upper);
    let mut account = Account {
        currency: currency.clone(),
        account_type: Some("INVESTMENT".to_string()),
        ..Account::default()
    };
    if let Some(from) = stmt.find("INVACCTFROM") {
        account.account_id = from.find_value("ACCTID").map(str::to_string);
        account.bank_id = from.find_value("BROKERID").map(str::to_string);
    }
    if let Some(cash) = stmt
        .find("INVBAL")
        .and_then(|b| b.child_value("AVAILCASH"))
        .and_then(|v| parse_amount(v, DecimalMark::Auto))
    {
        account.available_balance = Some(Balance {
            amount: cash,
            date: None,
        });
    }
    let Some(list) = stmt.find("INVTRANLIST") else {
        return Ok(account);
    };
    (account.start_date, account.end_date) = period(Some(list));
    for item in &list.children {
        match item.name.as_str() {
            "DTSTART" | "DTEND" => {}
            "INVBANKTRAN" => {
                for trn in item
                    .find_all("STMTTRN")
                    .into_iter()
                    .filter(|t| !t.children.is_empty())
                {
                    account
                        .transactions
                        .push(bank_transaction(trn, currency.as_deref(), format)?);
                }
            }
            _ => {
                if let Some(t) = investment_transaction(item, currency.as_deref(), format)? {
                    account.transactions.push(t);
                }
            }
        }
    }
    Ok(account)
}

/// BUYSTOCK, INCOME, REINVEST, TRANSFER, ...: the cash side is TOTAL (signed
/// as in the file: negative for buys). Aggregates that move no cash
/// (TRANSFER of shares, SPLIT) have no TOTAL and come out as zero.
fn investment_transaction(
    item: &Node,
    currency: Option<&str>,
    format: Format,
) -> Result<Option<Transaction>, ParseError> {
    let Some(inv) = item.find("INVTRAN") else {
        // Not a transaction aggregate (stray leaf or unknown extension).
        return Ok(None);
    };
    let date = inv
        .child_value("DTTRADE")
        .and_then(ofx_date)
        .or_else(|| inv.child_value("DTSETTLE").and_then(ofx_date))
        .ok_or_else(|| missing(item, format, "DTTRADE"))?;
    let amount = match item.find_value("TOTAL") {
        Some(t) => {
            parse_amount(t, DecimalMark::Auto).ok_or_else(|| missing(item, format, "TOTAL"))?
        }
        None => Decimal::ZERO,
    };
    let (amount, trn_currency) = in_account_currency(item, amount, currency);
    let security = item.find("SECID").and_then(|s| s.child_value("UNIQUEID"));
    let memo = inv
        .child_value("MEMO")
        .map(str::to_string)
        .or_else(|| security.map(|s| format!("{} {s}", item.name)))
        .unwrap_or_else(|| item.name.clone());
    let kind = match item.find_value("INCOMETYPE") {
        Some(t) => format!("{}:{}", item.name, upper(t)),
        None => item.name.clone(),
    };
    Ok(Some(Transaction {
        date,
        amount,
        currency: trn_currency,
        id: inv.child_value("FITID").map(str::to_string),
        name: None,
        memo,
        kind: Some(kind),
        check_number: None,
        balance: None,
    }))
}
