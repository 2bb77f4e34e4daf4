//! Loading an index file as helm's `loadIndex` does: JSON when the bytes
//! are valid JSON, otherwise strict YAML (unknown fields are errors);
//! invalid chart versions are skipped with helm's warning; versions are
//! sorted newest first; a missing `apiVersion` is an error.

use std::collections::BTreeMap;
use std::path::Path;

use super::gotime;
use super::index::{ChartVersion, IndexFile, API_VERSION_V1};
use super::index_fast_yaml::ChartItem;
use crate::chart::decode::{apply_metadata, scalar_text};
use crate::log::{Level, Record};
use crate::value::Value;
use crate::values::go_json_type_error::{json_kind, unmarshal_type_error};

/// Why an index could not be loaded; `Display` is helm's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error("empty index.yaml file")]
    Empty,
    #[error("no API version specified")]
    NoApiVersion,
    /// YAML syntax or conversion errors, already in sigs.k8s.io/yaml's words.
    #[error("{0}")]
    Yaml(String),
    /// An encoding/json decoding error (`json: unknown field "x"`, type errors).
    #[error("error unmarshaling JSON: while decoding JSON: {0}")]
    Decode(String),
    /// The same for a JSON document (no sigs.k8s.io/yaml prefix).
    #[error("{0}")]
    Json(String),
    #[error("open {0}: no such file or directory")]
    NotFound(String),
    #[error("{0}")]
    Io(String),
    /// `LoadIndexFile`'s wrapper naming the file.
    #[error("error loading {path}: {source}")]
    Loading {
        path: String,
        #[source]
        source: Box<IndexError>,
    },
}

/// helm's `LoadIndexFile(path)`: read, [`load_index`], and wrap errors
/// with `error loading <path>: `.
pub fn load_index_file(path: &Path, log: &mut dyn FnMut(Record)) -> Result<IndexFile, IndexError> {
    load_index_file_keeping(path, log, &mut |_| {})
}

/// What [`load_index_file_keeping`] shows its `keep` callback: one chart's
/// decoded versions (not yet validated or sorted; whatever the callback
/// leaves in the list stays in the index), or `Restart` when the
/// streaming reader gave up and everything seen so far must be forgotten
/// (the general loader then fills the returned index as usual).
pub enum Kept<'a> {
    Chart(&'a str, &'a mut Vec<ChartVersion>),
    Restart,
}

/// [`load_index_file`] that lets the caller consume each chart's versions
/// as soon as they are decoded (a search builds its small records and
/// empties the list), so a big index never exists in memory at once.
pub fn load_index_file_keeping(
    path: &Path,
    log: &mut dyn FnMut(Record),
    keep: &mut dyn FnMut(Kept),
) -> Result<IndexFile, IndexError> {
    let data = std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            IndexError::NotFound(path.display().to_string())
        } else {
            IndexError::Io(crate::chart::loader::go_io_error("open", path, &e))
        }
    })?;
    let source = path.display().to_string();
    load_index_keeping(&data, &source, log, keep).map_err(|e| IndexError::Loading {
        path: source,
        source: Box::new(e),
    })
}

/// Which syntax the index was written in (JSON is tried first, as helm does).
fn is_json(data: &[u8]) -> bool {
    // A JSON text starts with one of these; YAML indexes (`apiVersion: v1`)
    // are told apart without scanning megabytes.
    let first = data.iter().find(|b| !b" \t\r\n".contains(b));
    if !first.is_some_and(|b| b"{[\"-0123456789tfn".contains(b)) {
        return false;
    }
    serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok()
}

/// `data` as text: borrowed when it is valid UTF-8 (the usual case, and
/// much faster to check than the lossy conversion), else lossily.
pub fn utf8_text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(data) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(data),
    }
}

/// helm's `loadIndex`. `source` names the file in warnings.
pub fn load_index(
    data: &[u8],
    source: &str,
    log: &mut dyn FnMut(Record),
) -> Result<IndexFile, IndexError> {
    load_index_keeping(data, source, log, &mut |_| {})
}

