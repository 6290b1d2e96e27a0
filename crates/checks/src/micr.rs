//! The MICR line: routing number, account number and check number, read
//! from the text a MICR reader or OCR engine produced.
//!
//! Layouts accepted (E-13B symbols as Unicode ⑆ ⑈ ⑇ ⑉ or the letters
//! T/A, O/C, B/$, D/-, see `symbols`; spaces anywhere):
//!
//! ```text
//! personal:  ⑆<routing>⑆ <account>⑈ <check>            [⑇<amount>⑇]
//! business:  ⑈<check>⑈ [epc] ⑆<routing>⑆ <account>⑈ [<tran code>] [⑇<amount>⑇]
//! ```
//!
//! * routing: 9 digits passing the ABA checksum;
//! * account: 4–17 digits, dashes (`-` or ⑉) and spaces inside allowed and
//!   dropped; the on-us symbol after it may be missing when nothing follows;
//! * check number: 1–15 digits. On a business check it is the auxiliary
//!   on-us field at the left; digits after the account's on-us symbol are
//!   then the tran code and are ignored;
//! * epc: the single External Processing Code digit between the auxiliary
//!   on-us field and the routing number, ignored;
//! * amount: the field a bank of first deposit encodes on the right;
//!   ignored (it never appears on a check the customer has not deposited
//!   yet, but refusing it here would hide the MICR from the duplicate
//!   checks, which are the right place to catch a re-presented item).
//!
//! No error message repeats any part of the line: it may carry an account
//! number, which must not reach logs or API answers.

mod symbols;

use std::fmt;

use fundline_core::routing::valid_aba_routing;
use symbols::Token;

/// Longer than any MICR line (65 print positions) with generous spacing;
/// anything beyond it is not a MICR line and is refused before any work.
pub const MAX_LINE_BYTES: usize = 256;

const ACCOUNT_DIGITS: std::ops::RangeInclusive<usize> = 4..=17;
const CHECK_NUMBER_DIGITS: std::ops::RangeInclusive<usize> = 1..=15;
/// The encoded amount field is 10 digits; shorter runs are accepted as
/// readers sometimes drop leading zeros.
const AMOUNT_DIGITS: std::ops::RangeInclusive<usize> = 1..=10;

/// A parsed MICR line. Fields hold digits only (dashes and spaces
/// removed), as printed, leading zeros kept.
#[derive(Clone, PartialEq, Eq)]
pub struct Micr {
    pub routing: String,
    pub account: String,
    pub check_number: String,
}

/// `Debug` masks the account number, because a `Micr` ends up in `{:?}`
/// of errors and traces more easily than anyone intends.
impl fmt::Debug for Micr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Micr")
            .field("routing", &self.routing)
            .field("account", &self.masked_account())
            .field("check_number", &self.check_number)
            .finish()
    }
}

impl Micr {
    /// `routing|account|check_number` with leading zeros removed from the
    /// account and check number (keeping one `0` if all are zeros).
    ///
    /// Two presentments of one check must produce the same key however
    /// the reader padded the fields (business checks often print
    /// `⑈001234⑈`, readers drop or add leading zeros), so padding is
    /// normalised away. The routing number keeps its leading zero: it is
    /// fixed-width and the zero is significant.
    pub fn presentment_key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.routing,
            strip_leading_zeros(&self.account),
            strip_leading_zeros(&self.check_number)
        )
    }

    /// The account as `****` plus its last four digits, for display.
    pub fn masked_account(&self) -> String {
        let digits: Vec<char> = self.account.chars().collect();
        let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
        format!("****{tail}")
    }
}

fn strip_leading_zeros(s: &str) -> &str {
    let t = s.trim_start_matches('0');
    if t.is_empty() && !s.is_empty() {
        "0"
    } else {
        t
    }
}

/// Why a MICR line was refused. Messages name the rule, never the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MicrError {
    #[error("MICR: the line is empty")]
    Empty,
    #[error("MICR: the line is too long")]
    TooLong,
    #[error("MICR: only digits, spaces, dashes and MICR symbols are allowed")]
    InvalidCharacter,
    #[error("MICR: the line has unreadable characters")]
    Unreadable,
    #[error("MICR: no routing number between two transit symbols")]
    MissingRouting,
    #[error("MICR: routing number must be 9 digits")]
    RoutingLength,
    #[error("MICR: routing number fails the ABA checksum")]
    RoutingChecksum,
    #[error("MICR: no account number after the routing number")]
    MissingAccount,
    #[error("MICR: account number must be 4 to 17 digits")]
    AccountLength,
    #[error("MICR: account number is all zeros")]
    AccountZeros,
    #[error("MICR: no check number")]
    MissingCheckNumber,
    #[error("MICR: check number must be 1 to 15 digits")]
    CheckNumberLength,
    #[error("MICR: the symbols are not in a recognized order")]
    Layout,
}

