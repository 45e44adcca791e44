//! The board documents' settings (`/admin/dokument`), for the administrator of the whole
//! tree: the board's name and the logo printed on the documents, for the municipality
//! (the top of the tree) and, where a part of the tree needs its own, for any unit below
//! (an override for the documents of that part). A logo is uploaded as a file (PNG or
//! SVG, checked by `crate::logo`), previewed, and removed; the board's name, the logo
//! and its text alternative are stored together or not at all.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::Versioned;
use kvalitet_domain::access::Permission;
use kvalitet_domain::org::{OrgUnit, OrgUnitId};
use kvalitet_store::document_settings::{self, Logo, LogoFormat, MAX_LOGO_BYTES, UnitSettings};
use kvalitet_store::{StoreError, org};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;

/// The one check of these pages: may the user manage the whole organisation?
fn require(user: &User) -> WebResult<OrgUnitId> {
    let top = super::organisation::top(&user.tree)?;
    user.require(Permission::ManageOrganisation, top)?;
    Ok(top)
}

/// A unit in the chooser, indented by its depth.
pub struct UnitOption {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

/// A logo on the page: its preview's address, format, size and text alternative, and
/// the unit it is set on.
pub struct LogoV {
    pub src: String,
    pub format: &'static str,
    pub size: String,
    pub alt: String,
    pub from: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "document_settings.html")]
pub struct SettingsPage {
    pub nav: Nav,
    pub units: Vec<UnitOption>,
    pub unit_id: i64,
    pub unit_name: String,
    /// Whether the unit is the top of the tree (the municipality's own settings).
    pub is_top: bool,
    pub version: i64,
    /// The unit's own logo, if it sets one.
    pub own_logo: Option<LogoV>,
    /// What applies to the unit's documents now (its own or inherited): the board's name
    /// and where it is set, and the logo.
    pub board_now: Option<(String, String)>,
    pub logo_now: Option<LogoV>,
    /// Field ids: `board`, `logo`, `logo_alt`.
    pub form: FormState,
    pub conflict: bool,
    pub saved: bool,
}

fn size_text(bytes: usize) -> String {
    if bytes < 1024 { format!("{bytes} byte") } else { format!("{} kB", (bytes + 512) / 1024) }
}

fn logo_v(logo: &Logo, unit: &Versioned<OrgUnit>) -> LogoV {
    LogoV {
        src: format!("/admin/dokument/logotyp?enhet={}", unit.id),
        format: match logo.format {
            LogoFormat::Png => "PNG",
            LogoFormat::Svg => "SVG",
        },
        size: size_text(logo.bytes.len()),
        alt: logo.alt.clone(),
        from: unit.name.clone(),
    }
}

/// The tree in depth-first order, with each unit's depth.
fn in_tree_order(units: &[Versioned<OrgUnit>]) -> Vec<(&Versioned<OrgUnit>, usize)> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Versioned<OrgUnit>, usize)> =
        units.iter().filter(|u| u.parent_id.is_none()).rev().map(|u| (u, 0)).collect();
    while let Some((u, depth)) = stack.pop() {
        if out.iter().any(|(o, _): &(&Versioned<OrgUnit>, usize)| o.id == u.id) || depth > 32 {
            continue;
        }
        out.push((u, depth));
        stack.extend(units.iter().filter(|c| c.parent_id == Some(u.id)).rev().map(|c| (c, depth + 1)));
    }
    out
}

/// The unit a request names (`enhet`), or the top of the tree; one of another tenant,
/// or none such, is not found.
fn chosen(units: &[Versioned<OrgUnit>], raw: Option<&String>, top: OrgUnitId) -> WebResult<OrgUnitId> {
    let id = match raw.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => super::parse_id::<OrgUnit>(s)?,
        None => top,
    };
    if units.iter().any(|u| u.id == id) { Ok(id) } else { Err(WebError::NotFound) }
}

