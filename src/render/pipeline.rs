//! From a loaded chart and user values to sorted manifests and hooks, the
//! part of Helm's install action that `helm template` runs (and that a real
//! install runs before talking to the cluster):
//!
//! 1. dependency processing (aliases, conditions, tags, import-values),
//! 2. coalescing the values and validating them against every schema,
//! 3. the chart's `kubeVersion` constraint,
//! 4. rendering every template of the tree, each with its chart's context,
//! 5. dropping NOTES.txt, splitting and sorting manifests, separating hooks.
//!
//! Errors are reported with Helm's texts; [`PipelineError::after_release`]
//! says whether Helm had already created the release record, which is when
//! `helm template` adds its `Use --debug flag` hint.

use std::collections::BTreeMap;

use crate::chart::dependencies::process_dependencies;
use crate::chart::Chart;
use crate::log::{Level, Logger, Record};
use crate::render::engine::{Engine, EngineOptions, TemplateFile};
use crate::render::error::RenderError;
use crate::render::manifest::{
    file_heads, is_manifest_file, sort_manifests, sort_manifests_with, HeadsAhead, Hook, Manifest,
    ManifestError,
};
use crate::render::objects::{chart_value, release_value, Capabilities, Files, ReleaseOptions};
use crate::render::parse_ahead::ParseAhead;
use crate::value::{MapData, Value};
use crate::values::coalesce::{coalesce_values, coalesce_values_consuming_defaults, CoalesceError};
use crate::values::schema::{schema_error_message, validate_chart_tree_ahead};
use crate::values::schema_ahead::SchemaAhead;

/// What to render and how.
pub struct RenderRequest {
    pub release: ReleaseOptions,
    pub capabilities: Capabilities,
    pub skip_schema_validation: bool,
    /// The caller discards the chart after rendering (`template`): its
    /// default values are coalesced in place instead of copied (and are
    /// left modified), and once the values are validated the bytes of
    /// values.yaml, values.schema.json and the raw file list are dropped.
    pub consume_chart_values: bool,
    pub engine: EngineOptions,
    /// Templates parsed while the chart loaded (`None`: parse them here).
    pub parsed_ahead: Option<ParseAhead>,
    /// Schemas compiled while the chart loaded (`None`: compile them here).
    pub schemas_ahead: Option<SchemaAhead>,
}

/// The rendered release content.
#[derive(Debug, Default)]
pub struct Rendered {
    pub hooks: Vec<Hook>,
    pub manifests: Vec<Manifest>,
    /// The root chart's NOTES.txt, rendered.
    pub notes: String,
    /// The other NOTES.txt files of the chart tree (`--render-subchart-notes`).
    pub subchart_notes: Vec<String>,
    /// Every rendered file (after NOTES.txt removal), by template name.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("chart dependencies processing failed: {0}")]
    Dependencies(CoalesceError),
    #[error("{0}")]
    Values(CoalesceError),
    #[error("{}", schema_error_message(.0))]
    Schema(String),
    #[error(
        "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {version}"
    )]
    KubeVersion { constraint: String, version: String },
    #[error("{0}")]
    Render(RenderError),
    /// A rendered document that is not YAML; carries all rendered files for
    /// `--debug`, and the raw bytes of those that are not UTF-8.
    #[error("{0}")]
    Manifest(
        ManifestError,
        BTreeMap<String, String>,
        BTreeMap<String, Vec<u8>>,
    ),
}

impl PipelineError {
    /// Whether Helm had created the release (and so prints the debug hint).
    pub fn after_release(&self) -> bool {
        matches!(
            self,
            PipelineError::KubeVersion { .. }
                | PipelineError::Render(_)
                | PipelineError::Manifest(..)
        )
    }
}

