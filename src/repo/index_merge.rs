//! `repo index DIR --merge FILE` without ever holding the merged index.
//!
//! helm loads the whole index to merge (seconds and gigabytes for big
//! repositories), merges the directory's charts into it and writes the
//! result. Here the index to merge is cut into its charts
//! ([`super::index_split::split_index`]); each chart is decoded,
//! checked, sorted, merged and encoded on its own, on every core, and the
//! YAML text of each chart is written out in go-yaml's key order as soon
//! as the charts before it are written. The result is byte for byte what
//! loading, merging and writing the whole index gives; any index outside
//! helm's own layout (and every error) is left to that general path.

use std::path::Path;

use super::index::{merge_chart_versions, sort_versions_desc, ChartVersion, IndexFile};
use super::index_decode::{check_versions, decode_chart_block, decode_layout_top};
use super::index_encode::{chart_order, chart_yaml, yaml_shell};
use super::index_fast_yaml::LineBuffer;
use super::index_split::{read_span, split_file, ChartSpan};
use crate::log::Record;

/// One chart of the merged index, in output order.
enum Item<'a> {
    /// Only in the index being merged: handled on any thread.
    Incoming(&'a ChartSpan),
    /// Only in the directory's index.
    Local(&'a str),
    /// In both: merged on the main thread, which owns the directory's index.
    Both(&'a ChartSpan),
}

impl Item<'_> {
    fn name(&self) -> &str {
        match self {
            Item::Incoming(b) | Item::Both(b) => &b.name,
            Item::Local(n) => n,
        }
    }
}

/// What loading and merging one chart would log, kept to be replayed in
/// the general path's order.
#[derive(Default)]
struct Notes {
    name: String,
    /// Null items and invalid versions, as loading logs them.
    load: Vec<Record>,
    /// Versions the merge found already present under a close version.
    merge: Vec<Record>,
}

/// A chart's YAML text, or a request to do the chart on the main thread.
enum Part {
    Done(String, Notes),
    OnMain,
}

/// Loads the chart at `span` of `file` (its text read into `text_buf`),
/// drops invalid versions, sorts, and merges it into `local` (the
/// directory's versions of that chart). `None` when the chart is outside
/// the fast layout or a version is filed under another chart's name (helm
/// then moves it; the general path does that).
fn merge_block(
    file: &std::fs::File,
    span: &ChartSpan,
    text_buf: &mut Vec<u8>,
    mut local: Vec<ChartVersion>,
    source: &str,
) -> Option<(Vec<ChartVersion>, Notes)> {
    let text = read_span(file, span, text_buf)?;
    let block = span.block(text);
    let (mut versions, null_at) = decode_chart_block(&block, &mut LineBuffer::default())?;
    if versions.iter().any(|cv| cv.name() != block.name) {
        return None;
    }
    let mut notes = Notes {
        name: block.name.clone(),
        ..Notes::default()
    };
    check_versions(&block.name, &mut versions, &null_at, source, &mut |r| {
        notes.load.push(r)
    });
    sort_versions_desc(&mut versions);
    merge_chart_versions(&mut local, versions, &block.name, &mut |r| {
        notes.merge.push(r)
    });
    sort_versions_desc(&mut local);
    Some((local, notes))
}

fn encode(name: &str, versions: &[ChartVersion]) -> Option<String> {
    if versions.is_empty() {
        // helm keeps no key for a chart nothing was merged into.
        return Some(String::new());
    }
    chart_yaml(name, versions).ok().flatten()
}

/// Merges the index at `merge_path` into `local` (the directory's index,
/// unsorted as helm builds it) and writes the result to `out`, atomically.
/// `Ok(false)` when the file is not in helm's own layout or anything would
/// fail: nothing was written or logged, and the caller takes the general
/// path, which produces helm's errors. Warnings go to `log` in the order
/// the general path logs them.
pub fn merge_into_file(
    local: &IndexFile,
    merge_path: &Path,
    out: &Path,
    log: &mut dyn FnMut(Record),
) -> std::io::Result<bool> {
    let Ok(file) = std::fs::File::open(merge_path) else {
        return Ok(false);
    };
    let Some(mut layout) = split_file(&file) else {
        return Ok(false);
    };
    match decode_layout_top(std::mem::take(&mut layout.top)) {
        Some(top) if !top.api_version.is_empty() => {}
        _ => return Ok(false),
    }
    let Ok(Some((head, tail))) = yaml_shell(local) else {
        return Ok(false);
    };
    let source = merge_path.display().to_string();
    let incoming: std::collections::HashMap<&str, &ChartSpan> =
        layout.charts.iter().map(|b| (b.name.as_str(), b)).collect();
    let mut names: Vec<&String> = layout.charts.iter().map(|b| &b.name).collect();
    names.extend(
        local
            .entries
            .keys()
            .filter(|n| !incoming.contains_key(n.as_str())),
    );
    let items: Vec<Item> = chart_order(names.into_iter())
        .into_iter()
        .map(|name| match incoming.get(name.as_str()) {
            Some(b) if local.entries.contains_key(name) => Item::Both(b),
            Some(b) => Item::Incoming(b),
            None => Item::Local(name),
        })
        .collect();

    let mut notes: Vec<Notes> = Vec::new();
    let written = super::atomic_file::write_atomic_streamed(out, 0o644, |w| {
        w.write_all(head.as_bytes())?;
        let mut io_error = None;
        let mut main_buf = Vec::new();
        let complete = super::index_parallel::for_each_ordered_with(
            &items,
            Vec::new,
            |buf, item| match item {
                Item::Incoming(span) => {
                    let (versions, n) = merge_block(&file, span, buf, Vec::new(), &source)?;
                    Some(Part::Done(encode(&span.name, &versions)?, n))
                }
                Item::Local(_) | Item::Both(_) => Some(Part::OnMain),
            },
            |i, part| {
                let (text, n) = match part {
                    Part::Done(text, n) => (text, n),
                    Part::OnMain => {
                        let item = &items[i];
                        let mine = local.entries.get(item.name()).cloned().unwrap_or_default();
                        let done = match item {
                            Item::Both(span) => {
                                merge_block(&file, span, &mut main_buf, mine, &source)
                            }
                            _ => {
                                let mut mine = mine;
                                sort_versions_desc(&mut mine);
                                Some((mine, Notes::default()))
                            }
                        };
                        let Some((versions, n)) = done else {
                            return false;
                        };
                        let Some(text) = encode(item.name(), &versions) else {
                            return false;
                        };
                        (text, n)
                    }
                };
                if let Err(e) = w.write_all(text.as_bytes()) {
                    io_error = Some(e);
                    return false;
                }
                notes.push(n);
                true
            },
        );
        if let Some(e) = io_error {
            return Err(e);
        }
        if !complete {
            return Ok(false);
        }
        w.write_all(tail.as_bytes())?;
        Ok(true)
    })?;
    if !written {
        return Ok(false);
    }
    // The general path logs while loading (chart by chart in name byte
    // order), then while merging.
    notes.retain(|n| !n.name.is_empty());
    notes.sort_by(|a, b| a.name.cmp(&b.name));
    for n in &mut notes {
        for r in n.load.drain(..) {
            log(r);
        }
    }
    for n in &mut notes {
        for r in n.merge.drain(..) {
            log(r);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::index_decode::load_index_file;
    use crate::repo::index_encode::to_yaml;

    const SRC: &str = "apiVersion: v1\nentries:\n  alpha:\n  - name: alpha\n    version: 0.1.0\n    description: already there\n    created: \"2020-01-01T00:00:00.000Z\"\n  - name: alpha\n    version: 0.2.0\n    urls:\n    - https://x/alpha-0.2.0.tgz\n  beta10:\n  - name: beta10\n    version: 1.0.0\n  - null\n  - name: beta10\n    version: 1.0.0+build\n  - name: beta10\n    version: nope\n  - name: beta10\n    version: 2.0.0\n    description: a description long enough that go-yaml folds it when it passes the eighty column limit of the emitter\n  beta9: []\n  gamma:\n  - name: gamma\n    version: 1.0.0\n    annotations:\n      images: |\n        - name: x\n          image: y\ngenerated: \"2020-01-01T00:00:00Z\"\n";

    fn local() -> IndexFile {
        let mut local = IndexFile::new();
        for (name, version) in [("alpha", "0.1.0"), ("alpha", "0.3.0"), ("a9", "1.0.0")] {
            let mut cv = ChartVersion::default();
            cv.metadata.name = name.into();
            cv.metadata.version = version.into();
            cv.metadata.api_version = "v2".into();
            cv.created = "2026-01-01T00:00:00Z".into();
            local.entries.entry(name.into()).or_default().push(cv);
        }
        local
    }

    /// What loading, merging and writing the whole index gives.
    fn general(merge: &Path) -> (String, Vec<String>) {
        let mut logs = Vec::new();
        let mut index = local();
        let other = load_index_file(merge, &mut |r| logs.push(r.to_string())).unwrap();
        index.merge(other, &mut |r| logs.push(r.to_string()));
        index.sort_entries();
        (to_yaml(&index).unwrap(), logs)
    }

    #[test]
    fn streamed_merge_equals_general_path() {
        let dir = tempfile::tempdir().unwrap();
        let merge = dir.path().join("m.yaml");
        let out = dir.path().join("index.yaml");
        std::fs::write(&merge, SRC).unwrap();
        let (want, want_logs) = general(&merge);
        let mut logs = Vec::new();
        assert!(
            merge_into_file(&local(), &merge, &out, &mut |r| logs.push(r.to_string())).unwrap()
        );
        let got = std::fs::read_to_string(&out).unwrap();
        // `generated` differs (each run's own time).
        let strip = |s: &str| {
            s.lines()
                .filter(|l| !l.starts_with("generated:"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&got), strip(&want));
        assert_eq!(logs, want_logs);
        assert_eq!(logs.len(), 3, "{logs:?}");
        assert!(logs[0].contains("version=nope"), "{logs:?}");
        assert!(logs[1].contains("empty entry"), "{logs:?}");
    }

    #[test]
    fn other_layouts_are_left_to_the_general_path() {
        let dir = tempfile::tempdir().unwrap();
        let merge = dir.path().join("m.yaml");
        let out = dir.path().join("index.yaml");
        for src in [
            "apiVersion: v1\nentries: {a: [{name: a, version: 1.0.0}]}\n",
            "entries:\n  a:\n  - name: a\n    version: 1.0.0\n",
            "apiVersion: v1\nentries:\n  a:\n  - name: b\n    version: 1.0.0\n",
            "{\"apiVersion\": \"v1\", \"entries\": {}}",
        ] {
            std::fs::write(&merge, src).unwrap();
            let mut logs = Vec::new();
            let done =
                merge_into_file(&local(), &merge, &out, &mut |r| logs.push(r.to_string())).unwrap();
            assert!(!done, "{src}");
            assert!(logs.is_empty());
            assert!(!out.exists());
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                1,
                "temp file left"
            );
        }
    }
}
