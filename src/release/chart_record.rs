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
use serde_json::{json, Value as Json};

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

fn time_json(t: Option<SystemTime>) -> Json {
    let Some(t) = t else {
        return Json::String(GO_ZERO_TIME.into());
    };
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Json::String(
        Timestamp {
            secs: d.as_secs() as i64,
            nanos: d.subsec_nanos(),
            offset: 0,
        }
        .rfc3339_nano(),
    )
}

fn file_json(f: &ChartFile) -> Json {
    json!({
        "name": f.name,
        "data": STANDARD.encode(&f.data),
        "modtime": time_json(f.mod_time),
    })
}

/// The record's `chart` field for a loaded chart.
pub fn chart_to_json(chart: &Chart) -> Json {
    let lock = chart
        .lock
        .as_ref()
        .map(|l| value_to_json(&l.to_value()))
        .unwrap_or(Json::Null);
    let schema = chart
        .schema
        .as_ref()
        .map(|s| Json::String(STANDARD.encode(s)))
        .unwrap_or(Json::Null);
    json!({
        "metadata": value_to_json(&chart.metadata.to_value()),
        "lock": lock,
        "templates": chart.templates.iter().map(file_json).collect::<Vec<_>>(),
        "values": value_to_json(&chart.values),
        "schema": schema,
        "schemamodtime": time_json(chart.schema_mod_time),
        "files": chart.files.iter().map(file_json).collect::<Vec<_>>(),
        "modtime": time_json(chart.mod_time),
    })
}

/// A stored chart, seen as a chart without subcharts for coalescing
/// (`helm get values --all`, `--reuse-values`).
pub struct StoredChart {
    name: String,
    values: Value,
}

impl StoredChart {
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
