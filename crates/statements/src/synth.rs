//! Deterministic synthetic statement files (OFX, CSV, MT940, CAMT.053)
//! for throughput benchmarks and limit tests.

use std::fmt::Write;

fn amount(i: usize) -> String {
    // Mix of debits and credits with varying cents, no randomness needed.
    let cents = (i * 7919) % 100_000;
    let sign = if i.is_multiple_of(3) { "" } else { "-" };
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

/// `amount(i)` without its sign, and whether it is a debit: for the
/// formats that write the direction as a mark of its own.
fn unsigned_amount(i: usize) -> (bool, String) {
    let a = amount(i);
    match a.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, a),
    }
}

fn date(i: usize) -> String {
    let day = i % 28 + 1;
    let month = (i / 28) % 12 + 1;
    format!("2024{month:02}{day:02}")
}

/// `date(i)` as YYYY-MM-DD.
fn iso_date(i: usize) -> String {
    let d = date(i);
    format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..])
}

fn kind(i: usize) -> &'static str {
    match i % 6 {
        0 => "DEBIT",
        1 => "POS",
        2 => "CHECK",
        3 => "CREDIT",
        4 => "ATM",
        _ => "XFER",
    }
}

/// An OFX 2.x (XML) bank statement with `n_transactions` transactions.
pub fn ofx2(n_transactions: usize) -> String {
    let mut s = String::with_capacity(300 * n_transactions + 1024);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
    s.push_str("<?OFX OFXHEADER=\"200\" VERSION=\"220\" SECURITY=\"NONE\" OLDFILEUID=\"NONE\" NEWFILEUID=\"NONE\"?>\n");
    s.push_str(
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>",
    );
    s.push_str("<DTSERVER>20240131120000</DTSERVER><LANGUAGE>ENG</LANGUAGE><FI><ORG>Synthetic Bank</ORG><FID>1</FID></FI></SONRS></SIGNONMSGSRSV1>\n");
    s.push_str("<BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><STMTRS><CURDEF>USD</CURDEF>");
    s.push_str("<BANKACCTFROM><BANKID>121000248</BANKID><ACCTID>000123456789</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>\n");
    s.push_str("<BANKTRANLIST><DTSTART>20240101</DTSTART><DTEND>20241231</DTEND>\n");
    for i in 0..n_transactions {
        let _ = writeln!(
            s,
            "<STMTTRN><TRNTYPE>{}</TRNTYPE><DTPOSTED>{}120000.000[-5:EST]</DTPOSTED><TRNAMT>{}</TRNAMT><FITID>T{i:08}</FITID><NAME>Payee {}</NAME><MEMO>Synthetic transaction {i} &amp; more</MEMO></STMTTRN>",
            kind(i),
            date(i),
            amount(i),
            i % 97
        );
    }
    s.push_str(
        "</BANKTRANLIST><LEDGERBAL><BALAMT>1234.56</BALAMT><DTASOF>20241231</DTASOF></LEDGERBAL>",
    );
    s.push_str("<AVAILBAL><BALAMT>1000.00</BALAMT><DTASOF>20241231</DTASOF></AVAILBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n");
    s
}

