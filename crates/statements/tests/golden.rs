//! Golden tests: every file in `tests/fixtures/` (see SOURCES.md) is parsed
//! and the result compared, field for field, with the `.json` beside it.
//! Any change in what is parsed fails here. `UPDATE_GOLDEN=1` rewrites the
//! goldens after an intended change; review the diff.
//!
//! The spot checks below pin the behaviours the goldens rely on, so a
//! golden cannot be regenerated into accepting a wrong sign or date.

use fundline_statements::{parse, parse_csv_with, Account, CsvMapping, Format, Statement};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load(name: &str) -> Statement {
    let bytes = std::fs::read(fixtures().join(name)).expect("fixture exists");
    parse(&bytes, Some(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// [`load`], which must be read as `format`.
fn load_as(name: &str, format: Format) -> Statement {
    let s = load(name);
    assert_eq!(s.format, format, "{name}");
    s
}

/// The first account of [`load_as`].
fn first_account(name: &str, format: Format) -> Account {
    load_as(name, format).accounts.swap_remove(0)
}

/// The statement's accounts, which must be two (`why`).
fn two_accounts<'a>(s: &'a Statement, why: &str) -> (&'a Account, &'a Account) {
    assert_eq!(s.accounts.len(), 2, "{why}");
    (&s.accounts[0], &s.accounts[1])
}

/// A balance's amount, if there is the balance.
fn amount(b: &Option<fundline_statements::Balance>) -> Option<Decimal> {
    b.as_ref().map(|b| b.amount)
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

#[test]
fn goldens() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".json") && !n.ends_with(".md"))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "fixtures missing: {names:?}");
    let mut mismatched = Vec::new();
    for name in &names {
        let actual = serde_json::to_string_pretty(&load(name)).expect("serialises") + "\n";
        let golden_path = fixtures().join(format!("{name}.json"));
        if update {
            std::fs::write(&golden_path, &actual).expect("write golden");
            continue;
        }
        let expected = std::fs::read_to_string(&golden_path).unwrap_or_else(|_| {
            panic!(
                "{name}: golden {} missing (run with UPDATE_GOLDEN=1)",
                golden_path.display()
            )
        });
        if expected != actual {
            mismatched.push(name.clone());
        }
    }
    assert!(
        mismatched.is_empty(),
        "parse result differs from golden for: {mismatched:?}"
    );
}

#[test]
fn ofx1_deviations() {
    let s = load_as("own_ofx1_deviations.ofx", Format::Ofx1);
    let (bank, card) = two_accounts(&s, "bank and credit-card statement in one file");
    assert_eq!(bank.account_type.as_deref(), Some("CHECKING"));
    assert_eq!(bank.currency.as_deref(), Some("USD"));
    assert_eq!(
        bank.institution.as_deref(),
        Some("Caf\u{e9} Savings & Loan"),
        "CHARSET:1252 byte and bare &"
    );
    let t = &bank.transactions;
    assert_eq!(t.len(), 4, "missing </STMTTRN> tolerated");
    assert_eq!(t[0].amount, dec("-12.50"), "comma decimal");
    assert_eq!(t[0].name.as_deref(), Some("AT&T Wireless"));
    assert_eq!(t[0].kind.as_deref(), Some("DEBIT"), "TRNTYPE uppercased");
    assert_eq!(t[1].amount, dec("1500.00"), "leading + and space");
    assert_eq!(t[2].date.to_string(), "2024-01-10", "six-digit DDMMYY");
    assert_eq!(t[2].check_number.as_deref(), Some("1042"), "CHKNUM");
    assert_eq!(t[2].memo, "Cheque 1042", "empty MEMO falls back to NAME");
    assert_eq!(
        t[3].date.to_string(),
        "2024-01-20",
        "DTUSER when DTPOSTED is missing"
    );
    assert_eq!(t[3].name.as_deref(), Some("Corner Shop"), "PAYEE aggregate");
    assert_eq!(t[3].memo, "Caf\u{e9} & snacks");
    assert_eq!(
        bank.available_balance.as_ref().map(|b| (b.amount, b.date)),
        Some((dec("1400.00"), None)),
        "zero date is absent"
    );
    assert_eq!(card.account_type.as_deref(), Some("CREDITCARD"));
    // <CURRENCY> EUR at CURRATE 1.1 on a USD card: the amount is in EUR and
    // converted to the account's USD, so the account holds one currency.
    assert_eq!(card.transactions[0].currency.as_deref(), Some("USD"));
    assert_eq!(card.transactions[0].amount, dec("-88.00"));
    assert_eq!(card.currency.as_deref(), Some("USD"));
    assert_eq!(
        (bank.start_date, bank.end_date),
        (
            chrono::NaiveDate::from_ymd_opt(2024, 1, 1),
            chrono::NaiveDate::from_ymd_opt(2024, 1, 31)
        ),
        "BANKTRANLIST DTSTART/DTEND"
    );
}

