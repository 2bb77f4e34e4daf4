//! The derived search cache: the few fields `search repo` needs from a
//! cached `<repo>-index.yaml`, in a compact binary file next to it.
//!
//! helm re-parses the whole YAML index on every search (seconds for big
//! repositories); reading this file is a memcpy-sized job. The index file
//! itself is never changed. The cache is keyed by the index file's size,
//! modification time and inode, so any rewrite of the index (by helm or
//! rudder) invalidates it; it is replaced atomically, so concurrent
//! searches never read half of one. The warnings produced while loading
//! the index are stored too and replayed, so output is the same either way.
//!
//! Layout (little endian): magic, key (u64 size, i64 mtime s, u32 mtime ns,
//! u64 inode), string table (u32 count, then u32 length + UTF-8 bytes),
//! warnings (u32 count, then string ids), charts (u32 count, then key id,
//! u32 version count, 5 string ids per version).

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use super::index_decode::Kept;
use super::index_fast_yaml::{ChartBlock, LineBuffer};
use super::search::{ChartRecords, RepoRecords, SearchRecord};

const MAGIC: &[u8; 8] = b"RDSRCH01";

/// Identity of the index file the cache was derived from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceKey {
    size: u64,
    mtime_s: i64,
    mtime_ns: u32,
    inode: u64,
}

impl SourceKey {
    pub fn of(path: &Path) -> std::io::Result<SourceKey> {
        let md = std::fs::metadata(path)?;
        #[cfg(unix)]
        let (mtime_s, mtime_ns, inode) = {
            use std::os::unix::fs::MetadataExt;
            (md.mtime(), md.mtime_nsec() as u32, md.ino())
        };
        #[cfg(not(unix))]
        let (mtime_s, mtime_ns, inode) = {
            let d = md
                .modified()?
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            (d.as_secs() as i64, d.subsec_nanos(), 0)
        };
        Ok(SourceKey {
            size: md.len(),
            mtime_s,
            mtime_ns,
            inode,
        })
    }
}

/// What the cache holds for one repository.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CachedRepo {
    pub records: RepoRecords,
    /// Log lines (already formatted) produced while loading the index.
    pub warnings: Vec<String>,
}

/// Gives each distinct string one id (descriptions repeat across versions).
#[derive(Default)]
struct Interner<'a> {
    ids: HashMap<&'a str, u32>,
    table: Vec<&'a str>,
}

impl<'a> Interner<'a> {
    fn id(&mut self, s: &'a str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.table.len() as u32;
        self.table.push(s);
        self.ids.insert(s, i);
        i
    }
}

