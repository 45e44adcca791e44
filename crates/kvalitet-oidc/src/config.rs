//! How the installation talks to its provider: issuer, client, the addresses the provider
//! sends the browser back to, and which claims name the person and their groups.

/// How Kvalitet proves to the provider's token endpoint that it is the client.
#[derive(Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// A shared secret, sent with HTTP Basic authentication (`client_secret_basic`).
    Secret(String),
    /// A JWT signed with the client's RSA private key (`private_key_jwt`, RFC 7523), as
    /// Entra ID asks of applications with a certificate: the provider holds the public key.
    PrivateKey {
        /// The key in PEM (PKCS#1 or PKCS#8).
        pem: String,
        /// The key's id (`kid`) at the provider, if it asks for one.
        key_id: Option<String>,
        /// The certificate's SHA-1 thumbprint, base64url (`x5t`), as Entra ID asks for.
        thumbprint: Option<String>,
    },
}

/// The provider's settings.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// The issuer URL; its `/.well-known/openid-configuration` is read at start.
    pub issuer: String,
    pub client_id: String,
    pub auth: ClientAuth,
    /// `PUBLIC_URL/logga-in/oidc`: registered at the provider as the redirect URI.
    pub redirect_url: String,
    /// Where the provider sends the browser after signing out there.
    pub post_logout_url: String,
    /// The claim matched against the accounts' addresses (`email`; `preferred_username`
    /// or `upn` for Entra ID).
    pub claim: String,
    /// The claim listing the person's groups.
    pub groups_claim: String,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "auth",
                &match self.auth {
                    ClientAuth::Secret(_) => "client_secret_basic",
                    ClientAuth::PrivateKey { .. } => "private_key_jwt",
                },
            )
            .field("redirect_url", &self.redirect_url)
            .field("claim", &self.claim)
            .field("groups_claim", &self.groups_claim)
            .finish()
    }
}

impl Config {
    /// The settings for an installation reached at `public_url` (without a trailing
    /// slash), with the default claims `email` and `groups`.
    pub fn new(issuer: &str, client_id: &str, client_secret: &str, public_url: &str) -> Config {
        let base = public_url.trim_end_matches('/');
        Config {
            issuer: issuer.trim().to_owned(),
            client_id: client_id.trim().to_owned(),
            auth: ClientAuth::Secret(client_secret.trim().to_owned()),
            redirect_url: format!("{base}/logga-in/oidc"),
            post_logout_url: format!("{base}/logga-in?utloggad=1"),
            claim: "email".into(),
            groups_claim: "groups".into(),
        }
    }

    /// The scopes asked for besides `openid`.
    pub fn scopes(&self) -> Vec<String> {
        vec!["email".into(), "profile".into()]
    }
}
