//! How people sign in to this installation: through the municipality's OpenID Connect
//! provider, with local passwords, or both; with passwords off, only the named
//! break-glass accounts may still use theirs.

use kvalitet_oidc::Provider;
use kvalitet_store::accounts::provider::Provisioning;

/// Single sign-on and its companions, from the `serve` flags.
#[derive(Debug, Clone)]
pub struct Sso {
    pub provider: Provider,
    pub provisioning: Provisioning,
    /// Whether local passwords sign in (for everyone; else only break-glass accounts).
    pub password_login: bool,
    /// Accounts that may sign in with a password when passwords are off (lowercase).
    pub break_glass: Vec<String>,
}

impl Sso {
    /// Whether the account with `email` may sign in with its password.
    pub fn allows_password(&self, email: &str) -> bool {
        self.password_login || self.break_glass.iter().any(|b| b.eq_ignore_ascii_case(email.trim()))
    }
}
