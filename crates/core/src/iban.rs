//! International Bank Account Numbers (ISO 13616).

/// Whitespace removed, uppercased; country length table for all SWIFT IBAN
/// registry countries; ISO 7064 mod 97 == 1.
///
/// Check digits 00, 01 and 99 are refused even though they can satisfy
/// mod 97 (99 ≡ 02, 00 ≡ 97, 01 ≡ 98): ISO 13616 only issues 02-98, so
/// those values mean the number was tampered with or mistyped.
pub fn normalize_iban(s: &str) -> Option<String> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let b = compact.as_bytes();
    // Everything after this point indexes bytes, so require ASCII first.
    if b.len() < 4 || !b.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    if !b[0].is_ascii_uppercase() || !b[1].is_ascii_uppercase() {
        return None;
    }
    if !b[2].is_ascii_digit() || !b[3].is_ascii_digit() {
        return None;
    }
    if country_length(&compact[..2])? != b.len() {
        return None;
    }
    if matches!(&compact[2..4], "00" | "01" | "99") {
        return None;
    }
    (mod97(b) == 1).then_some(compact)
}

/// ISO 7064 MOD 97-10 over the rearranged IBAN (BBAN first, then country
/// and check digits), with letters expanded to 10..35. Reduced per digit
/// so the number never has to be held as a big integer.
fn mod97(b: &[u8]) -> u32 {
    let (head, tail) = b.split_at(4);
    tail.iter().chain(head).fold(0u32, |r, &c| {
        if c.is_ascii_digit() {
            (r * 10 + u32::from(c - b'0')) % 97
        } else {
            (r * 100 + u32::from(c - b'A') + 10) % 97
        }
    })
}

/// IBAN length per country, from the SWIFT IBAN registry. Territories that
/// issue IBANs under another country's code (e.g. Guernsey under GB,
/// French overseas departments under FR) are covered by that code.
fn country_length(cc: &str) -> Option<usize> {
    Some(match cc {
        "NO" => 15,
        "BE" => 16,
        "DK" | "FI" | "FK" | "FO" | "GL" | "NL" | "SD" => 18,
        "MK" | "SI" => 19,
        "AT" | "BA" | "EE" | "KZ" | "LT" | "LU" | "MN" | "XK" => 20,
        "CH" | "HR" | "LI" | "LV" => 21,
        "BG" | "BH" | "CR" | "DE" | "GB" | "GE" | "IE" | "ME" | "RS" | "VA" => 22,
        "AE" | "GI" | "IL" | "IQ" | "OM" | "SO" | "TL" => 23,
        "AD" | "CZ" | "ES" | "MD" | "PK" | "RO" | "SA" | "SE" | "SK" | "TN" | "VG" => 24,
        "LY" | "PT" | "ST" => 25,
        "IS" | "TR" => 26,
        "BI" | "DJ" | "FR" | "GR" | "IT" | "MC" | "MR" | "SM" => 27,
        "AL" | "AZ" | "BY" | "CY" | "DO" | "GT" | "HN" | "HU" | "LB" | "NI" | "PL" | "SV" => 28,
        "BR" | "EG" | "PS" | "QA" | "UA" => 29,
        "JO" | "KW" | "MU" | "YE" => 30,
        "MT" | "SC" => 31,
        "LC" => 32,
        "RU" => 33,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_ibans() {
        for ok in [
            "DE89370400440532013000",
            "GB82WEST12345698765432",
            "GB29NWBK60161331926819",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
            "BE68539007547034",
            "NO9386011117947",
            "CH9300762011623852957",
            "ES9121000418450200051332",
            "IT60X0542811101000000123456",
            "SA0380000000608010167519",
            "MT84MALT011000012345MTLCAST001S",
            "LC55HEMM000100010012001200023015",
            "RU0204452560040702810412345678901",
        ] {
            assert_eq!(normalize_iban(ok).as_deref(), Some(ok), "{ok}");
        }
    }

    #[test]
    fn normalizes_spaces_and_case() {
        for (typed, kept) in [
            ("de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
            ("  GB82 west 1234 5698 7654 32\n", "GB82WEST12345698765432"),
            (
                "DE89\t3704\u{a0}0044 0532 0130 00",
                "DE89370400440532013000",
            ),
        ] {
            assert_eq!(normalize_iban(typed).as_deref(), Some(kept), "{typed:?}");
        }
    }

    #[test]
    fn one_digit_change_is_invalid() {
        assert_eq!(normalize_iban("DE89370400440532013001"), None);
        assert_eq!(normalize_iban("DE88370400440532013000"), None);
        assert_eq!(normalize_iban("GB82WEST12345698765433"), None);
        assert_eq!(normalize_iban("GB82WEST12345698765423"), None);
    }

    #[test]
    fn every_single_digit_substitution_is_invalid() {
        let good = "DE89370400440532013000";
        for s in crate::testing::single_digit_substitutions(good, 2) {
            assert_eq!(normalize_iban(&s), None, "{s}");
        }
    }

    #[test]
    fn wrong_length_for_country() {
        assert_eq!(normalize_iban("DE8937040044053201300"), None);
        assert_eq!(normalize_iban("DE893704004405320130000"), None);
        // A GB-length number with a DE prefix.
        assert_eq!(normalize_iban("DE82WEST12345698765432"), None);
    }

    #[test]
    fn unknown_country_rejected() {
        // Valid mod 97 arithmetic is irrelevant if the country is not in
        // the registry (US does not issue IBANs).
        assert_eq!(normalize_iban("US64SVBKUS6S3300958879"), None);
        assert_eq!(normalize_iban("XX00"), None);
    }

    #[test]
    fn reserved_check_digits_rejected() {
        // Exactly one check-digit pair in 02..=98 fits a given body.
        let base = "NWBK60161331926819";
        let fits: Vec<u32> = (0..=99u32)
            .filter(|cd| normalize_iban(&format!("GB{cd:02}{base}")).is_some())
            .collect();
        assert_eq!(fits, vec![29]);
        // Find any registry-valid body whose check digits are 02, then
        // confirm the congruent 99 variant is refused.
        let body = (0..1000u32)
            .map(|n| format!("NWBK6016133192{n:04}"))
            .find(|b| normalize_iban(&format!("GB02{b}")).is_some())
            .expect("some body has check digits 02");
        assert_eq!(mod97(format!("GB99{body}").as_bytes()), 1);
        assert_eq!(normalize_iban(&format!("GB99{body}")), None);
    }

    #[test]
    fn structural_rejections() {
        for bad in [
            "",
            "D",
            "DE",
            "DE8",
            "1E89370400440532013000",
            "DEX9370400440532013000",
            "DE89-3704-0044-0532-0130-00",
            "DE89370400440532013000!",
            "DÉ89370400440532013000",
            "ＤＥ89370400440532013000",
            "DE89370400440532013000🙂",
            "🙂🙂🙂🙂",
        ] {
            assert_eq!(normalize_iban(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn registry_table_spot_checks() {
        assert_eq!(country_length("NO"), Some(15));
        assert_eq!(country_length("DE"), Some(22));
        assert_eq!(country_length("RU"), Some(33));
        assert_eq!(country_length("BI"), Some(27));
        assert_eq!(country_length("YE"), Some(30));
        assert_eq!(country_length("US"), None);
        assert_eq!(country_length("de"), None);
    }
}
