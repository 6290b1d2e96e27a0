//! Connect's `v1HMAC` request signature, as the official SDKs compute it
//! (spec/connect-wire.md): `Authorization: GCS v1HMAC:<apiKeyId>:<signature>`.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub key_id: String,
    pub signature: Vec<u8>,
}

/// Parses `GCS v1HMAC:<apiKeyId>:<base64 signature>`.
pub fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = crate::extract::credentials(value, "GCS")?.strip_prefix("v1HMAC:")?;
    let (key_id, sig) = rest.split_once(':')?;
    if key_id.is_empty()
        || key_id.len() > 100
        || !key_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    let signature = base64::engine::general_purpose::STANDARD
        .decode(sig.trim())
        .ok()?;
    Some(Authorization {
        key_id: key_id.to_string(),
        signature,
    })
}

/// The string to sign: method, content type (or empty), date, the x-gcs
/// headers as `name:value` sorted by name, and the path with its query; each
/// line ends in `\n`.
pub fn string_to_sign<'a>(
    method: &str,
    content_type: Option<&str>,
    date: &str,
    headers: impl Iterator<Item = (&'a str, &'a str)>,
    path_and_query: &str,
) -> String {
    let mut gcs: Vec<(String, String)> = headers
        .filter(|(n, _)| n.to_ascii_lowercase().starts_with("x-gcs"))
        .map(|(n, v)| {
            let folded = v
                .split(['\r', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            (n.to_ascii_lowercase(), folded.trim().to_string())
        })
        .collect();
    gcs.sort();
    let mut s = String::new();
    s.push_str(&method.to_ascii_uppercase());
    s.push('\n');
    s.push_str(content_type.unwrap_or(""));
    s.push('\n');
    s.push_str(date);
    s.push('\n');
    for (n, v) in gcs {
        s.push_str(&n);
        s.push(':');
        s.push_str(&v);
        s.push('\n');
    }
    s.push_str(path_and_query);
    s.push('\n');
    s
}

pub fn sign(secret: &str, text: &str) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    m.update(text.as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// Constant-time check.
pub fn verify(secret: &str, text: &str, signature: &[u8]) -> bool {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    m.update(text.as_bytes());
    m.verify_slice(signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of spec/connect-wire.md.
    #[test]
    fn the_connect_wire_worked_example() {
        let text = string_to_sign(
            "GET",
            None,
            "Mon, 07 Jul 2014 12:12:40 GMT",
            [
                (
                    "X-GCS-ServerMetaInfo",
                    "eyJzZGtDcmVhdG9yIjoiV29ybGRsaW5lIn0=",
                ),
                ("Accept", "application/json"),
            ]
            .into_iter(),
            "/v1/1234/tokens/abc-123",
        );
        assert_eq!(
            text,
            "GET\n\nMon, 07 Jul 2014 12:12:40 GMT\nx-gcs-servermetainfo:eyJzZGtDcmVhdG9yIjoiV29ybGRsaW5lIn0=\n/v1/1234/tokens/abc-123\n"
        );
        let sig = base64::engine::general_purpose::STANDARD
            .encode(sign("I42Zf4pVnRdroHfuHnRiJjJ2B6+22h0yQt/R3nZR8Xg=", &text));
        assert_eq!(sig, "JUcBFgjIzJWhiwlib2rmRXWcH7eIQqj++sbH6LVbz0g=");
        let auth = parse_authorization(&format!("GCS v1HMAC:5e45c937b9db33ae:{sig}")).unwrap();
        assert_eq!(auth.key_id, "5e45c937b9db33ae");
        assert!(verify(
            "I42Zf4pVnRdroHfuHnRiJjJ2B6+22h0yQt/R3nZR8Xg=",
            &text,
            &auth.signature
        ));
        assert!(!verify("another", &text, &auth.signature));
    }

    #[test]
    fn x_gcs_headers_are_sorted_and_folded_and_bad_headers_refused() {
        let text = string_to_sign(
            "post",
            Some("application/json"),
            "d",
            [("X-GCS-b", " two\r\n  lines "), ("x-gcs-a", "1")].into_iter(),
            "/p?q=1",
        );
        assert_eq!(
            text,
            "POST\napplication/json\nd\nx-gcs-a:1\nx-gcs-b:two lines\n/p?q=1\n"
        );
        for bad in [
            "",
            "GCS",
            "GCS v1HMAC:",
            "GCS v1HMAC:key",
            "Bearer x",
            "GCS v1HMAC:k:@@@",
            "GCS v1HMAC:k/../:AA==",
        ] {
            assert!(parse_authorization(bad).is_none(), "{bad}");
        }
    }
}
