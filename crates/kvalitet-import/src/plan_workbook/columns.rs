//! The columns of each sheet: heading, the values offered as a list, how an item shows in
//! the column, and how a cell is read back into an item. The writer, the reader and the
//! preview go by these tables only, so what is written is what is read.

use kvalitet_domain::Date;
use kvalitet_domain::action::{Action, ActionStatus};
use kvalitet_domain::indicator::{Direction, Indicator, IndicatorSource, MeasureUnit};
use kvalitet_domain::labels::{Label, capitalised};
use kvalitet_domain::plan_changes::PlanLink;
use kvalitet_domain::risk::{Risk, RiskOrigin};
use kvalitet_domain::self_inspection::{Frequency, Method, SelfInspection, TrafficLight};

use super::{Context, Value};

/// Reads one cell (trimmed; empty when blank) into the item, or says in Swedish what is wrong.
type Read<T> = fn(&str, &mut T, &Context) -> Result<(), String>;

/// One column of a sheet.
pub(crate) struct Col<T> {
    pub heading: &'static str,
    /// The list of values the column offers: Värden's heading for it and the values.
    pub list: Option<fn(&Context) -> (&'static str, Vec<String>)>,
    pub show: fn(&T, &Context) -> Value,
    pub read: Read<T>,
    /// The record's fields the column holds, to place the record's validation messages.
    pub fields: &'static [&'static str],
}

/// A column of links to items of another sheet, written as their numbers.
pub(crate) struct LinkCol {
    pub heading: &'static str,
    pub link: PlanLink,
}

/// One sheet: its name, the prefix of its numbers, its columns and its link columns.
pub(crate) struct SheetSpec<T: 'static> {
    pub name: &'static str,
    pub prefix: &'static str,
    /// The column without which a row means nothing (the item's title).
    pub title: &'static str,
    pub cols: Vec<Col<T>>,
    pub links: &'static [LinkCol],
}

/// The sheet whose items a link points at.
pub(crate) fn target_sheet(link: PlanLink) -> &'static str {
    match link {
        PlanLink::ActionSelfInspection => "Egenkontroller",
        _ => "Risker",
    }
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn yes(b: bool) -> Value {
    text(if b { "Ja" } else { "Nej" })
}

fn label<T: Label>(v: T) -> Value {
    text(capitalised(v.label()))
}

fn yes_no_list(_: &Context) -> (&'static str, Vec<String>) {
    ("Ja/Nej", vec!["Ja".into(), "Nej".into()])
}

fn areas_list(c: &Context) -> (&'static str, Vec<String>) {
    ("Processområde", c.bundle.process_areas.iter().map(|a| a.name.clone()).collect())
}

fn codes<T: Label>(heading: &'static str) -> (&'static str, Vec<String>) {
    (heading, T::ALL.iter().map(|v| capitalised(v.label())).collect())
}

fn read_yes(cell: &str) -> Result<bool, String> {
    match cell.to_lowercase().as_str() {
        "ja" => Ok(true),
        "nej" | "" => Ok(false),
        _ => Err("skriv Ja eller Nej".into()),
    }
}

/// A code by its Swedish label (any case) or its code.
fn read_code<T: Label>(cell: &str) -> Result<T, String> {
    let wanted = cell.to_lowercase();
    T::ALL.iter().copied().find(|v| v.label().to_lowercase() == wanted || v.code() == cell).ok_or_else(|| {
        let names: Vec<String> = T::ALL.iter().map(|v| capitalised(v.label())).collect();
        if cell.is_empty() {
            format!("välj ett av värdena: {}", names.join(", "))
        } else {
            format!("värdet finns inte i listan; välj ett av: {}", names.join(", "))
        }
    })
}

fn read_text(cell: &str, limit: usize) -> Result<String, String> {
    let n = cell.chars().count();
    if n > limit { Err(format!("texten är {n} tecken; högst {limit} går")) } else { Ok(cell.to_owned()) }
}

fn read_number(cell: &str) -> Result<Option<f64>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    cell.replace(',', ".")
        .replace([' ', '\u{a0}'], "")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(Some)
        .ok_or_else(|| format!("”{cell}” är inget tal"))
}

fn read_whole(cell: &str) -> Result<Option<i64>, String> {
    match read_number(cell)? {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && n.abs() < 1e9 => Ok(Some(n as i64)),
        Some(_) => Err(format!("”{cell}” är inget heltal")),
    }
}

fn read_date(cell: &str) -> Result<Option<Date>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    cell.parse::<Date>().map(Some).map_err(|_| format!("”{cell}” är inget datum; skriv det som ÅÅÅÅ-MM-DD"))
}

