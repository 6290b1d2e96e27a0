//! The accounts of `/gateway/verify` and the hosted page: an account is
//! found by its token or tokenized (the same data gives the same token),
//! then checked that money can reach it now, and how.

use fundline_core::card::{CardExpiry, Pan};
use fundline_store::gateway as repo;
use serde_json::{json, Value};

use super::parse::{Recipient, Target, VerifyRequest};
use crate::cardnet::{AuthDecision, AuthRequest, AvsAddress, CardRef};
use crate::gateway::error::GatewayError;
use crate::gateway::issuer::{
    banking_today, biller_days, fits_pattern, payee_json, posting, AccountType, GatewaySettings,
    Limits, Posting,
};
use crate::AppState;

pub const TABLE: &str = "gw_accounts";

/// A verified account: its token and how money reaches it.
#[derive(Debug, Clone)]
pub struct Verified {
    pub token: String,
    pub last4: String,
    /// The second the account was verified (the answer's request_timestamp).
    pub now: i64,
    pub reach: Reach,
}

#[derive(Debug, Clone)]
pub enum Reach {
    /// CA, AC and BP: the one issuer, and (CA) the card's expiry as YYMM.
    Issuer {
        issuer: Issuer,
        expiration_date: Option<String>,
    },
    /// CK: when a check posts.
    Check(Posting),
}

/// Who holds the account and what it takes, as spec 002's `issuers` entry.
#[derive(Debug, Clone)]
pub struct Issuer {
    /// payee_id, payee_name, payee_address, payee_city, payee_state, payee_zip.
    pub payee: Value,
    pub issuing_network: &'static str,
    pub card_type: &'static str,
    pub posting: Posting,
    /// Push (credit) limits; `None`: not enabled.
    pub credit: Option<Limits>,
    /// Pull (debit) limits; `None`: not enabled.
    pub debit: Option<Limits>,
}

impl Issuer {
    fn new(
        settings: &GatewaySettings,
        t: AccountType,
        payee: Value,
        issuing_network: &'static str,
        card_type: &'static str,
        posting: Posting,
    ) -> Issuer {
        Issuer {
            payee,
            issuing_network,
            card_type,
            posting,
            credit: settings.credit_limits(t),
            debit: settings.debit_limits(t),
        }
    }
}

/// The payee of accounts that are not a biller's (cards, ACH).
fn no_payee(name: &str) -> Value {
    json!({"payee_id": "0", "payee_name": name, "payee_address": null, "payee_city": null,
           "payee_state": null, "payee_zip": null})
}

/// The normalized identity of an account and its recipient, whose keyed
/// fingerprint makes the token: the same data gives the same token.
pub(super) fn identity(t: &Target, account_type: AccountType) -> Option<(String, String, Value)> {
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
            account.as_str().to_string(),
            json!([routing.as_str()]),
            json!({"recipient": recipient, "routing_number": routing.as_str()}),
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

fn invalid_token() -> GatewayError {
    GatewayError::field(
        "customer_account_token",
        "The CustomerAccountToken is not valid.",
    )
}

fn unknown_payee() -> GatewayError {
    GatewayError::field("payee_id", "The PayeeId field does not name a known payee.")
}

/// A payee_id sent beside a bill-pay token must name a known payee, and the
/// token's: the token wins, so another payee would be silently ignored.
async fn token_payee_matches(
    state: &AppState,
    account: &repo::Account,
    payee_id: &str,
) -> Result<(), GatewayError> {
    if repo::biller(&state.store, payee_id).await?.is_none() {
        return Err(unknown_payee());
    }
    let details: Value = serde_json::from_str(&account.details_json).unwrap_or(Value::Null);
    if details["payee_id"].as_str() != Some(payee_id) {
        return Err(GatewayError::field(
            "payee_id",
            "The PayeeId field names another payee than the customer_account_token's; send one or the other.",
        ));
    }
    Ok(())
}

/// The account a request names: from its token, or tokenized now.
async fn find_or_tokenize(
    state: &AppState,
    tenant_id: &str,
    keys: &fundline_vault::TenantKeys,
    req: &VerifyRequest,
) -> Result<repo::Account, GatewayError> {
    if let Target::Token { token, payee_id } = &req.target {
        let a = repo::account_by_token(&state.store, tenant_id, token)
            .await?
            .filter(|a| a.account_type == req.account_type.code())
            .ok_or_else(invalid_token)?;
        if let Some(p) = payee_id {
            token_payee_matches(state, &a, p).await?;
        }
        return Ok(a);
    }
    let (number, canonical, details) =
        identity(&req.target, req.account_type).ok_or(GatewayError::Unavailable)?;
    let fp = keys.fingerprint(ACCOUNT_FP, &canonical);
    // The account may carry its fingerprint under any live version
    // (a fingerprint key rotation in progress).
    let fps = keys.fingerprints(ACCOUNT_FP, &canonical);
    if let Some(a) = repo::account_by_fp(&state.store, tenant_id, &fps).await? {
        return Ok(a);
    }
    let token = uuid::Uuid::new_v4().to_string();
    // Bound to the token's row: a number copied to another token does not open.
    let account_sealed = keys.seal_row(TABLE, "account", &token, number.as_bytes());
    let a = repo::Account {
        token,
        tenant_id: tenant_id.to_string(),
        account_type: req.account_type.code().into(),
        fp,
        account_sealed,
        last4: last4(&number),
        details_json: details.to_string(),
        created_at: state.clock.now_micros(),
    };
    match repo::tokenize(&state.store, a).await? {
        repo::Tokenized::New(a) => Ok(a),
        // A concurrent identical verify won: its token is ours.
        repo::Tokenized::Existing(a) => Ok(a),
    }
}

/// A tokenized account as verify reads it: its row, its details, and its
/// number (opened only when a rule needs it).
struct Stored<'a> {
    account: &'a repo::Account,
    details: Value,
    keys: &'a fundline_vault::TenantKeys,
}

