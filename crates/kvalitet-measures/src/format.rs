//! The import format: tables and their columns, header aliases, text encoding, delimiter
//! and date syntax.

use std::borrow::Cow;
use std::io::{self, Read};

use jiff::civil::Date;

use crate::day::Day;

/// The three tables of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// `arenden`: one row per case.
    Arenden,
    /// `insatser`: one row per intervention decision.
    Insatser,
    /// `kontakter`: one row per walk-in contact.
    Kontakter,
}

/// A column of one of the tables, under its canonical name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Col {
    CaseId,
    PersonId,
    Unit,
    TargetGroup,
    Aktualisering,
    Forhandsbedomning,
    ForhandsbedomningBeslut,
    UtredningStart,
    UtredningSlut,
    Forlangning,
    Insats,
    Beslut,
    Verkstallighet,
    Start,
    Slut,
    PlaneradSlut,
    Genomforandeplan,
    PlanUppfoljning,
    ForstaKontakt,
    ForstaBesok,
}

impl Col {
    /// The canonical header name (used in messages when a column is missing).
    pub fn canonical(self) -> &'static str {
        self.aliases()[0]
    }

    /// Accepted header names, normalised by [`normalise_header`]; the first is canonical.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Col::CaseId => &["case_id", "arende", "arende_id", "arendenummer", "arendenr"],
            Col::PersonId => &["person_id", "person", "personnummer", "personnr", "pnr", "klient_id"],
            Col::Unit => &["unit", "enhet"],
            Col::TargetGroup => &["target_group", "malgrupp"],
            Col::Aktualisering => &["aktualisering", "aktualiseringsdatum", "intake"],
            Col::Forhandsbedomning => &["forhandsbedomning", "pre_assessment"],
            Col::ForhandsbedomningBeslut => &["forhandsbedomning_beslut", "pre_assessment_decision"],
            Col::UtredningStart => &["utredning_start", "utredningsstart", "investigation_start"],
            Col::UtredningSlut => &["utredning_slut", "utredningsslut", "investigation_end"],
            Col::Forlangning => &["forlangning", "forlangningsbeslut", "extension"],
            Col::Insats => &["insats", "intervention"],
            Col::Beslut => &["beslut", "beslutsdatum", "decision"],
            Col::Verkstallighet => &["verkstallighet", "verkstalld", "implementation"],
            Col::Start => &["start", "startdatum", "start_date"],
            Col::Slut => &["slut", "slutdatum", "end", "end_date"],
            Col::PlaneradSlut => &["planerad_slut", "planned_end"],
            Col::Genomforandeplan => &["genomforandeplan", "implementation_plan"],
            Col::PlanUppfoljning => &["plan_uppfoljning", "plan_follow_up", "plan_followup"],
            Col::ForstaKontakt => &["forsta_kontakt", "first_contact"],
            Col::ForstaBesok => &["forsta_besok", "first_visit"],
        }
    }
}

impl Table {
    /// The table's name as used for sheet names and in the documentation.
    pub fn name(self) -> &'static str {
        match self {
            Table::Arenden => "arenden",
            Table::Insatser => "insatser",
            Table::Kontakter => "kontakter",
        }
    }

    /// The table's columns and whether each must be present in the header row.
    pub fn columns(self) -> &'static [(Col, bool)] {
        match self {
            Table::Arenden => &[
                (Col::CaseId, true),
                (Col::PersonId, true),
                (Col::Unit, true),
                (Col::TargetGroup, true),
                (Col::Aktualisering, true),
                (Col::Forhandsbedomning, true),
                (Col::ForhandsbedomningBeslut, false),
                (Col::UtredningStart, true),
                (Col::UtredningSlut, true),
                (Col::Forlangning, false),
            ],
            Table::Insatser => &[
                (Col::CaseId, true),
                (Col::PersonId, true),
                (Col::Unit, true),
                (Col::Insats, true),
                (Col::Beslut, true),
                (Col::Verkstallighet, true),
                (Col::Start, true),
                (Col::Slut, true),
                (Col::PlaneradSlut, false),
                (Col::Genomforandeplan, false),
                (Col::PlanUppfoljning, false),
            ],
            Table::Kontakter => &[(Col::Unit, true), (Col::ForstaKontakt, true), (Col::ForstaBesok, true)],
        }
    }
}

/// A header cell normalised for matching: trimmed, lower case, å/ä → a, ö → o, é → e,
/// spaces, hyphens and dots → `_`.
pub fn normalise_header(raw: &str) -> String {
    raw.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'ö' | 'ø' => 'o',
            'é' | 'è' => 'e',
            ' ' | '-' | '.' => '_',
            c => c,
        })
        .collect()
}

/// Which column of `table` a header cell names, if any.
pub fn column_for(table: Table, header: &str) -> Option<Col> {
    let norm = normalise_header(header);
    table.columns().iter().map(|(c, _)| *c).find(|c| c.aliases().contains(&norm.as_str()))
}

/// The text encoding of a file: valid UTF-8 is UTF-8, anything else is Windows-1252.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Windows1252,
}

/// Reads `reader` to the end and decides its encoding, without holding it in memory.
pub fn detect_encoding(mut reader: impl Read) -> io::Result<TextEncoding> {
    let mut buf = vec![0u8; 1 << 16];
    let mut carry = 0usize;
    loop {
        let n = reader.read(&mut buf[carry..])?;
        if n == 0 {
            return Ok(if carry == 0 { TextEncoding::Utf8 } else { TextEncoding::Windows1252 });
        }
        let filled = carry + n;
        match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_none() => {
                // An incomplete sequence at the end: keep it for the next read.
                let valid = e.valid_up_to();
                buf.copy_within(valid..filled, 0);
                carry = filled - valid;
            }
            Err(_) => return Ok(TextEncoding::Windows1252),
        }
    }
}

