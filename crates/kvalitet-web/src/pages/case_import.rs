//! Case data read in from the browser (`/matt/inlasning`): the case-management system's
//! export uploaded as multipart, streamed to a private temporary directory (never held
//! in memory), then read, checked and stored by the same store functions as
//! `kvalitet measures import`, in a task the upload starts. The job's state is kept in
//! the database (`kvalitet_store::case_import_jobs`), so any instance shows its progress.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tokio::io::AsyncWriteExt;

use kvalitet_domain::access::Permission;
use kvalitet_measures::{ImportError, Secret, Source, Sources};
use kvalitet_store::case_data::{self, ImportFailure, ImportRequest};
use kvalitet_store::case_import_jobs::{self as jobs, Job, NewJob, Phase, Problems};
use kvalitet_store::{Actor, Store};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::format::plural;
use crate::forms::FormState;
use crate::router::AppState;

/// What the web server needs for case data: the installation's pseudonymisation key
/// (the same file `kvalitet measures import` reads, so both give a person the same
/// pseudonym), the largest upload accepted and where uploads wait while read.
#[derive(Clone, Debug)]
pub struct CaseDataConfig {
    pub secret: Option<Arc<Secret>>,
    pub max_upload_bytes: u64,
    /// The directory under which each upload gets a private directory of its own.
    pub upload_dir: PathBuf,
}

/// The paths that receive uploads too large for the ordinary request deadline.
pub const LONG_UPLOADS: &[&str] = &["/matt/inlasning"];

/// The default upload limit: 1 GiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 1 << 30;

impl Default for CaseDataConfig {
    fn default() -> Self {
        CaseDataConfig { secret: None, max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES, upload_dir: std::env::temp_dir() }
    }
}

/// The tables of an export, as the form's file fields name them, and the workbook.
const TABLES: [&str; 3] = ["arenden", "insatser", "kontakter"];
const WORKBOOK: &str = "arbetsbok";

/// The one check of these pages: an export holds every unit's cases, so importing is
/// asked of the top of the tree.
pub fn require(user: &User) -> WebResult<()> {
    user.require(Permission::ImportCaseData, super::organisation::top(&user.tree)?)
}

pub struct JobRow {
    pub href: String,
    pub files: String,
    pub period: String,
    pub state: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "case_import.html")]
pub struct ImportPage {
    pub nav: Nav,
    pub form: FormState,
    pub configured: bool,
    pub max_upload: String,
    pub jobs: Vec<JobRow>,
}

fn state_word(job: &Job, now: i64) -> &'static str {
    match job.phase {
        _ if job.stalled(now) => "avbruten",
        Phase::Reading => "läses in",
        Phase::Storing => "sparas",
        Phase::Done => "inläst",
        Phase::Failed => "avvisad",
    }
}

/// A size in bytes the Swedish way: "1 GB", "250 MB", "12 kB".
fn size(bytes: u64) -> String {
    let (unit, div) = match bytes {
        b if b >= 1 << 30 => ("GB", (1u64 << 30) as f64),
        b if b >= 1 << 20 => ("MB", (1u64 << 20) as f64),
        _ => ("kB", 1024.0),
    };
    let v = bytes as f64 / div;
    format!("{} {unit}", crate::format::number(if v >= 10.0 { v.round() } else { (v * 10.0).round() / 10.0 }))
}

async fn page(state: &AppState, user: &User, form: FormState) -> WebResult<ImportPage> {
    let mut conn = state.store.read().await?;
    let recent = jobs::recent(&mut conn, user.session.account.tenant_id, 10).await?;
    drop(conn);
    let now = jiff::Timestamp::now().as_second();
    Ok(ImportPage {
        nav: user.nav(),
        form,
        configured: state.case_data.secret.is_some(),
        max_upload: size(state.case_data.max_upload_bytes),
        jobs: recent
            .iter()
            .map(|j| JobRow {
                href: format!("/matt/inlasning/{}", j.id),
                files: j.files.clone(),
                period: format!("{} – {}", j.period_from, j.period_to),
                state: state_word(j, now),
            })
            .collect(),
    })
}

/// `GET /matt/inlasning`: the upload form and the latest imports.
pub async fn form(State(state): State<AppState>, user: User) -> WebResult<ImportPage> {
    require(&user)?;
    page(&state, &user, FormState::default()).await
}

/// The uploaded files, each in the upload's private directory, with the names the
/// browser gave them.
struct Upload {
    dir: tempfile::TempDir,
    /// Field name, path on disk, the file's own name.
    files: Vec<(String, PathBuf, String)>,
    bytes: u64,
    values: std::collections::HashMap<String, String>,
}

