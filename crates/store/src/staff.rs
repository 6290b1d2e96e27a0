//! Staff users of the bank-analysis product: lookup, refresh-token families
//! and failed-login counters.

use crate::Conn;
use sqlx::FromRow;

use crate::query::{self, Params};
use crate::{params, Store, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub id: String,
    pub tenant_id: String,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub first_name: String,
    pub last_name: String,
    pub created_at: i64,
    pub job_title: Option<String>,
    pub phone: String,
    pub secondary_phone: Option<String>,
    pub secondary_email: Option<String>,
    pub is_active: i64,
    pub updated_at: Option<i64>,
}

const USER_COLUMNS: &str =
    "id, tenant_id, email, password_hash, role, first_name, last_name, created_at, \
     job_title, phone, secondary_phone, secondary_email, is_active, updated_at";

/// Most accounts a login email is tried against (emails are unique per
/// tenant, so one address may hold an account in several tenants).
pub const MAX_ACCOUNTS_PER_EMAIL: i64 = 4;

/// The accounts (any tenant) with this login email, oldest first, at most
/// [`MAX_ACCOUNTS_PER_EMAIL`].
pub async fn users_by_email(store: &Store, email: &str) -> Result<Vec<User>, StoreError> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email = $1 ORDER BY created_at, id LIMIT $2"
    );
    store
        .fetch_all(&sql, params![email, MAX_ACCOUNTS_PER_EMAIL])
        .await
}

pub async fn user(store: &Store, tenant_id: &str, id: &str) -> Result<Option<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2");
    store.fetch_optional(&sql, params![tenant_id, id]).await
}

/// A new staff user; `StoreError::Unique("users_tenant_email")` when the
/// tenant already has a user with this email.
pub async fn insert_user(store: &Store, u: User) -> Result<(), StoreError> {
    store
        .execute(
            "INSERT INTO users (id, tenant_id, email, password_hash, role, first_name, last_name, created_at, \
             job_title, phone, secondary_phone, secondary_email, is_active, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL)",
            params![
                u.id, u.tenant_id, u.email, u.password_hash, u.role, u.first_name, u.last_name, u.created_at,
                u.job_title, u.phone, u.secondary_phone, u.secondary_email, u.is_active,
            ],
        )
        .await?;
    Ok(())
}

/// Updates a user's profile (not password or role). Deactivating a user
/// revokes their sessions in the same transaction. `Ok(false)`: no such user.
pub async fn update_user(store: &Store, u: User, now: i64) -> Result<bool, StoreError> {
    let revoke = u.is_active == 0;
    let update = params![
        &u.email,
        &u.first_name,
        &u.last_name,
        &u.job_title,
        &u.phone,
        &u.secondary_phone,
        &u.secondary_email,
        u.is_active,
        now,
        &u.tenant_id,
        &u.id,
    ];
    update_and_revoke(
        store,
        "UPDATE users SET email = $1, first_name = $2, last_name = $3, job_title = $4, phone = $5, \
         secondary_phone = $6, secondary_email = $7, is_active = $8, updated_at = $9 \
         WHERE tenant_id = $10 AND id = $11",
        update,
        revoke.then(|| {
            (
                "UPDATE ba_refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                params![now, u.id],
            )
        }),
    )
    .await
}