/// An OFX 1.x (SGML, unclosed leaf elements) bank statement with
/// `n_transactions` transactions.
pub fn ofx1(n_transactions: usize) -> String {
    let mut s = String::with_capacity(200 * n_transactions + 1024);
    s.push_str("OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\nCHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n");
    s.push_str("<OFX>\r\n<SIGNONMSGSRSV1>\r\n<SONRS>\r\n<STATUS>\r\n<CODE>0\r\n<SEVERITY>INFO\r\n</STATUS>\r\n<DTSERVER>20240131120000\r\n<LANGUAGE>ENG\r\n<FI>\r\n<ORG>Synthetic Bank\r\n<FID>1\r\n</FI>\r\n</SONRS>\r\n</SIGNONMSGSRSV1>\r\n");
    s.push_str("<CREDITCARDMSGSRSV1>\r\n<CCSTMTTRNRS>\r\n<TRNUID>1\r\n<STATUS>\r\n<CODE>0\r\n<SEVERITY>INFO\r\n</STATUS>\r\n<CCSTMTRS>\r\n<CURDEF>USD\r\n<CCACCTFROM>\r\n<ACCTID>4111111111111111\r\n</CCACCTFROM>\r\n<BANKTRANLIST>\r\n<DTSTART>20240101\r\n<DTEND>20241231\r\n");
    for i in 0..n_transactions {
        let _ = write!(
            s,
            "<STMTTRN>\r\n<TRNTYPE>{}\r\n<DTPOSTED>{}\r\n<TRNAMT>{}\r\n<FITID>C{i:08}\r\n<NAME>Merchant {}\r\n<MEMO>Card purchase {i}\r\n</STMTTRN>\r\n",
            kind(i),
            date(i),
            amount(i),
            i % 89
        );
    }
    s.push_str("</BANKTRANLIST>\r\n<LEDGERBAL>\r\n<BALAMT>-512.34\r\n<DTASOF>20241231\r\n</LEDGERBAL>\r\n</CCSTMTRS>\r\n</CCSTMTTRNRS>\r\n</CREDITCARDMSGSRSV1>\r\n</OFX>\r\n");
    s
}

/// A CSV export (header `Date,Amount,Description`) with `n_transactions` rows.
pub fn csv(n_transactions: usize) -> String {
    let mut s = String::with_capacity(40 * n_transactions + 64);
    s.push_str("Date,Amount,Description\n");
    for i in 0..n_transactions {
        let _ = writeln!(s, "{},{},Payee {}", iso_date(i), amount(i), i % 97);
    }
    s
}

/// An MT940 statement with `n_transactions` `:61:`/`:86:` pairs.
pub fn mt940(n_transactions: usize) -> String {
    let mut s = String::with_capacity(80 * n_transactions + 256);
    s.push_str(":20:SYNTH\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C240101EUR1000,00\n");
    for i in 0..n_transactions {
        let d = date(i);
        let (debit, a) = unsigned_amount(i);
        let mark = if debit { "D" } else { "C" };
        let _ = write!(
            s,
            ":61:{}{}{}{}NTRFREF{i}\n:86:Synthetic transaction {i}\n",
            &d[2..],
            &d[4..],
            mark,
            a.replace('.', ",")
        );
    }
    s.push_str(":62F:C241231EUR1000,00\n-\n");
    s
}

/// A CAMT.053 document with one statement of `n_transactions` entries.
pub fn camt053(n_transactions: usize) -> String {
    let mut s = String::with_capacity(400 * n_transactions + 1024);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><GrpHdr><MsgId>SYNTH</MsgId></GrpHdr><Stmt><Id>1</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>\n");
    for i in 0..n_transactions {
        let (debit, a) = unsigned_amount(i);
        let ind = if debit { "DBIT" } else { "CRDT" };
        let _ = writeln!(
            s,
            "<Ntry><Amt Ccy=\"EUR\">{a}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{}</Dt></BookgDt><AcctSvcrRef>R{i}</AcctSvcrRef><AddtlNtryInf>Synthetic transaction {i}</AddtlNtryInf></Ntry>",
            iso_date(i)
        );
    }
    s.push_str("</Stmt></BkToCstmrStmt></Document>\n");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn synthetic_files_parse() {
        let s = crate::parse(super::ofx2(50).as_bytes(), None).unwrap();
        assert_eq!(s.transaction_count(), 50);
        assert_eq!(s.format, crate::Format::Ofx2);
        let s = crate::parse(super::ofx1(50).as_bytes(), None).unwrap();
        assert_eq!(s.transaction_count(), 50);
        assert_eq!(s.format, crate::Format::Ofx1);
        assert_eq!(super::ofx2(3), super::ofx2(3));
        for (text, format) in [
            (super::csv(50), crate::Format::Csv),
            (super::mt940(50), crate::Format::Mt940),
            (super::camt053(50), crate::Format::Camt053),
        ] {
            let s = crate::parse(text.as_bytes(), None).unwrap();
            assert_eq!((s.transaction_count(), s.format), (50, format));
        }
    }
}