fn load_index_keeping(
    data: &[u8],
    source: &str,
    log: &mut dyn FnMut(Record),
    keep: &mut dyn FnMut(Kept),
) -> Result<IndexFile, IndexError> {
    if data.is_empty() {
        return Err(IndexError::Empty);
    }
    let (doc, strict) = if is_json(data) {
        let text = String::from_utf8_lossy(data);
        let v = crate::render::encode::json::parse_json(&text)
            .map_err(|e| IndexError::Json(e.to_string()))?;
        (v, false)
    } else {
        let text = utf8_text(data);
        // helm's own layout is read by the streaming fast reader; anything
        // else (and every error) goes through the general loader.
        if let Some((index, nulls)) = decode_fast(&text, keep) {
            return finish_index(index, nulls, source, log);
        }
        keep(Kept::Restart);
        let v =
            crate::values::yaml::unmarshal(&text).map_err(|e| IndexError::Yaml(e.to_string()))?;
        (v, true)
    };
    let wrap = |m: String| {
        if strict {
            IndexError::Decode(m)
        } else {
            IndexError::Json(m)
        }
    };
    let mut nulls = Vec::new();
    let index = decode_index(&doc, strict, &mut nulls).map_err(wrap)?;
    finish_index(index, nulls, source, log)
}

/// Decodes a YAML index in helm's own layout one chart at a time (see
/// [`super::index_split::split_index`]), so neither the whole `Value`
/// tree nor its freeing ever costs anything. `None` when the layout is
/// not recognised or any field fails to decode: the general path then
/// produces helm's exact error.
fn decode_fast(text: &str, keep: &mut dyn FnMut(Kept)) -> Option<(IndexFile, Vec<NullItem>)> {
    let layout = super::index_split::split_index(text)?;
    let mut index = decode_index(&Value::map(layout.top), true, &mut Vec::new()).ok()?;
    let mut nulls = Vec::new();
    let mut buf = Default::default();
    for block in &layout.charts {
        let (mut versions, null_at) = decode_chart_block(block, &mut buf)?;
        nulls.extend(null_at.into_iter().map(|at| (block.name.clone(), at)));
        keep(Kept::Chart(&block.name, &mut versions));
        index.entries.insert(block.name.clone(), versions);
    }
    nulls.sort();
    Some((index, nulls))
}

/// The top-level fields of an index read by
/// [`super::index_split::split_index`] (its `entries` are left empty),
/// or `None` when they do not decode (the general path has the error).
pub fn decode_layout_top(top: crate::value::MapData) -> Option<IndexFile> {
    decode_index(&Value::map(top), true, &mut Vec::new()).ok()
}

/// A null item in a chart's version list: the chart and the item's
/// position in the list as written.
pub type NullItem = (String, usize);

/// One chart's versions from its block (not yet validated or sorted) and
/// the positions of its null items; `None` when the block is outside the
/// fast layout or a field does not decode.
pub fn decode_chart_block<'a>(
    block: &super::index_fast_yaml::ChartBlock<'a>,
    buf: &mut super::index_fast_yaml::LineBuffer<'a>,
) -> Option<(Vec<ChartVersion>, Vec<usize>)> {
    let mut versions = Vec::new();
    let mut nulls = Vec::new();
    let mut at = 0;
    super::index_fast_yaml::each_chart_item(block, buf, &mut |item| {
        match item {
            ChartItem::Version(cv) => versions.push(cv),
            ChartItem::Other(v) if v.is_nil() => nulls.push(at),
            ChartItem::Other(v) => versions.push(decode_chart_version(&v, true).ok()?),
        }
        at += 1;
        Some(())
    })?;
    Some((versions, nulls))
}

/// helm's warning for a null item in a chart's version list.
pub fn null_entry_warning(name: &str, source: &str) -> Record {
    Record::new(
        Level::Warn,
        "skipping loading invalid entry for chart: empty entry",
    )
    .attr("name", name.to_string())
    .attr("source", source.to_string())
}