/// One write: `update` of a user, then (if it found the user) `revoke` of
/// sessions. `Ok(false)`: no such user, nothing written.
async fn update_and_revoke(
    store: &Store,
    update: &'static str,
    update_params: Params,
    revoke: Option<(&'static str, Params)>,
) -> Result<bool, StoreError> {
    store
        .write(move |c| {
            let (update_params, revoke) = (update_params.clone(), revoke.clone());
            Box::pin(async move {
                if query::execute(c, update, update_params).await? == 0 {
                    return Ok(false);
                }
                if let Some((sql, params)) = revoke {
                    query::execute(c, sql, params).await?;
                }
                Ok(true)
            })
        })
        .await
}

/// Filters and paging of GET /api/v1/user/all.
#[derive(Debug, Clone)]
pub struct UserQuery {
    pub name_query: Option<String>,
    pub is_active: Option<bool>,
    pub order_by: UserOrder,
    pub page: crate::Page,
}

#[derive(Debug, Clone, Copy, Default)]
pub enum UserOrder {
    #[default]
    CreatedDate,
    FirstName,
    LastName,
    Email,
}

/// (total, page)
pub async fn list_users(
    store: &Store,
    tenant_id: &str,
    q: &UserQuery,
) -> Result<(i64, Vec<User>), StoreError> {
    let mut filter = String::from(
        "tenant_id = $1 AND (LOWER(first_name || ' ' || last_name) LIKE $2 ESCAPE '\\' OR LOWER(email) LIKE $2 ESCAPE '\\')",
    );
    let pattern = crate::contains_pattern(q.name_query.as_deref());
    if let Some(a) = q.is_active {
        filter.push_str(if a {
            " AND is_active = 1"
        } else {
            " AND is_active = 0"
        });
    }
    let col = match q.order_by {
        UserOrder::CreatedDate => "created_at",
        UserOrder::FirstName => "first_name",
        UserOrder::LastName => "last_name",
        UserOrder::Email => "email",
    };
    let dir = q.page.direction();
    store
        .fetch_page(
            &format!("SELECT COUNT(*) FROM users WHERE {filter}"),
            &format!(
                "SELECT {USER_COLUMNS} FROM users WHERE {filter} ORDER BY {col} {dir}, id {dir} LIMIT $3 OFFSET $4"
            ),
            params![tenant_id, pattern],
            q.page,
        )
        .await
}

/// Whether a session is still good: not revoked, and its user still active.
pub async fn session_live(
    store: &Store,
    family_id: &str,
    user_id: &str,
) -> Result<bool, StoreError> {
    let ended = store
        .exists(
            "SELECT (SELECT COUNT(*) FROM ba_refresh_tokens WHERE family_id = $1 AND revoked_at IS NOT NULL) \
             + (SELECT COUNT(*) FROM users WHERE id = $2 AND is_active = 0)",
            params![family_id, user_id],
        )
        .await?;
    Ok(!ended)
}

#[derive(Debug, Clone, FromRow)]
pub struct RefreshToken {
    pub token_hash: String,
    pub family_id: String,
    pub user_id: String,
    pub tenant_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn insert_refresh(store: &Store, t: RefreshToken) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let t = t.clone();
            Box::pin(async move { insert_refresh_on(c, &t).await })
        })
        .await
}

async fn insert_refresh_on(c: &mut Conn, t: &RefreshToken) -> Result<(), StoreError> {
    query::execute(
        c,
        "INSERT INTO ba_refresh_tokens (token_hash, family_id, user_id, tenant_id, created_at, expires_at, used_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL)",
        params![&t.token_hash, &t.family_id, &t.user_id, &t.tenant_id, t.created_at, t.expires_at],
    )
    .await?;
    Ok(())
}

const REVOKE_FAMILY: &str =
    "UPDATE ba_refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL";

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// Valid: it is now used, and `next` (same family) replaces it.
    Rotated {
        user_id: String,
        tenant_id: String,
        family_id: String,
        /// When the session began (its login), micros.
        started_at: i64,
        /// When the new refresh token stops working, micros.
        expires_at: i64,
    },
    /// Already used or revoked: the whole family is now revoked.
    Reused,
    Unknown,
    Expired,
}

/// Uses a refresh token once, atomically, writing its successor. The
/// successor lives `idle` (a session unused that long ends) but never past
/// `absolute` after the session's login.
pub async fn rotate_refresh(
    store: &Store,
    token_hash: String,
    next_hash: String,
    now: i64,
    idle: i64,
    absolute: i64,
) -> Result<Rotation, StoreError> {
    store
        .write(move |c| {
            let (token_hash, next_hash) = (token_hash.clone(), next_hash.clone());
            Box::pin(async move {
                let Some(t) = query::fetch_optional::<RefreshToken>(
                    c,
                    "SELECT token_hash, family_id, user_id, tenant_id, created_at, expires_at, used_at, revoked_at FROM ba_refresh_tokens WHERE token_hash = $1",
                    params![&token_hash],
                )
                .await?
                else {
                    return Ok(Rotation::Unknown);
                };
                if t.used_at.is_some() || t.revoked_at.is_some() {
                    query::execute(c, REVOKE_FAMILY, params![now, &t.family_id]).await?;
                    return Ok(Rotation::Reused);
                }
                if t.expires_at <= now {
                    return Ok(Rotation::Expired);
                }
                // The guard on used_at settles two concurrent uses: one wins.
                let n = query::execute(
                    c,
                    "UPDATE ba_refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
                    params![now, &token_hash],
                )
                .await?;
                if n != 1 {
                    return Ok(Rotation::Reused);
                }
                let started_at: i64 = query::fetch_scalar(
                    c,
                    "SELECT MIN(created_at) FROM ba_refresh_tokens WHERE family_id = $1",
                    params![&t.family_id],
                )
                .await?;
                let expires_at = (now + idle).min(started_at + absolute);
                if expires_at <= now {
                    return Ok(Rotation::Expired);
                }
                let next = RefreshToken {
                    token_hash: next_hash,
                    created_at: now,
                    expires_at,
                    used_at: None,
                    revoked_at: None,
                    ..t
                };
                insert_refresh_on(c, &next).await?;
                let RefreshToken { user_id, tenant_id, family_id, .. } = next;
                Ok(Rotation::Rotated { user_id, tenant_id, family_id, started_at, expires_at })
            })
        })
        .await
}

