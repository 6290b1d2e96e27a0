//! The check cashing partner API's business rules, one function per method.
//! Each takes typed, validated input and answers a result or a `Problem`.

use fundline_core::card::Pan;
use fundline_store::checkcashing as repo;
use fundline_store::checkcashing::{Card, CARD_INVALID, CARD_VALID};
use fundline_vault::{hash_token, random_token, TenantKeys};
use uuid::Uuid;

use super::auth::Partner;
use super::parse::{self, CardDetails, CardNumber};
use super::problem::Problem;
use crate::cardnet::{AuthDecision, AuthRequest, AvsAddress, CardRef};
use crate::AppState;

pub const CUSTOMERS: &str = "cc_customers";
pub const CARDS: &str = "cc_cards";

async fn keys(state: &AppState, partner: &Partner) -> Result<std::sync::Arc<TenantKeys>, Problem> {
    Ok(state
        .keyring
        .tenant(&state.store, &partner.tenant_id)
        .await?)
}

/// The fingerprint domain of customer SSNs; the value fingerprinted is the
/// SSN's canonical nine digits, exactly what `ssn_sealed` holds.
pub(crate) const SSN_FP: &str = "ssn";
/// The domain of card data fingerprints (`data_fp`).
pub(crate) const CARD_DATA_FP: &str = "card-data";

/// The domain of a card number's fingerprint by card kind ("pan", "token").
pub(crate) fn card_number_fp_domain(kind: &str) -> String {
    format!("card-{kind}")
}

fn ssn_fp(keys: &TenantKeys, ssn: &fundline_core::ssn::Ssn) -> String {
    keys.fingerprint(SSN_FP, ssn.as_str())
}

/// The SSN's fingerprints under every live fingerprint key version.
fn ssn_fps(keys: &TenantKeys, ssn: &fundline_core::ssn::Ssn) -> Vec<String> {
    keys.fingerprints(SSN_FP, ssn.as_str())
}

pub async fn find_customer(
    state: &AppState,
    partner: &Partner,
    q: parse::FindCustomer,
) -> Result<String, Problem> {
    let keys = keys(state, partner).await?;
    let found =
        repo::find_customer_by_ssn(&state.store, &partner.tenant_id, &ssn_fps(&keys, &q.ssn))
            .await?;
    match found {
        Some(c) if c.date_of_birth == q.date_of_birth.format("%Y-%m-%d").to_string() => Ok(c.id),
        _ => Err(Problem::customer_not_found(
            "",
            "We're sorry, this customer was not found. Please check SSN and DOB and try again. (A172)",
        )),
    }
}

/// EnrollCustomer: a customer from a country OFAC screening blocks is
/// refused; an SSN or email already enrolled at this tenant is refused;
/// otherwise the customer is created, the SSN sealed and fingerprinted.
pub async fn enroll_customer(
    state: &AppState,
    partner: &Partner,
    cmd: parse::EnrollCustomer,
) -> Result<String, Problem> {
    if cmd
        .country_of_origin
        .as_deref()
        .is_some_and(|country| state.ofac.is_blocked(country))
    {
        tracing::warn!(tenant_id = %partner.tenant_id, "enrollment refused by OFAC screening");
        return Err(Problem::unprocessable(
            "",
            "Enrollment Refused",
            "We're sorry, this customer cannot be enrolled at this time.",
            "OFAC_SCREENING_FAILED",
        ));
    }
    let keys = keys(state, partner).await?;
    // While a fingerprint key rotation runs, the customer may carry the SSN's
    // fingerprint under an older version, which the unique index cannot see.
    if keys.live_fingerprint_versions().len() > 1
        && repo::find_customer_by_ssn(&state.store, &partner.tenant_id, &ssn_fps(&keys, &cmd.ssn))
            .await?
            .is_some()
    {
        return Err(ssn_taken());
    }
    let id = Uuid::new_v4().to_string();
    let customer = customer_row(&keys, partner, &id, cmd, state.clock.now_micros());
    match repo::insert_customer(&state.store, customer).await? {
        repo::NewCustomer::Created => Ok(id),
        repo::NewCustomer::SsnTaken => Err(ssn_taken()),
        repo::NewCustomer::EmailTaken => Err(Problem::unprocessable(
            "",
            "Customer Already Exists",
            "A customer with this email address is already enrolled. (A102)",
            "EMAIL_ALREADY_IN_USE",
        )),
    }
}

