//! What a workbook does to a draft plan: every row read through its sheet's columns onto
//! the item it names (or a new one), checked by the domain's validation, compared with the
//! plan, and its links resolved by the workbook's numbers.

use std::collections::{HashMap, HashSet};

use kvalitet_domain::action::{Action, ActionStatus};
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::indicator::{Direction, Indicator, IndicatorSource, MeasureUnit};
use kvalitet_domain::plan_changes::{Change, ChangeKind, FieldChange, LinkChange, PlanChanges, PlanLink};
use kvalitet_domain::risk::{Assessment, Risk, RiskOrigin};
use kvalitet_domain::self_inspection::{Frequency, Method, SelfInspection};
use kvalitet_domain::{Id, Validate, ValidationErrors, Versioned};

use super::columns::{self, SheetSpec};
use super::read::Workbook;
use super::write::Numbers;
use super::{Context, Directory, ID_HEADING};
use crate::{Problem, Problems};

/// The raw ids an item of the plan is linked to by `link`.
pub(crate) fn linked(bundle: &PlanBundle, link: PlanLink, from: i64) -> Vec<i64> {
    let l = &bundle.links;
    let pick = |pairs: Vec<(i64, i64)>| pairs.into_iter().filter(|(a, _)| *a == from).map(|(_, b)| b).collect();
    match link {
        PlanLink::SelfInspectionRisk => pick(l.self_inspection_risk.iter().map(|(a, b)| (a.get(), b.get())).collect()),
        PlanLink::ActionRisk => pick(l.action_risk.iter().map(|(a, b)| (a.get(), b.get())).collect()),
        PlanLink::ActionSelfInspection => {
            pick(l.action_self_inspection.iter().map(|(a, b)| (a.get(), b.get())).collect())
        }
        PlanLink::IndicatorRisk => pick(l.indicator_risk.iter().map(|(a, b)| (a.get(), b.get())).collect()),
    }
}

/// How each kind's items are made new, finished after their cells are read, and checked.
trait Kind: Clone + PartialEq + Sized + 'static {
    fn spec() -> SheetSpec<Self>;
    fn items(bundle: &PlanBundle) -> &[Versioned<Self>];
    /// A new item of the plan, before its cells are read.
    fn blank(bundle: &PlanBundle, sort_order: i64) -> Self;
    fn sort_order(&self) -> i64;
    /// What follows from the cells read (a risk's level from its factors).
    fn finish(&mut self, _before: &Self, _c: &Context) {}
    fn check(&self, c: &Context) -> Result<(), ValidationErrors>;
    /// The process area the item belongs to, if it must be one of the municipality's.
    fn area(&self) -> Option<(kvalitet_domain::org::ProcessAreaId, &'static str)>;
}

impl Kind for Risk {
    fn spec() -> SheetSpec<Self> {
        columns::risks()
    }
    fn items(bundle: &PlanBundle) -> &[Versioned<Self>] {
        &bundle.risks
    }
    fn blank(bundle: &PlanBundle, sort_order: i64) -> Self {
        Risk {
            plan_id: bundle.plan.id,
            process_area_id: Id::new(0),
            title: String::new(),
            consequence_text: String::new(),
            likelihood: None,
            consequence: None,
            level: 0,
            origin: RiskOrigin::RiskAnalysis,
            previous_risk_id: None,
            needs_reassessment: false,
            sort_order,
        }
    }
    fn sort_order(&self) -> i64 {
        self.sort_order
    }
    /// Changed factors with the level left as it was (or blank) give the level they make.
    fn finish(&mut self, before: &Self, c: &Context) {
        let factors_changed = (self.likelihood, self.consequence) != (before.likelihood, before.consequence);
        if let (Some(l), Some(k)) = (self.likelihood, self.consequence)
            && (self.level == 0 || (factors_changed && self.level == before.level))
            && let Ok(a) = Assessment::from_factors(l, k, &c.bundle.matrix)
        {
            self.level = i64::from(a.level.get());
        }
    }
    fn check(&self, c: &Context) -> Result<(), ValidationErrors> {
        self.validate_with(&c.bundle.matrix).map(|_| ())
    }
    fn area(&self) -> Option<(kvalitet_domain::org::ProcessAreaId, &'static str)> {
        Some((self.process_area_id, "Processområde"))
    }
}

