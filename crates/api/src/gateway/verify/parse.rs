//! Reading a `/gateway/verify` body (spec 002): what is being verified, once
//! every field rule holds.

use fundline_core::card::{CardExpiry, Cvv, Pan};
use fundline_core::routing::{BankAccountNumber, RoutingError, RoutingNumber};
use serde_json::{json, Map, Value};

use crate::gateway::common::{common, Common, STATE_MESSAGE, ZIP_MESSAGE};
use crate::gateway::error::GatewayError;
use crate::gateway::fields::{json_object, Fields};
use crate::gateway::issuer::{AccountType, GatewaySettings};

/// The recipient block of AC, CA and BP requests.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Recipient {
    pub first_name: String,
    pub last_name: String,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub state: String,
    pub zip: String,
}

/// What is being verified, once parsed.
#[derive(Debug, Clone)]
pub enum Target {
    /// A token given instead of the account; `payee_id` when one was sent
    /// too (it must be the token's).
    Token {
        token: String,
        payee_id: Option<String>,
    },
    Card {
        pan: Pan,
        expiry_yymm: String,
        recipient: Recipient,
    },
    Bank {
        account: BankAccountNumber,
        routing: RoutingNumber,
        recipient: Recipient,
    },
    Biller {
        payee_id: String,
        account: String,
        recipient: Recipient,
    },
    Check {
        beneficiary: Value,
        recipient: Option<Value>,
        account: String,
    },
}

#[derive(Debug, Clone)]
pub struct VerifyRequest {
    pub account_type: AccountType,
    pub common: Common,
    pub target: Target,
}

fn recipient(f: &mut Fields) -> Option<Recipient> {
    let first_name = f.text("recipient_first_name", true, 255);
    let last_name = f.text("recipient_last_name", true, 255);
    let address1 = f.text("recipient_address1", true, 255);
    let address2 = f.text("recipient_address2", false, 255);
    let city = f.text("recipient_city", true, 255);
    let state = f.state("recipient_state", STATE_MESSAGE);
    let zip = f.zip("recipient_zip", ZIP_MESSAGE);
    // Checked, not kept: the spec's AC sample sends it as a JSON number.
    f.phone_or_number("recipient_phone");
    Some(Recipient {
        first_name: first_name?,
        last_name: last_name?,
        address1: address1?,
        address2,
        city: city?,
        state: state?.code().to_string(),
        zip: zip?.into_string(),
    })
}

/// `routing_number`: nine digits, else a field error (13400). One that
/// fails the ABA checksum sets `bad_checksum`: the spec gives it its own
/// status, 1042, when nothing else is wrong.
fn routing_number(f: &mut Fields, bad_checksum: &mut bool) -> Option<RoutingNumber> {
    let r = f.text("routing_number", true, 9)?;
    match RoutingNumber::parse(&r) {
        Ok(n) => Some(n),
        Err(RoutingError::Checksum) => {
            *bad_checksum = true;
            None
        }
        Err(RoutingError::Format) => {
            f.error(
                "routing_number",
                "The RoutingNumber field must be 9 digits.",
            );
            None
        }
    }
}

/// `payee_id`: a whole number of up to 40 digits, as a number or a string.
fn payee_id(f: &mut Fields, obj: &Map<String, Value>) -> Option<String> {
    match obj.get("payee_id") {
        Some(Value::Number(n)) if n.as_u64().is_some() => Some(n.to_string()),
        Some(Value::String(s))
            if !s.trim().is_empty()
                && s.trim().len() <= 40
                && s.trim().bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(s.trim().to_string())
        }
        None | Some(Value::Null) => {
            f.error("payee_id", "The PayeeId field is required.");
            None
        }
        Some(_) => {
            f.error("payee_id", "The PayeeId field must be a whole number.");
            None
        }
    }
}