fn ssn_taken() -> Problem {
    Problem::unprocessable(
        "",
        "Customer Already Exists",
        "A customer with this SSN is already enrolled. (A101)",
        "SSN_ALREADY_IN_USE",
    )
}

/// The customer row of an enrollment: the SSN sealed to this row and
/// fingerprinted, the email lower-cased (it is unique per tenant).
fn customer_row(
    keys: &TenantKeys,
    partner: &Partner,
    id: &str,
    cmd: parse::EnrollCustomer,
    now: i64,
) -> repo::Customer {
    repo::Customer {
        id: id.into(),
        tenant_id: partner.tenant_id.clone(),
        ssn_fp: ssn_fp(keys, &cmd.ssn),
        ssn_sealed: keys.seal_row(CUSTOMERS, "ssn", id, cmd.ssn.as_str().as_bytes()),
        email: cmd.email.to_lowercase(),
        first_name: cmd.first_name,
        last_name: cmd.last_name,
        middle_initial: cmd.middle_initial,
        title: cmd.title,
        suffix: cmd.suffix,
        mobile_number: cmd.mobile_number,
        home_number: cmd.home_number,
        address_line1: cmd.address.line1,
        address_line2: cmd.address.line2,
        city: cmd.address.city,
        state: cmd.address.state,
        zip: cmd.address.zip,
        date_of_birth: cmd.date_of_birth.format("%Y-%m-%d").to_string(),
        country_of_origin: cmd.country_of_origin,
        gender: cmd.gender,
        allow_texts: cmd.allow_texts as i64,
        referrer_code: cmd.referrer_code,
        created_at: now,
    }
}

async fn customer(
    state: &AppState,
    partner: &Partner,
    id: Uuid,
    detail: &str,
) -> Result<repo::Customer, Problem> {
    repo::get_customer(&state.store, &partner.tenant_id, &id.to_string())
        .await?
        .ok_or_else(|| Problem::customer_not_found("", detail))
}

const CUSTOMER_MISSING: &str =
    "We're sorry, this customer was not found. Please check the customer ID and try again.";

pub async fn authenticate_obo(
    state: &AppState,
    partner: &Partner,
    customer_id: Uuid,
) -> Result<String, Problem> {
    let customer_id = customer_id.to_string();
    let cards = repo::customer_cards(&state.store, &partner.tenant_id, &customer_id, true).await?.ok_or_else(|| {
        Problem::customer_not_found(
            "",
            "Oops, your customer information does not exist in our service. Please check your login and try again. (A45)",
        )
    })?;
    if cards.is_empty() {
        return Err(Problem::unprocessable(
            "",
            "No linked account",
            "The customer does not have a linked account.",
            "NO_LINKED_ACCOUNT",
        ));
    }
    let token = random_token(48);
    let now = state.clock.now_micros();
    repo::insert_sso_token(
        &state.store,
        repo::SsoToken {
            token_hash: hash_token(&token),
            tenant_id: partner.tenant_id.clone(),
            customer_id,
            created_at: now,
            expires_at: now + state.config.sso_token_ttl.as_micros() as i64,
            consumed_at: None,
            preferred_email: None,
            card_filter: None,
        },
    )
    .await?;
    Ok(token)
}

pub async fn registered_cards(
    state: &AppState,
    partner: &Partner,
    customer_id: Uuid,
) -> Result<Vec<Card>, Problem> {
    repo::customer_cards(
        &state.store,
        &partner.tenant_id,
        &customer_id.to_string(),
        true,
    )
    .await?
    .ok_or_else(|| Problem::customer_not_found("", CUSTOMER_MISSING))
}

