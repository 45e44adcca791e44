//! Search over the titles and texts of plans' items, deviations and reports' items,
//! through the full-text indexes of migration 0015 (SQLite: FTS5 tables kept in step by
//! triggers; PostgreSQL: GIN indexes on `to_tsvector('swedish', …)`, with Swedish
//! stemming). How each backend matches is in `backend.rs`.
//!
//! A search runs in two steps per kind: every matching record's owner (plan, report or
//! the deviation's unit) is read and offered to the caller's access rule, best match
//! first, and only the first `per_group` the caller may read get their title and an
//! extract of their text. So nothing of a record the caller may not read leaves the
//! database, and the hits shown are the best ones the caller may read.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use kvalitet_domain::Code;
use kvalitet_domain::Id;
use kvalitet_domain::org::{OrgUnitId, TenantId};
use kvalitet_domain::plan::{PlanId, PlanState};
use kvalitet_domain::report::{ReportId, ReportState};

use crate::backend;
use crate::error::Result;

/// The longest search text taken, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words a search takes.
pub const MAX_TERMS: usize = 12;

/// A search text made safe: its words (letters and digits only, lower case), never any
/// syntax of the backend's query language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<String>,
}

impl SearchQuery {
    /// The words of `text`, or a Swedish message saying why there is nothing to search
    /// for (no letters or digits) or the text is too long.
    pub fn parse(text: &str) -> std::result::Result<SearchQuery, String> {
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(format!("Sökfrågan får vara högst {MAX_QUERY_CHARS} tecken."));
        }
        let mut terms: Vec<String> = Vec::new();
        for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let word = word.to_lowercase();
            if !terms.contains(&word) {
                terms.push(word);
            }
        }
        if terms.is_empty() {
            return Err("Skriv minst ett ord att söka efter (bokstäver eller siffror).".into());
        }
        if terms.len() > MAX_TERMS {
            return Err(format!("Sök på högst {MAX_TERMS} ord åt gången."));
        }
        Ok(SearchQuery { terms })
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }
}

/// The kinds of hits, in the order results are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// A plan's prose: its sections and focus areas.
    PlanText,
    Risk,
    SelfInspection,
    Action,
    Indicator,
    Deviation,
    /// A quality report's sections, quality assessments and improvement areas.
    Report,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::PlanText,
        Group::Risk,
        Group::SelfInspection,
        Group::Action,
        Group::Indicator,
        Group::Deviation,
        Group::Report,
    ];
}

/// What a hit belongs to, which decides who may read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Plan { id: PlanId, scope: OrgUnitId, state: PlanState },
    Report { id: ReportId, scope: OrgUnitId, state: ReportState },
    Deviation { unit: OrgUnitId, voided: bool },
}

/// Which records are searched: a table, its indexed text columns (exactly as migration
/// 0015 names them; the first is the title, unless `title` says otherwise), the group its
/// hits are shown in and what owns them.
struct Source {
    table: &'static str,
    columns: &'static [&'static str],
    group: Group,
    owner: OwnerKind,
    /// The expression of the hit's title (row alias `x`).
    title: &'static str,
}

#[derive(Clone, Copy)]
enum OwnerKind {
    Plan,
    Report,
    Deviation,
}

const SOURCES: &[Source] = &[
    Source {
        table: "section",
        columns: &["heading", "body"],
        group: Group::PlanText,
        owner: OwnerKind::Plan,
        title: "x.heading",
    },
    Source {
        table: "focus_area",
        columns: &["title", "body"],
        group: Group::PlanText,
        owner: OwnerKind::Plan,
        title: "x.title",
    },
    Source {
        table: "risk",
        columns: &["title", "consequence_text"],
        group: Group::Risk,
        owner: OwnerKind::Plan,
        title: "x.title",
    },
    Source {
        table: "self_inspection",
        columns: &["title", "purpose", "target", "action_note"],
        group: Group::SelfInspection,
        owner: OwnerKind::Plan,
        title: "x.title",
    },
    Source {
        table: "action",
        columns: &["title", "description", "responsible", "withdrawn_reason"],
        group: Group::Action,
        owner: OwnerKind::Plan,
        title: "x.title",
    },
    Source {
        table: "indicator",
        columns: &["name", "note"],
        group: Group::Indicator,
        owner: OwnerKind::Plan,
        title: "x.name",
    },
    Source {
        table: "deviation",
        columns: &["title", "description", "investigation", "causes", "measures_taken", "feedback"],
        group: Group::Deviation,
        owner: OwnerKind::Deviation,
        title: "x.title",
    },
    Source {
        table: "section",
        columns: &["heading", "body"],
        group: Group::Report,
        owner: OwnerKind::Report,
        title: "x.heading",
    },
    Source {
        table: "quality_assessment",
        columns: &["area", "body"],
        group: Group::Report,
        owner: OwnerKind::Report,
        title: "x.area",
    },
    Source {
        table: "improvement_area",
        columns: &["text"],
        group: Group::Report,
        owner: OwnerKind::Report,
        title: "x.text",
    },
];

