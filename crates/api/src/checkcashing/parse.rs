//! From request objects to typed commands: every rule of the spec's tables.
//! Pure functions; the handlers call them, the tests call them directly.

use chrono::NaiveDate;
use fundline_core::card::{valid_bin, CardExpiry};
use fundline_core::contact::{normalize_email, valid_phone10, valid_zip5, UsState};
use fundline_core::dob::{age_on, parse_date_of_birth, parse_mm_dd_yyyy};
use fundline_core::money::Cents;
use fundline_core::ssn::Ssn;
use uuid::Uuid;

use super::input::{optional, parse_guid, required, Fields};
use super::problem::ValidationError;

type Parsed<T> = Result<T, Vec<ValidationError>>;

fn done<T>(f: Fields, value: Option<T>) -> Parsed<T> {
    match (f.finish(), value) {
        (Ok(()), Some(v)) => Ok(v),
        (Err(e), _) => Err(e),
        // Every None comes with an error recorded; this arm is unreachable in practice.
        (Ok(()), None) => Err(vec![ValidationError {
            key: "command".into(),
            message: super::input::NOT_VALID.into(),
        }]),
    }
}

fn ssn_field(f: &mut Fields, names: &[&str], pascal: &str) -> Option<Ssn> {
    let raw = f.text(names, pascal, required(1, 9))?;
    if raw.is_empty() {
        return None;
    }
    match Ssn::parse(&raw) {
        Ok(s) => Some(s),
        Err(fundline_core::ssn::SsnError::Format) => {
            f.error(
                pascal,
                format!("{pascal} must be a 9 digit number with no spaces or dashes."),
            );
            None
        }
        Err(_) => {
            f.error(pascal, format!("{pascal} is not a valid SSN or ITIN."));
            None
        }
    }
}

fn dob_field(f: &mut Fields, today: NaiveDate) -> Option<NaiveDate> {
    let raw = f.text(&["dateOfBirth"], "DateOfBirth", required(8, 10))?;
    match parse_date_of_birth(&raw, today) {
        Ok(d) => Some(d),
        Err(e) => {
            f.error("DateOfBirth", format!("DateOfBirth {e}."));
            None
        }
    }
}

fn state_field(f: &mut Fields) -> Option<String> {
    let raw = f.text(&["state"], "State", required(1, 2))?;
    match UsState::parse(&raw) {
        Some(s) => Some(s.code().to_string()),
        None => {
            f.error("State", "State is not a valid state code.");
            None
        }
    }
}

fn zip_field(f: &mut Fields) -> Option<String> {
    let raw = f.text(&["zip"], "Zip", required(5, 5))?;
    if valid_zip5(&raw) {
        Some(raw)
    } else {
        f.error("Zip", "Zip must be exactly 5 digits.");
        None
    }
}

fn phone_field(f: &mut Fields, names: &[&str], pascal: &str, is_required: bool) -> Option<String> {
    let rule = if is_required {
        required(10, 10)
    } else {
        optional(10)
    };
    let raw = f.text(names, pascal, rule)?;
    if valid_phone10(&raw) {
        Some(raw)
    } else {
        f.error(
            pascal,
            format!("{pascal} must be exactly 10 digits with no formatting characters."),
        );
        None
    }
}

#[derive(Debug, Clone)]
pub struct FindCustomer {
    pub ssn: Ssn,
    pub date_of_birth: NaiveDate,
}

pub fn find_customer(mut f: Fields, today: NaiveDate) -> Parsed<FindCustomer> {
    let ssn = ssn_field(&mut f, &["ssn"], "Ssn");
    let dob = dob_field(&mut f, today);
    let v = ssn
        .zip(dob)
        .map(|(ssn, date_of_birth)| FindCustomer { ssn, date_of_birth });
    done(f, v)
}

#[derive(Debug, Clone)]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
}