/// Serialises records for `key`.
pub fn encode(key: SourceKey, repo: &CachedRepo) -> Vec<u8> {
    let mut strings = Interner::default();
    let mut body: Vec<u8> = Vec::new();
    let put = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    put(&mut body, repo.warnings.len() as u32);
    for w in &repo.warnings {
        let id = strings.id(w);
        put(&mut body, id);
    }
    put(&mut body, repo.records.charts.len() as u32);
    for chart in &repo.records.charts {
        let id = strings.id(&chart.key);
        put(&mut body, id);
        put(&mut body, chart.versions.len() as u32);
        for r in &chart.versions {
            for s in [
                &r.name,
                &r.version,
                &r.app_version,
                &r.description,
                &r.keywords,
            ] {
                let id = strings.id(s);
                put(&mut body, id);
            }
        }
    }
    let mut out = Vec::with_capacity(body.len() + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key.size.to_le_bytes());
    out.extend_from_slice(&key.mtime_s.to_le_bytes());
    out.extend_from_slice(&key.mtime_ns.to_le_bytes());
    out.extend_from_slice(&key.inode.to_le_bytes());
    put(&mut out, strings.table.len() as u32);
    for s in &strings.table {
        put(&mut out, s.len() as u32);
        out.extend_from_slice(s.as_bytes());
    }
    out.extend_from_slice(&body);
    out
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// Decodes a cache file if it was derived from an index with `key`;
/// `None` for a stale, foreign or damaged file.
pub fn decode(data: &[u8], key: SourceKey) -> Option<CachedRepo> {
    let mut r = Reader { data, pos: 0 };
    if r.take(8)? != MAGIC {
        return None;
    }
    let found = SourceKey {
        size: r.u64()?,
        mtime_s: r.u64()? as i64,
        mtime_ns: r.u32()?,
        inode: r.u64()?,
    };
    if found != key {
        return None;
    }
    let count = r.u32()? as usize;
    let mut table: Vec<Rc<str>> = Vec::with_capacity(count.min(data.len() / 4));
    for _ in 0..count {
        let len = r.u32()? as usize;
        let s = std::str::from_utf8(r.take(len)?).ok()?;
        table.push(Rc::from(s));
    }
    let get = |r: &mut Reader, table: &[Rc<str>]| -> Option<Rc<str>> {
        table.get(r.u32()? as usize).cloned()
    };
    let nwarn = r.u32()? as usize;
    let mut warnings = Vec::with_capacity(nwarn.min(1024));
    for _ in 0..nwarn {
        warnings.push(get(&mut r, &table)?.to_string());
    }
    let ncharts = r.u32()? as usize;
    let mut charts = Vec::with_capacity(ncharts.min(data.len() / 8));
    for _ in 0..ncharts {
        let key = get(&mut r, &table)?.to_string();
        let n = r.u32()? as usize;
        let mut versions = Vec::with_capacity(n.min(data.len() / 20));
        for _ in 0..n {
            versions.push(SearchRecord {
                name: get(&mut r, &table)?,
                version: get(&mut r, &table)?,
                app_version: get(&mut r, &table)?,
                description: get(&mut r, &table)?,
                keywords: get(&mut r, &table)?,
            });
        }
        charts.push(ChartRecords { key, versions });
    }
    if r.pos != data.len() {
        return None;
    }
    Some(CachedRepo {
        records: RepoRecords { charts },
        warnings,
    })
}

/// Why a repository could not be searched: helm's load error text.
pub type LoadFailure = String;

/// The records of one cached repository: from the derived cache when it
/// is fresh, else by loading the index (then the cache is rewritten,
/// best effort: a read-only cache directory only costs speed).
pub fn load_repo(cache_dir: &Path, repo: &str) -> Result<CachedRepo, LoadFailure> {
    let index_path = super::cache_paths::index_path(cache_dir, repo);
    let cache_path = super::cache_paths::search_cache_path(cache_dir, repo);
    let key = SourceKey::of(&index_path).ok();
    if let Some(key) = key {
        if let Ok(data) = std::fs::read(&cache_path) {
            if let Some(hit) = decode(&data, key) {
                return Ok(hit);
            }
        }
    }
    let source = index_path.display().to_string();
    let (charts, warnings) = match load_on_all_cores(&index_path, &source) {
        Some(loaded) => loaded,
        None => load_streaming(&index_path, &source)?,
    };
    let cached = CachedRepo {
        records: RepoRecords { charts },
        warnings,
    };
    if let Some(key) = key {
        // Only trust the key if the index did not change while we read it.
        if SourceKey::of(&index_path).ok() == Some(key) {
            let _ = super::atomic_file::write_atomic(&cache_path, &encode(key, &cached), 0o644);
        }
    }
    Ok(cached)
}

/// One chart's search records, built on a worker thread (plain strings,
/// so they can cross threads), with what loading it would log.
struct ChartOut {
    key: String,
    /// name, version, appVersion, description, keywords per version.
    records: Vec<[String; 5]>,
    /// What loading logs for the chart's null items and invalid versions.
    load_warnings: Vec<String>,
}

fn chart_out<'a>(
    block: &ChartBlock<'a>,
    buf: &mut LineBuffer<'a>,
    source: &str,
) -> Option<ChartOut> {
    let (mut versions, null_at) = super::index_decode::decode_chart_block(block, buf)?;
    let mut load_warnings = Vec::new();
    super::index_decode::check_versions(&block.name, &mut versions, &null_at, source, &mut |r| {
        load_warnings.push(r.to_string())
    });
    super::index::sort_versions_desc(&mut versions);
    // Built anew rather than collected in place: that would keep the
    // (much bigger) allocation of the decoded versions alive.
    let mut records = Vec::with_capacity(versions.len());
    for cv in versions {
        let md = cv.metadata;
        let keywords = md.keywords.join(" ");
        records.push([
            md.name,
            md.version,
            md.app_version,
            md.description,
            keywords,
        ]);
    }
    Some(ChartOut {
        key: block.name.clone(),
        records,
        load_warnings,
    })
}

