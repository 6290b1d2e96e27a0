//! The card network as Fundline sees it: authorize a card being registered
//! (and, later, load money onto it). Production deployments plug in their
//! processor; the sandbox network below is a documented simulation
//! (docs/sandbox.md) that the partner API uses by default.

use chrono::NaiveDate;
use fundline_core::card::{CardExpiry, CardNetwork as Brand, Pan};
use futures::future::BoxFuture;

/// What the card is: a real PAN, or a partner's token with its BIN.
pub enum CardRef<'a> {
    Pan(&'a Pan),
    Token {
        bin: &'a str,
        last4: Option<&'a str>,
    },
}

pub struct AvsAddress<'a> {
    pub line1: &'a str,
    pub zip: &'a str,
}

pub struct AuthRequest<'a> {
    pub card: CardRef<'a>,
    pub expiry: CardExpiry,
    /// The address the partner sent with the card.
    pub billing: AvsAddress<'a>,
    /// The cardholder's address the issuer has on file.
    pub on_file: AvsAddress<'a>,
    pub today: NaiveDate,
}

/// What the issuer tells us about a card program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardProgram {
    pub name: String,
    pub phone: String,
    /// 1 debit, 2 prepaid.
    pub issuer_type: i64,
    pub min_load_cents: i64,
    pub max_load_cents: i64,
    pub terms_id: String,
    pub show_terms: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthDecision {
    Approved(CardProgram),
    /// The card is not eligible in our network at all (spec code A275).
    NotAllowed,
    Declined {
        code: DeclineCode,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclineCode {
    DoNotHonor,
    Expired,
    AvsMismatch,
    IssuerUnavailable,
    InvalidCardNumber,
}

impl DeclineCode {
    pub fn as_str(&self) -> &'static str {
        match self {
            DeclineCode::DoNotHonor => "DO_NOT_HONOR",
            DeclineCode::Expired => "EXPIRED_CARD",
            DeclineCode::AvsMismatch => "AVS_MISMATCH",
            DeclineCode::IssuerUnavailable => "ISSUER_UNAVAILABLE",
            DeclineCode::InvalidCardNumber => "INVALID_CARD_NUMBER",
        }
    }

    /// Parses a code as configured (`CARD_DECLINED` is accepted for `DO_NOT_HONOR`,
    /// as that is what the partner API answers for it).
    pub fn parse(s: &str) -> Option<DeclineCode> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "DO_NOT_HONOR" | "CARD_DECLINED" => DeclineCode::DoNotHonor,
            "EXPIRED_CARD" => DeclineCode::Expired,
            "AVS_MISMATCH" => DeclineCode::AvsMismatch,
            "ISSUER_UNAVAILABLE" => DeclineCode::IssuerUnavailable,
            "INVALID_CARD_NUMBER" => DeclineCode::InvalidCardNumber,
            _ => return None,
        })
    }

    pub fn message(&self) -> &'static str {
        match self {
            DeclineCode::DoNotHonor => "The card issuer declined this card.",
            DeclineCode::Expired => "The card is expired.",
            DeclineCode::AvsMismatch => {
                "The address does not match the cardholder's address on file."
            }
            DeclineCode::IssuerUnavailable => {
                "The card issuer could not be reached. Please try again later."
            }
            DeclineCode::InvalidCardNumber => "The card number is not valid.",
        }
    }
}

/// Money onto a card (a funded check).
pub struct LoadRequest<'a> {
    pub card: CardRef<'a>,
    pub amount_cents: i64,
    /// Our transaction id: a network deduplicates loads by it.
    pub reference: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadResult {
    Loaded {
        network_reference: String,
    },
    /// Not loaded; nothing moved.
    Failed {
        reason: String,
    },
}

pub trait CardNetwork: Send + Sync + 'static {
    fn authorize<'a>(&'a self, req: AuthRequest<'a>) -> BoxFuture<'a, AuthDecision>;
    fn load<'a>(&'a self, req: LoadRequest<'a>) -> BoxFuture<'a, LoadResult>;
}

/// The sandbox network. Rules, in order:
/// 1. a PAN must pass Luhn; its brand (or a token's BIN brand) must be known,
///    and no BIN may start with a blocked prefix → otherwise `NotAllowed`;
/// 2. the documented test numbers decline with their code;
/// 3. an expired card declines `EXPIRED_CARD`;
/// 4. AVS, by [`AvsRule`]: by default only the documented test values fail
///    (billing ZIP `20000`, or address line 1 starting with street number
///    `200`, as card sandboxes partners know do it) → `AVS_MISMATCH`; with
///    `CompareOnFile`, the ZIP and street number must match the cardholder's
///    address on file.
/// 5. a load fails for the card numbers in `load_failures`, and for amounts
///    above the program's maximum; any other load succeeds.
#[derive(Debug, Clone)]
pub struct SandboxNetwork {
    pub declines: Vec<(String, DeclineCode)>,
    pub blocked_bin_prefixes: Vec<String>,
    pub load_failures: Vec<String>,
    pub avs: AvsRule,
}

