//! Kolada's municipality groups (`/v2/municipality_groups`): the comparison groups a
//! municipality can choose ("Liknande kommuner IFO"), looked up by id for their name or
//! searched by title. The documented object is `{"id": "G124025", "title": "…",
//! "members": [{"id": "0126", "title": "Huddinge"}, …]}` in the usual answer
//! `{"values": [...], "count": N}`.

use serde::Deserialize;

use kvalitet_domain::kolada;

use crate::KoladaError;
use crate::client;

/// One municipality group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub title: String,
    /// How many municipalities it holds.
    pub members: usize,
}

#[derive(Deserialize)]
struct RawPage {
    values: Vec<RawGroup>,
    count: Option<u64>,
    next_page: Option<String>,
}

#[derive(Deserialize)]
struct RawGroup {
    id: String,
    title: String,
    #[serde(default)]
    members: Vec<serde_json::Value>,
}

/// Reads one answer of groups and its next page; a group id that is not Kolada's form
/// (G and digits) or a wrong count refuses the answer.
pub fn parse_groups(text: &str) -> Result<(Vec<Group>, Option<String>), KoladaError> {
    let raw: RawPage = crate::parse::read_answer(text, |r: &RawPage| (r.count, r.values.len()))?;
    let mut groups = Vec::new();
    for (i, g) in raw.values.into_iter().enumerate() {
        if !kolada::is_group(&g.id) {
            return Err(KoladaError::Value {
                index: i + 1,
                what: g.id.clone(),
                why: format!("gruppens id {}", kolada::GROUP_PROBLEM),
            });
        }
        groups.push(Group { id: g.id, title: g.title.trim().to_owned(), members: g.members.len() });
    }
    Ok((groups, raw.next_page))
}

/// The documented URL: `{base}/v2/municipality_groups/{id}`, or `?title=` to search.
pub fn groups_url(base: &str, id: Option<&str>, title: Option<&str>) -> String {
    let base = format!("{}/v2/municipality_groups", base.trim_end_matches('/'));
    match (id, title) {
        (Some(id), _) => format!("{base}/{id}"),
        (None, Some(title)) => match reqwest::Url::parse(&base) {
            Ok(mut url) => {
                url.query_pairs_mut().append_pair("title", title);
                url.to_string()
            }
            Err(_) => base,
        },
        (None, None) => base,
    }
}

/// The groups `id` names, or whose title holds `title` (every group when neither), every
/// page followed.
pub async fn groups(base: &str, id: Option<&str>, title: Option<&str>) -> Result<Vec<Group>, KoladaError> {
    let mut all = Vec::new();
    client::pages(&groups_url(base, id, title), |text| {
        let (groups, next) = parse_groups(text)?;
        all.extend(groups);
        Ok(next)
    })
    .await?;
    all.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)));
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_answer_is_read_and_a_foreign_id_refused() {
        let text = r#"{"values": [{"id": "G124025", "title": "Liknande kommuner IFO, Huddinge ",
            "members": [{"id": "0126", "title": "Huddinge"}, {"id": "0180", "title": "Stockholm"}]}], "count": 1}"#;
        let (groups, next) = parse_groups(text).unwrap();
        assert_eq!(
            groups,
            [Group { id: "G124025".into(), title: "Liknande kommuner IFO, Huddinge".into(), members: 2 }]
        );
        assert_eq!(next, None);
        let err = parse_groups(r#"{"values": [{"id": "0126", "title": "Huddinge"}], "count": 1}"#).unwrap_err();
        assert!(err.to_string().contains("G följt av siffror"), "{err}");
        assert!(parse_groups(r#"{"values": [], "count": 3}"#).is_err());
        assert_eq!(
            groups_url("http://k/", None, Some("liknande kommuner")),
            "http://k/v2/municipality_groups?title=liknande+kommuner"
        );
        assert_eq!(groups_url("http://k", Some("G1"), None), "http://k/v2/municipality_groups/G1");
    }
}
