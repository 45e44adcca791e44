//! The org file: one row per unit, `id;parent;kind;name;capacity` (Swedish headers
//! `enhet;overordnad;typ;namn;platser` too). Exactly one unit without a parent (the
//! administration), sections under it, units under sections; parents named by their id
//! in the file; places only on units. Returned parents first, ready to store.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use kvalitet_domain::org::OrgUnitKind;

use crate::table::{self, ColumnSpec, Problem, Problems, Table};

const ID: usize = 0;
const PARENT: usize = 1;
const KIND: usize = 2;
const NAME: usize = 3;
const CAPACITY: usize = 4;

pub const COLUMNS: [ColumnSpec; 5] = [
    ColumnSpec { name: "id", aliases: &["id", "enhet", "enhets_id", "enhetsid", "nummer", "kod"], required: true },
    ColumnSpec {
        name: "parent",
        aliases: &["parent", "overordnad", "overordnad_enhet", "foralder", "tillhor"],
        required: true,
    },
    ColumnSpec { name: "kind", aliases: &["kind", "typ", "niva"], required: true },
    ColumnSpec { name: "name", aliases: &["name", "namn", "enhetsnamn"], required: true },
    ColumnSpec { name: "capacity", aliases: &["capacity", "platser", "antal_platser"], required: false },
];

/// One unit read from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRow {
    pub row: u64,
    pub key: String,
    pub parent_key: Option<String>,
    pub kind: OrgUnitKind,
    pub name: String,
    pub capacity: Option<i64>,
}

/// The kind a cell names: `forvaltning|sektion|enhet` or `administration|section|unit`.
pub fn parse_kind(raw: &str) -> Option<OrgUnitKind> {
    match kvalitet_measures::format::normalise_header(raw).as_str() {
        "forvaltning" | "verksamhet" | "administration" => Some(OrgUnitKind::Administration),
        "sektion" | "section" | "avdelning" => Some(OrgUnitKind::Section),
        "enhet" | "unit" => Some(OrgUnitKind::Unit),
        _ => None,
    }
}

/// Reads and checks an org file.
pub fn read(path: &Path) -> Result<Vec<UnitRow>, Problems> {
    let t = table::read(path, "organisation", &COLUMNS)?;
    check(&t)
}