async fn page(
    state: &AppState,
    user: &User,
    unit: OrgUnitId,
    form: Option<FormState>,
    conflict: bool,
    saved: bool,
) -> WebResult<SettingsPage> {
    let tenant = user.session.account.tenant_id;
    let top = require(user)?;
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, tenant).await?;
    let own = document_settings::unit_settings(&mut conn, tenant, unit).await?;
    let now = document_settings::effective_for_unit(&mut conn, tenant, unit).await?;
    drop(conn);
    let name_of = |id: OrgUnitId| units.iter().find(|u| u.id == id);
    let this = name_of(unit).ok_or(WebError::NotFound)?;
    let form = form.unwrap_or_else(|| {
        let mut f = FormState::default();
        f.values.insert("board".into(), own.board.clone());
        f.values.insert("logo_alt".into(), own.logo.as_ref().map_or(String::new(), |l| l.alt.clone()));
        f
    });
    Ok(SettingsPage {
        nav: user.nav(),
        units: in_tree_order(&units)
            .into_iter()
            .map(|(u, depth)| UnitOption {
                id: u.id.get(),
                label: format!("{}{}", "– ".repeat(depth), u.name),
                selected: u.id == unit,
            })
            .collect(),
        unit_id: unit.get(),
        unit_name: this.name.clone(),
        is_top: unit == top,
        version: own.version,
        own_logo: own.logo.as_ref().map(|l| logo_v(l, this)),
        board_now: now.board.as_ref().and_then(|(b, from)| Some((b.clone(), name_of(*from)?.name.clone()))),
        logo_now: now.logo.as_ref().and_then(|(l, from)| Some(logo_v(l, name_of(*from)?))),
        form,
        conflict,
        saved,
    })
}

async fn refused(
    state: &AppState,
    user: &User,
    unit: OrgUnitId,
    form: FormState,
    conflict: bool,
) -> WebResult<Response> {
    let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, page(state, user, unit, Some(form), conflict, false).await?).into_response())
}

fn done(unit: OrgUnitId) -> Response {
    Redirect::to(&format!("/admin/dokument?enhet={unit}&sparat=1")).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<SettingsPage> {
    let top = require(&user)?;
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, user.session.account.tenant_id).await?;
    drop(conn);
    let unit = chosen(&units, q.get("enhet"), top)?;
    page(&state, &user, unit, None, false, q.contains_key("sparat")).await
}

/// A posted multipart form: its text fields, and the logo file if one was chosen (a
/// browser sends an empty file part when none was). `Err` holds the message when the
/// body could not be read whole.
struct Posted {
    values: HashMap<String, String>,
    logo: Option<Vec<u8>>,
    too_big: bool,
}

async fn read_multipart(mut multipart: Multipart) -> Result<Posted, String> {
    let unreadable = "Logotyp: formuläret kunde inte tas emot. Filen får vara högst 1 MB; försök igen.";
    let mut posted = Posted { values: HashMap::new(), logo: None, too_big: false };
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable.to_owned())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "logo" {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| unreadable.to_owned())? {
                if bytes.len() + chunk.len() > MAX_LOGO_BYTES {
                    posted.too_big = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            if posted.too_big || !bytes.is_empty() {
                posted.logo = Some(bytes);
            }
        } else if matches!(name.as_str(), "csrf" | "version" | "enhet" | "board" | "logo_alt") {
            let bytes = field.bytes().await.map_err(|_| unreadable.to_owned())?;
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| unreadable.to_owned())?;
            posted.values.insert(name, text);
        }
    }
    Ok(posted)
}

/// The domain's validation errors, beside the fields with their Swedish names.
fn label(field: &str) -> &'static str {
    match field {
        "board" => "Nämndens namn:",
        "logo_alt" => "Logotypens textalternativ:",
        _ => "Logotyp:",
    }
}

