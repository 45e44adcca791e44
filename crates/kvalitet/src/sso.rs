//! The single sign-on settings of `serve`: the installation's one provider from the
//! `--oidc-*` flags, or each municipality's own from the `--oidc-config` file. Checked at
//! start (with Swedish errors naming the flag, the file's key, or the group map's file and
//! row), then each provider's discovery document read.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

use kvalitet_domain::org::{OrgUnitId, TenantId};
use kvalitet_oidc::{ClientAuth, Config, Provider};
use kvalitet_store::accounts::provider::{GroupRole, Provisioning};
use kvalitet_store::{Store, org, tenants};
use kvalitet_web::{Network, Sso, SsoProvider};

use crate::cli::SsoArgs;

/// One provider's settings, from the flags or from one `[[provider]]` of the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// The municipality (its short name or its name); only in the file.
    #[serde(default)]
    tenant: Option<String>,
    issuer: String,
    client_id: String,
    #[serde(default)]
    client_secret_file: Option<PathBuf>,
    #[serde(default)]
    private_key_file: Option<PathBuf>,
    #[serde(default)]
    private_key_id: Option<String>,
    #[serde(default)]
    certificate_thumbprint: Option<String>,
    #[serde(default = "default_claim")]
    claim: String,
    #[serde(default = "default_groups_claim")]
    groups_claim: String,
    #[serde(default)]
    group_map: Option<PathBuf>,
    #[serde(default)]
    create_accounts: bool,
    #[serde(default)]
    hosts: Vec<String>,
}

fn default_claim() -> String {
    "email".into()
}

fn default_groups_claim() -> String {
    "groups".into()
}

/// The `--oidc-config` file: one `[[provider]]` per municipality.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    provider: Vec<Settings>,
}

/// Single sign-on as the flags or the file configure it, or `None` without either.
pub async fn configure(args: &SsoArgs, network: &Network, store: &Store) -> anyhow::Result<Option<Sso>> {
    let password_login = args.password_login == "on";
    let break_glass: Vec<String> =
        args.break_glass.iter().map(|b| b.trim().to_lowercase()).filter(|b| !b.is_empty()).collect();
    let issuer = args.oidc_issuer.as_deref().map(str::trim).filter(|i| !i.is_empty());
    let providers = match (&args.oidc_config, issuer) {
        (Some(_), Some(_)) => bail!(
            "ange antingen --oidc-config (en leverantör per kommun) eller --oidc-issuer (en leverantör för installationen), inte båda"
        ),
        (None, None) => {
            if !password_login {
                bail!(
                    "--password-login off kräver inloggning med kommunens konto: ange --oidc-issuer eller --oidc-config"
                );
            }
            return Ok(None);
        }
        (None, Some(issuer)) => {
            let settings = Settings {
                tenant: None,
                issuer: issuer.to_owned(),
                client_id: args.oidc_client_id.clone().unwrap_or_default(),
                client_secret_file: args.oidc_client_secret_file.clone(),
                private_key_file: args.oidc_private_key_file.clone(),
                private_key_id: args.oidc_private_key_id.clone(),
                certificate_thumbprint: args.oidc_certificate_thumbprint.clone(),
                claim: args.oidc_claim.clone(),
                groups_claim: args.oidc_groups_claim.clone(),
                group_map: args.oidc_group_map.clone(),
                create_accounts: args.oidc_create_accounts,
                hosts: vec![],
            };
            vec![prepare(&settings, None, &Names::flags(), network, store).await?]
        }
        (Some(file), None) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("kan inte läsa --oidc-config-filen {}", file.display()))?;
            let parsed: ConfigFile = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            if parsed.provider.is_empty() {
                bail!("{}: filen anger ingen [[provider]]", file.display());
            }
            let dir = file.parent().unwrap_or(Path::new("."));
            let mut conn = store.read().await?;
            let all = tenants::all(&mut conn).await?;
            drop(conn);
            let mut out: Vec<Prepared> = Vec::new();
            for (i, settings) in parsed.provider.iter().enumerate() {
                let at = format!("{} [[provider]] nr {}", file.display(), i + 1);
                let wanted = settings.tenant.as_deref().map(str::trim).unwrap_or_default();
                if wanted.is_empty() {
                    bail!("{at}: tenant saknas (kommunens korta namn, som kvalitet tenant list visar)");
                }
                let Some(tenant) = all.iter().find(|t| t.slug == wanted || t.name.eq_ignore_ascii_case(wanted)) else {
                    bail!("{at}: det finns ingen kommun \"{wanted}\" i databasen (kvalitet tenant list visar dem)");
                };
                if out.iter().any(|p| p.entry.tenant == Some(tenant.id)) {
                    bail!("{at}: kommunen {} har redan en leverantör i filen", tenant.name);
                }
                let names = Names::file(&at, dir);
                out.push(
                    prepare(settings, Some((tenant.id, &tenant.slug, &tenant.name)), &names, network, store).await?,
                );
            }
            out
        }
    };
    // Every provider's settings are sound: now each provider is asked for its metadata.
    let mut discovered = Vec::new();
    for p in providers {
        discovered.push(p.discover().await?);
    }
    Ok(Some(Sso { providers: discovered, password_login, break_glass }))
}

