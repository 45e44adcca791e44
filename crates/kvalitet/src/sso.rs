//! The single sign-on flags of `serve`: checked at start (with Swedish errors naming the
//! flag, or the group map's file and row), then the provider's discovery document read.

use std::path::Path;

use anyhow::{Context, bail};

use kvalitet_domain::org::OrgUnitId;
use kvalitet_oidc::{Config, Provider};
use kvalitet_store::accounts::provider::{GroupRole, Provisioning};
use kvalitet_store::{Store, org, tenants};
use kvalitet_web::{Network, Sso};

use crate::cli::SsoArgs;

/// Single sign-on as the flags configure it, or `None` without `--oidc-issuer`.
pub async fn configure(args: &SsoArgs, network: &Network, store: &Store) -> anyhow::Result<Option<Sso>> {
    let password_login = args.password_login == "on";
    let Some(issuer) = args.oidc_issuer.as_deref().map(str::trim).filter(|i| !i.is_empty()) else {
        if !password_login {
            bail!("--password-login off kräver inloggning med kommunens konto: ange --oidc-issuer");
        }
        return Ok(None);
    };
    // The client secret and the tokens cross this connection: plain HTTP only on the
    // machine itself (as in the tests).
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| issuer.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])));
    if !issuer.starts_with("https://") && !loopback {
        bail!("--oidc-issuer ska vara en https://-adress, inte \"{issuer}\"");
    }
    let Some(public_url) = network.public_url.as_deref() else {
        bail!(
            "--oidc-issuer kräver --public-url: leverantören skickar tillbaka webbläsaren till PUBLIC_URL/logga-in/oidc, så installationens adress måste vara känd"
        );
    };
    let Some(client_id) = args.oidc_client_id.as_deref().filter(|c| !c.trim().is_empty()) else {
        bail!("--oidc-issuer kräver --oidc-client-id (Kvalitets klient-id hos leverantören)");
    };
    let Some(secret_file) = &args.oidc_client_secret_file else {
        bail!("--oidc-issuer kräver --oidc-client-secret-file (en fil med klienthemligheten)");
    };
    let secret = std::fs::read_to_string(secret_file)
        .with_context(|| format!("kan inte läsa klienthemligheten i {}", secret_file.display()))?;
    if secret.trim().is_empty() {
        bail!("{} är tom: den ska innehålla klienthemligheten", secret_file.display());
    }
    let group_map = match &args.oidc_group_map {
        Some(path) => Some(read_group_map(path, &units(store).await?).map_err(|e| anyhow::anyhow!(e))?),
        None => None,
    };
    if args.oidc_create_accounts && group_map.is_none() {
        bail!("--oidc-create-accounts kräver --oidc-group-map: ett nytt konto får sina roller genom grupperna");
    }
    let config = Config {
        claim: args.oidc_claim.trim().to_owned(),
        groups_claim: args.oidc_groups_claim.trim().to_owned(),
        ..Config::new(issuer, client_id, &secret, public_url)
    };
    let provider = Provider::discover(config)
        .await
        .map_err(|e| anyhow::anyhow!("kan inte nå kommunens inloggningstjänst ({e}); kontrollera --oidc-issuer"))?;
    Ok(Some(Sso {
        provider,
        provisioning: Provisioning { create_accounts: args.oidc_create_accounts, group_map },
        password_login,
        break_glass: args.break_glass.iter().map(|b| b.trim().to_lowercase()).filter(|b| !b.is_empty()).collect(),
    }))
}

/// Every unit of every municipality: id, name.
async fn units(store: &Store) -> anyhow::Result<Vec<(OrgUnitId, String)>> {
    let mut conn = store.read().await?;
    let mut all = Vec::new();
    for t in tenants::all(&mut conn).await? {
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
