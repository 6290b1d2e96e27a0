//! Recognising CSV columns by their header names. Banks name the same
//! column a dozen ways in five languages; each role gets a score so that
//! the most specific name wins ("Posting Date" over "Date" over "Value
//! Date", "Amount" over "Original Amount").

pub(crate) fn norm(h: &str) -> String {
    h.trim()
        .trim_matches(|c| c == '"' || c == '\u{feff}')
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn has_any(h: &str, words: &[&str]) -> bool {
    words.iter().any(|w| h.contains(w))
}

pub(crate) fn date_score(h: &str) -> u8 {
    if has_any(h, &["time zone", "timezone", "update", "due", "exp"]) {
        return 0;
    }
    let dateish = has_any(
        h,
        &[
            "date",
            "datum",
            "fecha",
            "data",
            "buchungstag",
            "valuta",
            "wertstellung",
            "created",
            "datetime",
        ],
    );
    if !dateish {
        return 0;
    }
    if has_any(h, &["value", "valuta", "wertstellung", "valeur", "valor"]) {
        1
    } else if has_any(h, &["post", "book", "buchung", "opération", "operation"]) {
        5
    } else if matches!(h, "date" | "datum" | "fecha" | "data") {
        4
    } else {
        3
    }
}

pub(crate) fn amount_score(h: &str) -> u8 {
    if has_any(h, &["balance", "saldo", "kontostand", "solde", "running"]) {
        return 0;
    }
    let amountish = has_any(
        h,
        &[
            "amount",
            "betrag",
            "importe",
            "montant",
            "bedrag",
            "mutatie",
            "netamount",
        ],
    ) || matches!(
        h,
        "amt" | "value" | "sum" | "gross" | "net" | "total" | "bruto" | "neto" | "brutto" | "netto"
    );
    if !amountish {
        return 0;
    }
    if has_any(
        h,
        &[
            "original",
            "converted",
            "refund",
            "transfer",
            "foreign",
            "currency",
            "fee",
            "credit",
            "debit",
            "tax",
            "orig",
            "shipping",
            "handling",
            "envío",
            "envio",
        ],
    ) {
        1
    } else if matches!(
        h,
        "amount" | "betrag" | "importe" | "montant" | "bedrag" | "amt" | "transaction amount"
    ) {
        5
    } else if h.starts_with("amount") || h.starts_with("bedrag") || h.starts_with("betrag") {
        4
    } else {
        3
    }
}

pub(crate) fn debit_score(h: &str) -> u8 {
    if has_any(h, &["/", "card", "balance"]) {
        return 0;
    }
    u8::from(has_any(
        h,
        &[
            "debit",
            "débit",
            "withdrawal",
            "soll",
            "debe",
            "paid out",
            "money out",
            "outflow",
            "ausgang",
            "cargo",
            "afschrijving",
        ],
    ))
}

pub(crate) fn credit_score(h: &str) -> u8 {
    if has_any(h, &["/", "card", "balance"]) {
        return 0;
    }
    u8::from(has_any(
        h,
        &[
            "credit",
            "crédit",
            "deposit",
            "haben",
            "haber",
            "paid in",
            "money in",
            "inflow",
            "eingang",
            "abono",
            "bijschrijving",
        ],
    ))
}

pub(crate) fn description_score(h: &str) -> u8 {
    if matches!(
        h,
        "description"
            | "transaction description"
            | "omschrijving"
            | "naam / omschrijving"
            | "verwendungszweck"
            | "libellé"
            | "libelle"
            | "concepto"
            | "desc"
    ) {
        6
    } else if has_any(
        h,
        &["description", "descripción", "descripcion", "omschrijving"],
    ) && !has_any(h, &["original", "additional"])
    {
        5
    } else if matches!(
        h,
        "memo"
            | "label"
            | "narrative"
            | "purpose"
            | "buchungstext"
            | "text"
            | "payment reference"
            | "reason"
            | "particulars"
            | "details"
            | "transaction details"
            | "detail"
    ) {
        4
    } else if matches!(
        h,
        "payee"
            | "merchant name"
            | "merchant"
            | "name"
            | "partner name"
            | "beneficiary"
            | "counterparty"
    ) || h.starts_with("auftraggeber")
    {
        2
    } else if has_any(h, &["description", "memo"]) {
        1
    } else {
        0
    }
}

pub(crate) fn name_score(h: &str) -> u8 {
    if matches!(
        h,
        "payee"
            | "merchant name"
            | "merchant"
            | "name"
            | "partner name"
            | "beneficiary"
            | "counterparty"
            | "merchantname"
            | "naam"
            | "payee name"
    ) || h.starts_with("auftraggeber")
        || h.starts_with("empfänger")
    {
        1
    } else {
        0
    }
}

pub(crate) fn pick(
    headers: &[String],
    score: impl Fn(&str) -> u8,
    exclude: &[usize],
) -> Option<(usize, u8)> {
    let mut best: Option<(usize, u8)> = None;
    for (i, h) in headers.iter().enumerate() {
        if exclude.contains(&i) {
            continue;
        }
        let s = score(h);
        if s > 0 && best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    best
}

pub(crate) fn find_exact(headers: &[String], names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| names.contains(&h.as_str()))
}

/// The running balance column (the balance after each row). Statement-level
/// figures (opening, closing, beginning, ending balance) and value-dated
/// balances are not it; an available balance is taken only when no other
/// balance column exists.
pub(crate) fn balance_score(h: &str) -> u8 {
    if !has_any(
        h,
        &["balance", "saldo", "solde", "kontostand", "running bal"],
    ) && !matches!(h, "bal" | "bal.")
    {
        return 0;
    }
    if has_any(
        h,
        &[
            "beginning",
            "begin",
            "opening",
            "closing",
            "ending",
            "start",
            "previous",
            "prior",
            "impact",
            "valutair",
            "value",
            "anfang",
            "initial",
            "final",
        ],
    ) {
        return 0;
    }
    if has_any(h, &["available", "verfügbar", "disponible", "beschikbaar"]) {
        1
    } else if has_any(
        h,
        &[
            "running",
            "after",
            "na operacji",
            "po operacji",
            "po transakcji",
            "nach buchung",
            "après",
        ],
    ) {
        5
    } else if matches!(
        h,
        "balance" | "saldo" | "solde" | "kontostand" | "boeksaldo" | "account balance"
    ) {
        4
    } else {
        3
    }
}

/// Columns naming the account holder (not a counterparty, not an account
/// nickname).
pub(crate) const OWNER_HEADERS: &[&str] = &[
    "account holder",
    "account holder name",
    "account owner",
    "account owner name",
    "kontoinhaber",
    "titulaire",
    "titulaire du compte",
    "titular",
    "titular de la cuenta",
    "rekeninghouder",
];

/// UK sort code columns (the bank id of the account).
pub(crate) const SORT_CODE_HEADERS: &[&str] = &["sort code", "sortcode", "sort-code"];

/// Currency columns.
pub(crate) const CURRENCY_HEADERS: &[&str] = &[
    "currency",
    "ccy",
    "curr",
    "devise",
    "moneda",
    "währung",
    "waehrung",
    "divisa",
    "monn.",
    "munt",
    "currency code",
];

/// The bank's own reference of a posting.
pub(crate) const ID_HEADERS: &[&str] = &[
    "reference",
    "ref",
    "transaction id",
    "transactionid",
    "id",
    "fitid",
    "référence",
    "referencia",
    "reference id",
    "receipt id",
    "n° de transaction",
    "transaction number",
    "referentie",
];

pub(crate) const CHECK_HEADERS: &[&str] = &[
    "check number",
    "checknumber",
    "check or slip #",
    "check #",
    "check no",
    "check no.",
    "chknum",
    "cheque number",
];

/// The bank's type or code of a posting.
pub(crate) const KIND_HEADERS: &[&str] = &[
    "type",
    "transaction type",
    "code",
    "mutatiesoort",
    "buchungstext",
];

/// The account a row belongs to (files of several accounts).
pub(crate) const ACCOUNT_HEADERS: &[&str] = &[
    "iban",
    "account number",
    "account",
    "kontonummer",
    "rekening",
    "account id",
    "accountid",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_headers() {
        for h in [
            "balance",
            "running balance",
            "runningbalance",
            "saldo",
            "solde",
            "kontostand",
            "saldo na operacji",
            "running bal.",
            "cash balance ($)",
            "net cash balance",
        ] {
            assert!(balance_score(h) >= 3, "{h}");
        }
        assert!(balance_score("running balance") > balance_score("balance"));
        assert!(balance_score("available balance") < balance_score("balance"));
        assert!(balance_score("available balance") > 0, "taken when alone");
        for h in [
            "beginning balance",
            "ending balance",
            "opening balance",
            "balance impact",
            "valutair saldo",
            "amount",
        ] {
            assert_eq!(balance_score(h), 0, "{h}");
        }
    }
}