/// Runs the pipeline on `chart` (modified by dependency processing).
pub fn render_chart(
    chart: &mut Chart,
    user_values: &Value,
    req: RenderRequest,
    log: &mut Logger<'_>,
) -> Result<Rendered, PipelineError> {
    if let Err(e) = process_dependencies(chart, user_values, log) {
        log(
            Record::new(Level::Error, "chart dependencies processing failed")
                .attr("error", e.to_string()),
        );
        return Err(PipelineError::Dependencies(e));
    }

    let mut warn = |msg: String| log(Record::new(Level::Info, msg));
    let values = if req.consume_chart_values {
        coalesce_values_consuming_defaults(&*chart, user_values, &mut warn)
    } else {
        coalesce_values(&*chart, user_values, &mut warn)
    }
    .map_err(PipelineError::Values)?;
    if !req.skip_schema_validation {
        validate_chart_tree_ahead(chart, &values, log, req.schemas_ahead.as_ref())
            .map_err(PipelineError::Schema)?;
    }
    if req.consume_chart_values {
        drop_unrendered_bytes(chart);
    }

    if !chart.metadata.kube_version.is_empty()
        && !crate::chart::dependencies::is_compatible_range(
            &chart.metadata.kube_version,
            &req.capabilities.kube_version.normalized,
        )
    {
        return Err(PipelineError::KubeVersion {
            constraint: chart.metadata.kube_version.clone(),
            version: req.capabilities.kube_version.version.clone(),
        });
    }

    let files = template_files(chart, &values, &req.release, &req.capabilities);

    let skip_teardown = req.engine.skip_teardown;
    let mut engine = Engine::new(crate::render::funcs::standard_registry(), req.engine);
    if let Some(ahead) = req.parsed_ahead {
        engine = engine.with_parsed_ahead(ahead);
    }
    let (rendered, heads_ahead) = render_parsing_heads_ahead(&engine, &files);
    let mut rendered = rendered.map_err(PipelineError::Render)?;
    let reader_errors = engine.yaml_reader_errors();
    let raw_outputs: BTreeMap<String, Vec<u8>> = engine.take_raw_outputs().into_iter().collect();
    if skip_teardown {
        // See `EngineOptions::skip_teardown`.
        std::mem::forget(files);
        std::mem::forget(values);
        std::mem::forget(engine);
    }

    let notes_name = format!("{}/templates/NOTES.txt", chart.name());
    let mut notes = String::new();
    let mut subchart_notes = Vec::new();
    rendered.retain(|name, content| {
        if name.ends_with("NOTES.txt") {
            if *name == notes_name {
                notes = content.clone();
            } else {
                subchart_notes.push(content.clone());
            }
            return false;
        }
        true
    });

    // Bytes that are not UTF-8 fail helm's YAML reading of the manifest;
    // helm reads the files in name order, so a file before it may fail first.
    if let Some((path, msg)) = reader_errors
        .into_iter()
        .filter(|(path, _)| rendered.contains_key(path))
        .min_by(|a, b| a.0.cmp(&b.0))
    {
        let before: BTreeMap<String, String> = rendered
            .range::<String, _>(..path.clone())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let err = match sort_manifests(&before, log) {
            Err(e) => e,
            Ok(_) => ManifestError {
                path,
                source: crate::values::yaml::YamlError::Yaml(msg.to_string()),
            },
        };
        return Err(PipelineError::Manifest(err, rendered, raw_outputs));
    }
    let (hooks, manifests) = match sort_manifests_with(&rendered, heads_ahead, log) {
        Ok(r) => r,
        Err(e) => return Err(PipelineError::Manifest(e, rendered, raw_outputs)),
    };
    Ok(Rendered {
        hooks,
        manifests,
        notes,
        subchart_notes,
        files: rendered,
    })
}

/// Drops what rendering no longer reads, in the whole chart tree: the bytes
/// of values.yaml (parsed) and values.schema.json (validated) and the raw
/// file list (which holds views of them too), ~0.5 MB on big charts.
fn drop_unrendered_bytes(chart: &mut Chart) {
    chart.values_raw = None;
    chart.schema = None;
    chart.raw = Vec::new();
    for dep in &mut chart.dependencies {
        drop_unrendered_bytes(dep);
    }
}

