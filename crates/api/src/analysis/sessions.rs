//! Staff sessions as the rules have them: a login throttled by attempt
//! slots taken in the store before the password is checked, the rotation
//! of refresh tokens (a reused one revokes its whole session), and the
//! change of one's own password.

use fundline_store::staff::{self, Attempt, AttemptScope, Rotation};
use fundline_vault::{dummy_password_hash, hash_token, random_token, verify_password};

use super::auth::{
    hash_new_password, hashing, issue, session_max_micros, Staff, MAX_ACCOUNT_FAILURES,
    MAX_ADDRESS_FAILURES, RULES, SESSION_IDLE_MICROS,
};
use super::error::{AnalysisError, Result};
use crate::AppState;

/// A session's access token and its refresh token.
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

/// The slots of a client address and an account.
fn scopes(address: &str, email: &str) -> Vec<AttemptScope> {
    vec![
        AttemptScope {
            scope: format!("ip:{address}"),
            max: MAX_ADDRESS_FAILURES,
        },
        AttemptScope {
            scope: format!("acct:{email}"),
            max: MAX_ACCOUNT_FAILURES,
        },
    ]
}

/// The 429 of a locked address or account, until `until`.
fn locked(until: i64, now: i64) -> AnalysisError {
    let secs = (until - now + 999_999) / 1_000_000;
    AnalysisError::TooMany {
        message: "Too many login attempts. Please try again later.",
        error: format!(
            "Too many failed attempts. Try again in {} minutes.",
            (secs + 59) / 60
        ),
        retry_after: u64::try_from(secs).unwrap_or(1),
    }
}

/// Takes an attempt slot of the address and the account before a password
/// is checked: parallel guesses (on any node) get at most
/// `MAX_ACCOUNT_FAILURES` evaluations. `Err`: locked (audited with `user`,
/// when known) or the store failed.
async fn take_slot(
    state: &AppState,
    scopes: &[AttemptScope],
    now: i64,
    address: &str,
    user: Option<&staff::User>,
) -> Result<()> {
    match staff::take_attempt(&state.store, scopes.to_vec(), now, RULES).await? {
        Attempt::Granted => Ok(()),
        Attempt::Locked { index, until } => {
            let limit = if index == 0 { "address" } else { "account" };
            match user {
                None => crate::audit!("login.locked", client = %address, limit = limit),
                Some(u) => {
                    crate::audit!("login.locked", client = %address, tenant_id = %u.tenant_id, user_id = %u.id, limit = limit)
                }
            }
            Err(locked(until, now))
        }
    }
}

/// The password was checked: the account's failures are forgiven.
async fn succeeded(state: &AppState, email: &str, address: &str) {
    let _ = staff::attempt_succeeded(
        &state.store,
        format!("acct:{email}"),
        format!("ip:{address}"),
        MAX_ADDRESS_FAILURES,
    )
    .await;
}

/// A login by email and password from `address`: a new session's tokens.
pub async fn login(
    state: &AppState,
    address: &str,
    email: &str,
    password: String,
) -> Result<Tokens> {
    let now = state.clock.now_micros();
    let slots = scopes(address, email);
    take_slot(state, &slots, now, address, None).await?;
    let users = staff::users_by_email(&state.store, email).await?;
    // An unknown email costs one argon2 verification too (no timing oracle).
    // Emails are unique per tenant: the password is tried against each
    // account holding it, oldest first.
    let hashes: Vec<String> = users.iter().map(|u| u.password_hash.clone()).collect();
    let verified = hashing(state, move || {
        if hashes.is_empty() {
            // The dummy is computed once, here too: off the async threads.
            verify_password(&password, dummy_password_hash());
            return None;
        }
        hashes.iter().position(|h| verify_password(&password, h))
    })
    .await;
    let matched = match verified {
        Ok(m) => m,
        Err(busy) => {
            // Not evaluated: the slots go back.
            let _ = staff::refund_attempt(&state.store, slots).await;
            return Err(busy.into());
        }
    };
    let Some(user) = matched
        .and_then(|i| users.get(i).cloned())
        .filter(|u| u.is_active == 1)
    else {
        match users.as_slice() {
            [] => crate::audit!("login.failure", client = %address, account = "unknown"),
            [u] => {
                crate::audit!("login.failure", client = %address, tenant_id = %u.tenant_id, user_id = %u.id)
            }
            many => crate::audit!("login.failure", client = %address, accounts = many.len()),
        }
        return Err(AnalysisError::BadCredentials);
    };
    if !crate::tenancy::tenant_active(state, &user.tenant_id).await {
        return Err(AnalysisError::denied());
    }
    succeeded(state, email, address).await;
    let family = uuid::Uuid::new_v4().to_string();
    let refresh = random_token(32);
    let session_max = session_max_micros(state);
    let saved = staff::insert_refresh(
        &state.store,
        staff::RefreshToken {
            token_hash: hash_token(&refresh),
            family_id: family.clone(),
            user_id: user.id.clone(),
            tenant_id: user.tenant_id.clone(),
            created_at: now,
            expires_at: now + SESSION_IDLE_MICROS.min(session_max),
            used_at: None,
            revoked_at: None,
        },
    )
    .await;
    let issued = issue(state, &user, &family, now + session_max).await;
    saved?;
    let access = issued?;
    crate::audit!("login.success", client = %address, tenant_id = %user.tenant_id, user_id = %user.id);
    Ok(Tokens { access, refresh })
}

