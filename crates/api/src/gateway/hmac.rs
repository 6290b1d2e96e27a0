//! The gateway's request signature, as the Kong `hmac-auth` plugin verifies
//! it (draft-cavage HTTP signatures). Pure functions; the extractor in
//! `auth.rs` applies them to a request.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Algorithm {
    Sha512,
    /// Accepted as legacy.
    Sha256,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub username: String,
    pub algorithm: Algorithm,
    /// Lower-cased, in the client's order.
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    Malformed,
    UnsupportedAlgorithm,
    /// The signed list lacks one of request-line, x-date, content-sha512.
    MissingSignedHeader(&'static str),
    /// A header named in the list is absent from the request.
    AbsentHeader(String),
}

/// Parses `hmac username="…", algorithm="…", headers="…", signature="…"`.
pub fn parse_authorization(value: &str) -> Result<Authorization, AuthError> {
    let rest = value.trim();
    let (scheme, params) = rest
        .split_once(char::is_whitespace)
        .ok_or(AuthError::Malformed)?;
    if !scheme.eq_ignore_ascii_case("hmac") {
        return Err(AuthError::Malformed);
    }
    let (mut username, mut algorithm, mut headers, mut signature) = (None, None, None, None);
    for part in split_params(params)? {
        let (k, v) = part;
        match k.to_ascii_lowercase().as_str() {
            "username" => username = Some(v),
            "algorithm" => algorithm = Some(v),
            "headers" => headers = Some(v),
            "signature" => signature = Some(v),
            _ => return Err(AuthError::Malformed),
        }
    }
    let algorithm = match algorithm
        .ok_or(AuthError::Malformed)?
        .to_ascii_lowercase()
        .as_str()
    {
        "hmac-sha512" => Algorithm::Sha512,
        "hmac-sha256" => Algorithm::Sha256,
        _ => return Err(AuthError::UnsupportedAlgorithm),
    };
    let headers: Vec<String> = headers
        .ok_or(AuthError::Malformed)?
        .split_whitespace()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    for required in ["request-line", "x-date", "content-sha512"] {
        if !headers.iter().any(|h| h == required) {
            return Err(AuthError::MissingSignedHeader(required));
        }
    }
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature.ok_or(AuthError::Malformed)?)
        .map_err(|_| AuthError::Malformed)?;
    let username = username
        .filter(|u| !u.is_empty() && u.len() <= 200)
        .ok_or(AuthError::Malformed)?;
    Ok(Authorization {
        username,
        algorithm,
        headers,
        signature,
    })
}

/// `key="value"` pairs separated by commas; values may not contain quotes.
fn split_params(s: &str) -> Result<Vec<(String, String)>, AuthError> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=').ok_or(AuthError::Malformed)?;
        let after = after.trim_start();
        let after = after.strip_prefix('"').ok_or(AuthError::Malformed)?;
        let end = after.find('"').ok_or(AuthError::Malformed)?;
        out.push((key.trim().to_string(), after[..end].to_string()));
        rest = after[end + 1..].trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        if out.len() > 8 {
            return Err(AuthError::Malformed);
        }
    }
    Ok(out)
}

/// The string to sign: one line per signed header, in the client's order,
/// joined by `\n`. `header` looks a request header up by lower-case name.
pub fn string_to_sign<'a>(
    auth: &Authorization,
    method: &str,
    path_and_query: &str,
    header: impl Fn(&str) -> Option<&'a str>,
) -> Result<String, AuthError> {
    let mut lines = Vec::with_capacity(auth.headers.len());
    for name in &auth.headers {
        if name == "request-line" {
            lines.push(format!("{method} {path_and_query} HTTP/1.1"));
        } else {
            let v = header(name).ok_or_else(|| AuthError::AbsentHeader(name.clone()))?;
            lines.push(format!("{name}: {v}"));
        }
    }
    Ok(lines.join("\n"))
}

