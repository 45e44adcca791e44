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
//! [`IvoReport::new`] turns it into the questions and answers, and [`IvoReport::document`]
//! into the shared intermediate model, which the existing writers write as DOCX and PDF.

pub mod load;

use kvalitet_domain::action::Action;
use kvalitet_domain::deviation::{Deviation, EventAnalysis, LexSarahCategory};
use kvalitet_domain::{Date, Versioned};

use crate::model::{Block, Cell, Document, Para, Table};
use crate::text::cell_paras;
use crate::{DocumentError, Format, labels};

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

fn q(label: &str, answer: Answer) -> Question {
    Question { label: label.to_owned(), answer }
}

/// The assessment in the words of IVO's form, for the two categories reported to IVO.
fn reported_as(c: LexSarahCategory) -> Option<&'static str> {
    match c {
        LexSarahCategory::Serious => Some("Allvarligt missförhållande"),
        LexSarahCategory::RiskOfSerious => Some("Påtaglig risk för ett allvarligt missförhållande"),
        _ => None,
    }
}

/// `days` days after `from`, if the calendar reaches that far.
fn days_after(from: Date, days: i64) -> Option<Date> {
    let mut d = from;
    for _ in 0..days.clamp(0, 3660) {
        d = d.tomorrow().ok()?;
    }
    Some(d)
}

/// An action decided for the case, on one line: its title, status, when and who.
fn action_line(a: &Action) -> String {
    let mut parts = vec![format!("Status: {}", labels::action_status(a.status).to_lowercase())];
    if let Some(d) = a.due_on {
        parts.push(format!("klar senast {d}"));
    }
    if !a.responsible.trim().is_empty() {
        parts.push(format!("ansvarig: {}", a.responsible.trim()));
    }
    format!("- {} ({})", a.title.trim(), parts.join(", "))
}