/// How the sandbox answers the address check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AvsRule {
    /// Only the documented test values fail (ZIP `20000`, street number
    /// `200`): a partner's real-looking test addresses pass, as in the card
    /// sandboxes partners already know.
    TestValues,
    /// The card's ZIP and street number must match the address on file.
    CompareOnFile,
}

impl AvsRule {
    pub fn parse(s: &str) -> Option<AvsRule> {
        match s.trim().to_ascii_lowercase().as_str() {
            "test-values" => Some(AvsRule::TestValues),
            "compare" => Some(AvsRule::CompareOnFile),
            _ => None,
        }
    }
}

/// The billing ZIP that fails AVS under [`AvsRule::TestValues`].
pub const AVS_FAILURE_ZIP: &str = "20000";
/// The street number (address line 1) that fails AVS under [`AvsRule::TestValues`].
pub const AVS_FAILURE_STREET_NUMBER: &str = "200";

impl Default for SandboxNetwork {
    fn default() -> Self {
        SandboxNetwork {
            declines: vec![
                ("4000000000000002".into(), DeclineCode::DoNotHonor),
                ("4000000000000069".into(), DeclineCode::Expired),
                ("4000000000000119".into(), DeclineCode::IssuerUnavailable),
                ("4000000000000036".into(), DeclineCode::AvsMismatch),
                ("5105105105105100".into(), DeclineCode::DoNotHonor),
            ],
            blocked_bin_prefixes: vec!["400005".into()],
            load_failures: vec!["4000000000000341".into()],
            avs: AvsRule::TestValues,
        }
    }
}

impl SandboxNetwork {
    fn program_for(brand: Brand) -> CardProgram {
        let (name, issuer_type, max) = match brand {
            Brand::Visa => ("Fundline Visa Debit", 1, 500_000),
            Brand::Mastercard => ("Fundline Mastercard Prepaid", 2, 250_000),
            Brand::Discover => ("Fundline Discover Debit", 1, 500_000),
            _ => ("Fundline Debit", 1, 250_000),
        };
        CardProgram {
            name: name.into(),
            phone: "8005550100".into(),
            issuer_type,
            min_load_cents: 500,
            max_load_cents: max,
            terms_id: "TC1.1".into(),
            show_terms: issuer_type == 2,
        }
    }

    fn decide(&self, req: &AuthRequest<'_>) -> AuthDecision {
        let (brand, bin, number) = match &req.card {
            CardRef::Pan(p) => (p.network(), p.bin(8).to_string(), Some(p.as_str())),
            CardRef::Token { bin, .. } => (brand_of_bin(bin), bin.to_string(), None),
        };
        if brand == Brand::Unknown
            || self
                .blocked_bin_prefixes
                .iter()
                .any(|b| bin.starts_with(b.as_str()))
        {
            return AuthDecision::NotAllowed;
        }
        if let Some(number) = number {
            if let Some((_, code)) = self.declines.iter().find(|(n, _)| n == number) {
                return AuthDecision::Declined { code: *code };
            }
        }
        if req.expiry.is_expired(req.today) {
            return AuthDecision::Declined {
                code: DeclineCode::Expired,
            };
        }
        let avs_ok = match self.avs {
            AvsRule::TestValues => {
                req.billing.zip.trim() != AVS_FAILURE_ZIP
                    && street_number(req.billing.line1) != AVS_FAILURE_STREET_NUMBER
            }
            AvsRule::CompareOnFile => avs_match(&req.billing, &req.on_file),
        };
        if !avs_ok {
            return AuthDecision::Declined {
                code: DeclineCode::AvsMismatch,
            };
        }
        AuthDecision::Approved(Self::program_for(brand))
    }
}

impl CardNetwork for SandboxNetwork {
    fn authorize<'a>(&'a self, req: AuthRequest<'a>) -> BoxFuture<'a, AuthDecision> {
        Box::pin(async move { self.decide(&req) })
    }

