//! IVO's questions in the order of its form, each answered from a case's facts: as
//! recorded, computed (and said to be), or left as a box for the manager.

use kvalitet_domain::Date;
use kvalitet_domain::action::Action;
use kvalitet_domain::deviation::LexSarahCategory;

use super::{Answer, IvoFacts, IvoReport, Part, Question};
use crate::labels;

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
                q("När inträffade det", Answer::Recorded(kvalitet_domain::shown_date(d.occurred_on, d.undated))),
                q(
                    "Var inträffade det",
                    facts.place.as_deref().map_or_else(Answer::fill, |p| Answer::Recorded(p.to_owned())),
                ),
                q(
                    "När rapporten enligt lex Sarah togs emot",
                    Answer::Recorded(kvalitet_domain::shown_date(d.reported_on, d.undated)),
                ),
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

        // No deadline is computed from a day that is not known.
        let due = match days_after(d.reported_on, facts.ivo_deadline_days).filter(|_| !d.undated) {
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
}

#[cfg(test)]
mod tests {
    use super::super::{MARKING, TO_FILL};
    use super::*;
    use kvalitet_domain::deviation::{Deviation, DeviationKind};
    use kvalitet_domain::{Id, Versioned};

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
