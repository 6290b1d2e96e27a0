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
    if chrono::NaiveDate::parse_from_str(v, "%Y%m%d").is_err() {
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

fn customer(group: &Map<String, Value>, prefix: &str, errors: &mut Vec<ApiError>) -> Option<Value> {
    let c = object(
        group,
        "customer",
        &format!("{prefix}.customer"),
        false,
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

/// 770: a mandate with the debtor's IBAN. The IBAN identifies the token; the
/// mandate is usable once signed (in the request) or approved (later call).
pub(super) fn sepa(obj: &Map<String, Value>) -> Result<TokenInput, ConnectError> {
    let mut errors = Vec::new();
    let product = product(obj, &[770], &mut errors);
    let g = obj
        .get("sepaDirectDebit")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ConnectError::validation(vec![invalid("sepaDirectDebit", "must be an object")])
        })?;
    let alias = text(g, "alias", "sepaDirectDebit.alias", 100, &mut errors).map(str::to_string);
    let customer = customer(g, "sepaDirectDebit", &mut errors);
    let mut iban = None;
    let mut mandate_view = json!({});
    let mut signed = false;
    if let Some(m) = object(g, "mandate", "sepaDirectDebit.mandate", true, &mut errors) {
        let p = "sepaDirectDebit.mandate";
        if let Some(acct) = object(
            m,
            "bankAccountIban",
            &format!("{p}.bankAccountIban"),
            true,
            &mut errors,
        ) {
            let holder = text(
                acct,
                "accountHolderName",
                &format!("{p}.bankAccountIban.accountHolderName"),
                30,
                &mut errors,
            );
            iban = required_text(
                acct,
                "iban",
                &format!("{p}.bankAccountIban.iban"),
                50,
                &mut errors,
            )
            .and_then(|i| {
                let n = normalize_iban(&i);
                if n.is_none() {
                    errors.push(invalid(
                        &format!("{p}.bankAccountIban.iban"),
                        "not a valid IBAN (country length and mod 97)",
                    ));
                }
                n
            });
            if let Some(i) = &iban {
                mandate_view["bankAccountIban"] =
                    strip_nulls(json!({"accountHolderName": holder, "iban": mask_keep_last(i, 4)}));
            }
        }
        if let Some(v) = text(
            m,
            "customerContractIdentifier",
            &format!("{p}.customerContractIdentifier"),
            35,
            &mut errors,
        ) {
            mandate_view["customerContractIdentifier"] = json!(v);
        }
        if let Some(d) = object(m, "debtor", &format!("{p}.debtor"), false, &mut errors) {
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
                text(d, k, &format!("{p}.debtor.{k}"), max, &mut errors);
            }
            mandate_view["debtor"] = strip_nulls(Value::Object(d.clone()));
        }
        if let Some(r) = boolean(m, "isRecurring", &format!("{p}.isRecurring"), &mut errors) {
            mandate_view["isRecurring"] = json!(r);
        }
        if let Some(a) = m.get("mandateApproval").filter(|v| !v.is_null()) {
            match approval(a, &format!("{p}.mandateApproval")) {
                Ok(v) => {
                    signed = v["mandateSigned"] == json!(true)
                        && v.get("mandateSignatureDate").is_some();
                    mandate_view["mandateApproval"] = v;
                }
                Err(e) => errors.extend(e.errors),
            }
        }
        if let Some(pn) = text(
            m,
            "preNotification",
            &format!("{p}.preNotification"),
            100,
            &mut errors,
        ) {
            mandate_view["preNotification"] = json!(pn);
        }
    }
    done(errors)?;
    let (Some(product), Some(iban)) = (product, iban) else {
        return Err(ConnectError::validation(vec![missing(
            "sepaDirectDebit.mandate",
        )]));
    };
    let mut view = json!({"alias": alias.unwrap_or_else(|| mask_keep_last(&iban, 4)), "mandate": mandate_view});
    if let Some(c) = customer {
        view["customer"] = c;
    }
    Ok(TokenInput {
        product,
        kind: "sepaDirectDebit",
        number: iban,
        view,
        mandate_status: Some(if signed { "APPROVED" } else { "UNAPPROVED" }),
    })
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
        ("bankName", 40),
        ("branchCode", 15),
        ("checkDigit", 2),
        ("countryCode", 2),
    ] {
        text(b, k, &format!("{path}.{k}"), max, errors);
    }
    Some((b.clone(), number?, code?))
}

