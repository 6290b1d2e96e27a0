//! `POST /gateway/verify` (spec 002): validates an account — card (CA), bank
//! account (AC), biller account (BP) or check payee (CK) — tokenizes it, and
//! says how and when money can reach it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fundline_core::card::{CardExpiry, Pan};
use fundline_core::contact::{normalize_email, UsState};
use fundline_core::money::Cents;
use fundline_core::routing::valid_aba_routing;
use fundline_store::gateway as repo;
use serde_json::{json, Map, Value};

use super::auth::Gateway;
use super::envelope::{code, GwResponse};
use super::fields::Fields;
use super::issuer::{fits_pattern, posting, AccountType, GatewaySettings, Limits};
use crate::cardnet::{AuthDecision, AuthRequest, AvsAddress, CardRef};
use crate::AppState;

pub const PATH: &str = "/gateway/verify";
pub const VERSION: i64 = 11;
/// Added status codes (docs/gateway.md).
pub const NOT_AVAILABLE: i64 = 700;
pub const BAD_ROUTING: i64 = 1042;
pub const TABLE: &str = "gw_accounts";

/// YYMM on the gateway's wire → the card's expiry.
pub fn parse_yymm(s: &str) -> Option<CardExpiry> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    CardExpiry::parse_mmyy(&format!("{}{}", &s[2..], &s[..2])).ok()
}

/// The fields every gateway call shares.
#[derive(Debug, Clone)]
pub struct Common {
    pub participant_id: i64,
    pub participant_unique_id1: String,
    pub participant_unique_id2: Option<String>,
    pub timestamp: i64,
    pub amount: Option<Cents>,
}

fn integer(
    f: &mut Fields,
    obj: &Map<String, Value>,
    name: &str,
    pascal: &str,
    required: bool,
) -> Option<i64> {
    match obj.get(name) {
        None | Some(Value::Null) => {
            if required {
                f.error(name, format!("The {pascal} field is required."));
            }
            None
        }
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        // Digits beyond i64 (e.g. 19 nines) are not a whole number either.
        Some(Value::String(s))
            if !s.trim().is_empty()
                && s.trim().len() <= 19
                && s.trim().bytes().all(|b| b.is_ascii_digit())
                && s.trim().parse::<i64>().is_ok() =>
        {
            s.trim().parse().ok()
        }
        Some(_) => {
            f.error(name, format!("The {pascal} field must be a whole number."));
            None
        }
    }
}

/// participant_id, ids, timestamp, version, amount, retail fields.
pub fn common(
    f: &mut Fields,
    obj: &Map<String, Value>,
    settings: &GatewaySettings,
) -> Option<Common> {
    let participant_id = integer(f, obj, "participant_id", "ParticipantId", true);
    let timestamp = integer(f, obj, "timestamp", "Timestamp", true);
    if let Some(v) = integer(f, obj, "version", "Version", true) {
        if v != VERSION {
            f.error("version", format!("The Version field must be {VERSION}."));
        }
    }
    let uid1 = f.text("participant_unique_id1", true, 255);
    let uid2 = f.text("participant_unique_id2", false, 255);
    let amount = match obj.get("amount") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let text = match v {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            match text
                .as_deref()
                .and_then(|t| Cents::parse_decimal(t, 9))
                .filter(|c| c.0 > 0)
            {
                Some(c) => Some(c),
                None => {
                    f.error("amount", "The Amount field must be a positive dollar amount with at most two decimals.");
                    None
                }
            }
        }
    };
    for id in ["store_id", "terminal_id", "clerk_id"] {
        f.text(id, settings.retail, 255);
    }
    if obj.get("retail_location").is_some_and(|v| !v.is_null()) {
        if let Some(loc) = f.object("retail_location") {
            let mut g = Fields::new(loc, &f.prefix_of("retail_location"));
            for (name, max) in [
                ("location_name", 150),
                ("location_id", 150),
                ("location_address", 150),
                ("location_city", 150),
            ] {
                g.text(name, true, max);
            }
            state_field(&mut g, "location_state");
            zip_field(&mut g, "location_zip");
            f.absorb(g);
        }
    }
    Some(Common {
        participant_id: participant_id?,
        participant_unique_id1: uid1?,
        participant_unique_id2: uid2,
        timestamp: timestamp?,
        amount,
    })
}

