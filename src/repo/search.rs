//! `search repo`: helm's matching and ordering over compact records.
//!
//! Each chart version is one line `name \v repo/name \v description \v
//! keywords`; a literal term matches case-insensitively, a regexp as is;
//! the score is how many `\v` separators precede the match (so a name
//! match beats a description match). Results are sorted by score, then
//! name, then newest version, and the version constraint keeps the first
//! match per chart unless every version is wanted.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::version::{Constraint, Version};

/// One chart version as search sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchRecord {
    /// The chart's metadata name (what the line starts with).
    pub name: Rc<str>,
    pub version: Rc<str>,
    pub app_version: Rc<str>,
    pub description: Rc<str>,
    /// Keywords joined with single spaces.
    pub keywords: Rc<str>,
}

/// One chart of a repository: its index key and versions, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChartRecords {
    pub key: String,
    pub versions: Vec<SearchRecord>,
}

/// All searchable records of one repository.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepoRecords {
    pub charts: Vec<ChartRecords>,
}

impl RepoRecords {
    /// Records from a loaded index (already validated and sorted).
    pub fn from_index(index: &super::IndexFile) -> RepoRecords {
        let charts = index
            .entries
            .iter()
            .filter(|(_, vs)| !vs.is_empty())
            .map(|(key, vs)| ChartRecords::from_versions(key, vs))
            .collect();
        RepoRecords { charts }
    }
}

impl ChartRecords {
    /// Records of one chart's versions (already validated and sorted).
    pub fn from_versions(key: &str, versions: &[super::ChartVersion]) -> ChartRecords {
        ChartRecords {
            key: key.to_string(),
            versions: versions
                .iter()
                .map(|cv| SearchRecord {
                    name: cv.metadata.name.as_str().into(),
                    version: cv.metadata.version.as_str().into(),
                    app_version: cv.metadata.app_version.as_str().into(),
                    description: cv.metadata.description.as_str().into(),
                    keywords: cv.metadata.keywords.join(" ").into(),
                })
                .collect(),
        }
    }
}

/// A search hit: `repo/chart` and the version record.
#[derive(Clone, Debug)]
pub struct SearchResult<'a> {
    pub name: String,
    pub score: usize,
    pub record: &'a SearchRecord,
}

/// What to look for.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// The keywords joined with spaces; `None` lists everything.
    pub term: Option<String>,
    pub regexp: bool,
    /// Every matching version, not only the newest per chart.
    pub versions: bool,
    /// The constraint (`>0.0.0` by default, `>0.0.0-0` with `--devel`).
    pub version: String,
}

/// Failures with helm's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("{0}")]
    Regexp(String),
    #[error("an invalid version/constraint format: {0}")]
    Constraint(String),
}

/// helm's `searchMaxScore`.
const MAX_SCORE: usize = 25;

/// Runs a query over repositories (in `repositories.yaml` order).
pub fn search<'a>(
    repos: &'a [(String, RepoRecords)],
    q: &Query,
) -> Result<Vec<SearchResult<'a>>, SearchError> {
    let matcher = match (&q.term, q.regexp) {
        (Some(t), true) => Some(Matcher::Regex(
            crate::render::funcs::regex::compile(t).map_err(|e| SearchError::Regexp(e.0))?,
        )),
        (Some(t), false) => Some(Matcher::Literal(t.to_lowercase())),
        (None, _) => None,
    };
    // helm keys its lines by `repo/chart$$version`; a later duplicate wins.
    let mut slots: HashMap<(String, &'a str), usize> = HashMap::new();
    let mut hits: Vec<Option<SearchResult<'a>>> = Vec::new();
    let mut line = String::new();
    for (repo, records) in repos {
        for chart in &records.charts {
            let full = format!("{repo}/{}", chart.key);
            for rec in &chart.versions {
                let score = match &matcher {
                    None => Some(0),
                    Some(m) => {
                        line.clear();
                        line.push_str(&rec.name);
                        line.push('\u{b}');
                        line.push_str(repo);
                        line.push('/');
                        line.push_str(&rec.name);
                        line.push('\u{b}');
                        line.push_str(&rec.description);
                        line.push('\u{b}');
                        line.push_str(&rec.keywords);
                        m.score(&line)
                    }
                };
                let slot = match slots.get(&(full.clone(), &*rec.version)) {
                    Some(&i) => i,
                    None => {
                        hits.push(None);
                        slots.insert((full.clone(), &*rec.version), hits.len() - 1);
                        hits.len() - 1
                    }
                };
                hits[slot] = score.filter(|s| *s < MAX_SCORE).map(|score| SearchResult {
                    name: full.clone(),
                    score,
                    record: rec,
                });
            }
        }
    }
    let mut results: Vec<SearchResult<'a>> = hits.into_iter().flatten().collect();
    sort_results(&mut results);
    apply_constraint(results, q)
}