/// What AddOrUpdateCard decided.
pub enum CardOutcome {
    /// Same data as registered: nothing changed, nothing reauthorized.
    Unchanged(Card),
    /// New or changed data, authorized.
    Authorized(Card),
}

/// A card's data as its fingerprint (`data_fp`) sees it.
pub(crate) struct CardData<'a> {
    pub expiry_mmyy: &'a str,
    pub nickname: &'a str,
    pub name_on_card: &'a str,
    pub line1: &'a str,
    pub line2: &'a str,
    pub city: &'a str,
    pub state: &'a str,
    pub zip: &'a str,
    /// A tokenized card's BIN and last four ("" for a PAN, and last four ""
    /// when the partner sent none).
    pub bin: &'a str,
    pub last4: &'a str,
}

impl CardData<'_> {
    /// The canonical form of a card's data, whose keyed fingerprint tells
    /// "identical" from "changed" without keeping a second copy of the data.
    pub(crate) fn canonical(&self) -> String {
        serde_json::json!([
            self.expiry_mmyy,
            self.nickname,
            self.name_on_card,
            self.line1,
            self.line2,
            self.city,
            self.state,
            self.zip,
            self.bin,
            self.last4
        ])
        .to_string()
    }

    /// The card data of a stored card row (the re-fingerprint pass): the
    /// inverse of what `add_or_update_card` stores ("****" is the last
    /// four of a token sent without one).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn of_row<'a>(
        kind: &str,
        expiry_mmyy: &'a str,
        nickname: &'a str,
        name_on_card: Option<&'a str>,
        line1: &'a str,
        line2: &'a str,
        city: &'a str,
        state: &'a str,
        zip: &'a str,
        bin: &'a str,
        last4: &'a str,
    ) -> CardData<'a> {
        let token = kind == "token";
        CardData {
            expiry_mmyy,
            nickname,
            name_on_card: name_on_card.unwrap_or(""),
            line1,
            line2,
            city,
            state,
            zip,
            bin: if token { bin } else { "" },
            last4: if token && last4 != "****" { last4 } else { "" },
        }
    }
}

fn data_canonical(d: &CardDetails) -> String {
    let (bin, last4) = match &d.number {
        CardNumber::Pan(_) => ("", ""),
        CardNumber::Token { bin, last4, .. } => (bin.as_str(), last4.as_deref().unwrap_or("")),
    };
    let expiry = d.expiry.to_mmyy();
    CardData {
        expiry_mmyy: &expiry,
        nickname: &d.nickname,
        name_on_card: d.name_on_card.as_deref().unwrap_or(""),
        line1: &d.address.line1,
        line2: &d.address.line2,
        city: &d.address.city,
        state: &d.address.state,
        zip: &d.address.zip,
        bin,
        last4,
    }
    .canonical()
}

/// AddOrUpdateCard: a card already registered with the same data is
/// answered as it stands (no reauthorization); new or changed data is
/// authorized with the card network, and the card saved valid or invalid
/// by its answer.
pub async fn add_or_update_card(
    state: &AppState,
    partner: &Partner,
    d: CardDetails,
) -> Result<CardOutcome, Problem> {
    let keys = keys(state, partner).await?;
    let reg = Registration::new(&keys, partner, &d)?;
    let (on_file, existing) = repo::customer_and_live_card(
        &state.store,
        &partner.tenant_id,
        &reg.customer_id,
        reg.kind,
        &reg.number_fps,
    )
    .await?
    .ok_or_else(|| Problem::customer_not_found("", CUSTOMER_MISSING))?;
    if let Some(card) = existing
        .as_ref()
        .filter(|c| reg.same_data(&keys, &c.data_fp))
    {
        return unchanged(card.clone());
    }
    let decision = authorize(state, &reg, &on_file).await?;
    if matches!(decision, AuthDecision::NotAllowed) {
        return Err(Problem::unprocessable(
            "",
            "Error",
            "Sorry, the account you're attempting to register is not allowed in our network.(A275)",
            "BAD_REQUEST",
        ));
    }
    let now = state.clock.now_micros();
    let card = reg.card_row(&keys, &decision, existing.as_ref(), now)?;
    let previous_fp = existing.map(|k| k.data_fp);
    if let Some(winner) = save_card(state, &keys, &reg, card.clone(), previous_fp).await? {
        return unchanged(winner);
    }
    tracing::info!(tenant_id = %partner.tenant_id, card_id = %card.id, status = %card.status, "card authorized");
    match decision {
        AuthDecision::Declined { code } => Err(decline_problem(code.as_str(), code.message())),
        _ => Ok(CardOutcome::Authorized(card)),
    }
}