/// Why a posted form could not be taken in whole; the message names the field.
enum Refused {
    Field(&'static str, String),
    Csrf,
}

/// The name the browser gave a file, without any path, control characters or excess.
fn own_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    clean.trim().to_owned()
}

/// Whether a file name is a spreadsheet's (read by sheet rather than as CSV).
fn spreadsheet(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    ["xlsx", "xlsm", "xls", "ods"].into_iter().find(|ext| lower.ends_with(&format!(".{ext}")))
}

/// Streams one file part to `path`, counting against the upload's limit.
async fn save(
    field: &mut Field<'_>,
    path: &FsPath,
    total: &mut u64,
    max: u64,
    label: &'static str,
) -> Result<u64, Refused> {
    let unreadable = || Refused::Field(label, format!("{label}: filen kunde inte tas emot helt. Försök igen."));
    let file = tokio::fs::File::create(path).await.map_err(|_| unreadable())?;
    let mut out = tokio::io::BufWriter::with_capacity(1 << 16, file);
    let mut written = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
        *total += chunk.len() as u64;
        if *total > max {
            return Err(Refused::Field(
                label,
                format!("{label}: filerna är tillsammans större än {}, som är det största som tas emot.", size(max)),
            ));
        }
        written += chunk.len() as u64;
        out.write_all(&chunk).await.map_err(|_| unreadable())?;
    }
    out.flush().await.map_err(|_| unreadable())?;
    Ok(written)
}

fn label(field: &str) -> &'static str {
    match field {
        "arenden" => "Ärenden",
        "insatser" => "Insatser",
        "kontakter" => "Kontakter",
        WORKBOOK => "Arbetsbok",
        "from" => "Periodens första dag",
        _ => "Periodens sista dag",
    }
}

/// Reads the posted form: the CSRF token must come before any file, so nothing of a
/// forged post is written to disk.
async fn receive(mut multipart: Multipart, user: &User, config: &CaseDataConfig) -> Result<Upload, Refused> {
    let unreadable = || Refused::Field("arenden", "Formuläret kunde inte tas emot helt. Försök igen.".into());
    let dir = tempfile::Builder::new().prefix("kvalitet-inlasning-").tempdir_in(&config.upload_dir).map_err(|e| {
        tracing::error!(error = %e, "no directory for an upload");
        Refused::Field("arenden", "Servern kunde inte ta emot filerna just nu. Försök igen senare.".into())
    })?;
    let mut upload = Upload { dir, files: Vec::new(), bytes: 0, values: Default::default() };
    let mut checked = false;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "csrf" => {
                let token = field.text().await.map_err(|_| unreadable())?;
                user.check_csrf(&token).map_err(|_| Refused::Csrf)?;
                checked = true;
            }
            "from" | "to" => {
                let text = field.text().await.map_err(|_| unreadable())?;
                upload.values.insert(name.clone(), text.chars().take(40).collect());
            }
            "arenden" | "insatser" | "kontakter" | WORKBOOK => {
                if !checked {
                    return Err(Refused::Csrf);
                }
                let own = own_name(field.file_name().unwrap_or_default());
                let ext = spreadsheet(&own).unwrap_or("csv");
                let path = upload.dir.path().join(format!("{name}.{ext}"));
                let label = label(&name);
                let written = save(&mut field, &path, &mut upload.bytes, config.max_upload_bytes, label).await?;
                // A browser sends an empty part for a file input left empty.
                if written > 0 || !own.is_empty() {
                    let own = if own.is_empty() { format!("{name}.{ext}") } else { own };
                    upload.files.push((name, path, own));
                }
            }
            _ => {}
        }
    }
    if !checked {
        return Err(Refused::Csrf);
    }
    Ok(upload)
}

