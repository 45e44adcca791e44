//! Validating one row: each cell checked, person ids pseudonymised, a struct built.

use crate::data::{Case, CaseId, Contact, Intervention, NameId, PreAssessmentDecision, TargetGroup};
use crate::day::Day;
use crate::error::{MAX_CELL_CHARS, Problem, ProblemKind};
use crate::format::{Col, TextEncoding, decode, parse_day};
use crate::pseudo::PersonKey;

use super::split::Rec;
use super::{FileCtx, Parser};

impl Parser<'_> {
    pub(super) fn problem(&mut self, row: &Row<'_>, col: Col, kind: ProblemKind) {
        let column = row.header(col);
        self.problems.push(Problem { file: row.ctx.file.clone(), row: row.line, column, kind });
    }

    /// The trimmed text of a required cell that is kept (case id, unit, intervention); a
    /// problem when it is empty, too long or holds control characters.
    pub(super) fn required_text<'r>(&mut self, row: &Row<'r>, col: Col) -> Option<std::borrow::Cow<'r, str>> {
        let raw = row.raw(col);
        if raw.is_empty() {
            self.problem(row, col, ProblemKind::MissingValue);
            return None;
        }
        if has_control(row.ctx.encoding, raw) {
            self.problem(row, col, ProblemKind::ControlCharacters);
            return None;
        }
        let text = decode(row.ctx.encoding, raw);
        // Only Unicode spaces (no-break spaces from a spreadsheet) is empty too; the
        // byte-level trim above only removes ASCII spaces. Found by fuzzing.
        if !raw.is_ascii() && text.trim().is_empty() {
            self.problem(row, col, ProblemKind::MissingValue);
            return None;
        }
        // At most four bytes a character: count only when the bytes could be too many.
        if raw.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
            self.problem(row, col, ProblemKind::TooLong { max: MAX_CELL_CHARS });
            return None;
        }
        Some(text)
    }

    pub(super) fn date(&mut self, row: &Row<'_>, col: Col) -> Option<Day> {
        let raw = row.raw(col);
        if raw.is_empty() {
            return None;
        }
        let parsed = parse_day(raw);
        if parsed.is_none() {
            // Show the cell only when it has the shape of a date, never a personnummer.
            let shown = date_shaped(raw).then(|| decode(row.ctx.encoding, raw).into_owned());
            self.problem(row, col, ProblemKind::InvalidDate { shown });
        }
        parsed
    }

    pub(super) fn ordered(&mut self, row: &Row<'_>, start: (Col, Option<Day>), end: (Col, Option<Day>)) {
        if let (Some(s), Some(e)) = (start.1, end.1)
            && e < s
        {
            let start_column = row.header(start.0);
            self.problem(row, end.0, ProblemKind::EndBeforeStart { start_column });
        }
    }

    pub(super) fn person(&mut self, row: &Row<'_>) -> Option<PersonKey> {
        let raw = row.raw(Col::PersonId);
        if raw.is_empty() {
            self.problem(row, Col::PersonId, ProblemKind::MissingValue);
            return None;
        }
        Some(self.pseudo.as_ref().map_or(PersonKey::UNSET, |p| p.key(raw)))
    }

    pub(super) fn unit(&mut self, row: &Row<'_>) -> Option<NameId> {
        // The checks depend only on the cell's bytes: a value seen before passed them.
        let raw = row.raw(Col::Unit);
        if let Some(id) = self.seen.units.get(raw) {
            return Some(*id);
        }
        let id = self.new_unit(row)?;
        self.seen.units.insert(raw.to_vec(), id);
        Some(id)
    }

    fn new_unit(&mut self, row: &Row<'_>) -> Option<NameId> {
        let name = self.required_text(row, Col::Unit)?;
        let name = name.trim();
        if let Some(known) = &self.known
            && !known.contains(&name.to_lowercase())
        {
            let shown = shown_text(name);
            self.problem(row, Col::Unit, ProblemKind::UnknownUnit { shown });
            return None;
        }
        let id = self.data.units.intern(name);
        if id.is_none() {
            self.problem(row, Col::Unit, ProblemKind::TooManyNames);
        }
        id
    }

    /// The case id of a row; a problem when it is not a valid text cell.
    pub(super) fn case_id(&mut self, row: &Row<'_>) -> Option<CaseId> {
        let raw = row.raw(Col::CaseId);
        // The usual id, printable ASCII: the same text in either encoding, already trimmed,
        // short enough; what `required_text` checks holds without a look at characters.
        if !raw.is_empty() && raw.len() <= MAX_CELL_CHARS && raw.iter().all(|b| (0x20..0x7f).contains(b) || *b == b'\t')
        {
            return Some(CaseId::from_ascii(raw));
        }
        self.required_text(row, Col::CaseId).map(|c| CaseId::new(c.trim()))
    }

    /// The case of a row, or `None` with the row's case id when it has one.
    pub(super) fn case(&mut self, row: &Row<'_>) -> (Option<Case>, Option<CaseId>) {
        let case_id = self.case_id(row);
        let person = self.person(row);
        let unit = self.unit(row);
        let tg = row.raw(Col::TargetGroup);
        let is = |words: &[&[u8]]| words.iter().any(|w| tg.eq_ignore_ascii_case(w));
        let target_group = match tg {
            _ if is(&[b"barn", b"child"]) => Some(TargetGroup::Barn),
            _ if is(&[b"vuxen", b"adult"]) => Some(TargetGroup::Vuxen),
            b"" => {
                self.problem(row, Col::TargetGroup, ProblemKind::MissingValue);
                None
            }
            other => {
                let shown = shown_value(row.ctx.encoding, other);
                let kind = ProblemKind::UnknownValue { shown, allowed: "barn, vuxen" };
                self.problem(row, Col::TargetGroup, kind);
                None
            }
        };
        let dec = row.raw(Col::ForhandsbedomningBeslut);
        let is = |words: &[&[u8]]| words.iter().any(|w| dec.eq_ignore_ascii_case(w));
        let decision = match dec {
            b"" => None,
            _ if is(&[b"inled"]) => Some(PreAssessmentDecision::Inled),
            _ if is(&[b"ej_inled", b"ej inled"]) => Some(PreAssessmentDecision::EjInled),
            other => {
                let shown = shown_value(row.ctx.encoding, other);
                let kind = ProblemKind::UnknownValue { shown, allowed: "inled, ej_inled" };
                self.problem(row, Col::ForhandsbedomningBeslut, kind);
                None
            }
        };
        let aktualisering = self.date(row, Col::Aktualisering);
        let forhandsbedomning = self.date(row, Col::Forhandsbedomning);
        let utredning_start = self.date(row, Col::UtredningStart);
        let utredning_slut = self.date(row, Col::UtredningSlut);
        let forlangning = self.date(row, Col::Forlangning);
        self.ordered(row, (Col::Aktualisering, aktualisering), (Col::Forhandsbedomning, forhandsbedomning));
        self.ordered(row, (Col::UtredningStart, utredning_start), (Col::UtredningSlut, utredning_slut));
        let Some(case_id) = case_id else {
            return (None, None);
        };
        let (Some(person), Some(unit), Some(target_group)) = (person, unit, target_group) else {
            return (None, Some(case_id));
        };
        let case = Case {
            case_id,
            person,
            unit,
            target_group,
            aktualisering,
            forhandsbedomning,
            forhandsbedomning_beslut: decision,
            utredning_start,
            utredning_slut,
            forlangning,
        };
        (Some(case), None)
    }

    pub(super) fn intervention(&mut self, row: &Row<'_>) -> Option<Intervention> {
        let case_id = self.case_id(row);
        let person = self.person(row);
        let unit = self.unit(row);
        let insats = self.insats(row);
        let beslut = self.date(row, Col::Beslut);
        let verkstallighet = self.date(row, Col::Verkstallighet);
        let start = self.date(row, Col::Start);
        let slut = self.date(row, Col::Slut);
        let planerad_slut = self.date(row, Col::PlaneradSlut);
        let genomforandeplan = self.date(row, Col::Genomforandeplan);
        let plan_uppfoljning = self.date(row, Col::PlanUppfoljning);
        self.ordered(row, (Col::Beslut, beslut), (Col::Verkstallighet, verkstallighet));
        self.ordered(row, (Col::Start, start), (Col::Slut, slut));
        Some(Intervention {
            case_id: case_id?,
            person: person?,
            unit: unit?,
            insats: insats?,
            beslut,
            verkstallighet,
            start,
            slut,
            planerad_slut,
            genomforandeplan,
            plan_uppfoljning,
        })
    }

    fn insats(&mut self, row: &Row<'_>) -> Option<NameId> {
        let raw = row.raw(Col::Insats);
        if let Some(id) = self.seen.insatser.get(raw) {
            return Some(*id);
        }
        let name = self.required_text(row, Col::Insats)?;
        let id = self.data.insatser_names.intern(name.trim());
        match id {
            Some(id) => {
                self.seen.insatser.insert(raw.to_vec(), id);
            }
            None => self.problem(row, Col::Insats, ProblemKind::TooManyNames),
        }
        id
    }

    pub(super) fn contact(&mut self, row: &Row<'_>) -> Option<Contact> {
        let unit = self.unit(row);
        let forsta_kontakt = self.date(row, Col::ForstaKontakt);
        let forsta_besok = self.date(row, Col::ForstaBesok);
        self.ordered(row, (Col::ForstaKontakt, forsta_kontakt), (Col::ForstaBesok, forsta_besok));
        Some(Contact { unit: unit?, forsta_kontakt, forsta_besok })
    }
}

