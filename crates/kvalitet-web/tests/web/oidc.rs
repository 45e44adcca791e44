//! Single sign-on through the real router and the real token verification, against a
//! small OpenID provider in the test (discovery, keys, token endpoint with PKCE) whose ID
//! tokens the test signs itself, so each check can be made to fail: audience, issuer,
//! expiry, signing key, nonce; state missing, replayed or from another browser; unknown
//! and deactivated accounts; accounts created and roles set from groups.
//! (tests/web/oidc/*.pem are throwaway keys made for these tests.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use sha2::{Digest, Sha256};
use sqlx::Row;

use kvalitet_domain::Versioned;
use kvalitet_domain::access::{Role, RoleAssignment};
use kvalitet_domain::org::OrgUnit;
use kvalitet_oidc::{ClientAuth, Config, Provider};
use kvalitet_store::accounts::provider::{GroupRole, Provisioning};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, Where, accounts, repo};
use kvalitet_web::{AppState, Sso, SsoProvider, router};

use crate::{ADMIN, QUALITY, Response, TestApp};

const KEY: &str = include_str!("oidc/provider-key.pem");
const OTHER_KEY: &str = include_str!("oidc/other-key.pem");
/// The key Kvalitet signs its `private_key_jwt` assertions with (the provider knows its
/// public half).
const CLIENT_KEY: &str = OTHER_KEY;
const CLIENT: &str = "kvalitet";
const SECRET: &str = "test-hemlighet";

/// What the test provider's token endpoint answers for a code: an ID token, and the
/// PKCE challenge the code was issued under.
#[derive(Default)]
struct Issued {
    codes: HashMap<String, (String, String)>,
}

#[derive(Clone)]
struct TestProvider {
    issuer: String,
    issued: Arc<Mutex<Issued>>,
}

fn key(pem: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("k1".into()))).unwrap()
}

/// A compact JWS (RS256) of `claims`, signed with `pem`.
fn sign(pem: &str, claims: &serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{header}.{payload}");
    let sig = key(pem).sign(&CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

async fn token(
    State(p): State<TestProvider>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> (StatusCode, Json<serde_json::Value>) {
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT}:{SECRET}")));
    let authorised = headers.get(header::AUTHORIZATION).is_some_and(|v| v == basic.as_str())
        || f.get("client_assertion").is_some_and(|a| {
            f.get("client_assertion_type").map(String::as_str) == Some(kvalitet_oidc_assertion_type())
                && f.get("client_id").map(String::as_str) == Some(CLIENT)
                && client_assertion_holds(a, &format!("{}/token", p.issuer))
        });
    let issued = p.issued.lock().unwrap().codes.remove(f.get("code").map_or("", String::as_str));
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    match issued {
        Some((id_token, challenge))
            if authorised && URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge =>
        {
            let body = serde_json::json!({ "access_token": "a", "token_type": "Bearer", "expires_in": 300, "id_token": id_token });
            (StatusCode::OK, Json(body))
        }
        _ => (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": "invalid_grant" }))),
    }
}

fn kvalitet_oidc_assertion_type() -> &'static str {
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
}

/// Whether a `private_key_jwt` assertion is signed with the client's registered key
/// (`CLIENT_KEY`) and says what RFC 7523 asks: the client as issuer and subject, the token
/// endpoint as audience, not expired, with an id.
fn client_assertion_holds(jwt: &str, token_endpoint: &str) -> bool {
    use openidconnect::JsonWebKey;
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, payload, signature] = parts[..] else { return false };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else { return false };
    let registered = key(CLIENT_KEY).as_verification_key();
    let message = format!("{header}.{payload}");
    if registered
        .verify_signature(&CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, message.as_bytes(), &signature)
        .is_err()
    {
        return false;
    }
    let Ok(claims) = URL_SAFE_NO_PAD.decode(payload) else { return false };
    let Ok(c) = serde_json::from_slice::<serde_json::Value>(&claims) else { return false };
    let now = jiff::Timestamp::now().as_second();
    c["iss"] == CLIENT
        && c["sub"] == CLIENT
        && c["aud"] == token_endpoint
        && c["exp"].as_i64().is_some_and(|e| e > now)
        && c["jti"].as_str().is_some_and(|j| !j.is_empty())
}

impl TestProvider {
    async fn start() -> TestProvider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let p = TestProvider { issuer: issuer.clone(), issued: Arc::default() };
        let discovery = serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/jwks"),
            "end_session_endpoint": format!("{issuer}/session/end"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        });
        let jwks = serde_json::json!({ "keys": [key(KEY).as_verification_key()] });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(move || async move { Json(discovery) }))
            .route("/jwks", get(move || async move { Json(jwks) }))
            .route("/token", post(token))
            .with_state(p.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        p
    }

    fn config(&self) -> Config {
        Config::new(&self.issuer, CLIENT, SECRET, "https://kvalitet.test")
    }
}

