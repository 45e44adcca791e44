//! The confirmation after an item is saved or removed ("Åtgärden är sparad."): the
//! redirect names what was done with a code in the query (`?sparat=atgard`,
//! `?borttagen=risk`) and a fragment with the item's place on the page, and every page
//! shows the sentence of a known code in a status region (`Nav::saved`, base.html).
//! Nothing is remembered on the server. Only the codes of this table are shown, each as
//! its own fixed Swedish sentence, so no link can make a page say anything else.

/// What was saved: its code in the query, the sentences, and where it is on the page the
/// user returns to.
pub struct Kind {
    /// Its code in `?sparat=` and `?borttagen=`.
    pub code: &'static str,
    /// The path of its generic edit pages (`Editable::PATH`), for the items edited there.
    pub path: &'static str,
    pub saved: &'static str,
    pub removed: &'static str,
    /// The prefix of the item's element id on the page returned to (`risk` for
    /// `id="risk-12"`), where it has one.
    pub item: &'static str,
    /// The element id of the section that lists such items there, where a removed item
    /// was.
    pub section: &'static str,
}

const fn kind(
    code: &'static str,
    path: &'static str,
    saved: &'static str,
    removed: &'static str,
    item: &'static str,
    section: &'static str,
) -> Kind {
    Kind { code, path, saved, removed, item, section }
}

pub const KINDS: &[Kind] = &[
    // A plan's items, on the plan page.
    kind("risk", "risker", "Risken är sparad.", "Risken är borttagen.", "risk", "risker"),
    kind("atgard", "atgarder", "Åtgärden är sparad.", "Åtgärden är borttagen.", "atgard", "risker"),
    kind(
        "egenkontroll",
        "egenkontroller",
        "Egenkontrollen är sparad.",
        "Egenkontrollen är borttagen.",
        "egenkontroll",
        "risker",
    ),
    kind("indikator", "indikatorer", "Indikatorn är sparad.", "Indikatorn är borttagen.", "indikator", "indikatorer"),
    kind("arbetsbok", "", "Arbetsboken är inläst i planen.", "", "", "risker"),
    kind("avsnitt", "avsnitt", "Avsnittet är sparat.", "Avsnittet är borttaget.", "avsnitt", "texter"),
    kind(
        "fokusomrade",
        "fokusomraden",
        "Fokusområdet är sparat.",
        "Fokusområdet är borttaget.",
        "fokusomrade",
        "fokus",
    ),
    // The organisation's records, on its pages.
    kind(
        "enhet",
        "organisation/enheter",
        "Delen av organisationen är sparad.",
        "Delen av organisationen är borttagen.",
        "",
        "",
    ),
    kind("malgrupp", "organisation/malgrupper", "Målgruppen är sparad.", "Målgruppen är borttagen.", "", ""),
    kind(
        "processomrade",
        "organisation/processomraden",
        "Processområdet är sparat.",
        "Processområdet är borttaget.",
        "",
        "",
    ),
    kind(
        "kvalitetsfaktor",
        "organisation/kvalitetsfaktorer",
        "Kvalitetsfaktorn är sparad.",
        "Kvalitetsfaktorn är borttagen.",
        "",
        "",
    ),
    // A quality report's items, on the report page.
    kind(
        "brukarundersokning",
        "brukarundersokningar",
        "Brukarundersökningen är sparad.",
        "Brukarundersökningen är borttagen.",
        "",
        "brukare",
    ),
    kind("resultat", "resultat", "Resultatet är sparat.", "Resultatet är borttaget.", "", "brukare"),
    kind("nyckeltal", "nyckeltal", "Nyckeltalet är sparat.", "Nyckeltalet är borttaget.", "", "statistik"),
    kind(
        "systematisk-uppfoljning",
        "systematiska-uppfoljningar",
        "Den systematiska uppföljningen är sparad.",
        "Den systematiska uppföljningen är borttagen.",
        "",
        "systematisk",
    ),
    kind("granskning", "granskningar", "Granskningen är sparad.", "Granskningen är borttagen.", "", "granskningar"),
    kind(
        "kvalitetsbedomning",
        "bedomningar",
        "Bedömningen av kvalitet är sparad.",
        "Bedömningen av kvalitet är borttagen.",
        "",
        "bedomning",
    ),
    kind(
        "forbattringsomrade",
        "forbattringsomraden",
        "Förbättringsområdet är sparat.",
        "Förbättringsområdet är borttaget.",
        "",
        "forbattring",
    ),
    // What is recorded during the year, on the item's own page.
    kind("uppfoljning", "", "Uppföljningen är sparad.", "", "", ""),
    kind("genomforande", "", "Genomförandet är registrerat.", "", "", ""),
    kind("indikatorresultat", "", "Resultatet är sparat.", "", "", ""),
    kind("bedomning", "", "Bedömningen är sparad.", "", "", ""),
];

/// Whether an item was saved (made or changed) or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Saved,
    Removed,
}

impl Done {
    fn param(self) -> &'static str {
        match self {
            Done::Saved => "sparat",
            Done::Removed => "borttagen",
        }
    }
}

/// The kind edited at the generic pages under `path`.
pub fn by_path(path: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| !k.path.is_empty() && k.path == path)
}

/// The query parameter saying `done` of an item of `code`: `sparat=atgard`.
pub fn param(code: &str, done: Done) -> String {
    format!("{}={code}", done.param())
}

/// `href` with the confirmation of `done` to `code` added to its query.
pub fn with_param(href: &str, code: &str, done: Done) -> String {
    let (path, fragment) = href.split_once('#').map_or((href, ""), |(p, f)| (p, f));
    let sep = if path.contains('?') { '&' } else { '?' };
    let fragment = if fragment.is_empty() { String::new() } else { format!("#{fragment}") };
    format!("{path}{sep}{}{fragment}", param(code, done))
}

/// The sentence a request's query asks for: the first `sparat` or `borttagen` that
/// names a known code; anything else shows nothing.
pub fn message(query: Option<&str>) -> Option<&'static str> {
    let query = query?;
    for pair in query.split('&') {
        let Some((key, value)) = pair.split_once('=') else { continue };
        let done = match key {
            "sparat" => Done::Saved,
            "borttagen" => Done::Removed,
            _ => continue,
        };
        let Some(kind) = KINDS.iter().find(|k| k.code == value) else { continue };
        let sentence = match done {
            Done::Saved => kind.saved,
            Done::Removed => kind.removed,
        };
        if !sentence.is_empty() {
            return Some(sentence);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_only() {
        assert_eq!(message(Some("sparat=atgard")), Some("Åtgärden är sparad."));
        assert_eq!(message(Some("omrade=X&borttagen=risk")), Some("Risken är borttagen."));
        assert_eq!(message(Some("sparat=1")), None);
        assert_eq!(message(Some("sparat=Hej+hej")), None);
        assert_eq!(message(Some("borttagen=genomforande")), None);
        assert_eq!(message(None), None);
    }

    #[test]
    fn codes_and_paths_are_unique() {
        for (i, k) in KINDS.iter().enumerate() {
            assert!(KINDS[i + 1..].iter().all(|o| o.code != k.code), "{}", k.code);
            assert!(k.path.is_empty() || KINDS[i + 1..].iter().all(|o| o.path != k.path), "{}", k.path);
        }
    }

    #[test]
    fn params_join_the_query() {
        assert_eq!(with_param("/planer/3#risk-4", "risk", Done::Saved), "/planer/3?sparat=risk#risk-4");
        assert_eq!(with_param("/planer/3?omrade=A", "risk", Done::Removed), "/planer/3?omrade=A&borttagen=risk");
    }
}
