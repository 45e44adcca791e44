//! The parsed export: cases, interventions and contacts, with person ids pseudonymised.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::day::Day;
use crate::fxhash::FastMap;
use crate::pseudo::PersonKey;

/// A case id as exported (case ids are not personal data and are kept). Ids of up to 14
/// bytes are stored inline (no allocation), longer ones shared; 16 bytes either way.
#[derive(Clone)]
pub struct CaseId(Repr);

const INLINE: usize = 14;

#[derive(Clone)]
enum Repr {
    Inline { len: u8, buf: [u8; INLINE] },
    Shared(Arc<Box<str>>),
}

impl CaseId {
    pub fn new(id: &str) -> CaseId {
        if id.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..id.len()].copy_from_slice(id.as_bytes());
            CaseId(Repr::Inline { len: id.len() as u8, buf })
        } else {
            CaseId(Repr::Shared(Arc::new(id.into())))
        }
    }

    /// The id of ASCII bytes (the import's usual case), copied without a UTF-8 check when
    /// short.
    pub(crate) fn from_ascii(id: &[u8]) -> CaseId {
        debug_assert!(id.is_ascii());
        if id.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..id.len()].copy_from_slice(id);
            CaseId(Repr::Inline { len: id.len() as u8, buf })
        } else {
            CaseId::new(std::str::from_utf8(id).expect("ASCII"))
        }
    }

    /// The id's bytes (UTF-8), without re-checking them.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, buf } => &buf[..usize::from(*len)],
            Repr::Shared(s) => s.as_bytes(),
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, buf } => std::str::from_utf8(&buf[..usize::from(*len)]).expect("copied from a str"),
            Repr::Shared(s) => s,
        }
    }
}

impl From<&str> for CaseId {
    fn from(id: &str) -> CaseId {
        CaseId::new(id)
    }
}

impl Deref for CaseId {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for CaseId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for CaseId {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for CaseId {}

impl Hash for CaseId {
    /// Hashes as `str` does (bytes, then 0xff), without re-checking UTF-8, so that
    /// `Borrow<str>` lookups find it.
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.as_bytes());
        state.write_u8(0xff);
    }
}

impl PartialOrd for CaseId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CaseId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl fmt::Debug for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Index of a name in a [`Names`] table.
pub type NameId = u16;

/// At most this many distinct names per kind (units, intervention names).
pub const MAX_NAMES: usize = NameId::MAX as usize + 1;

/// Whom a case is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetGroup {
    Barn,
    Vuxen,
}

/// The outcome of a pre-assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreAssessmentDecision {
    /// An investigation is opened (`inled`).
    Inled,
    /// No investigation (`ej_inled`).
    EjInled,
}

/// One row of `arenden`. Dates that have not happened are `None`; [`Day::date`] gives
/// the `jiff` date.
#[derive(Debug, Clone)]
pub struct Case {
    pub case_id: CaseId,
    pub person: PersonKey,
    pub unit: NameId,
    pub target_group: TargetGroup,
    pub aktualisering: Option<Day>,
    pub forhandsbedomning: Option<Day>,
    pub forhandsbedomning_beslut: Option<PreAssessmentDecision>,
    pub utredning_start: Option<Day>,
    pub utredning_slut: Option<Day>,
    pub forlangning: Option<Day>,
}

/// One row of `insatser`.
#[derive(Debug, Clone)]
pub struct Intervention {
    pub case_id: CaseId,
    pub person: PersonKey,
    pub unit: NameId,
    /// The intervention's name (`FBI`, `Balder`, or a residential unit), in [`Dataset::insatser_names`].
    pub insats: NameId,
    pub beslut: Option<Day>,
    pub verkstallighet: Option<Day>,
    pub start: Option<Day>,
    pub slut: Option<Day>,
    pub planerad_slut: Option<Day>,
    pub genomforandeplan: Option<Day>,
    pub plan_uppfoljning: Option<Day>,
}

/// One row of `kontakter`.
#[derive(Debug, Clone)]
pub struct Contact {
    pub unit: NameId,
    pub forsta_kontakt: Option<Day>,
    pub forsta_besok: Option<Day>,
}

/// Interned names (units, intervention names): each distinct name stored once.
#[derive(Debug, Clone, Default)]
pub struct Names {
    names: Vec<String>,
    index: FastMap<String, NameId>,
}

impl Names {
    /// The id of `name`, adding it when new; `None` when [`MAX_NAMES`] names are taken.
    pub fn intern(&mut self, name: &str) -> Option<NameId> {
        if let Some(id) = self.index.get(name) {
            return Some(*id);
        }
        let id = NameId::try_from(self.names.len()).ok()?;
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), id);
        Some(id)
    }

    pub fn name(&self, id: NameId) -> &str {
        &self.names[id as usize]
    }

    pub fn get(&self, name: &str) -> Option<NameId> {
        self.index.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A whole parsed export. A table is `None` when its file was not given.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Unit names of all three tables.
    pub units: Names,
    /// Names in `insatser.insats`.
    pub insatser_names: Names,
    pub arenden: Option<Vec<Case>>,
    pub insatser: Option<Vec<Intervention>>,
    pub kontakter: Option<Vec<Contact>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_short_and_long_behave_alike() {
        let short = CaseId::new("2024-123456");
        let long = CaseId::new("IFO-BARN-2024-000123456");
        assert_eq!(size_of::<CaseId>(), 16);
        assert_eq!(&*short, "2024-123456");
        assert_eq!(long.as_str(), "IFO-BARN-2024-000123456");
        assert_eq!(short.clone(), short);
        assert_eq!(format!("{long:?}"), "\"IFO-BARN-2024-000123456\"");
        let mut map = std::collections::HashMap::new();
        map.insert(long.clone(), 1);
        assert_eq!(map.get("IFO-BARN-2024-000123456"), Some(&1));
        assert!(CaseId::new("A1") < CaseId::new("A2"));
        assert_eq!(CaseId::new("ÅÄÖ-ärende-1").as_str(), "ÅÄÖ-ärende-1");
    }
}