/// Parses and validates: `Err` is the 13400 (every failing field), or 1042
/// for a routing number whose only fault is its checksum.
pub fn parse(body: &[u8], settings: &GatewaySettings) -> Result<VerifyRequest, GatewayError> {
    let obj = json_object(body)?;
    let mut f = Fields::new(&obj, "");
    let account_type = f.text("account_type", true, 2).and_then(|t| {
        let a = AccountType::parse(&t);
        if a.is_none() {
            f.error(
                "account_type",
                "The AccountType field must be AC, CA, BP or CK.",
            );
        }
        a
    });
    let common = common(&mut f, &obj, settings);
    let token = f.text("customer_account_token", false, 255);
    let mut bad_routing = false;
    let target = match (account_type, token) {
        (None, _) => None,
        (Some(_), Some(t)) => token_target(&mut f, &obj, t, &mut bad_routing),
        (Some(AccountType::Ca), None) => card_target(&mut f, &obj, settings),
        (Some(AccountType::Ac), None) => bank_target(&mut f, &mut bad_routing),
        (Some(AccountType::Bp), None) => biller_target(&mut f, &obj),
        (Some(AccountType::Ck), None) => check_target(&mut f, &obj),
    };
    if bad_routing && f.errors.is_empty() {
        return Err(GatewayError::BadRouting);
    }
    if !f.errors.is_empty() {
        return Err(GatewayError::Validation(Value::Object(f.errors)));
    }
    match (account_type, common, target) {
        (Some(account_type), Some(common), Some(target)) => Ok(VerifyRequest {
            account_type,
            common,
            target,
        }),
        _ => Err(GatewayError::field("request", "The request is not valid.")),
    }
}

/// A bank account (AC): recipient, account number and routing number.
fn bank_target(f: &mut Fields, bad_routing: &mut bool) -> Option<Target> {
    let recipient = recipient(f);
    let account = f.text("account", true, 255).and_then(|a| {
        let n = BankAccountNumber::parse(&a);
        if n.is_none() {
            f.error(
                "account",
                "The Account field must be a bank account number of 4 to 17 digits.",
            );
        }
        n
    });
    let routing = routing_number(f, bad_routing);
    match (account, routing, recipient) {
        (Some(account), Some(routing), Some(recipient)) => Some(Target::Bank {
            account,
            routing,
            recipient,
        }),
        _ => None,
    }
}

/// A biller account (BP): recipient, payee and the account with the payee.
fn biller_target(f: &mut Fields, obj: &serde_json::Map<String, Value>) -> Option<Target> {
    let recipient = recipient(f);
    let payee_id = payee_id(f, obj);
    let account = f.text("account", true, 255);
    match (payee_id, account, recipient) {
        (Some(payee_id), Some(account), Some(recipient)) => Some(Target::Biller {
            payee_id,
            account,
            recipient,
        }),
        _ => None,
    }
}

/// A token names the account (spec 002: the account fields "are not
/// required"); what is sent beside it is still checked, never silently
/// taken for valid (docs/gateway.md).
fn token_target(
    f: &mut Fields,
    obj: &Map<String, Value>,
    token: String,
    bad_routing: &mut bool,
) -> Option<Target> {
    if let Some(Value::String(cvv)) = obj.get("cvv") {
        if Cvv::parse(cvv).is_none() {
            f.error("cvv", "The Cvv field must be 3 or 4 digits.");
        }
    }
    if f.has("routing_number") {
        routing_number(f, bad_routing);
    }
    let payee_id = if f.has("payee_id") {
        payee_id(f, obj)
    } else {
        None
    };
    Some(Target::Token { token, payee_id })
}

fn card_target(
    f: &mut Fields,
    obj: &Map<String, Value>,
    settings: &GatewaySettings,
) -> Option<Target> {
    let recipient = recipient(f);
    let pan = f
        .text("account", true, 255)
        .and_then(|a| match Pan::parse(&a) {
            Ok(p) => Some(p),
            Err(_) => {
                f.error("account", "The Account field must be a valid card number.");
                None
            }
        });
    let expiry = f.text("expiration_date", true, 4).and_then(|e| {
        let parsed = CardExpiry::parse_yymm(&e).ok();
        if parsed.is_none() {
            f.error("expiration_date", "The ExpirationDate field must be YYMM.");
        }
        parsed.map(|_| e)
    });
    match obj.get("cvv") {
        Some(Value::String(c)) if Cvv::parse(c).is_some() => {}
        None | Some(Value::Null) if !settings.cvv_required => {}
        None | Some(Value::Null) => f.error("cvv", "The Cvv field is required."),
        Some(_) => f.error("cvv", "The Cvv field must be 3 or 4 digits."),
    }
    Some(Target::Card {
        pan: pan?,
        expiry_yymm: expiry?,
        recipient: recipient?,
    })
}

