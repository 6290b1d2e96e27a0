//! The session's one-time `authorized_url` (spec 001): signed with the
//! tenant's URL key, valid for 30 s, opened once; and the host origin the
//! page may be framed by.

use std::time::Duration;

use fundline_store::gateway as repo;
use fundline_vault::hash_token;

use crate::AppState;

/// How long an authorized_url may wait to be opened.
pub const URL_TTL: Duration = Duration::from_secs(30);

/// `scheme://host[:port]` of a URI, lower-cased; `None` if it is not an
/// http(s) origin (a path other than "/", a query or credentials are refused).
pub fn origin(uri: &str) -> Option<(String, String, Option<u16>)> {
    let u = url::Url::parse(uri).ok()?;
    if !matches!(u.scheme(), "http" | "https") || !u.username().is_empty() || u.password().is_some()
    {
        return None;
    }
    if !(u.path() == "/" || u.path().is_empty()) || u.query().is_some() || u.fragment().is_some() {
        return None;
    }
    Some((
        u.scheme().to_string(),
        u.host_str()?.to_ascii_lowercase(),
        u.port(),
    ))
}

/// The host a session may be framed by: the given one if whitelisted, else
/// (none given) the first whitelisted host. `None`: not allowed.
pub fn resolve_host(given: Option<&str>, allowed: &[String]) -> Option<String> {
    let Some(given) = given else {
        return allowed.first().cloned();
    };
    let (scheme, host, port) = origin(given)?;
    let ok = allowed.iter().any(|a| match origin(a) {
        Some((s, h, p)) => s == scheme && h == host && (p.is_none() || p == port),
        None => false,
    });
    ok.then(|| match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

pub struct Issued {
    pub url: String,
    pub expires_utc: String,
    pub row: repo::SessionUrl,
}

/// A signed URL: `t` is the expiry in microseconds followed by six random
/// digits (so every URL differs), `h` the tenant-keyed HMAC-SHA256 of the
/// session id and `t`. The page checks `h` before anything else, and the
/// store records each URL so it opens once.
pub async fn issue_url(
    state: &AppState,
    tenant_id: &str,
    session_id: &str,
) -> Result<Issued, fundline_store::StoreError> {
    let keys = state.keyring.tenant(&state.store, tenant_id).await?;
    let expires = state.clock.now() + chrono::Duration::from_std(URL_TTL).unwrap_or_default();
    let t = format!(
        "{}{:06}",
        expires.timestamp_micros(),
        rand::random::<u32>() % 1_000_000
    );
    let h = url_signature(&keys, session_id, &t);
    Ok(Issued {
        url: format!(
            "{}/session/{session_id}?t={t}&h={h}",
            state.config.public_url
        ),
        expires_utc: expires.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        row: repo::SessionUrl {
            url_hash: url_hash(session_id, &t, &h),
            expires_at: expires.timestamp_micros(),
        },
    })
}

/// The URL's signature under the tenant's newest URL-signing key (version 0,
/// for tenants without one yet, is the fingerprint-key derivation used
/// before URL keys were separate).
pub fn url_signature(keys: &fundline_vault::TenantKeys, session_id: &str, t: &str) -> String {
    let version = keys.signing_version(fundline_vault::URL);
    keys.sign(
        fundline_vault::URL,
        version,
        "session-url",
        &format!("{session_id}|{t}"),
    )
    .unwrap_or_default()
}

/// Whether `h` signs (session, t) under a URL-signing key version still
/// live at `now` (µs): the newest, or one replaced less than a URL lifetime
/// (plus the nodes' key cache lifetime) ago.
pub fn url_signature_valid(
    keys: &fundline_vault::TenantKeys,
    session_id: &str,
    t: &str,
    h: &str,
    now: i64,
) -> bool {
    let overlap = (URL_TTL + fundline_store::keyring::CACHE_TTL).as_micros() as i64;
    let message = format!("{session_id}|{t}");
    keys.live_signing_versions(fundline_vault::URL, now, overlap)
        .into_iter()
        .filter_map(|v| keys.sign(fundline_vault::URL, v, "session-url", &message))
        .fold(false, |ok, sig| fundline_vault::ct_eq(h, &sig) | ok)
}

/// The expiry (µs) a URL's `t` carries.
pub fn url_expiry(t: &str) -> Option<i64> {
    if t.len() <= 6 || t.len() > 26 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t[..t.len() - 6].parse().ok()
}

/// What the store keeps of an issued URL: never the URL itself.
pub fn url_hash(session_id: &str, t: &str, h: &str) -> String {
    hash_token(&format!("{session_id}|{t}|{h}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_resolve_against_the_whitelist() {
        let allowed = vec![
            "http://127.0.0.1".to_string(),
            "https://pay.example.com:8443".to_string(),
        ];
        assert_eq!(
            resolve_host(None, &allowed).as_deref(),
            Some("http://127.0.0.1")
        );
        assert_eq!(
            resolve_host(Some("http://127.0.0.1:5173"), &allowed).as_deref(),
            Some("http://127.0.0.1:5173")
        );
        assert_eq!(
            resolve_host(Some("HTTP://127.0.0.1/"), &allowed).as_deref(),
            Some("http://127.0.0.1")
        );
        assert_eq!(
            resolve_host(Some("https://pay.example.com:8443"), &allowed).as_deref(),
            Some("https://pay.example.com:8443")
        );
        for bad in [
            "https://pay.example.com",
            "https://127.0.0.1",
            "http://127.0.0.1/path",
            "javascript:alert(1)",
            "http://evil.com@127.0.0.1",
            "nonsense",
        ] {
            assert_eq!(resolve_host(Some(bad), &allowed), None, "{bad}");
        }
        assert_eq!(resolve_host(None, &[]), None);
    }
}
