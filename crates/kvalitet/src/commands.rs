//! The commands: open the database (with clear errors), then serve, migrate or load.

use std::path::Path;

use anyhow::{Context, bail};
use tokio::net::TcpListener;

use kvalitet_store::{Store, audit, sqlite_file_url};
use kvalitet_web::{AppState, router};

use crate::cli::KoladaCommand;
use crate::cli::{
    AuditCommand, Cli, Command, DemoCommand, MeasuresCommand, PlanCommand, RoleCommand, TenantCommand, UserCommand,
};
use crate::kolada;
use crate::users::AccountChange;
use crate::{case_data, keys, plan_file, sso, users};

/// The database every subcommand uses unless told otherwise: `kvalitet.db` here.
fn database_url(cli: &Cli) -> String {
    cli.database_url.clone().unwrap_or_else(|| sqlite_file_url(Path::new("kvalitet.db")))
}

/// Connects and migrates, with the audit key (created on first use), so every change a
/// command makes is chained with it.
async fn open(url: &str, key_file: &Path) -> anyhow::Result<Store> {
    let key = keys::audit_key(key_file)?;
    Ok(connect(url).await?.with_audit_key(key))
}

/// Connects and migrates, with an error that says which database could not be opened
/// (without the password).
async fn connect(url: &str) -> anyhow::Result<Store> {
    let shown = match url.split_once('@') {
        Some((scheme_user, host)) => {
            let scheme = scheme_user.split("://").next().unwrap_or("postgres");
            format!("{scheme}://…@{host}")
        }
        None => url.to_owned(),
    };
    let store = Store::connect(url).await.with_context(|| format!("kan inte öppna databasen {shown}"))?;
    store.migrate().await.with_context(|| format!("kan inte uppdatera schemat i {shown}"))?;
    Ok(store)
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = database_url(&cli);
    let named = cli.tenant.clone();
    let named = named.as_deref();
    let key_file = cli.audit_key_file.clone();
    match cli.command {
        Command::Migrate => {
            open(&url, &key_file).await?;
            println!("Databasens schema är uppdaterat.");
        }
        Command::Demo { command: DemoCommand::Load } => {
            let store = open(&url, &key_file).await?;
            let s = kvalitet_demo::load(&store).await?;
            println!(
                "Demodata inlästa: {} enheter, {} planer, {} berättelser, {} risker, {} egenkontroller, {} åtgärder, {} indikatorer.",
                s.units, s.plans, s.reports, s.risks, s.self_inspections, s.actions, s.indicators
            );
        }
        Command::Demo { command: DemoCommand::Remove } => {
            let store = open(&url, &key_file).await?;
            let r = kvalitet_demo::remove(&store).await?;
            println!("Demokommunen {} är borttagen med sina konton ({} rader).", r.tenant, r.rows);
        }
        Command::Setup(args) => {
            let store = open(&url, &key_file).await?;
            let password = users::password_from_stdin()?;
            users::setup(&store, &args, password, true).await?;
        }
        Command::Tenant { command: TenantCommand::Add(args) } => {
            let store = open(&url, &key_file).await?;
            let password = users::password_from_stdin()?;
            users::setup(&store, &args, password, false).await?;
        }
        Command::Tenant { command: TenantCommand::List } => {
            let store = open(&url, &key_file).await?;
            users::list_tenants(&store).await?;
        }
        Command::User { command } => {
            let store = open(&url, &key_file).await?;
            match command {
                UserCommand::List { format } => {
                    users::list(&store, &users::tenant(&store, named).await?, format).await?;
                }
                UserCommand::Add { role, name, password_stdin } => {
                    let password = if password_stdin { Some(users::password_from_stdin()?) } else { None };
                    users::add(&store, &users::tenant(&store, named).await?, &role, name.as_deref(), password).await?;
                }
                UserCommand::Role { command: RoleCommand::Add(role) } => {
                    users::add(&store, &users::tenant(&store, named).await?, &role, None, None).await?;
                }
                UserCommand::Role { command: RoleCommand::Remove(role) } => {
                    users::remove_role(&store, &users::tenant(&store, named).await?, &role).await?;
                }
                UserCommand::Deactivate { email } => users::change(&store, &email, AccountChange::Deactivate).await?,
                UserCommand::Activate { email } => users::change(&store, &email, AccountChange::Activate).await?,
                UserCommand::Unlock { email } => users::change(&store, &email, AccountChange::Unlock).await?,
                UserCommand::ResetPassword { email } => {
                    users::change(&store, &email, AccountChange::ResetPassword).await?;
                }
                UserCommand::EndSessions { email } => {
                    users::change(&store, &email, AccountChange::EndSessions).await?;
                }
                UserCommand::Import { file } => {
                    users::import(&store, &users::tenant(&store, named).await?, &file).await?;
                }
            }
        }
        Command::Audit { command: AuditCommand::Verify { anchors } } => {
            let store = connect(&url).await?;
            let key = keys::existing_audit_key(&key_file)?;
            let anchors = match &anchors {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("kan inte läsa förankringarna i {}", path.display()))?;
                    audit::parse_anchors(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
                }
                None => Vec::new(),
            };
            let v = audit::verify(&store, key.as_ref(), &anchors).await?;
            if v.unchecked > 0 {
                bail!(
                    "nyckelfilen {} saknas: {} poster kan inte kontrolleras utan den",
                    key_file.display(),
                    v.unchecked
                );
            }
            if v.problems.is_empty() {
                println!(
                    "Granskningsloggen är hel: {} poster, ingen har ändrats eller tagits bort ({} förankringar stämmer).",
                    v.entries, v.anchors
                );
            } else {
                for p in &v.problems {
                    eprintln!("{p}");
                }
                bail!("granskningsloggen har ändrats: {} fel bland {} poster", v.problems.len(), v.entries);
            }
        }
        Command::Audit { command: AuditCommand::Anchor { anchors } } => {
            let store = connect(&url).await?;
            let a = anchor(&store, &anchors).await?;
            println!("Förankrat i {}: post {} med kontrollsumman {}.", anchors.display(), a.seq, a.hash);
        }
        Command::Token { command } => {
            let store = open(&url, &key_file).await?;
            crate::tokens::run(&store, &users::tenant(&store, named).await?, command).await?;
        }
        Command::Measures { command: MeasuresCommand::Compute(args) } => {
            // Computed straight from the files; nothing is stored.
            kvalitet_measures::run_compute(&args, &mut std::io::stdout().lock())?;
        }
        Command::Measures { command: MeasuresCommand::Import(args) } => {
            let store = open(&url, &key_file).await?;
            case_data::import(&store, &users::tenant(&store, named).await?, &args).await?;
        }
        Command::Measures { command: MeasuresCommand::Link { measure, self_inspection, indicator, approve_at } } => {
            let store = open(&url, &key_file).await?;
            case_data::link(
                &store,
                &users::tenant(&store, named).await?,
                &measure,
                self_inspection,
                indicator,
                approve_at,
            )
            .await?;
        }
        Command::Document { kind, year, format, output, scope } => {
            let store = open(&url, &key_file).await?;
            let scope = Some(users::resolve_unit(&store, named, scope.as_deref()).await?);
            let input = kvalitet_documents::load_input(&store, kind.kind(), year, scope).await?;
            let bytes = kvalitet_documents::render(kind.kind(), format.format(), &input)?;
            std::fs::write(&output, bytes).with_context(|| format!("kan inte skriva {}", output.display()))?;
            println!("{} är skriven.", output.display());
        }
        Command::Kolada { command: KoladaCommand::Fetch { kpi, years, base_url, group } } => {
            let (kpis, years) = (kolada::kpis(&kpi)?, kolada::years(&years)?);
            let store = open(&url, &key_file).await?;
            kolada::fetch(&store, named, &kpis, &years, &base_url, group.as_deref()).await?;
        }
        Command::Kolada { command: KoladaCommand::Groups { title, base_url } } => {
            kolada::groups(title.as_deref(), &base_url).await?;
        }
        Command::Kolada { command: KoladaCommand::Import { file } } => {
            let store = open(&url, &key_file).await?;
            kolada::import(&store, named, &file).await?;
        }
        Command::Plan { command: PlanCommand::Export { year, scope, output } } => {
            let store = open(&url, &key_file).await?;
            plan_file::export(&store, named, year, scope.as_deref(), &output).await?;
        }
        Command::Plan { command: PlanCommand::Import { year, scope, dry_run, file } } => {
            let store = open(&url, &key_file).await?;
            plan_file::import(&store, named, year, scope.as_deref(), &file, dry_run).await?;
        }
        Command::Backup { file } => {
            let store = open(&url, &key_file).await?;
            kvalitet_store::backup::backup(&store, &file).await?;
            store.close().await;
            println!("Säkerhetskopian är skriven till {}.", file.display());
        }
        Command::Restore { file } => {
            kvalitet_store::backup::restore(&file, &url).await?;
            // Bring the restored schema up to date, should the copy be older.
            open(&url, &key_file).await?.close().await;
            println!("Säkerhetskopian {} är återställd.", file.display());
        }
        Command::Serve {
            bind,
            no_demo,
            public_url,
            trusted_proxies,
            audit_anchors,
            audit_anchor_interval,
            limits,
            sso,
            mail,
            today,
            case_data,
        } => {
            let offset_days = today.map_or(0, kvalitet_web::clock::pretend_today);
            if offset_days != 0 {
                tracing::warn!(offset_days, "--today: the server counts as if today were another date");
            }
            let network = kvalitet_web::Network::parse(public_url.as_deref(), &trusted_proxies)
                .map_err(|e| anyhow::anyhow!(e))?;
            let store = open(&url, &key_file).await?;
            // Instances starting together on one fresh database set it up once.
            let lock = store.setup_lock().await?;
            if !no_demo && store.is_empty().await? {
                let s = kvalitet_demo::load(&store).await.context("kunde inte läsa in demodata")?;
                println!("Tom databas: demodata inlästa ({} planer, {} berättelser).", s.plans, s.reports);
            }
            users::first_administrator(&store).await?;
            let sso = sso::configure(&sso, &network, &store).await?;
            let mailer = crate::mail::configure(&mail, &network)?;
            lock.release().await?;
            let listener = match TcpListener::bind(bind).await {
                Ok(l) => l,
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    bail!("adressen {bind} används redan av ett annat program; välj en annan med --bind")
                }
                Err(e) => return Err(e).with_context(|| format!("kan inte lyssna på {bind}")),
            };
            println!("Kvalitet körs på http://{}/", listener.local_addr()?);
            if !audit_anchor_interval.is_zero() {
                tokio::spawn(anchor_every(store.clone(), audit_anchors, audit_anchor_interval));
            }
            let mut state = AppState::with_network(store.clone(), network.clone());
            state = state.with_case_data(crate::case_data::web_config(&case_data)?);
            if let Some(sso) = sso {
                for p in &sso.providers {
                    println!("Inloggning med kommunens konto via {}.", p.provider.config().issuer);
                }
                state = state.with_sso(sso);
            }
            let (stop_mail, mail_stopped) = tokio::sync::oneshot::channel::<()>();
            let mail_job = match mailer {
                Some((mailer, schedule)) => {
                    println!("E-post skickas via {} från {}.", mail.smtp_url.as_deref().unwrap_or(""), mailer.from);
                    state = state.with_mail();
                    let stop = async move {
                        let _ = mail_stopped.await;
                    };
                    Some(tokio::spawn(kvalitet_mail::run(
                        store.clone(),
                        mailer,
                        schedule,
                        move || jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * offset_days),
                        stop,
                    )))
                }
                None => None,
            };
            let app = router(state);
            crate::serve::serve(listener, app, &limits, network, shutdown_signal()).await;
            let _ = stop_mail.send(());
            if let Some(job) = mail_job {
                let _ = job.await;
            }
            store.close().await;
            println!("Kvalitet har stängts.");
        }
    }
    Ok(())
}

/// Appends the audit chain's head to the anchor file `path` (created 0600) and logs it
/// for the log collector: two copies outside the database.
async fn anchor(store: &Store, path: &Path) -> anyhow::Result<audit::Anchor> {
    use std::io::Write;
    let a = audit::Anchor::head(&mut *store.read().await?).await?;
    let mut file = keys::append_private(path).with_context(|| format!("kan inte skriva {}", path.display()))?;
    writeln!(file, "{}", a.line())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("kan inte skriva {}", path.display()))?;
    tracing::info!(target: "kvalitet::audit", seq = a.seq, hash = %a.hash, "audit anchor");
    Ok(a)
}

/// Anchors the audit log at start and then every `interval`, for as long as `serve` runs.
async fn anchor_every(store: Store, path: std::path::PathBuf, interval: std::time::Duration) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        ticks.tick().await;
        if let Err(e) = anchor(&store, &path).await {
            tracing::error!(error = %format!("{e:#}"), "audit anchor failed");
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