/// One AddOrUpdateCard request: its card number as the store keys it
/// (kind and fingerprints), and its data's fingerprint.
struct Registration<'a> {
    d: &'a CardDetails,
    tenant_id: &'a str,
    customer_id: String,
    /// "pan" or "token".
    kind: &'static str,
    /// The PAN or token, as sealed.
    number: &'a str,
    /// Parsed, for a PAN.
    pan: Option<Pan>,
    number_fp: String,
    /// The card is found under any live fingerprint version; an update
    /// rewrites both of its fingerprints under the newest.
    number_fps: Vec<String>,
    data: String,
    data_fp: String,
}

impl<'a> Registration<'a> {
    fn new(keys: &TenantKeys, partner: &'a Partner, d: &'a CardDetails) -> Result<Self, Problem> {
        let (kind, number, pan) = match &d.number {
            CardNumber::Pan(n) => match Pan::parse(n) {
                Ok(p) => ("pan", n.as_str(), Some(p)),
                Err(_) => {
                    return Err(Problem::unprocessable(
                        "",
                        "Invalid Card",
                        "The card number is not valid. Please check it and try again.",
                        "INVALID_CARD_NUMBER",
                    ))
                }
            },
            CardNumber::Token { token, .. } => ("token", token.as_str(), None),
        };
        let number_domain = card_number_fp_domain(kind);
        let data = data_canonical(d);
        Ok(Registration {
            d,
            tenant_id: &partner.tenant_id,
            customer_id: d.customer_id.to_string(),
            kind,
            number,
            number_fp: keys.fingerprint(&number_domain, number),
            number_fps: keys.fingerprints(&number_domain, number),
            pan,
            data_fp: keys.fingerprint(CARD_DATA_FP, &data),
            data,
        })
    }

    /// Whether a stored data fingerprint is of this request's data.
    fn same_data(&self, keys: &TenantKeys, stored: &str) -> bool {
        keys.fingerprint_matches(stored, CARD_DATA_FP, &self.data)
    }