/// Parses a MICR line (see the module documentation for the layouts).
pub fn parse(line: &str) -> Result<Micr, MicrError> {
    if line.len() > MAX_LINE_BYTES {
        return Err(MicrError::TooLong);
    }
    if line.trim().is_empty() {
        return Err(MicrError::Empty);
    }
    let tokens = symbols::tokenize(line)?;

    let transits: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| **t == Token::Transit)
        .map(|(i, _)| i)
        .collect();
    let (first, second) = match transits.as_slice() {
        [a, b] => (*a, *b),
        [] | [_] => return Err(MicrError::MissingRouting),
        _ => return Err(MicrError::Layout),
    };
    let (before, rest) = tokens.split_at(first);
    let (transit_field, after) = rest.split_at(second - first + 1);

    let routing = routing_field(transit_field)?;
    let aux_check = auxiliary_on_us(before)?;
    let (account, trailing) = on_us_field(without_amount(after)?)?;
    let account = account_number(account)?;
    let check_number = match (aux_check, trailing) {
        (Some(aux), _) => aux,
        (None, Some(trailing)) => trailing,
        (None, None) => return Err(MicrError::MissingCheckNumber),
    };
    let check_number = check_number_digits(check_number)?;

    Ok(Micr {
        routing,
        account,
        check_number,
    })
}

/// `⑆<9 digits>⑆`, the transit symbols included in `field`.
fn routing_field(field: &[Token]) -> Result<String, MicrError> {
    let inner = field.get(1..field.len().saturating_sub(1)).unwrap_or(&[]);
    match inner {
        [] => Err(MicrError::MissingRouting),
        [Token::Digits { digits, dashed }] => {
            if *dashed || digits.len() != 9 {
                Err(MicrError::RoutingLength)
            } else if !valid_aba_routing(digits) {
                Err(MicrError::RoutingChecksum)
            } else {
                Ok(digits.clone())
            }
        }
        _ => Err(MicrError::Layout),
    }
}

/// Left of the routing number: nothing, the EPC digit alone, or the
/// auxiliary on-us field (the business check number) with an optional EPC
/// digit after it.
fn auxiliary_on_us(field: &[Token]) -> Result<Option<&Token>, MicrError> {
    match field {
        [] => Ok(None),
        [epc] if is_epc(epc) => Ok(None),
        [Token::OnUs, check @ Token::Digits { .. }, Token::OnUs] => Ok(Some(check)),
        [Token::OnUs, check @ Token::Digits { .. }, Token::OnUs, epc] if is_epc(epc) => {
            Ok(Some(check))
        }
        _ => Err(MicrError::Layout),
    }
}

fn is_epc(t: &Token) -> bool {
    matches!(t, Token::Digits { digits, dashed: false } if digits.len() == 1)
}

/// Drops a trailing `⑇<digits>⑇` amount field; any other amount symbol is
/// out of place.
fn without_amount(field: &[Token]) -> Result<&[Token], MicrError> {
    let rest = match field {
        [rest @ .., Token::Amount, Token::Digits {
            digits,
            dashed: false,
        }, Token::Amount]
            if AMOUNT_DIGITS.contains(&digits.len()) =>
        {
            rest
        }
        _ => field,
    };
    if rest.contains(&Token::Amount) {
        return Err(MicrError::Layout);
    }
    Ok(rest)
}

/// Right of the routing number: `<account>[⑈[<digits>]]`.
fn on_us_field(field: &[Token]) -> Result<(&Token, Option<&Token>), MicrError> {
    match field {
        [] => Err(MicrError::MissingAccount),
        [account @ Token::Digits { .. }] | [account @ Token::Digits { .. }, Token::OnUs] => {
            Ok((account, None))
        }
        [account @ Token::Digits { .. }, Token::OnUs, trailing @ Token::Digits { .. }] => {
            Ok((account, Some(trailing)))
        }
        _ => Err(MicrError::Layout),
    }
}

fn account_number(t: &Token) -> Result<String, MicrError> {
    let Token::Digits { digits, .. } = t else {
        return Err(MicrError::MissingAccount);
    };
    if !ACCOUNT_DIGITS.contains(&digits.len()) {
        return Err(MicrError::AccountLength);
    }
    if digits.bytes().all(|b| b == b'0') {
        return Err(MicrError::AccountZeros);
    }
    Ok(digits.clone())
}

