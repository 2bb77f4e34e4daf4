//! The repository index (`index.yaml`): a map from chart name to its
//! versions, newest first once sorted, with helm's lookup and merge rules.

use std::collections::BTreeMap;

use crate::chart::Metadata;
use crate::log::{Level, Record};
use crate::value::Value;
use crate::version::{Constraint, Version};

/// helm's `repo.APIVersionV1`.
pub const API_VERSION_V1: &str = "v1";

/// One version of one chart in an index (helm's `ChartVersion`).
#[derive(Clone, Debug, Default)]
pub struct ChartVersion {
    pub metadata: Metadata,
    pub urls: Vec<String>,
    /// RFC 3339 as Go re-encodes it; [`super::gotime::ZERO_TIME`] when absent.
    pub created: String,
    pub removed: bool,
    /// sha256 of the archive, hex.
    pub digest: String,
    /// Deprecated fields helm still reads and writes back.
    pub checksum: String,
    pub engine: String,
    pub tiller_version: String,
    pub url: String,
}

impl ChartVersion {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    pub fn version(&self) -> &str {
        &self.metadata.version
    }
}

/// An index file (helm's `IndexFile`).
#[derive(Clone, Debug, Default)]
pub struct IndexFile {
    /// chartmuseum's `serverInfo`, kept only to be written back.
    pub server_info: Option<Value>,
    pub api_version: String,
    pub generated: String,
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
    pub public_keys: Vec<String>,
    pub annotations: BTreeMap<String, String>,
}

/// A failed [`IndexFile::get`]; `Display` is helm's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("no chart name found")]
    NoChartName,
    #[error("no chart version found")]
    NoChartVersion,
    #[error("no chart version found for {0}-{1}")]
    NoMatch(String, String),
    #[error("{0}")]
    BadConstraint(String),
}

/// Whether a requested version is a range rather than one version (helm's
/// `isVersionRange`); only exact requests warn when they fall back.
pub fn is_version_range(version: &str) -> bool {
    if version.contains(['^', '~', '<', '>', '=', '!', '*'])
        || version.contains("||")
        || version.contains(" - ")
    {
        return true;
    }
    let core = match version.find(['-', '+']) {
        Some(i) => &version[..i],
        None => version,
    };
    core.contains(['x', 'X'])
}

/// Whether a version request names all of major, minor and patch (so
/// the constraint it makes has no wildcard parts).
fn has_three_parts(version: &str) -> bool {
    let core = match version.find(['-', '+']) {
        Some(i) => &version[..i],
        None => version,
    };
    core.split('.').count() == 3
}

/// Descending semver order; versions that do not parse go last.
pub fn sort_versions_desc(versions: &mut [ChartVersion]) {
    let mut keyed: Vec<(Option<Version>, ChartVersion)> = versions
        .iter_mut()
        .map(|cv| (Version::parse(cv.version()).ok(), std::mem::take(cv)))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| match (a, b) {
        (Some(a), Some(b)) => b.compare(a).cmp(&0),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    for (slot, (_, cv)) in versions.iter_mut().zip(keyed) {
        *slot = cv;
    }
}

impl IndexFile {
    /// helm's `NewIndexFile`: `apiVersion: v1`, generated now, no entries.
    pub fn new() -> IndexFile {
        IndexFile {
            api_version: API_VERSION_V1.into(),
            generated: super::gotime::now_rfc3339_nano(),
            ..IndexFile::default()
        }
    }

    /// Sorts every chart's versions newest first (`SortEntries`).
    pub fn sort_entries(&mut self) {
        for versions in self.entries.values_mut() {
            sort_versions_desc(versions);
        }
    }

    /// helm's `IndexFile.Get`: an exact version string first, else the
    /// first version (in index order) matching `version` as a constraint;
    /// an empty request means the newest stable version. A non-range
    /// request that falls back to another version logs helm's warning.
    pub fn get(
        &self,
        name: &str,
        version: &str,
        log: &mut dyn FnMut(Record),
    ) -> Result<&ChartVersion, LookupError> {
        let vs = self.entries.get(name).ok_or(LookupError::NoChartName)?;
        find_version(vs, name, version, log)
    }

    pub fn has(&self, name: &str, version: &str, log: &mut dyn FnMut(Record)) -> bool {
        self.get(name, version, log).is_ok()
    }

    /// helm's `Merge`: versions of `other` that this index does not have
    /// (by [`IndexFile::has`], so a constraint-equal version counts) are
    /// appended, in `other`'s order; the index may end up unsorted.
    pub fn merge(&mut self, other: IndexFile, log: &mut dyn FnMut(Record)) {
        // Parsed versions per chart, kept alongside the entries so that a
        // big merge does not re-parse every existing version for every
        // incoming one.
        let mut parsed: BTreeMap<String, Vec<Option<Version>>> = BTreeMap::new();
        for versions in other.entries.into_values() {
            for cv in versions {
                let key = cv.name().to_string();
                let existing = self.entries.get(&key).map(Vec::as_slice).unwrap_or(&[]);
                let cache = parsed.entry(key.clone()).or_insert_with(|| {
                    existing
                        .iter()
                        .map(|e| Version::parse(e.version()).ok())
                        .collect()
                });
                if find_in(existing, cache, &key, cv.version(), log).is_err() {
                    cache.push(Version::parse(cv.version()).ok());
                    self.entries.entry(key).or_default().push(cv);
                }
            }
        }
    }
}

/// [`IndexFile::merge`] for one chart whose incoming versions all carry
/// its name: each is appended unless `existing` already has it (by
/// [`IndexFile::has`]'s rules, so a constraint-equal version counts).
pub fn merge_chart_versions(
    existing: &mut Vec<ChartVersion>,
    incoming: Vec<ChartVersion>,
    name: &str,
    log: &mut dyn FnMut(Record),
) {
    let mut parsed: Vec<Option<Version>> = existing
        .iter()
        .map(|e| Version::parse(e.version()).ok())
        .collect();
    for cv in incoming {
        if find_in(existing, &parsed, name, cv.version(), log).is_err() {
            parsed.push(Version::parse(cv.version()).ok());
            existing.push(cv);
        }
    }
}

/// The body of [`IndexFile::get`] over one chart's versions.
pub fn find_version<'a>(
    vs: &'a [ChartVersion],
    name: &str,
    version: &str,
    log: &mut dyn FnMut(Record),
) -> Result<&'a ChartVersion, LookupError> {
    let parsed: Vec<Option<Version>> = vs
        .iter()
        .map(|cv| Version::parse(cv.version()).ok())
        .collect();
    find_in(vs, &parsed, name, version, log)
}

