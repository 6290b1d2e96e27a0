//! The non-card token groups of spec 003: SEPA direct debit (770, with its
//! mandate), non-SEPA direct debit (705 UK, 730 ACH) and eWallet (840
//! PayPal). Field names and nesting as the official SDKs send them.

use fundline_core::iban::normalize_iban;
use fundline_core::routing::valid_aba_routing;
use fundline_vault::mask_keep_last;
use serde_json::{json, Map, Value};

use super::error::{invalid, missing, ApiError, ConnectError};
use super::tokens::{check_customer, strip_nulls, text, TokenInput};

fn object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
    required: bool,
    errors: &mut Vec<ApiError>,
) -> Option<&'a Map<String, Value>> {
    match obj.get(key) {
        Some(Value::Object(m)) => Some(m),
        None | Some(Value::Null) => {
            if required {
                errors.push(missing(path));
            }
            None
        }
        Some(_) => {
            errors.push(invalid(path, "must be an object"));
            None
        }
    }
}

fn product(obj: &Map<String, Value>, allowed: &[i64], errors: &mut Vec<ApiError>) -> Option<i64> {
    match obj.get("paymentProductId").and_then(Value::as_i64) {
        Some(p) if allowed.contains(&p) => Some(p),
        Some(_) => {
            errors.push(invalid(
                "paymentProductId",
                &format!("must be one of {allowed:?} for this group"),
            ));
            None
        }
        None => {
            errors.push(missing("paymentProductId"));
            None
        }
    }
}

fn required_text(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
    errors: &mut Vec<ApiError>,
) -> Option<String> {
    let before = errors.len();
    let v = text(obj, key, path, max, errors)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if v.is_none() && errors.len() == before {
        errors.push(missing(path));
    }
    v
}

fn yyyymmdd(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    errors: &mut Vec<ApiError>,
) -> Option<String> {
    let v = text(obj, key, path, 8, errors)?;
    if !super::tokens::is_yyyymmdd(v) {
        errors.push(invalid(path, "format YYYYMMDD"));
        return None;
    }
    Some(v.to_string())
}

fn boolean(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    errors: &mut Vec<ApiError>,
) -> Option<bool> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errors.push(invalid(path, "must be true or false"));
            None
        }
    }
}

/// Spec 003 marks `customer` required for the SEPA, non-SEPA and eWallet
/// groups (a mandate needs its debtor's details); cards may omit it.
fn customer(group: &Map<String, Value>, prefix: &str, errors: &mut Vec<ApiError>) -> Option<Value> {
    let c = object(
        group,
        "customer",
        &format!("{prefix}.customer"),
        true,
        errors,
    )?;
    check_customer(c, &format!("{prefix}.customer"), errors);
    Some(strip_nulls(Value::Object(c.clone())))
}

fn done(errors: Vec<ApiError>) -> Result<(), ConnectError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ConnectError::validation(errors))
    }
}

/// The mandate approval block (also the body of approvesepadirectdebit).
pub fn approval(v: &Value, prefix: &str) -> Result<Value, ConnectError> {
    let Value::Object(a) = v else {
        return Err(ConnectError::validation(vec![invalid(
            prefix,
            "must be an object",
        )]));
    };
    let mut errors = Vec::new();
    let p = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    let date = yyyymmdd(
        a,
        "mandateSignatureDate",
        &p("mandateSignatureDate"),
        &mut errors,
    );
    let place = text(
        a,
        "mandateSignaturePlace",
        &p("mandateSignaturePlace"),
        51,
        &mut errors,
    )
    .map(str::to_string);
    let signed = boolean(a, "mandateSigned", &p("mandateSigned"), &mut errors);
    done(errors)?;
    Ok(strip_nulls(
        json!({"mandateSignatureDate": date, "mandateSignaturePlace": place, "mandateSigned": signed}),
    ))
}

/// The parts every non-card group shares: its object, alias and customer.
struct Group<'a> {
    g: &'a Map<String, Value>,
    alias: Option<String>,
    customer: Option<Value>,
}

/// The group `name` of the request; not an object answers that alone.
fn group<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    errors: &mut Vec<ApiError>,
) -> Result<Group<'a>, ConnectError> {
    let g = obj
        .get(name)
        .and_then(Value::as_object)
        .ok_or_else(|| ConnectError::validation(vec![invalid(name, "must be an object")]))?;
    let alias = text(g, "alias", &format!("{name}.alias"), 100, errors).map(str::to_string);
    let customer = customer(g, name, errors);
    Ok(Group { g, alias, customer })
}