/// A new access token and a new refresh token for a refresh token, which
/// is spent (presenting it again revokes the session).
pub async fn refresh(state: &AppState, token: &str) -> Result<Tokens> {
    let now = state.clock.now_micros();
    let next = random_token(32);
    let rotation = staff::rotate_refresh(
        &state.store,
        hash_token(token),
        hash_token(&next),
        now,
        SESSION_IDLE_MICROS,
        session_max_micros(state),
    )
    .await?;
    let (user_id, tenant_id, family_id, started_at) = match rotation {
        Rotation::Rotated {
            user_id,
            tenant_id,
            family_id,
            started_at,
            ..
        } => (user_id, tenant_id, family_id, started_at),
        Rotation::Reused => {
            return Err(AnalysisError::denied_because(
                "refresh token reused; its session is revoked",
            ))
        }
        Rotation::Unknown | Rotation::Expired => return Err(AnalysisError::denied()),
    };
    let user = match staff::user(&state.store, &tenant_id, &user_id).await {
        Ok(Some(u))
            if u.is_active == 1 && crate::tenancy::tenant_active(state, &u.tenant_id).await =>
        {
            u
        }
        _ => return Err(AnalysisError::denied()),
    };
    let access = issue(
        state,
        &user,
        &family_id,
        started_at + session_max_micros(state),
    )
    .await?;
    Ok(Tokens {
        access,
        refresh: next,
    })
}

/// The signed-in user changes their own password, the current one checked
/// (throttled like logins); every other session of the user ends.
pub async fn change_password(
    state: &AppState,
    who: &Staff,
    address: &str,
    current: String,
    new: String,
) -> Result<()> {
    let user = staff::user(&state.store, &who.tenant_id, &who.user_id)
        .await?
        .ok_or_else(AnalysisError::denied)?;
    let now = state.clock.now_micros();
    let slots = scopes(address, &user.email);
    take_slot(state, &slots, now, address, Some(&user)).await?;
    let stored = user.password_hash.clone();
    let ok = match hashing(state, move || verify_password(&current, &stored)).await {
        Ok(ok) => ok,
        Err(busy) => {
            let _ = staff::refund_attempt(&state.store, slots).await;
            return Err(busy.into());
        }
    };
    if !ok {
        crate::audit!("login.failure", client = %address, tenant_id = %user.tenant_id, user_id = %user.id, during = "password.change");
        return Err(AnalysisError::invalid(["Current password is incorrect."]));
    }
    let hash = hash_new_password(state, new).await?;
    succeeded(state, &user.email, address).await;
    let changed = staff::set_password(
        &state.store,
        who.tenant_id.clone(),
        who.user_id.clone(),
        hash,
        Some(who.session.clone()),
        now,
    )
    .await?;
    if !changed {
        return Err(AnalysisError::denied());
    }
    crate::audit!("password.changed", client = %address, tenant_id = %who.tenant_id, user_id = %who.user_id);
    Ok(())
}