fn address(f: &mut Fields) -> Option<Address> {
    let line1 = f.text(&["addressLine1"], "AddressLine1", required(1, 50));
    // The table marks addressLine2 required, but every sample sends "": it
    // must be present, and may be empty.
    let line2 = f.text(
        &["addressLine2"],
        "AddressLine2",
        super::input::Text {
            required: true,
            min: 0,
            max: 50,
        },
    );
    let city = f.text(&["city"], "City", required(1, 50));
    let state = state_field(f);
    let zip = zip_field(f);
    Some(Address {
        line1: line1?,
        line2: line2?,
        city: city?,
        state: state?,
        zip: zip?,
    })
}

#[derive(Debug, Clone)]
pub struct EnrollCustomer {
    pub email: String,
    pub ssn: Ssn,
    pub first_name: String,
    pub last_name: String,
    pub middle_initial: Option<String>,
    pub title: Option<String>,
    pub suffix: Option<String>,
    pub mobile_number: String,
    pub home_number: Option<String>,
    pub address: Address,
    pub date_of_birth: NaiveDate,
    pub country_of_origin: Option<String>,
    pub gender: Option<String>,
    pub allow_texts: bool,
    pub referrer_code: Option<String>,
}

pub fn enroll_customer(mut f: Fields, today: NaiveDate, min_age: u32) -> Parsed<EnrollCustomer> {
    let email = f
        .text(&["emailAddress", "email"], "EmailAddress", required(1, 100))
        .and_then(|e| {
            let n = normalize_email(&e);
            if n.is_none() {
                f.error("EmailAddress", "EmailAddress is not a valid email address.");
            }
            n
        });
    let ssn = ssn_field(&mut f, &["ssn"], "Ssn");
    let first_name = f.text(&["firstName"], "FirstName", required(1, 50));
    let last_name = f.text(&["lastName"], "LastName", required(1, 50));
    let middle_initial = f.text(&["middleInitial"], "MiddleInitial", optional(1));
    if let Some(m) = &middle_initial {
        if !m.chars().all(char::is_alphabetic) {
            f.error("MiddleInitial", "MiddleInitial must be a letter.");
        }
    }
    let title = f.text(&["title"], "Title", optional(10));
    let suffix = f.text(&["suffix"], "Suffix", optional(10));
    let mobile_number = phone_field(&mut f, &["mobileNumber"], "MobileNumber", true);
    let home_number = phone_field(&mut f, &["homeNumber"], "HomeNumber", false);
    let address = address(&mut f);
    let date_of_birth = dob_field(&mut f, today);
    if let Some(d) = date_of_birth {
        if age_on(d, today) < min_age {
            f.error(
                "DateOfBirth",
                format!("The customer must be at least {min_age} years old."),
            );
        }
    }
    let country_of_origin = f.text(&["countryOfOrigin"], "CountryOfOrigin", optional(100));
    let gender = f
        .text(&["gender"], "Gender", optional(1))
        .map(|g| g.to_ascii_uppercase());
    if let Some(g) = &gender {
        if g != "M" && g != "F" {
            f.error("Gender", "Gender must be M or F.");
        }
    }
    let allow_texts = f.yes_no(&["allowTexts"], "AllowTexts");
    let referrer_code = f.text(&["referrerCode"], "ReferrerCode", optional(50));
    let v = (|| {
        Some(EnrollCustomer {
            email: email?,
            ssn: ssn?,
            first_name: first_name?,
            last_name: last_name?,
            middle_initial,
            title,
            suffix,
            mobile_number: mobile_number?,
            home_number,
            address: address?,
            date_of_birth: date_of_birth?,
            country_of_origin,
            gender,
            allow_texts: allow_texts?,
            referrer_code,
        })
    })();
    done(f, v)
}

/// GetRegisteredCards: the spec keys its errors `query.customerId`.
pub fn customer_id_query(mut f: Fields) -> Parsed<Uuid> {
    let id = f.guid(&["customerId"], "customerId", true);
    done(f, id)
}

