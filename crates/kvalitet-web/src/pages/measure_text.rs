//! What a case-data measure means, in plain Swedish, from its definition (the measures
//! are data, so the words are made from the definition's dates and limit).

use kvalitet_measures::MeasureDef;
use kvalitet_measures::TargetGroup;
use kvalitet_measures::definition::{DateField, Kind, Limit};

/// A date of the export as the event it records.
fn event(d: DateField) -> &'static str {
    use DateField::*;
    match d {
        Aktualisering => "aktualiseringen",
        Forhandsbedomning => "förhandsbedömningen",
        UtredningStart => "utredningens start",
        UtredningSlut => "utredningens slut",
        Forlangning => "förlängningsbeslutet",
        Beslut => "beslutet",
        Verkstallighet => "verkställigheten",
        Start => "insatsens start",
        Slut => "insatsens slut",
        PlaneradSlut => "det planerade slutet",
        Genomforandeplan => "genomförandeplanen",
        PlanUppfoljning => "uppföljningen av genomförandeplanen",
        ForstaKontakt => "första kontakten",
        ForstaBesok => "första besöket",
    }
}

fn limit_words(limit: Limit) -> String {
    match limit {
        Limit::Days(1) => "1 dag".into(),
        Limit::Days(d) => format!("{d} dagar"),
        Limit::Months(1) => "1 månad".into(),
        Limit::Months(m) => format!("{m} månader"),
    }
}

fn group_words(group: Option<TargetGroup>) -> &'static str {
    match group {
        Some(TargetGroup::Barn) => " Bara ärenden om barn räknas.",
        Some(TargetGroup::Vuxen) => " Bara ärenden om vuxna räknas.",
        None => "",
    }
}

/// The measure explained: what is counted, against what limit.
pub fn explain(def: &MeasureDef) -> String {
    let limit = def.limit().ok().flatten().map(limit_words).unwrap_or_default();
    match &def.kind {
        Kind::WithinLimit { from, to, target_group, report_extension, .. } => format!(
            "Andelen där {} kom inom {limit} från {}, av alla där {} kom under perioden.{}{}",
            event(*to),
            event(*from),
            event(*to),
            group_words(*target_group),
            if *report_extension {
                " Ärenden över gränsen som har ett förlängningsbeslut räknas som över gränsen men visas för sig."
            } else {
                ""
            }
        ),
        Kind::MeanDays { from, to, target_group } => format!(
            "Medeltiden i dagar från {} till {}, för alla där {} kom under perioden.{}",
            event(*from),
            event(*to),
            event(*to),
            group_words(*target_group)
        ),
        Kind::PendingOverLimit { from, to, .. } => format!(
            "Antalet där {} låg minst {limit} före periodens slut och {} ännu inte hade kommit vid periodens slut.",
            event(*from),
            event(*to)
        ),
        Kind::CountByGroup { date } => format!("Antalet gånger {} kom under perioden, per insats.", event(*date)),
        Kind::Occupancy => {
            "Beläggningen: de dygn som platserna var belagda, av antalet platser gånger periodens dagar. \
             Platserna är de som står på boendet under Organisation; där antalet platser inte är känt visas –."
                .into()
        }
        Kind::PlanFollowedUp { .. } => format!(
            "Andelen insatser som pågick vid periodens slut och hade en genomförandeplan som följts upp inom {limit} före periodens slut."
        ),
        Kind::InterventionDuringInvestigation { target_group } => format!(
            "Andelen utredningar som avslutades under perioden där en insats startade medan utredningen pågick.{}",
            group_words(*target_group)
        ),
    }
}

/// Whether results of the measure have cases outside a limit (those without a limit
/// show no such column).
pub fn has_limit(def: &MeasureDef) -> bool {
    matches!(def.kind, Kind::WithinLimit { .. } | Kind::PendingOverLimit { .. } | Kind::PlanFollowedUp { .. })
}

/// A case's days over the limit: how far after its deadline the later date came (or the
/// period's last day, for what had not happened by then). `None` for kinds without a
/// limit per case, or when the dates are not there.
pub fn days_over(
    def: &MeasureDef,
    date: impl Fn(DateField) -> Option<kvalitet_domain::Date>,
    period_to: kvalitet_domain::Date,
) -> Option<i64> {
    let limit = def.limit().ok().flatten()?;
    let (from, end) = match &def.kind {
        Kind::WithinLimit { from, to, .. } => (date(*from)?, date(*to)?),
        Kind::PendingOverLimit { from, .. } => (date(*from)?, period_to),
        _ => return None,
    };
    let deadline = limit.deadline(from);
    let over = deadline.until(end).ok()?.get_days();
    Some(i64::from(over))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(id: &str) -> MeasureDef {
        kvalitet_measures::default_definitions().into_iter().find(|d| d.id == id).unwrap()
    }

    #[test]
    fn measures_are_explained_from_their_definitions() {
        assert_eq!(
            explain(&def("forhandsbedomning_14d")),
            "Andelen där förhandsbedömningen kom inom 14 dagar från aktualiseringen, av alla där förhandsbedömningen kom under perioden. Bara ärenden om barn räknas."
        );
        assert!(explain(&def("barnutredning_4man")).contains("inom 4 månader"));
        assert!(explain(&def("barnutredning_4man")).contains("förlängningsbeslut"));
        assert!(has_limit(&def("vuxenutredning_60d")));
        assert!(!has_limit(&def("vuxenutredning_dagar")));
    }

    #[test]
    fn days_over_count_from_the_deadline() {
        let d = |s: &str| s.parse::<kvalitet_domain::Date>().unwrap();
        let m = def("vuxenutredning_60d");
        let dates = |f: DateField| match f {
            DateField::UtredningStart => Some(d("2024-01-01")),
            DateField::UtredningSlut => Some(d("2024-03-11")),
            _ => None,
        };
        // 60 days from 2024-01-01 is 2024-03-01; ended ten days later.
        assert_eq!(days_over(&m, dates, d("2024-03-31")), Some(10));
        let four = def("barnutredning_4man");
        // Four calendar months from 2023-10-31 is 2024-02-29.
        let dates = |f: DateField| match f {
            DateField::UtredningStart => Some(d("2023-10-31")),
            DateField::UtredningSlut => Some(d("2024-03-02")),
            _ => None,
        };
        assert_eq!(days_over(&four, dates, d("2024-03-31")), Some(2));
        assert_eq!(days_over(&def("vuxenutredning_dagar"), |_| Some(d("2024-01-01")), d("2024-03-31")), None);
    }
}
