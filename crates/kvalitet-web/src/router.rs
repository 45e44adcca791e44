//! Every route of the application, in one table, and the layers around them. The route
//! table is public so the access-matrix test can check that every route has an entry.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{MethodRouter, get, post};
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use kvalitet_store::Store;

use crate::client::Network;
use crate::error::WebError;
use crate::pages;
use crate::pages::edit::{self, Editable};
use crate::sso::Sso;

/// What every handler may use. The store is the only state: app instances are
/// stateless, so several can serve one PostgreSQL.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    /// Whether cookies carry `Secure` (only HTTPS, and localhost, send them back).
    pub secure_cookies: bool,
    /// The public URL and the trusted proxies.
    pub network: Network,
    /// Single sign-on through the municipality's provider, when configured.
    pub sso: Option<Arc<Sso>>,
    /// Whether mails are sent (`--smtp-url`): only then are notifications queued.
    pub mail: bool,
    /// The municipalities' org trees, kept while their version is current.
    pub org_trees: Arc<crate::auth::OrgTrees>,
    /// Case data read in from the browser: the pseudonymisation key, the upload limit.
    pub case_data: pages::case_import::CaseDataConfig,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            secure_cookies: true,
            network: Network::default(),
            sso: None,
            mail: false,
            org_trees: Arc::default(),
            case_data: Default::default(),
        }
    }

    /// The state of an installation at `network`'s address.
    pub fn with_network(store: Store, network: Network) -> AppState {
        AppState { secure_cookies: network.secure_cookies(), network, ..AppState::new(store) }
    }

    /// The same state, signing in through the municipality's provider.
    pub fn with_sso(self, sso: Sso) -> AppState {
        AppState { sso: Some(Arc::new(sso)), ..self }
    }

    /// The same state, queueing notifications by e-mail (a sender is configured).
    pub fn with_mail(self) -> AppState {
        AppState { mail: true, ..self }
    }

    /// The same state, reading case data in from the browser with this key and limits.
    pub fn with_case_data(self, case_data: pages::case_import::CaseDataConfig) -> AppState {
        AppState { case_data, ..self }
    }
}