/// The claims of a good ID token for `email` under `nonce`.
fn claims(p: &TestProvider, email: &str, nonce: &str, groups: &[&str]) -> serde_json::Value {
    let now = jiff::Timestamp::now().as_second();
    serde_json::json!({
        "iss": p.issuer, "aud": CLIENT, "sub": email, "email": email, "email_verified": true,
        "name": "Sam Sso", "groups": groups, "nonce": nonce, "iat": now, "exp": now + 300,
    })
}

/// A browser at the app: its session cookie and its flow cookie.
struct Browser {
    app: TestApp,
    flow_cookie: Option<String>,
}

/// A sign-in begun at the app: the state and nonce sent to the provider.
struct Begun {
    state: String,
    nonce: String,
    challenge: String,
}

fn query(url: &str) -> HashMap<String, String> {
    let url = openidconnect::url::Url::parse(url).unwrap();
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn set_cookie(res: &Response, name: &str) -> Option<String> {
    res.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")) && !c.ends_with('='))
}

impl Browser {
    fn with(store: Store, sso: Sso) -> Browser {
        let app = TestApp { router: router(AppState::new(store.clone()).with_sso(sso)), store, cookie: None };
        Browser { app, flow_cookie: None }
    }

    async fn new(store: Store, provider: &TestProvider, provisioning: Provisioning) -> Browser {
        let sso = Sso::single(
            Provider::discover(provider.config()).await.unwrap(),
            provisioning,
            false,
            vec![ADMIN.0.into()],
        );
        let app = TestApp { router: router(AppState::new(store.clone()).with_sso(sso)), store, cookie: None };
        Browser { app, flow_cookie: None }
    }

    async fn begin(&mut self, next: &str) -> Begun {
        let res = self.app.get(&format!("/logga-in/kommunkonto?nasta={next}")).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        self.flow_cookie = Some(set_cookie(&res, "kvalitet_oidc").expect("flow cookie"));
        let q = query(res.location());
        assert_eq!(
            (q["response_type"].as_str(), q["client_id"].as_str(), q["code_challenge_method"].as_str()),
            ("code", CLIENT, "S256")
        );
        assert_eq!(q["redirect_uri"], "https://kvalitet.test/logga-in/oidc");
        assert!(q["scope"].split(' ').any(|s| s == "openid"));
        Begun { state: q["state"].clone(), nonce: q["nonce"].clone(), challenge: q["code_challenge"].clone() }
    }

    /// The provider sends the browser back with a code for `id_token`.
    async fn back(&mut self, provider: &TestProvider, begun: &Begun, id_token: String) -> Response {
        let code = accounts::random_token();
        provider.issued.lock().unwrap().codes.insert(code.clone(), (id_token, begun.challenge.clone()));
        self.callback(&format!("/logga-in/oidc?code={code}&state={}", begun.state)).await
    }

    async fn callback(&mut self, url: &str) -> Response {
        let req = axum::http::Request::get(url).header(header::COOKIE, self.flow_cookie.clone().unwrap_or_default());
        let res = self.app.send(req.body(axum::body::Body::empty()).unwrap()).await;
        if let Some(session) = set_cookie(&res, "kvalitet_session") {
            self.app.cookie = Some(session);
        }
        res
    }
}

async fn last_audit(store: &Store) -> (String, String) {
    let mut conn = store.read().await.unwrap();
    let row = sqlx::query("SELECT action, after_data FROM audit_entry ORDER BY seq DESC LIMIT 1")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    (row.try_get("action").unwrap(), row.try_get::<Option<String>, _>("after_data").unwrap().unwrap_or_default())
}

fn refused(res: &Response, text: &str) {
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains(text), "expected «{text}» in {}", res.body);
    assert!(set_cookie(res, "kvalitet_session").is_none());
}