fn read_area(cell: &str, c: &Context) -> Result<kvalitet_domain::org::ProcessAreaId, String> {
    let wanted = cell.to_lowercase();
    c.bundle.process_areas.iter().find(|a| a.name.trim().to_lowercase() == wanted).map(|a| a.id).ok_or_else(|| {
        let names: Vec<&str> = c.bundle.process_areas.iter().map(|a| a.name.as_str()).collect();
        format!("välj ett av kommunens processområden: {}", names.join(", "))
    })
}

fn area_name(c: &Context, id: kvalitet_domain::org::ProcessAreaId) -> String {
    c.bundle.process_areas.iter().find(|a| a.id == id).map(|a| a.name.clone()).unwrap_or_default()
}

/// An active account whose name is the cell, else the cell as the responsible's text.
fn read_responsible(cell: &str, c: &Context) -> Result<(Option<kvalitet_domain::access::AccountId>, String), String> {
    let wanted = cell.to_lowercase();
    let mut named = c.directory.people.iter().filter(|p| p.active && p.name.trim().to_lowercase() == wanted);
    match (named.next(), named.next()) {
        (Some(p), None) if !cell.is_empty() => Ok((Some(p.id), String::new())),
        _ => Ok((None, read_text(cell, kvalitet_domain::validate::limits::SHORT)?)),
    }
}

use kvalitet_domain::validate::limits::{TEXT, TITLE};

pub(crate) fn risks() -> SheetSpec<Risk> {
    SheetSpec {
        name: "Risker",
        prefix: "R",
        title: "Risk",
        cols: vec![
            Col {
                heading: "Processområde",
                list: Some(areas_list),
                show: |r, c| text(area_name(c, r.process_area_id)),
                read: |cell, r, c| Ok(r.process_area_id = read_area(cell, c)?),
                fields: &["process_area_id"],
            },
            Col {
                heading: "Risk",
                list: None,
                show: |r, _| text(&r.title),
                read: |cell, r, _| Ok(r.title = read_text(cell, TITLE)?),
                fields: &["title"],
            },
            Col {
                heading: "Konsekvens",
                list: None,
                show: |r, _| text(&r.consequence_text),
                read: |cell, r, _| Ok(r.consequence_text = read_text(cell, TEXT)?),
                fields: &["consequence_text"],
            },
            Col {
                heading: "Sannolikhet",
                list: None,
                show: |r, _| Value::Number(r.likelihood.map(|v| v as f64)),
                read: |cell, r, _| Ok(r.likelihood = read_whole(cell)?),
                fields: &["likelihood"],
            },
            Col {
                heading: "Konsekvensgrad",
                list: None,
                show: |r, _| Value::Number(r.consequence.map(|v| v as f64)),
                read: |cell, r, _| Ok(r.consequence = read_whole(cell)?),
                fields: &["consequence"],
            },
            Col {
                heading: "Risknivå",
                list: None,
                show: |r, _| Value::Number(Some(r.level as f64)),
                // A blank level is worked out from likelihood and consequence (`changes`).
                read: |cell, r, _| Ok(r.level = read_whole(cell)?.unwrap_or(0)),
                fields: &["level"],
            },
            Col {
                heading: "Ska omprövas",
                list: Some(yes_no_list),
                show: |r, _| yes(r.needs_reassessment),
                read: |cell, r, _| Ok(r.needs_reassessment = read_yes(cell)?),
                fields: &["needs_reassessment"],
            },
            Col {
                heading: "Upptäckt genom",
                list: Some(|_| codes::<RiskOrigin>("Upptäckt genom")),
                show: |r, _| label(r.origin),
                read: |cell, r, _| Ok(r.origin = read_code(cell)?),
                fields: &["origin"],
            },
        ],
        links: &[],
    }
}