/// The steps after decoding that both paths share: null-item and invalid
/// version warnings, sorting, the `apiVersion` check.
fn finish_index(
    mut index: IndexFile,
    nulls: Vec<NullItem>,
    source: &str,
    log: &mut dyn FnMut(Record),
) -> Result<IndexFile, IndexError> {
    let mut null_at: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (name, at) in &nulls {
        null_at.entry(name).or_default().push(*at);
    }
    for (name, versions) in index.entries.iter_mut() {
        let at = null_at.get(name.as_str()).map_or(&[][..], Vec::as_slice);
        check_versions(name, versions, at, source, log);
    }
    index.sort_entries();
    if index.api_version.is_empty() {
        return Err(IndexError::NoApiVersion);
    }
    Ok(index)
}

/// Removes versions that fail chart validation, warning as helm does for
/// them and for the null items at `null_at` (positions in the list as
/// written, ascending): helm walks each list backwards, so warnings come
/// last-first.
pub fn check_versions(
    name: &str,
    versions: &mut Vec<ChartVersion>,
    null_at: &[usize],
    source: &str,
    log: &mut dyn FnMut(Record),
) {
    let total = versions.len() + null_at.len();
    let mut is_null = vec![false; total];
    for &at in null_at {
        if let Some(slot) = is_null.get_mut(at) {
            *slot = true;
        }
    }
    let mut keep = vec![true; versions.len()];
    let mut i = versions.len();
    for written in (0..total).rev() {
        if is_null[written] || i == 0 {
            log(null_entry_warning(name, source));
            continue;
        }
        i -= 1;
        let cv = &mut versions[i];
        if cv.metadata.api_version.is_empty() {
            cv.metadata.api_version = API_VERSION_V1.into();
        }
        if let Err(e) = cv.metadata.validate() {
            let text = e.to_string();
            if text.starts_with("validation: more than one dependency with name or alias") {
                continue;
            }
            log(
                Record::new(Level::Warn, "skipping loading invalid entry for chart")
                    .attr("name", name)
                    .attr("version", cv.metadata.version.as_str())
                    .attr("source", source)
                    .attr("error", text),
            );
            keep[i] = false;
        }
    }
    let mut flags = keep.into_iter();
    versions.retain(|_| flags.next().unwrap_or(true));
}

/// [`check_versions`] for a list without null items.
pub fn drop_invalid_versions(
    name: &str,
    versions: &mut Vec<ChartVersion>,
    source: &str,
    log: &mut dyn FnMut(Record),
) {
    check_versions(name, versions, &[], source, log)
}

fn type_error(v: &Value, field: &str, go_type: &str) -> String {
    unmarshal_type_error(json_kind(v), field, go_type)
}

