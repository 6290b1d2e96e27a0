//! Inferring an account's currency when the file does not state one.

use crate::model::Account;
use chrono::NaiveDate;

/// IBAN country code, IBAN length, and the country's currency. Countries
/// with more than one currency in use are left out.
const IBAN_COUNTRIES: &[(&str, usize, &str)] = &[
    ("AD", 24, "EUR"),
    ("AE", 23, "AED"),
    ("AL", 28, "ALL"),
    ("AT", 20, "EUR"),
    ("AZ", 28, "AZN"),
    ("BA", 20, "BAM"),
    ("BE", 16, "EUR"),
    ("BG", 22, "BGN"),
    ("BH", 22, "BHD"),
    ("BR", 29, "BRL"),
    ("BY", 28, "BYN"),
    ("CH", 21, "CHF"),
    ("CR", 22, "CRC"),
    ("CY", 28, "EUR"),
    ("CZ", 24, "CZK"),
    ("DE", 22, "EUR"),
    ("DK", 18, "DKK"),
    ("DO", 28, "DOP"),
    ("EE", 20, "EUR"),
    ("EG", 29, "EGP"),
    ("ES", 24, "EUR"),
    ("FI", 18, "EUR"),
    ("FO", 18, "DKK"),
    ("FR", 27, "EUR"),
    ("GB", 22, "GBP"),
    ("GE", 22, "GEL"),
    ("GI", 23, "GIP"),
    ("GL", 18, "DKK"),
    ("GR", 27, "EUR"),
    ("GT", 28, "GTQ"),
    ("HR", 21, "EUR"),
    ("HU", 28, "HUF"),
    ("IE", 22, "EUR"),
    ("IL", 23, "ILS"),
    ("IQ", 23, "IQD"),
    ("IS", 26, "ISK"),
    ("IT", 27, "EUR"),
    ("JO", 30, "JOD"),
    ("KW", 30, "KWD"),
    ("KZ", 20, "KZT"),
    ("LB", 28, "LBP"),
    ("LI", 21, "CHF"),
    ("LT", 20, "EUR"),
    ("LU", 20, "EUR"),
    ("LV", 21, "EUR"),
    ("MC", 27, "EUR"),
    ("MD", 24, "MDL"),
    ("ME", 22, "EUR"),
    ("MK", 19, "MKD"),
    ("MR", 27, "MRU"),
    ("MT", 31, "EUR"),
    ("MU", 30, "MUR"),
    ("NL", 18, "EUR"),
    ("NO", 15, "NOK"),
    ("PK", 24, "PKR"),
    ("PL", 28, "PLN"),
    ("PT", 25, "EUR"),
    ("QA", 29, "QAR"),
    ("RO", 24, "RON"),
    ("RS", 22, "RSD"),
    ("SA", 24, "SAR"),
    ("SE", 24, "SEK"),
    ("SI", 19, "EUR"),
    ("SK", 24, "EUR"),
    ("SM", 27, "EUR"),
    ("TN", 24, "TND"),
    ("TR", 26, "TRY"),
    ("UA", 29, "UAH"),
    ("VA", 22, "EUR"),
    ("XK", 20, "EUR"),
];

/// Countries that joined the euro after their IBANs were in use: before the
/// date, statements are in the old currency.
const EURO_ADOPTION: &[(&str, (i32, u32, u32), &str)] = &[
    ("SI", (2007, 1, 1), "SIT"),
    ("CY", (2008, 1, 1), "CYP"),
    ("MT", (2008, 1, 1), "MTL"),
    ("SK", (2009, 1, 1), "SKK"),
    ("EE", (2011, 1, 1), "EEK"),
    ("LV", (2014, 1, 1), "LVL"),
    ("LT", (2015, 1, 1), "LTL"),
    ("HR", (2023, 1, 1), "HRK"),
];