impl Group<'_> {
    /// The token object GET answers: the alias (by default the masked
    /// number), the group's own block under `key`, and the customer.
    fn view(self, default_alias: impl FnOnce() -> String, key: &str, block: Value) -> Value {
        let mut view = json!({"alias": self.alias.unwrap_or_else(default_alias)});
        view[key] = block;
        if let Some(c) = self.customer {
            view["customer"] = c;
        }
        view
    }
}

/// 770: a mandate with the debtor's IBAN. The IBAN identifies the token; the
/// mandate is usable once signed (in the request) or approved (later call).
pub(super) fn sepa(obj: &Map<String, Value>) -> Result<TokenInput, ConnectError> {
    let mut errors = Vec::new();
    let product = product(obj, &[770], &mut errors);
    let group = group(obj, "sepaDirectDebit", &mut errors)?;
    let mandate = object(
        group.g,
        "mandate",
        "sepaDirectDebit.mandate",
        true,
        &mut errors,
    )
    .map(|m| sepa_mandate(m, "sepaDirectDebit.mandate", &mut errors));
    done(errors)?;
    let (Some(product), Some((Some(iban), mut mandate_view, signed))) = (product, mandate) else {
        return Err(ConnectError::validation(vec![missing(
            "sepaDirectDebit.mandate",
        )]));
    };
    // The mandate reference (SEPA's "unique mandate reference", at most 35
    // characters); an update keeps the token's first one.
    mandate_view["mandateId"] = json!(format!(
        "FL{}",
        uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .to_ascii_uppercase()
    ));
    let view = group.view(|| mask_keep_last(&iban, 4), "mandate", mandate_view);
    Ok(TokenInput {
        product,
        kind: "sepaDirectDebit",
        number: iban,
        view,
        mandate_status: Some(if signed { "APPROVED" } else { "UNAPPROVED" }),
    })
}

/// A SEPA mandate: the debtor's IBAN (None when in error), the mandate as
/// GET shows it (the IBAN masked), and whether it comes signed.
fn sepa_mandate(
    m: &Map<String, Value>,
    p: &str,
    errors: &mut Vec<ApiError>,
) -> (Option<String>, Value, bool) {
    let mut view = json!({});
    let mut signed = false;
    let iban = object(
        m,
        "bankAccountIban",
        &format!("{p}.bankAccountIban"),
        true,
        errors,
    )
    .and_then(|acct| {
        let (iban, account_view) = iban_account(acct, &format!("{p}.bankAccountIban"), errors);
        view["bankAccountIban"] = account_view?;
        iban
    });
    copy_text(m, "customerContractIdentifier", 35, p, &mut view, errors);
    if let Some(d) = object(m, "debtor", &format!("{p}.debtor"), false, errors) {
        check_debtor(d, &format!("{p}.debtor"), errors);
        view["debtor"] = strip_nulls(Value::Object(d.clone()));
    }
    if let Some(r) = boolean(m, "isRecurring", &format!("{p}.isRecurring"), errors) {
        view["isRecurring"] = json!(r);
    }
    if let Some(a) = m.get("mandateApproval").filter(|v| !v.is_null()) {
        match approval(a, &format!("{p}.mandateApproval")) {
            Ok(v) => {
                signed =
                    v["mandateSigned"] == json!(true) && v.get("mandateSignatureDate").is_some();
                view["mandateApproval"] = v;
            }
            Err(e) => errors.extend(e.errors),
        }
    }
    copy_text(m, "preNotification", 100, p, &mut view, errors);
    (iban, view, signed)
}

/// An optional string of the mandate, shown as sent when valid.
fn copy_text(
    m: &Map<String, Value>,
    key: &str,
    max: usize,
    p: &str,
    view: &mut Value,
    errors: &mut Vec<ApiError>,
) {
    if let Some(v) = text(m, key, &format!("{p}.{key}"), max, errors) {
        view[key] = json!(v);
    }
}