fn state_field(f: &mut Fields, name: &str) -> Option<String> {
    f.text(name, true, 2)
        .and_then(|s| match UsState::parse(&s) {
            Some(st) => Some(st.code().to_string()),
            None => {
                f.error(name, "The field must be a valid US state.");
                None
            }
        })
}

fn zip_field(f: &mut Fields, name: &str) -> Option<String> {
    f.text(name, true, 10).and_then(|z| {
        if super::sessions::valid_zip(&z) {
            Some(z)
        } else {
            f.error(
                name,
                "The field must be a 5-digit zip or zip plus 4 (xxxxx-xxxx).",
            );
            None
        }
    })
}

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

fn recipient(f: &mut Fields, obj: &Map<String, Value>) -> Option<Recipient> {
    let first_name = f.text("recipient_first_name", true, 255);
    let last_name = f.text("recipient_last_name", true, 255);
    let address1 = f.text("recipient_address1", true, 255);
    let address2 = f.text("recipient_address2", false, 255);
    let city = f.text("recipient_city", true, 255);
    let state = state_field(f, "recipient_state");
    let zip = zip_field(f, "recipient_zip");
    // The spec's AC sample sends the phone as a JSON number.
    match obj.get("recipient_phone") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let p = match v {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.trim().to_string(),
                _ => String::new(),
            };
            if !(p.len() == 10 && p.bytes().all(|b| b.is_ascii_digit())) {
                f.error(
                    "recipient_phone",
                    "The RecipientPhone field must be 10 digits.",
                );
            }
        }
    }
    Some(Recipient {
        first_name: first_name?,
        last_name: last_name?,
        address1: address1?,
        address2,
        city: city?,
        state: state?,
        zip: zip?,
    })
}

