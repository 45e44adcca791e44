//! The Swedish names of the domain's codes, the same words as the web interface's
//! `templates/labels.html`.

use kvalitet_domain::action::ActionStatus;
use kvalitet_domain::deviation::{DeviationKind, LexSarahCategory};
use kvalitet_domain::indicator::MeasureUnit;
use kvalitet_domain::plan::FocusAreaKind;
use kvalitet_domain::self_inspection::{Frequency, Method, TrafficLight, Verdict};

pub fn action_status(s: ActionStatus) -> &'static str {
    match s {
        ActionStatus::Planned => "Planerad",
        ActionStatus::Ongoing => "Pågår",
        ActionStatus::Done => "Klar",
        ActionStatus::CarriedOver => "Pågår, fortsätter nästa år",
        ActionStatus::Withdrawn => "Utgått",
    }
}

pub fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Approved => "Godkänt",
        Verdict::PartlyApproved => "Delvis godkänt",
        Verdict::NotApproved => "Ej godkänt",
        Verdict::NotMeasurable => "Kunde inte mätas",
    }
}

pub fn traffic(t: TrafficLight) -> &'static str {
    match t {
        TrafficLight::Green => "Grön",
        TrafficLight::Yellow => "Gul",
        TrafficLight::Red => "Röd",
        TrafficLight::Unknown => "Uppgift saknas i underlaget",
    }
}

pub fn method(m: Method) -> &'static str {
    match m {
        Method::SampleCheck => "Stickprov",
        Method::AccessLogReview => "Loggkontroll",
        Method::Statistics => "Statistik",
        Method::SelfAssessment => "Självskattning",
        Method::PeerReview => "Kollegiegranskning",
        Method::WalkThrough => "Genomgång",
        Method::Other => "Annan metod",
    }
}

pub fn frequency(f: Frequency) -> &'static str {
    match f {
        Frequency::Monthly => "varje månad",
        Frequency::Quarterly => "varje kvartal",
        Frequency::HalfYearly => "varje halvår",
        Frequency::Yearly => "en gång per år",
        Frequency::Once => "en gång",
    }
}

pub fn focus_kind_plural(k: FocusAreaKind) -> &'static str {
    match k {
        FocusAreaKind::Prioritised => "Kvalitetsfaktorer som prioriteras",
        FocusAreaKind::Special => "Särskilda fokusområden",
    }
}

pub fn deviation_kind(k: DeviationKind) -> &'static str {
    match k {
        DeviationKind::LexSarah => "Lex Sarah",
        DeviationKind::Internal => "Intern avvikelse",
        DeviationKind::Complaint => "Synpunkter och klagomål",
        DeviationKind::Hsl => "HSL-avvikelse",
    }
}

pub fn lex_sarah(c: LexSarahCategory) -> &'static str {
    match c {
        LexSarahCategory::Serious => "Allvarligt missförhållande",
        LexSarahCategory::RiskOfSerious => "Risk för allvarligt missförhållande",
        LexSarahCategory::Impropriety => "Missförhållande",
        LexSarahCategory::RiskOfImpropriety => "Risk för missförhållande",
        LexSarahCategory::NoImpropriety => "Ej missförhållande",
    }
}

pub fn measure_unit(u: MeasureUnit) -> &'static str {
    match u {
        MeasureUnit::Percent => "andel",
        MeasureUnit::Count => "antal",
        MeasureUnit::MeanScale => "medelvärde 1–5",
        MeasureUnit::Days => "dagar",
    }
}

/// The warning shown beside a share whose basis is too thin (as on the web pages).
pub const THIN_BASIS: &str = "Underlaget är för litet för att dra säkra slutsatser: resultatet kan vara slumpen.";

/// The caveat for a survey with few answers (as on the web pages).
pub const FEW_ANSWERS: &str =
    "Få har svarat. Resultaten kan inte ses som representativa och ska användas med försiktighet.";