    fn load<'a>(&'a self, req: LoadRequest<'a>) -> BoxFuture<'a, LoadResult> {
        Box::pin(async move {
            let (brand, number) = match &req.card {
                CardRef::Pan(p) => (p.network(), Some(p.as_str())),
                CardRef::Token { bin, .. } => (brand_of_bin(bin), None),
            };
            if number.is_some_and(|n| self.load_failures.iter().any(|f| f == n)) {
                return LoadResult::Failed {
                    reason: "the issuer refused the load".into(),
                };
            }
            if req.amount_cents <= 0 || req.amount_cents > Self::program_for(brand).max_load_cents {
                return LoadResult::Failed {
                    reason: "the amount is outside the card program's load limits".into(),
                };
            }
            LoadResult::Loaded {
                network_reference: format!("SBX-{}", req.reference),
            }
        })
    }
}

/// The brand of a BIN alone: pads it to a Luhn-free lookup by prefix.
pub fn brand_of_bin(bin: &str) -> Brand {
    if bin.len() < 6 || !bin.bytes().all(|b| b.is_ascii_digit()) {
        return Brand::Unknown;
    }
    // Pan::network only looks at the prefix; build a syntactically valid PAN
    // from the BIN so the one IIN table decides for both cases.
    let body = format!("{bin:0<15.15}");
    let Some(check) = fundline_core::card::luhn_check_digit(&body) else {
        return Brand::Unknown;
    };
    Pan::parse(&format!("{body}{check}"))
        .map(|p| p.network())
        .unwrap_or(Brand::Unknown)
}

fn street_number(line: &str) -> &str {
    let t = line.trim_start();
    let end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    &t[..end]
}

fn avs_match(given: &AvsAddress<'_>, on_file: &AvsAddress<'_>) -> bool {
    given.zip.trim() == on_file.zip.trim()
        && street_number(given.line1) == street_number(on_file.line1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(card: CardRef<'a>, expiry: &str, zip: &'a str) -> AuthRequest<'a> {
        AuthRequest {
            card,
            expiry: CardExpiry::parse_mmyy(expiry).unwrap(),
            billing: AvsAddress {
                line1: "123 Main St",
                zip,
            },
            on_file: AvsAddress {
                line1: "123 Main Street",
                zip: "37075",
            },
            today: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
        }
    }

    #[test]
    fn approves_a_good_visa_and_names_its_program() {
        let pan = Pan::parse("4111111111111111").unwrap();
        let d = SandboxNetwork::default().decide(&req(CardRef::Pan(&pan), "1229", "37075"));
        match d {
            AuthDecision::Approved(p) => {
                assert_eq!(p.name, "Fundline Visa Debit");
                assert_eq!(p.min_load_cents, 500);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn declines_test_numbers_expired_cards_and_avs_mismatch() {
        let net = SandboxNetwork::default();
        let declined = Pan::parse("4000000000000002").unwrap();
        assert_eq!(
            net.decide(&req(CardRef::Pan(&declined), "1229", "37075")),
            AuthDecision::Declined {
                code: DeclineCode::DoNotHonor
            }
        );
        let good = Pan::parse("4111111111111111").unwrap();
        assert_eq!(
            net.decide(&req(CardRef::Pan(&good), "1025", "37075")),
            AuthDecision::Declined {
                code: DeclineCode::Expired
            }
        );
        // By default another address passes; the test ZIP fails.
        assert!(matches!(
            net.decide(&req(CardRef::Pan(&good), "1229", "90210")),
            AuthDecision::Approved(_)
        ));
        assert_eq!(
            net.decide(&req(CardRef::Pan(&good), "1229", AVS_FAILURE_ZIP)),
            AuthDecision::Declined {
                code: DeclineCode::AvsMismatch
            }
        );
        let comparing = SandboxNetwork {
            avs: AvsRule::CompareOnFile,
            ..SandboxNetwork::default()
        };
        assert_eq!(
            comparing.decide(&req(CardRef::Pan(&good), "1229", "90210")),
            AuthDecision::Declined {
                code: DeclineCode::AvsMismatch
            }
        );
    }

    #[test]
    fn tokens_are_judged_by_bin() {
        let net = SandboxNetwork::default();
        assert!(matches!(
            net.decide(&req(
                CardRef::Token {
                    bin: "411111",
                    last4: Some("1111")
                },
                "1229",
                "37075"
            )),
            AuthDecision::Approved(_)
        ));
        assert_eq!(
            net.decide(&req(
                CardRef::Token {
                    bin: "990000",
                    last4: None
                },
                "1229",
                "37075"
            )),
            AuthDecision::NotAllowed
        );
        assert_eq!(
            net.decide(&req(
                CardRef::Token {
                    bin: "40000512",
                    last4: None
                },
                "1229",
                "37075"
            )),
            AuthDecision::NotAllowed
        );
        assert_eq!(brand_of_bin("545454"), Brand::Mastercard);
        assert_eq!(brand_of_bin("12"), Brand::Unknown);
    }
}