pub(crate) fn self_inspections() -> SheetSpec<SelfInspection> {
    SheetSpec {
        name: "Egenkontroller",
        prefix: "E",
        title: "Egenkontroll",
        cols: vec![
            Col {
                heading: "Processområde",
                list: Some(areas_list),
                show: |s, c| text(area_name(c, s.process_area_id)),
                read: |cell, s, c| Ok(s.process_area_id = read_area(cell, c)?),
                fields: &["process_area_id"],
            },
            Col {
                heading: "Egenkontroll",
                list: None,
                show: |s, _| text(&s.title),
                read: |cell, s, _| Ok(s.title = read_text(cell, TITLE)?),
                fields: &["title"],
            },
            Col {
                heading: "Syfte",
                list: None,
                show: |s, _| text(&s.purpose),
                read: |cell, s, _| Ok(s.purpose = read_text(cell, TEXT)?),
                fields: &["purpose"],
            },
            Col {
                heading: "Metod",
                list: Some(|_| codes::<Method>("Metod")),
                show: |s, _| label(s.method),
                read: |cell, s, _| Ok(s.method = if cell.is_empty() { Method::NotStated } else { read_code(cell)? }),
                fields: &["method"],
            },
            Col {
                heading: "Frekvens",
                list: Some(|_| codes::<Frequency>("Frekvens")),
                show: |s, _| label(s.frequency),
                read: |cell, s, _| {
                    Ok(s.frequency = if cell.is_empty() { Frequency::NotStated } else { read_code(cell)? })
                },
                fields: &["frequency"],
            },
            Col {
                heading: "Mål",
                list: None,
                show: |s, _| text(&s.target),
                read: |cell, s, _| Ok(s.target = read_text(cell, TITLE)?),
                fields: &["target"],
            },
            Col {
                heading: "Ny",
                list: Some(yes_no_list),
                show: |s, _| yes(s.is_new),
                read: |cell, s, _| Ok(s.is_new = read_yes(cell)?),
                fields: &["is_new"],
            },
            Col {
                heading: "Status föregående år",
                list: Some(|_| codes::<TrafficLight>("Status föregående år")),
                show: |s, _| s.previous_status.map_or_else(|| text(""), label),
                read: |cell, s, _| Ok(s.previous_status = if cell.is_empty() { None } else { Some(read_code(cell)?) }),
                fields: &["previous_status"],
            },
            Col {
                heading: "Ansvarig",
                list: None,
                show: |s, c| text(c.directory.responsible(s.responsible_account_id, &s.responsible)),
                read: |cell, s, c| Ok((s.responsible_account_id, s.responsible) = read_responsible(cell, c)?),
                fields: &["responsible", "responsible_account_id"],
            },
            Col {
                heading: "Kopplad till enhet",
                list: None,
                show: |s, c| text(s.unit_id.map(|u| c.directory.unit_name(u)).unwrap_or_default()),
                read: |cell, s, c| {
                    if cell.is_empty() {
                        s.unit_id = None;
                        return Ok(());
                    }
                    let wanted = cell.to_lowercase();
                    let mut named = c.directory.units.iter().filter(|(_, n)| n.trim().to_lowercase() == wanted);
                    match (named.next(), named.next()) {
                        (Some((id, _)), None) => Ok(s.unit_id = Some(*id)),
                        (Some(_), Some(_)) => Err(format!("flera enheter heter ”{cell}”; ändra det i Kvalitet")),
                        _ => Err(format!("det finns ingen enhet som heter ”{cell}”")),
                    }
                },
                fields: &["unit_id"],
            },
            Col {
                heading: "Ligger kvar nästa år",
                list: Some(yes_no_list),
                show: |s, _| yes(s.keep_next_year),
                read: |cell, s, _| Ok(s.keep_next_year = read_yes(cell)?),
                fields: &["keep_next_year"],
            },
            Col {
                heading: "Om åtgärder",
                list: None,
                show: |s, _| text(&s.action_note),
                read: |cell, s, _| Ok(s.action_note = read_text(cell, TEXT)?),
                fields: &["action_note"],
            },
        ],
        links: &[LinkCol { heading: "Kopplade risker", link: PlanLink::SelfInspectionRisk }],
    }
}

pub(crate) fn actions() -> SheetSpec<Action> {
    SheetSpec {
        name: "Åtgärder",
        prefix: "Å",
        title: "Åtgärd",
        cols: vec![
            Col {
                heading: "Åtgärd",
                list: None,
                show: |a, _| text(&a.title),
                read: |cell, a, _| Ok(a.title = read_text(cell, TITLE)?),
                fields: &["title"],
            },
            Col {
                heading: "Vad ska göras",
                list: None,
                show: |a, _| text(&a.description),
                read: |cell, a, _| Ok(a.description = read_text(cell, TEXT)?),
                fields: &["description"],
            },
            Col {
                heading: "Ansvarig",
                list: None,
                show: |a, c| text(c.directory.responsible(a.responsible_account_id, &a.responsible)),
                read: |cell, a, c| Ok((a.responsible_account_id, a.responsible) = read_responsible(cell, c)?),
                fields: &["responsible", "responsible_account_id"],
            },
            Col {
                heading: "Klar senast",
                list: None,
                show: |a, _| Value::Date(a.due_on),
                read: |cell, a, _| Ok(a.due_on = read_date(cell)?),
                fields: &["due_on"],
            },
            Col {
                heading: "Status",
                list: Some(|_| codes::<ActionStatus>("Status")),
                show: |a, _| label(a.status),
                read: |cell, a, _| Ok(a.status = read_code(cell)?),
                fields: &["status"],
            },
            Col {
                heading: "Skäl till att åtgärden utgått",
                list: None,
                show: |a, _| text(a.withdrawn_reason.clone().unwrap_or_default()),
                read: |cell, a, _| {
                    let reason = read_text(cell, TEXT)?;
                    Ok(a.withdrawn_reason = (!reason.is_empty()).then_some(reason))
                },
                fields: &["withdrawn_reason"],
            },
        ],
        links: &[
            LinkCol { heading: "Kopplade risker", link: PlanLink::ActionRisk },
            LinkCol { heading: "Kopplade egenkontroller", link: PlanLink::ActionSelfInspection },
        ],
    }
}