pub async fn revoke_family(store: &Store, family_id: String, now: i64) -> Result<(), StoreError> {
    store
        .execute(REVOKE_FAMILY, params![now, family_id])
        .await?;
    Ok(())
}

/// Whether a session (refresh family) has been revoked.
pub async fn family_revoked(store: &Store, family_id: &str) -> Result<bool, StoreError> {
    store
        .exists(
            "SELECT COUNT(*) FROM ba_refresh_tokens WHERE family_id = $1 AND revoked_at IS NOT NULL",
            params![family_id],
        )
        .await
}

/// One throttling scope of a login attempt: "acct:<email>" or "ip:<address>".
#[derive(Debug, Clone)]
pub struct AttemptScope {
    pub scope: String,
    /// Attempts allowed in one window…
    pub max: i64,
}

/// The windows and lock of login throttling, in microseconds.
#[derive(Debug, Clone, Copy)]
pub struct AttemptRules {
    /// Attempts are counted over this window (a new one starts when it ends)…
    pub window: i64,
    /// …and the scope is locked this long once its window's attempts are spent.
    pub lock: i64,
}

/// Whether a login attempt may be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// A slot was taken in every scope: check the password.
    Granted,
    /// The scope at `index` is locked until `until` (micros); no slot was
    /// taken in it or in the scopes after it.
    Locked { index: usize, until: i64 },
}

/// Takes one attempt slot in each scope, in order, atomically: an upsert
/// whose guard refuses the slot when the scope is locked or its window's
/// slots are spent, so parallel requests on any number of nodes sharing the
/// database never get more than `max` evaluations per scope and window.
/// Taking the last slot locks the scope for `rules.lock` at once (a later
/// success clears the lock). The first refused scope stops the walk and the
/// slots taken before it are given back.
pub async fn take_attempt(
    store: &Store,
    scopes: Vec<AttemptScope>,
    now: i64,
    rules: AttemptRules,
) -> Result<Attempt, StoreError> {
    store
        .write(move |c| {
            let scopes = scopes.clone();
            Box::pin(async move {
                for (index, s) in scopes.iter().enumerate() {
                    // `fresh`: the old window ended or the old lock expired
                    // (the guard lets an expired lock through only).
                    let n = query::execute(
                        c,
                        "INSERT INTO ba_login_failures (scope, window_start, failures, locked_until) \
                         VALUES ($1, $2, 1, CASE WHEN 1 >= $4 THEN $5 ELSE NULL END) \
                         ON CONFLICT (scope) DO UPDATE SET \
                         window_start = CASE WHEN ba_login_failures.window_start <= $3 OR ba_login_failures.locked_until IS NOT NULL \
                             THEN $2 ELSE ba_login_failures.window_start END, \
                         failures = CASE WHEN ba_login_failures.window_start <= $3 OR ba_login_failures.locked_until IS NOT NULL \
                             THEN 1 ELSE ba_login_failures.failures + 1 END, \
                         locked_until = CASE WHEN (CASE WHEN ba_login_failures.window_start <= $3 OR ba_login_failures.locked_until IS NOT NULL \
                             THEN 1 ELSE ba_login_failures.failures + 1 END) >= $4 THEN $5 ELSE NULL END \
                         WHERE (ba_login_failures.locked_until IS NULL OR ba_login_failures.locked_until <= $2) \
                         AND (ba_login_failures.window_start <= $3 OR ba_login_failures.locked_until IS NOT NULL \
                             OR ba_login_failures.failures < $4)",
                        params![&s.scope, now, now - rules.window, s.max, now + rules.lock],
                    )
                    .await?;
                    if n == 1 {
                        continue;
                    }
                    let row: Option<(i64, Option<i64>)> = query::fetch_optional(
                        c,
                        "SELECT window_start, locked_until FROM ba_login_failures WHERE scope = $1",
                        params![&s.scope],
                    )
                    .await?;
                    let until = row
                        .map(|(window_start, locked_until)| {
                            locked_until.unwrap_or_else(|| window_start + rules.window)
                        })
                        .unwrap_or(now + rules.window)
                        .max(now + 1_000_000);
                    // The scopes before it give their slots back: only
                    // evaluated attempts count.
                    for earlier in &scopes[..index] {
                        refund(c, &earlier.scope, earlier.max).await?;
                    }
                    return Ok(Attempt::Locked { index, until });
                }
                Ok(Attempt::Granted)
            })
        })
        .await
}