const FAILED: &str = "Inloggningen med kommunens konto gick inte att slutföra";

#[tokio::test]
async fn a_verified_person_signs_in_once_per_state_and_lands_where_they_were_going() {
    on_each_backend(|store, _| async move {
        let provider = TestProvider::start().await;
        let mut b = Browser::new(store.clone(), &provider, Provisioning::default()).await;
        TestApp::with_demo(store.clone()).await;
        let begun = b.begin("/avvikelser").await;
        // The address in the token differs in case from the account's.
        let token = sign(KEY, &claims(&provider, "Kvalitet@Exempel.SE", &begun.nonce, &[]));
        let res = b.back(&provider, &begun, token.clone()).await;
        assert_eq!((res.status, res.location()), (StatusCode::SEE_OTHER, "/avvikelser"), "{}", res.body);
        let (action, after) = last_audit(&store).await;
        assert_eq!(action, "login");
        assert!(after.contains("\"method\":\"oidc\""), "{after}");
        assert_eq!(b.app.get("/avvikelser").await.status, StatusCode::OK);
        // The same state again (a replay, even with a fresh code) is refused.
        b.app.cookie = None;
        let res = b.back(&provider, &begun, token).await;
        refused(&res, FAILED);
        assert!(last_audit(&store).await.1.contains("unknown_state"));
    })
    .await;
}

#[tokio::test]
async fn tokens_failing_any_check_are_refused() {
    on_each_backend(|store, _| async move {
        let provider = TestProvider::start().await;
        let mut b = Browser::new(store.clone(), &provider, Provisioning::default()).await;
        TestApp::with_demo(store.clone()).await;
        let now = jiff::Timestamp::now().as_second();
        type Change = fn(&mut serde_json::Value, i64);
        let cases: [(&str, Change, &str); 5] = [
            ("wrong audience", |c, _| c["aud"] = "en-annan-tjanst".into(), KEY),
            ("wrong issuer", |c, _| c["iss"] = "http://127.0.0.1:1".into(), KEY),
            ("expired", |c, now| c["exp"] = (now - 600).into(), KEY),
            ("nonce mismatch", |c, _| c["nonce"] = "en-annan-nonce".into(), KEY),
            ("signed with another key", |_, _| {}, OTHER_KEY),
        ];
        for (what, change, pem) in cases {
            let begun = b.begin("/").await;
            let mut c = claims(&provider, QUALITY.0, &begun.nonce, &[]);
            change(&mut c, now);
            let res = b.back(&provider, &begun, sign(pem, &c)).await;
            assert!(
                res.body.contains(FAILED) && set_cookie(&res, "kvalitet_session").is_none(),
                "{what}: {}",
                res.status
            );
            assert!(last_audit(&store).await.1.contains("token_refused"), "{what}");
        }
        // The same checks pass with the token unchanged (the cases above fail for their
        // one change).
        let begun = b.begin("/").await;
        let res = b.back(&provider, &begun, sign(KEY, &claims(&provider, QUALITY.0, &begun.nonce, &[]))).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
    })
    .await;
}

#[tokio::test]
async fn a_missing_state_or_one_begun_in_another_browser_is_refused() {
    on_each_backend(|store, _| async move {
        let provider = TestProvider::start().await;
        let mut b = Browser::new(store.clone(), &provider, Provisioning::default()).await;
        TestApp::with_demo(store.clone()).await;
        refused(&b.callback("/logga-in/oidc?code=abc").await, FAILED);
        assert!(last_audit(&store).await.1.contains("missing_state"));
        let begun = b.begin("/").await;
        let token = sign(KEY, &claims(&provider, QUALITY.0, &begun.nonce, &[]));
        b.flow_cookie = Some(format!("kvalitet_oidc={}", accounts::random_token()));
        refused(&b.back(&provider, &begun, token).await, FAILED);
        assert!(last_audit(&store).await.1.contains("other_browser"));
        // The provider's own refusal (the person cancelled) is told as such.
        let begun = b.begin("/").await;
        let res = b.callback(&format!("/logga-in/oidc?error=access_denied&state={}", begun.state)).await;
        refused(&res, "Inloggningen med kommunens konto avbröts");
    })
    .await;
}

