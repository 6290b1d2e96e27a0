//! Turns a MICR line as text into digit runs and E-13B symbols.
//!
//! MICR readers and OCR engines spell the four E-13B symbols differently;
//! every spelling in use is mapped here so that the layout rules see one
//! alphabet:
//!
//! | symbol | Unicode | letters |
//! |---|---|---|
//! | transit | ⑆ U+2446 | `T`, `A` |
//! | on-us | ⑈ U+2448 | `O`, `C` |
//! | amount | ⑇ U+2447 | `B`, `$` |
//! | dash | ⑉ U+2449 | `D`, `-` |
//!
//! Letters match either case. No letter is used twice, so the conventions
//! can be mixed without ambiguity.

use super::MicrError;

/// One field piece of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    Transit,
    OnUs,
    Amount,
    /// Consecutive digits; spaces and dashes between them are dropped
    /// (`dashed` records that a dash was seen, as only the account may
    /// carry one).
    Digits {
        digits: String,
        dashed: bool,
    },
}

/// Characters MICR readers write for a character they could not read.
fn is_reject_mark(c: char) -> bool {
    matches!(c, '?' | '*' | '@' | '\u{FFFD}')
}

pub(super) fn tokenize(line: &str) -> Result<Vec<Token>, MicrError> {
    let mut tokens = Vec::new();
    // The digit run being collected: digits so far and whether a dash was
    // seen inside it.
    let mut run: Option<(String, bool)> = None;

    for c in line.chars() {
        let symbol = match c {
            '0'..='9' => {
                run.get_or_insert_with(|| (String::new(), false)).0.push(c);
                continue;
            }
            // Whitespace separates nothing: fields are delimited by the
            // symbols, and readers insert spaces inconsistently.
            c if c.is_ascii_whitespace() => continue,
            '⑉' | '-' | 'D' | 'd' => {
                run.get_or_insert_with(|| (String::new(), false)).1 = true;
                continue;
            }
            '⑆' | 'T' | 't' | 'A' | 'a' => Token::Transit,
            '⑈' | 'O' | 'o' | 'C' | 'c' => Token::OnUs,
            '⑇' | 'B' | 'b' | '$' => Token::Amount,
            c if is_reject_mark(c) => return Err(MicrError::Unreadable),
            _ => return Err(MicrError::InvalidCharacter),
        };
        if let Some((digits, dashed)) = run.take() {
            tokens.push(Token::Digits { digits, dashed });
        }
        tokens.push(symbol);
    }
    if let Some((digits, dashed)) = run.take() {
        tokens.push(Token::Digits { digits, dashed });
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Token {
        Token::Digits {
            digits: s.into(),
            dashed: false,
        }
    }

    #[test]
    fn every_spelling_of_the_symbols() {
        use Token::*;
        for line in ["⑆1⑆2⑈⑇3⑇", "T1T2O$3$", "A1A2CB3B", "t1a2ob3b", "a1t2c$3b"] {
            assert_eq!(
                tokenize(line).unwrap(),
                vec![
                    Transit,
                    d("1"),
                    Transit,
                    d("2"),
                    OnUs,
                    Amount,
                    d("3"),
                    Amount
                ],
                "{line}"
            );
        }
    }

    #[test]
    fn spaces_join_and_dashes_mark_runs() {
        assert_eq!(
            tokenize(" 12 3-4⑉5 ").unwrap(),
            vec![Token::Digits {
                digits: "12345".into(),
                dashed: true
            }]
        );
        assert_eq!(tokenize("   ").unwrap(), vec![]);
    }

    #[test]
    fn reject_marks_and_foreign_characters() {
        assert_eq!(tokenize("T0110?0015T"), Err(MicrError::Unreadable));
        assert_eq!(tokenize("T0110*0015T"), Err(MicrError::Unreadable));
        assert_eq!(tokenize("T011000015T x"), Err(MicrError::InvalidCharacter));
        assert_eq!(tokenize("٣"), Err(MicrError::InvalidCharacter));
        assert_eq!(tokenize("１"), Err(MicrError::InvalidCharacter));
    }
}