/// `POST /matt/inlasning` (multipart): receives the files and starts the import, or
/// shows the form again with what is missing.
pub async fn upload(
    State(state): State<AppState>,
    user: User,
    multipart: Result<Multipart, MultipartRejection>,
) -> WebResult<Response> {
    require(&user)?;
    let config = state.case_data.clone();
    let refused = |field: &str, message: String| {
        let mut form = FormState::default();
        form.push(field, message);
        form
    };
    let Some(secret) = config.secret.clone() else {
        let form = refused("arenden", "Servern saknar nyckeln för pseudonymisering; inget kan läsas in.".into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &user, form).await?).into_response());
    };
    let received = match multipart {
        Ok(m) => receive(m, &user, &config).await,
        Err(_) => {
            Err(Refused::Field("arenden", "Formuläret kunde inte läsas. Skicka det från sidan Läs in export.".into()))
        }
    };
    let upload = match received {
        Ok(u) => u,
        Err(Refused::Csrf) => return Err(WebError::Csrf),
        Err(Refused::Field(field, message)) => {
            let field = TABLES.into_iter().chain([WORKBOOK]).find(|f| label(f) == field).unwrap_or("arenden");
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, page(&state, &user, refused(field, message)).await?).into_response()
            );
        }
    };
    let mut form = FormState::new(upload.values.clone());
    let from = form.date("from", "periodens första dag");
    let to = form.date("to", "periodens sista dag");
    let has = |f: &str| upload.files.iter().any(|(n, ..)| n == f);
    if upload.files.is_empty() {
        form.push("arenden", "Ärenden: välj minst en fil (ärenden, insatser eller kontakter) eller en arbetsbok.");
    } else if has(WORKBOOK) && TABLES.iter().any(|t| has(t)) {
        form.push(
            WORKBOOK,
            "Arbetsbok: välj antingen en arbetsbok eller filer för ärenden, insatser och kontakter, inte båda.",
        );
    }
    let period = match (from, to) {
        (Some(from), Some(to)) => match kvalitet_measures::Period::new(from, to) {
            Ok(p) => Some(p),
            Err(_) => {
                form.push("to", "Periodens sista dag: ange en dag som inte ligger före periodens första dag.");
                None
            }
        },
        _ => None,
    };
    let sources = match (has(WORKBOOK), period.is_some()) {
        (true, true) => {
            let path = &upload.files.iter().find(|(n, ..)| n == WORKBOOK).expect("a workbook was given").1;
            match kvalitet_measures::workbook_sources(path) {
                Ok(s) if s.arenden.is_none() && s.insatser.is_none() && s.kontakter.is_none() => {
                    form.push(
                        WORKBOOK,
                        "Arbetsbok: arbetsboken har inget blad som heter arenden, insatser eller kontakter.",
                    );
                    None
                }
                Ok(s) => Some(s),
                Err(_) => {
                    form.push(
                        WORKBOOK,
                        "Arbetsbok: filen är trasig eller inte en arbetsbok (XLSX, XLSM, XLS eller ODS).",
                    );
                    None
                }
            }
        }
        (false, true) => {
            let source = |t: &str| upload.files.iter().find(|(n, ..)| n == t).map(|(_, p, _)| Source::Path(p.clone()));
            Some(Sources { arenden: source("arenden"), insatser: source("insatser"), kontakter: source("kontakter") })
        }
        (_, false) => None,
    };
    let (Some(period), Some(sources), false) = (period, sources, form.has_errors()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &user, form).await?).into_response());
    };
    let names = upload.files.iter().map(|(.., own)| own.clone()).collect::<Vec<_>>().join(", ");
    let new = NewJob {
        tenant: user.session.account.tenant_id,
        account: user.session.account.id,
        files: &names,
        bytes: upload.bytes as i64,
        from: period.from,
        to: period.to,
    };
    let mut tx = state.store.write(&user.actor()).await?;
    let id = jobs::start(&mut tx, &new).await?;
    tx.commit().await?;
    let job = Run {
        store: state.store.clone(),
        actor: user.actor(),
        tenant: user.session.account.tenant_id,
        id,
        names,
        upload,
        sources,
        period,
        secret,
    };
    tokio::spawn(job.run());
    Ok(Redirect::to(&format!("/matt/inlasning/{id}")).into_response())
}

/// An import job being run: everything it needs, owned, and the upload's directory,
/// removed when the job ends.
struct Run {
    store: Store,
    actor: Actor,
    tenant: kvalitet_domain::org::TenantId,
    id: i64,
    names: String,
    upload: Upload,
    sources: Sources,
    period: kvalitet_measures::Period,
    secret: Arc<Secret>,
}

