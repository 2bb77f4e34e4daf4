//! Charts: model, loader, archives, create, package, show, lint.
//!
//! The entry point is [`load`]: a chart directory or a `.tgz`, with its
//! subcharts (`charts/`) loaded recursively into [`Chart::dependencies`].
//! Files are sorted into the same buckets, in the same order, as helm's
//! `LoadFiles`, because template order, `.Files` and packaging observe it.

pub mod archive;
pub mod create;
pub mod decode;
pub mod dependencies;
pub mod gomatch;
pub mod gotar;
pub mod gotime;
pub mod helmignore;
pub mod jsonpath;
pub mod lint;
pub mod loader;
pub mod metadata;
pub mod package;
pub mod shared_bytes;
pub mod show;

use std::time::SystemTime;

pub use loader::{
    is_schema_in_tree, is_template_in_tree, load, load_archive_bytes, load_dir, load_files,
    load_for_action, load_for_action_deferring, load_for_action_observed, ArchiveObserver,
    ChartError, Deferral,
};
pub use metadata::{Dependency, Lock, Maintainer, Metadata, ValidationError};
pub use shared_bytes::SharedBytes;

use crate::value::Value;

/// One file of a chart, named relative to the chart root with `/`.
#[derive(Clone, Debug)]
pub struct ChartFile {
    pub name: String,
    /// Shared, not copied, between the chart, its parents' `raw`, `.Files`
    /// and the CRD list.
    pub data: SharedBytes,
    /// When the file was last modified (directory mtime or tar header);
    /// `None` when unknown. Packaging writes it into the tar header.
    pub mod_time: Option<SystemTime>,
}

impl ChartFile {
    pub fn new(name: impl Into<String>, data: impl Into<SharedBytes>) -> ChartFile {
        ChartFile {
            name: name.into(),
            data: data.into(),
            mod_time: None,
        }
    }
}

/// A loaded chart.
#[derive(Clone, Debug)]
pub struct Chart {
    pub metadata: Metadata,
    /// Chart.lock (or requirements.lock for v1 charts).
    pub lock: Option<Lock>,
    /// `templates/...` in load order (lexical for directories, archive order for .tgz).
    pub templates: Vec<ChartFile>,
    /// values.yaml as parsed at load time (an empty map when absent).
    pub values: Value,
    /// values.yaml bytes exactly as written (BOM stripped); `None` when
    /// absent. A view shared with `raw`, not a copy.
    pub values_raw: Option<SharedBytes>,
    /// values.schema.json bytes, shared with `raw` like `values_raw`.
    pub schema: Option<SharedBytes>,
    pub schema_mod_time: Option<SystemTime>,
    /// Every other file (README, crds/, .helmignore, charts/*.prov, ...), for `.Files`.
    pub files: Vec<ChartFile>,
    /// Every file of the chart as loaded, including Chart.yaml and subchart files.
    pub raw: Vec<ChartFile>,
    /// Chart.yaml's modification time.
    pub mod_time: Option<SystemTime>,
    /// Subcharts found in `charts/`, sorted by their directory/archive name.
    pub dependencies: Vec<Chart>,
}

impl Default for Chart {
    fn default() -> Chart {
        Chart {
            metadata: Metadata::default(),
            lock: None,
            templates: Vec::new(),
            values: Value::empty_map(),
            values_raw: None,
            schema: None,
            schema_mod_time: None,
            files: Vec::new(),
            raw: Vec::new(),
            mod_time: None,
            dependencies: Vec::new(),
        }
    }
}

/// A CRD file of a chart or one of its subcharts (helm's `CRDObjects`).
#[derive(Clone, Debug)]
pub struct Crd {
    /// The file name inside its own chart (`crds/x.yaml`).
    pub name: String,
    /// Full path from the root chart (`parent/charts/sub/crds/x.yaml`).
    pub filename: String,
    pub data: SharedBytes,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Whether a subchart's CRD files count: files in `crds/` ending with
    /// `.yaml`, `.yml` or `.json` (any case).
    fn is_crd_file(name: &str) -> bool {
        if !name.starts_with("crds/") {
            return false;
        }
        let ext = match name.rfind('.') {
            Some(i) if !name[i..].contains('/') => name[i..].to_ascii_lowercase(),
            _ => return false,
        };
        matches!(ext.as_str(), ".yaml" | ".yml" | ".json")
    }

    /// CRDs of this chart then of each subchart, depth first, with paths
    /// prefixed by `full_path` (the chart's own name for a root chart).
    pub fn crd_objects(&self) -> Vec<Crd> {
        let mut out = Vec::new();
        self.collect_crds(self.name(), &mut out);
        out
    }

    fn collect_crds(&self, full_path: &str, out: &mut Vec<Crd>) {
        for f in &self.files {
            if Self::is_crd_file(&f.name) {
                out.push(Crd {
                    name: f.name.clone(),
                    filename: crate::helmpath::go_clean(&format!("{full_path}/{}", f.name)),
                    data: f.data.clone(),
                });
            }
        }
        for dep in &self.dependencies {
            dep.collect_crds(&format!("{full_path}/charts/{}", dep.name()), out);
        }
    }

    /// The raw file with this name (helm's `Raw`), e.g. `values.yaml`, `README.md`.
    pub fn raw_file(&self, name: &str) -> Option<&ChartFile> {
        self.raw.iter().find(|f| f.name == name)
    }

    /// Sets every timestamp to `t` (helm's `StampModTimes`, used with
    /// SOURCE_DATE_EPOCH for reproducible archives).
    pub fn stamp_mod_times(&mut self, t: SystemTime) {
        self.mod_time = Some(t);
        if self.schema.as_ref().is_some_and(|s| !s.is_empty()) {
            self.schema_mod_time = Some(t);
        }
        if let Some(lock) = &mut self.lock {
            lock.generated = gotime::format_rfc3339_utc(t);
        }
        for f in self
            .raw
            .iter_mut()
            .chain(self.templates.iter_mut())
            .chain(self.files.iter_mut())
        {
            f.mod_time = Some(t);
        }
        for d in &mut self.dependencies {
            d.stamp_mod_times(t);
        }
    }
}

/// Every chart archive of `../shared/corpus/charts`, loaded, for tests that
/// check a mechanism against real charts; `None` (with the reason printed)
/// where the corpus is absent.
#[cfg(test)]
pub(crate) fn corpus_charts() -> Option<Vec<Chart>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/charts");
    if !dir.is_dir() {
        eprintln!("skipped: ../shared/corpus is absent");
        return None;
    }
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .expect("corpus charts")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "tgz"))
        .collect();
    paths.sort();
    Some(
        paths
            .iter()
            .map(|path| load(path).expect("corpus chart"))
            .collect(),
    )
}