/// Every route: method, path, handler.
fn routes() -> Vec<(&'static str, String, MethodRouter<AppState>)> {
    let fixed: Vec<(&'static str, &'static str, MethodRouter<AppState>)> = vec![
        ("GET", "/", get(pages::start::show)),
        ("GET", "/planer/ny", get(pages::new_plan::form)),
        ("POST", "/planer/ny", post(pages::new_plan::create)),
        ("GET", "/berattelser/ny", get(pages::new_report::form)),
        ("POST", "/berattelser/ny", post(pages::new_report::create)),
        ("GET", "/planer/{id}", get(pages::plan::show)),
        ("GET", "/berattelser/{id}", get(pages::report::show)),
        ("POST", "/berattelser/{id}/overlamnad", post(pages::report::submit)),
        ("GET", "/logga-in", get(pages::session::form)),
        ("POST", "/logga-in", post(pages::session::submit)),
        ("GET", "/logga-in/kommunkonto", get(pages::oidc::start)),
        ("GET", "/logga-in/oidc", get(pages::oidc::callback)),
        ("POST", "/logga-ut", post(pages::session::logout)),
        ("GET", "/konto/losenord", get(pages::session::password_form)),
        ("POST", "/konto/losenord", post(pages::session::password_submit)),
        ("GET", "/konto/aviseringar", get(pages::notifications::form)),
        ("POST", "/konto/aviseringar", post(pages::notifications::submit)),
        ("GET", "/planer/{id}/riskkarta", get(pages::risks::heat_map)),
        ("GET", "/planer/{id}/dokument", get(pages::documents::page)),
        ("GET", "/planer/{id}/arbetsbok.xlsx", get(pages::plan_workbook::download)),
        ("GET", "/planer/{id}/arbetsbok", get(pages::plan_workbook::show)),
        (
            "POST",
            "/planer/{id}/arbetsbok",
            // The preview's form carries the workbook again, in base64.
            post(pages::plan_workbook::submit).layer(axum::extract::DefaultBodyLimit::max(
                pages::plan_workbook::MAX_WORKBOOK_BYTES * 4 / 3 + (64 << 10),
            )),
        ),
        ("GET", "/api/v1/dokument", get(pages::documents::download)),
        ("POST", "/planer/{id}/anta", post(pages::cycle::adopt)),
        ("POST", "/planer/{id}/nasta-ar", post(pages::cycle::roll_over)),
        ("POST", "/planer/{id}/uppfoljd", post(pages::cycle::follow_up)),
        ("GET", "/risker/{id}", get(pages::risks::show)),
        ("POST", "/risker/{id}/bedomning", post(pages::risks::reassess)),
        ("POST", "/risker/{id}/kopplingar", post(pages::risk_links::change)),
        ("GET", "/egenkontroller/{id}", get(pages::follow_up::self_inspection)),
        ("POST", "/egenkontroller/{id}/genomforanden", post(pages::follow_up::record_run)),
        ("GET", "/atgarder/{id}", get(pages::follow_up::action)),
        ("POST", "/atgarder/{id}/uppfoljning", post(pages::follow_up::follow_up_action)),
        ("GET", "/indikatorer/{id}", get(pages::follow_up::indicator)),
        ("POST", "/indikatorer/{id}/resultat", post(pages::follow_up::record_result)),
        ("GET", "/avvikelser", get(pages::deviations::list)),
        ("GET", "/avvikelser/ny", get(pages::deviations::new_form)),
        ("POST", "/avvikelser/ny", post(pages::deviations::create)),
        ("GET", "/avvikelser/{id}", get(pages::deviations::show)),
        ("POST", "/avvikelser/{id}/handlaggning", post(pages::deviations::handle)),
        ("GET", "/matt", get(pages::measures::show)),
        ("GET", "/matt/resultat/{id}", get(pages::measures::cases)),
        ("GET", "/admin/logg", get(pages::audit::search)),
        ("GET", "/admin/loggkontroll", get(pages::log_review::show)),
        ("POST", "/admin/loggkontroll", post(pages::log_review::record)),
        ("GET", "/admin/konton", get(pages::accounts::list)),
        ("GET", "/admin/konton/ny", get(pages::accounts::new_form)),
        ("POST", "/admin/konton/ny", post(pages::accounts::create)),
        ("GET", "/admin/konton/{id}", get(pages::accounts::show)),
        ("POST", "/admin/konton/{id}/namn", post(pages::accounts::rename)),
        ("POST", "/admin/konton/{id}/roller", post(pages::accounts::add_role)),
        ("POST", "/admin/konton/{id}/roller/{role}/ta-bort", post(pages::accounts::remove_role)),
        ("POST", "/admin/konton/{id}/inaktivera", post(pages::accounts::deactivate)),
        ("POST", "/admin/konton/{id}/aktivera", post(pages::accounts::activate)),
        ("POST", "/admin/konton/{id}/las-upp", post(pages::accounts::unlock)),
        ("POST", "/admin/konton/{id}/engangslosenord", post(pages::accounts::reset_password)),
        ("POST", "/admin/konton/{id}/avsluta-inloggningar", post(pages::accounts::end_sessions)),
        ("GET", "/organisation", get(pages::organisation::tree)),
        ("GET", "/organisation/enheter/{id}", get(pages::organisation::unit)),
        ("GET", "/organisation/malgrupper", get(pages::organisation::target_groups)),
        ("GET", "/organisation/processomraden", get(pages::organisation::process_areas)),
        ("GET", "/organisation/kvalitetsfaktorer", get(pages::organisation::quality_factors)),
        ("GET", "/static/style.css", get(pages::assets::style)),
        ("GET", "/static/theme.css", get(pages::assets::theme)),
        ("GET", "/static/htmx.js", get(pages::assets::htmx)),
        ("GET", "/healthz", get(pages::assets::health)),
        ("GET", "/readyz", get(pages::assets::ready)),
        ("GET", "/mina-rapporter", get(pages::my_reports::list)),
        ("GET", "/mina-rapporter/{id}", get(pages::my_reports::show)),
        ("POST", "/mina-rapporter/{id}/komplettering", post(pages::my_reports::add_information)),
        ("GET", "/mina-uppgifter", get(pages::my_tasks::show)),
        ("GET", "/avvikelser/{id}/makulera", get(pages::void::form)),
        ("POST", "/avvikelser/{id}/makulera", post(pages::void::submit)),
        ("POST", "/avvikelser/{id}/makulera/hav", post(pages::void::restore)),
        ("GET", "/avvikelser/{id}/ivo-anmalan.docx", get(pages::ivo_report::docx)),
        ("GET", "/avvikelser/{id}/ivo-anmalan.pdf", get(pages::ivo_report::pdf)),
        ("GET", "/avvikelser.xlsx", get(pages::deviations::download)),
        ("GET", "/avvikelser.csv", get(pages::deviations::download_csv)),
        ("GET", "/avvikelser/{id}/handelseanalys", get(pages::event_analysis::show)),
        ("POST", "/avvikelser/{id}/handelseanalys", post(pages::event_analysis::submit)),
        ("GET", "/admin/avvikelser", get(pages::deviation_settings::show)),
        ("POST", "/admin/avvikelser", post(pages::deviation_settings::save_deadline)),
        ("POST", "/admin/avvikelser/kategorier", post(pages::deviation_settings::add_category)),
        ("POST", "/admin/avvikelser/kategorier/{id}", post(pages::deviation_settings::change_category)),
        ("POST", "/avvikelser/{id}/slag", post(pages::deviations::reclassify)),
        ("GET", "/admin/kolada", get(pages::kolada_settings::show)),
        ("POST", "/admin/kolada", post(pages::kolada_settings::save)),
        ("GET", "/admin/dokument", get(pages::document_settings::show)),
        ("POST", "/admin/dokument", post(pages::document_settings::save)),
        ("GET", "/admin/dokument/logotyp", get(pages::document_settings::logo)),
        ("POST", "/admin/dokument/logotyp/ta-bort", post(pages::document_settings::remove_logo)),
        ("POST", "/planer/{id}/dokument", post(pages::document_details::save)),
        ("GET", "/sok", get(pages::search::show)),
        ("GET", "/matt/inlasning", get(pages::case_import::form)),
        ("POST", "/matt/inlasning", post(pages::case_import::upload).layer(DefaultBodyLimit::disable())),
        ("GET", "/matt/inlasning/{id}", get(pages::case_import::status)),
        ("GET", "/matt/kopplingar", get(pages::measure_links::show)),
        ("POST", "/matt/kopplingar", post(pages::measure_links::create)),
        ("POST", "/matt/kopplingar/{id}/ta-bort", post(pages::measure_links::remove)),
    ];
    let mut all: Vec<_> = fixed.into_iter().map(|(m, p, h)| (m, p.to_owned(), h)).collect();
    all.extend(pages::lists::routes());
    all.extend(crate::api::routes());
    all.extend(editable::<kvalitet_domain::risk::Risk>());
    all.extend(editable::<kvalitet_domain::action::Action>());
    all.extend(editable::<kvalitet_domain::self_inspection::SelfInspection>());
    all.extend(editable::<kvalitet_domain::indicator::Indicator>());
    all.extend(editable::<kvalitet_domain::plan::Section>());
    all.extend(editable::<kvalitet_domain::plan::FocusArea>());
    all.extend(editable::<kvalitet_domain::report::UserSurvey>());
    all.extend(editable::<kvalitet_domain::report::KeyStatistic>());
    all.extend(editable::<kvalitet_domain::report::SystematicFollowUp>());
    all.extend(editable::<kvalitet_domain::report::Finding>());
    all.extend(editable::<kvalitet_domain::report::Review>());
    all.extend(editable::<kvalitet_domain::report::QualityAssessment>());
    all.extend(editable::<kvalitet_domain::report::ImprovementArea>());
    all.extend(editable::<kvalitet_domain::org::OrgUnit>());
    all.extend(editable::<kvalitet_domain::org::TargetGroup>());
    all.extend(editable::<kvalitet_domain::org::ProcessArea>());
    all.extend(editable::<kvalitet_domain::org::QualityFactor>());
    all.extend(correctable::<kvalitet_domain::self_inspection::SelfInspectionRun>());
    all.extend(correctable::<kvalitet_domain::indicator::IndicatorResult>());
    all.extend(correctable::<kvalitet_domain::action::ActionFollowUp>());
    all.extend(correctable::<kvalitet_domain::risk::RiskAssessment>());
    all
}

