//! Pseudonymisation of person ids: HMAC-SHA256 under a secret key, applied while parsing.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// A 32-byte key for pseudonymising person ids. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; 32]);

/// Why a hex string is not a [`Secret`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("nyckeln ska vara 64 hexadecimala tecken (32 byte), den har {0} tecken")]
    Length(usize),
    #[error("nyckeln innehåller ett tecken som inte är hexadecimalt")]
    NotHex,
    #[error("kunde inte hämta slumptal från operativsystemet")]
    Random,
}

impl Secret {
    /// A fresh random key from the operating system.
    pub fn generate() -> Result<Secret, SecretError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|_| SecretError::Random)?;
        Ok(Secret(key))
    }

    /// A key from raw bytes (for tests and stored keys).
    pub fn from_bytes(key: [u8; 32]) -> Secret {
        Secret(key)
    }

    /// A key from 64 hex digits (surrounding whitespace allowed, either case).
    pub fn from_hex(hex: &str) -> Result<Secret, SecretError> {
        let hex = hex.trim();
        if hex.len() != 64 {
            return Err(SecretError::Length(hex.chars().count()));
        }
        let mut key = [0u8; 32];
        for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
            let hi = hex_digit(pair[0]).ok_or(SecretError::NotHex)?;
            let lo = hex_digit(pair[1]).ok_or(SecretError::NotHex)?;
            key[i] = hi << 4 | lo;
        }
        Ok(Secret(key))
    }

    /// The key as 64 lower-case hex digits, for saving.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    /// A pseudonymiser keyed with this secret.
    pub fn pseudonymiser(&self) -> Pseudonymiser {
        Pseudonymiser {
            mac: <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC accepts keys of any length"),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Turns raw person ids into [`PersonKey`]s; keyed once, cheap per id.
#[derive(Clone)]
pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
}

impl fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pseudonymiser(…)")
    }
}

impl Pseudonymiser {
    /// The pseudonym of a raw person id. Whitespace and hyphens are ignored, so
    /// `19121212-1212` and `191212121212` get the same key.
    pub fn key(&self, raw: &[u8]) -> PersonKey {
        let mut mac = self.mac.clone();
        for part in raw.split(|b| b.is_ascii_whitespace() || *b == b'-' || *b == b'+') {
            mac.update(part);
        }
        let full = mac.finalize().into_bytes();
        let mut key = [0u8; 16];
        key.copy_from_slice(&full[..16]);
        PersonKey(key)
    }
}

/// The HMAC-SHA256 of a person id truncated to its first 128 bits (truncation as in
/// RFC 2104 section 5; collisions are out of reach at any municipality's scale): the same
/// person gets the same key under one secret. 16 bytes keep parsed rows small.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonKey([u8; 16]);

impl PersonKey {
    /// In rows that are fed to the measures and dropped ([`crate::import_and_compute`]),
    /// which never read the person: no pseudonym is computed.
    pub(crate) const UNSET: PersonKey = PersonKey([0; 16]);

    /// The key as 32 hex digits.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

impl fmt::Debug for PersonKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonKey({}…)", &to_hex(&self.0[..4]))
    }
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_rejects() {
        let s = Secret::generate().unwrap();
        assert_eq!(Secret::from_hex(&s.to_hex()).unwrap(), s);
        assert_eq!(Secret::from_hex("abc"), Err(SecretError::Length(3)));
        assert_eq!(Secret::from_hex(&"g".repeat(64)), Err(SecretError::NotHex));
        assert_eq!(format!("{s:?}"), "Secret(…)");
    }

    #[test]
    fn keys_are_hmac_sha256_and_ignore_hyphens() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let p = Secret::from_bytes(key).pseudonymiser();
        assert_eq!(
            p.key(b"what do ya want for nothing?").to_hex(),
            // RFC 4231 pads the key with zeros to the block size, so a 32-byte key with
            // trailing zeros gives the same MAC as "Jefe"; whitespace is ignored by `key`.
            expected_without_spaces()[..32]
        );
        assert_eq!(p.key(b"19121212-1212"), p.key(b"191212121212"));
        assert_ne!(p.key(b"19121212-1212"), p.key(b"19121212-1213"));
        let other = Secret::from_bytes([7; 32]).pseudonymiser();
        assert_ne!(p.key(b"191212121212"), other.key(b"191212121212"));
    }

    fn expected_without_spaces() -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"whatdoyawantfornothing?");
        to_hex(&mac.finalize().into_bytes())
    }

    #[test]
    fn rfc4231_vector_through_the_same_mac() {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            to_hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