impl Stored<'_> {
    fn number(&self) -> Result<fundline_vault::SecretString, fundline_vault::VaultError> {
        self.keys.open_string_row(
            TABLE,
            "account",
            &self.account.token,
            &self.account.account_sealed,
        )
    }
}

/// A card takes money when it is unexpired and its network approves it
/// (sandbox rules: docs/sandbox.md). `None`: not now.
async fn card_reach(
    state: &AppState,
    card: &Stored<'_>,
    settings: &GatewaySettings,
    today: chrono::NaiveDate,
) -> Result<Option<Reach>, GatewayError> {
    let expiry_yymm = card.details["expiration_date"].as_str().unwrap_or("");
    let Some(expiry) = CardExpiry::parse_yymm(expiry_yymm)
        .ok()
        .filter(|e| !e.is_expired(today))
    else {
        return Ok(None);
    };
    let number = card.number().map_err(|_| GatewayError::Unavailable)?;
    let Ok(pan) = Pan::parse(number.expose()) else {
        return Ok(None);
    };
    let r = &card.details["recipient"];
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
        return Ok(None);
    };
    let card_type = if program.issuer_type == 2 {
        "Prepaid"
    } else {
        "Debit"
    };
    Ok(Some(Reach::Issuer {
        issuer: Issuer::new(
            settings,
            AccountType::Ca,
            no_payee(&program.name),
            pan.network().name(),
            card_type,
            posting(AccountType::Ca, today, 0),
        ),
        expiration_date: Some(expiry_yymm.to_string()),
    }))
}

/// A biller account takes money when its biller is known and the number
/// fits the biller's pattern; it posts after the biller's days. `None`: not now.
async fn biller_reach(
    state: &AppState,
    account: &Stored<'_>,
    settings: &GatewaySettings,
    today: chrono::NaiveDate,
) -> Result<Option<Reach>, GatewayError> {
    let payee_id = account.details["payee_id"].as_str().unwrap_or("");
    let b = repo::biller(&state.store, payee_id)
        .await?
        .ok_or_else(unknown_payee)?;
    let number = account.number().ok();
    if !number.is_some_and(|n| fits_pattern(n.expose(), &b.account_pattern)) {
        return Ok(None);
    }
    Ok(Some(Reach::Issuer {
        issuer: Issuer::new(
            settings,
            AccountType::Bp,
            payee_json(&b),
            "NA",
            "NA",
            posting(AccountType::Bp, today, biller_days(b.posting_days)),
        ),
        expiration_date: None,
    }))
}

/// A bank account takes ACH the next banking day.
fn bank_reach(settings: &GatewaySettings, today: chrono::NaiveDate) -> Reach {
    Reach::Issuer {
        issuer: Issuer::new(
            settings,
            AccountType::Ac,
            no_payee("ACH"),
            "NA",
            "DDA",
            posting(AccountType::Ac, today, 1),
        ),
        expiration_date: None,
    }
}

/// Verify, shared by `/gateway/verify` and the hosted page: finds or
/// tokenizes the account, then checks money can reach it now and says how
/// (700 when it cannot).
pub async fn verify_account(
    state: &AppState,
    tenant_id: &str,
    req: &VerifyRequest,
    settings: &GatewaySettings,
) -> Result<Verified, GatewayError> {
    let now = state.clock.now().timestamp();
    let today = banking_today(state.clock.now());
    let keys = state.keyring.tenant(&state.store, tenant_id).await?;
    let account = find_or_tokenize(state, tenant_id, &keys, req).await?;
    let stored = Stored {
        account: &account,
        details: serde_json::from_str(&account.details_json).unwrap_or(Value::Null),
        keys: &keys,
    };
    let reach = match req.account_type {
        AccountType::Ca => card_reach(state, &stored, settings, today).await?,
        AccountType::Ac => Some(bank_reach(settings, today)),
        AccountType::Bp => biller_reach(state, &stored, settings, today).await?,
        AccountType::Ck => Some(Reach::Check(posting(AccountType::Ck, today, 0))),
    };
    let reach = reach.ok_or(GatewayError::NotAvailable { now })?;
    Ok(Verified {
        token: account.token,
        last4: account.last4,
        now,
        reach,
    })
}
