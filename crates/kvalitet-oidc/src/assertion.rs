//! The client assertion of `private_key_jwt` (RFC 7523, OpenID Connect Core 9): a short
//! JWT about the client itself, signed with its RSA private key, sent to the token
//! endpoint instead of a shared secret.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};

use crate::Error;

/// The `client_assertion_type` of a JWT assertion.
pub const TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid: long enough for the one request it is made for.
const LIFETIME_SECONDS: u64 = 120;

/// Checks that `pem` is an RSA private key Kvalitet can sign with.
pub fn check_key(pem: &str) -> Result<(), Error> {
    signing_key(pem, None).map(|_| ())
}

/// The signing key from a PEM in PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN
/// PRIVATE KEY`, as OpenSSL and most tools write it).
fn signing_key(pem: &str, key_id: Option<&str>) -> Result<CoreRsaPrivateSigningKey, Error> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    let refused = |e: &dyn std::fmt::Display| Error::Config(format!("the private key: {e}"));
    let pkcs1 = if pem.contains("BEGIN PRIVATE KEY") {
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| refused(&e))?;
        key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).map_err(|e| refused(&e))?.to_string()
    } else {
        pem.to_owned()
    };
    CoreRsaPrivateSigningKey::from_pem(&pkcs1, key_id.map(|k| JsonWebKeyId::new(k.to_owned()))).map_err(|e| refused(&e))
}

/// An RS256-signed assertion that `client_id` is asking `audience` (the token endpoint).
pub fn sign(
    client_id: &str,
    audience: &str,
    pem: &str,
    key_id: Option<&str>,
    thumbprint: Option<&str>,
) -> Result<String, Error> {
    let key = signing_key(pem, key_id)?;
    let mut header = serde_json::json!({ "alg": "RS256", "typ": "JWT" });
    if let Some(kid) = key_id {
        header["kid"] = kid.into();
    }
    if let Some(x5t) = thumbprint {
        header["x5t"] = x5t.into();
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut jti = [0u8; 16];
    getrandom::fill(&mut jti).map_err(|e| Error::Config(e.to_string()))?;
    let claims = serde_json::json!({
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": URL_SAFE_NO_PAD.encode(jti),
        "iat": now,
        "nbf": now,
        "exp": now + LIFETIME_SECONDS,
    });
    let input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = key
        .sign(&CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, input.as_bytes())
        .map_err(|e| Error::Config(format!("signing the client assertion: {e}")))?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}
