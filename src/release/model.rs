//! The release record as Helm 4 stores it (`helm.sh/helm/v4/pkg/release/v1`).
//!
//! Field names and `omitempty` behaviour follow Helm's JSON tags so that a
//! record rudder writes is read by Helm 3.19 and 4.x, and the other way round.
//! Fields this model does not know are kept in `extra` and written back, so a
//! record from a newer Helm survives a rudder upgrade unchanged.
//! The chart is kept as raw JSON text: rudder only reads a few metadata fields
//! from it, rollback stores it back byte for byte, and a chart rudder stores
//! keeps Go's field order.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value as Json;

use super::status::Status;

fn is_empty_str(s: &str) -> bool {
    s.is_empty()
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn is_null_or_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// A zero Go `time.Time` as encoding/json writes it; Helm 3 writes it for
/// `deleted` and unrun hooks.
pub const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// Helm 4 omits zero times (`omitzero`); reading treats Helm 3's explicit zero
/// as absent.
fn time_is_unset(t: &Option<String>) -> bool {
    match t {
        None => true,
        Some(s) => s.is_empty() || s == GO_ZERO_TIME,
    }
}

/// One revision of a release.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Release {
    #[serde(skip_serializing_if = "is_empty_str")]
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<Info>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<Box<RawValue>>,
    /// The user-supplied values only (`-f`, `--set`), not the chart defaults.
    #[serde(skip_serializing_if = "is_null_or_empty")]
    pub config: Json,
    #[serde(skip_serializing_if = "is_empty_str")]
    pub manifest: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
    #[serde(skip_serializing_if = "is_zero")]
    pub version: i64,
    #[serde(skip_serializing_if = "is_empty_str")]
    pub namespace: String,
    /// `ssa` (Helm 4 server-side apply) or `csa`; absent in Helm 3 records.
    #[serde(skip_serializing_if = "is_empty_str")]
    pub apply_method: String,
    /// Labels of the storage object (not part of the JSON).
    #[serde(skip)]
    pub labels: std::collections::BTreeMap<String, String>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Json>,
}

/// What happened to a revision and when.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Info {
    #[serde(skip_serializing_if = "time_is_unset")]
    pub first_deployed: Option<String>,
    #[serde(skip_serializing_if = "time_is_unset")]
    pub last_deployed: Option<String>,
    #[serde(skip_serializing_if = "time_is_unset")]
    pub deleted: Option<String>,
    #[serde(skip_serializing_if = "is_empty_str")]
    pub description: String,
    #[serde(skip_serializing_if = "Status::is_unknown")]
    pub status: Status,
    #[serde(skip_serializing_if = "is_empty_str")]
    pub notes: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub rollback_revision: i64,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Json>,
}

/// A hook document of the release (including tests).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Hook {
    #[serde(skip_serializing_if = "is_empty_str")]
    pub name: String,
    #[serde(skip_serializing_if = "is_empty_str")]
    pub kind: String,
    #[serde(skip_serializing_if = "is_empty_str")]
    pub path: String,
    #[serde(skip_serializing_if = "is_empty_str")]
    pub manifest: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    pub last_run: HookExecution,
    #[serde(skip_serializing_if = "is_zero")]
    pub weight: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub delete_policies: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub output_log_policies: Vec<String>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Json>,
}

/// The last run of a hook.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct HookExecution {
    #[serde(skip_serializing_if = "time_is_unset")]
    pub started_at: Option<String>,
    #[serde(skip_serializing_if = "time_is_unset")]
    pub completed_at: Option<String>,
    /// `Unknown`, `Running`, `Succeeded`, `Failed` or empty (never run).
    pub phase: String,
}

impl Release {
    pub fn status(&self) -> Status {
        self.info.as_ref().map(|i| i.status).unwrap_or_default()
    }

    pub fn info_mut(&mut self) -> &mut Info {
        self.info.get_or_insert_with(Info::default)
    }

    /// The stored chart as JSON (`Null` when there is none).
    pub fn chart_value(&self) -> Json {
        self.chart
            .as_ref()
            .and_then(|c| serde_json::from_str(c.get()).ok())
            .unwrap_or(Json::Null)
    }

    fn chart_meta(&self, key: &str) -> String {
        self.chart_value()
            .get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string()
    }

    pub fn chart_name(&self) -> String {
        self.chart_meta("name")
    }

    pub fn chart_version(&self) -> String {
        self.chart_meta("version")
    }

    pub fn app_version(&self) -> String {
        self.chart_meta("appVersion")
    }

    /// `name-version`, as `helm list` shows the chart.
    pub fn chart_ref(&self) -> String {
        if self.chart_value().get("metadata").is_none() {
            return "MISSING".to_string();
        }
        format!("{}-{}", self.chart_name(), self.chart_version())
    }

    pub fn last_deployed(&self) -> Option<&str> {
        self.info.as_ref()?.last_deployed.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm3_record_round_trips_without_losing_fields() {
        let src = r#"{"name":"a","info":{"first_deployed":"2025-01-02T03:04:05.5+02:00","last_deployed":"2025-01-02T03:04:05.5+02:00","deleted":"0001-01-01T00:00:00Z","description":"Install complete","status":"deployed"},"chart":{"metadata":{"name":"c","version":"1.0.0"},"lock":null},"manifest":"---\nx: 1\n","hooks":[{"name":"h","kind":"Job","path":"c/templates/h.yaml","manifest":"m","events":["pre-install"],"last_run":{"started_at":"0001-01-01T00:00:00Z","completed_at":"0001-01-01T00:00:00Z","phase":""},"weight":-5,"delete_policies":["hook-succeeded"]}],"version":1,"namespace":"default","future":true}"#;
        let r: Release = serde_json::from_str(src).unwrap();
        assert_eq!(r.status(), Status::Deployed);
        assert_eq!(r.chart_ref(), "c-1.0.0");
        assert_eq!(r.hooks[0].weight, -5);
        let out = serde_json::to_string(&r).unwrap();
        assert!(out.contains("\"future\":true"));
        assert!(!out.contains("deleted"));
        assert!(out.contains("\"last_run\":{\"phase\":\"\"}"));
    }
}