/// The currency of an IBAN-shaped account id (country code, two check
/// digits, the country's exact IBAN length; spaces ignored), if the country
/// has one currency. `day` is the statement's last day, for countries that
/// changed currency.
fn iban_currency(id: &str, day: Option<NaiveDate>) -> Option<&'static str> {
    let compact: String = id.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.to_ascii_uppercase();
    let country = compact.get(..2)?;
    let checks = compact.get(2..4)?;
    if !country.chars().all(|c| c.is_ascii_uppercase())
        || !checks.chars().all(|c| c.is_ascii_digit())
        || !compact.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return None;
    }
    let (_, len, currency) = IBAN_COUNTRIES.iter().find(|(c, _, _)| *c == country)?;
    if compact.len() != *len {
        return None;
    }
    if let (Some(day), Some((_, (y, m, d), old))) =
        (day, EURO_ADOPTION.iter().find(|(c, _, _)| *c == country))
    {
        if NaiveDate::from_ymd_opt(*y, *m, *d).is_some_and(|adopted| day < adopted) {
            return Some(*old);
        }
    }
    Some(*currency)
}

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

/// A UK sort code: `nn-nn-nn` or six digits (a leading `'`, as spreadsheet
/// exports write it, is ignored).
fn is_sort_code(s: &str) -> bool {
    let s = s.trim().trim_start_matches('\'');
    let parts: Vec<&str> = s.split('-').collect();
    let ok = |p: &&str| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [a, b, c] => ok(a) && ok(b) && ok(c),
        [one] => one.len() == 6 && one.chars().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

fn is_uk_account_number(s: &str) -> bool {
    let s = s.trim();
    s.len() == 8 && s.chars().all(|c| c.is_ascii_digit())
}

/// Sort code and account number in one id: "12-34-56 12345678",
/// "123456 12345678", "12345612345678".
fn is_uk_sort_code_and_account(id: &str) -> bool {
    let compact: String = id
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    id.chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        && compact.len() == 14
        && compact.chars().all(|c| c.is_ascii_digit())
        && (id.contains(' ') || id.matches('-').count() >= 2)
}

/// A US ABA routing number: nine digits, a Federal Reserve prefix (00-12,
/// 21-32, 61-72, 80) and a valid checksum (3, 7, 1 weights, modulo 10).
fn is_aba_routing(s: &str) -> bool {
    let s = s.trim();
    if s.len() != 9 {
        return false;
    }
    let Some(d) = digits(s) else {
        return false;
    };
    let prefix = d.first().copied().unwrap_or(0) * 10 + d.get(1).copied().unwrap_or(0);
    if !matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80) {
        return false;
    }
    let weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
    let sum: u32 = d.iter().zip(weights).map(|(x, w)| x * w).sum();
    sum.is_multiple_of(10)
}

/// Memos that name fees on "non-sterling" or "non-GBP" transactions are
/// written by UK banks about a sterling account.
fn mentions_non_sterling(memo: &str) -> bool {
    let upper = memo.to_ascii_uppercase();
    let words: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .any(|w| matches!(w, ["NON", "GBP"] | ["NON", "STERLING"]))
        || words.iter().any(|w| *w == "NONGBP" || *w == "NONSTERLING")
}