enum Matcher {
    Literal(String),
    Regex(regex::Regex),
}

impl Matcher {
    fn score(&self, line: &str) -> Option<usize> {
        match self {
            Matcher::Literal(term) => {
                let lower = line.to_lowercase();
                lower
                    .find(term.as_str())
                    .map(|at| separators_before(&lower, at))
            }
            Matcher::Regex(re) => re.find(line).map(|m| separators_before(line, m.start())),
        }
    }
}

/// helm's `calcScore`: the number of `\v` separators before the match.
fn separators_before(line: &str, at: usize) -> usize {
    line.as_bytes()[..at].iter().filter(|&&b| b == 0x0b).count()
}

/// Score, then name, then newest version first.
fn sort_results(results: &mut [SearchResult<'_>]) {
    let mut parsed: HashMap<&str, Option<Version>> = HashMap::new();
    for r in results.iter() {
        parsed
            .entry(&*r.record.version)
            .or_insert_with(|| Version::parse(&r.record.version).ok());
    }
    results.sort_by(|a, b| {
        a.score
            .cmp(&b.score)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(
                || match (&parsed[&*a.record.version], &parsed[&*b.record.version]) {
                    (Some(va), Some(vb)) => vb.compare(va).cmp(&0),
                    _ => std::cmp::Ordering::Equal,
                },
            )
    });
}

fn apply_constraint<'a>(
    results: Vec<SearchResult<'a>>,
    q: &Query,
) -> Result<Vec<SearchResult<'a>>, SearchError> {
    if q.version.is_empty() {
        return Ok(results);
    }
    let constraint =
        Constraint::parse(&q.version).map_err(|e| SearchError::Constraint(e.to_string()))?;
    let mut found: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for r in results {
        if !q.versions && found.contains(&r.name) {
            continue;
        }
        let Ok(v) = Version::parse(&r.record.version) else {
            continue;
        };
        if constraint.matches(&v) {
            found.insert(r.name.clone());
            out.push(r);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, version: &str, desc: &str, kw: &str) -> SearchRecord {
        SearchRecord {
            name: name.into(),
            version: version.into(),
            app_version: "1".into(),
            description: desc.into(),
            keywords: kw.into(),
        }
    }

    fn repos() -> Vec<(String, RepoRecords)> {
        let charts = vec![
            ChartRecords {
                key: "nginx".into(),
                versions: vec![
                    rec("nginx", "2.0.0-rc1", "web", ""),
                    rec("nginx", "1.1.0", "web", ""),
                    rec("nginx", "1.0.0", "web server", ""),
                ],
            },
            ChartRecords {
                key: "app".into(),
                versions: vec![rec("app", "1.0.0", "uses NGINX inside", "http")],
            },
        ];
        vec![("r".into(), RepoRecords { charts })]
    }

    fn names(q: &Query) -> Vec<String> {
        let data = repos();
        search(&data, q)
            .unwrap()
            .iter()
            .map(|r| format!("{}@{}", r.name, r.record.version))
            .collect()
    }

    #[test]
    fn name_matches_rank_before_description_matches() {
        let q = Query {
            term: Some("nginx".into()),
            version: ">0.0.0".into(),
            ..Query::default()
        };
        assert_eq!(names(&q), ["r/nginx@1.1.0", "r/app@1.0.0"]);
    }

    #[test]
    fn devel_and_versions() {
        let q = Query {
            term: Some("nginx".into()),
            version: ">0.0.0-0".into(),
            versions: true,
            ..Query::default()
        };
        assert_eq!(
            names(&q),
            [
                "r/nginx@2.0.0-rc1",
                "r/nginx@1.1.0",
                "r/nginx@1.0.0",
                "r/app@1.0.0"
            ]
        );
    }

    #[test]
    fn regexp_and_errors() {
        let q = Query {
            term: Some("^app".into()),
            regexp: true,
            version: ">0.0.0".into(),
            ..Query::default()
        };
        assert_eq!(names(&q), ["r/app@1.0.0"]);
        let bad = Query {
            term: Some("post(gres".into()),
            regexp: true,
            ..Query::default()
        };
        assert_eq!(
            search(&repos(), &bad).unwrap_err().to_string(),
            "error parsing regexp: missing closing ): `post(gres`"
        );
    }
}
