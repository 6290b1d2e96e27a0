//! ISO 20022 CAMT.053 bank-to-customer statements, any version (001.02 to
//! 001.08 and later: element names are read namespace-local, so the version
//! URI does not matter). Each `Stmt` is one statement; the statements of one
//! account (same IBAN or id, same currency) are joined into one [`Account`]
//! that opens on the earliest statement's opening balance and closes on the
//! latest one's.
//!
//! camt.052 (account report) and camt.054 (notification) documents are
//! recognised but carry no `Stmt`, so they parse to zero accounts, as the
//! reference parsers do: they are intraday/advice messages, not statements.

use crate::amount::{parse_amount, DecimalMark};
use crate::error::ParseError;
use crate::finish::merge_statements;
use crate::limits::{Budget, Limits};
use crate::model::{Account, Balance, Format, Statement, Transaction};
use crate::text::decode;
use crate::tree::Node;
use crate::xml_tree;
use chrono::NaiveDate;
use rust_decimal::Decimal;

const F: Format = Format::Camt053;

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Statement, ParseError> {
    let text = decode(bytes, None);
    let mut budget = Budget::new(limits, F);
    // Each entry holds at least one transaction, so more entries than the
    // limit stop the read before the rest of the tree is built.
    let root = xml_tree::parse(&text, 1, false, &mut budget, &["Ntry"]).map_err(|e| match e {
        xml_tree::XmlError::Malformed { message, line } => ParseError::at(F, line, message),
        xml_tree::XmlError::Limit(e) => e,
    })?;
    drop(text);
    let mut statements = Vec::new();
    for stmt in root.find_all("Stmt") {
        statements.push(statement(stmt, &mut budget)?);
    }
    Ok(Statement {
        format: F,
        accounts: merge_statements(statements),
    })
}

fn iso_date(s: &str) -> Option<NaiveDate> {
    let d = s.trim().get(..10)?;
    NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
}

/// `<Dt><Dt>2024-01-02</Dt></Dt>` or `<Dt><DtTm>2024-01-02T10:00:00</DtTm></Dt>`.
fn date_choice(node: &Node) -> Option<NaiveDate> {
    node.child_value("Dt")
        .or_else(|| node.child_value("DtTm"))
        .or_else(|| node.value())
        .and_then(iso_date)
}

fn signed(amount: Decimal, indicator: Option<&str>) -> Decimal {
    match indicator.map(str::trim) {
        Some("DBIT") => -amount,
        _ => amount,
    }
}

/// ISO external cash account type codes with an equivalent in the OFX
/// vocabulary the other formats use; other codes are kept as they are.
fn account_type(code: &str) -> String {
    match code.trim().to_ascii_uppercase().as_str() {
        "CACC" | "TRAN" | "SLRY" => "CHECKING".to_string(),
        "SVGS" | "LLSV" => "SAVINGS".to_string(),
        "CARD" => "CREDITCARD".to_string(),
        "MOMA" => "MONEYMRKT".to_string(),
        "ODFT" => "CREDITLINE".to_string(),
        "LOAN" => "LOAN".to_string(),
        other => other.to_string(),
    }
}

/// The account's currency: `Acct/Ccy`, else the currency of its booked
/// balances, else the one its entries share, else any balance's.
fn statement_currency(stmt: &Node) -> Option<String> {
    if let Some(c) = stmt.path_value(&["Acct", "Ccy"]) {
        return Some(c.trim().to_ascii_uppercase());
    }
    let balance_ccy = |codes: &[&str]| {
        stmt.children_named("Bal").find_map(|bal| {
            let code = bal.path_value(&["Tp", "CdOrPrtry", "Cd"]);
            let wanted = codes.is_empty() || code.is_some_and(|c| codes.contains(&c));
            wanted
                .then(|| bal.child("Amt").and_then(|a| a.attr("Ccy")))
                .flatten()
        })
    };
    if let Some(c) = balance_ccy(&["OPBD", "CLBD", "PRCD"]) {
        return Some(c.trim().to_ascii_uppercase());
    }
    let mut entries = stmt
        .children_named("Ntry")
        .filter_map(|n| n.child("Amt").and_then(|a| a.attr("Ccy")));
    if let Some(first) = entries.next() {
        if entries.all(|c| c == first) {
            return Some(first.trim().to_ascii_uppercase());
        }
    }
    balance_ccy(&[]).map(|c| c.trim().to_ascii_uppercase())
}

/// `FrToDt`: the first and last day the statement covers.
fn period(stmt: &Node) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let Some(range) = stmt.child("FrToDt") else {
        return (None, None);
    };
    (
        range.child_value("FrDtTm").and_then(iso_date),
        range.child_value("ToDtTm").and_then(iso_date),
    )
}