/// Hands out one shared copy of each distinct string (descriptions and
/// app versions repeat across the versions of a chart).
#[derive(Default)]
struct Strings(std::collections::HashSet<Rc<str>>);

impl Strings {
    fn get(&mut self, s: String) -> Rc<str> {
        if let Some(shared) = self.0.get(s.as_str()) {
            return shared.clone();
        }
        let shared: Rc<str> = Rc::from(s);
        self.0.insert(shared.clone());
        shared
    }
}

/// Records and load warnings of an index in helm's own layout, its charts
/// read from the file and decoded on every core; `None` for anything else
/// (including every error), which [`load_streaming`] then handles.
fn load_on_all_cores(index_path: &Path, source: &str) -> Option<(Vec<ChartRecords>, Vec<String>)> {
    let file = std::fs::File::open(index_path).ok()?;
    let mut layout = super::index_split::split_file(&file)?;
    let top = super::index_decode::decode_layout_top(std::mem::take(&mut layout.top))?;
    if top.api_version.is_empty() {
        return None;
    }
    let mut strings = Strings::default();
    let mut warnings_by_chart: Vec<(String, Vec<String>)> = Vec::new();
    let mut charts: Vec<ChartRecords> = Vec::with_capacity(layout.charts.len());
    let complete = super::index_parallel::for_each_ordered_with(
        &layout.charts,
        Vec::new,
        |text_buf, span| {
            let text = super::index_split::read_span(&file, span, text_buf)?;
            chart_out(&span.block(text), &mut LineBuffer::default(), source)
        },
        |_, out| {
            if !out.load_warnings.is_empty() {
                warnings_by_chart.push((out.key.clone(), out.load_warnings));
            }
            if out.records.is_empty() {
                return true;
            }
            let mut versions = Vec::with_capacity(out.records.len());
            for [name, version, app_version, description, keywords] in out.records {
                versions.push(SearchRecord {
                    name: strings.get(name),
                    version: strings.get(version),
                    app_version: strings.get(app_version),
                    description: strings.get(description),
                    keywords: strings.get(keywords),
                });
            }
            charts.push(ChartRecords {
                key: out.key,
                versions,
            });
            true
        },
    );
    if !complete {
        return None;
    }
    // The loader's order: chart by chart in name order.
    charts.sort_by(|a, b| a.key.cmp(&b.key));
    warnings_by_chart.sort_by(|a, b| a.0.cmp(&b.0));
    let warnings = warnings_by_chart.into_iter().flat_map(|(_, w)| w).collect();
    Some((charts, warnings))
}