    /// The card as the network is asked about it.
    fn card_ref(&self) -> Result<CardRef<'_>, Problem> {
        match (&self.pan, &self.d.number) {
            (Some(p), _) => Ok(CardRef::Pan(p)),
            (None, CardNumber::Token { bin, last4, .. }) => Ok(CardRef::Token {
                bin,
                last4: last4.as_deref(),
            }),
            (None, CardNumber::Pan(_)) => Err(Problem::internal("")),
        }
    }

    /// What the card shows of its number; "****" is the last four of a
    /// token sent without one.
    fn bin_last4(&self) -> Result<(String, String), Problem> {
        Ok(match &self.d.number {
            CardNumber::Pan(_) => {
                let p = self.pan.as_ref().ok_or_else(|| Problem::internal(""))?;
                (p.bin(6).to_string(), p.last4().to_string())
            }
            CardNumber::Token { bin, last4, .. } => {
                (bin.clone(), last4.clone().unwrap_or_else(|| "****".into()))
            }
        })
    }

    /// The card row to save: the request's data, the network's decision,
    /// and, updating `keep`, its id, creation time and (when the network
    /// named no program) its program.
    fn card_row(
        &self,
        keys: &TenantKeys,
        decision: &AuthDecision,
        keep: Option<&Card>,
        now: i64,
    ) -> Result<Card, Problem> {
        let d = self.d;
        let program = match decision {
            AuthDecision::Approved(p) => Some(p),
            _ => None,
        };
        let (bin, last4) = self.bin_last4()?;
        let card_id = keep
            .map(|k| k.id.clone())
            .unwrap_or_else(|| Uuid::new_v4().to_string());
        // Bound to the card's row: a number copied to another card does not open.
        let number_sealed = keys.seal_row(CARDS, "number", &card_id, self.number.as_bytes());
        Ok(Card {
            id: card_id,
            tenant_id: self.tenant_id.to_string(),
            customer_id: self.customer_id.clone(),
            kind: self.kind.into(),
            number_fp: self.number_fp.clone(),
            number_sealed,
            bin,
            last4,
            data_fp: self.data_fp.clone(),
            expiration_mmyy: d.expiry.to_mmyy(),
            nickname: d.nickname.clone(),
            name_on_card: d.name_on_card.clone(),
            address_line1: d.address.line1.clone(),
            address_line2: d.address.line2.clone(),
            city: d.address.city.clone(),
            state: d.address.state.clone(),
            zip: d.address.zip.clone(),
            status: if program.is_some() {
                CARD_VALID
            } else {
                CARD_INVALID
            }
            .into(),
            decline_code: match decision {
                AuthDecision::Declined { code } => Some(code.as_str().into()),
                _ => None,
            },
            program_name: program
                .map(|p| p.name.clone())
                .or(keep.map(|k| k.program_name.clone()))
                .unwrap_or_default(),
            program_phone: program
                .map(|p| p.phone.clone())
                .or(keep.map(|k| k.program_phone.clone()))
                .unwrap_or_default(),
            issuer_type: program
                .map(|p| p.issuer_type)
                .or(keep.map(|k| k.issuer_type))
                .unwrap_or(0),
            min_cents: program.map(|p| p.min_load_cents).unwrap_or(0),
            max_cents: program.map(|p| p.max_load_cents).unwrap_or(0),
            terms_id: program.map(|p| p.terms_id.clone()).unwrap_or_default(),
            show_terms: program.map(|p| p.show_terms as i64).unwrap_or(0),
            authorized_at: program.map(|_| now),
            created_at: keep.map(|k| k.created_at).unwrap_or(now),
            updated_at: now,
            deleted_at: None,
        })
    }
}

/// Ask the card network about the card, its billing address checked
/// against the one on file (AVS).
async fn authorize(
    state: &AppState,
    reg: &Registration<'_>,
    on_file: &repo::AddressOnFile,
) -> Result<AuthDecision, Problem> {
    let d = reg.d;
    Ok(state
        .cardnet
        .authorize(AuthRequest {
            card: reg.card_ref()?,
            expiry: d.expiry,
            billing: AvsAddress {
                line1: &d.address.line1,
                zip: &d.address.zip,
            },
            on_file: AvsAddress {
                line1: &on_file.line1,
                zip: &on_file.zip,
            },
            today: state.clock.now().date_naive(),
        })
        .await)
}

