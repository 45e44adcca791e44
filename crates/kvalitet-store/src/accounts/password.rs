//! Passwords: the policy a new password must meet (length, and not guessable: common,
//! or built from the e-mail address or the municipality's name, judged by zxcvbn), and
//! Argon2id hashing, which is slow on purpose and runs off the async workers.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use kvalitet_domain::access::check_password;
use kvalitet_domain::{Problem, ValidationErrors};

use crate::error::Result;

/// The lowest zxcvbn score accepted (0–4; 3 is "safely unguessable": about 10^8 guesses).
const MIN_SCORE: u8 = 3;

/// Hashes a password with Argon2id (slow on purpose: call it off the async runtime's
/// worker threads, e.g. in `spawn_blocking`).
pub fn hash_password(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 hashes any password").to_string()
}

/// Whether `password` matches `hash`; an empty hash (an account without a password)
/// matches nothing, after the same work as a real check.
pub(crate) fn password_matches(password: &str, hash: &str) -> bool {
    let real = !hash.is_empty();
    let hash = if real { hash } else { dummy_hash() };
    let ok = PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok());
    ok && real
}

/// A hash of a random password, to spend the time of a real check where there is none
/// (an unknown address, an account without a password), so timing tells nothing.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&super::random_token()))
}

/// Checks a new password against the policy: at least
/// [`kvalitet_domain::access::MIN_PASSWORD_CHARS`] characters, and hard to guess for
/// someone who knows the address and the municipality.
pub fn check_policy(password: &str, email: &str, municipality: &str) -> Result<(), ValidationErrors> {
    check_password(password, email)?;
    let mut hints: Vec<&str> = vec![email, municipality, email.split('@').next().unwrap_or("")];
    hints.extend(email.split(['@', '.', '-', '_', '+']).filter(|p| p.chars().count() >= 3));
    hints.extend(municipality.split_whitespace().filter(|p| p.chars().count() >= 3));
    // zxcvbn's matching grows with the length; the policy judges the first 100 characters.
    let judged: String = password.chars().take(100).collect();
    let score = zxcvbn::zxcvbn(&judged, &hints).score() as u8;
    if score < MIN_SCORE {
        let mut e = ValidationErrors::default();
        e.push(
            "password",
            Problem::Invalid(
                "lösenordet är för lätt att gissa (vanligt, eller byggt på din e-postadress eller kommunens namn); välj en fras av flera ord".into(),
            ),
        );
        return Err(e);
    }
    Ok(())
}

/// Checks a new password against the policy and hashes it.
pub async fn new_password_hash(password: String, email: &str, municipality: &str) -> Result<String> {
    check_policy(&password, email, municipality)?;
    Ok(tokio::task::spawn_blocking(move || hash_password(&password)).await.expect("hashing does not panic"))
}

/// Verifies a password off the async workers.
pub(crate) async fn verify(password: &str, hash: &str) -> bool {
    let (pw, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || password_matches(&pw, &hash)).await.expect("verify does not panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessable_passwords_are_refused() {
        for bad in ["kort", "password1234", "qwertyuiopasdf", "anna.svensson2024", "Huddinge2024!", "111111111111"] {
            assert!(check_policy(bad, "anna.svensson@huddinge.se", "Huddinge kommun").is_err(), "{bad}");
        }
        for good in ["grön-kaffekopp-på-cykelstället", "Tre blåa elefanter dansar tango"] {
            assert!(check_policy(good, "anna.svensson@huddinge.se", "Huddinge kommun").is_ok(), "{good}");
        }
    }

    #[test]
    fn an_empty_hash_matches_nothing() {
        assert!(!password_matches("", ""));
        assert!(!password_matches("något-lösenord", ""));
        let h = hash_password("ett-långt-lösenord");
        assert!(password_matches("ett-långt-lösenord", &h));
        assert!(!password_matches("ett-annat-lösenord", &h));
    }
}