impl IvoReport {
    /// The report of the case in `facts`, made on `today`.
    pub fn new(facts: &IvoFacts, today: Date) -> IvoReport {
        let d = &facts.deviation.item;
        let unit = facts.unit_path.last().cloned().unwrap_or_default();
        let above = &facts.unit_path[..facts.unit_path.len().saturating_sub(1)];
        let mut parts = Vec::new();

        parts.push(Part {
            heading: "Den som bedriver verksamheten".into(),
            warnings: vec![],
            questions: vec![
                q("Huvudman", Answer::Recorded(facts.municipality.clone())),
                q("Ansvarig nämnd", Answer::fill()),
                q("Organisationsnummer", Answer::fill()),
                q("Postadress", Answer::fill()),
                q("Kontaktperson med telefon och e-post", Answer::fill()),
            ],
        });

        parts.push(Part {
            heading: "Verksamheten där missförhållandet inträffade".into(),
            warnings: vec![],
            questions: vec![
                q("Verksamhetens namn", Answer::text_or_fill(&unit)),
                q(
                    "Förvaltning och avdelning",
                    if above.is_empty() { Answer::fill() } else { Answer::Recorded(above.join(", ")) },
                ),
                q("Verksamhetens inriktning och lagstöd (SoL, LSS)", Answer::fill()),
                q("Besöksadress", Answer::fill()),
            ],
        });

        let mut warnings = Vec::new();
        let assessment = match d.lex_sarah_category {
            Some(c) => match reported_as(c) {
                Some(words) => Answer::Recorded(words.to_owned()),
                None => {
                    warnings.push(format!(
                        "Ärendet är bedömt som ”{}” i Kvalitet. Till IVO anmäls allvarliga missförhållanden \
                         och påtagliga risker för allvarliga missförhållanden.",
                        labels::lex_sarah(c)
                    ));
                    Answer::Recorded(format!("{} (bedömningen i Kvalitet)", labels::lex_sarah(c)))
                }
            },
            None => Answer::fill_with(
                "Ärendet är inte bedömt i Kvalitet: ange allvarligt missförhållande eller påtaglig risk för ett \
                 allvarligt missförhållande.",
            ),
        };
        let decision = match (d.decided_on, d.decided_by.trim()) {
            (Some(on), "") => Answer::Recorded(on.to_string()),
            (Some(on), by) => Answer::Recorded(format!("{on}, {by}")),
            (None, "") => Answer::fill(),
            (None, by) => Answer::Recorded(by.to_owned()),
        };
        parts.push(Part {
            heading: "Anmälan avser".into(),
            warnings,
            questions: vec![q("Bedömning", assessment), q("Beslut om bedömningen, datum och av vem", decision)],
        });

        parts.push(Part {
            heading: "Missförhållandet".into(),
            warnings: vec![],
            questions: vec![
                q("Rubrik", Answer::text_or_fill(&d.title)),
                q("Vad har hänt", Answer::text_or_fill(&d.description)),
                q("När inträffade det", Answer::Recorded(d.occurred_on.to_string())),
                q(
                    "Var inträffade det",
                    facts.place.as_deref().map_or_else(Answer::fill, |p| Answer::Recorded(p.to_owned())),
                ),
                q("När rapporten enligt lex Sarah togs emot", Answer::Recorded(d.reported_on.to_string())),
            ],
        });

        let informed = match d.person_informed {
            Some(true) => Answer::Recorded(match d.person_informed_on {
                Some(on) => format!("Ja, {on}"),
                None => "Ja".to_owned(),
            }),
            Some(false) => Answer::Recorded("Nej".to_owned()),
            None => Answer::fill(),
        };
        parts.push(Part {
            heading: "Den eller de enskilda som berörs".into(),
            warnings: vec![],
            questions: vec![
                q(
                    "Uppgifter om den eller de enskilda",
                    Answer::fill_with(
                        "Kvalitet har inga uppgifter om enskilda. Ange dem bara i anmälan som skickas till IVO.",
                    ),
                ),
                q("Har den enskilde eller dennes företrädare informerats om utredningen", informed),
            ],
        });

        let mut investigation = vec![
            q("Utredningen påbörjades", Answer::date_or_fill(d.investigation_started_on)),
            q("Utredare", Answer::text_or_fill(&d.investigator)),
            q("Vad utredningen har kommit fram till", Answer::text_or_fill(&d.investigation)),
            q("Orsaker till missförhållandet", Answer::text_or_fill(&d.causes)),
        ];
        if let Some(a) = &facts.event_analysis {
            let mut text = Vec::new();
            for (label, body) in
                [("Händelseförlopp", &a.course_of_events), ("Orsaker", &a.causes), ("Slutsatser", &a.conclusions)]
            {
                if !body.trim().is_empty() {
                    text.push(format!("{label}: {}", body.trim()));
                }
            }
            let by = match (a.analysed_on, a.analysed_by.trim()) {
                (Some(on), "") => Some(format!("Analyserad {on}.")),
                (Some(on), by) => Some(format!("Analyserad {on} av {by}.")),
                (None, "") => None,
                (None, by) => Some(format!("Analyserad av {by}.")),
            };
            text.extend(by);
            investigation.push(q("Händelseanalys", Answer::text_or_fill(&text.join("\n\n"))));
        }
        investigation.push(q(
            "Utredningen avslutades",
            match d.decided_on {
                Some(on) => Answer::Recorded(on.to_string()),
                None => Answer::fill_with("Är utredningen inte avslutad skickas den till IVO så snart den är klar."),
            },
        ));
        parts.push(Part { heading: "Utredningen".into(), warnings: vec![], questions: investigation });

        let planned = if facts.actions.is_empty() {
            Answer::fill()
        } else {
            Answer::Recorded(facts.actions.iter().map(|a| action_line(a)).collect::<Vec<_>>().join("\n"))
        };
        parts.push(Part {
            heading: "Åtgärder".into(),
            warnings: vec![],
            questions: vec![
                q("Åtgärder som har vidtagits", Answer::text_or_fill(&d.measures_taken)),
                q("Åtgärder som har beslutats eller planeras", planned),
            ],
        });

        let due = match days_after(d.reported_on, facts.ivo_deadline_days) {
            Some(due) => Answer::Computed {
                value: due.to_string(),
                how: format!(
                    "{} dagar efter att rapporten togs emot {}, enligt kommunens rutin. Anmälan ska göras snarast.",
                    facts.ivo_deadline_days, d.reported_on
                ),
            },
            None => Answer::fill(),
        };
        parts.push(Part {
            heading: "Anmälan till IVO".into(),
            warnings: vec![],
            questions: vec![
                q("Anmälan ska vara gjord senast", due),
                q("Anmälan gjord", Answer::date_or_fill(d.reported_to_ivo_on)),
                q("IVO:s diarienummer", Answer::text_or_fill(&d.ivo_reference)),
                q(
                    "Bifogade handlingar",
                    Answer::fill_with(
                        "Dokumentationen av utredningen, om den är avslutad, och andra handlingar av betydelse.",
                    ),
                ),
            ],
        });

        parts.push(Part {
            heading: "Underskrift".into(),
            warnings: vec![],
            questions: vec![
                q("Datum", Answer::fill()),
                q("Underskrift", Answer::fill()),
                q("Namnförtydligande", Answer::fill()),
                q("Befattning", Answer::fill()),
            ],
        });

        IvoReport {
            municipality: facts.municipality.clone(),
            reference: d.reference(facts.deviation.id),
            unit,
            made_on: today,
            parts,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use kvalitet_domain::Id;
    use kvalitet_domain::deviation::DeviationKind;

    fn facts() -> IvoFacts {
        let d = Deviation::registered(
            Id::new(1),
            Id::new(3),
            DeviationKind::LexSarah,
            Date::constant(2026, 3, 2),
            Date::constant(2026, 3, 3),
            "Larmet gick inte".into(),
            "Larmet i lägenheten fungerade inte.".into(),
            "Ola".into(),
        );
        IvoFacts {
            municipality: "Exempels kommun".into(),
            unit_path: vec!["Socialförvaltningen".into(), "Vuxensektionen".into(), "Boendet".into()],
            deviation: Versioned { id: Id::new(42), version: 1, item: d },
            place: None,
            actions: vec![],
            event_analysis: None,
            ivo_deadline_days: 14,
        }
    }

    fn answer<'a>(r: &'a IvoReport, label: &str) -> &'a Answer {
        &r.questions().find(|q| q.label == label).unwrap_or_else(|| panic!("no question {label}")).answer
    }

