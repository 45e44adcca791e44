//! The mails' Swedish texts. A mail says what kind of thing it is about, for which unit,
//! and links to it; it never holds a title, a description or anything else about the
//! people served (those are read in Kvalitet, where the read is logged).

use kvalitet_store::agenda::due_kind;
use kvalitet_store::mail::{Outgoing, kind};

/// A mail's subject and plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub subject: String,
    pub body: String,
}

fn field<'a>(m: &'a Outgoing, key: &str) -> &'a str {
    m.data.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

/// The Swedish name of a deviation status (the labels' words).
fn deviation_status(code: &str) -> &'static str {
    match code {
        "registered" => "Registrerad",
        "investigating" => "Utreds",
        "assessed" => "Bedömd",
        "closed" => "Avslutad",
        _ => "Ändrad",
    }
}

/// A count of a kind of due item, in words: ("1 egenkontroll att genomföra").
fn due_line(kind: &str, n: u64) -> String {
    if kind == due_kind::IVO_REPORT_OVERDUE {
        let late = if n == 1 { "försenad" } else { "försenade" };
        return format!("varav {n} {late} (sista dag för anmälan till IVO har passerat)");
    }
    let (one, many) = match kind {
        due_kind::DEVIATION => ("ny avvikelse att utreda", "nya avvikelser att utreda"),
        due_kind::IVO_REPORT => ("lex Sarah-rapport att anmäla till IVO", "lex Sarah-rapporter att anmäla till IVO"),
        due_kind::SELF_INSPECTION => ("egenkontroll att genomföra", "egenkontroller att genomföra"),
        due_kind::ACTION => ("åtgärd efter sista datum", "åtgärder efter sista datum"),
        due_kind::RISK => ("risk att bedöma på nytt", "risker att bedöma på nytt"),
        due_kind::PLAN_FOLLOW_UP => ("plan att följa upp", "planer att följa upp"),
        _ => ("sak att göra", "saker att göra"),
    };
    format!("{n} {}", if n == 1 { one } else { many })
}

const SIGNATURE: &str = "\n-- \nKvalitet, ledningssystemet för systematiskt kvalitetsarbete.\n\
    E-brevet innehåller inga uppgifter om enskilda: logga in för att läsa mer.\n";