/// `routing_number`: nine digits (else a field error, 13400); whether
/// it passes the ABA checksum is the caller's 1042.
fn routing_number(f: &mut Fields) -> Option<String> {
    let r = f.text("routing_number", true, 9)?;
    if r.len() == 9 && r.bytes().all(|b| b.is_ascii_digit()) {
        Some(r)
    } else {
        f.error(
            "routing_number",
            "The RoutingNumber field must be 9 digits.",
        );
        None
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
        account: String,
        routing: String,
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

/// Parses and validates; `Err` is the 13400 data map (or a 1042 for a bad
/// routing number, which the spec gives its own status).
pub fn parse(body: &[u8], settings: &GatewaySettings) -> Result<VerifyRequest, (i64, Value)> {
    let invalid = |m: &str| (code::VALIDATION, json!({ "request": [m] }));
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| invalid("The request body must be a JSON object."))?;
    let Value::Object(obj) = value else {
        return Err(invalid("The request body must be a JSON object."));
    };
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
        (Some(_), Some(t)) => {
            if let Some(Value::String(cvv)) = obj.get("cvv") {
                if !(3..=4).contains(&cvv.len()) || !cvv.bytes().all(|b| b.is_ascii_digit()) {
                    f.error("cvv", "The Cvv field must be 3 or 4 digits.");
                }
            }
            // The token names the account (spec 002: the account fields "are
            // not required"); what is sent beside it is still checked, never
            // silently taken for valid (docs/gateway.md).
            if obj.get("routing_number").is_some_and(|v| !v.is_null()) {
                if let Some(r) = routing_number(&mut f) {
                    bad_routing = !valid_aba_routing(&r);
                }
            }
            let payee_id = if obj.get("payee_id").is_some_and(|v| !v.is_null()) {
                payee_id(&mut f, &obj)
            } else {
                None
            };
            Some(Target::Token { token: t, payee_id })
        }
        (Some(AccountType::Ca), None) => {
            let recipient = recipient(&mut f, &obj);
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
                let parsed = parse_yymm(&e);
                if parsed.is_none() {
                    f.error("expiration_date", "The ExpirationDate field must be YYMM.");
                }
                parsed.map(|_| e)
            });
            match obj.get("cvv") {
                Some(Value::String(c))
                    if (3..=4).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit()) => {}
                None | Some(Value::Null) if !settings.cvv_required => {}
                None | Some(Value::Null) => f.error("cvv", "The Cvv field is required."),
                Some(_) => f.error("cvv", "The Cvv field must be 3 or 4 digits."),
            }
            match (pan, expiry, recipient) {
                (Some(pan), Some(expiry_yymm), Some(recipient)) => Some(Target::Card {
                    pan,
                    expiry_yymm,
                    recipient,
                }),
                _ => None,
            }
        }
        (Some(AccountType::Ac), None) => {
            let recipient = recipient(&mut f, &obj);
            let account = f.text("account", true, 255).and_then(|a| {
                if (4..=17).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_digit()) {
                    Some(a)
                } else {
                    f.error(
                        "account",
                        "The Account field must be a bank account number of 4 to 17 digits.",
                    );
                    None
                }
            });
            let routing = routing_number(&mut f);
            if let Some(r) = &routing {
                bad_routing = !valid_aba_routing(r);
            }
            match (account, routing, recipient) {
                (Some(account), Some(routing), Some(recipient)) => Some(Target::Bank {
                    account,
                    routing,
                    recipient,
                }),
                _ => None,
            }
        }
        (Some(AccountType::Bp), None) => {
            let recipient = recipient(&mut f, &obj);
            let payee_id = payee_id(&mut f, &obj);
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
        (Some(AccountType::Ck), None) => check_target(&mut f, &obj),
    };
    if bad_routing && f.errors.is_empty() {
        return Err((BAD_ROUTING, Value::Null));
    }
    if !f.errors.is_empty() {
        return Err((code::VALIDATION, Value::Object(f.errors)));
    }
    match (account_type, common, target) {
        (Some(account_type), Some(common), Some(target)) => Ok(VerifyRequest {
            account_type,
            common,
            target,
        }),
        _ => Err(invalid("The request is not valid.")),
    }
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
        let a1 = g.text("beneficiary_address1", true, 40);
        let a2 = g.text("beneficiary_address2", false, 40);
        let city = g.text("beneficiary_city", true, 25);
        let state = state_field(&mut g, "beneficiary_state");
        let zip = zip_field(&mut g, "beneficiary_zip");
        let phone = g.text("beneficiary_phone", false, 25);
        let email = g.text("beneficiary_email", false, 60).and_then(|e| {
            let n = normalize_email(&e);
            if n.is_none() {
                g.error("beneficiary_email", "The BeneficiaryEmail field is not a valid e-mail address.");
            }
            n
        });
        f.absorb(g);
        Some((
            account?,
            json!({"first_name": first?, "last_name": last?, "company": company, "address1": a1?, "address2": a2,
                   "city": city?, "state": state?, "zip": zip?, "phone": phone, "email": email}),
        ))
    });
    let recipient = match is_beneficiary {
        Some(false) => f.object("recipient").and_then(|r| {
            let mut g = Fields::new(r, &f.prefix_of("recipient"));
            let line1 = g.text("recipient_line1", true, 75);
            let line2 = g.text("recipient_line2", false, 75);
            let a1 = g.text("recipient_address1", true, 40);
            let a2 = g.text("recipient_address2", false, 40);
            let city = g.text("recipient_city", true, 25);
            let state = state_field(&mut g, "recipient_state");
            let zip = zip_field(&mut g, "recipient_zip");
            let phone = g.text("recipient_phone", false, 25);
            f.absorb(g);
            Some(json!({"line1": line1?, "line2": line2, "address1": a1?, "address2": a2, "city": city?,
                        "state": state?, "zip": zip?, "phone": phone}))
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

/// The normalized identity of an account and its recipient, whose keyed
/// fingerprint makes the token: the same data gives the same token.
fn identity(t: &Target, account_type: AccountType) -> Option<(String, String, Value)> {
    let who = |r: &Recipient| {
        json!([
            r.first_name.to_lowercase(),
            r.last_name.to_lowercase(),
            r.address1.to_lowercase(),
            r.address2.clone().unwrap_or_default().to_lowercase(),
            r.city.to_lowercase(),
            r.state,
            r.zip
        ])
    };
    let (account, extra, details) = match t {
        Target::Token { .. } => return None,
        Target::Card {
            pan,
            expiry_yymm,
            recipient,
        } => (
            pan.as_str().to_string(),
            json!([expiry_yymm]),
            json!({"recipient": recipient, "expiration_date": expiry_yymm, "network": pan.network().name()}),
        ),
        Target::Bank {
            account,
            routing,
            recipient,
        } => (
            account.clone(),
            json!([routing]),
            json!({"recipient": recipient, "routing_number": routing}),
        ),
        Target::Biller {
            payee_id,
            account,
            recipient,
        } => (
            account.clone(),
            json!([payee_id]),
            json!({"recipient": recipient, "payee_id": payee_id}),
        ),
        Target::Check {
            beneficiary,
            recipient,
            account,
        } => (
            account.clone(),
            json!([
                beneficiary.to_string().to_lowercase(),
                recipient.as_ref().map(|r| r.to_string().to_lowercase())
            ]),
            json!({"beneficiary": beneficiary, "recipient": recipient}),
        ),
    };
    let people = match t {
        Target::Card { recipient, .. }
        | Target::Bank { recipient, .. }
        | Target::Biller { recipient, .. } => who(recipient),
        _ => Value::Null,
    };
    let canonical = json!([account_type.code(), account, extra, people]).to_string();
    debug_assert_eq!(
        account_canonical(account_type.code(), &account, &details).as_deref(),
        Some(canonical.as_str())
    );
    Some((account, canonical, details))
}

/// The fingerprint domain of tokenized gateway accounts (`gw_accounts.fp`).
pub(crate) const ACCOUNT_FP: &str = "gw-account";

/// `identity`'s canonical form rebuilt from what a tokenized account row
/// keeps: its type, the (sealed) account number and `details_json`. The
/// re-fingerprint pass recomputes `gw_accounts.fp` with it; the unit test
/// `stored_accounts_rebuild_the_identity_they_were_tokenized_with` (and a
/// debug assertion on every tokenization) hold the two forms equal.
pub(crate) fn account_canonical(
    account_type: &str,
    account: &str,
    details: &Value,
) -> Option<String> {
    let text = |v: &Value| v.as_str().map(str::to_lowercase);
    let who = |r: &Value| -> Option<Value> {
        Some(json!([
            text(&r["first_name"])?,
            text(&r["last_name"])?,
            text(&r["address1"])?,
            r["address2"].as_str().unwrap_or_default().to_lowercase(),
            text(&r["city"])?,
            r["state"].as_str()?,
            r["zip"].as_str()?
        ]))
    };
    let (extra, people) = match account_type {
        "CA" => (
            json!([details["expiration_date"].as_str()?]),
            who(&details["recipient"])?,
        ),
        "AC" => (
            json!([details["routing_number"].as_str()?]),
            who(&details["recipient"])?,
        ),
        "BP" => (
            json!([details["payee_id"].as_str()?]),
            who(&details["recipient"])?,
        ),
        "CK" => {
            let beneficiary = details.get("beneficiary")?;
            let recipient = match &details["recipient"] {
                Value::Null => None,
                r => Some(r.to_string().to_lowercase()),
            };
            (
                json!([beneficiary.to_string().to_lowercase(), recipient]),
                Value::Null,
            )
        }
        _ => return None,
    };
    Some(json!([account_type, account, extra, people]).to_string())
}

fn last4(s: &str) -> String {
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(4)).collect()
}

fn money(c: Cents) -> String {
    c.to_decimal_string()
}

fn limits_json(l: Limits, card_type: &str, p: &super::issuer::Posting) -> Value {
    json!({"min": money(l.min), "max": money(l.max), "card_type": card_type,
           "estimated_posting_time": p.time, "estimated_posting_date": p.date_text()})
}

/// Status 700, as the spec shows it.
pub(crate) fn unavailable(gw: &Gateway, now: i64) -> Response {
    let mut r = GwResponse::ok(
        NOT_AVAILABLE,
        "Account not currently available for payment",
        json!({"request_timestamp": now}),
        gw.started,
    );
    r.http = StatusCode::UNPROCESSABLE_ENTITY;
    r.into_response()
}

/// Why an account could not be verified.
#[derive(Debug)]
pub enum VerifyError {
    /// Status 700: the account cannot take money now.
    Unavailable,
    /// Status 13400 with this data map.
    Invalid(Value),
    Store(fundline_store::StoreError),
    Internal,
}

/// A payee_id sent beside a bill-pay token must name a known payee, and the
/// token's: the token wins, so another payee would be silently ignored.
async fn token_payee_matches(
    state: &AppState,
    account: &repo::Account,
    payee_id: &str,
) -> Result<(), VerifyError> {
    match repo::biller(&state.store, payee_id).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Err(VerifyError::Invalid(
                json!({"payee_id": ["The PayeeId field does not name a known payee."]}),
            ))
        }
        Err(e) => return Err(VerifyError::Store(e)),
    }
    let details: Value = serde_json::from_str(&account.details_json).unwrap_or(Value::Null);
    if details["payee_id"].as_str() != Some(payee_id) {
        return Err(VerifyError::Invalid(
            json!({"payee_id": ["The PayeeId field names another payee than the customer_account_token's; send one or the other."]}),
        ));
    }
    Ok(())
}

