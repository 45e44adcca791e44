//! Kvalitetsberättelse Y (seed 002), in the seed's structure: the report's own chapters
//! (introduction, quality, focus areas with their parts), "Underlag för bedömning av
//! kvalitet" (conditions, key statistics, open comparisons, user surveys, systematic
//! follow-up, deviations, reviews), the assessment of quality per area, and the
//! improvement areas right after the sentence that introduces them.
//!
//! A section of kind "other" whose heading names one of the generated chapters
//! ("Brukarundersökningar", "Förbättringsområden" …) is that chapter's own text: it is
//! printed once, under that chapter's heading, before the chapter's data.

mod deviations;
mod prose;
mod results;

use kvalitet_domain::bundle::ReportBundle;
use kvalitet_domain::plan::{Section, SectionKind};

use super::{Levels, heading};
use crate::DocumentInput;
use crate::model::{Block, Document, Para};

pub fn document(input: &DocumentInput, reports: &[ReportBundle]) -> Document {
    let mut blocks = Vec::new();
    let levels = Levels::for_parts(reports.len());
    if reports.is_empty() {
        blocks.push(Block::Paragraph(Para::new(format!(
            "Det finns ingen kvalitetsberättelse för {} inom {}.",
            input.year, input.scope_name
        ))));
    }
    for r in reports {
        if reports.len() > 1 {
            blocks.push(heading(1, r.scope.name.clone()));
            blocks.push(Block::Paragraph(Para::note(r.report.title.clone())));
        }
        part(&mut blocks, r, levels);
    }
    super::kolada::chapter(&mut blocks, &input.kolada, 1);
    let mut title_lines = vec![input.scope_name.clone()];
    if let [one] = reports {
        if one.report.title != format!("Kvalitetsberättelse {}", input.year) {
            title_lines.push(one.report.title.clone());
        }
        // Only a date the data holds; without one, nothing.
        if let Some(on) = one.report.submitted_on {
            title_lines.push(format!("Överlämnad till nämnden {on}"));
        }
    }
    let marking = super::draft_rule(input, &mut blocks, "kvalitetsberättelser");
    let title = format!("Kvalitetsberättelse {}", input.year);
    Document {
        marking,
        furniture: super::furniture(input, &title),
        title,
        municipality: input.municipality.clone(),
        title_lines,
        blocks,
    }
}

/// The chapters the builder makes from the report's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chapter {
    /// "Underlag för bedömning av kvalitet": holds the chapters up to the reviews.
    Basis,
    Statistics,
    Surveys,
    FollowUps,
    Deviations,
    Reviews,
    Assessments,
    Improvements,
}

impl Chapter {
    /// The heading when no section of the report gives it (seed 002's).
    fn title(self) -> &'static str {
        match self {
            Chapter::Basis => "Underlag för bedömning av kvalitet",
            Chapter::Statistics => "Statistik och kvalitetsregister",
            Chapter::Surveys => "Brukarundersökningar",
            Chapter::FollowUps => "Systematisk uppföljning",
            Chapter::Deviations => "Avvikelser, synpunkter och klagomål",
            Chapter::Reviews => "Revisioner och granskningar",
            Chapter::Assessments => "Bedömning av kvalitet",
            Chapter::Improvements => "Förbättringsområden",
        }
    }

    /// Whether the chapter stands under "Underlag för bedömning av kvalitet".
    fn in_basis(self) -> bool {
        !matches!(self, Chapter::Assessments | Chapter::Improvements)
    }
}

/// The generated chapter a section of kind "other" is the text of, by its heading.
fn chapter_of(s: &Section) -> Option<Chapter> {
    if s.kind != SectionKind::Other {
        return None;
    }
    Some(match s.heading.trim().to_lowercase().as_str() {
        "underlag för bedömning av kvalitet" => Chapter::Basis,
        "statistik" | "statistik och kvalitetsregister" | "nyckeltal" => Chapter::Statistics,
        "brukarundersökningar" | "brukarundersökning" => Chapter::Surveys,
        "systematisk uppföljning" => Chapter::FollowUps,
        "avvikelser, synpunkter och klagomål" | "avvikelser" => Chapter::Deviations,
        "revisioner och granskningar" | "granskningar" => Chapter::Reviews,
        "bedömning av kvalitet" => Chapter::Assessments,
        "förbättringsområden" | "utvecklingsområden" => Chapter::Improvements,
        _ => return None,
    })
}

/// Whether a section belongs under "Underlag för bedömning av kvalitet".
fn in_basis(s: &Section) -> bool {
    matches!(s.kind, SectionKind::Conditions | SectionKind::OpenComparisons)
        || chapter_of(s).is_some_and(Chapter::in_basis)
}

struct Part<'a> {
    b: &'a ReportBundle,
    sections: Vec<&'a Section>,
    lv: Levels,
}

