//! Single sign-on through the municipality's OpenID Connect provider (Entra ID, AD FS, a
//! regional one): discovery, the authorization request (code flow with PKCE, state and
//! nonce), the code exchange and the verified ID token's claims. Knows no web framework
//! and no database: the caller keeps the flow's state and starts the session.
//!
//! Architecture invariant: every ID token is checked by `openidconnect`'s verifier with
//! the provider's keys, issuer, this client's id as audience, expiry and the flow's
//! nonce; nothing here turns a check off.

mod assertion;
mod config;

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IdToken, IssuerUrl, LogoutRequest, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

pub use assertion::check_key;
pub use config::{ClientAuth, Config};

/// The provider's metadata and keys are fetched again after this long, so rotated keys
/// are picked up.
const REFRESH: Duration = Duration::from_secs(15 * 60);

/// What can go wrong talking to the provider or with its answer. The text is for the
/// operator's log, never for the person signing in.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not read the provider's metadata from {issuer}: {message}")]
    Discovery { issuer: String, message: String },
    #[error("bad configuration: {0}")]
    Config(String),
    #[error("the code exchange failed: {0}")]
    Exchange(String),
    #[error("the provider's answer has no ID token")]
    NoIdToken,
    #[error("the ID token was refused: {0}")]
    Token(String),
    #[error("the ID token has no usable claim {0}")]
    MissingClaim(String),
}

/// Claims beyond the standard ones (`upn`, `groups`, …), kept as they came.
#[derive(Debug, Clone, Deserialize, Serialize)]
struct OtherClaims(serde_json::Map<String, serde_json::Value>);
impl AdditionalClaims for OtherClaims {}

type Token = IdToken<OtherClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// A started sign-in: send the browser to `url`; keep `state`, `nonce` and
/// `pkce_verifier` for the way back.
#[derive(Debug, Clone)]
pub struct Start {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The person the provider vouched for, from a verified ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The identifying claim's value (see [`Config::claim`]).
    pub key: String,
    pub name: Option<String>,
    /// The groups claim's values (strings; an absent claim gives none).
    pub groups: Vec<String>,
    /// The ID token itself, as a hint when signing out at the provider.
    pub id_token: String,
}

/// The installation's OpenID Connect provider. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Provider {
    config: Arc<Config>,
    http: reqwest::Client,
    metadata: Arc<RwLock<(Instant, ProviderMetadataWithLogout)>>,
    /// The origin of the end-session endpoint at discovery (sign-out posts a form that
    /// redirects there, so the pages' `form-action` must allow it).
    logout_origin: Option<String>,
}

impl Provider {
    /// Reads the provider's metadata and keys from its discovery document.
    pub async fn discover(config: Config) -> Result<Provider, Error> {
        let http = reqwest::Client::builder()
            // The provider's endpoints must answer themselves: following redirects would
            // let a redirect lead the token request elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| Error::Config(e.to_string()))?;
        let metadata = fetch(&config, &http).await?;
        let logout_origin = metadata
            .additional_metadata()
            .end_session_endpoint
            .as_ref()
            .map(|e| e.url().origin().ascii_serialization());
        Ok(Provider {
            config: Arc::new(config),
            http,
            metadata: Arc::new(RwLock::new((Instant::now(), metadata))),
            logout_origin,
        })
    }