/// Saves a unit's board name and logo (`POST /admin/dokument`, multipart): all of it or,
/// on any error, nothing.
pub async fn save(
    State(state): State<AppState>,
    user: User,
    multipart: Result<Multipart, MultipartRejection>,
) -> WebResult<Response> {
    let top = require(&user)?;
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, tenant).await?;
    drop(conn);
    let posted = match multipart {
        Ok(m) => read_multipart(m).await,
        Err(_) => Err("Logotyp: formuläret kunde inte läsas. Skicka det från sidan Dokument – inställningar.".into()),
    };
    let posted = match posted {
        Ok(p) => p,
        Err(message) => {
            let mut form = FormState::default();
            form.push("logo", message);
            return refused(&state, &user, top, form, false).await;
        }
    };
    user.check_csrf(posted.values.get("csrf").map_or("", String::as_str))?;
    let unit = chosen(&units, posted.values.get("enhet"), top)?;
    let mut form = FormState::new(posted.values);
    let version = form.value("version").parse::<i64>().unwrap_or(-1);
    let mut conn = state.store.read().await?;
    let own = document_settings::unit_settings(&mut conn, tenant, unit).await?;
    drop(conn);
    let alt = form.value("logo_alt").trim().to_owned();
    let uploaded = posted.logo.is_some();
    let logo = match (posted.logo, own.item.logo) {
        (Some(_), _) if posted.too_big => {
            form.push("logo", "Logotyp: filen är större än 1 MB. Spara en mindre bild och försök igen.");
            None
        }
        (Some(bytes), _) => match crate::logo::check(&bytes) {
            Ok(format) => Some(Logo { format, bytes, alt: alt.clone() }),
            Err(message) => {
                form.push("logo", message);
                None
            }
        },
        (None, Some(kept)) => Some(Logo { alt: alt.clone(), ..kept }),
        (None, None) => None,
    };
    if (logo.is_some() || uploaded) && alt.is_empty() {
        form.push(
            "logo_alt",
            "Logotypens textalternativ: skriv vad logotypen visar, till exempel ”Älvby kommuns logotyp”. Texten läses upp för den som inte ser bilden.",
        );
    }
    let settings =
        UnitSettings { tenant_id: tenant, unit_id: unit, board: form.value("board").trim().to_owned(), logo };
    if let Err(e) = settings.validate() {
        for fe in &e.errors {
            form.push(fe.field, format!("{} {}.", label(fe.field), fe.problem));
        }
    }
    if form.has_errors() {
        return refused(&state, &user, unit, form, false).await;
    }
    store_settings(&state, &user, unit, form, &settings, version).await
}

/// Stores a unit's settings at `version`; a stale form is shown again as a conflict.
async fn store_settings(
    state: &AppState,
    user: &User,
    unit: OrgUnitId,
    form: FormState,
    settings: &UnitSettings,
    version: i64,
) -> WebResult<Response> {
    let mut tx = state.store.write(&user.actor()).await?;
    match document_settings::save_unit_settings(&mut tx, settings, version).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(done(unit))
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            refused(state, user, unit, form, true).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes a unit's own logo (`POST /admin/dokument/logotyp/ta-bort`).
pub async fn remove_logo(
    State(state): State<AppState>,
    user: User,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let top = require(&user)?;
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, tenant).await?;
    let unit = chosen(&units, values.get("enhet"), top)?;
    let own = document_settings::unit_settings(&mut conn, tenant, unit).await?;
    drop(conn);
    let form = FormState::new(HashMap::from([
        ("board".to_owned(), own.board.clone()),
        ("logo_alt".to_owned(), own.logo.as_ref().map_or(String::new(), |l| l.alt.clone())),
    ]));
    if own.logo.is_none() {
        return Ok(done(unit));
    }
    let version = values.get("version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1);
    let settings = UnitSettings { logo: None, ..own.item };
    store_settings(&state, &user, unit, form, &settings, version).await
}

/// The logo a unit sets itself (`GET /admin/dokument/logotyp?enhet=ID`, the top of the
/// tree without `enhet`), for the preview. An SVG is served so that it can do nothing
/// but show itself, even opened on its own: a sandbox that runs no script, loads
/// nothing and cannot be framed.
pub async fn logo(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let top = require(&user)?;
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, tenant).await?;
    let unit = chosen(&units, q.get("enhet"), top)?;
    let own = document_settings::unit_settings(&mut conn, tenant, unit).await?;
    drop(conn);
    let logo = own.item.logo.ok_or(WebError::NotFound)?;
    let file = format!("logotyp.{}", logo.format.code());
    Ok((
        [
            (header::CONTENT_TYPE, logo.format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{file}\"")),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'none'"
                    .to_owned(),
            ),
        ],
        logo.bytes,
    )
        .into_response())
}