#[test]
fn ofx2_fields() {
    let a = &first_account("own_ofx2_bank.ofx", Format::Ofx2);
    assert_eq!(a.institution.as_deref(), Some("Example Bank"));
    assert_eq!(
        a.account_id.as_deref(),
        Some("DE00123456780000000001"),
        "not the BANKACCTTO of a transaction"
    );
    assert_eq!(
        a.transactions[0].date.to_string(),
        "2024-02-29",
        "local date, not shifted to UTC"
    );
    assert_eq!(
        a.transactions[1].name.as_deref(),
        Some("Smith & Sons"),
        "unescaped & in XML"
    );
    assert_eq!(a.transactions[1].memo, "Invoice 77 <paid>");
}

#[test]
fn mt940_blocks() {
    let s = load_as("own_mt940_blocks.sta", Format::Mt940);
    let (a, b) = two_accounts(&s, "consecutive statements of one account are joined");
    assert_eq!(amount(&a.opening_balance), Some(dec("1000.00")));
    assert_eq!(amount(&a.closing_balance), Some(dec("2367.75")));
    assert_eq!(amount(&a.available_balance), Some(dec("2400.00")));
    let amounts: Vec<Decimal> = a.transactions.iter().map(|t| t.amount).collect();
    assert_eq!(
        amounts,
        [
            dec("-25.50"),
            dec("1500"),
            dec("25.50"),
            dec("-10.00"),
            dec("-7.25"),
            dec("-100.00")
        ],
        "D, C, RD, RC, funds code"
    );
    assert_eq!(a.transactions[0].name.as_deref(), Some("Energy Co"));
    assert_eq!(a.transactions[0].id.as_deref(), Some("B24010200001"));
    assert_eq!(a.transactions[1].name.as_deref(), Some("ACME BV"));
    assert_eq!(a.transactions[1].memo, "Salary January");
    assert_eq!(
        a.transactions[5].date.to_string(),
        "2023-12-31",
        "entry date across the year end"
    );
    assert_eq!(
        a.transactions[5].memo, "Standing order - rent",
        "a lone '-' inside :86: is text"
    );
    assert_eq!(b.bank_id.as_deref(), Some("12345678"));
    assert_eq!(amount(&b.opening_balance), Some(dec("-50.00")));
}

#[test]
fn camt_fields() {
    let a = &first_account("own_camt053_v8.xml", Format::Camt053);
    assert_eq!(a.bank_id.as_deref(), Some("EXMPCHZZ"));
    assert_eq!(
        amount(&a.opening_balance),
        Some(dec("-100.00")),
        "PRCD stands in for OPBD"
    );
    assert_eq!(
        a.closing_balance
            .as_ref()
            .and_then(|b| b.date)
            .map(|d| d.to_string())
            .as_deref(),
        Some("2024-03-01")
    );
    let t = &a.transactions;
    assert_eq!(t.len(), 4, "batch entry split into its two TxDtls");
    assert_eq!(
        t[0].name.as_deref(),
        Some("Employer Ltd"),
        "debtor is the counterparty of a credit"
    );
    assert_eq!(t[0].memo, "Salary March 2024");
    assert_eq!(t[0].kind.as_deref(), Some("PMNT/RCDT/ESCT"));
    assert_eq!((t[1].amount, t[2].amount), (dec("-19.75"), dec("-30.00")));
    assert_eq!(t[1].name.as_deref(), Some("Phone Co & Partners"));
    assert_eq!(t[1].check_number.as_deref(), Some("77"));
    assert_eq!(t[2].memo, "Gym membership");
    assert_eq!(t[3].amount, dec("-0.50"));
}