/// How a setting is named in an error: a flag, or a key of the file's provider (whose
/// relative paths are read from the file's folder).
struct Names {
    at: String,
    dir: Option<PathBuf>,
    flags: bool,
}

impl Names {
    fn flags() -> Names {
        Names { at: String::new(), dir: None, flags: true }
    }

    fn file(at: &str, dir: &Path) -> Names {
        Names { at: format!("{at}: "), dir: Some(dir.to_owned()), flags: false }
    }

    /// The setting's name: `--oidc-client-id` or `client_id`.
    fn of(&self, key: &str) -> String {
        if self.flags { format!("--oidc-{}", key.replace('_', "-")) } else { key.to_owned() }
    }

    fn path(&self, p: &Path) -> PathBuf {
        match &self.dir {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_owned(),
        }
    }
}

/// One provider's settings, checked, before its provider is asked anything.
struct Prepared {
    config: Config,
    entry: SsoProviderEntry,
}

/// What an `SsoProvider` holds besides the provider itself.
struct SsoProviderEntry {
    key: String,
    tenant: Option<TenantId>,
    name: String,
    hosts: Vec<String>,
    provisioning: Provisioning,
    at: String,
    issuer_name: String,
}

impl Prepared {
    /// Reads the provider's discovery document.
    async fn discover(self) -> anyhow::Result<SsoProvider> {
        let e = self.entry;
        let provider = Provider::discover(self.config).await.map_err(|err| {
            anyhow::anyhow!("{}kan inte nå kommunens inloggningstjänst ({err}); kontrollera {}", e.at, e.issuer_name)
        })?;
        Ok(SsoProvider {
            key: e.key,
            tenant: e.tenant,
            name: e.name,
            hosts: e.hosts,
            provider,
            provisioning: e.provisioning,
        })
    }
}

/// One provider's settings checked: the files read, the group map parsed.
async fn prepare(
    settings: &Settings,
    tenant: Option<(TenantId, &str, &str)>,
    names: &Names,
    network: &Network,
    store: &Store,
) -> anyhow::Result<Prepared> {
    let at = &names.at;
    let issuer = settings.issuer.trim();
    // The client secret and the tokens cross this connection: plain HTTP only on the
    // machine itself (as in the tests).
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| issuer.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])));
    if !issuer.starts_with("https://") && !loopback {
        bail!("{at}{} ska vara en https://-adress, inte \"{issuer}\"", names.of("issuer"));
    }
    let Some(public_url) = network.public_url.as_deref() else {
        bail!(
            "inloggning med kommunens konto kräver --public-url: leverantören skickar tillbaka webbläsaren till PUBLIC_URL/logga-in/oidc, så installationens adress måste vara känd"
        );
    };
    let client_id = settings.client_id.trim();
    if client_id.is_empty() {
        bail!("{at}{} saknas (Kvalitets klient-id hos leverantören)", names.of("client_id"));
    }
    let auth = match (&settings.client_secret_file, &settings.private_key_file) {
        (Some(_), Some(_)) => bail!(
            "{at}ange antingen {} eller {}, inte båda",
            names.of("client_secret_file"),
            names.of("private_key_file")
        ),
        (None, None) => bail!(
            "{at}{} (en fil med klienthemligheten) eller {} (klientens privata nyckel i PEM, för private_key_jwt) saknas",
            names.of("client_secret_file"),
            names.of("private_key_file")
        ),
        (Some(file), None) => {
            let file = names.path(file);
            let secret = std::fs::read_to_string(&file)
                .with_context(|| format!("{at}kan inte läsa klienthemligheten i {}", file.display()))?;
            if secret.trim().is_empty() {
                bail!("{at}{} är tom: den ska innehålla klienthemligheten", file.display());
            }
            ClientAuth::Secret(secret.trim().to_owned())
        }
        (None, Some(file)) => {
            let file = names.path(file);
            let pem = std::fs::read_to_string(&file)
                .with_context(|| format!("{at}kan inte läsa den privata nyckeln i {}", file.display()))?;
            kvalitet_oidc::check_key(&pem)
                .map_err(|_| anyhow::anyhow!("{at}{} är ingen privat RSA-nyckel i PEM-format", file.display()))?;
            let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
            ClientAuth::PrivateKey {
                pem,
                key_id: text(&settings.private_key_id),
                thumbprint: text(&settings.certificate_thumbprint),
            }
        }
    };
    let group_map = match &settings.group_map {
        Some(path) => {
            let units = units(store, tenant.map(|t| t.0)).await?;
            Some(read_group_map(&names.path(path), &units).map_err(|e| anyhow::anyhow!("{at}{e}"))?)
        }
        None => None,
    };
    if settings.create_accounts && group_map.is_none() {
        bail!(
            "{at}{} kräver {}: ett nytt konto får sina roller genom grupperna",
            names.of("create_accounts"),
            names.of("group_map")
        );
    }
    let config = Config {
        claim: settings.claim.trim().to_owned(),
        groups_claim: settings.groups_claim.trim().to_owned(),
        auth,
        ..Config::new(issuer, client_id, "", public_url)
    };
    Ok(Prepared {
        config,
        entry: SsoProviderEntry {
            key: tenant.map(|t| t.1.to_owned()).unwrap_or_default(),
            tenant: tenant.map(|t| t.0),
            name: tenant.map(|t| t.2.to_owned()).unwrap_or_default(),
            hosts: settings.hosts.iter().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect(),
            provisioning: Provisioning {
                create_accounts: settings.create_accounts,
                group_map,
                tenant: tenant.map(|t| t.0),
            },
            at: at.clone(),
            issuer_name: names.of("issuer"),
        },
    })
}

