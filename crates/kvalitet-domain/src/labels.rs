//! The Swedish names of the domain's codes: the one table that the web interface (its
//! templates call the functions by code) and the board documents (`.label()`) use, so a
//! word is changed in one place.

use crate::Code;
use crate::access::Role;
use crate::action::ActionStatus;
use crate::deviation::{
    CategoryDimension, Complainant, ComplaintChannel, ComplaintOutcome, DeviationEventKind, DeviationKind,
    DeviationStatus, LexSarahCategory,
};
use crate::indicator::{Direction, IndicatorSource, MeasureUnit};
use crate::org::OrgUnitKind;
use crate::plan::{FocusAreaKind, PlanState, TableLayout};
use crate::report::{ReportState, ReviewKind};
use crate::risk::RiskOrigin;
use crate::self_inspection::{Frequency, Method, TrafficLight, Verdict};

/// A code with a Swedish name.
pub trait Label: Code {
    fn label(self) -> &'static str;
}

/// For each enum: its labels, and a function of the same table by code for the
/// templates (an unknown code is shown as itself, never hidden).
macro_rules! labels {
    ($($by_code:ident: $t:ty { $($variant:ident => $label:literal),+ $(,)? })+) => {$(
        impl Label for $t {
            fn label(self) -> &'static str {
                match self { $(<$t>::$variant => $label),+ }
            }
        }

        #[doc = concat!("The label of a `", stringify!($t), "` code, for the templates.")]
        pub fn $by_code(code: &str) -> &str {
            match <$t as Code>::from_code(code) {
                Some(v) => v.label(),
                None => code,
            }
        }
    )+};
}