/// One data row of a file.
pub(super) struct Row<'r> {
    pub(super) ctx: &'r FileCtx,
    pub(super) rec: Rec<'r>,
    pub(super) line: u64,
}

impl<'r> Row<'r> {
    /// The trimmed bytes of a cell; empty when the column or the cell is absent.
    pub(super) fn raw(&self, col: Col) -> &'r [u8] {
        self.ctx.index[col as usize].and_then(|i| self.rec.get(i)).unwrap_or(b"").trim_ascii()
    }

    pub(super) fn header(&self, col: Col) -> String {
        self.ctx.index[col as usize].map_or_else(|| col.canonical().to_owned(), |i| self.ctx.headers[i].clone())
    }
}

pub(super) fn shown_value(encoding: TextEncoding, raw: &[u8]) -> Option<String> {
    shown_text(&decode(encoding, raw))
}

/// A cell value fit to show in a message: cut to 60 characters, and `None` when it has
/// six or more digits (it could be a personnummer in the wrong column).
pub(super) fn shown_text(value: &str) -> Option<String> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    (digits < 6).then(|| value.chars().take(60).collect())
}

/// `dddd-dd-dd` or `dddddddd`: a malformed date worth echoing. A personnummer
/// (10 or 12 digits, with or without a hyphen) never has this shape.
pub(super) fn date_shaped(raw: &[u8]) -> bool {
    let digit_at = |i: usize| raw[i].is_ascii_digit();
    match raw.len() {
        8 => (0..8).all(digit_at),
        10 => raw[4] == b'-' && raw[7] == b'-' && [0, 1, 2, 3, 5, 6, 8, 9].into_iter().all(digit_at),
        _ => false,
    }
}

/// Whether a cell holds control characters (C0 except tab, DEL, C1) in its encoding:
/// a byte scan, cheap on the hot path.
pub(super) fn has_control(encoding: TextEncoding, raw: &[u8]) -> bool {
    let c0 = |b: &u8| (*b < 0x20 && *b != b'\t') || *b == 0x7f;
    match encoding {
        // C1 controls are U+0080..U+009F, encoded C2 80..C2 9F.
        TextEncoding::Utf8 => {
            raw.iter().any(c0) || raw.windows(2).any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
        }
        // The five bytes Windows-1252 leaves undefined decode to C1 controls.
        TextEncoding::Windows1252 => raw.iter().any(|b| c0(b) || matches!(b, 0x81 | 0x8d | 0x8f | 0x90 | 0x9d)),
    }
}