/// The text of a queued mail, with links under `public_url`.
pub fn compose(m: &Outgoing, public_url: &str) -> Text {
    let unit = field(m, "unit");
    let record = m.record_id.unwrap_or_default();
    match m.kind.as_str() {
        kind::LEX_SARAH_REGISTERED => {
            // A report registered as something else and then judged to be lex Sarah.
            let what = if m.data.get("reclassified").and_then(|r| r.as_bool()) == Some(true) {
                "En rapport har bedömts vara en lex Sarah-rapport"
            } else {
                "En lex Sarah-rapport har registrerats"
            };
            Text {
                subject: format!("Lex Sarah-rapport för {unit}"),
                body: format!(
                    "Hej!\n\n{what} för {unit}. Ett missförhållande eller en påtaglig risk för ett \
                     missförhållande ska utredas skyndsamt.\n\nLäs rapporten och ta ställning till utredningen \
                     här:\n{public_url}/avvikelser/{record}\n\nDu får det här för att du är chef för enheten.\n\
                     {SIGNATURE}"
                ),
            }
        }
        kind::DEVIATION_INFORMATION_ADDED => Text {
            subject: format!("Ny information i en rapport för {unit}"),
            body: format!(
                "Hej!\n\nDen som rapporterade har lagt till information i en rapport för {unit}.\n\nLäs den \
                 här:\n{public_url}/avvikelser/{record}\n\nDu får det här för att du är chef för enheten.\n\
                 {SIGNATURE}"
            ),
        },
        kind::DEVIATION_REGISTERED => {
            let (subject, what) = match field(m, "deviation_kind") {
                "complaint" => ("Nya synpunkter eller klagomål", "En ny synpunkt eller ett klagomål"),
                "hsl" => ("Ny HSL-avvikelse", "En ny HSL-avvikelse"),
                _ => ("Ny avvikelse", "En ny avvikelse"),
            };
            Text {
                subject: format!("{subject} för {unit}"),
                body: format!(
                    "Hej!\n\n{what} har registrerats för {unit}.\n\nLäs den och ta ställning till hur den ska \
                     utredas här:\n{public_url}/avvikelser/{record}\n\nDu får det här för att du är chef för \
                     enheten.\n{SIGNATURE}"
                ),
            }
        }
        kind::DEVIATION_STATUS => {
            let status = deviation_status(field(m, "status"));
            Text {
                subject: format!("Ny status för din rapport: {status}"),
                body: format!(
                    "Hej!\n\nRapporten du registrerade {} för {unit} har fått en ny status: {status}.\n\n\
                     Se rapporten i Mina rapporter:\n{public_url}/mina-rapporter/{record}\n{SIGNATURE}",
                    field(m, "reported_on")
                ),
            }
        }
        kind::DIGEST => {
            let day = field(m, "day");
            let mut lines = String::new();
            if let Some(counts) = m.data.get("counts").and_then(|c| c.as_array()) {
                for c in counts {
                    let (k, n) = (c.get(0).and_then(|k| k.as_str()), c.get(1).and_then(|n| n.as_u64()));
                    if let (Some(k), Some(n)) = (k, n) {
                        lines.push_str(&format!("- {}\n", due_line(k, n)));
                    }
                }
            }
            Text {
                subject: format!("Det här väntar på dig i Kvalitet {day}"),
                body: format!(
                    "Hej!\n\nDet här väntar på dig i Kvalitet i dag, {day}:\n\n{lines}\nSe allt på startsidan:\n\
                     {public_url}/\n\nDu får en sådan sammanfattning om dagen när något väntar. Vill du inte \
                     det längre? Ändra det här:\n{public_url}/konto/aviseringar\n{SIGNATURE}"
                ),
            }
        }
        _ => Text {
            subject: "Meddelande från Kvalitet".into(),
            body: format!("Hej!\n\nNågot väntar på dig i Kvalitet:\n{public_url}/\n{SIGNATURE}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing(kind: &str, data: serde_json::Value) -> Outgoing {
        Outgoing {
            id: 1,
            tenant_id: 1,
            account_id: 2,
            to: Some("chef@exempel.se".into()),
            kind: kind.into(),
            record_id: Some(7),
            data,
            attempts: 1,
        }
    }

    #[test]
    fn each_kind_says_what_and_where_and_links() {
        let url = "https://kvalitet.kommun.se";
        let m = outgoing(
            kind::DEVIATION_REGISTERED,
            serde_json::json!({"unit": "Beroendeenheten", "deviation_kind": "internal"}),
        );
        let t = compose(&m, url);
        assert_eq!(t.subject, "Ny avvikelse för Beroendeenheten");
        assert!(t.body.contains("En ny avvikelse har registrerats för Beroendeenheten."), "{}", t.body);
        assert!(t.body.contains("https://kvalitet.kommun.se/avvikelser/7"));
        let m = outgoing(kind::LEX_SARAH_REGISTERED, serde_json::json!({"unit": "Barnenheten"}));
        assert_eq!(compose(&m, url).subject, "Lex Sarah-rapport för Barnenheten");
        let m = outgoing(kind::LEX_SARAH_REGISTERED, serde_json::json!({"unit": "Barnenheten", "reclassified": true}));
        assert!(compose(&m, url).body.contains("En rapport har bedömts vara en lex Sarah-rapport för Barnenheten."));
        let m = outgoing(kind::DEVIATION_INFORMATION_ADDED, serde_json::json!({"unit": "Barnenheten"}));
        let t = compose(&m, url);
        assert_eq!(t.subject, "Ny information i en rapport för Barnenheten");
        assert!(t.body.contains("https://kvalitet.kommun.se/avvikelser/7"), "{}", t.body);
        let m = outgoing(
            kind::DEVIATION_STATUS,
            serde_json::json!({"unit": "Beroendeenheten", "status": "investigating", "deviation_kind": "complaint", "reported_on": "2026-11-30"}),
        );
        let t = compose(&m, url);
        assert_eq!(t.subject, "Ny status för din rapport: Utreds");
        assert!(t.body.contains("registrerade 2026-11-30 för Beroendeenheten"), "{}", t.body);
        assert!(t.body.contains("https://kvalitet.kommun.se/mina-rapporter/7"), "{}", t.body);
        let m = outgoing(
            kind::DIGEST,
            serde_json::json!({"day": "2026-11-30", "counts": [["self_inspection", 3], ["action", 1]]}),
        );
        let t = compose(&m, url);
        assert!(t.body.contains("- 3 egenkontroller att genomföra\n- 1 åtgärd efter sista datum\n"), "{}", t.body);
        assert!(t.body.contains("https://kvalitet.kommun.se/konto/aviseringar"));
        let m = outgoing(
            kind::DIGEST,
            serde_json::json!({"day": "2026-11-30", "counts": [["ivo_report", 2], ["ivo_report_overdue", 1]]}),
        );
        let t = compose(&m, url);
        assert!(
            t.body.contains(
                "- 2 lex Sarah-rapporter att anmäla till IVO\n- varav 1 försenad (sista dag för anmälan till IVO har passerat)\n"
            ),
            "{}",
            t.body
        );
    }
}
