//! Path and query extractors that never answer on their own.
//!
//! axum's `Path` and `Query` reject malformed input (a path segment that is
//! not UTF-8 once percent-decoded, a repeated query field) with a
//! `text/plain` 400, outside every product's error envelope. These wrappers
//! turn such input into a value that matches nothing, so the handler gives
//! its own "unknown" answer in its own envelope.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A value no stored record has: U+FFFD never appears in an id we issue.
pub trait Unmatched {
    fn unmatched() -> Self;
}

impl Unmatched for String {
    fn unmatched() -> Self {
        "\u{fffd}".to_string()
    }
}

impl Unmatched for (String, String) {
    fn unmatched() -> Self {
        (String::unmatched(), String::unmatched())
    }
}

/// Path parameters; undecodable ones become [`Unmatched::unmatched`].
pub struct AnyPath<T>(pub T);

impl<S, T> FromRequestParts<S> for AnyPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Unmatched + Send,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        Ok(AnyPath(
            Path::<T>::from_request_parts(parts, state)
                .await
                .map(|Path(t)| t)
                .unwrap_or_else(|_| T::unmatched()),
        ))
    }
}

/// Query parameters of a page or lookup whose every field is optional: a
/// malformed query reads as an empty one. Not for queries that change what
/// a write does (those must refuse malformed input explicitly).
pub struct AnyQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for AnyQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Default + Send,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        Ok(AnyQuery(
            Query::<T>::from_request_parts(parts, state)
                .await
                .map(|Query(t)| t)
                .unwrap_or_default(),
        ))
    }
}

/// The credentials of an `Authorization` value in `scheme`, matched without
/// regard to case (RFC 7235 §2.1: "bearer", "Bearer" and "BEARER" are one
/// scheme): `credentials("bearer abc", "Bearer") == Some("abc")`.
pub fn credentials<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let value = value.trim_start();
    let (given, rest) = value.split_once([' ', '\t'])?;
    given
        .eq_ignore_ascii_case(scheme)
        .then(|| rest.trim())
        .filter(|c| !c.is_empty())
}

#[cfg(test)]
mod scheme_tests {
    use super::credentials;

    #[test]
    fn schemes_match_in_any_case() {
        for v in ["Bearer abc", "bearer abc", "BEARER  abc ", "\tBearer\tabc"] {
            assert_eq!(credentials(v, "Bearer"), Some("abc"), "{v:?}");
        }
        assert_eq!(credentials("Bearerabc", "Bearer"), None);
        assert_eq!(credentials("Basic abc", "Bearer"), None);
        assert_eq!(credentials("Bearer ", "Bearer"), None);
    }
}
