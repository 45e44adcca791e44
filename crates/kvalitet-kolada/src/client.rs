//! Fetching from Kolada's API over HTTPS (reqwest with rustls, as the single sign-on
//! uses): one data URL for all key figures, areas and years, every page followed.

use std::time::Duration;

use crate::KoladaError;
use crate::parse::{Observation, parse};

/// Kolada's public API.
pub const DEFAULT_BASE_URL: &str = "https://api.kolada.se";

/// At most this many pages are followed (Kolada gives 5 000 values a page).
const MAX_PAGES: usize = 50;

/// What a fetch read: the URL asked first and every page's observations.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    pub url: String,
    pub observations: Vec<Observation>,
    pub pages: usize,
}

/// The documented data URL: `{base}/v2/data/kpi/{kpis}/municipality/{areas}/year/{years}`.
pub fn data_url(base: &str, kpis: &[String], areas: &[String], years: &[i64]) -> String {
    let years: Vec<String> = years.iter().map(ToString::to_string).collect();
    format!(
        "{}/v2/data/kpi/{}/municipality/{}/year/{}",
        base.trim_end_matches('/'),
        kpis.join(","),
        areas.join(","),
        years.join(",")
    )
}

/// Asks `url` and each `next_page` that `read` finds in an answer (on the same host, at
/// most `MAX_PAGES`); returns how many pages were read. Any page that fails, or that
/// `read` refuses, fails the whole.
pub(crate) async fn pages(
    url: &str,
    mut read: impl FnMut(&str) -> Result<Option<String>, KoladaError>,
) -> Result<usize, KoladaError> {
    let start = reqwest::Url::parse(url).map_err(|e| KoladaError::Paging(format!("ogiltig adress {url}: {e}")))?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("Kvalitet/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| KoladaError::Network { url: url.to_owned(), why: e.to_string() })?;
    let mut next = Some(url.to_owned());
    let mut pages = 0;
    while let Some(page_url) = next.take() {
        if pages == MAX_PAGES {
            return Err(KoladaError::Paging(format!(
                "svaret har fler än {MAX_PAGES} sidor; begär färre år eller nyckeltal"
            )));
        }
        let parsed = reqwest::Url::parse(&page_url)
            .map_err(|e| KoladaError::Paging(format!("ogiltig nästa sida {page_url}: {e}")))?;
        if parsed.host_str() != start.host_str() {
            return Err(KoladaError::Paging(format!("nästa sida {page_url} ligger på en annan server än {url}")));
        }
        let network = |e: reqwest::Error| KoladaError::Network { url: page_url.clone(), why: e.to_string() };
        let response = client.get(parsed).send().await.map_err(network)?;
        let status = response.status();
        if !status.is_success() {
            return Err(KoladaError::Status { status: status.as_u16(), url: page_url });
        }
        let text = response.text().await.map_err(network)?;
        next = read(&text).map_err(|e| match e {
            KoladaError::Format(why) => KoladaError::Format(format!("{why} (sidan {page_url})")),
            KoladaError::Value { index, what, why } => {
                KoladaError::Value { index, what, why: format!("{why} (sidan {page_url})") }
            }
            other => other,
        })?;
        pages += 1;
    }
    Ok(pages)
}

/// Fetches the values of `kpis` for `areas` and `years`, following `next_page` on the
/// same host. Any page that fails or is malformed fails the whole fetch.
pub async fn fetch(base: &str, kpis: &[String], areas: &[String], years: &[i64]) -> Result<Fetched, KoladaError> {
    let url = data_url(base, kpis, areas, years);
    let mut observations = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let pages = pages(&url, |text| {
        let page = parse(text)?;
        for o in page.observations {
            if !seen.insert((o.kpi.clone(), o.area.clone(), o.year, o.gender)) {
                return Err(KoladaError::Format(format!("{} för {} år {} finns på två sidor", o.kpi, o.area, o.year)));
            }
            observations.push(o);
        }
        Ok(page.next_page)
    })
    .await?;
    Ok(Fetched { url, observations, pages })
}