labels! {
    plan_state: PlanState { Draft => "Utkast", Adopted => "Antagen", FollowedUp => "Uppföljd" }
    report_state: ReportState { Draft => "Utkast", Submitted => "Överlämnad till nämnden" }
    action_status: ActionStatus {
        Planned => "Planerad",
        Ongoing => "Pågår",
        Done => "Klar",
        CarriedOver => "Pågår, fortsätter nästa år",
        Withdrawn => "Utgått",
    }
    verdict: Verdict {
        Approved => "Godkänt",
        PartlyApproved => "Delvis godkänt",
        NotApproved => "Ej godkänt",
        NotMeasurable => "Kunde inte mätas",
        NotStated => "Ingen bedömning angiven",
    }
    traffic: TrafficLight { Green => "Grön", Yellow => "Gul", Red => "Röd", Unknown => "uppgift saknas i underlaget" }
    method: Method {
        SampleCheck => "Stickprov",
        AccessLogReview => "Loggkontroll",
        Statistics => "Statistik",
        SelfAssessment => "Självskattning",
        PeerReview => "Kollegiegranskning",
        WalkThrough => "Genomgång",
        Other => "Annan metod",
        NotStated => "Metod inte angiven",
    }
    frequency: Frequency {
        Monthly => "varje månad",
        Quarterly => "varje kvartal",
        HalfYearly => "varje halvår",
        Yearly => "en gång per år",
        Once => "en gång",
        NotStated => "hur ofta är inte angivet",
    }
    focus_kind: FocusAreaKind { Prioritised => "Prioriterad kvalitetsfaktor", Special => "Särskilt fokusområde" }
    deviation_kind: DeviationKind {
        LexSarah => "Lex Sarah",
        Internal => "Intern avvikelse",
        Complaint => "Synpunkter och klagomål",
        Hsl => "HSL-avvikelse",
    }
    lex_sarah: LexSarahCategory {
        Serious => "Allvarligt missförhållande",
        RiskOfSerious => "Risk för allvarligt missförhållande",
        Impropriety => "Missförhållande",
        RiskOfImpropriety => "Risk för missförhållande",
        NoImpropriety => "Ej missförhållande",
    }
    measure_unit: MeasureUnit { Percent => "andel", Count => "antal", MeanScale => "medelvärde 1–5", Days => "dagar" }
    indicator_source: IndicatorSource {
        OwnSurvey => "egen brukarundersökning",
        OwnStudy => "egen undersökning",
        SkrSurvey => "SKR:s brukarundersökning",
        Kolada => "Kolada",
        CaseSystem => "verksamhetssystemet",
        Other => "annan källa",
    }
    risk_origin: RiskOrigin {
        RiskAnalysis => "Riskanalys",
        LexSarah => "Lex Sarah-utredning",
        Deviation => "Avvikelse",
        SelfInspection => "Egenkontroll",
        Complaint => "Klagomål",
        Review => "Granskning",
        Other => "Annat",
    }
    direction: Direction { HigherIsBetter => "högre är bättre", LowerIsBetter => "lägre är bättre" }
    deviation_status: DeviationStatus {
        Registered => "Registrerad",
        Investigating => "Utreds",
        Assessed => "Bedömd",
        Closed => "Avslutad",
    }
    unit_kind: OrgUnitKind { Administration => "Förvaltning", Section => "Sektion", Unit => "Enhet" }
    role: Role {
        Administrator => "Administratör",
        QualityDeveloper => "Kvalitetsutvecklare",
        Manager => "Chef",
        Staff => "Medarbetare",
        Reader => "Läsare",
    }
    complainant: Complainant {
        PersonServed => "Den enskilde",
        Relative => "Anhörig eller närstående",
        Anonymous => "Anonym",
        Other => "Någon annan",
    }
    complaint_channel: ComplaintChannel {
        Form => "Blankett eller webbformulär",
        Email => "E-post",
        Letter => "Brev",
        Phone => "Telefon",
        InPerson => "Personligen",
        Other => "På annat sätt",
    }
    complaint_outcome: ComplaintOutcome {
        Shortcoming => "Brist i verksamheten",
        NoShortcoming => "Ingen brist i verksamheten",
        Referred => "Hänvisad vidare",
        Other => "Annat",
    }
    category_dimension: CategoryDimension { Type => "Typ", Cause => "Orsak", Place => "Plats", Severity => "Allvarlighetsgrad" }
    deviation_event: DeviationEventKind {
        Reclassified => "Slaget ändrades",
        Reopened => "Öppnades igen",
        Voided => "Makulerades",
        Restored => "Makuleringen hävdes",
        InformationAdded => "Rapportören lade till uppgifter",
        StatusChanged => "Ny status",
    }
    review_kind: ReviewKind { Internal => "Intern granskning", External => "Extern granskning" }
    table_layout: TableLayout {
        Separate => "En tabell för risker och en för egenkontroller",
        Combined => "En tabell per process med risk, egenkontroll och åtgärd",
    }
}

impl FocusAreaKind {
    /// The heading over a plan's focus areas of this kind for `year` (seed 000).
    pub fn heading(self, year: i64) -> String {
        match self {
            FocusAreaKind::Prioritised => format!("Kvalitetsfaktorer som kommer prioriteras under {year}"),
            FocusAreaKind::Special => "Särskilda fokusområden".to_owned(),
        }
    }
}

/// The warning beside a share whose basis is too thin to conclude from.
pub const THIN_BASIS: &str = "Underlaget är för litet för att dra säkra slutsatser: resultatet kan vara slumpen.";

/// The caveat for a survey with few answers.
pub const FEW_ANSWERS: &str =
    "Få har svarat. Resultaten kan inte ses som representativa och ska användas med försiktighet.";

/// A label with its first letter in upper case, for a form's options ("Varje månad").
pub fn capitalised(label: &str) -> String {
    let mut chars = label.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_an_enum_has_its_own_label() {
        fn distinct<T: Label>() {
            let mut seen = std::collections::HashSet::new();
            for v in T::ALL {
                assert!(!v.label().is_empty() && seen.insert(v.label()), "{}", v.code());
            }
        }
        distinct::<Verdict>();
        distinct::<Method>();
        distinct::<Frequency>();
        distinct::<ActionStatus>();
        distinct::<DeviationEventKind>();
        assert_eq!(verdict("not_stated"), "Ingen bedömning angiven");
        assert_eq!(verdict("no_such_code"), "no_such_code");
        assert_eq!(capitalised(Frequency::Monthly.label()), "Varje månad");
    }
}