pub fn customer_id_only(mut f: Fields) -> Parsed<Uuid> {
    let id = f.guid(&["customerId"], "CustomerId", true);
    done(f, id)
}

/// The number half of a card registration: a PAN or a partner token.
#[derive(Debug, Clone)]
pub enum CardNumber {
    Pan(String),
    Token {
        token: String,
        bin: String,
        last4: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct CardDetails {
    pub customer_id: Uuid,
    pub number: CardNumber,
    pub expiry: CardExpiry,
    pub nickname: String,
    pub name_on_card: Option<String>,
    pub address: Address,
}

/// The fields both card methods share.
struct CardCommon {
    customer_id: Option<Uuid>,
    expiry: Option<CardExpiry>,
    nickname: Option<String>,
    name_on_card: Option<String>,
    address: Option<Address>,
}

fn card_common(f: &mut Fields) -> CardCommon {
    let customer_id = f.guid(&["customerId"], "CustomerId", true);
    let expiry = f
        .text(
            &["expirationMonthYear"],
            "ExpirationMonthYear",
            required(4, 4),
        )
        .and_then(|s| {
            let e = CardExpiry::parse_mmyy(&s).ok();
            if e.is_none() {
                f.error(
                    "ExpirationMonthYear",
                    "ExpirationMonthYear must be four digits MMYY with a month from 01 to 12.",
                );
            }
            e
        });
    let nickname = f.text(&["cardNickname"], "CardNickname", required(1, 20));
    let name_on_card = f.text(&["nameOnCard"], "NameOnCard", optional(100));
    let address = address(f);
    CardCommon {
        customer_id,
        expiry,
        nickname,
        name_on_card,
        address,
    }
}

fn card_details(c: CardCommon, number: Option<CardNumber>) -> Option<CardDetails> {
    Some(CardDetails {
        customer_id: c.customer_id?,
        number: number?,
        expiry: c.expiry?,
        nickname: c.nickname?,
        name_on_card: c.name_on_card,
        address: c.address?,
    })
}

pub fn add_or_update_card(mut f: Fields) -> Parsed<CardDetails> {
    let number = f
        .text(&["cardNumber"], "CardNumber", required(15, 19))
        .and_then(|n| {
            if n.bytes().all(|b| b.is_ascii_digit()) {
                Some(n)
            } else {
                f.error("CardNumber", "CardNumber must contain only digits.");
                None
            }
        });
    let common = card_common(&mut f);
    let v = card_details(common, number.map(CardNumber::Pan));
    done(f, v)
}

pub fn add_or_update_tokenized_card(mut f: Fields) -> Parsed<CardDetails> {
    // The table says 255, its text "up to 256": accept what the text promises.
    let token = f.text(&["cardToken"], "CardToken", required(1, 256));
    let bin = f
        .text(&["cardBin"], "CardBin", required(1, 50))
        .and_then(|b| {
            if valid_bin(&b) {
                Some(b)
            } else {
                f.error("CardBin", "CardBin must be a 6 to 8 digit number.");
                None
            }
        });
    let last4 = f
        .text(&["lastFourOfCard"], "LastFourOfCard", optional(4))
        .and_then(|l| {
            if l.len() == 4 && l.bytes().all(|b| b.is_ascii_digit()) {
                Some(l)
            } else {
                f.error("LastFourOfCard", "LastFourOfCard must be 4 digits.");
                None
            }
        });
    let common = card_common(&mut f);
    let number = token
        .zip(bin)
        .map(|(token, bin)| CardNumber::Token { token, bin, last4 });
    let v = card_details(common, number);
    done(f, v)
}

#[derive(Debug, Clone)]
pub struct HistoryQuery {
    pub customer_id: Uuid,
    pub account_id: Option<Uuid>,
    pub paging_reference: Option<Uuid>,
    pub page_size: i64,
}

pub const DEFAULT_PAGE_SIZE: i64 = 20;
pub const MAX_PAGE_SIZE: i64 = 100;

pub fn transaction_history(mut f: Fields) -> Parsed<HistoryQuery> {
    let customer_id = f.guid(&["customerId"], "customerId", true);
    let account_id = f.guid(&["accountId"], "accountId", false);
    let paging_reference = f.guid(
        &["pagingTransactionReferenceNumber"],
        "pagingTransactionReferenceNumber",
        false,
    );
    let page_size = f.int(&["pageSize"], "pageSize", 0, MAX_PAGE_SIZE);
    let v = customer_id.map(|customer_id| HistoryQuery {
        customer_id,
        account_id,
        paging_reference,
        page_size: match page_size {
            None | Some(0) => DEFAULT_PAGE_SIZE,
            Some(n) => n,
        },
    });
    done(f, v)
}

pub struct DeleteCard {
    pub customer_id: Uuid,
    pub card_id: Uuid,
}

pub fn delete_card(mut f: Fields) -> Parsed<DeleteCard> {
    let customer_id = f.guid(&["customerId"], "customerId", true);
    let card_id = f.guid(&["cardId"], "cardId", true);
    let v = customer_id
        .zip(card_id)
        .map(|(customer_id, card_id)| DeleteCard {
            customer_id,
            card_id,
        });
    done(f, v)
}

/// The attribute table: canonical name and value format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AttrFormat {
    Guid,
    Ssn,
    Count,
    Boolean,
    Amount,
    Date,
}

const CUSTOMER_ATTRIBUTES: &[(&str, AttrFormat)] = &[
    ("CustomerId", AttrFormat::Guid),
    ("SSN", AttrFormat::Ssn),
    ("NumberOfCards", AttrFormat::Count),
    ("Tenure", AttrFormat::Count),
    ("DirectDeposit", AttrFormat::Boolean),
    ("CurrentBalance", AttrFormat::Amount),
    ("AverageMonthlyLoadAmount", AttrFormat::Amount),
    ("TransactionsPerMonth", AttrFormat::Count),
    ("CardIssueDate", AttrFormat::Date),
    ("NumberOfChecksCashed", AttrFormat::Count),
    ("NumberOfChecksReturned", AttrFormat::Count),
    ("BalanceOnReturnedChecks", AttrFormat::Amount),
    ("AverageCheckCashedAmt", AttrFormat::Amount),
    ("DebitActive", AttrFormat::Boolean),
    ("LastDebitPurchaseDate", AttrFormat::Date),
    ("TotalNumberOfCustomers", AttrFormat::Count),
];

fn canonical_value(format: AttrFormat, v: &str) -> Option<String> {
    match format {
        AttrFormat::Guid => parse_guid(v).map(|u| u.to_string()),
        AttrFormat::Ssn => Ssn::parse(v).ok().map(|s| s.as_str().to_string()),
        AttrFormat::Count => {
            (v.len() <= 9 && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .then(|| v.parse::<u64>().ok().map(|n| n.to_string()))
                .flatten()
        }
        AttrFormat::Boolean => match v.to_ascii_lowercase().as_str() {
            "true" => Some("True".into()),
            "false" => Some("False".into()),
            _ => None,
        },
        // DDDDD.CC in the table; up to 7 integer digits accepted, stored as cents-exact decimal.
        AttrFormat::Amount => Cents::parse_decimal(v, 7).map(|c| c.to_decimal_string()),
        AttrFormat::Date => parse_mm_dd_yyyy(v).map(|d| d.format("%m-%d-%Y").to_string()),
    }
}

fn format_hint(format: AttrFormat) -> &'static str {
    match format {
        AttrFormat::Guid => "a GUID",
        AttrFormat::Ssn => "a 9 digit number",
        AttrFormat::Count => "a whole number",
        AttrFormat::Boolean => "True or False",
        AttrFormat::Amount => "DDDDD.CC",
        AttrFormat::Date => "MM-DD-YYYY",
    }
}

#[derive(Debug, Clone)]
pub struct CustomerAttributes {
    pub customer_id: Uuid,
    pub ssn: Ssn,
    /// Every other attribute, canonical name and value.
    pub attributes: Vec<(String, String)>,
}

fn name_value(item: &mut Fields, max_value: usize) -> (Option<String>, Option<String>) {
    let name = item.text(&["name"], "Name", required(1, 100));
    let value = item.text(&["value"], "Value", required(1, max_value));
    (name, value)
}

pub fn customer_attributes(mut f: Fields) -> Parsed<CustomerAttributes> {
    let items = f.objects(&["customerAttributes"], "CustomerAttributes");
    let mut customer_id = None;
    let mut ssn = None;
    let mut others: Vec<(String, String)> = Vec::new();
    for item in items.into_iter().flatten() {
        let Ok(mut item) = item else { continue };
        let (name, value) = name_value(&mut item, 200);
        if let Some(name) = name {
            match CUSTOMER_ATTRIBUTES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
            {
                None => item.error("Name", "Name is not a recognized customer attribute."),
                Some((canonical, format)) => {
                    let seen = others.iter().any(|(n, _)| n == canonical)
                        || (*canonical == "CustomerId" && customer_id.is_some())
                        || (*canonical == "SSN" && ssn.is_some());
                    if seen {
                        item.error(
                            "Name",
                            format!("The {canonical} attribute is given more than once."),
                        );
                    } else if let Some(value) = value {
                        match canonical_value(*format, &value) {
                            None => item.error(
                                "Value",
                                format!("The Value field must be {}.", format_hint(*format)),
                            ),
                            Some(v) => match *canonical {
                                "CustomerId" => customer_id = parse_guid(&v),
                                "SSN" => ssn = Ssn::parse(&v).ok(),
                                _ => others.push((canonical.to_string(), v)),
                            },
                        }
                    }
                }
            }
        }
        f.absorb(item);
    }
    if !f.has_errors() {
        if customer_id.is_none() {
            f.error(
                "CustomerAttributes",
                "The CustomerId attribute is required.",
            );
        }
        if ssn.is_none() {
            f.error("CustomerAttributes", "The SSN attribute is required.");
        }
    }
    let v = customer_id
        .zip(ssn)
        .map(|(customer_id, ssn)| CustomerAttributes {
            customer_id,
            ssn,
            attributes: others,
        });
    done(f, v)
}

#[derive(Debug, Clone, Default)]
pub struct SessionAttributes {
    pub sso_token: String,
    pub preferred_email: Option<String>,
    pub account_id_filter: Option<String>,
    pub account_number_filter: Option<String>,
}

pub fn session_attributes(mut f: Fields) -> Parsed<SessionAttributes> {
    let items = f.objects(&["sessionAttributes"], "SessionAttributes");
    let mut out = SessionAttributes::default();
    let mut token = None;
    for item in items.into_iter().flatten() {
        let Ok(mut item) = item else { continue };
        let (name, value) = name_value(&mut item, 300);
        if let (Some(name), Some(value)) = (name, value) {
            // The spec writes both "Preferred Email" and "PreferredEmail".
            let key: String = name
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            let slot = match key.as_str() {
                "ssotoken" => &mut token,
                "preferredemail" => &mut out.preferred_email,
                "accountidfilter" => &mut out.account_id_filter,
                "accountnumberfilter" => &mut out.account_number_filter,
                _ => {
                    item.error("Name", "Name is not a recognized session attribute.");
                    f.absorb(item);
                    continue;
                }
            };
            if slot.is_some() {
                item.error(
                    "Name",
                    format!("The {} attribute is given more than once.", name.trim()),
                );
            } else {
                *slot = Some(value);
            }
        }
        f.absorb(item);
    }
    if !f.has_errors() && token.is_none() {
        f.error("SessionAttributes", "The SsoToken attribute is required.");
    }
    let v = token.map(|t| SessionAttributes {
        sso_token: t,
        ..out
    });
    done(f, v)
}
