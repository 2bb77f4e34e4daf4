//! The chart as a release record stores it (Helm's `chart.Chart` JSON):
//! metadata, lock, templates and files as base64 with their modification
//! times, default values and schema. Subcharts are not stored (Go's field is
//! unexported), exactly as Helm does.
//!
//! Also the two conversions between rudder's [`Value`] and the record's JSON,
//! both through Go's encoding/json rules so numbers keep Helm's meaning.

use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::value::RawValue;
use serde_json::Value as Json;

use super::model::GO_ZERO_TIME;
use super::time::Timestamp;
use crate::chart::{Chart, ChartFile};
use crate::render::encode::{parse_json, to_json};
use crate::value::Value;
use crate::values::coalesce::ValuesChart;

/// A [`Value`] as record JSON (`json.Marshal`).
pub fn value_to_json(v: &Value) -> Json {
    to_json(v)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Json::Null)
}

/// Record JSON as a [`Value`] (`json.Unmarshal` into `interface{}`: numbers are float64).
pub fn json_to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Nil,
        other => serde_json::to_string(other)
            .ok()
            .and_then(|s| parse_json(&s).ok())
            .unwrap_or(Value::Nil),
    }
}

fn time_json(t: Option<SystemTime>) -> String {
    let Some(t) = t else {
        return quoted(GO_ZERO_TIME);
    };
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    quoted(
        &Timestamp {
            secs: d.as_secs() as i64,
            nanos: d.subsec_nanos(),
            offset: 0,
        }
        .rfc3339_nano(),
    )
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn file_json(f: &ChartFile) -> String {
    format!(
        "{{\"name\":{},\"data\":{},\"modtime\":{}}}",
        quoted(&f.name),
        quoted(&STANDARD.encode(&f.data)),
        time_json(f.mod_time)
    )
}

fn value_text(v: &Value) -> String {
    to_json(v).unwrap_or_else(|_| "null".to_string())
}

/// Chart.yaml as Go's `chart.Metadata` marshals it: struct field order, `omitempty`.
fn metadata_text(m: &crate::chart::Metadata) -> String {
    let mut fields: Vec<String> = Vec::new();
    let mut put = |k: &str, v: String| fields.push(format!("{}:{v}", quoted(k)));
    let list = |items: &[String]| {
        format!(
            "[{}]",
            items
                .iter()
                .map(|s| quoted(s))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    if !m.name.is_empty() {
        put("name", quoted(&m.name));
    }
    if !m.home.is_empty() {
        put("home", quoted(&m.home));
    }
    if !m.sources.is_empty() {
        put("sources", list(&m.sources));
    }
    if !m.version.is_empty() {
        put("version", quoted(&m.version));
    }
    if !m.description.is_empty() {
        put("description", quoted(&m.description));
    }
    if !m.keywords.is_empty() {
        put("keywords", list(&m.keywords));
    }
    if !m.maintainers.is_empty() {
        let ms: Vec<String> = m
            .maintainers
            .iter()
            .map(|mt| {
                let mut f = Vec::new();
                for (k, v) in [("name", &mt.name), ("email", &mt.email), ("url", &mt.url)] {
                    if !v.is_empty() {
                        f.push(format!("{}:{}", quoted(k), quoted(v)));
                    }
                }
                format!("{{{}}}", f.join(","))
            })
            .collect();
        put("maintainers", format!("[{}]", ms.join(",")));
    }
    if !m.icon.is_empty() {
        put("icon", quoted(&m.icon));
    }
    if !m.api_version.is_empty() {
        put("apiVersion", quoted(&m.api_version));
    }
    if !m.condition.is_empty() {
        put("condition", quoted(&m.condition));
    }
    if !m.tags.is_empty() {
        put("tags", quoted(&m.tags));
    }
    if !m.app_version.is_empty() {
        put("appVersion", quoted(&m.app_version));
    }
    if m.deprecated {
        put("deprecated", "true".to_string());
    }
    if !m.annotations.is_empty() {
        let a: Vec<String> = m
            .annotations
            .iter()
            .map(|(k, v)| format!("{}:{}", quoted(k), quoted(v)))
            .collect();
        put("annotations", format!("{{{}}}", a.join(",")));
    }
    if !m.kube_version.is_empty() {
        put("kubeVersion", quoted(&m.kube_version));
    }
    if !m.dependencies.is_empty() {
        let deps: Vec<String> = m
            .dependencies
            .iter()
            .map(|d| value_text(&d.to_value()))
            .collect();
        put("dependencies", format!("[{}]", deps.join(",")));
    }
    if !m.chart_type.is_empty() {
        put("type", quoted(&m.chart_type));
    }
    format!("{{{}}}", fields.join(","))
}

/// The record's `chart` field for a loaded chart, in Go's field order.
pub fn chart_to_json(chart: &Chart) -> Option<Box<RawValue>> {
    let lock = match &chart.lock {
        Some(l) => {
            let deps = l.to_value();
            let deps = deps.get("dependencies").unwrap_or(Value::Nil);
            format!(
                "{{\"generated\":{},\"digest\":{},\"dependencies\":{}}}",
                quoted(&l.generated),
                quoted(&l.digest),
                value_text(&deps)
            )
        }
        None => "null".to_string(),
    };
    let schema = chart
        .schema
        .as_ref()
        .map(|s| quoted(&STANDARD.encode(s)))
        .unwrap_or_else(|| "null".to_string());
    let files = |fs: &[ChartFile]| {
        if fs.is_empty() {
            "null".to_string()
        } else {
            format!(
                "[{}]",
                fs.iter().map(file_json).collect::<Vec<_>>().join(",")
            )
        }
    };
    let text = format!(
        "{{\"metadata\":{},\"lock\":{lock},\"templates\":{},\"values\":{},\"schema\":{schema},\"schemamodtime\":{},\"files\":{},\"modtime\":{}}}",
        metadata_text(&chart.metadata),
        files(&chart.templates),
        value_text(&chart.values),
        time_json(chart.schema_mod_time),
        files(&chart.files),
        time_json(chart.mod_time),
    );
    RawValue::from_string(text).ok()
}

/// A stored chart, seen as a chart without subcharts for coalescing
/// (`helm get values --all`, `--reuse-values`).
pub struct StoredChart {
    name: String,
    values: Value,
}

impl StoredChart {
    pub fn from_record(release: &crate::release::Release) -> StoredChart {
        Self::from_json(&release.chart_value())
    }

    pub fn from_json(chart: &Json) -> StoredChart {
        StoredChart {
            name: chart
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string(),
            values: chart
                .get("values")
                .map(json_to_value)
                .filter(|v| matches!(v, Value::Map(_)))
                .unwrap_or_else(Value::empty_map),
        }
    }
}

impl ValuesChart for StoredChart {
    fn chart_name(&self) -> &str {
        &self.name
    }
    fn default_values(&self) -> &Value {
        &self.values
    }
    fn subcharts(&self) -> &[Self] {
        &[]
    }
}
