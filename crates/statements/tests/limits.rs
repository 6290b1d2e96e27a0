//! Every format stops at the transaction limit while reading, and at the
//! element limit on files that are mostly markup.

use fundline_statements::{
    parse_csv_with_limited, parse_limited, synth, CsvMapping, Exceeded, Limits,
};

fn limits(max_transactions: usize) -> Limits {
    Limits {
        max_transactions,
        ..Limits::default()
    }
}

fn files(n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("OFX SGML", synth::ofx1(n)),
        ("OFX XML", synth::ofx2(n)),
        ("CSV", synth::csv(n)),
        ("MT940", synth::mt940(n)),
        ("CAMT", synth::camt053(n)),
    ]
}

/// `text` is refused past `limits` for `exceeded`, saying `says`.
fn refused(label: &str, text: &str, limits: &Limits, exceeded: Exceeded, says: &str) {
    let e = parse_limited(text.as_bytes(), None, limits).unwrap_err();
    assert_eq!(e.exceeded(), Some(exceeded), "{label}: {e}");
    assert!(e.message().contains(says), "{label}: {e}");
}

#[test]
fn each_format_parses_up_to_the_limit_and_stops_past_it() {
    for (label, text) in files(300) {
        let ok = parse_limited(text.as_bytes(), None, &limits(300))
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(ok.transaction_count(), 300, "{label}");
        let says = "more than 299 transactions";
        refused(label, &text, &limits(299), Exceeded::Transactions, says);
    }
}

#[test]
fn a_mapped_csv_stops_at_the_limit() {
    let mapping = CsvMapping {
        date: "Date".into(),
        amount: Some("Amount".into()),
        description: "Description".into(),
        ..CsvMapping::default()
    };
    let text = synth::csv(500);
    let ok = parse_csv_with_limited(text.as_bytes(), &mapping, &limits(500)).unwrap();
    assert_eq!(ok.transaction_count(), 500);
    let e = parse_csv_with_limited(text.as_bytes(), &mapping, &limits(100)).unwrap_err();
    assert!(e.is_limit(), "{e}");
}

#[test]
fn markup_without_transactions_stops_at_the_element_limit() {
    let small = Limits {
        max_transactions: 1_000,
        max_elements: 5_000,
    };
    let wide_ofx = format!(
        "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><SIGNONMSGSRSV1>{}</SIGNONMSGSRSV1></OFX>",
        "<X/>".repeat(6_000)
    );
    let wide_xml_ofx = format!(
        "<?xml version=\"1.0\"?><?OFX OFXHEADER=\"200\"?><OFX>{}</OFX>",
        "<X a=\"1\"/>".repeat(3_000)
    );
    let wide_camt = format!(
        "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>{}</BkToCstmrStmt></Document>",
        "<a/>".repeat(6_000)
    );
    let wide_csv = format!("Date,Amount,Description\n{}", ",,,,,,,,,\n".repeat(1_000));
    let blank_mt940 = format!(":20:X\n:25:1\n{}", "\n".repeat(6_000));
    for (label, text) in [
        ("OFX SGML", wide_ofx),
        ("OFX XML", wide_xml_ofx),
        ("CAMT", wide_camt),
        ("CSV", wide_csv),
        ("MT940", blank_mt940),
    ] {
        refused(
            label,
            &text,
            &small,
            Exceeded::Elements,
            "more than 5000 elements",
        );
    }
}

#[test]
fn ordinary_files_are_far_inside_the_default_limits() {
    // 10 MB of OFX, the largest file the server takes.
    let text = synth::ofx1(55_000);
    assert!(text.len() <= 10 * 1024 * 1024);
    let s = parse_limited(text.as_bytes(), None, &Limits::default()).unwrap();
    assert_eq!(s.transaction_count(), 55_000);
}