/// The verify core, shared by `/gateway/verify` and the hosted page: finds
/// or tokenizes the account, checks it can be paid, and answers the spec's
/// `data` (without the participant ids, which the caller adds).
pub async fn verify_account(
    state: &AppState,
    tenant_id: &str,
    req: &VerifyRequest,
    settings: &GatewaySettings,
) -> Result<Value, VerifyError> {
    let now_secs = state.clock.now().timestamp();
    let today = super::issuer::banking_today(state.clock.now());
    let keys = match state.keyring.tenant(&state.store, tenant_id).await {
        Ok(k) => k,
        Err(e) => return Err(VerifyError::Store(e)),
    };
    // The account: from its token, or tokenized now.
    let account = match &req.target {
        Target::Token { token, payee_id } => {
            match repo::account_by_token(&state.store, tenant_id, token).await {
                Ok(Some(a)) if a.account_type == req.account_type.code() => {
                    if let Some(p) = payee_id {
                        token_payee_matches(state, &a, p).await?;
                    }
                    a
                }
                Ok(_) => {
                    return Err(VerifyError::Invalid(
                        json!({"customer_account_token": ["The CustomerAccountToken is not valid."]}),
                    ))
                }
                Err(e) => return Err(VerifyError::Store(e)),
            }
        }
        target => {
            let Some((number, canonical, details)) = identity(target, req.account_type) else {
                return Err(VerifyError::Internal);
            };
            let fp = keys.fingerprint(ACCOUNT_FP, &canonical);
            // The account may carry its fingerprint under any live version
            // (a fingerprint key rotation in progress).
            let fps = keys.fingerprints(ACCOUNT_FP, &canonical);
            match repo::account_by_fp(&state.store, tenant_id, &fps).await {
                Ok(Some(a)) => a,
                Ok(None) => {
                    let token = uuid::Uuid::new_v4().to_string();
                    // Bound to the token's row: a number copied to another token does not open.
                    let account_sealed = keys.seal_row(TABLE, "account", &token, number.as_bytes());
                    let a = repo::Account {
                        token,
                        tenant_id: tenant_id.to_string(),
                        account_type: req.account_type.code().into(),
                        fp: fp.clone(),
                        account_sealed,
                        last4: last4(&number),
                        details_json: details.to_string(),
                        created_at: state.clock.now_micros(),
                    };
                    match repo::tokenize(&state.store, a).await {
                        Ok(a) => a,
                        // A concurrent identical verify won: its token is ours.
                        Err(e) if e.is_unique("gw_accounts_fp") => {
                            match repo::account_by_fp(&state.store, tenant_id, &fps).await {
                                Ok(Some(a)) => a,
                                Ok(None) => return Err(VerifyError::Internal),
                                Err(e) => return Err(VerifyError::Store(e)),
                            }
                        }
                        Err(e) => return Err(VerifyError::Store(e)),
                    }
                }
                Err(e) => return Err(VerifyError::Store(e)),
            }
        }
    };
    let details: Value = serde_json::from_str(&account.details_json).unwrap_or(Value::Null);
    let mut data = json!({"customer_account_token": account.token, "last_4": account.last4, "request_timestamp": now_secs});
    match req.account_type {
        AccountType::Ca => {
            let expiry_yymm = details["expiration_date"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let Some(expiry) = parse_yymm(&expiry_yymm).filter(|e| !e.is_expired(today)) else {
                return Err(VerifyError::Unavailable);
            };
            // Ask the card network whether the card can take money (sandbox rules: docs/sandbox.md).
            let number = match keys.open_string_row(
                TABLE,
                "account",
                &account.token,
                &account.account_sealed,
            ) {
                Ok(n) => n,
                Err(_) => return Err(VerifyError::Internal),
            };
            let Ok(pan) = Pan::parse(number.expose()) else {
                return Err(VerifyError::Unavailable);
            };
            let r = &details["recipient"];
            let line1 = r["address1"].as_str().unwrap_or("");
            let zip = r["zip"].as_str().unwrap_or("");
            let decision = state
                .cardnet
                .authorize(AuthRequest {
                    card: CardRef::Pan(&pan),
                    expiry,
                    billing: AvsAddress { line1, zip },
                    on_file: AvsAddress { line1, zip },
                    today,
                })
                .await;
            let AuthDecision::Approved(program) = decision else {
                return Err(VerifyError::Unavailable);
            };
            let p = posting(AccountType::Ca, today, 0);
            let card_type = if program.issuer_type == 2 {
                "Prepaid"
            } else {
                "Debit"
            };
            let mut issuer = json!({
                "payee_id": "0", "payee_name": program.name, "payee_address": null, "payee_city": null,
                "payee_state": null, "payee_zip": null, "issuing_network": pan.network().name(),
                "credit_enabled": 0, "debit_enabled": 0,
            });
            if let Some(l) = settings.credit_limits(AccountType::Ca) {
                issuer["credit_info"] = limits_json(l, card_type, &p);
                issuer["credit_enabled"] = json!(1);
            }
            if let Some(l) = settings.debit_limits(AccountType::Ca) {
                issuer["debit_info"] = limits_json(l, card_type, &p);
                issuer["debit_enabled"] = json!(1);
            }
            data["issuers"] = json!([issuer]);
            data["expiration_date"] = json!(expiry_yymm);
            data["count"] = json!(1);
        }
        AccountType::Ac | AccountType::Bp => {
            let (payee, days) = if req.account_type == AccountType::Bp {
                let payee_id = details["payee_id"].as_str().unwrap_or("");
                match repo::biller(&state.store, payee_id).await {
                    Ok(Some(b)) => {
                        let number = keys
                            .open_string_row(
                                TABLE,
                                "account",
                                &account.token,
                                &account.account_sealed,
                            )
                            .ok();
                        if !number.is_some_and(|n| fits_pattern(n.expose(), &b.account_pattern)) {
                            return Err(VerifyError::Unavailable);
                        }
                        let days = super::issuer::biller_days(b.posting_days);
                        (
                            json!({"payee_id": b.payee_id, "payee_name": b.name, "payee_address": b.address,
                                "payee_city": b.city, "payee_state": b.state, "payee_zip": b.zip}),
                            days,
                        )
                    }
                    Ok(None) => {
                        return Err(VerifyError::Invalid(
                            json!({"payee_id": ["The PayeeId field does not name a known payee."]}),
                        ))
                    }
                    Err(e) => return Err(VerifyError::Store(e)),
                }
            } else {
                (
                    json!({"payee_id": "0", "payee_name": "ACH", "payee_address": null, "payee_city": null,
                        "payee_state": null, "payee_zip": null}),
                    1,
                )
            };
            let p = posting(req.account_type, today, days);
            let mut issuer = payee;
            issuer["issuing_network"] = json!("NA");
            issuer["credit_enabled"] = json!(0);
            issuer["debit_enabled"] = json!(0);
            let card_type = if req.account_type == AccountType::Ac {
                "DDA"
            } else {
                "NA"
            };
            if let Some(l) = settings.credit_limits(req.account_type) {
                issuer["credit_info"] = limits_json(l, card_type, &p);
                issuer["credit_enabled"] = json!(1);
            }
            if let Some(l) = settings.debit_limits(req.account_type) {
                issuer["debit_info"] = limits_json(l, card_type, &p);
                issuer["debit_enabled"] = json!(1);
            }
            data["issuers"] = json!([issuer]);
            data["count"] = json!(1);
        }
        AccountType::Ck => {
            let p = posting(AccountType::Ck, today, 0);
            data["estimated_posting_date"] = json!(p.date_text());
            data["estimated_posting_time"] = json!(p.time);
        }
    }
    Ok(data)
}

#[utoipa::path(post, path = "/gateway/verify", tag = "Payout gateway",
    description = "Verify and tokenize a card (CA), bank account (AC), biller account (BP, with payee_id from /gateway/search) or check payee (CK), or re-verify by customer_account_token (spec 002). HMAC-signed. The same account and recipient data give the same token. 700: account not available for payment; 1042: routing number fails the ABA checksum.",
    request_body(content = serde_json::Value, description = "The fields of spec 002 for the account_type"),
    responses((status = 200, body = super::sessions::GatewayEnvelopeDoc, description = "status 100"),
        (status = 400, body = super::sessions::GatewayEnvelopeDoc, description = "status 13400"),
        (status = 401, body = super::sessions::GatewayEnvelopeDoc, description = "status 13401"),
        (status = 422, body = super::sessions::GatewayEnvelopeDoc, description = "status 700 or 1042")))]