impl Kind for SelfInspection {
    fn spec() -> SheetSpec<Self> {
        columns::self_inspections()
    }
    fn items(bundle: &PlanBundle) -> &[Versioned<Self>] {
        &bundle.self_inspections
    }
    fn blank(bundle: &PlanBundle, sort_order: i64) -> Self {
        SelfInspection {
            plan_id: bundle.plan.id,
            process_area_id: Id::new(0),
            title: String::new(),
            purpose: String::new(),
            method: Method::NotStated,
            frequency: Frequency::NotStated,
            target: String::new(),
            is_new: false,
            previous_status: None,
            action_note: String::new(),
            unit_id: None,
            keep_next_year: false,
            responsible: String::new(),
            responsible_account_id: None,
            previous_self_inspection_id: None,
            sort_order,
        }
    }
    fn sort_order(&self) -> i64 {
        self.sort_order
    }
    fn check(&self, _: &Context) -> Result<(), ValidationErrors> {
        self.validate()
    }
    fn area(&self) -> Option<(kvalitet_domain::org::ProcessAreaId, &'static str)> {
        Some((self.process_area_id, "Processområde"))
    }
}

impl Kind for Action {
    fn spec() -> SheetSpec<Self> {
        columns::actions()
    }
    fn items(bundle: &PlanBundle) -> &[Versioned<Self>] {
        &bundle.actions
    }
    fn blank(bundle: &PlanBundle, sort_order: i64) -> Self {
        Action {
            plan_id: bundle.plan.id,
            title: String::new(),
            description: String::new(),
            responsible: String::new(),
            responsible_account_id: None,
            due_on: None,
            status: ActionStatus::Planned,
            withdrawn_reason: None,
            previous_action_id: None,
            sort_order,
        }
    }
    fn sort_order(&self) -> i64 {
        self.sort_order
    }
    fn check(&self, _: &Context) -> Result<(), ValidationErrors> {
        self.validate()
    }
    fn area(&self) -> Option<(kvalitet_domain::org::ProcessAreaId, &'static str)> {
        None
    }
}

impl Kind for Indicator {
    fn spec() -> SheetSpec<Self> {
        columns::indicators()
    }
    fn items(bundle: &PlanBundle) -> &[Versioned<Self>] {
        &bundle.indicators
    }
    fn blank(bundle: &PlanBundle, sort_order: i64) -> Self {
        Indicator {
            plan_id: bundle.plan.id,
            area_id: Id::new(0),
            name: String::new(),
            quality_factor_id: None,
            unit: MeasureUnit::Percent,
            source: IndicatorSource::Other,
            target_value: None,
            direction: Direction::HigherIsBetter,
            no_data: false,
            note: String::new(),
            previous_indicator_id: None,
            sort_order,
            kolada_kpi: None,
        }
    }
    fn sort_order(&self) -> i64 {
        self.sort_order
    }
    fn check(&self, _: &Context) -> Result<(), ValidationErrors> {
        self.validate()
    }
    fn area(&self) -> Option<(kvalitet_domain::org::ProcessAreaId, &'static str)> {
        Some((self.area_id, "Område"))
    }
}