fn check(t: &Table) -> Result<Vec<UnitRow>, Problems> {
    let mut problems: Vec<Problem> = Vec::new();
    let p = |row, col, msg: String| t.problem(row, col, &COLUMNS, msg);
    let mut units: Vec<UnitRow> = Vec::new();
    let mut first_row: HashMap<String, u64> = HashMap::new();
    for (row, cells) in &t.rows {
        let row = *row;
        let key = t.cell(cells, ID).to_owned();
        if key.is_empty() {
            problems.push(p(row, ID, "värde saknas: ge varje enhet ett id".into()));
        } else if let Some(first) = first_row.get(&key) {
            problems.push(p(row, ID, format!("id {key} används redan på rad {first}")));
        } else {
            first_row.insert(key.clone(), row);
        }
        let parent = t.cell(cells, PARENT);
        let kind_raw = t.cell(cells, KIND);
        let kind = parse_kind(kind_raw);
        if kind.is_none() {
            let shown =
                if kind_raw.is_empty() { "värde saknas".to_owned() } else { format!("okänd typ \"{kind_raw}\"") };
            problems.push(p(row, KIND, format!("{shown}; ange forvaltning, sektion eller enhet")));
        }
        let name = t.cell(cells, NAME).to_owned();
        if name.is_empty() {
            problems.push(p(row, NAME, "värde saknas: ange enhetens namn".into()));
        } else if name.chars().count() > kvalitet_domain::validate::limits::SHORT {
            problems.push(p(
                row,
                NAME,
                format!("namnet är längre än {} tecken", kvalitet_domain::validate::limits::SHORT),
            ));
        }
        let capacity_raw = t.cell(cells, CAPACITY);
        let capacity = if capacity_raw.is_empty() {
            None
        } else {
            match capacity_raw.replace(' ', "").parse::<i64>() {
                Ok(c) if (1..=10_000).contains(&c) => Some(c),
                _ => {
                    problems.push(p(row, CAPACITY, format!("\"{capacity_raw}\" är inte ett antal platser (1–10 000)")));
                    None
                }
            }
        };
        if capacity.is_some() && kind.is_some_and(|k| k != OrgUnitKind::Unit) {
            problems.push(p(row, CAPACITY, "bara enheter har platser".into()));
        }
        if let Some(kind) = kind {
            units.push(UnitRow {
                row,
                key,
                parent_key: (!parent.is_empty()).then(|| parent.to_owned()),
                kind,
                name,
                capacity,
            });
        }
    }
    if t.rows.is_empty() {
        problems.push(Problem {
            file: t.file.clone(),
            row: 2,
            column: String::new(),
            message: "filen har inga enheter".into(),
        });
    }
    let by_key: HashMap<&str, &UnitRow> = units.iter().map(|u| (u.key.as_str(), u)).collect();
    let roots: Vec<&UnitRow> = units.iter().filter(|u| u.parent_key.is_none()).collect();
    match roots.as_slice() {
        [] if !units.is_empty() => problems.push(Problem {
            file: t.file.clone(),
            row: units[0].row,
            column: t.header(PARENT, &COLUMNS),
            message: "ingen enhet ligger överst: förvaltningen ska ha tom överordnad".into(),
        }),
        [_, rest @ ..] => {
            for r in rest {
                problems.push(p(
                    r.row,
                    PARENT,
                    format!("bara en enhet kan ligga överst; ange vilken enhet {} ligger under", r.name),
                ));
            }
        }
        [] => {}
    }
    for u in &units {
        match (&u.parent_key, u.kind) {
            (None, k) if k != OrgUnitKind::Administration => {
                problems.push(p(u.row, KIND, "den enhet som ligger överst ska vara en förvaltning".into()))
            }
            (Some(parent), kind) => match by_key.get(parent.as_str()) {
                None => problems.push(p(u.row, PARENT, format!("överordnad {parent} finns inte bland enheternas id"))),
                Some(pu) if pu.kind.child_kind() != Some(kind) => problems.push(p(
                    u.row,
                    KIND,
                    format!(
                        "en {} kan inte ligga under en {} (förvaltning > sektion > enhet)",
                        kind_word(kind),
                        kind_word(pu.kind)
                    ),
                )),
                Some(_) => {}
            },
            _ => {}
        }
    }
    // Cycles: a unit whose chain of parents never reaches the top.
    for u in &units {
        let mut seen = HashSet::new();
        let mut next = Some(u);
        while let Some(n) = next {
            if !seen.insert(n.key.as_str()) {
                problems.push(p(u.row, PARENT, format!("enheten {} ligger under sig själv (en cirkel)", u.key)));
                break;
            }
            next = n.parent_key.as_deref().and_then(|k| by_key.get(k).copied());
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        problems.dedup();
        return Err(Problems(problems));
    }
    // Parents before children.
    let mut ordered: Vec<UnitRow> = Vec::with_capacity(units.len());
    let mut placed: HashSet<String> = HashSet::new();
    while ordered.len() < units.len() {
        for u in &units {
            if !placed.contains(&u.key) && u.parent_key.as_ref().is_none_or(|p| placed.contains(p)) {
                placed.insert(u.key.clone());
                ordered.push(u.clone());
            }
        }
    }
    Ok(ordered)
}

fn kind_word(kind: OrgUnitKind) -> &'static str {
    match kind {
        OrgUnitKind::Administration => "förvaltning",
        OrgUnitKind::Section => "sektion",
        OrgUnitKind::Unit => "enhet",
    }
}