    #[test]
    fn what_is_not_recorded_is_left_to_fill_and_the_deadline_is_computed() {
        let r = IvoReport::new(&facts(), Date::constant(2026, 3, 4));
        assert_eq!(r.reference, "2026-00042");
        assert_eq!(answer(&r, "Huvudman"), &Answer::Recorded("Exempels kommun".into()));
        assert_eq!(
            answer(&r, "Förvaltning och avdelning"),
            &Answer::Recorded("Socialförvaltningen, Vuxensektionen".into())
        );
        assert!(answer(&r, "Bedömning").is_to_fill());
        assert!(answer(&r, "Utredare").is_to_fill());
        assert!(answer(&r, "Har den enskilde eller dennes företrädare informerats om utredningen").is_to_fill());
        assert!(answer(&r, "Åtgärder som har beslutats eller planeras").is_to_fill());
        assert!(matches!(answer(&r, "Anmälan ska vara gjord senast"),
            Answer::Computed { value, .. } if value == "2026-03-17"));
        assert!(r.parts.iter().all(|p| p.warnings.is_empty()));
    }

    #[test]
    fn an_assessment_that_is_not_serious_is_shown_with_a_warning() {
        let mut f = facts();
        f.deviation.item.lex_sarah_category = Some(LexSarahCategory::Impropriety);
        f.deviation.item.person_informed = Some(false);
        let r = IvoReport::new(&f, Date::constant(2026, 3, 4));
        assert_eq!(answer(&r, "Bedömning"), &Answer::Recorded("Missförhållande (bedömningen i Kvalitet)".into()));
        assert_eq!(r.parts.iter().map(|p| p.warnings.len()).sum::<usize>(), 1);
        assert_eq!(
            answer(&r, "Har den enskilde eller dennes företrädare informerats om utredningen"),
            &Answer::Recorded("Nej".into())
        );
        let text = r.document().plain_text();
        assert!(text.contains(MARKING) && text.contains(TO_FILL));
    }
}