/// A granted attempt turned out good: the account's count ends, and the
/// address gets its slot back (only failures count against an address).
pub async fn attempt_succeeded(
    store: &Store,
    account: String,
    address: String,
    address_max: i64,
) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let (account, address) = (account.clone(), address.clone());
            Box::pin(async move {
                query::execute(c, CLEAR_SCOPE, params![&account]).await?;
                refund(c, &address, address_max).await
            })
        })
        .await
}

const CLEAR_SCOPE: &str = "DELETE FROM ba_login_failures WHERE scope = $1";

/// Deletes the login-failure counts that no longer hold anything back: a
/// window that started at or before `window_started_by` with no lock, or a
/// lock over by `now`. `take_attempt` starts such a scope afresh anyway, so
/// the table holds only the scopes of the current window (an attacker
/// trying many accounts or addresses fills it for one window at most).
pub async fn prune_login_failures(
    store: &Store,
    now: i64,
    window_started_by: i64,
) -> Result<u64, StoreError> {
    store
        .execute(
            "DELETE FROM ba_login_failures WHERE (locked_until IS NULL AND window_start <= $2) \
             OR locked_until <= $1",
            params![now, window_started_by],
        )
        .await
}

/// Deletes the refresh tokens of every session whose newest token expired
/// before `ended_before`. A whole session goes at once: its used tokens are
/// what tells a replayed one, so none goes while the session can refresh.
pub async fn prune_sessions(store: &Store, ended_before: i64) -> Result<u64, StoreError> {
    store
        .execute(
            "DELETE FROM ba_refresh_tokens WHERE family_id IN \
             (SELECT family_id FROM ba_refresh_tokens GROUP BY family_id HAVING MAX(expires_at) < $1)",
            params![ended_before],
        )
        .await
}

/// Gives a slot back in `scope`, lifting the lock it may have set.
async fn refund(c: &mut Conn, scope: &str, max: i64) -> Result<(), StoreError> {
    query::execute(
        c,
        "UPDATE ba_login_failures SET failures = failures - 1, \
         locked_until = CASE WHEN failures - 1 < $2 THEN NULL ELSE locked_until END \
         WHERE scope = $1 AND failures > 0",
        params![scope, max],
    )
    .await?;
    Ok(())
}

/// Gives back a slot taken in each scope (the attempt was never evaluated),
/// lifting a lock that slot had set.
pub async fn refund_attempt(store: &Store, scopes: Vec<AttemptScope>) -> Result<(), StoreError> {
    store
        .write(move |c| {
            let scopes = scopes.clone();
            Box::pin(async move {
                for s in &scopes {
                    refund(c, &s.scope, s.max).await?;
                }
                Ok(())
            })
        })
        .await
}

/// Ends a scope's count and lock (an administrator reset the password).
pub async fn clear_failures(store: &Store, scope: String) -> Result<(), StoreError> {
    store.execute(CLEAR_SCOPE, params![scope]).await?;
    Ok(())
}

/// Sets a user's password hash and revokes every session of the user but
/// `keep` (the session that changed it, if any). `Ok(false)`: no such user.
pub async fn set_password(
    store: &Store,
    tenant_id: String,
    user_id: String,
    password_hash: String,
    keep: Option<String>,
    now: i64,
) -> Result<bool, StoreError> {
    update_and_revoke(
        store,
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4",
        params![password_hash, now, tenant_id, &user_id],
        Some((
            "UPDATE ba_refresh_tokens SET revoked_at = $1 \
             WHERE user_id = $2 AND family_id <> $3 AND revoked_at IS NULL",
            params![now, user_id, keep.unwrap_or_default()],
        )),
    )
    .await
}