/// Every unit of the municipality (of every one, without): id, name.
async fn units(store: &Store, tenant: Option<TenantId>) -> anyhow::Result<Vec<(OrgUnitId, String)>> {
    let mut conn = store.read().await?;
    let mut all = Vec::new();
    for t in tenants::all(&mut conn).await?.iter().filter(|t| tenant.is_none_or(|id| id == t.id)) {
        all.extend(org::units(&mut conn, t.id).await?.into_iter().map(|u| (u.id, u.name.clone())));
    }
    Ok(all)
}

/// Reads a group map: one line per group and role, `grupp = roll@enhet`, the role by code
/// or Swedish name, the unit by name or number; blank lines and lines starting with `#`
/// are skipped. Every problem is reported as `file:row: …`.
pub fn read_group_map(path: &Path, units: &[(OrgUnitId, String)]) -> Result<Vec<GroupRole>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("kan inte läsa gruppfilen {}: {e}", path.display()))?;
    parse_group_map(&path.display().to_string(), &text, units)
}

fn parse_group_map(name: &str, text: &str, units: &[(OrgUnitId, String)]) -> Result<Vec<GroupRole>, String> {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |msg: String| format!("{name}:{}: {msg}", i + 1);
        let Some((group, grant)) = line.split_once('=') else {
            problems.push(at("raden ska se ut som grupp = roll@enhet".into()));
            continue;
        };
        let (group, grant) = (group.trim(), grant.trim());
        let Some((role, unit)) = grant.split_once('@').map(|(r, u)| (r.trim(), u.trim())) else {
            problems.push(at(format!("\"{grant}\" ska vara roll@enhet, till exempel manager@Äldreomsorg")));
            continue;
        };
        if group.is_empty() {
            problems.push(at("gruppens namn saknas före =".into()));
        }
        let role = kvalitet_import::accounts::parse_role(role);
        if role.is_none() {
            problems.push(at(format!(
                "okänd roll \"{}\"; använd administratör, kvalitetsutvecklare, chef, medarbetare eller läsare",
                grant.split('@').next().unwrap_or_default().trim()
            )));
        }
        let found: Vec<OrgUnitId> = units
            .iter()
            .filter(|(id, n)| n.to_lowercase() == unit.to_lowercase() || id.get().to_string() == unit)
            .map(|(id, _)| *id)
            .collect();
        match found.as_slice() {
            [one] => {
                if let (Some(role), false) = (role, group.is_empty()) {
                    lines.push(GroupRole { group: group.to_owned(), role, scope: *one });
                }
            }
            [] => problems.push(at(format!("det finns ingen enhet \"{unit}\""))),
            _ => problems.push(at(format!("flera enheter heter \"{unit}\"; ange enhetens nummer i stället"))),
        }
    }
    if problems.is_empty() { Ok(lines) } else { Err(problems.join("\n")) }
}

#[cfg(test)]
mod tests {
    use kvalitet_domain::access::Role;

    use super::*;

    #[test]
    fn a_group_map_gives_roles_and_reports_each_bad_row() {
        let units = [(OrgUnitId::new(1), "Socialförvaltningen".to_owned()), (OrgUnitId::new(2), "Äldreomsorg".into())];
        let text = "# grupper\nSOC-Admin = administrator@Socialförvaltningen\n\nSOC-Chef = chef@äldreomsorg\nSOC-Läs = läsare@2\n";
        let map = parse_group_map("g.txt", text, &units).unwrap();
        let got: Vec<_> = map.iter().map(|l| (l.group.as_str(), l.role, l.scope.get())).collect();
        assert_eq!(
            got,
            [("SOC-Admin", Role::Administrator, 1), ("SOC-Chef", Role::Manager, 2), ("SOC-Läs", Role::Reader, 2)]
        );
        let bad = "A = chef\nB = kung@Äldreomsorg\nC = chef@Hemtjänst\n = chef@2\n";
        let e = parse_group_map("g.txt", bad, &units).unwrap_err();
        let rows: Vec<&str> = e.lines().map(|l| l.split(": ").next().unwrap()).collect();
        assert_eq!(rows, ["g.txt:1", "g.txt:2", "g.txt:3", "g.txt:4"], "{e}");
        assert!(e.contains("okänd roll \"kung\"") && e.contains("ingen enhet \"Hemtjänst\""), "{e}");
    }
}