/// Save the card unless another request changed it first (its data
/// fingerprint is no longer `previous_fp`). Lost a race with a concurrent
/// identical registration or update: Some(what won), if it carries the
/// same data; a conflict otherwise.
async fn save_card(
    state: &AppState,
    keys: &TenantKeys,
    reg: &Registration<'_>,
    card: Card,
    previous_fp: Option<String>,
) -> Result<Option<Card>, Problem> {
    match repo::save_card(&state.store, card, previous_fp).await {
        Ok(true) => Ok(None),
        Ok(false) | Err(fundline_store::StoreError::Unique(_)) => {
            let now_card = repo::find_live_card(
                &state.store,
                reg.tenant_id,
                &reg.customer_id,
                reg.kind,
                &reg.number_fps,
            )
            .await?;
            match now_card {
                Some(w) if reg.same_data(keys, &w.data_fp) => Ok(Some(w)),
                _ => Err(Problem::unprocessable(
                    "",
                    "Conflict",
                    "The card was changed by another request. Please try again.",
                    "CONCURRENT_UPDATE",
                )),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn unchanged(card: Card) -> Result<CardOutcome, Problem> {
    if card.status == CARD_VALID {
        return Ok(CardOutcome::Unchanged(card));
    }
    // Identical data to a card that failed authorization: no reauthorization,
    // the same answer as before.
    let code = card
        .decline_code
        .clone()
        .unwrap_or_else(|| "DO_NOT_HONOR".into());
    Err(decline_problem(
        &code,
        "The card failed authorization and is marked invalid.",
    ))
}

fn decline_problem(code: &str, message: &str) -> Problem {
    let code: &'static str = match code {
        "EXPIRED_CARD" => "EXPIRED_CARD",
        "AVS_MISMATCH" => "AVS_MISMATCH",
        "ISSUER_UNAVAILABLE" => "ISSUER_UNAVAILABLE",
        "INVALID_CARD_NUMBER" => "INVALID_CARD_NUMBER",
        _ => "CARD_DECLINED",
    };
    Problem::unprocessable(
        "",
        "Card Authorization Failed",
        format!("{message} The card is marked invalid."),
        code,
    )
}

pub async fn delete_card(
    state: &AppState,
    partner: &Partner,
    cmd: parse::DeleteCard,
) -> Result<(), Problem> {
    let c = customer(state, partner, cmd.customer_id, CUSTOMER_MISSING).await?;
    let deleted = repo::delete_card(
        &state.store,
        partner.tenant_id.clone(),
        c.id,
        cmd.card_id.to_string(),
        state.clock.now_micros(),
    )
    .await?;
    if deleted {
        Ok(())
    } else {
        Err(Problem::unprocessable(
            "",
            "Card Not Found",
            "The card was not found for this customer.",
            "CARD_NOT_FOUND",
        ))
    }
}

pub async fn transaction_history(
    state: &AppState,
    partner: &Partner,
    q: parse::HistoryQuery,
) -> Result<repo::HistoryPage, Problem> {
    let c = customer(state, partner, q.customer_id, CUSTOMER_MISSING).await?;
    let account = q.account_id.map(|a| a.to_string());
    let reference = q.paging_reference.map(|r| r.to_string());
    let start = match &reference {
        Some(r) => repo::PageStart::At(r),
        None => repo::PageStart::Newest,
    };
    repo::transaction_history(
        &state.store,
        &partner.tenant_id,
        &c.id,
        account.as_deref(),
        start,
        q.page_size,
    )
    .await?
    .ok_or_else(|| {
        Problem::invalid(
            "",
            "query.pagingTransactionReferenceNumber",
            super::input::NOT_VALID,
        )
    })
}

pub async fn add_customer_attributes(
    state: &AppState,
    partner: &Partner,
    cmd: parse::CustomerAttributes,
) -> Result<(), Problem> {
    let keys = keys(state, partner).await?;
    // CustomerId and SSN must name the same customer; a mismatch reads as not
    // found, so the call cannot be used to test SSNs against customer ids.
    let c = repo::get_customer(
        &state.store,
        &partner.tenant_id,
        &cmd.customer_id.to_string(),
    )
    .await?
    .filter(|c| keys.fingerprint_matches(&c.ssn_fp, SSN_FP, cmd.ssn.as_str()))
    .ok_or_else(|| {
        Problem::customer_not_found(
            "",
            "We're sorry, no customer matches this CustomerId and SSN.",
        )
    })?;
    repo::upsert_attributes(
        &state.store,
        partner.tenant_id.clone(),
        c.id,
        cmd.attributes,
        state.clock.now_micros(),
    )
    .await?;
    Ok(())
}

fn invalid_information(fields: &[&str]) -> Problem {
    Problem::unprocessable(
        "",
        "Invalid Information",
        format!(
            "Oops, there was a problem with your request. The following field(s) are invalid : {}. Please check the values on the screen and try again.",
            fields.join(", ")
        ),
        "INVALID_INFORMATION",
    )
}

/// AddSessionAttributes: a live SSO token gets the customer's preferred
/// email and the cards its check session may use (by card id or by card
/// number; not both).
pub async fn add_session_attributes(
    state: &AppState,
    partner: &Partner,
    cmd: parse::SessionAttributes,
) -> Result<(), Problem> {
    let now = state.clock.now_micros();
    let token_hash = hash_token(&cmd.sso_token);
    let sso = repo::get_sso_token(&state.store, &partner.tenant_id, &token_hash)
        .await?
        .filter(|t| t.consumed_at.is_none() && t.expires_at > now)
        .ok_or_else(|| invalid_information(&["SsoToken"]))?;
    let mut bad = Vec::new();
    if cmd.account_id_filter.is_some() && cmd.account_number_filter.is_some() {
        bad.extend(["AccountIdFilter", "AccountNumberFilter"]);
    }
    let email = preferred_email(cmd.preferred_email.as_deref(), &mut bad);
    if !bad.is_empty() {
        return Err(invalid_information(&bad));
    }
    let cards = repo::list_cards(&state.store, &partner.tenant_id, &sso.customer_id, true).await?;
    let filter = if let Some(ids) = &cmd.account_id_filter {
        Some(cards_by_id(ids, &cards)?)
    } else if let Some(numbers) = &cmd.account_number_filter {
        let keys = keys(state, partner).await?;
        Some(cards_by_number(&keys, numbers, &cards)?)
    } else {
        None
    };
    // A list with no identifier in it (" , ") is no value: spec 000 says
    // that shows every card, not none.
    let filter = filter.filter(|ids| !ids.is_empty()).map(|mut ids| {
        ids.sort();
        ids.dedup();
        ids.join(",")
    });
    let ok = repo::set_sso_attributes(
        &state.store,
        partner.tenant_id.clone(),
        token_hash,
        email,
        filter,
        now,
    )
    .await?;
    if !ok {
        return Err(invalid_information(&["SsoToken"]));
    }
    Ok(())
}

/// The preferred email, normalised; at most 100 characters.
fn preferred_email(email: Option<&str>, bad: &mut Vec<&str>) -> Option<String> {
    let e = email?;
    match fundline_core::contact::normalize_email(e) {
        Some(n) if n.len() <= 100 => Some(n),
        _ => {
            bad.push("PreferredEmail");
            None
        }
    }
}

/// The comma-separated identifiers of a filter, blanks skipped.
fn filter_items(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// AccountIdFilter: each id must be one of the customer's cards.
fn cards_by_id(ids: &str, cards: &[Card]) -> Result<Vec<String>, Problem> {
    filter_items(ids)
        .map(|id| {
            super::input::parse_guid(id)
                .and_then(|u| cards.iter().find(|c| c.id == u.to_string()))
                .map(|card| card.id.clone())
                .ok_or_else(|| invalid_information(&["AccountIdFilter"]))
        })
        .collect()
}

/// AccountNumberFilter: each number must be one of the customer's cards,
/// under every live fingerprint version, as a PAN or a token.
fn cards_by_number(
    keys: &TenantKeys,
    numbers: &str,
    cards: &[Card],
) -> Result<Vec<String>, Problem> {
    filter_items(numbers)
        .map(|n| {
            let mut fps = keys.fingerprints(&card_number_fp_domain("pan"), n);
            fps.extend(keys.fingerprints(&card_number_fp_domain("token"), n));
            cards
                .iter()
                .find(|c| fps.contains(&c.number_fp))
                .map(|card| card.id.clone())
                .ok_or_else(|| invalid_information(&["AccountNumberFilter"]))
        })
        .collect()
}
