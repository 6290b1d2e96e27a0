//! Balances and currencies across the shared conformance corpus (real
//! public statement files; see its README.md), when the corpus is present.
//!
//! For every file the manifest lists as a statement that parses:
//! - no account mixes currencies: every transaction's currency is its
//!   account's;
//! - where an account has both an opening and a closing balance, opening +
//!   sum of its transactions == closing, or the file is listed in
//!   `DISAGREES` with the reason. These are files whose own figures do not
//!   add up (test files with edited amounts, samples with rows left out, a
//!   statement repeated): "possibly edited" candidates. The test prints them
//!   and fails only when a file not listed disagrees, or a listed one now
//!   agrees.

mod common;

use fundline_statements::{parse, Account, Statement};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Files whose opening balance plus their transactions does not give their
/// closing balance, and why. Each was checked against the file itself
/// (statement by statement for MT940).
const DISAGREES: &[(&str, &str)] = &[
    (
        "camt/barzahlen-camt_parser/053/valid_example_with_batch.xml",
        "test file: OPBD 7329.80 + entries 2934.26 != CLBD 23038.20",
    ),
    (
        "camt/barzahlen-camt_parser/053/valid_example_with_instdamt.xml",
        "test file: OPBD 100 + one entry of 4500.00 != CLBD 4500.00",
    ),
    (
        "camt/genkgo-camt/camt053.v2.all-balance-types.xml",
        "test file listing one of each balance type with made-up amounts (1.01, 2.02, ...)",
    ),
    (
        "camt/genkgo-camt/camt053.v2.five.decimals.xml",
        "test file: 18.150 + 8.850 != 27.050",
    ),
    (
        "camt/oca-bank-statement-import/account_bank_statement_import_camt_oca/test_files/test-camt053-bookgdt-dttm",
        "Odoo test file: OPBD 15568.27 and CLBD 15121.12 are those of a statement with other entries",
    ),
    (
        "camt/oca-bank-statement-import/account_statement_import_camt/test_files/test-camt053",
        "Odoo test file: entries net -12.99, balances differ by -447.15",
    ),
    (
        "camt/ofxstatement-iso20022/gcamp6.xml",
        "test file in currency XXX: OPBD 0 + entries 13010.00 != CLBD 10000.00",
    ),
    (
        "csv/csv2ofx/ingesp.csv",
        "10 rows sampled from a year of an ING Spain export, none consecutive: the running balances cannot chain",
    ),
    (
        "csv/oca-bank-statement-import/account_statement_import_sheet_file/tests/fixtures/debit_credit_amount.csv",
        "Odoo sign-handling test: a negative credit and a negative debit whose balances treat them as the opposite",
    ),
    (
        "csv/ofxstatement-lloyds/sample-statement.csv",
        "sample with one edited balance: the INS2 row's balance (6029.49) subtracts INS1's 4.12 a second time",
    ),
    (
        "csv/ofxstatement-revolut/2022-january.csv",
        "test file: balances jump between rows (442.67 then 420.74 after a 0.00 row)",
    ),
    (
        "mt940/mt940-rs/mt940/full/abnamro/mt940.sta",
        "test file: neither statement's :60F: plus its :61: lines gives its :62F:",
    ),
    (
        "mt940/mt940-rs/mt940/full/bugs/issue-51.sta",
        "Sparkasse sample: 13564.13 - 141.04 = 13423.09, :62F: says 13523.09 (100 off)",
    ),
    (
        "mt940/mt940-rs/mt940/full/jejik/knab.sta",
        "second statement: 3058.98 - 7260 + 500 != 798.98",
    ),
    (
        "mt940/mt940-rs/mt940/full/sparkasse/buxtehude.sta",
        "same Sparkasse sample as issue-51.sta (100 off)",
    ),
    (
        "mt940/mt940-rs/mt940/special-cases/overly_long_details.sta",
        "test file: 12345.12 - 233.15 != 12345.98",
    ),
    (
        "mt940/mt940-rs/mt942/full/jejik/rabobank.sta",
        "first and third statements do not add up (473.17 - 1213.28 != 395.82); the second opens on 1000.89, not 395.82",
    ),
    (
        "mt940/oca-bank-statement-import/account_bank_statement_import_mt940_base/test_files/test-sns.940",
        "the last of three daily statements is cut off before its :62F:: its two transactions come after the closing balance",
    ),
    (
        "mt940/ofxstatement-mt940/mt940_ASN.txt",
        "31 daily statements that chain, except the last, which lists the same 1000.18 credit twice",
    ),
    (
        "mt940/tryton-mt940/MT940.txt",
        "the same statement twice in one file: each adds up, together the transactions count twice",
    ),
    (
        "mt940/wolph-mt940/betterplace/sepa_snippet.sta",
        "second account: -1970431.87 - 2501917.30 != -4472049.09 (300.08 off)",
    ),
    (
        "mt940/wolph-mt940/jejik/abnamro.sta",
        "test file: neither statement adds up (3236.28 - 321.44 != 876.84)",
    ),
    (
        "mt940/wolph-mt940/jejik/ing.sta",
        "test file: 0.00 - 45.59 != 3.47",
    ),
    (
        "mt940/wolph-mt940/jejik/knab.sta",
        "second statement: 3058.98 - 7260 + 500 != 798.98",
    ),
    (
        "mt940/wolph-mt940/jejik/postfinance.sta",
        "second page: 229.20 - 79.90 + 10.10 = 159.40, :62F: says 159.60",
    ),
    (
        "mt940/wolph-mt940/jejik/rabobank.sta",
        "first and third statements do not add up (473.17 - 1213.28 != 395.82)",
    ),
    (
        "mt940/wolph-mt940/jejik/triodos.sta",
        "test file: 4975.09 - 715.70 != 4370.79",
    ),
    (
        "mt940/wolph-mt940/mBank/with_newline_in_tnr.sta",
        "test file: 0.46 + 45.00 + 44.00 != 860.17",
    ),
    (
        "mt940/wolph-mt940/self-provided/details_60-63.sta",
        "test file: 12345.12 - 233.15 != 12345.98",
    ),
    (
        "mt940/wolph-mt940/self-provided/overly_long_details.sta",
        "test file: 12345.12 - 233.15 != 12345.98",
    ),
    (
        "mt940/wolph-mt940/self-provided/raiffeisen-cmi.sta",
        "test file: 25170637.10 - 1012213.50 != 25281687.60",
    ),
    (
        "mt940/wolph-mt940/self-provided/whitespace.sta",
        "test file: 12345.12 - 233.15 != 12345.98",
    ),
];

