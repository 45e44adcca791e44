//! The board documents of systematic quality work, generated from the data: the
//! Kvalitetsplan, the Uppföljning av kvalitetsplan and the Kvalitetsberättelse, each as
//! DOCX (editable in Word and LibreOffice), accessible HTML and PDF.
//!
//! The renderers take data that is already loaded ([`DocumentInput`]) and do no I/O.
//! Each document is first built as one intermediate model ([`model::Document`]:
//! headings, paragraphs, lists, tables, figures) and every format is written from that
//! model, so the formats cannot drift apart. [`load_input`] gathers the data through
//! `kvalitet-store` for the CLI, the web and the API.

mod build;
pub mod ivo_report;
mod kolada;
mod labels;
mod load;
pub mod model;
pub mod report_draft;
mod text;
mod write;

use kvalitet_domain::bundle::{PlanBundle, ReportBundle};
use kvalitet_domain::deviation::DeviationTally;
use kvalitet_domain::org::OrgUnitId;
use kvalitet_domain::{Id, Versioned};

pub use load::{load_input, load_input_for_tenant};

/// Which board document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// Kvalitetsplan Y: the plan for the coming year.
    Plan,
    /// Uppföljning av kvalitetsplan Y: every risk, self-inspection, action and
    /// indicator of the plan followed up.
    FollowUp,
    /// Kvalitetsberättelse Y: the annual quality report.
    Report,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 3] = [DocumentKind::Plan, DocumentKind::FollowUp, DocumentKind::Report];

    /// The stable code used on the command line and in URLs.
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Plan => "plan",
            DocumentKind::FollowUp => "follow-up",
            DocumentKind::Report => "report",
        }
    }

    pub fn from_code(code: &str) -> Option<DocumentKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A file name without extension, e.g. `kvalitetsplan-2024`.
    pub fn file_stem(self, year: i64) -> String {
        match self {
            DocumentKind::Plan => format!("kvalitetsplan-{year}"),
            DocumentKind::FollowUp => format!("uppfoljning-av-kvalitetsplan-{year}"),
            DocumentKind::Report => format!("kvalitetsberattelse-{year}"),
        }
    }
}

/// Which file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Docx,
    Html,
    Pdf,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Docx, Format::Html, Format::Pdf];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Format> {
        Self::ALL.into_iter().find(|f| f.extension() == ext.to_ascii_lowercase())
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
        }
    }
}

/// What a document is made from: the municipality, the year, the scope asked for, and
/// the plans (for the plan and its follow-up) or reports of that scope and every scope
/// below it, in tree order (parents before children).
#[derive(Debug, Clone)]
pub struct DocumentInput {
    /// The municipality's name (the tenant), e.g. "Huddinge kommun".
    pub municipality: String,
    pub year: i64,
    /// The name of the org unit the document covers, e.g. "Individ- och familjeomsorg".
    pub scope_name: String,
    pub content: Content,
    /// Whether the plan (or report) of the scope itself is a draft: the document is then
    /// marked "UTKAST".
    pub draft: bool,
    /// How many drafts of units below the scope were left out (never described).
    pub drafts_left_out: usize,
    /// The settings' furniture for this document (logo, board, reference, meeting date,
    /// status); the builders add the footer's title.
    pub furniture: model::Furniture,
    /// The Kolada comparisons of the indicators of the year's plans in the scope's
    /// subtree that name a key figure and have stored values (F13), in plan order.
    pub kolada: Vec<IndicatorComparison>,
}

/// An indicator's comparison with Kolada, for the follow-up and the quality report.
#[derive(Debug, Clone)]
pub struct IndicatorComparison {
    pub indicator_id: kvalitet_domain::indicator::IndicatorId,
    pub name: String,
    pub unit: kvalitet_domain::indicator::MeasureUnit,
    pub comparison: kvalitet_domain::kolada::Comparison,
}