/// The correction routes of a recorded kind (`/{path}/{id}/rattelse`).
fn correctable<T: pages::corrections::Corrects>() -> Vec<(&'static str, String, MethodRouter<AppState>)> {
    let p = T::PATH;
    vec![
        ("GET", format!("/{p}/{{id}}/rattelse"), get(pages::corrections::form::<T>)),
        ("POST", format!("/{p}/{{id}}/rattelse"), post(pages::corrections::submit::<T>)),
    ]
}

/// The create, edit and remove routes of an editable type (only edit for a fixed set).
fn editable<T: Editable + 'static>() -> Vec<(&'static str, String, MethodRouter<AppState>)> {
    let p = T::PATH;
    let mut routes = vec![
        ("GET", format!("/{p}/{{id}}/andra"), get(edit::edit_form::<T>)),
        ("POST", format!("/{p}/{{id}}/andra"), post(edit::update::<T>)),
    ];
    if !T::FIXED {
        routes.extend([
            ("GET", format!("/{p}/ny"), get(edit::new_form::<T>)),
            ("POST", format!("/{p}/ny"), post(edit::create::<T>)),
            ("POST", format!("/{p}/{{id}}/ta-bort"), post(edit::delete::<T>)),
        ]);
    }
    routes
}

/// The method and path of every route.
pub fn route_table() -> Vec<(&'static str, String)> {
    routes().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// The application's router.
pub fn router(state: AppState) -> Router {
    let headers = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"),
        // Signed-in pages and downloads stay out of shared and browser caches; the static
        // assets set their own.
        (header::CACHE_CONTROL, "no-store"),
    ];
    let mut by_path: BTreeMap<String, MethodRouter<AppState>> = BTreeMap::new();
    for (_, path, handler) in routes() {
        let merged = match by_path.remove(&path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(path, merged);
    }
    let mut router = Router::new();
    for (path, handler) in by_path {
        router = router.route(&path, handler);
    }
    // Cross-site form posts are refused by origin (Sec-Fetch-Site / Origin); forms also
    // carry the session's CSRF token, checked by each handler.
    let hsts = state.network.https();
    // Signing out of a provider session posts a form that redirects to the provider's
    // end-session endpoint: browsers hold redirects after a form to `form-action`.
    let logout_origins: String =
        state.sso.as_ref().map(|s| s.logout_origins().iter().map(|o| format!(" {o}")).collect()).unwrap_or_default();
    let csp = format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'{logout_origins}"
    );
    let mut router = router
        .fallback(|| async { WebError::NotFound })
        .with_state(state)
        .layer(axum::middleware::from_fn(crate::utf8_forms::middleware))
        .layer(CsrfLayer::new());
    if hsts {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    router = router.layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&csp).expect("an origin is a valid header value"),
    ));
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    router
}