#[tokio::test]
async fn unknown_and_deactivated_accounts_are_refused_and_audited() {
    on_each_backend(|store, _| async move {
        let provider = TestProvider::start().await;
        let mut b = Browser::new(store.clone(), &provider, Provisioning::default()).await;
        TestApp::with_demo(store.clone()).await;
        let begun = b.begin("/").await;
        let res = b.back(&provider, &begun, sign(KEY, &claims(&provider, "ny@exempel.se", &begun.nonce, &["g"]))).await;
        refused(&res, "ditt konto finns inte i Kvalitet");
        let (action, after) = last_audit(&store).await;
        assert_eq!(action, "login_failed");
        assert!(after.contains("unknown_account") && after.contains("ny@exempel.se"), "{after}");
        let mut conn = store.read().await.unwrap();
        let quality = accounts::find_by_email(&mut conn, QUALITY.0).await.unwrap().unwrap();
        drop(conn);
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        accounts::set_active(&mut tx, quality.id, false).await.unwrap();
        tx.commit().await.unwrap();
        let begun = b.begin("/").await;
        let res = b.back(&provider, &begun, sign(KEY, &claims(&provider, QUALITY.0, &begun.nonce, &[]))).await;
        refused(&res, "Ditt konto i Kvalitet är avstängt");
        assert!(last_audit(&store).await.1.contains("inactive"));
    })
    .await;
}

#[tokio::test]
async fn provisioning_creates_accounts_and_groups_set_the_roles_at_every_sign_in() {
    on_each_backend(|store, _| async move {
        let provider = TestProvider::start().await;
        TestApp::with_demo(store.clone()).await;
        let mut conn = store.read().await.unwrap();
        let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let unit = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
        let map = vec![
            GroupRole { group: "SOC-Chefer".into(), role: Role::Manager, scope: unit("Beroendeenheten") },
            GroupRole { group: "SOC-Personal".into(), role: Role::Staff, scope: unit("Beroendeenheten") },
        ];
        let provisioning = Provisioning { create_accounts: true, group_map: Some(map), tenant: None };
        let mut b = Browser::new(store.clone(), &provider, provisioning).await;
        let roles = |store: Store| async move {
            let mut conn = store.read().await.unwrap();
            let a = accounts::find_by_email(&mut conn, "ny@exempel.se").await.unwrap()?;
            let mut r: Vec<Role> =
                accounts::assignments(&mut conn, a.id).await.unwrap().iter().map(|r| r.role).collect();
            r.sort_by_key(|r| format!("{r:?}"));
            Some((a.display_name.clone(), r))
        };
        // No mapped group: nothing to create.
        let begun = b.begin("/").await;
        let res = b.back(&provider, &begun, sign(KEY, &claims(&provider, "ny@exempel.se", &begun.nonce, &["X"]))).await;
        refused(&res, "ditt konto finns inte i Kvalitet");
        assert_eq!(roles(store.clone()).await, None);
        // A claim that is no e-mail address cannot name an account.
        let begun = b.begin("/").await;
        let res = b.back(&provider, &begun, sign(KEY, &claims(&provider, "sam", &begun.nonce, &["SOC-Chefer"]))).await;
        refused(&res, "ditt konto finns inte i Kvalitet");
        // Two mapped groups: created with both roles.
        let begun = b.begin("/").await;
        let groups = ["SOC-Chefer", "SOC-Personal", "X"];
        let res =
            b.back(&provider, &begun, sign(KEY, &claims(&provider, "ny@exempel.se", &begun.nonce, &groups))).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(roles(store.clone()).await, Some(("Sam Sso".into(), vec![Role::Manager, Role::Staff])));
        // Out of the managers' group: the role goes at the next sign-in.
        let begun = b.begin("/").await;
        let res = b
            .back(&provider, &begun, sign(KEY, &claims(&provider, "ny@exempel.se", &begun.nonce, &["SOC-Personal"])))
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(roles(store.clone()).await, Some(("Sam Sso".into(), vec![Role::Staff])));
        // A role given by hand in Kvalitet goes too: with a group map, groups decide.
        let mut conn = store.read().await.unwrap();
        let quality = accounts::find_by_email(&mut conn, QUALITY.0).await.unwrap().unwrap();
        let before: Vec<RoleAssignment> = accounts::assignments(&mut conn, quality.id).await.unwrap();
        drop(conn);
        assert!(!before.is_empty());
        let begun = b.begin("/").await;
        let res =
            b.back(&provider, &begun, sign(KEY, &claims(&provider, QUALITY.0, &begun.nonce, &["SOC-Personal"]))).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let mut conn = store.read().await.unwrap();
        let after: Vec<Role> =
            accounts::assignments(&mut conn, quality.id).await.unwrap().iter().map(|r| r.role).collect();
        assert_eq!(after, [Role::Staff]);
    })
    .await;
}

