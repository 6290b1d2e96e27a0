//! A hand-made OFX 2 statement with a known story: ACME PAYROLL every other
//! Friday, rent on the 1st, groceries, a loan and its repayments.

use chrono::{Datelike, Duration, NaiveDate};

pub struct Story {
    pub text: String,
    pub paydays: usize,
    pub account: &'static str,
}

pub fn statement(end: NaiveDate) -> Story {
    let start = end - Duration::days(180);
    let mut tx: Vec<(NaiveDate, String, &str, String)> = Vec::new();
    let mut d = start
        + Duration::days((4 - i64::from(start.weekday().num_days_from_monday())).rem_euclid(7));
    let mut paydays = 0;
    while d <= end {
        tx.push((
            d,
            "1500.00".into(),
            "DIRECTDEP",
            "ACME CORP PAYROLL PPD".into(),
        ));
        paydays += 1;
        d += Duration::days(14);
    }
    let mut m = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap();
    while m <= end {
        if m >= start {
            tx.push((
                m,
                "-1200.00".into(),
                "DEBIT",
                "OAKWOOD APARTMENTS RENT".into(),
            ));
            tx.push((
                m + Duration::days(9),
                "-85.40".into(),
                "DEBIT",
                "GEORGIA POWER UTILITY".into(),
            ));
        }
        m = if m.month() == 12 {
            NaiveDate::from_ymd_opt(m.year() + 1, 1, 1).unwrap()
        } else {
            NaiveDate::from_ymd_opt(m.year(), m.month() + 1, 1).unwrap()
        };
    }
    let mut g = start + Duration::days(2);
    while g <= end {
        tx.push((
            g,
            "-64.25".into(),
            "POS",
            "POS PURCHASE KROGER #1123".into(),
        ));
        g += Duration::days(5);
    }
    let loan = start + Duration::days(10);
    tx.push((
        loan,
        "1000.00".into(),
        "CREDIT",
        "QUICKCASH LENDING LOAN DISBURSEMENT".into(),
    ));
    for k in 1..=5 {
        tx.push((
            loan + Duration::days(30 * k),
            "-230.00".into(),
            "DEBIT",
            "QUICKCASH LENDING LOAN PAYMENT".into(),
        ));
    }
    tx.sort_by_key(|t| t.0);
    let mut body = String::new();
    for (n, (date, amount, kind, memo)) in tx.iter().enumerate() {
        body.push_str(&format!(
            "<STMTTRN><TRNTYPE>{kind}</TRNTYPE><DTPOSTED>{}</DTPOSTED><TRNAMT>{amount}</TRNAMT><FITID>T{n:05}</FITID><NAME>{memo}</NAME><MEMO>{memo}</MEMO></STMTTRN>\n",
            date.format("%Y%m%d")
        ));
    }
    let account = "000123456789";
    let text = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><DTSERVER>{end}</DTSERVER><LANGUAGE>ENG</LANGUAGE><FI><ORG>Example Bank</ORG><FID>1001</FID></FI></SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<STMTRS><CURDEF>USD</CURDEF><BANKACCTFROM><BANKID>011000015</BANKID><ACCTID>{account}</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
<BANKTRANLIST><DTSTART>{start}</DTSTART><DTEND>{end}</DTEND>
{body}</BANKTRANLIST><LEDGERBAL><BALAMT>4321.09</BALAMT><DTASOF>{end}</DTASOF></LEDGERBAL><AVAILBAL><BALAMT>4300.00</BALAMT><DTASOF>{end}</DTASOF></AVAILBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"#,
        start = start.format("%Y%m%d"),
        end = end.format("%Y%m%d"),
    );
    Story {
        text,
        paydays,
        account,
    }
}