pub(crate) fn indicators() -> SheetSpec<Indicator> {
    SheetSpec {
        name: "Indikatorer",
        prefix: "I",
        title: "Kvalitetsindikator",
        cols: vec![
            Col {
                heading: "Område",
                list: Some(areas_list),
                show: |i, c| text(area_name(c, i.area_id)),
                read: |cell, i, c| Ok(i.area_id = read_area(cell, c)?),
                fields: &["area_id"],
            },
            Col {
                heading: "Kvalitetsindikator",
                list: None,
                show: |i, _| text(&i.name),
                read: |cell, i, _| Ok(i.name = read_text(cell, TITLE)?),
                fields: &["name"],
            },
            Col {
                heading: "Kvalitetsfaktor",
                list: Some(|c| ("Kvalitetsfaktor", c.bundle.quality_factors.iter().map(|f| f.name.clone()).collect())),
                show: |i, c| {
                    let factor = i.quality_factor_id.and_then(|f| c.bundle.quality_factors.iter().find(|q| q.id == f));
                    text(factor.map(|q| q.name.clone()).unwrap_or_default())
                },
                read: |cell, i, c| {
                    if cell.is_empty() {
                        i.quality_factor_id = None;
                        return Ok(());
                    }
                    let wanted = cell.to_lowercase();
                    let factors = &c.bundle.quality_factors;
                    let found = factors.iter().find(|f| {
                        f.name.to_lowercase() == wanted
                            || f.alias.as_deref().is_some_and(|a| a.to_lowercase() == wanted)
                    });
                    match found {
                        Some(f) => Ok(i.quality_factor_id = Some(f.id)),
                        None => Err(format!(
                            "välj en av kvalitetsfaktorerna: {}",
                            factors.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
                        )),
                    }
                },
                fields: &["quality_factor_id"],
            },
            Col {
                heading: "Mäts som",
                list: Some(|_| codes::<MeasureUnit>("Mäts som")),
                show: |i, _| label(i.unit),
                read: |cell, i, _| Ok(i.unit = read_code(cell)?),
                fields: &["unit"],
            },
            Col {
                heading: "Källa",
                list: Some(|_| codes::<IndicatorSource>("Källa")),
                show: |i, _| label(i.source),
                read: |cell, i, _| Ok(i.source = read_code(cell)?),
                fields: &["source"],
            },
            Col {
                heading: "Målvärde",
                list: None,
                show: |i, _| Value::Number(i.target_value),
                read: |cell, i, _| Ok(i.target_value = read_number(cell)?),
                fields: &["target_value"],
            },
            Col {
                heading: "Riktning",
                list: Some(|_| codes::<Direction>("Riktning")),
                show: |i, _| label(i.direction),
                read: |cell, i, _| Ok(i.direction = read_code(cell)?),
                fields: &["direction"],
            },
            Col {
                heading: "Inga tillgängliga data",
                list: Some(yes_no_list),
                show: |i, _| yes(i.no_data),
                read: |cell, i, _| Ok(i.no_data = read_yes(cell)?),
                fields: &["no_data"],
            },
            Col {
                heading: "Kolada-nyckeltal",
                list: None,
                show: |i, _| text(i.kolada_kpi.clone().unwrap_or_default()),
                // Checked by the indicator's validation (Kolada's form, e.g. U21468).
                read: |cell, i, _| Ok(i.kolada_kpi = (!cell.is_empty()).then(|| cell.to_uppercase())),
                fields: &["kolada_kpi"],
            },
            Col {
                heading: "Anmärkning",
                list: None,
                show: |i, _| text(&i.note),
                read: |cell, i, _| Ok(i.note = read_text(cell, TEXT)?),
                fields: &["note"],
            },
        ],
        links: &[LinkCol { heading: "Kopplade risker", link: PlanLink::IndicatorRisk }],
    }
}