    /// The origin the browser is sent to when signing out at the provider, if any.
    pub fn logout_origin(&self) -> Option<&str> {
        self.logout_origin.as_deref()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The metadata, fetched again when older than [`REFRESH`] (or kept, with a
    /// warning, if the provider does not answer).
    async fn metadata(&self) -> ProviderMetadataWithLogout {
        {
            let m = self.metadata.read().await;
            if m.0.elapsed() < REFRESH {
                return m.1.clone();
            }
        }
        let mut m = self.metadata.write().await;
        if m.0.elapsed() >= REFRESH {
            match fetch(&self.config, &self.http).await {
                Ok(fresh) => *m = (Instant::now(), fresh),
                Err(e) => tracing::warn!("keeping the provider's earlier metadata: {e}"),
            }
        }
        m.1.clone()
    }

    async fn client(&self) -> Result<Client, Error> {
        let redirect = RedirectUrl::new(self.config.redirect_url.clone()).map_err(|e| Error::Config(e.to_string()))?;
        let secret = match &self.config.auth {
            ClientAuth::Secret(secret) => Some(ClientSecret::new(secret.clone())),
            ClientAuth::PrivateKey { .. } => None,
        };
        let client = CoreClient::from_provider_metadata(
            self.metadata().await,
            ClientId::new(self.config.client_id.clone()),
            secret,
        )
        .set_redirect_uri(redirect);
        // With a private key the client id goes in the request body beside the assertion.
        Ok(match self.config.auth {
            ClientAuth::Secret(_) => client,
            ClientAuth::PrivateKey { .. } => client.set_auth_type(openidconnect::AuthType::RequestBody),
        })
    }

    /// Starts a sign-in: the provider's authorization URL with a fresh state, nonce and
    /// PKCE challenge (S256).
    ///
    /// `state_prefix` begins the state (followed by a dot and the random part), so the
    /// callback can tell which of several providers the browser comes back from; the
    /// state as a whole is still only known from the flow kept for it.
    pub async fn start(&self, state_prefix: &str) -> Result<Start, Error> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let prefix = state_prefix.to_owned();
        let state = move || {
            let random = CsrfToken::new_random();
            if prefix.is_empty() { random } else { CsrfToken::new(format!("{prefix}.{}", random.secret())) }
        };
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, state, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for scope in self.config.scopes() {
            request = request.add_scope(Scope::new(scope));
        }
        let (url, state, nonce) = request.url();
        Ok(Start {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Finishes a sign-in: exchanges `code` (with the flow's PKCE verifier) for tokens and
    /// verifies the ID token against the flow's `nonce`.
    pub async fn finish(&self, code: &str, pkce_verifier: &str, nonce: &str) -> Result<Person, Error> {
        let client = self.client().await?;
        let mut request = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| Error::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()));
        if let ClientAuth::PrivateKey { pem, key_id, thumbprint } = &self.config.auth {
            let audience = self.metadata().await.token_endpoint().map(|e| e.url().to_string()).unwrap_or_default();
            let assertion =
                assertion::sign(&self.config.client_id, &audience, pem, key_id.as_deref(), thumbprint.as_deref())?;
            request = request
                .add_extra_param("client_assertion_type", assertion::TYPE)
                .add_extra_param("client_assertion", assertion);
        }
        let response = request.request_async(&self.http).await.map_err(|e| Error::Exchange(describe(&e)))?;
        let id_token = response.id_token().ok_or(Error::NoIdToken)?.to_string();
        self.verify(&id_token, nonce).await
    }

    /// Verifies an ID token (signature by the provider's keys, issuer, audience, expiry,
    /// nonce) and reads the person from it.
    pub async fn verify(&self, id_token: &str, nonce: &str) -> Result<Person, Error> {
        let client = self.client().await?;
        let token: Token = id_token.parse().map_err(|e: serde_json::Error| Error::Token(e.to_string()))?;
        let claims = token
            .claims(&client.id_token_verifier(), &Nonce::new(nonce.to_owned()))
            .map_err(|e| Error::Token(e.to_string()))?;
        let all = serde_json::to_value(claims).map_err(|e| Error::Token(e.to_string()))?;
        person(&self.config, &all, id_token)
    }

    /// Where to send the browser to sign out at the provider too, if it has an
    /// end-session endpoint.
    pub async fn logout_url(&self, id_token_hint: Option<&str>) -> Option<String> {
        let endpoint = self.metadata().await.additional_metadata().end_session_endpoint.clone()?;
        let mut request = LogoutRequest::from(endpoint).set_client_id(ClientId::new(self.config.client_id.clone()));
        if let Some(hint) = id_token_hint.and_then(|h| h.parse::<Token>().ok()) {
            request = request.set_id_token_hint(&hint);
        }
        if let Ok(back) = PostLogoutRedirectUrl::new(self.config.post_logout_url.clone()) {
            request = request.set_post_logout_redirect_uri(back);
        }
        Some(request.http_get_url().to_string())
    }
}

type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

async fn fetch(config: &Config, http: &reqwest::Client) -> Result<ProviderMetadataWithLogout, Error> {
    let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|e| Error::Config(e.to_string()))?;
    ProviderMetadataWithLogout::discover_async(issuer, http)
        .await
        .map_err(|e| Error::Discovery { issuer: config.issuer.clone(), message: describe(&e) })
}

/// An error with its causes, for the log.
fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The person in a verified token's claims.
fn person(config: &Config, claims: &serde_json::Value, id_token: &str) -> Result<Person, Error> {
    let text = |name: &str| claims.get(name).and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty());
    let key = text(&config.claim).ok_or_else(|| Error::MissingClaim(config.claim.clone()))?;
    // A provider that says the address is unverified is not trusted with it.
    if config.claim == "email" && claims.get("email_verified").and_then(|v| v.as_bool()) == Some(false) {
        return Err(Error::MissingClaim("email (email_verified is false)".into()));
    }
    let groups = match claims.get(&config.groups_claim) {
        Some(serde_json::Value::Array(values)) => values.iter().filter_map(|v| v.as_str()).map(str::to_owned).collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => vec![],
    };
    Ok(Person { key: key.to_owned(), name: text("name").map(str::to_owned), groups, id_token: id_token.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new("https://idp.example", "kvalitet", "s", "https://kvalitet.example")
    }

    #[test]
    fn the_person_comes_from_the_configured_claims() {
        let claims = serde_json::json!({
            "email": "Anna@Kommun.se", "upn": "anna@kommun.se", "name": "Anna", "groups": ["a", "b", 3]
        });
        let p = person(&config(), &claims, "t").unwrap();
        assert_eq!(
            (p.key.as_str(), p.name.as_deref(), p.groups),
            ("Anna@Kommun.se", Some("Anna"), vec!["a".into(), "b".into()])
        );
        let upn = Config { claim: "upn".into(), groups_claim: "roles".into(), ..config() };
        let p = person(&upn, &claims, "t").unwrap();
        assert_eq!((p.key.as_str(), p.groups.len()), ("anna@kommun.se", 0));
        assert!(person(&Config { claim: "preferred_username".into(), ..config() }, &claims, "t").is_err());
        let unverified = serde_json::json!({ "email": "a@b.se", "email_verified": false });
        assert!(person(&config(), &unverified, "t").is_err());
    }
}
