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
    ) || matches!(h, "amt" | "value" | "sum" | "gross" | "net" | "total");
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