/// The loaded data of a document.
#[derive(Debug, Clone)]
pub enum Content {
    Plans(Vec<PlanBundle>),
    Reports(Vec<ReportBundle>),
}

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The input holds reports where plans are needed, or the other way round.
    #[error("underlaget passar inte dokumentet: {kind:?} kan inte skapas av {given}")]
    WrongInput { kind: DocumentKind, given: &'static str },
    /// Nothing of the kind for that year in that part of the organisation.
    #[error("det finns ingen {what} för {year} inom {scope}")]
    NothingFound { what: &'static str, year: i64, scope: String },
    #[error("organisationsenheten finns inte")]
    NoSuchScope,
    #[error(transparent)]
    Store(#[from] kvalitet_store::StoreError),
    /// Writing the DOCX package failed.
    #[error("DOCX kunde inte skrivas: {0}")]
    Docx(String),
    /// The PDF typesetter reported errors (a bug in the generated markup).
    #[error("PDF kunde inte skrivas: {0}")]
    Pdf(String),
}

/// Builds the intermediate model of a document, for callers that want its text
/// (search, snapshot tests) without writing a file.
pub fn document(kind: DocumentKind, input: &DocumentInput) -> Result<model::Document, DocumentError> {
    match (kind, &input.content) {
        (DocumentKind::Plan, Content::Plans(plans)) => Ok(build::plan::document(input, plans)),
        (DocumentKind::FollowUp, Content::Plans(plans)) => Ok(build::follow_up::document(input, plans)),
        (DocumentKind::Report, Content::Reports(reports)) => Ok(build::report::document(input, reports)),
        (kind, Content::Plans(_)) => Err(DocumentError::WrongInput { kind, given: "planer" }),
        (kind, Content::Reports(_)) => Err(DocumentError::WrongInput { kind, given: "kvalitetsberättelser" }),
    }
}

/// Renders one document in one format: the bytes of the file.
pub fn render(kind: DocumentKind, format: Format, input: &DocumentInput) -> Result<Vec<u8>, DocumentError> {
    let doc = document(kind, input)?;
    render_model(&doc, format)
}

/// Writes an already built model in one format.
pub fn render_model(doc: &model::Document, format: Format) -> Result<Vec<u8>, DocumentError> {
    match format {
        Format::Docx => write::docx::write(doc),
        Format::Html => Ok(write::html::write(doc).into_bytes()),
        Format::Pdf => write::pdf::write(doc),
    }
}

impl DocumentInput {
    /// In a quality report, describes individually only the deviations of units
    /// `may_describe` allows; the others are counted in the tables (as tallies of one),
    /// not described. Returns the ids of the deviations of the report's year that stay
    /// described (for the read log). Plans hold no deviations: nothing changes.
    pub fn withhold_deviations(&mut self, may_describe: impl Fn(OrgUnitId) -> bool) -> Vec<i64> {
        let mut described = Vec::new();
        let Content::Reports(bundles) = &mut self.content else { return described };
        for b in bundles.iter_mut() {
            let (visible, hidden): (Vec<_>, Vec<_>) = b.deviations.drain(..).partition(|d| may_describe(d.unit_id));
            for d in hidden {
                b.tallies.push(Versioned {
                    id: Id::new(0),
                    version: 0,
                    item: DeviationTally {
                        tenant_id: d.tenant_id,
                        unit_id: d.unit_id,
                        year: i64::from(d.reported_on.year()),
                        kind: d.kind,
                        lex_sarah_category: d.lex_sarah_category,
                        count: 1,
                        note: String::new(),
                    },
                });
            }
            described.extend(
                visible.iter().filter(|d| i64::from(d.reported_on.year()) == b.report.year).map(|d| d.id.get()),
            );
            b.deviations = visible;
        }
        described
    }
}

/// The documents of a decision, in every format: the bytes of each file.
pub fn render_all(kind: DocumentKind, input: &DocumentInput) -> Result<Vec<(Format, Vec<u8>)>, DocumentError> {
    let doc = document(kind, input)?;
    Format::ALL.into_iter().map(|f| Ok((f, render_model(&doc, f)?))).collect()
}