/// 705 (UK direct debit: authorisationId, BBAN with sort code) and 730 (ACH:
/// account number and ABA routing number). Account plus bank code identify the token.
pub(super) fn non_sepa(obj: &Map<String, Value>) -> Result<TokenInput, ConnectError> {
    let mut errors = Vec::new();
    let product = product(obj, &[705, 730], &mut errors);
    let g = obj
        .get("nonSepaDirectDebit")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ConnectError::validation(vec![invalid("nonSepaDirectDebit", "must be an object")])
        })?;
    let alias = text(g, "alias", "nonSepaDirectDebit.alias", 100, &mut errors).map(str::to_string);
    let customer = customer(g, "nonSepaDirectDebit", &mut errors);
    let mut identity = None;
    let mut mandate_view = json!({});
    if let Some(m) = object(
        g,
        "mandate",
        "nonSepaDirectDebit.mandate",
        true,
        &mut errors,
    ) {
        let p = "nonSepaDirectDebit.mandate";
        match product {
            Some(705) => {
                let q = format!("{p}.paymentProduct705SpecificData");
                if let Some(d) = object(m, "paymentProduct705SpecificData", &q, true, &mut errors) {
                    let auth = required_text(
                        d,
                        "authorisationId",
                        &format!("{q}.authorisationId"),
                        18,
                        &mut errors,
                    );
                    if let Some((mut b, number, code)) =
                        bban(d, &format!("{q}.bankAccountBban"), &mut errors)
                    {
                        if !(number.len() == 8 && number.bytes().all(|c| c.is_ascii_digit())) {
                            errors.push(invalid(
                                &format!("{q}.bankAccountBban.accountNumber"),
                                "a UK account number has 8 digits",
                            ));
                        }
                        if !(code.len() == 6 && code.bytes().all(|c| c.is_ascii_digit())) {
                            errors.push(invalid(
                                &format!("{q}.bankAccountBban.bankCode"),
                                "a UK sort code has 6 digits",
                            ));
                        }
                        b.insert("accountNumber".into(), json!(mask_keep_last(&number, 4)));
                        mandate_view = json!({"paymentProduct705SpecificData": {"authorisationId": auth, "bankAccountBban": strip_nulls(Value::Object(b))}});
                        identity = Some(format!("705|{code}|{number}"));
                    }
                }
            }
            Some(730) => {
                let q = format!("{p}.paymentProduct730SpecificData");
                if let Some(d) = object(m, "paymentProduct730SpecificData", &q, true, &mut errors) {
                    if let Some((mut b, number, code)) =
                        bban(d, &format!("{q}.bankAccountBban"), &mut errors)
                    {
                        if !((4..=17).contains(&number.len())
                            && number.bytes().all(|c| c.is_ascii_digit()))
                        {
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
                        mandate_view = json!({"paymentProduct730SpecificData": {"bankAccountBban": strip_nulls(Value::Object(b))}});
                        identity = Some(format!("730|{code}|{number}"));
                    }
                }
            }
            _ => {}
        }
    }
    done(errors)?;
    let (Some(product), Some(identity)) = (product, identity) else {
        return Err(ConnectError::validation(vec![missing(
            "nonSepaDirectDebit.mandate",
        )]));
    };
    let last4 = identity
        .rsplit('|')
        .next()
        .map(|n| mask_keep_last(n, 4))
        .unwrap_or_default();
    let mut view = json!({"alias": alias.unwrap_or(last4), "mandate": mandate_view});
    if let Some(c) = customer {
        view["customer"] = c;
    }
    Ok(TokenInput {
        product,
        kind: "nonSepaDirectDebit",
        number: identity,
        view,
        mandate_status: None,
    })
}

/// 840: a PayPal billing agreement.
pub(super) fn e_wallet(obj: &Map<String, Value>) -> Result<TokenInput, ConnectError> {
    let mut errors = Vec::new();
    let product = product(obj, &[840], &mut errors);
    let g = obj
        .get("eWallet")
        .and_then(Value::as_object)
        .ok_or_else(|| ConnectError::validation(vec![invalid("eWallet", "must be an object")]))?;
    let alias = text(g, "alias", "eWallet.alias", 100, &mut errors).map(str::to_string);
    let customer = customer(g, "eWallet", &mut errors);
    let agreement = object(g, "data", "eWallet.data", true, &mut errors).and_then(|d| {
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
    let mut view = json!({"alias": alias.unwrap_or_else(|| mask_keep_last(&agreement, 4)), "data": {"billingAgreementId": mask_keep_last(&agreement, 4)}});
    if let Some(c) = customer {
        view["customer"] = c;
    }
    Ok(TokenInput {
        product,
        kind: "eWallet",
        number: agreement,
        view,
        mandate_status: None,
    })
}