fn check_number_digits(t: &Token) -> Result<String, MicrError> {
    match t {
        Token::Digits {
            digits,
            dashed: false,
        } if CHECK_NUMBER_DIGITS.contains(&digits.len()) => Ok(digits.clone()),
        Token::Digits { .. } => Err(MicrError::CheckNumberLength),
        _ => Err(MicrError::MissingCheckNumber),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micr(routing: &str, account: &str, check: &str) -> Micr {
        Micr {
            routing: routing.into(),
            account: account.into(),
            check_number: check.into(),
        }
    }

    #[test]
    fn personal_check_in_every_symbol_convention() {
        let want = micr("021000021", "123456789", "1234");
        for line in [
            "⑆021000021⑆ 123456789⑈ 1234",
            "T021000021T 123456789O 1234",
            "A021000021A 123456789C 1234",
            "t021000021t 123456789o 1234",
            "a021000021a123456789c1234",
            "  ⑆ 021000021 ⑆  123456789 ⑈ 1234  \r\n",
            "⑆021000021A 123456789O 1234",
        ] {
            assert_eq!(parse(line), Ok(want.clone()), "{line:?}");
        }
    }

    #[test]
    fn account_with_dashes_and_spaces() {
        let want = micr("026009593", "00123456789", "101");
        for line in [
            "⑆026009593⑆ 0012-3456 789⑈ 101",
            "T026009593T 0012⑉3456⑉789O 101",
            "A026009593A 0012D3456D789C 101",
        ] {
            assert_eq!(parse(line), Ok(want.clone()), "{line:?}");
        }
    }

    #[test]
    fn business_check_number_first() {
        let want = micr("121000358", "1234567890", "001234");
        for line in [
            "⑈001234⑈ ⑆121000358⑆ 1234567890⑈",
            "O001234O T121000358T 1234567890O",
            "C001234C A121000358A 1234567890C",
            // Without the closing on-us symbol of the account.
            "⑈001234⑈ ⑆121000358⑆ 1234567890",
            // With the External Processing Code digit.
            "⑈001234⑈ 5 ⑆121000358⑆ 1234567890⑈",
            // A tran code after the account is not the check number.
            "⑈001234⑈ ⑆121000358⑆ 1234567890⑈ 0123",
        ] {
            assert_eq!(parse(line), Ok(want.clone()), "{line:?}");
        }
    }

    #[test]
    fn encoded_amount_field_is_ignored() {
        let want = micr("011000015", "987654321", "5678");
        for line in [
            "⑆011000015⑆ 987654321⑈ 5678 ⑇0000012345⑇",
            "T011000015T 987654321O 5678 $0000012345$",
            "A011000015A 987654321C 5678 B0000012345B",
        ] {
            assert_eq!(parse(line), Ok(want.clone()), "{line:?}");
        }
        assert_eq!(
            parse("⑆011000015⑆ 987654321⑈ 5678 ⑇00000123456⑇"),
            Err(MicrError::Layout),
            "an amount field is at most 10 digits"
        );
        assert_eq!(
            parse("⑆011000015⑆ 987654321⑈ 5678 ⑇0000012345"),
            Err(MicrError::Layout)
        );
        assert_eq!(
            parse("⑆011000015⑆ 98765⑇4321⑈ 5678"),
            Err(MicrError::Layout)
        );
    }

    #[test]
    fn routing_errors() {
        assert_eq!(
            parse("T021000022T 123456789O 1234"),
            Err(MicrError::RoutingChecksum)
        );
        assert_eq!(
            parse("⑆123456789⑆ 123456789⑈ 1234"),
            Err(MicrError::RoutingChecksum)
        );
        assert_eq!(
            parse("T000000000T 123456789O 1234"),
            Err(MicrError::RoutingChecksum),
            "the all-zero placeholder"
        );
        assert_eq!(
            parse("T02100002T 123456789O 1234"),
            Err(MicrError::RoutingLength)
        );
        assert_eq!(
            parse("T0210000210T 123456789O 1234"),
            Err(MicrError::RoutingLength)
        );
        assert_eq!(
            parse("T0210-00021T 123456789O 1234"),
            Err(MicrError::RoutingLength)
        );
        assert_eq!(parse("TT 123456789O 1234"), Err(MicrError::MissingRouting));
        assert_eq!(
            parse("021000021 123456789O 1234"),
            Err(MicrError::MissingRouting)
        );
        assert_eq!(
            parse("T021000021 123456789O 1234"),
            Err(MicrError::MissingRouting)
        );
        assert_eq!(
            parse("T021000021T 123T456789O 1234"),
            Err(MicrError::Layout)
        );
        assert_eq!(
            parse("T0210O00021T 123456789O 1234"),
            Err(MicrError::Layout)
        );
    }

    #[test]
    fn account_errors() {
        assert_eq!(parse("T021000021T"), Err(MicrError::MissingAccount));
        assert_eq!(parse("T021000021T   "), Err(MicrError::MissingAccount));
        assert_eq!(
            parse("T021000021T 123O 1234"),
            Err(MicrError::AccountLength)
        );
        assert_eq!(
            parse("T021000021T 123456789012345678O 1234"),
            Err(MicrError::AccountLength)
        );
        assert_eq!(
            parse("T021000021T 0000-0000O 1234"),
            Err(MicrError::AccountZeros)
        );
        assert_eq!(parse("T021000021T -O 1234"), Err(MicrError::AccountLength));
        // Bounds: 4 and 17 digits are fine.
        assert!(parse("T021000021T 1234O 1").is_ok());
        assert!(parse("T021000021T 12345678901234567O 1").is_ok());
        assert_eq!(
            parse("T021000021T O123456789O 1234"),
            Err(MicrError::Layout)
        );
    }

    #[test]
    fn check_number_errors() {
        assert_eq!(
            parse("T021000021T 123456789O"),
            Err(MicrError::MissingCheckNumber)
        );
        assert_eq!(
            parse("T021000021T 123456789"),
            Err(MicrError::MissingCheckNumber)
        );
        assert_eq!(
            parse("T021000021T 123456789O 1234567890123456"),
            Err(MicrError::CheckNumberLength)
        );
        assert_eq!(
            parse("T021000021T 123456789O 12-34"),
            Err(MicrError::CheckNumberLength)
        );
        assert_eq!(
            parse("O12-34O T021000021T 123456789O"),
            Err(MicrError::CheckNumberLength)
        );
        assert!(parse("T021000021T 123456789O 123456789012345").is_ok());
        assert_eq!(
            parse("T021000021T 123456789O 1234O"),
            Err(MicrError::Layout)
        );
        assert_eq!(
            parse("O1234 T021000021T 123456789O"),
            Err(MicrError::Layout)
        );
        assert_eq!(
            parse("O1234O 56 T021000021T 123456789O"),
            Err(MicrError::Layout),
            "the EPC is one digit"
        );
    }

    #[test]
    fn line_level_errors() {
        assert_eq!(parse(""), Err(MicrError::Empty));
        assert_eq!(parse(" \t\r\n"), Err(MicrError::Empty));
        assert_eq!(
            parse(&"1".repeat(MAX_LINE_BYTES + 1)),
            Err(MicrError::TooLong)
        );
        assert_eq!(
            parse("T021000021T 1234?6789O 1234"),
            Err(MicrError::Unreadable)
        );
        assert_eq!(
            parse("T021000021T 123456789O 1234 X"),
            Err(MicrError::InvalidCharacter)
        );
        assert_eq!(
            parse("T021000021T 123456789O 1234T021000021T"),
            Err(MicrError::Layout)
        );
    }

    #[test]
    fn messages_never_echo_the_line() {
        let account = "987654321";
        let lines = [
            format!("T021000022T {account}O 1234"),
            format!("T021000021T {account}O"),
            format!("T021000021T {account}O 1234 X"),
            format!("T021000021T {account}0000000000O 1"),
            format!("T021000021T {account}O 1234O"),
        ];
        for line in lines {
            let e = parse(&line).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains(account), "{shown}");
            assert!(shown.starts_with("MICR: "), "{shown}");
        }
        let m = parse(&format!("T021000021T {account}O 1234")).unwrap();
        let dbg = format!("{m:?}");
        assert!(!dbg.contains(account), "{dbg}");
        assert!(dbg.contains("****4321"), "{dbg}");
        assert_eq!(m.masked_account(), "****4321");
    }

    #[test]
    fn presentment_key_normalises_padding() {
        let a = parse("T021000021T 000123456789O 0042").unwrap();
        let b = parse("T021000021T 123-456-789O 42").unwrap();
        assert_ne!(a, b);
        assert_eq!(a.presentment_key(), "021000021|123456789|42");
        assert_eq!(a.presentment_key(), b.presentment_key());
        let zero = parse("T021000021T 123456789O 0000").unwrap();
        assert_eq!(zero.presentment_key(), "021000021|123456789|0");
        // The business layout and a personal layout of the same item agree.
        let c = parse("O000042O T021000021T 123456789O").unwrap();
        assert_eq!(c.presentment_key(), a.presentment_key());
        // Different checks differ.
        let d = parse("T021000021T 123456789O 43").unwrap();
        assert_ne!(d.presentment_key(), a.presentment_key());
    }
}
