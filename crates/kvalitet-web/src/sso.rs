//! How people sign in to this installation: through an OpenID Connect provider (the
//! installation's one, or each municipality's own), with local passwords, or both; with
//! passwords off, only the named break-glass accounts may still use theirs.

use kvalitet_domain::org::TenantId;
use kvalitet_oidc::Provider;
use kvalitet_store::accounts::provider::Provisioning;

/// One provider and the people it signs in.
#[derive(Debug, Clone)]
pub struct SsoProvider {
    /// Its short name, in the start link (`?kommun=`) and before the dot of every state
    /// it issues, so the callback knows which provider the browser returns from; empty
    /// for the installation's single provider (`--oidc-issuer`).
    pub key: String,
    /// The municipality whose people it signs in; `None` (the single provider): whichever
    /// municipality the account belongs to.
    pub tenant: Option<TenantId>,
    /// The municipality's name, on the sign-in button when several are offered.
    pub name: String,
    /// Host names on which this provider alone is offered (`kvalitet.alvby.se`).
    pub hosts: Vec<String>,
    pub provider: Provider,
    pub provisioning: Provisioning,
}

/// Single sign-on and its companions, from the `serve` flags or the `--oidc-config` file.
#[derive(Debug, Clone)]
pub struct Sso {
    /// At least one.
    pub providers: Vec<SsoProvider>,
    /// Whether local passwords sign in (for everyone; else only break-glass accounts).
    pub password_login: bool,
    /// Accounts that may sign in with a password when passwords are off (lowercase).
    pub break_glass: Vec<String>,
}

impl Sso {
    /// The installation's one provider, for every municipality.
    pub fn single(
        provider: Provider,
        provisioning: Provisioning,
        password_login: bool,
        break_glass: Vec<String>,
    ) -> Sso {
        let one = SsoProvider {
            key: String::new(),
            tenant: None,
            name: String::new(),
            hosts: vec![],
            provider,
            provisioning,
        };
        Sso { providers: vec![one], password_login, break_glass }
    }

    /// Whether the account with `email` may sign in with its password.
    pub fn allows_password(&self, email: &str) -> bool {
        self.password_login || self.break_glass.iter().any(|b| b.eq_ignore_ascii_case(email.trim()))
    }

    /// The provider with this short name.
    pub fn by_key(&self, key: &str) -> Option<&SsoProvider> {
        self.providers.iter().find(|p| p.key == key)
    }

    /// The provider a state came from: its part before the first dot names it.
    pub fn by_state(&self, state: &str) -> Option<&SsoProvider> {
        self.by_key(state.split_once('.').map_or("", |(key, _)| key))
    }

    /// The provider that signs in the people of `tenant` (for signing out there).
    pub fn for_tenant(&self, tenant: TenantId) -> Option<&SsoProvider> {
        self.providers.iter().find(|p| p.tenant.is_none_or(|t| t == tenant))
    }

    /// The providers offered on the sign-in page reached at `host`: the one whose host it
    /// is, else all.
    pub fn offered(&self, host: Option<&str>) -> Vec<&SsoProvider> {
        let host = host.map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase());
        let own: Vec<&SsoProvider> = self
            .providers
            .iter()
            .filter(|p| host.as_deref().is_some_and(|h| p.hosts.iter().any(|x| x.eq_ignore_ascii_case(h))))
            .collect();
        if own.is_empty() { self.providers.iter().collect() } else { own }
    }

    /// The origins browsers are sent to when signing out at a provider.
    pub fn logout_origins(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.providers.iter().filter_map(|p| p.provider.logout_origin()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}