#[test]
fn csv_layouts() {
    let chase = load("own_chase.csv");
    assert_eq!(
        chase.accounts[0].transactions[2].check_number.as_deref(),
        Some("1001")
    );
    assert_eq!(chase.accounts[0].transactions[0].amount, dec("-54.21"));

    let bofa = load("own_bofa.csv");
    let t = &bofa.accounts[0].transactions;
    assert_eq!(
        t.len(),
        3,
        "summary block skipped, balance-only row skipped"
    );
    assert_eq!(t[0].amount, dec("-1000.00"));

    let wf = load("own_wellsfargo.csv");
    let t = &wf.accounts[0].transactions;
    assert_eq!(
        (t.len(), t[0].amount),
        (3, dec("-42.10")),
        "headerless layout"
    );
    assert_eq!(t[2].memo, "CHECK # 1043");

    let amex = load("own_amex.csv");
    assert_eq!(
        amex.accounts[0].transactions[2].amount,
        dec("-532.15"),
        "parenthesised amount"
    );

    let eu = load("own_european_latin1.csv");
    let t = &eu.accounts[0].transactions;
    assert_eq!(t[1].amount, dec("2400.50"));
    assert_eq!(
        t[2].date.to_string(),
        "2024-01-20",
        "booking date, not value date"
    );
    assert_eq!(t[2].memo, "B\u{e4}ckerei M\u{fc}ller", "Latin-1 fallback");

    let split = load("own_split_tab.csv");
    let amounts: Vec<Decimal> = split.accounts[0]
        .transactions
        .iter()
        .map(|t| t.amount)
        .collect();
    assert_eq!(amounts, [dec("-1200.00"), dec("15.00"), dec("2100.00")]);

    let mint = load("csv2ofx_mint.csv");
    assert_eq!(
        mint.accounts[0].transactions[0].amount,
        dec("-1000.00"),
        "debit/credit indicator column"
    );
}

#[test]
fn csv_mapping() {
    let bytes = std::fs::read(fixtures().join("own_amex.csv")).expect("fixture");
    let mapping = CsvMapping {
        date: "date".into(),
        amount: Some("Amount".into()),
        description: "Description".into(),
        date_format: Some("%m/%d/%Y".into()),
        negate: true,
        ..CsvMapping::default()
    };
    let s = parse_csv_with(&bytes, &mapping).expect("mapped parse");
    let amounts: Vec<Decimal> = s.accounts[0]
        .transactions
        .iter()
        .map(|t| t.amount)
        .collect();
    assert_eq!(
        amounts,
        [dec("-450.00"), dec("-82.15"), dec("532.15")],
        "card spend made negative"
    );

    let headerless = std::fs::read(fixtures().join("own_wellsfargo.csv")).expect("fixture");
    let mapping = CsvMapping {
        date: "1".into(),
        amount: Some("2".into()),
        description: "5".into(),
        ..CsvMapping::default()
    };
    let s = parse_csv_with(&headerless, &mapping).expect("mapped by column number");
    assert_eq!(s.transaction_count(), 3);

    let bad = CsvMapping {
        date: "When".into(),
        description: "What".into(),
        amount: Some("How much".into()),
        ..CsvMapping::default()
    };
    let err = parse_csv_with(&bytes, &bad).unwrap_err().to_string();
    assert_eq!(
        err,
        "CSV: mapped date column <When> not found in the header"
    );
}

#[test]
fn error_messages() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "empty file: no statement data"),
        (b"hello world\nthis is prose", "unrecognised file: not OFX, QFX, CSV, MT940 or CAMT.053"),
        (
            b"OFXHEADER:100\n\n<OFX>\n<BANKMSGSRSV1><STMTTRNRS><STMTRS>\n<BANKTRANLIST>\n<STMTTRN>\n<TRNTYPE>DEBIT\n<TRNAMT>-1.00\n</STMTTRN>",
            "OFX: <STMTTRN> without a valid <DTPOSTED> at line 6",
        ),
        (b"Name,Value\nfoo,1.00\nbar,2.00\n", "CSV: no column looks like a date; pass a column mapping"),
        (b"Date,Amount,Description\n01/02/2024,12..5,x\n", "CSV: <Amount> is not an amount at line 2"),
        (b":20:X\n:25:1\n:61:garbage\n", "MT940: :61: statement line without a readable value date, debit/credit mark and amount at line 3"),
    ];
    for (input, want) in cases {
        let got = parse(input, None).expect_err("must be refused").to_string();
        assert_eq!(&got, want);
    }
}