fn statement(stmt: &Node, budget: &mut Budget) -> Result<Account, ParseError> {
    let mut account = Account {
        currency: statement_currency(stmt),
        ..Account::default()
    };
    (account.start_date, account.end_date) = period(stmt);
    if let Some(acct) = stmt.child("Acct") {
        identify(&mut account, acct);
    }
    balances(&mut account, stmt)?;
    let statement_day = single_day(stmt);
    for ntry in stmt.children_named("Ntry") {
        let before = account.transactions.len();
        entry(
            ntry,
            account.currency.as_deref(),
            statement_day,
            &mut account.transactions,
        )?;
        // A batch entry splits into one transaction per TxDtls.
        budget.built(account.transactions.len() - before)?;
    }
    Ok(account)
}

/// The account's number, type, owner and bank, from `<Acct>`.
fn identify(account: &mut Account, acct: &Node) {
    account.account_id = acct
        .path_value(&["Id", "IBAN"])
        .or_else(|| acct.path_value(&["Id", "Othr", "Id"]))
        .map(str::to_string);
    account.account_type = acct
        .path_value(&["Tp", "Cd"])
        .map(account_type)
        .or_else(|| acct.path_value(&["Tp", "Prtry"]).map(str::to_string));
    account.owner_name = acct
        .path_value(&["Ownr", "Nm"])
        .or_else(|| acct.path_value(&["Ownr", "Pty", "Nm"]))
        .map(crate::text::collapse)
        .filter(|n| !n.is_empty());
    if let Some(fin) = acct.path(&["Svcr", "FinInstnId"]) {
        account.bank_id = fin
            .child_value("BIC")
            .or_else(|| fin.child_value("BICFI"))
            .map(str::to_string);
        account.institution = fin.child_value("Nm").map(str::to_string);
    }
}

/// The statement's opening, closing and available balances, from its
/// `<Bal>` elements in the account's currency.
fn balances(account: &mut Account, stmt: &Node) -> Result<(), ParseError> {
    let mut previous_closing = None;
    for bal in stmt.children_named("Bal") {
        let code = bal
            .path_value(&["Tp", "CdOrPrtry", "Cd"])
            .or_else(|| bal.path_value(&["Tp", "CdOrPrtry", "Prtry"]));
        let Some(amt) = bal.child("Amt") else {
            continue;
        };
        let Some(value) = amt.value().and_then(|v| parse_amount(v, DecimalMark::Dot)) else {
            return Err(ParseError::at(F, amt.line, "<Bal><Amt> is not a number"));
        };
        // A balance in another currency than the account's is not this
        // account's balance (test files have them); it is left out.
        let ccy = amt.attr("Ccy").map(str::trim);
        if let (Some(ccy), Some(account_ccy)) = (ccy, account.currency.as_deref()) {
            if !ccy.eq_ignore_ascii_case(account_ccy) {
                continue;
            }
        }
        let balance = Balance {
            amount: signed(value, bal.child_value("CdtDbtInd")),
            date: bal.child("Dt").and_then(date_choice),
        };
        match code {
            Some("OPBD") if account.opening_balance.is_none() => {
                account.opening_balance = Some(balance)
            }
            Some("PRCD") if previous_closing.is_none() => previous_closing = Some(balance),
            Some("CLBD") => account.closing_balance = Some(balance),
            Some("CLAV") => account.available_balance = Some(balance),
            _ => {}
        }
    }
    // PRCD (previous closing booked) is the opening balance by definition
    // when a bank reports it instead of OPBD.
    if account.opening_balance.is_none() {
        account.opening_balance = previous_closing;
    }
    Ok(())
}

/// The day a statement covers, when it covers exactly one: `FrToDt` with
/// equal ends, or opening and closing balances dated the same day. Entries
/// of such a statement that carry no date were booked on that day.
fn single_day(stmt: &Node) -> Option<NaiveDate> {
    if let Some(range) = stmt.child("FrToDt") {
        let from = range.child_value("FrDtTm").and_then(iso_date);
        let to = range.child_value("ToDtTm").and_then(iso_date);
        return from.filter(|f| Some(*f) == to);
    }
    let dated = |codes: &[&str]| {
        stmt.children_named("Bal").find_map(|b| {
            let code = b.path_value(&["Tp", "CdOrPrtry", "Cd"])?;
            codes
                .contains(&code)
                .then(|| b.child("Dt").and_then(date_choice))
                .flatten()
        })
    };
    let open = dated(&["OPBD"]);
    let close = dated(&["CLBD"]);
    open.filter(|o| Some(*o) == close)
}