fn find_in<'a>(
    vs: &'a [ChartVersion],
    parsed: &[Option<Version>],
    name: &str,
    version: &str,
    log: &mut dyn FnMut(Record),
) -> Result<&'a ChartVersion, LookupError> {
    if vs.is_empty() {
        return Err(LookupError::NoChartVersion);
    }
    let constraint = if version.is_empty() {
        Constraint::parse("*")
    } else {
        Constraint::parse(version)
    }
    .map_err(|e| LookupError::BadConstraint(e.to_string()))?;
    if !version.is_empty() {
        if let Some(cv) = vs.iter().find(|cv| cv.version() == version) {
            return Ok(cv);
        }
    }
    // A plain `X.Y.Z` request can only match versions of equal precedence
    // (Masterminds' `=` on a version with no wildcard parts); skipping the
    // others spares building a mismatch reason for every version, which
    // dominated `repo index --merge` of big indexes.
    let exact = (!version.is_empty() && !is_version_range(version) && has_three_parts(version))
        .then(|| Version::parse(version).ok())
        .flatten();
    for (cv, v) in vs.iter().zip(parsed) {
        let Some(v) = v else {
            continue;
        };
        if exact.as_ref().is_some_and(|e| e.compare(v) != 0) {
            continue;
        }
        if constraint.matches(v) {
            if !version.is_empty() && !is_version_range(version) {
                log(Record::new(
                    Level::Warn,
                    "unable to find exact version requested; falling back to closest available version",
                )
                .attr("chart", name)
                .attr("requested", version)
                .attr("selected", cv.version()));
            }
            return Ok(cv);
        }
    }
    Err(LookupError::NoMatch(name.to_string(), version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cv(name: &str, version: &str) -> ChartVersion {
        let mut c = ChartVersion::default();
        c.metadata.name = name.into();
        c.metadata.version = version.into();
        c
    }

    fn index(versions: &[&str]) -> IndexFile {
        let mut i = IndexFile::default();
        i.entries
            .insert("a".into(), versions.iter().map(|v| cv("a", v)).collect());
        i
    }

    #[test]
    fn sorts_newest_first() {
        let mut i = index(&["1.0.0", "2.0.0-rc.1", "1.10.0", "2.0.0"]);
        i.sort_entries();
        let got: Vec<_> = i.entries["a"]
            .iter()
            .map(|c| c.version().to_string())
            .collect();
        assert_eq!(got, ["2.0.0", "2.0.0-rc.1", "1.10.0", "1.0.0"]);
    }

    #[test]
    fn get_prefers_exact_then_constraint() {
        let mut i = index(&["2.0.0-rc.1", "1.2.0", "1.1.0"]);
        i.sort_entries();
        let mut logs = Vec::new();
        let mut log = |r: Record| logs.push(r.to_string());
        assert_eq!(i.get("a", "", &mut log).unwrap().version(), "1.2.0");
        assert_eq!(i.get("a", "^1.1", &mut log).unwrap().version(), "1.2.0");
        assert_eq!(i.get("a", "1.1.0", &mut log).unwrap().version(), "1.1.0");
        assert_eq!(
            i.get("a", "3", &mut log).unwrap_err().to_string(),
            "no chart version found for a-3"
        );
        assert_eq!(
            i.get("b", "", &mut log).unwrap_err(),
            LookupError::NoChartName
        );
        assert_eq!(i.get("a", "1.01.0", &mut log).unwrap().version(), "1.1.0");
        assert_eq!(logs.len(), 1);
        assert!(
            logs[0].contains("requested=1.01.0 selected=1.1.0"),
            "{}",
            logs[0]
        );
    }

    #[test]
    fn exact_requests_fall_back_to_equal_precedence_only() {
        let vs: Vec<ChartVersion> = ["1.2.5", "1.2.3+a"].iter().map(|v| cv("a", v)).collect();
        let mut logs = Vec::new();
        let got = find_version(&vs, "a", "1.2.3", &mut |r| logs.push(r.to_string())).unwrap();
        assert_eq!(got.version(), "1.2.3+a");
        assert_eq!(logs.len(), 1);
        // Two parts is a wildcard patch: the first version of 1.2 wins.
        let got = find_version(&vs, "a", "1.2", &mut |_| {}).unwrap();
        assert_eq!(got.version(), "1.2.5");
        assert!(find_version(&vs, "a", "1.2.4", &mut |_| {}).is_err());
    }

    #[test]
    fn merge_keeps_existing_and_skips_equal_versions() {
        let mut a = index(&["1.0.0"]);
        let b = index(&["1.0.0", "01.0.0", "2.0.0"]);
        a.merge(b, &mut |_| {});
        let got: Vec<_> = a.entries["a"]
            .iter()
            .map(|c| c.version().to_string())
            .collect();
        assert_eq!(got, ["1.0.0", "2.0.0"]);
    }
}