/// `bankAccountIban`: the IBAN normalised, and the account as GET shows it
/// (the IBAN masked); both None when the IBAN is in error.
fn iban_account(
    acct: &Map<String, Value>,
    p: &str,
    errors: &mut Vec<ApiError>,
) -> (Option<String>, Option<Value>) {
    let holder = text(
        acct,
        "accountHolderName",
        &format!("{p}.accountHolderName"),
        30,
        errors,
    );
    let iban = required_text(acct, "iban", &format!("{p}.iban"), 50, errors).and_then(|i| {
        let n = normalize_iban(&i);
        if n.is_none() {
            errors.push(invalid(
                &format!("{p}.iban"),
                "not a valid IBAN (country length and mod 97)",
            ));
        }
        n
    });
    let view = iban
        .as_ref()
        .map(|i| strip_nulls(json!({"accountHolderName": holder, "iban": mask_keep_last(i, 4)})));
    (iban, view)
}

/// Every string of a mandate's debtor, with the spec's maximum lengths.
fn check_debtor(d: &Map<String, Value>, p: &str, errors: &mut Vec<ApiError>) {
    for (k, max) in [
        ("additionalAddressInfo", 50),
        ("city", 51),
        ("countryCode", 2),
        ("firstName", 15),
        ("houseNumber", 15),
        ("state", 35),
        ("stateCode", 9),
        ("street", 50),
        ("surname", 70),
        ("surnamePrefix", 15),
        ("zip", 10),
    ] {
        text(d, k, &format!("{p}.{k}"), max, errors);
    }
}

fn bban(
    m: &Map<String, Value>,
    path: &str,
    errors: &mut Vec<ApiError>,
) -> Option<(Map<String, Value>, String, String)> {
    let b = object(m, "bankAccountBban", path, true, errors)?;
    let number = required_text(
        b,
        "accountNumber",
        &format!("{path}.accountNumber"),
        30,
        errors,
    );
    let code = required_text(b, "bankCode", &format!("{path}.bankCode"), 15, errors);
    for (k, max) in [
        ("accountHolderName", 30),
        ("bankName", 40),
        ("branchCode", 15),
        ("checkDigit", 2),
        ("countryCode", 2),
    ] {
        text(b, k, &format!("{path}.{k}"), max, errors);
    }
    Some((b.clone(), number?, code?))
}

/// A BBAN's national rules, by the account's country: GB (the default when
/// no country is given) a 6-digit sort code and an 8-digit account; IT the
/// ABI (5 digits), CAB (5 digits), CIN (one letter) and a 12-character
/// account, as spec 003's own 705 example sends; any other country an
/// alphanumeric bank code and account within the field lengths.
fn bban_rules(
    country: &str,
    b: &Map<String, Value>,
    number: &str,
    code: &str,
    path: &str,
) -> Vec<ApiError> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|c| c.is_ascii_digit());
    let alnum = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric());
    let field = |k: &str| b.get(k).and_then(Value::as_str).map(str::trim);
    let mut errors = Vec::new();
    let mut check = |ok: bool, k: &str, why: &str| {
        if !ok {
            errors.push(invalid(&format!("{path}.{k}"), why));
        }
    };
    match country {
        "GB" => {
            check(
                digits(number, 8),
                "accountNumber",
                "a UK account number has 8 digits",
            );
            check(digits(code, 6), "bankCode", "a UK sort code has 6 digits");
        }
        "IT" => {
            check(
                number.len() == 12 && alnum(number),
                "accountNumber",
                "an Italian account number has 12 letters or digits",
            );
            check(
                digits(code, 5),
                "bankCode",
                "an Italian ABI code has 5 digits",
            );
            if let Some(branch) = field("branchCode") {
                check(
                    digits(branch, 5),
                    "branchCode",
                    "an Italian CAB code has 5 digits",
                );
            }
            if let Some(cin) = field("checkDigit") {
                check(
                    cin.len() == 1 && cin.bytes().all(|c| c.is_ascii_alphabetic()),
                    "checkDigit",
                    "an Italian CIN is one letter",
                );
            }
        }
        c if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
            check(alnum(number), "accountNumber", "letters and digits only");
            check(alnum(code), "bankCode", "letters and digits only");
        }
        _ => check(false, "countryCode", "an ISO 3166-1 alpha-2 country code"),
    }
    errors
}