/// Records and load warnings through the index loader (any layout, and
/// helm's error texts), one chart at a time.
fn load_streaming(
    index_path: &Path,
    source: &str,
) -> Result<(Vec<ChartRecords>, Vec<String>), LoadFailure> {
    let mut warnings = Vec::new();
    // Each chart becomes records as soon as it is decoded and its versions
    // are dropped, so the whole index never sits in memory. Their
    // invalid-version warnings come after the loader's own ones, in chart
    // order, as `load_index_file` would print them.
    let mut charts: Vec<ChartRecords> = Vec::new();
    let mut deferred: Vec<(String, String)> = Vec::new();
    let index = super::index_decode::load_index_file_keeping(
        index_path,
        &mut |r| warnings.push(r.to_string()),
        &mut |kept| match kept {
            Kept::Restart => {
                charts.clear();
                deferred.clear();
            }
            Kept::Chart(name, versions) => {
                super::index_decode::drop_invalid_versions(name, versions, source, &mut |r| {
                    deferred.push((name.to_string(), r.to_string()))
                });
                super::index::sort_versions_desc(versions);
                if !versions.is_empty() {
                    charts.push(ChartRecords::from_versions(name, versions));
                }
                *versions = Vec::new();
            }
        },
    )
    .map_err(|e| e.to_string())?;
    // After a restart the general loader kept everything in `index`.
    charts.extend(RepoRecords::from_index(&index).charts);
    drop(index);
    charts.sort_by(|a, b| a.key.cmp(&b.key));
    deferred.sort_by(|a, b| a.0.cmp(&b.0));
    warnings.extend(deferred.into_iter().map(|(_, w)| w));
    Ok((charts, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CachedRepo {
        let r = |n: &str, v: &str| SearchRecord {
            name: n.into(),
            version: v.into(),
            app_version: "1.0".into(),
            description: "same description".into(),
            keywords: "a b".into(),
        };
        CachedRepo {
            records: RepoRecords {
                charts: vec![ChartRecords {
                    key: "x".into(),
                    versions: vec![r("x", "2.0.0"), r("x", "1.0.0")],
                }],
            },
            warnings: vec!["level=WARN msg=w".into()],
        }
    }

    #[test]
    fn round_trip_and_staleness() {
        let key = SourceKey {
            size: 10,
            mtime_s: 5,
            mtime_ns: 7,
            inode: 9,
        };
        let bytes = encode(key, &sample());
        assert_eq!(decode(&bytes, key), Some(sample()));
        assert_eq!(decode(&bytes, SourceKey { size: 11, ..key }), None);
        assert_eq!(decode(&bytes[..bytes.len() - 1], key), None);
    }

    #[test]
    fn rebuilt_when_index_changes() {
        let dir = tempfile::tempdir().unwrap();
        let idx = dir.path().join("r-index.yaml");
        std::fs::write(
            &idx,
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n",
        )
        .unwrap();
        let first = load_repo(dir.path(), "r").unwrap();
        assert_eq!(first.records.charts[0].versions.len(), 1);
        assert!(dir.path().join(".r-index.rudder-search").exists());
        std::fs::write(&idx, "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  - name: a\n    version: 1.1.0\n").unwrap();
        let second = load_repo(dir.path(), "r").unwrap();
        assert_eq!(&*second.records.charts[0].versions[0].version, "1.1.0");
    }

    /// Records built chart by chart while streaming equal those of the
    /// fully loaded index, with the same warnings in the same order, for
    /// both the streaming reader and the general loader's layout.
    #[test]
    fn streamed_records_equal_loaded_index() {
        let streamable = "apiVersion: v1\nentries:\n  b:\n  - name: b\n    version: bad\n  - name: b\n    version: 0.1.0\n  - null\n  a:\n  - name: a\n    version: 1.0.0\n    keywords:\n    - k1\n    - k2\n  - name: a\n    version: 2.0.0\n    description: second\n  - name: a\n    version: nope\n  c:\n  - name: c\n    version: x.y\n";
        let flow = "apiVersion: v1\nentries: {b: [{name: b, version: bad}, {name: b, version: 0.1.0}, null], a: [{name: a, version: 1.0.0}, {name: a, version: nope}]}\n";
        for src in [streamable, flow] {
            let dir = tempfile::tempdir().unwrap();
            let idx = dir.path().join("r-index.yaml");
            std::fs::write(&idx, src).unwrap();
            let mut logs = Vec::new();
            let index = super::super::index_decode::load_index_file(&idx, &mut |r| {
                logs.push(r.to_string())
            })
            .unwrap();
            let got = load_repo(dir.path(), "r").unwrap();
            assert_eq!(got.records, RepoRecords::from_index(&index), "{src}");
            assert_eq!(got.warnings, logs, "{src}");
            assert_eq!(logs.len(), if src == flow { 3 } else { 4 });
        }
    }
}