/// The text of one field in the file's encoding.
pub fn decode(encoding: TextEncoding, bytes: &[u8]) -> Cow<'_, str> {
    match encoding {
        TextEncoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(bytes),
        },
        TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// The delimiter of the header line: `;` when it has more semicolons than commas, else `,`.
pub fn detect_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let (mut semi, mut comma, mut quoted) = (0, 0, false);
    for b in line {
        match b {
            b'"' => quoted = !quoted,
            b';' if !quoted => semi += 1,
            b',' if !quoted => comma += 1,
            _ => {}
        }
    }
    if semi > comma { b';' } else { b',' }
}

/// A date as `YYYY-MM-DD` or `YYYYMMDD` (surrounding spaces allowed); `None` if invalid.
pub fn parse_date(raw: &[u8]) -> Option<Date> {
    let (y, m, d) = parse_ymd(raw)?;
    Date::new(y as i16, m as i8, d as i8).ok()
}

/// [`parse_date`] straight to a [`Day`], without building a `jiff` date: the hot path of
/// the import (the same rules; a test checks they agree on every input shape).
pub fn parse_day(raw: &[u8]) -> Option<Day> {
    // The usual cell, `YYYY-MM-DD` without spaces, digit by digit without loops.
    if let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *raw {
        let digits = [y1, y2, y3, y4, m1, m2, d1, d2].map(|b| b.wrapping_sub(b'0'));
        if digits.iter().all(|d| *d < 10) {
            let [y1, y2, y3, y4, m1, m2, d1, d2] = digits.map(i32::from);
            let (y, m, d) = (y1 * 1000 + y2 * 100 + y3 * 10 + y4, m1 * 10 + m2, d1 * 10 + d2);
            return ((1900..=2200).contains(&y) && (1..=days_in_month(y, m)).contains(&d))
                .then(|| Day::from_ymd(y, m, d));
        }
        return None;
    }
    let (y, m, d) = parse_ymd(raw)?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days_in_month).contains(&d).then(|| Day::from_ymd(y, m, d))
}

/// The days of month `m` of year `y`; 0 for a month that does not exist.
fn days_in_month(y: i32, m: i32) -> i32 {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

/// Year, month and day of `YYYY-MM-DD` or `YYYYMMDD`, the year in 1900..=2200; month and
/// day not yet checked.
fn parse_ymd(raw: &[u8]) -> Option<(i32, i32, i32)> {
    let s = raw.trim_ascii();
    let num = |b: &[u8]| -> Option<i32> {
        b.iter().try_fold(0i32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + i32::from(c - b'0')))
    };
    let (y, m, d) = match s.len() {
        10 if s[4] == b'-' && s[7] == b'-' => (num(&s[..4])?, num(&s[5..7])?, num(&s[8..])?),
        8 => (num(&s[..4])?, num(&s[4..6])?, num(&s[6..])?),
        _ => return None,
    };
    (1900..=2200).contains(&y).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates_in_both_forms_and_nothing_else() {
        assert_eq!(parse_date(b"2024-02-29"), Some(date(2024, 2, 29)));
        assert_eq!(parse_date(b" 20240229 "), Some(date(2024, 2, 29)));
        assert_eq!(parse_date(b"2023-02-29"), None);
        assert_eq!(parse_date(b"2024-2-9"), None);
        assert_eq!(parse_date(b"2024/02/01"), None);
        assert_eq!(parse_date(b"19121212-1212"), None);
        assert_eq!(parse_date(b""), None);
    }

    #[test]
    fn parse_day_agrees_with_parse_date_on_every_shape() {
        for y in [1899, 1900, 1999, 2000, 2023, 2024, 2100, 2200, 2201] {
            for m in 0..=13 {
                for d in 0..=32 {
                    for s in [format!("{y:04}-{m:02}-{d:02}"), format!("{y:04}{m:02}{d:02}")] {
                        let expected = parse_date(s.as_bytes()).and_then(Day::new);
                        assert_eq!(parse_day(s.as_bytes()), expected, "{s}");
                    }
                }
            }
        }
        assert_eq!(parse_day(b"2024-02-29").map(Day::date), Some(date(2024, 2, 29)));
        assert_eq!(parse_day(b"2023-02-29"), None);
    }

    #[test]
    fn headers_match_swedish_and_english_aliases() {
        assert_eq!(column_for(Table::Arenden, " Ärende "), Some(Col::CaseId));
        assert_eq!(column_for(Table::Arenden, "MÅLGRUPP"), Some(Col::TargetGroup));
        assert_eq!(column_for(Table::Arenden, "Förhandsbedömning"), Some(Col::Forhandsbedomning));
        assert_eq!(column_for(Table::Insatser, "Planerad slut"), Some(Col::PlaneradSlut));
        assert_eq!(column_for(Table::Kontakter, "first_visit"), Some(Col::ForstaBesok));
        assert_eq!(column_for(Table::Kontakter, "case_id"), None);
    }

    #[test]
    fn delimiter_and_encoding_are_detected() {
        assert_eq!(detect_delimiter(b"a;b;\"c,d\"\n1,2,3"), b';');
        assert_eq!(detect_delimiter(b"a,b,c\n"), b',');
        assert_eq!(detect_encoding(&b"enhet\nGr\xc3\xa4nsen"[..]).unwrap(), TextEncoding::Utf8);
        assert_eq!(detect_encoding(&b"enhet\nGr\xe4nsen"[..]).unwrap(), TextEncoding::Windows1252);
        assert_eq!(decode(TextEncoding::Windows1252, b"\xc5\xe4\xf6"), "Åäö");
    }
}