/// 705 (UK direct debit: authorisationId, BBAN with sort code) and 730 (ACH:
/// account number and ABA routing number). Account plus bank code identify the token.
pub(super) fn non_sepa(obj: &Map<String, Value>) -> Result<TokenInput, ConnectError> {
    let mut errors = Vec::new();
    let product = product(obj, &[705, 730], &mut errors);
    let group = group(obj, "nonSepaDirectDebit", &mut errors)?;
    let p = "nonSepaDirectDebit.mandate";
    let mandate = object(group.g, "mandate", p, true, &mut errors).and_then(|m| match product {
        Some(705) => uk_mandate(m, p, &mut errors),
        Some(730) => ach_mandate(m, p, &mut errors),
        _ => None,
    });
    done(errors)?;
    let (Some(product), Some((mandate_view, identity))) = (product, mandate) else {
        return Err(ConnectError::validation(vec![missing(
            "nonSepaDirectDebit.mandate",
        )]));
    };
    let last4 = identity
        .rsplit('|')
        .next()
        .map(|n| mask_keep_last(n, 4))
        .unwrap_or_default();
    let view = group.view(|| last4, "mandate", mandate_view);
    Ok(TokenInput {
        product,
        kind: "nonSepaDirectDebit",
        number: identity,
        view,
        mandate_status: None,
    })
}

/// 705: the mandate as GET shows it (the account masked), and the token's
/// identity: the account's country, bank code and number.
fn uk_mandate(
    m: &Map<String, Value>,
    p: &str,
    errors: &mut Vec<ApiError>,
) -> Option<(Value, String)> {
    let q = format!("{p}.paymentProduct705SpecificData");
    let d = object(m, "paymentProduct705SpecificData", &q, true, errors)?;
    let auth = required_text(
        d,
        "authorisationId",
        &format!("{q}.authorisationId"),
        18,
        errors,
    );
    let path = format!("{q}.bankAccountBban");
    let (mut b, number, code) = bban(d, &path, errors)?;
    let country = b
        .get("countryCode")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase)
        .unwrap_or_else(|| "GB".into());
    errors.extend(bban_rules(&country, &b, &number, &code, &path));
    b.insert("accountNumber".into(), json!(mask_keep_last(&number, 4)));
    let view = json!({"paymentProduct705SpecificData": {"authorisationId": auth, "bankAccountBban": strip_nulls(Value::Object(b))}});
    // UK identities keep their original form (tokens made before
    // other countries were served still match).
    let identity = if country == "GB" {
        format!("705|{code}|{number}")
    } else {
        format!("705|{country}|{code}|{number}")
    };
    Some((view, identity))
}

/// 730: the mandate as GET shows it (the account masked), and the token's
/// identity: the ABA routing number and account number.
fn ach_mandate(
    m: &Map<String, Value>,
    p: &str,
    errors: &mut Vec<ApiError>,
) -> Option<(Value, String)> {
    let q = format!("{p}.paymentProduct730SpecificData");
    let d = object(m, "paymentProduct730SpecificData", &q, true, errors)?;
    let (mut b, number, code) = bban(d, &format!("{q}.bankAccountBban"), errors)?;
    if !((4..=17).contains(&number.len()) && number.bytes().all(|c| c.is_ascii_digit())) {
        errors.push(invalid(
            &format!("{q}.bankAccountBban.accountNumber"),
            "an ACH account number has 4 to 17 digits",
        ));
    }
    if !valid_aba_routing(&code) {
        errors.push(invalid(
            &format!("{q}.bankAccountBban.bankCode"),
            "not a valid ABA routing number",
        ));
    }
    b.insert("accountNumber".into(), json!(mask_keep_last(&number, 4)));
    let view = json!({"paymentProduct730SpecificData": {"bankAccountBban": strip_nulls(Value::Object(b))}});
    Some((view, format!("730|{code}|{number}")))
}

/// 840: a PayPal billing agreement.
pub(super) fn e_wallet(obj: &Map<String, Value>) -> Result<TokenInput, ConnectError> {
    let mut errors = Vec::new();
    let product = product(obj, &[840], &mut errors);
    let group = group(obj, "eWallet", &mut errors)?;
    let agreement = object(group.g, "data", "eWallet.data", true, &mut errors).and_then(|d| {
        required_text(
            d,
            "billingAgreementId",
            "eWallet.data.billingAgreementId",
            50,
            &mut errors,
        )
    });
    done(errors)?;
    let (Some(product), Some(agreement)) = (product, agreement) else {
        return Err(ConnectError::validation(vec![missing(
            "eWallet.data.billingAgreementId",
        )]));
    };
    let masked = mask_keep_last(&agreement, 4);
    let view = group.view(
        || masked.clone(),
        "data",
        json!({"billingAgreementId": masked}),
    );
    Ok(TokenInput {
        product,
        kind: "eWallet",
        number: agreement,
        view,
        mandate_status: None,
    })
}