impl Source {
    /// The columns after the title, the text an extract is taken from.
    fn body(&self) -> &'static [&'static str] {
        if self.columns.len() > 1 { &self.columns[1..] } else { self.columns }
    }

    /// The join to the owner (alias `o`), the owner's columns (id, unit, state) and the
    /// column of the tenant.
    fn owner_sql(&self) -> (&'static str, &'static str, &'static str) {
        match self.owner {
            OwnerKind::Plan => (
                "JOIN quality_plan o ON o.id = x.plan_id",
                "o.id AS owner_id, o.scope_id AS unit_id, o.state AS state",
                "o.tenant_id",
            ),
            OwnerKind::Report => (
                "JOIN quality_report o ON o.id = x.report_id",
                "o.id AS owner_id, o.scope_id AS unit_id, o.state AS state",
                "o.tenant_id",
            ),
            OwnerKind::Deviation => (
                "",
                "x.id AS owner_id, x.unit_id AS unit_id, CASE WHEN x.voided_on IS NULL THEN '' ELSE 'voided' END AS state",
                "x.tenant_id",
            ),
        }
    }

    /// The title and context (a plan's or report's title; a deviation's unit) columns.
    fn context_sql(&self) -> (&'static str, &'static str) {
        match self.owner {
            OwnerKind::Plan | OwnerKind::Report => ("", "o.title AS context"),
            OwnerKind::Deviation => ("JOIN org_unit u ON u.id = x.unit_id", "u.name AS context"),
        }
    }

    fn owner(&self, owner_id: i64, unit: i64, state: &str) -> Option<Owner> {
        let scope = OrgUnitId::new(unit);
        Some(match self.owner {
            OwnerKind::Plan => Owner::Plan { id: Id::new(owner_id), scope, state: Code::from_code(state)? },
            OwnerKind::Report => Owner::Report { id: Id::new(owner_id), scope, state: Code::from_code(state)? },
            OwnerKind::Deviation => Owner::Deviation { unit: scope, voided: !state.is_empty() },
        })
    }
}

/// A part of a hit's extract: text, and whether it is a matched word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    pub text: String,
    pub matched: bool,
}

/// One record found.
#[derive(Debug, Clone)]
pub struct Hit {
    pub group: Group,
    /// The record's table (`section`, `risk`, …) and id.
    pub table: &'static str,
    pub id: i64,
    pub owner: Owner,
    pub title: String,
    /// The plan's or report's title, or the deviation's unit.
    pub context: String,
    /// An extract of the record's text around the matched words.
    pub snippet: Vec<Fragment>,
}

/// The hits of one group, best first; `more` when there were more than were kept.
#[derive(Debug, Clone)]
pub struct GroupHits {
    pub group: Group,
    pub hits: Vec<Hit>,
    pub more: bool,
}

/// A matching record before its text is read.
struct Candidate {
    source: usize,
    id: i64,
    owner: Owner,
    score: f64,
}

/// The records of `tenant` matching every word of `query`, grouped (every group, in
/// [`Group::ALL`]'s order, empty ones too), at most `per_group` in each, keeping only those
/// whose owner `may_read` allows.
pub async fn search(
    conn: &mut AnyConnection,
    tenant: TenantId,
    query: &SearchQuery,
    per_group: usize,
    mut may_read: impl FnMut(&Owner) -> bool,
) -> Result<Vec<GroupHits>> {
    let backend = backend::of_connection(conn);
    let text = backend.search_terms(query.terms());
    let mut by_group: HashMap<Group, Vec<Candidate>> = HashMap::new();
    for (i, source) in SOURCES.iter().enumerate() {
        let m = backend.search_match(source.table, source.columns);
        let (join, owner_columns, tenant_column) = source.owner_sql();
        let sql = format!(
            "SELECT x.id AS id, {owner_columns}, {} AS score FROM {} {join} WHERE {} AND {tenant_column} = $2",
            m.score, m.from, m.condition
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&text).bind(tenant.get()).fetch_all(&mut *conn).await?;
        let found = by_group.entry(source.group).or_default();
        for row in rows {
            let state: String = row.try_get("state")?;
            let Some(owner) = source.owner(row.try_get("owner_id")?, row.try_get("unit_id")?, &state) else {
                continue;
            };
            found.push(Candidate { source: i, id: row.try_get("id")?, owner, score: row.try_get("score")? });
        }
    }
    let mut out = Vec::new();
    for group in Group::ALL {
        let mut candidates = by_group.remove(&group).unwrap_or_default();
        candidates.retain(|c| may_read(&c.owner));
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.source.cmp(&b.source)).then(a.id.cmp(&b.id)));
        let more = candidates.len() > per_group;
        candidates.truncate(per_group);
        let mut texts: HashMap<(usize, i64), Texts> = HashMap::new();
        let mut sources: Vec<usize> = candidates.iter().map(|c| c.source).collect();
        sources.sort_unstable();
        sources.dedup();
        for source in sources {
            let ids: Vec<i64> = candidates.iter().filter(|c| c.source == source).map(|c| c.id).collect();
            for (id, t) in read_texts(conn, backend, &text, &SOURCES[source], &ids).await? {
                texts.insert((source, id), t);
            }
        }
        let hits = candidates
            .into_iter()
            .filter_map(|c| {
                let t = texts.remove(&(c.source, c.id))?;
                let s = &SOURCES[c.source];
                Some(Hit {
                    group,
                    table: s.table,
                    id: c.id,
                    owner: c.owner,
                    title: t.title,
                    context: t.context,
                    snippet: t.snippet,
                })
            })
            .collect();
        out.push(GroupHits { group, hits, more });
    }
    Ok(out)
}