pub async fn verify(State(state): State<AppState>, gw: Gateway) -> Response {
    let started = gw.started;
    let Ok(settings) = super::settings::load(&state, &gw.tenant_id).await.issuer() else {
        return GwResponse::unavailable(started).into_response();
    };
    let req = match parse(&gw.body, &settings) {
        Ok(r) => r,
        Err((BAD_ROUTING, _)) => {
            return GwResponse::error(
                StatusCode::UNPROCESSABLE_ENTITY,
                BAD_ROUTING,
                "Invalid routing number",
                "invalid_routing_number",
                started,
            )
            .into_response()
        }
        Err((_, data)) => return GwResponse::validation(data, started).into_response(),
    };
    if req.common.participant_id != gw.participant_id {
        return GwResponse::unauthorized("participant_id_mismatch", started).into_response();
    }
    let mut data = match verify_account(&state, &gw.tenant_id, &req, &settings).await {
        Ok(d) => d,
        Err(VerifyError::Unavailable) => return unavailable(&gw, state.clock.now().timestamp()),
        Err(VerifyError::Invalid(data)) => {
            return GwResponse::validation(data, started).into_response()
        }
        Err(VerifyError::Store(e)) => return GwResponse::from((e, started)).into_response(),
        Err(VerifyError::Internal) => return GwResponse::unavailable(started).into_response(),
    };
    data["participant_unique_id1"] = json!(req.common.participant_unique_id1);
    data["participant_unique_id2"] = json!(req
        .common
        .participant_unique_id2
        .clone()
        .unwrap_or_default());
    GwResponse::ok(code::SUCCESS, "Success", data, started).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca() -> Value {
        json!({"participant_id": 12345, "account_type": "CA", "amount": "1010.50", "recipient_first_name": "Johnny",
               "recipient_last_name": "Rockets", "account": "4111111111111111", "expiration_date": "3012", "cvv": "123",
               "recipient_address1": "123 Main St", "recipient_address2": "Apt 2", "recipient_city": "Atlanta",
               "recipient_state": "GA", "recipient_zip": "30313", "recipient_phone": "1231231234",
               "participant_unique_id1": "1f27", "timestamp": 1576097158, "version": 11})
    }

    fn parse_v(v: &Value) -> Result<VerifyRequest, (i64, Value)> {
        parse(&serde_json::to_vec(v).unwrap(), &GatewaySettings::default())
    }

    #[test]
    fn card_rules() {
        assert!(matches!(
            parse_v(&ca()).unwrap().target,
            Target::Card { .. }
        ));
        let mut v = ca();
        v["account"] = json!("4111111111111112");
        v["expiration_date"] = json!("2013");
        v["version"] = json!(10);
        v["cvv"] = json!("12");
        let (code, data) = parse_v(&v).unwrap_err();
        assert_eq!(code, 13400);
        for k in ["account", "expiration_date", "version", "cvv"] {
            assert!(data[k].is_array(), "{k}: {data}");
        }
    }

    #[test]
    fn a_token_replaces_the_account_data() {
        let v = json!({"participant_id": 1, "account_type": "CA", "customer_account_token": "t", "participant_unique_id1": "u",
                       "timestamp": "1576097158", "version": "11"});
        assert!(matches!(
            parse_v(&v).unwrap().target,
            Target::Token { payee_id: None, .. }
        ));
    }

    #[test]
    fn integers_beyond_i64_are_field_errors() {
        let mut v = ca();
        v["participant_id"] = json!("9999999999999999999");
        let (code, data) = parse_v(&v).unwrap_err();
        assert_eq!(code, 13400);
        assert_eq!(
            data["participant_id"][0],
            "The ParticipantId field must be a whole number."
        );
    }

    #[test]
    fn bank_routing_checksum_is_status_1042() {
        let v = json!({"participant_id": 12345, "account_type": "AC", "recipient_first_name": "Luke", "recipient_last_name": "Skywalker",
                       "account": "22222222", "routing_number": "011000016", "recipient_address1": "123 Main St.",
                       "recipient_city": "Atlanta", "recipient_state": "GA", "recipient_zip": "30313", "recipient_phone": 1231231234,
                       "participant_unique_id1": "u", "timestamp": "1576100326", "version": 11});
        assert_eq!(parse_v(&v).unwrap_err().0, 1042);
        let mut ok = v.clone();
        ok["routing_number"] = json!("011000015");
        assert!(matches!(parse_v(&ok).unwrap().target, Target::Bank { .. }));
    }

    #[test]
    fn check_rules() {
        let mut v = json!({"participant_id": 12345, "account_type": "CK", "recipient_is_beneficiary": 0,
            "beneficiary": {"beneficiary_account": "3000000038", "beneficiary_first_name": "Ace", "beneficiary_last_name": "Ventura",
                "beneficiary_address1": "123 Main St.", "beneficiary_city": "Atlanta", "beneficiary_state": "GA", "beneficiary_zip": "30033"},
            "participant_unique_id1": "u", "timestamp": 1597862420, "version": 11});
        let (_, data) = parse_v(&v).unwrap_err();
        assert_eq!(data["recipient"][0], "The Recipient field is required.");
        v["recipient_is_beneficiary"] = json!(1);
        assert!(matches!(parse_v(&v).unwrap().target, Target::Check { .. }));
        v["beneficiary"]["beneficiary_zip"] = json!("3003");
        assert!(parse_v(&v).unwrap_err().1["beneficiary.beneficiary_zip"].is_array());
    }

    #[test]
    fn bill_pay_needs_a_payee() {
        let v = json!({"participant_id": 12345, "account_type": "BP", "account": "12345678", "recipient_first_name": "J",
            "recipient_last_name": "R", "recipient_address1": "1 Main", "recipient_city": "Atlanta", "recipient_state": "GA",
            "recipient_zip": "30313", "participant_unique_id1": "u", "timestamp": 1, "version": 11});
        assert_eq!(
            parse_v(&v).unwrap_err().1["payee_id"][0],
            "The PayeeId field is required."
        );
    }

    #[test]
    fn stored_accounts_rebuild_the_identity_they_were_tokenized_with() {
        let mut no_line2 = ca();
        no_line2
            .as_object_mut()
            .unwrap()
            .remove("recipient_address2");
        let ac = json!({"participant_id": 12345, "account_type": "AC", "recipient_first_name": "Luke", "recipient_last_name": "Skywalker",
                       "account": "22222222", "routing_number": "011000015", "recipient_address1": "123 Main St.",
                       "recipient_city": "Atlanta", "recipient_state": "GA", "recipient_zip": "30313", "recipient_phone": 1231231234,
                       "participant_unique_id1": "u", "timestamp": "1576100326", "version": 11});
        let bp = json!({"participant_id": 12345, "account_type": "BP", "account": "12345678", "payee_id": 123456, "recipient_first_name": "J",
            "recipient_last_name": "R", "recipient_address1": "1 Main", "recipient_city": "Atlanta", "recipient_state": "GA",
            "recipient_zip": "30313", "participant_unique_id1": "u", "timestamp": 1, "version": 11});
        let ck = |is_beneficiary: i64| {
            json!({"participant_id": 12345, "account_type": "CK", "recipient_is_beneficiary": is_beneficiary,
                "beneficiary": {"beneficiary_account": "3000000038", "beneficiary_first_name": "Ace", "beneficiary_last_name": "Ventura",
                    "beneficiary_company": "Pet Detective", "beneficiary_address1": "123 Main St.", "beneficiary_city": "Atlanta",
                    "beneficiary_state": "GA", "beneficiary_zip": "30033"},
                "recipient": {"recipient_line1": "Ace Ventura", "recipient_address1": "9 Elm", "recipient_city": "Miami",
                    "recipient_state": "FL", "recipient_zip": "33101"},
                "participant_unique_id1": "u", "timestamp": 1597862420, "version": 11})
        };
        for v in [ca(), no_line2, ac, bp, ck(1), ck(0)] {
            let req = parse_v(&v).unwrap_or_else(|e| panic!("{v}: {e:?}"));
            let (account, canonical, details) = identity(&req.target, req.account_type).unwrap();
            // As the row keeps it: details through their stored JSON text.
            let stored: Value = serde_json::from_str(&details.to_string()).unwrap();
            assert_eq!(
                account_canonical(req.account_type.code(), &account, &stored).as_deref(),
                Some(canonical.as_str()),
                "{v}"
            );
        }
        assert_eq!(account_canonical("XX", "1", &json!({})), None);
        assert_eq!(account_canonical("CA", "1", &json!({})), None);
    }

    #[test]
    fn retail_participants_must_send_their_ids() {
        let settings = GatewaySettings {
            retail: true,
            ..GatewaySettings::default()
        };
        let (_, data) = parse(&serde_json::to_vec(&ca()).unwrap(), &settings).unwrap_err();
        for k in ["store_id", "terminal_id", "clerk_id"] {
            assert!(data[k].is_array());
        }
    }
}