/// Infer the currency of an account whose file states none, with the reason
/// (for the report to show next to the figures). Use it only when
/// [`Account::currency`] is `None`; parsers never fill the currency with a
/// guess. Rules, first match wins:
///
/// 1. The account id is an IBAN (country code, check digits, that
///    country's IBAN length): the country's currency. Eurozone countries
///    give EUR (before their adoption date, the old currency), GB GBP, CH
///    and LI CHF, DK DKK, SE SEK, NO NOK, PL PLN, and so on; countries with
///    several currencies in use are not listed.
/// 2. A UK sort code (`nn-nn-nn` or six digits, in the bank id) with an
///    8-digit account number, or both in the account id: GBP.
/// 3. A memo naming "NON-GBP" or "NON-STERLING" (UK banks' fee lines for
///    card spending abroad): GBP.
/// 4. A bank id that is a 9-digit ABA routing number with a valid checksum:
///    USD.
///
/// Returns `None` otherwise: the caller should say the currency is unknown
/// rather than assume one.
pub fn infer_currency(account: &Account) -> Option<(String, &'static str)> {
    let last_day = account
        .end_date
        .or_else(|| account.transactions.iter().map(|t| t.date).max());
    let id = account.account_id.as_deref().map(str::trim).unwrap_or("");
    let bank = account.bank_id.as_deref().map(str::trim).unwrap_or("");
    if let Some(c) = iban_currency(id, last_day) {
        return Some((c.to_string(), "the account's IBAN country"));
    }
    // MT940 ":25:" often carries "BIC/IBAN" or "bank code/account".
    if let Some(c) = id.split('/').find_map(|part| iban_currency(part, last_day)) {
        return Some((c.to_string(), "the account's IBAN country"));
    }
    if (is_sort_code(bank) && is_uk_account_number(id)) || is_uk_sort_code_and_account(id) {
        return Some((
            "GBP".to_string(),
            "a UK sort code with an 8-digit account number",
        ));
    }
    if account
        .transactions
        .iter()
        .any(|t| mentions_non_sterling(&t.memo))
    {
        return Some((
            "GBP".to_string(),
            "memos name non-sterling (NON-GBP) transaction fees, written by UK banks",
        ));
    }
    if is_aba_routing(bank) {
        return Some(("USD".to_string(), "a US ABA routing number"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Transaction;
    use rust_decimal::Decimal;

    fn account(id: &str, bank: &str) -> Account {
        Account {
            account_id: (!id.is_empty()).then(|| id.to_string()),
            bank_id: (!bank.is_empty()).then(|| bank.to_string()),
            ..Account::default()
        }
    }

    fn currency(a: &Account) -> Option<String> {
        infer_currency(a).map(|(c, _)| c)
    }

    #[test]
    fn currency_from_the_account_and_bank_ids() {
        // (account id, bank id, currency inferred)
        let cases = [
            // An IBAN's country.
            ("DE89370400440532013000", "", Some("EUR")),
            ("NL91 ABNA 0417 1643 00", "", Some("EUR")),
            ("GB29NWBK60161331926819", "", Some("GBP")),
            ("CH9300762011623852957", "", Some("CHF")),
            ("PL61109010140000071219812874", "", Some("PLN")),
            ("SE4550000000058398257466", "", Some("SEK")),
            // MT940 "bank/IBAN".
            ("COBADEFF/DE89370400440532013000", "", Some("EUR")),
            // Wrong length for the country, unknown country: no answer.
            ("DE8937040044053201300", "", None),
            ("ZZ89370400440532013000", "", None),
            // A UK sort code with an 8-digit account number.
            ("12345678", "99-88-74", Some("GBP")),
            ("12345678", "'998874", Some("GBP")),
            ("99-88-74 12345678", "", Some("GBP")),
            // Not 8 digits, or not a sort code.
            ("1234567890", "99-88-74", None),
            ("12345678", "99-88", None),
            // Real ABA routing numbers (checksums valid).
            ("12345", "121202211", Some("USD")),
            ("", "021000021", Some("USD")),
            // Bad checksum, bad prefix, wrong length.
            ("", "121202212", None),
            ("", "123456789", None),
            ("", "991000021", None),
            ("", "02100002", None),
            // Nothing to go on.
            ("0001234567", "", None),
        ];
        for (id, bank, want) in cases {
            assert_eq!(
                currency(&account(id, bank)).as_deref(),
                want,
                "{id:?} {bank:?}"
            );
        }
        assert_eq!(infer_currency(&Account::default()), None);
        let reason = infer_currency(&account("BE68539007547034", "")).unwrap().1;
        assert!(reason.contains("IBAN"));
    }

    #[test]
    fn euro_adoption_date() {
        let mut a = account("HR1210010051863000160", "");
        assert_eq!(currency(&a).as_deref(), Some("EUR"));
        a.end_date = NaiveDate::from_ymd_opt(2022, 6, 30);
        assert_eq!(currency(&a).as_deref(), Some("HRK"));
    }

    #[test]
    fn non_sterling_memos() {
        let mut a = account("1515152252", "");
        a.transactions.push(Transaction {
            date: NaiveDate::from_ymd_opt(2024, 1, 12).unwrap(),
            amount: Decimal::from(-4),
            currency: None,
            id: None,
            name: None,
            memo: "NON-GBP TRANS FEE 2.75% CD 1417".into(),
            kind: None,
            check_number: None,
            balance: None,
        });
        assert_eq!(currency(&a).as_deref(), Some("GBP"));
        a.transactions[0].memo = "Non-Sterling Transaction Fee".into();
        assert_eq!(currency(&a).as_deref(), Some("GBP"));
        a.transactions[0].memo = "NONE GBPX".into();
        assert_eq!(currency(&a), None);
    }
}
