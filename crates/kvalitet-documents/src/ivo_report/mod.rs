//! The prefilled report of a lex Sarah case to IVO (Inspektionen för vård och omsorg):
//! the questions of IVO's form "Anmälan enligt lex Sarah" (SOSFS 2011:5, 8 kap.) in the
//! form's order, each answered from what Kvalitet holds about the case, or left as an
//! answer box marked "Fylls i av verksamheten". Nothing is guessed: what the record does
//! not hold is left for the manager, and what Kvalitet computed says so and how.
//!
//! The report is a draft for the manager to complete and send (IVO takes the report
//! through its e-service or its own form by post); the document says so at its top and
//! in the running header of every page. Kvalitet holds nothing about the people served
//! (no names, no personal identity numbers), and the report adds nothing of the kind.
//!
//! [`IvoFacts`] is what the case holds (gathered through the store by [`load::facts`]),
//! [`IvoReport::new`] (in `questions.rs`) turns it into the questions and answers, and [`IvoReport::document`]
//! into the shared intermediate model, which the existing writers write as DOCX and PDF.

pub mod load;
mod questions;

use kvalitet_domain::action::Action;
use kvalitet_domain::deviation::{Deviation, EventAnalysis};
use kvalitet_domain::{Date, Versioned};

use crate::model::{Block, Cell, Document, Furniture, Para, Table};
use crate::text::cell_paras;
use crate::{DocumentError, Format};

/// The answer box of a question the data does not answer.
pub const TO_FILL: &str = "Fylls i av verksamheten";

/// The marking at the top and in the running header of every page.
pub const MARKING: &str = "Utkast – kompletteras och skickas till IVO av verksamheten";

/// What Kvalitet holds about one lex Sarah case, for its report to IVO.
#[derive(Debug, Clone)]
pub struct IvoFacts {
    /// The municipality (the tenant), the provider of the service.
    pub municipality: String,
    /// The org units from the top of the tree down to the case's unit, by name.
    pub unit_path: Vec<String>,
    pub deviation: Versioned<Deviation>,
    /// The name of the case's place category, if one was chosen.
    pub place: Option<String>,
    /// The actions decided for the case: the one it is tied to and its event analysis's.
    pub actions: Vec<Versioned<Action>>,
    pub event_analysis: Option<EventAnalysis>,
    /// The municipality's number of days from the report to the report to IVO.
    pub ivo_deadline_days: i64,
}

/// One answer on the report.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Recorded in Kvalitet: the text as recorded (prose, paragraphs by blank lines).
    Recorded(String),
    /// Computed by Kvalitet from what was recorded; `how` says from what.
    Computed { value: String, how: String },
    /// Not in the data: an empty box for the manager, with a hint of what goes in it.
    ToFill { hint: Option<String> },
}

impl Answer {
    fn fill() -> Answer {
        Answer::ToFill { hint: None }
    }

    fn fill_with(hint: impl Into<String>) -> Answer {
        Answer::ToFill { hint: Some(hint.into()) }
    }

    /// Recorded text, or an empty box when the text is blank.
    fn text_or_fill(text: &str) -> Answer {
        if text.trim().is_empty() { Answer::fill() } else { Answer::Recorded(text.trim().to_owned()) }
    }

    fn date_or_fill(date: Option<Date>) -> Answer {
        date.map_or_else(Answer::fill, |d| Answer::Recorded(d.to_string()))
    }

    pub fn is_to_fill(&self) -> bool {
        matches!(self, Answer::ToFill { .. })
    }

    fn cell(&self) -> Cell {
        match self {
            Answer::Recorded(text) => Cell::paras(cell_paras(text)),
            Answer::Computed { value, how } => {
                Cell::paras(vec![Para::new(value.clone()), Para::note(format!("Beräknat av Kvalitet: {how}"))])
            }
            Answer::ToFill { hint } => {
                let mut paras = vec![Para::strong(TO_FILL)];
                paras.extend(hint.iter().map(|h| Para::note(h.clone())));
                Cell { paras, shading: Some("#fff4ce".to_owned()) }
            }
        }
    }
}