/// A sheet being read: where its columns are, and its rows' numbers.
struct Read<T> {
    changes: Vec<Change<T>>,
    /// Per row: its number in the workbook, its row, its link cells by link heading.
    rows: Vec<(String, u64, HashMap<&'static str, String>)>,
    file: String,
    sheet: &'static str,
    /// Whether the sheet is in the workbook at all (an absent sheet changes nothing).
    present: bool,
}

fn problem(file: &str, row: u64, column: &str, message: impl Into<String>) -> Problem {
    Problem { file: file.into(), row, column: column.into(), message: message.into() }
}

fn read_sheet<T: Kind>(wb: &Workbook, c: &Context, problems: &mut Vec<Problem>) -> Read<T> {
    let spec = T::spec();
    let file = format!("{}[{}]", wb.file, spec.name);
    let Some((_, rows)) = wb.sheet(spec.name) else {
        return Read { changes: Vec::new(), rows: Vec::new(), file, sheet: spec.name, present: false };
    };
    let mut rows = rows.iter();
    let Some((header_row, header)) = rows.next() else {
        return Read { changes: Vec::new(), rows: Vec::new(), file, sheet: spec.name, present: true };
    };
    let position = |heading: &str| header.iter().position(|h| h.trim().to_lowercase() == heading.to_lowercase());
    if position(spec.title).is_none() {
        problems.push(problem(&file, *header_row, "", format!("kolumnen {} saknas i rubrikraden", spec.title)));
        return Read { changes: Vec::new(), rows: Vec::new(), file, sheet: spec.name, present: true };
    }
    let cols: Vec<Option<usize>> = spec.cols.iter().map(|col| position(col.heading)).collect();
    let link_cols: Vec<Option<usize>> = spec.links.iter().map(|l| position(l.heading)).collect();
    let (nr_col, id_col) = (position("Nr"), position(ID_HEADING));

    let existing = T::items(c.bundle);
    let mut next_order = existing.iter().map(|i| i.item.sort_order()).max().unwrap_or(0);
    let mut read = Read { changes: Vec::new(), rows: Vec::new(), file: file.clone(), sheet: spec.name, present: true };
    let mut seen_ids = HashSet::new();
    let mut seen_numbers = HashMap::new();
    for (row, cells) in rows {
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|c| c.trim()).unwrap_or("");
        if cells.iter().enumerate().all(|(i, c)| Some(i) == id_col || c.trim().is_empty()) {
            continue;
        }
        let number = cell(nr_col).to_owned();
        if !number.is_empty()
            && let Some(first) = seen_numbers.insert(number.to_lowercase(), *row)
        {
            problems.push(problem(&file, *row, "Nr", format!("numret {number} finns redan på rad {first}")));
        }
        // The item the row names: one of this plan's by its id, or a new one.
        let id_cell = cell(id_col);
        let named = match id_cell {
            "" => None,
            text => {
                match text.split_once(':').and_then(|(i, v)| Some((i.parse::<i64>().ok()?, v.parse::<i64>().ok()?))) {
                    Some((id, version)) => existing.iter().find(|e| e.id.get() == id).map(|e| (e, version)),
                    None => {
                        problems.push(problem(
                            &file,
                            *row,
                            ID_HEADING,
                            "kolumnen är Kvalitets egen och kan inte läsas; töm cellen om raden är en ny post",
                        ));
                        None
                    }
                }
            }
        };
        if let Some((e, _)) = named
            && !seen_ids.insert(e.id)
        {
            problems.push(problem(&file, *row, ID_HEADING, "samma post finns på två rader; ta bort den ena"));
            continue;
        }
        let base = match named {
            Some((e, _)) => e.item.clone(),
            None => {
                next_order += 1;
                T::blank(c.bundle, next_order)
            }
        };
        let mut item = base.clone();
        let mut row_problems = Vec::new();
        for (col, at) in spec.cols.iter().zip(&cols) {
            let Some(at) = *at else { continue };
            let text = cell(Some(at));
            // A cell as the item already shows is left alone, so reading back what was
            // written changes nothing (an account and a text both kept, say).
            if text == (col.show)(&base, c).shown() {
                continue;
            }
            if let Err(message) = (col.read)(text, &mut item, c) {
                row_problems.push(problem(&file, *row, header[at].trim(), message));
            }
        }
        if row_problems.is_empty() {
            item.finish(&base, c);
            if let Some((area, heading)) = item.area()
                && !c.bundle.process_areas.iter().any(|a| a.id == area)
            {
                row_problems.push(problem(&file, *row, heading, "ange ett av kommunens processområden"));
            }
            if let Err(errors) = item.check(c) {
                for e in errors.errors {
                    let col = spec.cols.iter().find(|col| col.fields.contains(&e.field)).map_or("", |col| col.heading);
                    row_problems.push(problem(&file, *row, col, e.problem.to_string()));
                }
            }
        }
        let label = if number.is_empty() { format!("rad {row}") } else { number.clone() };
        let kind = match named {
            None => ChangeKind::Create,
            Some((e, _)) if item == base => ChangeKind::Unchanged { id: e.id },
            Some((e, version)) if version != e.version => {
                row_problems.push(problem(
                    &file,
                    *row,
                    ID_HEADING,
                    format!(
                        "{label} har ändrats i Kvalitet sedan arbetsboken hämtades; hämta den igen och gör ändringen i den nya"
                    ),
                ));
                ChangeKind::Unchanged { id: e.id }
            }
            Some((e, _)) => ChangeKind::Update {
                id: e.id,
                version: e.version,
                fields: spec
                    .cols
                    .iter()
                    .filter_map(|col| {
                        let (before, after) = ((col.show)(&base, c).shown(), (col.show)(&item, c).shown());
                        (before != after).then_some(FieldChange { field: col.heading, before, after })
                    })
                    .collect(),
            },
        };
        problems.extend(row_problems);
        let links = spec
            .links
            .iter()
            .zip(&link_cols)
            .filter_map(|(l, at)| at.map(|at| (l.heading, cell(Some(at)).to_owned())))
            .collect();
        read.rows.push((number, *row, links));
        read.changes.push(Change { label, item, kind });
    }
    read
}