impl<'a> Part<'a> {
    /// The sections that are `chapter`'s own text.
    fn texts_of(&self, chapter: Chapter) -> Vec<&'a Section> {
        self.sections.iter().copied().filter(|s| chapter_of(s) == Some(chapter)).collect()
    }

    fn title(&self, chapter: Chapter) -> String {
        self.texts_of(chapter).first().map_or_else(|| chapter.title().to_owned(), |s| s.heading.trim().to_owned())
    }

    /// A chapter's heading and own text; false (and nothing) when it has neither text
    /// nor data.
    fn open(&self, out: &mut Vec<Block>, chapter: Chapter, level: u8, has_data: bool) -> bool {
        let texts = self.texts_of(chapter);
        if texts.is_empty() && !has_data {
            return false;
        }
        out.push(heading(level, self.title(chapter)));
        for s in texts {
            out.extend(prose::section(&s.body, (level + 1).min(4)));
        }
        true
    }

    /// One chapter of the basis, with its data after its text.
    fn basis_chapter(&self, out: &mut Vec<Block>, chapter: Chapter) {
        let (b, level) = (self.b, self.lv.sub());
        let below = (level + 1).min(4);
        match chapter {
            Chapter::Basis | Chapter::Assessments | Chapter::Improvements => {}
            Chapter::Statistics => {
                if self.open(out, chapter, level, !b.statistics.is_empty()) {
                    results::statistics(out, b);
                }
            }
            Chapter::Surveys => {
                if self.open(out, chapter, level, !b.surveys.is_empty()) {
                    results::surveys(out, b, below);
                }
            }
            Chapter::FollowUps => {
                if self.open(out, chapter, level, !b.follow_ups.is_empty()) {
                    results::follow_ups(out, b);
                }
            }
            // The cases come before the chapter's own text (seed 002).
            Chapter::Deviations => {
                deviations::chapter(out, b, &self.title(chapter), &self.texts_of(chapter), level);
            }
            Chapter::Reviews => {
                if self.open(out, chapter, level, !b.reviews.is_empty()) {
                    let mut reviews: Vec<_> = b.reviews.iter().collect();
                    reviews.sort_by_key(|r| (r.sort_order, r.id));
                    for r in reviews {
                        out.push(heading(below, r.title.clone()));
                        out.extend(prose::section(&r.body, (below + 1).min(4)));
                    }
                }
            }
        }
    }
}

fn part(out: &mut Vec<Block>, b: &ReportBundle, lv: Levels) {
    // The follow-up's own prose belongs to a plan's follow-up, never to a report.
    let mut sections: Vec<_> = b.sections.iter().filter(|s| s.kind != SectionKind::FollowUp).collect();
    sections.sort_by_key(|s| (s.sort_order, s.id));
    let p = Part { b, sections: sections.iter().map(|s| &s.item).collect(), lv };

    // The report's own chapters, up to the first section of the basis; the focus
    // areas' parts ("Målbild för medborgare", "Insatser") under the chapter before them.
    let mut front = Vec::new();
    let mut basis = Vec::new();
    for s in &p.sections {
        if matches!(chapter_of(s), Some(Chapter::Assessments | Chapter::Improvements)) {
            continue;
        }
        if in_basis(s) || !basis.is_empty() {
            basis.push(*s);
        } else {
            front.push(*s);
        }
    }
    let mut chapter_open = false;
    for s in front {
        let level = if matches!(s.kind, SectionKind::Vision | SectionKind::Narrative) && chapter_open {
            lv.sub()
        } else {
            chapter_open = true;
            lv.chapter()
        };
        out.push(heading(level, s.heading.clone()));
        out.extend(prose::section(&s.body, (level + 1).min(4)));
    }

    // "Underlag för bedömning av kvalitet": its sections in their order, each generated
    // chapter at its text's place (or, without text, after them in seed 002's order).
    p.open(out, Chapter::Basis, lv.chapter(), true);
    let mut placed = Vec::new();
    for s in basis {
        match chapter_of(s) {
            Some(Chapter::Basis) => {}
            Some(c) => {
                if !placed.contains(&c) {
                    placed.push(c);
                    p.basis_chapter(out, c);
                }
            }
            None => {
                out.push(heading(lv.sub(), s.heading.clone()));
                out.extend(prose::section(&s.body, (lv.sub() + 1).min(4)));
            }
        }
    }
    for c in [Chapter::Statistics, Chapter::Surveys, Chapter::FollowUps, Chapter::Deviations, Chapter::Reviews] {
        if !placed.contains(&c) {
            p.basis_chapter(out, c);
        }
    }

    if p.open(out, Chapter::Assessments, lv.chapter(), !b.assessments.is_empty()) {
        let mut a: Vec<_> = b.assessments.iter().collect();
        a.sort_by_key(|x| (x.sort_order, x.id));
        for x in a {
            if !x.area.trim().is_empty() {
                out.push(heading(lv.sub(), x.area.clone()));
            }
            out.extend(prose::section(&x.body, (lv.sub() + 1).min(4)));
        }
    }

    // The list right after its text ("… prioriteras under 2023 är följande:").
    if p.open(out, Chapter::Improvements, lv.chapter(), !b.improvement_areas.is_empty()) {
        let mut items: Vec<_> = b.improvement_areas.iter().collect();
        items.sort_by_key(|x| (x.sort_order, x.id));
        if !items.is_empty() {
            out.push(crate::text::list(items.iter().map(|i| i.text.clone()).collect()));
        }
    }
}