/// One of IVO's questions with its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub label: String,
    pub answer: Answer,
}

/// One part of IVO's form.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub heading: String,
    /// Warnings the manager must not miss before sending (e.g. an assessment that is
    /// not a serious impropriety).
    pub warnings: Vec<String>,
    pub questions: Vec<Question>,
}

/// The prefilled report of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct IvoReport {
    pub municipality: String,
    /// The case's reference in Kvalitet, e.g. `2026-00042`.
    pub reference: String,
    pub unit: String,
    /// The day the report was made from the data.
    pub made_on: Date,
    pub parts: Vec<Part>,
}

impl IvoReport {
    /// The report as the shared intermediate model: a title page, then each part of
    /// IVO's form as a heading and a table of questions and answers.
    pub fn document(&self) -> Document {
        let mut blocks = vec![
            Block::Heading { level: 1, text: "Om underlaget".into() },
            Block::Paragraph(Para::new(
                "Underlaget följer frågorna i IVO:s blankett för anmälan enligt lex Sarah (SOSFS 2011:5, 8 kap.). \
                 Svaren är hämtade ur ärendet i Kvalitet. Det som Kvalitet inte har uppgift om är markerat \
                 ”Fylls i av verksamheten”; värden som Kvalitet har räknat fram är märkta ”Beräknat av Kvalitet”.",
            )),
            Block::Paragraph(Para::new(
                "Anmälan görs av den som bedriver verksamheten, i IVO:s e-tjänst eller på IVO:s blankett med \
                 vanlig post, inte med e-post. Kontrollera och komplettera alla svar innan anmälan skickas.",
            )),
            Block::Paragraph(Para::warning(
                "Uppgifter om enskilda finns inte i Kvalitet och ska inte läggas in här: ange dem bara i anmälan \
                 som skickas till IVO.",
            )),
        ];
        for part in &self.parts {
            blocks.push(Block::Heading { level: 1, text: part.heading.clone() });
            blocks.extend(part.warnings.iter().map(|w| Block::Paragraph(Para::warning(w.clone()))));
            blocks.push(Block::Table(Table {
                caption: part.heading.clone(),
                header: vec!["Uppgift".into(), "Svar".into()],
                rows: part.questions.iter().map(|q| vec![Cell::text(q.label.clone()), q.answer.cell()]).collect(),
                row_headers: true,
                widths: vec![2, 5],
            }));
        }
        Document {
            title: "Anmälan enligt lex Sarah".into(),
            municipality: self.municipality.clone(),
            title_lines: vec![
                "Till Inspektionen för vård och omsorg (IVO)".into(),
                format!("Ärende {} i Kvalitet, {}", self.reference, self.unit),
                format!("Underlaget är hämtat ur Kvalitet {}", self.made_on),
            ],
            marking: Some(MARKING.into()),
            furniture: Furniture { footer_title: "Anmälan enligt lex Sarah".into(), ..Furniture::default() },
            blocks,
        }
    }

    /// Every question with its answer, in order (for tests and the web's checks).
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.parts.iter().flat_map(|p| p.questions.iter())
    }

    /// The file name of the report in `format`, e.g. `ivo-anmalan-2026-00042.pdf`.
    pub fn file_name(&self, format: Format) -> String {
        file_name(&self.reference, format)
    }

    /// The report written in `format` (DOCX, PDF; HTML as the other documents).
    pub fn render(&self, format: Format) -> Result<Vec<u8>, DocumentError> {
        crate::render_model(&self.document(), format)
    }
}

/// The file name of a case's report to IVO in `format`.
pub fn file_name(reference: &str, format: Format) -> String {
    format!("ivo-anmalan-{reference}.{}", format.extension())
}