/// One `Ntry`. A batch booking (several `TxDtls`, each with its own
/// amount) becomes one transaction per `TxDtls`, as the reference parsers
/// count it; otherwise the entry is one transaction.
fn entry(
    ntry: &Node,
    account_currency: Option<&str>,
    statement_day: Option<NaiveDate>,
    out: &mut Vec<Transaction>,
) -> Result<(), ParseError> {
    let amt = ntry
        .child("Amt")
        .ok_or_else(|| ParseError::at(F, ntry.line, "<Ntry> without <Amt>"))?;
    let value = amt
        .value()
        .and_then(|v| parse_amount(v, DecimalMark::Dot))
        .ok_or_else(|| ParseError::at(F, amt.line, "<Ntry><Amt> is not a number"))?;
    let indicator = ntry.child_value("CdtDbtInd");
    if !matches!(indicator, Some("CRDT") | Some("DBIT")) {
        return Err(ParseError::at(
            F,
            ntry.line,
            "<Ntry> without <CdtDbtInd> CRDT or DBIT",
        ));
    }
    let date = ntry
        .child("BookgDt")
        .and_then(date_choice)
        .or_else(|| ntry.child("ValDt").and_then(date_choice))
        .or(statement_day)
        .ok_or_else(|| {
            ParseError::at(F, ntry.line, "<Ntry> without a valid <BookgDt> or <ValDt>")
        })?;
    let currency = amt
        .attr("Ccy")
        .map(str::to_string)
        .or_else(|| account_currency.map(str::to_string));
    let entry_ref = ntry
        .child_value("AcctSvcrRef")
        .or_else(|| ntry.child_value("NtryRef"))
        .map(str::to_string);
    let kind = bank_code(ntry);
    let entry_info = ntry.child_value("AddtlNtryInf");
    let details: Vec<&Node> = ntry.find_all("TxDtls");

    if details.len() > 1 {
        let head = Entry {
            date,
            indicator,
            currency,
            entry_ref,
            kind,
            entry_info,
        };
        for tx in &details {
            out.push(head.batched(tx)?);
        }
        return Ok(());
    }

    let (name, memo) = describe(&details, indicator == Some("CRDT"), entry_info);
    let id = entry_ref.or_else(|| details.iter().find_map(|tx| tx_reference(tx)));
    let check_number = details
        .iter()
        .find_map(|tx| tx.path_value(&["Refs", "ChqNb"]))
        .map(str::to_string);
    out.push(Transaction {
        date,
        amount: signed(value, indicator),
        currency,
        id,
        name,
        memo,
        kind,
        check_number,
        balance: None,
    });
    Ok(())
}

/// What a batch booking's transactions take from their `Ntry` when their
/// own `TxDtls` does not say.
struct Entry<'a> {
    date: NaiveDate,
    indicator: Option<&'a str>,
    currency: Option<String>,
    entry_ref: Option<String>,
    kind: Option<String>,
    entry_info: Option<&'a str>,
}

impl Entry<'_> {
    /// One `TxDtls` of a batch booking, with its own amount.
    fn batched(&self, tx: &Node) -> Result<Transaction, ParseError> {
        let tx_amt = tx
            .child("Amt")
            .or_else(|| tx.path(&["AmtDtls", "TxAmt", "Amt"]))
            .ok_or_else(|| {
                ParseError::at(
                    F,
                    tx.line,
                    "batch <Ntry> with a <TxDtls> that has no amount",
                )
            })?;
        let tx_value = tx_amt
            .value()
            .and_then(|v| parse_amount(v, DecimalMark::Dot))
            .ok_or_else(|| ParseError::at(F, tx_amt.line, "<TxDtls><Amt> is not a number"))?;
        let tx_indicator = tx.child_value("CdtDbtInd").or(self.indicator);
        let (name, memo) = describe(
            std::slice::from_ref(&tx),
            tx_indicator == Some("CRDT"),
            self.entry_info,
        );
        Ok(Transaction {
            date: self.date,
            amount: signed(tx_value, tx_indicator),
            currency: tx_amt
                .attr("Ccy")
                .map(str::to_string)
                .or_else(|| self.currency.clone()),
            id: tx_reference(tx).or_else(|| self.entry_ref.clone()),
            name,
            memo,
            kind: bank_code(tx).or_else(|| self.kind.clone()),
            check_number: tx.path_value(&["Refs", "ChqNb"]).map(str::to_string),
            balance: None,
        })
    }
}

fn tx_reference(tx: &Node) -> Option<String> {
    tx.path_value(&["Refs", "AcctSvcrRef"])
        .or_else(|| {
            tx.path_value(&["Refs", "EndToEndId"])
                .filter(|r| *r != "NOTPROVIDED")
        })
        .or_else(|| tx.path_value(&["Refs", "TxId"]))
        .map(str::to_string)
}