/// The link changes of one sheet's rows, resolved through the target sheet's numbers.
fn read_links<T: Kind, U>(
    from: &Read<T>,
    target: &Read<U>,
    c: &Context,
    numbers: &Numbers,
    problems: &mut Vec<Problem>,
) -> Vec<LinkChange> {
    let spec = T::spec();
    let target_sheet_numbers: HashMap<String, usize> =
        target.rows.iter().enumerate().filter(|(_, r)| !r.0.is_empty()).map(|(i, r)| (r.0.to_lowercase(), i)).collect();
    let mut out = Vec::new();
    for l in spec.links.iter().filter(|l| columns::target_sheet(l.link) == target.sheet) {
        let target_name = target.sheet;
        for (i, (change, (_, row, cells))) in from.changes.iter().zip(&from.rows).enumerate() {
            let Some(written) = cells.get(l.heading) else { continue };
            if !target.present {
                if !written.is_empty() {
                    problems.push(problem(
                        &from.file,
                        *row,
                        l.heading,
                        format!("arbetsboken har inget blad {target_name}, så {written} kan inte kopplas"),
                    ));
                }
                continue;
            }
            let mut to = Vec::new();
            let mut after = Vec::new();
            for n in written.split([';', ',']).map(str::trim).filter(|n| !n.is_empty()) {
                match target_sheet_numbers.get(&n.to_lowercase()) {
                    Some(&t) if !to.contains(&t) => {
                        to.push(t);
                        after.push(n.to_owned());
                    }
                    Some(_) => {}
                    None => problems.push(problem(
                        &from.file,
                        *row,
                        l.heading,
                        format!(
                            "{n} finns inte på bladet {target_name}; skriv numren i kolumnen Nr där, åtskilda med ;"
                        ),
                    )),
                }
            }
            // The item's links now to items the target sheet holds, by their row there.
            let now: Vec<(usize, i64)> = change
                .id()
                .map(|id| linked(c.bundle, l.link, id.get()))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|id| target.changes.iter().position(|ch| target_id_of(ch) == Some(id)).map(|t| (t, id)))
                .collect();
            let add: Vec<usize> = to.iter().copied().filter(|t| !now.iter().any(|(n, _)| n == t)).collect();
            let remove: Vec<i64> = now.iter().filter(|(t, _)| !to.contains(t)).map(|(_, id)| *id).collect();
            if !add.is_empty() || !remove.is_empty() {
                let before = now
                    .iter()
                    .map(|(t, id)| {
                        Some(target.rows[*t].0.clone())
                            .filter(|n| !n.is_empty())
                            .unwrap_or_else(|| numbers.get(target_name, *id))
                    })
                    .collect();
                out.push(LinkChange { link: l.link, from: i, add, remove, before, after });
            }
        }
    }
    out
}

fn target_id_of<U>(change: &Change<U>) -> Option<i64> {
    change.id().map(|id| id.get())
}

/// What reading `workbook` into the plan of `bundle` would do, or every problem found.
pub fn changes(workbook: &Workbook, bundle: &PlanBundle, directory: &Directory) -> Result<PlanChanges, Problems> {
    let c = Context { bundle, directory };
    let mut problems = Vec::new();
    let sheets = ["Risker", "Egenkontroller", "Åtgärder", "Indikatorer"];
    if !sheets.iter().any(|s| workbook.sheet(s).is_some()) {
        return Err(Problems(vec![problem(
            &workbook.file,
            1,
            "",
            format!("arbetsboken har inget av bladen {}; hämta planens arbetsbok och utgå från den", sheets.join(", ")),
        )]));
    }
    let risks: Read<Risk> = read_sheet(workbook, &c, &mut problems);
    let sis: Read<SelfInspection> = read_sheet(workbook, &c, &mut problems);
    let actions: Read<Action> = read_sheet(workbook, &c, &mut problems);
    let indicators: Read<Indicator> = read_sheet(workbook, &c, &mut problems);
    let numbers = Numbers::of(bundle);
    let mut links = read_links(&sis, &risks, &c, &numbers, &mut problems);
    links.extend(read_links(&actions, &risks, &c, &numbers, &mut problems));
    links.extend(read_links(&actions, &sis, &c, &numbers, &mut problems));
    links.extend(read_links(&indicators, &risks, &c, &numbers, &mut problems));
    if !problems.is_empty() {
        problems.sort_by(|a, b| (sheet_order(&a.file), a.row).cmp(&(sheet_order(&b.file), b.row)));
        return Err(Problems(problems));
    }
    let held = |ids: Vec<Option<i64>>| ids.into_iter().flatten().count();
    let untouched = bundle.risks.len() + bundle.self_inspections.len() + bundle.actions.len() + bundle.indicators.len()
        - held(risks.changes.iter().map(target_id_of).collect())
        - held(sis.changes.iter().map(target_id_of).collect())
        - held(actions.changes.iter().map(target_id_of).collect())
        - held(indicators.changes.iter().map(target_id_of).collect());
    Ok(PlanChanges {
        plan_id: bundle.plan.id,
        risks: risks.changes,
        self_inspections: sis.changes,
        actions: actions.changes,
        indicators: indicators.changes,
        links,
        untouched,
    })
}

fn sheet_order(file: &str) -> usize {
    ["[Risker]", "[Egenkontroller]", "[Åtgärder]", "[Indikatorer]"].iter().position(|s| file.ends_with(s)).unwrap_or(9)
}
