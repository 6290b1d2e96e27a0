//! `parse` must return (Ok or Err) on any input, never panic: arbitrary
//! bytes, token soup built from each format's markers, and valid fixtures
//! with random damage.

use fundline_statements::{parse, parse_csv_with, synth, CsvMapping};
use proptest::prelude::*;
use std::path::Path;

fn seeds() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x != "json" && x != "md"))
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    out.sort();
    out.push(synth::ofx1(3).into_bytes());
    out.push(synth::ofx2(3).into_bytes());
    out
}

#[derive(Debug, Clone)]
enum Damage {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Damage::Flip(i, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, v)| Damage::Insert(i, v)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Damage::Delete(i, n)),
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), 1usize..256).prop_map(|(i, n)| Damage::Duplicate(i, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, damages: &[Damage]) -> Vec<u8> {
    for d in damages {
        let len = bytes.len().max(1);
        match d {
            Damage::Flip(i, b) => {
                if let Some(x) = bytes.get_mut(i % len) {
                    *x = *b;
                }
            }
            Damage::Insert(i, v) => {
                let at = (i % len).min(bytes.len());
                bytes.splice(at..at, v.iter().copied());
            }
            Damage::Delete(i, n) => {
                let at = (i % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Damage::Truncate(i) => bytes.truncate(i % len),
            Damage::Duplicate(i, n) => {
                let at = (i % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                let copy = bytes.get(at..end).map(<[u8]>::to_vec).unwrap_or_default();
                bytes.splice(at..at, copy);
            }
        }
    }
    bytes
}

const TOKENS: &[&str] = &[
    "OFXHEADER:100\n",
    "<?xml version=\"1.0\"?>",
    "<?OFX OFXHEADER=\"200\"?>",
    "<OFX>",
    "</OFX>",
    "<STMTRS>",
    "<CCSTMTRS>",
    "<INVSTMTRS>",
    "<BANKTRANLIST>",
    "<STMTTRN>",
    "</STMTTRN>",
    "<TRNAMT>",
    "-1,5",
    "+ 2.00",
    "<DTPOSTED>",
    "20240115",
    "20240230120000[-5:EST]",
    "<INVTRANLIST>",
    "<BUYSTOCK><INVBUY><INVTRAN>",
    "<DTTRADE>",
    "<TOTAL>",
    "<MEMO/>",
    "&",
    "&amp;",
    "<Document>",
    "<BkToCstmrStmt>",
    "<Stmt>",
    "<Ntry>",
    "</Ntry>",
    "<Amt Ccy=\"EUR\">",
    "1.5",
    "</Amt>",
    "<CdtDbtInd>DBIT</CdtDbtInd>",
    "<TxDtls>",
    "<BookgDt><Dt>2024-01-01</Dt></BookgDt>",
    ":20:",
    ":25:",
    ":60F:C240101EUR1,00",
    ":61:",
    "2401010101RD1,00NTRF",
    ":86:",
    "?20",
    "/NAME/",
    "-",
    "-}",
    "{1:F01}",
    "{4:",
    ":62F:",
    "Date,Amount,Description",
    "01/02/2024",
    ",",
    ";",
    "\t",
    "\"",
    "(1.00)",
    "$1,234.56",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\u{feff}",
    "\u{e9}",
    "\u{0}",
];

/// What a parse returns holds no control character in any text: a NUL
/// would be refused by the database the transactions are stored in.
fn printable(
    parsed: Result<fundline_statements::Statement, fundline_statements::ParseError>,
) -> Result<(), TestCaseError> {
    let Ok(statement) = parsed else {
        return Ok(());
    };
    let bad = |s: &str| s.chars().any(char::is_control);
    for a in &statement.accounts {
        let account = [
            &a.account_id,
            &a.bank_id,
            &a.account_type,
            &a.currency,
            &a.institution,
            &a.owner_name,
        ];
        prop_assert!(
            !account.iter().filter_map(|s| s.as_deref()).any(bad),
            "{a:?}"
        );
        for t in &a.transactions {
            let text = [&t.currency, &t.id, &t.name, &t.kind, &t.check_number];
            prop_assert!(
                !bad(&t.memo) && !text.iter().filter_map(|s| s.as_deref()).any(bad),
                "{t:?}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096), name in prop::option::of("[a-z]{1,8}\\.(ofx|qfx|sta|csv|xml|940)")) {
        let _ = parse(&bytes, name.as_deref());
    }

    #[test]
    fn token_soup(picks in prop::collection::vec(0..TOKENS.len(), 0..200)) {
        let text: String = picks.iter().filter_map(|i| TOKENS.get(*i)).copied().collect();
        printable(parse(text.as_bytes(), None))?;
        printable(parse(text.as_bytes(), Some("x.sta")))?;
    }

    #[test]
    fn damaged_fixtures(seed in any::<prop::sample::Index>(), damages in prop::collection::vec(damage(), 1..8)) {
        let seeds = seeds();
        let bytes = apply(seed.get(&seeds).clone(), &damages);
        printable(parse(&bytes, None))?;
    }

    #[test]
    fn arbitrary_csv_mapping(
        bytes in prop::collection::vec(any::<u8>(), 0..1024),
        date in "[A-Za-z0-9 ]{0,6}",
        amount in prop::option::of("[A-Za-z0-9 ]{0,6}"),
        debit in prop::option::of("[0-9]{1,2}"),
        date_format in prop::option::of("%[a-zA-Z%/.-]{0,8}"),
        delimiter in prop::option::of(any::<char>()),
        negate in any::<bool>(),
        balance in prop::option::of("[A-Za-z0-9 ]{0,6}"),
    ) {
        let mapping = CsvMapping { date, amount, debit, credit: None, description: "2".into(), balance, date_format, delimiter, negate };
        let _ = parse_csv_with(&bytes, &mapping);
    }
}

#[test]
fn control_characters_in_a_memo_read_as_spaces() {
    let csv = "Date,Amount,Description\n01/02/2024,-12.50,COFFEE\u{0}SHOP\u{c} 42\n01/03/2024,100.00,PAY\n";
    let statement = parse(csv.as_bytes(), Some("x.csv")).expect("parses");
    let memos: Vec<&str> = statement.accounts[0]
        .transactions
        .iter()
        .map(|t| t.memo.as_str())
        .collect();
    assert_eq!(memos, ["COFFEE SHOP 42", "PAY"]);
}

#[test]
fn deep_nesting_and_huge_values() {
    let deep_sgml = format!("OFXHEADER:100\n<OFX>{}", "<A>".repeat(100_000));
    let _ = parse(deep_sgml.as_bytes(), None);
    let deep_xml = format!(
        "<?xml version=\"1.0\"?><Document>{}",
        "<Stmt>".repeat(100_000)
    );
    let _ = parse(deep_xml.as_bytes(), None);
    let huge = format!(
        "OFXHEADER:100\n<OFX><STMTRS><STMTTRN><DTPOSTED>20240101<TRNAMT>{}</STMTTRN>",
        "9".repeat(10_000)
    );
    assert!(parse(huge.as_bytes(), None).is_err());
}