/// Renders `files`, parsing each manifest file's document heads on a second
/// thread as soon as the file is rendered: sorting then finds most of its
/// work done. Without the thread, the heads are simply parsed later.
///
/// The outputs themselves go to that thread and come back with the heads
/// (a copy of each was ~0.65 MB of fresh pages on kube-prometheus-stack).
fn render_parsing_heads_ahead(
    engine: &Engine,
    files: &[TemplateFile],
) -> (Result<BTreeMap<String, String>, RenderError>, HeadsAhead) {
    /// Outputs go to the worker in batches of about this many bytes: a
    /// send per file woke it (a futex call on this thread) ~200 times on a
    /// big chart, for files that take it microseconds each.
    const BATCH_BYTES: usize = 16 * 1024;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<Vec<(String, String)>>();
        let worker = std::thread::Builder::new().spawn_scoped(scope, move || {
            let mut ahead = HeadsAhead::new();
            let mut outputs = Vec::new();
            for (name, text) in rx.into_iter().flatten() {
                ahead.insert(name.clone(), file_heads(&text));
                outputs.push((name, text));
            }
            (ahead, outputs)
        });
        let tx = worker.is_ok().then_some(tx);
        let mut batch: Vec<(String, String)> = Vec::new();
        let mut batch_bytes = 0;
        let rendered = engine.render_observed(files, &mut |name, text| {
            let Some(tx) = &tx else {
                return Some(text);
            };
            if name.ends_with("NOTES.txt") || !is_manifest_file(name, &text) {
                return Some(text);
            }
            batch_bytes += text.len();
            batch.push((name.to_string(), text));
            if batch_bytes >= BATCH_BYTES {
                // A worker gone can only have panicked: the join below
                // passes that on, so no output is lost unnoticed.
                let _ = tx.send(std::mem::take(&mut batch));
                batch_bytes = 0;
            }
            None
        });
        if let Some(tx) = &tx {
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
        }
        drop(tx);
        let Ok(worker) = worker else {
            return (rendered, HeadsAhead::default());
        };
        let (ahead, outputs) = worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let rendered = rendered.map(|mut rendered| {
            rendered.extend(outputs);
            rendered
        });
        (rendered, ahead)
    })
}

/// Every template of the chart tree with its chart's context (the input of
/// the engine), from the coalesced values.
pub fn template_files(
    chart: &Chart,
    values: &Value,
    release: &ReleaseOptions,
    capabilities: &Capabilities,
) -> Vec<TemplateFile> {
    let top = TopObjects {
        release: release_value(release),
        capabilities: capabilities.to_value(),
    };
    let mut files = Vec::new();
    collect_templates(chart, None, values, &top, &mut files);
    files
}

struct TopObjects {
    release: Value,
    capabilities: Value,
}

/// Helm's `recAllTpls`: each chart's templates with the chart's context;
/// returns that context (its parent lists it under `.Subcharts`).
fn collect_templates(
    chart: &Chart,
    parent_path: Option<&str>,
    parent_values: &Value,
    top: &TopObjects,
    out: &mut Vec<TemplateFile>,
) -> Value {
    let is_root = parent_path.is_none();
    let full_path = match parent_path {
        None => chart.name().to_string(),
        Some(p) => format!("{p}/charts/{}", chart.name()),
    };
    let values = if is_root {
        parent_values.clone()
    } else {
        match parent_values.get(chart.name()) {
            Some(v @ Value::Map(_)) => v,
            _ => Value::empty_map(),
        }
    };
    let mut subcharts = MapData::new();
    for sub in &chart.dependencies {
        let ctx = collect_templates(sub, Some(&full_path), &values, top, out);
        subcharts.insert(sub.name().to_string(), ctx);
    }
    let mut ctx = MapData::new();
    ctx.insert("Chart".into(), chart_value(&chart.metadata, is_root));
    ctx.insert("Files".into(), Files::new(&chart.files).to_value());
    ctx.insert("Release".into(), top.release.clone());
    ctx.insert("Capabilities".into(), top.capabilities.clone());
    ctx.insert(
        "Values".into(),
        values.with_go_type(Some(crate::render::objects::VALUES_TYPE)),
    );
    ctx.insert("Subcharts".into(), Value::map(subcharts));
    let ctx = Value::map(ctx);

    let library = chart.metadata.is_library();
    let base_path = format!("{full_path}/templates");
    for t in &chart.templates {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if library && !base.starts_with('_') {
            continue;
        }
        out.push(TemplateFile {
            name: crate::helmpath::go_clean(&format!("{full_path}/{}", t.name)),
            source: t.data.clone(),
            context: ctx
                .clone()
                .with_go_type(Some(crate::render::objects::VALUES_TYPE)),
            base_path: base_path.clone(),
        });
    }
    ctx
}