/// `Domn/Cd/Fmly/Cd/SubFmlyCd` as "PMNT/RCDT/ESCT", else the proprietary code.
fn bank_code(node: &Node) -> Option<String> {
    let code = node.child("BkTxCd")?;
    if let Some(domain) = code.child("Domn") {
        let parts: Vec<&str> = [
            domain.child_value("Cd"),
            domain.path_value(&["Fmly", "Cd"]),
            domain.path_value(&["Fmly", "SubFmlyCd"]),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !parts.is_empty() {
            return Some(parts.join("/"));
        }
    }
    code.path_value(&["Prtry", "Cd"]).map(str::to_string)
}

/// Counterparty name and human-readable description from transaction
/// details: the counterparty is the debtor on money in and the creditor on
/// money out; the description is the unstructured remittance text, else
/// the additional transaction or entry information.
fn describe(details: &[&Node], credit: bool, entry_info: Option<&str>) -> (Option<String>, String) {
    let party = if credit {
        ["Dbtr", "UltmtDbtr"]
    } else {
        ["Cdtr", "UltmtCdtr"]
    };
    let name = details.iter().find_map(|tx| {
        let parties = tx.child("RltdPties")?;
        party.iter().find_map(|p| {
            let node = parties.child(p)?;
            node.child_value("Nm")
                .or_else(|| node.path_value(&["Pty", "Nm"]))
                .map(str::to_string)
        })
    });
    let unstructured: Vec<&str> = details
        .iter()
        .flat_map(|tx| tx.find_all("Ustrd"))
        .filter_map(|u| u.value())
        .filter(|u| *u != "NOTPROVIDED")
        .collect();
    let memo = if !unstructured.is_empty() {
        unstructured.join(" ")
    } else if let Some(info) = details.iter().find_map(|tx| tx.child_value("AddtlTxInf")) {
        info.to_string()
    } else if let Some(info) = entry_info {
        info.to_string()
    } else {
        name.clone().unwrap_or_default()
    };
    (name, crate::text::collapse(&memo))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn stmt(id: &str, from: &str, to: &str, open: &str, close: &str, entry: &str) -> String {
        format!(
            "<Stmt><Id>{id}</Id><FrToDt><FrDtTm>{from}T00:00:00</FrDtTm><ToDtTm>{to}T23:59:59</ToDtTm></FrToDt>\
             <Acct><Id><IBAN>BE68539007547034</IBAN></Id><Tp><Cd>CACC</Cd></Tp><Ownr><Nm>Vertex  Ltd</Nm></Ownr></Acct>\
             <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{open}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{from}</Dt></Dt></Bal>\
             <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{close}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{to}</Dt></Dt></Bal>\
             <Bal><Tp><CdOrPrtry><Cd>CLAV</Cd></CdOrPrtry></Tp><Amt Ccy=\"USD\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{to}</Dt></Dt></Bal>\
             <Ntry><Amt Ccy=\"EUR\">{entry}</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>{to}</Dt></BookgDt></Ntry></Stmt>"
        )
    }

    #[test]
    fn statements_of_one_account_join_owner_period_type() {
        // December's statement before November's in the file.
        let doc = format!(
            "<Document><BkToCstmrStmt>{}{}</BkToCstmrStmt></Document>",
            stmt("D", "2024-12-01", "2024-12-31", "150.00", "175.00", "25.00"),
            stmt("N", "2024-11-01", "2024-11-30", "100.00", "150.00", "50.00"),
        );
        let s = parse(doc.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(s.accounts.len(), 1);
        let a = &s.accounts[0];
        let dec = |v: &str| Decimal::from_str(v).unwrap();
        let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d);
        assert_eq!(a.transactions.len(), 2);
        assert_eq!(
            a.opening_balance.as_ref().map(|b| (b.amount, b.date)),
            Some((dec("100.00"), day(11, 1))),
            "PRCD of the earliest statement"
        );
        assert_eq!(
            a.closing_balance.as_ref().map(|b| (b.amount, b.date)),
            Some((dec("175.00"), day(12, 31))),
            "CLBD of the latest statement"
        );
        assert!(
            a.available_balance.is_none(),
            "a USD balance on a EUR account is not its balance"
        );
        assert_eq!((a.start_date, a.end_date), (day(11, 1), day(12, 31)));
        assert_eq!(a.owner_name.as_deref(), Some("Vertex Ltd"));
        assert_eq!(a.account_type.as_deref(), Some("CHECKING"));
        assert_eq!(a.currency.as_deref(), Some("EUR"));
    }

    #[test]
    fn account_type_codes() {
        assert_eq!(account_type("SVGS"), "SAVINGS");
        assert_eq!(account_type("CARD"), "CREDITCARD");
        assert_eq!(account_type("TAXE"), "TAXE");
    }
}
