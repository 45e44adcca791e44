//! The accounts file: `email;name;role;scope`, one row per role, several rows for a
//! person with several roles (Swedish headers `e-post;namn;roll;omfattning` too). Roles
//! by code or Swedish name; the scope is a unit's name or number in the org tree.

use std::collections::BTreeMap;
use std::path::Path;

use kvalitet_domain::access::{Account, Role};
use kvalitet_domain::org::{OrgUnitId, TenantId};
use kvalitet_domain::{Code, Validate};

use crate::table::{self, ColumnSpec, Problem, Problems};

const EMAIL: usize = 0;
const NAME: usize = 1;
const ROLE: usize = 2;
const SCOPE: usize = 3;

pub const COLUMNS: [ColumnSpec; 4] = [
    ColumnSpec { name: "email", aliases: &["email", "e_post", "epost", "e_postadress", "mail"], required: true },
    ColumnSpec { name: "name", aliases: &["name", "namn"], required: true },
    ColumnSpec { name: "role", aliases: &["role", "roll"], required: true },
    ColumnSpec { name: "scope", aliases: &["scope", "omfattning", "enhet", "unit"], required: true },
];

/// The role a cell names, by code or in Swedish.
pub fn parse_role(raw: &str) -> Option<Role> {
    let norm = kvalitet_measures::format::normalise_header(raw);
    Role::from_code(&norm).or(match norm.as_str() {
        "administrator" | "admin" => Some(Role::Administrator),
        "kvalitetsutvecklare" => Some(Role::QualityDeveloper),
        "chef" | "enhetschef" | "sektionschef" | "gruppledare" => Some(Role::Manager),
        "medarbetare" | "personal" => Some(Role::Staff),
        "lasare" | "namnd" | "namndledamot" => Some(Role::Reader),
        _ => None,
    })
}

/// One person of the file with every role the file gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub email: String,
    pub name: String,
    /// The roles in file order, without repeats.
    pub roles: Vec<(Role, OrgUnitId)>,
}

/// Reads and checks an accounts file against the tenant's units (`(id, name)`); people
/// in the order the file first names them.
pub fn read(path: &Path, tenant: TenantId, units: &[(OrgUnitId, String)]) -> Result<Vec<PersonRow>, Problems> {
    let t = table::read(path, "konton", &COLUMNS)?;
    let mut problems: Vec<Problem> = Vec::new();
    let p = |row, col, msg: String| t.problem(row, col, &COLUMNS, msg);
    let mut people: BTreeMap<String, (usize, u64, PersonRow)> = BTreeMap::new();
    for (row, cells) in &t.rows {
        let row = *row;
        let email = t.cell(cells, EMAIL).to_lowercase();
        let name = t.cell(cells, NAME).to_owned();
        let mut account = Account::new(tenant, &email, &name);
        if name.is_empty() {
            account.display_name = email.clone();
        }
        if let Err(e) = account.validate() {
            for fe in &e.errors {
                let col = if fe.field == "email" { EMAIL } else { NAME };
                problems.push(p(row, col, fe.problem.to_string()));
            }
        }
        let role_raw = t.cell(cells, ROLE);
        let role = parse_role(role_raw);
        if role.is_none() {
            problems.push(p(
                row,
                ROLE,
                format!(
                    "okänd roll \"{role_raw}\"; ange administratör, kvalitetsutvecklare, chef, medarbetare eller läsare"
                ),
            ));
        }
        let scope_raw = t.cell(cells, SCOPE);
        let matching: Vec<OrgUnitId> = units
            .iter()
            .filter(|(id, n)| n.to_lowercase() == scope_raw.to_lowercase() || id.get().to_string() == scope_raw)
            .map(|(id, _)| *id)
            .collect();
        let scope = match matching.as_slice() {
            [one] => Some(*one),
            [] if scope_raw.is_empty() => {
                problems.push(p(row, SCOPE, "värde saknas: ange enhetens namn eller nummer".into()));
                None
            }
            [] => {
                problems.push(p(row, SCOPE, format!("det finns ingen enhet som heter \"{scope_raw}\"")));
                None
            }
            _ => {
                problems.push(p(row, SCOPE, format!("flera enheter heter \"{scope_raw}\"; ange enhetens nummer")));
                None
            }
        };
        let order = people.len();
        let entry = people.entry(email.clone()).or_insert_with(|| {
            (order, row, PersonRow { email: email.clone(), name: account.display_name.clone(), roles: vec![] })
        });
        if entry.2.name != account.display_name {
            problems.push(p(row, NAME, format!("{email} har namnet \"{}\" på rad {}", entry.2.name, entry.1)));
        }
        if let (Some(role), Some(scope)) = (role, scope)
            && !entry.2.roles.contains(&(role, scope))
        {
            entry.2.roles.push((role, scope));
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(Problems(problems));
    }
    let mut out: Vec<(usize, PersonRow)> = people.into_values().map(|(o, _, r)| (o, r)).collect();
    out.sort_by_key(|(o, _)| *o);
    Ok(out.into_iter().map(|(_, r)| r).collect())
}