pub fn sign(secret: &[u8], algorithm: &Algorithm, text: &str) -> Vec<u8> {
    match algorithm {
        Algorithm::Sha512 => {
            let mut m =
                <Hmac<Sha512> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
            m.update(text.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        Algorithm::Sha256 => {
            let mut m =
                <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
            m.update(text.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
    }
}

/// Constant-time check of a signature.
pub fn verify(secret: &[u8], algorithm: &Algorithm, text: &str, signature: &[u8]) -> bool {
    match algorithm {
        Algorithm::Sha512 => {
            let mut m =
                <Hmac<Sha512> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
            m.update(text.as_bytes());
            m.verify_slice(signature).is_ok()
        }
        Algorithm::Sha256 => {
            let mut m =
                <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
            m.update(text.as_bytes());
            m.verify_slice(signature).is_ok()
        }
    }
}

/// `Content-sha512`: Base64 of the body's raw SHA-512.
pub fn content_sha512(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha512::digest(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of ARCHITECTURE.md → "The gateway's HMAC signature".
    #[test]
    fn the_architecture_worked_example() {
        let body = br#"{"participant_id":12345,"account_type":"CA"}"#;
        assert_eq!(body.len(), 44);
        let digest = content_sha512(body);
        assert_eq!(digest, "nK/1bOBHyWdUWINc1IZysPGFT1UjuUBPT1veK4uUfAcKPGXyZYvFV2eoOMmfWZ6n0pFkovu6NeVL7NKAq7DTew==");
        let header = "hmac username=\"sandbox\", algorithm=\"hmac-sha512\", headers=\"request-line x-date content-type content-sha512 content-length\", signature=\"PUqenVw6tEaF1Q76Ggo1LvSFfFiWgsOUrCFZ3MkCVikMyYRnGQCGSnnwK0srJQ2JwpWUTItusIcvUa1wV6W3Cw==\"";
        let auth = parse_authorization(header).unwrap();
        let text = string_to_sign(&auth, "POST", "/gateway/verify", |h| match h {
            "x-date" => Some("Fri, 17 Jan 2020 19:59:29 GMT"),
            "content-type" => Some("application/json"),
            "content-sha512" => Some("nK/1bOBHyWdUWINc1IZysPGFT1UjuUBPT1veK4uUfAcKPGXyZYvFV2eoOMmfWZ6n0pFkovu6NeVL7NKAq7DTew=="),
            "content-length" => Some("44"),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            text,
            "POST /gateway/verify HTTP/1.1\nx-date: Fri, 17 Jan 2020 19:59:29 GMT\ncontent-type: application/json\ncontent-sha512: nK/1bOBHyWdUWINc1IZysPGFT1UjuUBPT1veK4uUfAcKPGXyZYvFV2eoOMmfWZ6n0pFkovu6NeVL7NKAq7DTew==\ncontent-length: 44"
        );
        let expected = base64::engine::general_purpose::STANDARD.encode(sign(
            b"sandbox-secret",
            &Algorithm::Sha512,
            &text,
        ));
        assert_eq!(expected, "PUqenVw6tEaF1Q76Ggo1LvSFfFiWgsOUrCFZ3MkCVikMyYRnGQCGSnnwK0srJQ2JwpWUTItusIcvUa1wV6W3Cw==");
        assert!(verify(
            b"sandbox-secret",
            &auth.algorithm,
            &text,
            &auth.signature
        ));
        assert!(!verify(
            b"other-secret",
            &auth.algorithm,
            &text,
            &auth.signature
        ));
    }

    #[test]
    fn malformed_headers_are_refused_without_panicking() {
        for h in [
            "",
            "hmac",
            "Basic abc",
            "hmac username=",
            "hmac username=\"u",
            "hmac username=\"u\", algorithm=\"hmac-md5\", headers=\"request-line x-date content-sha512\", signature=\"AA==\"",
            "hmac username=\"u\", algorithm=\"hmac-sha512\", headers=\"x-date content-sha512\", signature=\"AA==\"",
            "hmac username=\"u\", algorithm=\"hmac-sha512\", headers=\"request-line x-date content-sha512\", signature=\"***\"",
            "hmac username=\"é\", algorithm=\"hmac-sha512\", headers=\"request-line x-date content-sha512\", signature=\"AA==\", x=\"y\"",
        ] {
            assert!(parse_authorization(h).is_err(), "{h}");
        }
        let ok = parse_authorization(
            "HMAC username=\"u\",algorithm=\"HMAC-SHA256\",headers=\"Request-Line X-Date Content-SHA512\",signature=\"AA==\"",
        )
        .unwrap();
        assert_eq!(ok.algorithm, Algorithm::Sha256);
        assert_eq!(ok.headers, vec!["request-line", "x-date", "content-sha512"]);
        let absent = string_to_sign(&ok, "POST", "/x", |_| None);
        assert_eq!(absent, Err(AuthError::AbsentHeader("x-date".into())));
    }
}