impl Run {
    /// Reads, checks and computes on a blocking thread while the job's row shows the rows
    /// read every second; then stores the import and marks the job done in one
    /// transaction, or marks it failed with the problems. Nothing partial is stored.
    async fn run(self) {
        let Run { store, actor, tenant, id, names, upload, sources, period, secret } = self;
        let rows = Arc::new(AtomicU64::new(0));
        let rename: Vec<(String, String)> =
            upload.files.iter().map(|(_, path, own)| (path.display().to_string(), own.clone())).collect();
        let rename =
            move |file: &str| rename.iter().fold(file.to_owned(), |f, (path, own)| f.replace(path.as_str(), own));
        let outcome: Result<(), ImportFailure> = async {
            let units = case_data::import_units(&store, tenant).await?;
            let paths: Vec<PathBuf> = upload.files.iter().map(|(_, p, _)| p.clone()).collect();
            let counted = rows.clone();
            let units2 = units.clone();
            let mut work = tokio::task::spawn_blocking(move || {
                let definitions = kvalitet_measures::default_definitions();
                let req = ImportRequest {
                    tenant,
                    sources: &sources,
                    paths: &paths,
                    period,
                    secret: &secret,
                    definitions: &definitions,
                    names: Some(&names),
                };
                case_data::prepare(&units2, &req, &counted)
            });
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            let prepared = loop {
                tokio::select! {
                    done = &mut work => break done.map_err(|e| anyhow::anyhow!("the reading thread failed: {e}"))??,
                    _ = tick.tick() => {
                        if let Err(e) = jobs::progress(&store, id, Phase::Reading, rows.load(Ordering::Relaxed)).await {
                            tracing::warn!(error = %e, job = id, "could not record an import's progress");
                        }
                    }
                }
            };
            // Read: the uploaded files (with their personal identity numbers) go now, before
            // anything is stored. On an error they go as this block ends, before the job
            // is marked failed.
            drop(upload);
            let read = rows.load(Ordering::Relaxed);
            jobs::progress(&store, id, Phase::Storing, read).await?;
            let mut tx = store.write(&actor).await?;
            let summary = case_data::store_prepared(&mut tx, tenant, &prepared, &units).await?;
            jobs::finish_done(&mut tx, id, read, &summary).await?;
            tx.commit().await?;
            Ok(())
        }
        .await;
        let problems = match outcome {
            Ok(()) => None,
            Err(ImportFailure::Files(ImportError::Invalid(errors))) => Some(jobs::problems_of(&errors, &rename)),
            Err(ImportFailure::Files(ImportError::Workbook { file, reason })) => {
                Some(one(format!("{}: {reason}", rename(&file))))
            }
            Err(ImportFailure::Files(ImportError::Io { file, .. })) => {
                Some(one(format!("{}: filen kunde inte läsas på servern. Försök igen.", rename(&file))))
            }
            Err(e) => {
                tracing::error!(error = %e, job = id, "a case-data import failed");
                Some(one("Inläsningen kunde inte slutföras på grund av ett fel i servern. Försök igen.".into()))
            }
        };
        if let Some(problems) = problems
            && let Err(e) = jobs::finish_failed(&store, &actor, id, rows.load(Ordering::Relaxed), &problems).await
        {
            tracing::error!(error = %e, job = id, "could not record that an import failed");
        }
    }
}

fn one(message: String) -> Problems {
    Problems { total: 1, listed: vec![message], rest: vec![] }
}

#[derive(Template, WebTemplate)]
#[template(path = "case_import_job.html", blocks = ["jobb"])]
pub struct JobPage {
    pub nav: Nav,
    pub id: i64,
    pub files: String,
    pub size: String,
    pub period: String,
    pub state: &'static str,
    pub running: bool,
    pub stalled: bool,
    pub rows_read: String,
    pub stored: Option<case_data::ImportSummary>,
    pub problems: Option<Problems>,
    /// How many problems are neither listed nor counted by kind (none: the rest are).
    pub more: usize,
}

impl JobPage {
    pub fn count(&self, n: impl crate::format::Count, one: &str, many: &str) -> String {
        plural(n, one, many)
    }
}

/// `GET /matt/inlasning/{id}`: how far the import has come. htmx asks again every
/// second while it runs and swaps in the `#jobb` block; without JavaScript the page has
/// a link to show it again.
pub async fn status(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    require(&user)?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let mut conn = state.store.read().await?;
    let job = jobs::get(&mut conn, user.session.account.tenant_id, id).await?.ok_or(WebError::NotFound)?;
    drop(conn);
    let now = jiff::Timestamp::now().as_second();
    let more = job.problems.as_ref().map_or(0, |p| p.total.saturating_sub(p.listed.len()));
    let page = JobPage {
        nav: user.nav(),
        id,
        files: job.files.clone(),
        size: size(job.bytes as u64),
        period: format!("{} – {}", job.period_from, job.period_to),
        state: state_word(&job, now),
        running: !job.phase.finished() && !job.stalled(now),
        stalled: job.stalled(now),
        rows_read: crate::format::number(job.rows_read as f64),
        stored: job.stored.clone(),
        problems: job.problems.clone(),
        more,
    };
    if headers.contains_key("hx-request") {
        return Ok(page
            .as_jobb()
            .render()
            .map(axum::response::Html)
            .map_err(|e| WebError::Internal(e.into()))?
            .into_response());
    }
    Ok(page.into_response())
}