#[tokio::test]
async fn passwords_off_but_for_break_glass_and_signing_out_at_the_provider() {
    on_each_backend(|store, _| async move {
        let provider = TestProvider::start().await;
        let mut b = Browser::new(store.clone(), &provider, Provisioning::default()).await;
        TestApp::with_demo(store.clone()).await;
        let res = b.app.get("/logga-in").await;
        let csp = res.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
        assert!(csp.ends_with(&format!("form-action 'self' {}", provider.issuer)), "sign-out may go there: {csp}");
        let page = res.body;
        let (button, form) =
            (page.find("Logga in med kommunens konto").unwrap(), page.find("id=\"password\"").unwrap());
        assert!(button < form && page.contains("<details>"), "the provider comes first, passwords folded away");
        let res = b.app.post("/logga-in", &[("email", QUALITY.0), ("password", QUALITY.1)]).await;
        assert!(res.status == StatusCode::OK && res.body.contains("E-postadressen eller lösenordet stämmer inte"));
        assert!(last_audit(&store).await.1.contains("password_login_off"));
        let mut admin = TestApp { router: b.app.router.clone(), store: store.clone(), cookie: None };
        admin.login(ADMIN).await;
        // A password session signs out locally only.
        let csrf = admin.csrf().await;
        assert_eq!(admin.post("/logga-ut", &[("csrf", &csrf)]).await.location(), "/logga-in?utloggad=1");
        // A provider session signs out at the provider too, and comes back.
        let begun = b.begin("/").await;
        b.back(&provider, &begun, sign(KEY, &claims(&provider, QUALITY.0, &begun.nonce, &[]))).await;
        let csrf = b.app.csrf().await;
        let res = b.app.post("/logga-ut", &[("csrf", &csrf)]).await;
        let at = res.location().split('?').next().unwrap();
        assert_eq!(at, format!("{}/session/end", provider.issuer));
        let q = query(res.location());
        assert_eq!(q["post_logout_redirect_uri"], "https://kvalitet.test/logga-in?utloggad=1", "{q:?}");
        assert_eq!(q["client_id"], CLIENT, "{q:?}");
        assert_eq!(b.app.get("/").await.status, StatusCode::SEE_OTHER, "the local session ended");
    })
    .await;
}

#[tokio::test]
async fn a_private_key_proves_the_client_instead_of_a_secret() {
    on_each_backend(|store, _| async move {
        let provider = TestProvider::start().await;
        TestApp::with_demo(store.clone()).await;
        let with_key = |pem: &str| Config {
            auth: ClientAuth::PrivateKey { pem: pem.into(), key_id: Some("kvalitet-1".into()), thumbprint: None },
            ..provider.config()
        };
        // The registered key: signed in.
        let sso =
            Sso::single(Provider::discover(with_key(CLIENT_KEY)).await.unwrap(), Provisioning::default(), true, vec![]);
        let mut b = Browser::with(store.clone(), sso);
        let begun = b.begin("/").await;
        let res = b.back(&provider, &begun, sign(KEY, &claims(&provider, QUALITY.0, &begun.nonce, &[]))).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        // Another key: the provider refuses the code exchange.
        let sso = Sso::single(Provider::discover(with_key(KEY)).await.unwrap(), Provisioning::default(), true, vec![]);
        let mut b = Browser::with(store.clone(), sso);
        let begun = b.begin("/").await;
        let res = b.back(&provider, &begun, sign(KEY, &claims(&provider, QUALITY.0, &begun.nonce, &[]))).await;
        refused(&res, FAILED);
        assert!(last_audit(&store).await.1.contains("token_refused"));
    })
    .await;
}