#[derive(Default)]
struct Tally {
    parsed: usize,
    with_closing: usize,
    with_both: usize,
    adds_up: usize,
    accounts_with_both: usize,
    accounts_adding_up: usize,
}

/// Last four characters of an account id, for the printed list.
fn tail(a: &Account) -> String {
    let id = a.account_id.as_deref().unwrap_or("-");
    let n = id.chars().count();
    id.chars().skip(n.saturating_sub(4)).collect()
}

/// The accounts whose opening + transactions != closing, described.
fn disagreements(s: &Statement) -> Vec<String> {
    s.accounts
        .iter()
        .filter_map(|a| {
            let open = a.opening_balance.as_ref()?.amount;
            let close = a.closing_balance.as_ref()?.amount;
            let sum: Decimal = a.transactions.iter().map(|t| t.amount).sum();
            (open + sum != close).then(|| {
                format!(
                    "account ..{} {}: opening {open} + transactions {sum} = {}, closing {close}",
                    tail(a),
                    a.currency.as_deref().unwrap_or("(no currency)"),
                    open + sum
                )
            })
        })
        .collect()
}

#[test]
fn corpus_balances_and_currencies() {
    let Some(rows) = common::manifest_rows() else {
        return;
    };
    let statements = rows.iter().filter(|r| r.row["role"] == "statement");
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut listed_seen: Vec<&str> = Vec::new();
    let mut printed: Vec<String> = Vec::new();
    for r in statements {
        let file = &r.file;
        let Ok(statement) = parse(&r.bytes(), r.name()) else {
            continue;
        };
        let t = tallies.entry(r.format.clone()).or_default();
        t.parsed += 1;
        for a in &statement.accounts {
            if let Some(tx) = a.transactions.iter().find(|t| t.currency != a.currency) {
                failures.push(format!(
                    "{file}: account ..{} in {:?} holds a transaction in {:?}",
                    tail(a),
                    a.currency,
                    tx.currency
                ));
            }
        }
        if statement
            .accounts
            .iter()
            .any(|a| a.closing_balance.is_some())
        {
            t.with_closing += 1;
        }
        let both: Vec<&Account> = statement
            .accounts
            .iter()
            .filter(|a| a.opening_balance.is_some() && a.closing_balance.is_some())
            .collect();
        if both.is_empty() {
            if let Some((f, _)) = DISAGREES.iter().find(|(f, _)| *f == file) {
                failures.push(format!(
                    "{f} is listed in DISAGREES but no longer has both balances"
                ));
            }
            continue;
        }
        t.with_both += 1;
        t.accounts_with_both += both.len();
        let bad = disagreements(&statement);
        t.accounts_adding_up += both.len() - bad.len();
        let listed = DISAGREES.iter().find(|(f, _)| *f == file);
        match (bad.is_empty(), listed) {
            (true, None) => t.adds_up += 1,
            (true, Some((f, _))) => failures.push(format!(
                "{f} is listed in DISAGREES but now adds up: remove it"
            )),
            (false, Some((f, reason))) => {
                listed_seen.push(f);
                printed.push(format!(
                    "  {file}\n    {}\n    why: {reason}",
                    bad.join("\n    ")
                ));
            }
            (false, None) => failures.push(format!(
                "{file}: opening + transactions != closing and not listed: {}",
                bad.join("; ")
            )),
        }
    }

    println!(
        "\n| format | parsed | with a closing balance | with opening and closing | opening + transactions == closing (files) | (accounts) |"
    );
    println!("|---|---|---|---|---|---|");
    for (format, t) in &tallies {
        println!(
            "| {format} | {} | {} | {} | {} | {} of {} |",
            t.parsed,
            t.with_closing,
            t.with_both,
            t.adds_up,
            t.accounts_adding_up,
            t.accounts_with_both
        );
    }
    println!(
        "\nFiles whose own figures do not add up ({}, possibly edited):",
        printed.len()
    );
    for p in &printed {
        println!("{p}");
    }
    for (f, _) in DISAGREES {
        if !listed_seen.contains(f) && !failures.iter().any(|x| x.starts_with(f)) {
            failures.push(format!("{f} is listed in DISAGREES but was not seen"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus balance failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