/// What a hit shows of its record.
struct Texts {
    title: String,
    context: String,
    snippet: Vec<Fragment>,
}

/// The titles, contexts and extracts of the records `ids` of `source` (still matching).
async fn read_texts(
    conn: &mut AnyConnection,
    backend: crate::Backend,
    text: &str,
    source: &Source,
    ids: &[i64],
) -> Result<Vec<(i64, Texts)>> {
    let m = backend.search_match(source.table, source.columns);
    let (owner_join, _, _) = source.owner_sql();
    let (context_join, context) = source.context_sql();
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT x.id AS id, {} AS title, {context}, {} AS snippet FROM {} {owner_join} {context_join} \
         WHERE {} AND x.id IN ({})",
        source.title,
        backend.search_snippet(source.table, source.body()),
        m.from,
        m.condition,
        placeholders.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(text.to_owned());
    for id in ids {
        q = q.bind(*id);
    }
    let mut out = Vec::with_capacity(ids.len());
    for row in q.fetch_all(&mut *conn).await? {
        let title: String = row.try_get::<Option<String>, _>("title")?.unwrap_or_default();
        let title = match source.table {
            "quality_assessment" if title.trim().is_empty() => "Samlad bedömning".to_owned(),
            "improvement_area" => shortened(&title, 80),
            _ => title,
        };
        let texts = Texts {
            title,
            context: row.try_get::<Option<String>, _>("context")?.unwrap_or_default(),
            snippet: fragments(&row.try_get::<Option<String>, _>("snippet")?.unwrap_or_default()),
        };
        out.push((row.try_get("id")?, texts));
    }
    Ok(out)
}

/// `text` cut at a word boundary to at most `max` characters, with "…" when cut.
fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let ends_a_word = text.chars().nth(max).is_some_and(char::is_whitespace);
    let at = if ends_a_word { cut.len() } else { cut.rfind(char::is_whitespace).unwrap_or(cut.len()) };
    format!("{}…", cut[..at].trim_end())
}

/// An extract split at the backends' marks (U+0002 before a matched word, U+0003 after).
fn fragments(snippet: &str) -> Vec<Fragment> {
    let mut out: Vec<Fragment> = Vec::new();
    let mut matched = false;
    let mut current = String::new();
    for c in snippet.chars() {
        match c {
            '\u{2}' | '\u{3}' => {
                if !current.is_empty() {
                    out.push(Fragment { text: std::mem::take(&mut current), matched });
                }
                matched = c == '\u{2}';
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(Fragment { text: current, matched });
    }
    out
}

/// The `SEARCH_INDEX` lines migration 0015 must hold for the sources searched here.
pub fn index_specs() -> Vec<String> {
    let mut specs: Vec<String> = Vec::new();
    for s in SOURCES {
        let spec = format!("SEARCH_INDEX({}: {});", s.table, s.columns.join(", "));
        if !specs.contains(&spec) {
            specs.push(spec);
        }
    }
    specs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_keeps_only_words() {
        let q = SearchQuery::parse("Brister \"OR\" (NEAR* ö-ärende) AND:*'x' brister").unwrap();
        assert_eq!(q.terms(), ["brister", "or", "near", "ö", "ärende", "and", "x"]);
        assert!(SearchQuery::parse(" \"*()-:' ").unwrap_err().contains("minst ett ord"));
        assert!(SearchQuery::parse("").is_err());
        assert!(SearchQuery::parse(&"a".repeat(201)).unwrap_err().contains("högst 200 tecken"));
        let many = (0..13).map(|i| format!("ord{i}")).collect::<Vec<_>>().join(" ");
        assert!(SearchQuery::parse(&many).unwrap_err().contains("högst 12 ord"));
    }

    #[test]
    fn an_extract_is_split_at_its_marks() {
        let f = fragments("Det finns \u{2}brister\u{3} i …");
        assert_eq!(
            f,
            vec![
                Fragment { text: "Det finns ".into(), matched: false },
                Fragment { text: "brister".into(), matched: true },
                Fragment { text: " i …".into(), matched: false },
            ]
        );
        assert_eq!(shortened("ett två tre", 7), "ett två…");
        assert_eq!(shortened("kort", 7), "kort");
        assert_eq!(shortened("ett tvåtre", 7), "ett…");
    }

    #[test]
    fn the_migration_indexes_what_is_searched() {
        let migration = include_str!("../migrations/0015_search.sql");
        for spec in index_specs() {
            assert!(migration.contains(&spec), "migration 0015 lacks {spec}");
        }
        let lines = migration.lines().filter(|l| l.starts_with("SEARCH_INDEX(")).count();
        assert_eq!(lines, index_specs().len(), "every index is searched");
    }
}