fn map_entries(v: &Value) -> Vec<(String, Value)> {
    match v {
        Value::Map(m) => m
            .entries
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

fn string_field(v: &Value, field: &str) -> Result<String, String> {
    match v {
        Value::Nil => Ok(String::new()),
        other => scalar_text(other).ok_or_else(|| type_error(other, field, "string")),
    }
}

fn strings_field(v: &Value, field: &str) -> Result<Vec<String>, String> {
    match v {
        Value::Nil => Ok(Vec::new()),
        Value::List(l) => l
            .items
            .borrow()
            .iter()
            .map(|item| string_field(item, field))
            .collect(),
        other => Err(type_error(other, field, "[]string")),
    }
}

fn time_field(v: &Value, field: &str) -> Result<String, String> {
    match v {
        Value::Nil => Ok(gotime::ZERO_TIME.into()),
        Value::String(s) => gotime::normalize(s).map_err(|e| e.to_string()),
        other => Err(type_error(other, field, "time.Time")),
    }
}

fn decode_index(doc: &Value, strict: bool, nulls: &mut Vec<NullItem>) -> Result<IndexFile, String> {
    let mut index = IndexFile {
        generated: gotime::ZERO_TIME.into(),
        ..IndexFile::default()
    };
    match doc {
        Value::Nil => return Ok(index),
        Value::Map(_) => {}
        other => return Err(type_error(other, "", "repo.IndexFile")),
    }
    for (key, val) in map_entries(doc) {
        match key.to_ascii_lowercase().as_str() {
            "serverinfo" => match &val {
                Value::Nil | Value::Map(_) => {
                    index.server_info = Some(val.clone()).filter(|v| !v.is_nil())
                }
                other => {
                    return Err(type_error(
                        other,
                        "IndexFile.serverInfo",
                        "map[string]interface {}",
                    ))
                }
            },
            "apiversion" => index.api_version = string_field(&val, "IndexFile.apiVersion")?,
            "generated" => index.generated = time_field(&val, "IndexFile.generated")?,
            "entries" => index.entries = decode_entries(&val, strict, nulls)?,
            "publickeys" => index.public_keys = strings_field(&val, "IndexFile.publicKeys")?,
            "annotations" => {
                let mut out = BTreeMap::new();
                match &val {
                    Value::Nil => {}
                    Value::Map(_) => {
                        for (k, v) in map_entries(&val) {
                            out.insert(k, string_field(&v, "IndexFile.annotations")?);
                        }
                    }
                    other => {
                        return Err(type_error(
                            other,
                            "IndexFile.annotations",
                            "map[string]string",
                        ))
                    }
                }
                index.annotations = out;
            }
            _ if strict => return Err(format!("json: unknown field \"{key}\"")),
            _ => {}
        }
    }
    Ok(index)
}

fn decode_entries(
    v: &Value,
    strict: bool,
    nulls: &mut Vec<NullItem>,
) -> Result<BTreeMap<String, Vec<ChartVersion>>, String> {
    let mut out = BTreeMap::new();
    match v {
        Value::Nil => return Ok(out),
        Value::Map(_) => {}
        other => {
            return Err(type_error(
                other,
                "IndexFile.entries",
                "map[string]repo.ChartVersions",
            ))
        }
    }
    for (name, list) in map_entries(v) {
        let versions = match &list {
            Value::Nil => Vec::new(),
            Value::List(l) => {
                let items = l.items.borrow();
                let mut versions = Vec::with_capacity(items.len());
                for (at, item) in items.iter().enumerate() {
                    // helm skips null entries with a warning (logged by the caller).
                    if item.is_nil() {
                        nulls.push((name.clone(), at));
                        continue;
                    }
                    versions.push(decode_chart_version(item, strict)?);
                }
                versions
            }
            other => return Err(type_error(other, "IndexFile.entries", "repo.ChartVersions")),
        };
        out.insert(name, versions);
    }
    Ok(out)
}

/// Fields of `ChartVersion` besides the embedded chart metadata.
const METADATA_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiversion",
    "condition",
    "tags",
    "appversion",
    "deprecated",
    "annotations",
    "kubeversion",
    "dependencies",
    "type",
];

fn decode_chart_version(v: &Value, strict: bool) -> Result<ChartVersion, String> {
    let Value::Map(_) = v else {
        return Err(type_error(v, "IndexFile.entries", "repo.ChartVersion"));
    };
    let mut cv = ChartVersion {
        created: gotime::ZERO_TIME.into(),
        ..ChartVersion::default()
    };
    apply_metadata(&mut cv.metadata, v).map_err(|e| e.0)?;
    let Value::Map(m) = v else {
        return Ok(cv);
    };
    // Borrowed, and lowercased only when not already (the usual case):
    // this runs for every version of big indexes.
    let entries = m.entries.borrow();
    let mut lower_buf = String::new();
    for (key, val) in entries.iter() {
        let lower = if key.bytes().any(|b| b.is_ascii_uppercase()) {
            lower_buf.clear();
            lower_buf.push_str(key);
            lower_buf.make_ascii_lowercase();
            lower_buf.as_str()
        } else {
            key.as_str()
        };
        match lower {
            "urls" => cv.urls = strings_field(val, "ChartVersion.urls")?,
            "created" => cv.created = time_field(val, "ChartVersion.created")?,
            "removed" => match val {
                Value::Nil => {}
                Value::Bool(b) => cv.removed = *b,
                other => return Err(type_error(other, "ChartVersion.removed", "bool")),
            },
            "digest" => cv.digest = string_field(val, "ChartVersion.digest")?,
            "checksum" => cv.checksum = string_field(val, "ChartVersion.checksum")?,
            "engine" => cv.engine = string_field(val, "ChartVersion.engine")?,
            "tillerversion" => cv.tiller_version = string_field(val, "ChartVersion.tillerVersion")?,
            "url" => cv.url = string_field(val, "ChartVersion.url")?,
            other if METADATA_FIELDS.contains(&other) => {}
            _ if strict => return Err(format!("json: unknown field \"{key}\"")),
            _ => {}
        }
    }
    Ok(cv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(src: &str) -> (Result<IndexFile, IndexError>, Vec<String>) {
        let mut logs = Vec::new();
        let r = load_index(src.as_bytes(), "idx.yaml", &mut |r| {
            logs.push(r.to_string())
        });
        (r, logs)
    }

    #[test]
    fn loads_yaml_and_sorts() {
        let (r, logs) = load(
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    urls: [a-1.0.0.tgz]\n  - name: a\n    version: 1.2.0\n    created: 2020-01-01T00:00:00.000Z\n",
        );
        let i = r.unwrap();
        assert!(logs.is_empty());
        let a = &i.entries["a"];
        assert_eq!(a[0].version(), "1.2.0");
        assert_eq!(a[0].created, "2020-01-01T00:00:00Z");
        assert_eq!(a[1].created, gotime::ZERO_TIME);
        assert_eq!(a[1].urls, ["a-1.0.0.tgz"]);
        assert_eq!(a[1].metadata.api_version, "v1");
    }

    /// The streaming reader and the general loader decode the same index.
    fn fast_equals_general(src: &str) {
        let (fast, fast_nulls) =
            decode_fast(src, &mut |_| {}).unwrap_or_else(|| panic!("refused:\n{src}"));
        let doc = crate::values::yaml::unmarshal(src).unwrap();
        let mut nulls = Vec::new();
        let slow = decode_index(&doc, true, &mut nulls).unwrap();
        assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
        assert_eq!(fast_nulls, nulls);
    }

    #[test]
    fn streaming_reader_matches_general_loader() {
        fast_equals_general(
            "annotations:\n  k: v\napiVersion: v1\nentries:\n  b:\n  - null\n  - name: b\n    version: 1.0.0\n    maintainers:\n    - name: m\n    dependencies:\n    - name: d\n      version: ~1\n  a:\n  - ~\n  empty: []\n  nothing:\n  z:\n    - name: z\n      version: 2.0.0\n      urls:\n      - z.tgz\ngenerated: \"2020-01-01T00:00:00Z\"\nserverInfo:\n  x: y\n",
        );
        fast_equals_general("apiVersion: v1\nentries: {}\n");
        fast_equals_general("apiVersion: v1\nentries:\ngenerated: \"2020-01-01T00:00:00Z\"\n");
        let corpus =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/index.yaml");
        if let Ok(text) = std::fs::read_to_string(corpus) {
            fast_equals_general(&text);
        }
    }

    #[test]
    fn streaming_reader_defers_to_general_loader() {
        for src in [
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n  a:\n  - name: a\n",
            "apiVersion: v1\nEntries: {}\nentries: {}\n",
            "apiVersion: v1\nentries:\n  a:\n  - name: [x]\n",
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    bogus: 1\n",
            "apiVersion: v1\nentries:\n  a:\n    b: c\n",
        ] {
            assert!(decode_fast(src, &mut |_| {}).is_none(), "{src}");
        }
    }

    /// Every field helm writes, in helm's layout, with the odd values the
    /// typed decoder still takes (nulls, booleans in string fields, empty
    /// collections, quoted, folded and literal scalars).
    const TYPED: &str = "apiVersion: v1\nentries:\n  a:\n  - annotations:\n      category: Database\n      images: |\n        - name: a\n          image: x\n      empty:\n      flag: yes\n    apiVersion: v2\n    appVersion: \"1.0\"\n    checksum: abc\n    created: \"2023-05-16T14:00:04.123456789+02:00\"\n    dependencies:\n    - condition: redis.enabled\n      name: redis\n      repository: oci://registry-1.docker.io/bitnamicharts\n      tags:\n      - bitnami-common\n      version: 22.x.x\n    - alias: c2\n      enabled: true\n      name: common\n      tags: []\n    - null\n    deprecated: true\n    description: Apache Airflow is a tool to express and execute workflows as directed\n      acyclic graphs (DAGs). It includes \"quotes\" and 'apostrophes'.\n    digest: 2e39cbaf\n    engine: gotpl\n    home: https://bitnami.com\n    icon:\n    keywords:\n    - apache\n    - \"on\"\n    - true\n    - ~\n    kubeVersion: '>=1.20-0'\n    maintainers:\n    - email: a@b.c\n      name: Broadcom, Inc. All Rights Reserved.\n      url: https://github.com/bitnami/charts\n    - name:\n    - ~\n    name: a\n    removed: true\n    sources: []\n    tags: t1\n    tillerVersion: '>=2.0'\n    type: application\n    url: https://x/a.tgz\n    urls:\n    - https://charts.bitnami.com/bitnami/a-1.3.2.tgz\n    - \"b \\u00e9\"\n    version: 1.3.2\n  - name: a\n    version: 1.0.0\n    description: true\n    annotations: {}\n    keywords:\n    maintainers: []\n    dependencies:\n    created:\n  - null\n  b:\n    - name: b\n      version: 0.1.0\n      keywords:\n        - x\n        - y\n      annotations:\n        k: |-\n          v\n";

    /// What the typed decoder did with each item of each chart: `true`
    /// for a version it decoded itself.
    fn typed_items(src: &str) -> Vec<bool> {
        use crate::repo::index_fast_yaml::{chart_items, LineBuffer};
        use crate::repo::index_split::split_index;
        let layout = split_index(src).unwrap();
        let mut out = Vec::new();
        for block in &layout.charts {
            for item in chart_items(block, &mut LineBuffer::default()).unwrap() {
                out.push(matches!(item, ChartItem::Version(_)));
            }
        }
        out
    }

    #[test]
    fn typed_decoder_matches_general_loader() {
        assert_eq!(typed_items(TYPED), [true, true, false, true]);
        fast_equals_general(TYPED);
        let (r, logs) = load(TYPED);
        let a = &r.unwrap().entries["a"];
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].metadata.description, "true");
        // The null item, and 1.3.2 with its null maintainer.
        assert_eq!(logs.len(), 2, "{logs:?}");
        assert!(logs[1].contains("maintainers must not contain"), "{logs:?}");
        let mut src = TYPED.replace("    - ~\n    name: a\n", "    name: a\n");
        src = src.replace("    - null\n    deprecated:", "    deprecated:");
        fast_equals_general(&src);
        let (r, logs) = load(&src);
        let a = &r.unwrap().entries["a"];
        assert_eq!(a[0].created, "2023-05-16T14:00:04.123456789+02:00");
        assert_eq!(a[0].metadata.dependencies.len(), 2);
        assert_eq!(logs.len(), 1, "{logs:?}");
    }

    /// Items the typed decoder leaves to the `Value` path, which then
    /// decodes them as the general loader does.
    #[test]
    fn typed_decoder_falls_back_per_item() {
        for (item, decodes) in [
            ("  - Name: a\n    version: 1.0.0\n", true),
            ("  - name: a\n    version: 1.0.0\n    dependencies:\n    - name: d\n      import-values:\n      - x\n", true),
            ("  - name: a\n    version: 1.0.0\n    maintainers:\n    - name: m\n      extra: z\n", true),
            ("  - name: a\n    version: 1.0.0\n    keywords: k\n", false),
            ("  - name: a\n    version: 1.0.0\n    deprecated: maybe\n", false),
            ("  - name: a\n    version: 1.0.0\n    created: yesterday\n", false),
            ("  - name: a\n    version: 1.0.0\n    bogus: x\n", false),
        ] {
            let src = format!("apiVersion: v1\nentries:\n  a:\n{item}  - name: a\n    version: 2.0.0\n");
            assert_eq!(typed_items(&src), [false, true], "{src}");
            if decodes {
                fast_equals_general(&src);
            } else {
                assert!(decode_fast(&src, &mut |_| {}).is_none(), "{src}");
            }
        }
    }

    /// YAML outside helm's layout never reaches the typed decoder: the
    /// general loader reads it (or reports its error).
    #[test]
    fn unusual_yaml_goes_to_the_general_loader() {
        let cases = [
            // flow style
            "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0}\n",
            // anchors and aliases
            "apiVersion: v1\nentries:\n  a:\n  - name: &n a\n    version: 1.0.0\n    description: *n\n",
            // comments
            "apiVersion: v1\nentries:\n  a:\n  - name: a # the name\n    version: 1.0.0\n",
            "apiVersion: v1\nentries:\n  a:\n  # a comment\n  - name: a\n    version: 1.0.0\n",
            // quoted keys
            "apiVersion: v1\nentries:\n  a:\n  - \"name\": a\n    version: 1.0.0\n",
            // folded multi-line string
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    description: >\n      two\n      lines\n",
            // duplicate keys
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    name: b\n    version: 1.0.0\n",
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    annotations:\n      k: x\n      k: y\n",
            // numbers
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0\n",
        ];
        for src in cases {
            assert!(decode_fast(src, &mut |_| {}).is_none(), "{src}");
            let general = crate::values::yaml::unmarshal(src)
                .map_err(|e| IndexError::Yaml(e.to_string()))
                .and_then(|doc| {
                    let mut nulls = Vec::new();
                    let i = decode_index(&doc, true, &mut nulls).map_err(IndexError::Decode)?;
                    finish_index(i, nulls, "idx.yaml", &mut |_| {})
                })
                .map(|i| format!("{:?}", i.entries));
            let loaded = load(src).0.map(|i| format!("{:?}", i.entries));
            match (loaded, general) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{src}"),
                (Err(a), Err(b)) => assert_eq!(a, b, "{src}"),
                (a, b) => panic!("{src}: {a:?} vs {b:?}"),
            }
        }
    }

    /// `RUDDER_BIG_INDEX=path cargo test --lib big_index_typed -- --ignored`:
    /// every version of a real helm-written index takes the typed path.
    #[test]
    #[ignore]
    fn big_index_typed_share() {
        let Ok(path) = std::env::var("RUDDER_BIG_INDEX") else {
            return;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let typed = typed_items(&text);
        let other = typed.iter().filter(|t| !**t).count();
        assert_eq!(other, 0, "{other} of {} items", typed.len());
        // And it decodes what the `Value` path decodes.
        let (fast, fast_nulls) = decode_fast(&text, &mut |_| {}).unwrap();
        let doc = crate::repo::index_fast_yaml::parse(&text).unwrap();
        let mut nulls = Vec::new();
        let slow = decode_index(&doc, true, &mut nulls).unwrap();
        assert!(format!("{fast:?}") == format!("{slow:?}"));
        assert_eq!(fast_nulls, nulls);
    }

    #[test]
    fn loads_json() {
        let (r, _) = load(
            r#"{"apiVersion":"v1","entries":{"a":[{"name":"a","version":"1.0.0","extra":1}]}}"#,
        );
        assert_eq!(r.unwrap().entries["a"].len(), 1);
    }

    #[test]
    fn skips_invalid_versions_with_warning() {
        let (r, logs) = load("apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: not-a-version\n  - name: a\n    version: 1.0.0\n");
        assert_eq!(r.unwrap().entries["a"].len(), 1);
        assert_eq!(
            logs,
            ["level=WARN msg=\"skipping loading invalid entry for chart\" name=a version=not-a-version source=idx.yaml error=\"validation: chart.metadata.version \\\"not-a-version\\\" is invalid\""]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(load("").0.unwrap_err().to_string(), "empty index.yaml file");
        assert_eq!(
            load("entries: {}\n").0.unwrap_err().to_string(),
            "no API version specified"
        );
        assert_eq!(
            load("apiVersion: v1\nbogus: 1\n")
                .0
                .unwrap_err()
                .to_string(),
            "error unmarshaling JSON: while decoding JSON: json: unknown field \"bogus\""
        );
        let e = load("apiVersion: v1\nentries:\n  a: [\n")
            .0
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("error converting YAML to JSON: yaml: line"),
            "{e}"
        );
    }
}