/// A check's postal address and phone, as the beneficiary and the
/// recipient send them (`{who}_address1` ... `{who}_phone`).
struct Postal {
    address1: String,
    address2: Option<String>,
    city: String,
    state: &'static str,
    zip: String,
    phone: Option<String>,
}

/// Reads every field of the address (each error is reported) before
/// answering.
fn postal(g: &mut Fields, who: &str) -> Option<Postal> {
    let address1 = g.text(&format!("{who}_address1"), true, 40);
    let address2 = g.text(&format!("{who}_address2"), false, 40);
    let city = g.text(&format!("{who}_city"), true, 25);
    let state = g
        .state(&format!("{who}_state"), STATE_MESSAGE)
        .map(|s| s.code());
    let zip = g
        .zip(&format!("{who}_zip"), ZIP_MESSAGE)
        .map(|z| z.into_string());
    let phone = g.text(&format!("{who}_phone"), false, 25);
    Some(Postal {
        address1: address1?,
        address2,
        city: city?,
        state: state?,
        zip: zip?,
        phone,
    })
}

fn check_target(f: &mut Fields, obj: &Map<String, Value>) -> Option<Target> {
    let is_beneficiary = match obj.get("recipient_is_beneficiary") {
        None | Some(Value::Null) => Some(true),
        Some(Value::Number(n)) if n.as_i64() == Some(1) => Some(true),
        Some(Value::Number(n)) if n.as_i64() == Some(0) => Some(false),
        Some(Value::String(s)) if s.trim() == "1" => Some(true),
        Some(Value::String(s)) if s.trim() == "0" => Some(false),
        Some(_) => {
            f.error(
                "recipient_is_beneficiary",
                "The RecipientIsBeneficiary field must be 0 or 1.",
            );
            None
        }
    };
    let beneficiary = f.object("beneficiary").and_then(|b| {
        let mut g = Fields::new(b, &f.prefix_of("beneficiary"));
        let account = g.text("beneficiary_account", true, 30);
        let first = g.text("beneficiary_first_name", true, 30);
        let last = g.text("beneficiary_last_name", true, 30);
        let company = g.text("beneficiary_company", false, 30);
        let postal = postal(&mut g, "beneficiary");
        let email = g
            .email("beneficiary_email", false, 60)
            .map(|e| e.into_string());
        f.absorb(g);
        let p = postal?;
        Some((
            account?,
            json!({"first_name": first?, "last_name": last?, "company": company, "address1": p.address1,
                   "address2": p.address2, "city": p.city, "state": p.state, "zip": p.zip, "phone": p.phone,
                   "email": email}),
        ))
    });
    let recipient = match is_beneficiary {
        Some(false) => f.object("recipient").and_then(|r| {
            let mut g = Fields::new(r, &f.prefix_of("recipient"));
            let line1 = g.text("recipient_line1", true, 75);
            let line2 = g.text("recipient_line2", false, 75);
            let postal = postal(&mut g, "recipient");
            f.absorb(g);
            let p = postal?;
            Some(json!({"line1": line1?, "line2": line2, "address1": p.address1, "address2": p.address2,
                        "city": p.city, "state": p.state, "zip": p.zip, "phone": p.phone}))
        }),
        _ => None,
    };
    let (account, beneficiary) = beneficiary?;
    if is_beneficiary == Some(false) && recipient.is_none() {
        return None;
    }
    Some(Target::Check {
        beneficiary,
        recipient,
        account,
    })
}
