//! The audit key: 32 random bytes kept in a file outside the database, with which every
//! entry's hash is an HMAC, so whoever holds only the database cannot recompute the chain.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The key of the audit chain. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl AuditKey {
    /// A fresh random key from the operating system.
    pub fn generate() -> Option<AuditKey> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).ok()?;
        Some(AuditKey(key))
    }

    pub fn from_bytes(key: [u8; 32]) -> AuditKey {
        AuditKey(key)
    }

    /// A key from 64 hex digits (surrounding whitespace allowed).
    pub fn from_hex(text: &str) -> Option<AuditKey> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(AuditKey(bytes.try_into().ok()?))
    }

    /// The key as 64 hex digits, for its file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes keys of any length")
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

/// The hash function of a scheme, fed field by field.
pub(crate) enum Hasher {
    Plain(Sha256),
    Keyed(Hmac<Sha256>),
}

impl Hasher {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Plain(h) => sha2::Digest::update(h, bytes),
            Hasher::Keyed(m) => m.update(bytes),
        }
    }

    pub(crate) fn finish(self) -> String {
        match self {
            Hasher::Plain(h) => hex::encode(sha2::Digest::finalize(h)),
            Hasher::Keyed(m) => hex::encode(m.finalize().into_bytes()),
        }
    }
}