#[tokio::test]
async fn each_municipality_signs_in_through_its_own_provider() {
    on_each_backend(|store, _| async move {
        TestApp::with_demo(store.clone()).await;
        let (demo_provider, other_provider) = (TestProvider::start().await, TestProvider::start().await);
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let (norrby, _) = crate::another_tenant(&mut tx, "Norrby kommun").await;
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        let demo = kvalitet_store::tenants::all(&mut conn).await.unwrap().into_iter().find(|t| t.id != norrby).unwrap();
        drop(conn);
        let for_tenant = |key: &str, tenant, name: &str, hosts: &[&str], p: Provider| SsoProvider {
            key: key.into(),
            tenant: Some(tenant),
            name: name.into(),
            hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
            provider: p,
            provisioning: Provisioning { tenant: Some(tenant), ..Provisioning::default() },
        };
        let sso = Sso {
            providers: vec![
                for_tenant(
                    &demo.slug,
                    demo.id,
                    &demo.name,
                    &[],
                    Provider::discover(demo_provider.config()).await.unwrap(),
                ),
                for_tenant(
                    "norrby-kommun",
                    norrby,
                    "Norrby kommun",
                    &["kvalitet.norrby.se"],
                    Provider::discover(other_provider.config()).await.unwrap(),
                ),
            ],
            password_login: true,
            break_glass: vec![],
        };
        let mut b = Browser::with(store.clone(), sso);
        // The sign-in page offers both, each named; on a municipality's own host only its own.
        let page = b.app.get("/logga-in").await.body;
        assert!(page.contains("kommun=norrby-kommun") && page.contains("Norrby kommun") && page.contains(&demo.name));
        let req = axum::http::Request::get("/logga-in").header(header::HOST, "kvalitet.norrby.se");
        let own = b.app.send(req.body(axum::body::Body::empty()).unwrap()).await.body;
        assert!(own.contains("kommun=norrby-kommun") && !own.contains(&format!("kommun={}", demo.slug)), "{own}");
        // Started for Norrby: to Norrby's provider, the state naming it.
        let res = b.app.get("/logga-in/kommunkonto?kommun=norrby-kommun&nasta=/").await;
        assert!(res.location().starts_with(&other_provider.issuer), "{}", res.location());
        b.flow_cookie = Some(set_cookie(&res, "kvalitet_oidc").unwrap());
        let q = query(res.location());
        assert!(q["state"].starts_with("norrby-kommun."), "{}", q["state"]);
        let begun =
            Begun { state: q["state"].clone(), nonce: q["nonce"].clone(), challenge: q["code_challenge"].clone() };
        // Norrby's provider does not vouch for the demo municipality's people.
        let token = sign(KEY, &claims(&other_provider, QUALITY.0, &begun.nonce, &[]));
        refused(&b.back(&other_provider, &begun, token).await, "ditt konto finns inte i Kvalitet");
        // A state whose provider part was changed finds no flow.
        let res = b.app.get(&format!("/logga-in/kommunkonto?kommun={}&nasta=/", demo.slug)).await;
        b.flow_cookie = Some(set_cookie(&res, "kvalitet_oidc").unwrap());
        let q = query(res.location());
        assert!(res.location().starts_with(&demo_provider.issuer));
        let forged = q["state"].replacen(&demo.slug, "norrby-kommun", 1);
        let token = sign(KEY, &claims(&other_provider, QUALITY.0, &q["nonce"], &[]));
        let forged_begun = Begun { state: forged, nonce: q["nonce"].clone(), challenge: q["code_challenge"].clone() };
        refused(&b.back(&other_provider, &forged_begun, token).await, FAILED);
        // The demo municipality's own provider signs them in.
        let res = b.app.get(&format!("/logga-in/kommunkonto?kommun={}&nasta=/", demo.slug)).await;
        b.flow_cookie = Some(set_cookie(&res, "kvalitet_oidc").unwrap());
        let q = query(res.location());
        let begun =
            Begun { state: q["state"].clone(), nonce: q["nonce"].clone(), challenge: q["code_challenge"].clone() };
        let token = sign(KEY, &claims(&demo_provider, QUALITY.0, &begun.nonce, &[]));
        let res = b.back(&demo_provider, &begun, token).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        // An unknown provider's name starts nothing.
        assert_eq!(b.app.get("/logga-in/kommunkonto?kommun=okand").await.location(), "/logga-in");
    })
    .await;
}
