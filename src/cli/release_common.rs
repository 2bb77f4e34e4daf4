//! What the release commands share: connecting to the cluster, choosing the
//! storage driver (`HELM_DRIVER`), Go durations, `--wait` strategies and the
//! release status block that install/upgrade/status/get all print.

use std::rc::Rc;
use std::time::Duration;

use rudder::cluster::{ConnectOptions, KubeCluster};
use rudder::release::actions::{Context, WaitStrategy};
use rudder::release::chart_record::{json_to_value, StoredChart};
use rudder::release::storage::configmap::ConfigMapDriver;
use rudder::release::storage::memory::MemoryDriver;
use rudder::release::storage::secret::SecretDriver;
use rudder::release::storage::{Driver, Storage};
use rudder::release::time::Timestamp;
use rudder::release::Release;
use rudder::value::Value;
use rudder::values::coalesce::coalesce_values;

use super::output::OutputFormat;
use super::settings::Settings;

/// A cluster connection plus release storage for one command.
pub struct ReleaseEnv {
    pub cluster: Rc<KubeCluster>,
    pub storage: Storage,
    pub namespace: String,
    pub debug: bool,
    pub tz: Option<String>,
}

impl ReleaseEnv {
    /// Connects; `all_namespaces` makes the storage read every namespace (`list -A`).
    pub fn open(
        settings: &Settings,
        all_namespaces: bool,
        max_history: i64,
    ) -> anyhow::Result<ReleaseEnv> {
        let opts = ConnectOptions {
            kubeconfig: Some(
                settings
                    .kubeconfig_paths()
                    .iter()
                    .map(|p| p.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(":"),
            ),
            kubeconfig_explicit: settings.kube_config_flag.is_some(),
            context: Some(settings.kube_context.clone()).filter(|s| !s.is_empty()),
            apiserver: Some(settings.kube_apiserver.clone()).filter(|s| !s.is_empty()),
            token: Some(settings.kube_token.clone()).filter(|s| !s.is_empty()),
            as_user: Some(settings.kube_as_user.clone()).filter(|s| !s.is_empty()),
            as_groups: settings.kube_as_groups.clone(),
            ca_file: Some(settings.kube_ca_file.clone()).filter(|s| !s.is_empty()),
            insecure_skip_tls_verify: settings.kube_insecure_skip_tls_verify,
            tls_server_name: Some(settings.kube_tls_server_name.clone()).filter(|s| !s.is_empty()),
        };
        let cluster = Rc::new(KubeCluster::connect(&opts)?);
        let namespace = settings
            .namespace_override
            .clone()
            .unwrap_or_else(|| cluster.default_namespace.clone());
        let storage_ns = if all_namespaces {
            String::new()
        } else {
            namespace.clone()
        };
        // HELM_DRIVER is read here, next to the driver choice, as helm's action config does.
        let driver_name = std::env::var("HELM_DRIVER").unwrap_or_default();
        let driver: Box<dyn Driver> = match driver_name.as_str() {
            "" | "secret" | "secrets" => Box::new(SecretDriver::new(cluster.clone(), &storage_ns)),
            "configmap" | "configmaps" => {
                Box::new(ConfigMapDriver::new(cluster.clone(), &storage_ns))
            }
            "memory" => Box::new(MemoryDriver::new(&storage_ns)),
            // Refused before any command runs (`driver_init_failure`); kept as a
            // typed error for callers that skip that check.
            other => anyhow::bail!("unknown driver {other:?}"),
        };
        let storage = Storage::new(driver, max_history);
        if driver_name == "memory" {
            for release in memory_driver_data()? {
                storage.create(&release)?;
            }
        }
        Ok(ReleaseEnv {
            cluster,
            storage,
            namespace,
            debug: settings.debug,
            tz: std::env::var("TZ").ok(),
        })
    }

    /// helm's `GET /version` reachability check.
    pub fn reachable(&self) -> anyhow::Result<()> {
        Ok(self.cluster.check_reachable()?)
    }

    pub fn context(&self) -> Context<'_> {
        Context {
            storage: &self.storage,
            cluster: &self.cluster,
            namespace: self.namespace.clone(),
            debug: self.debug,
            tz: self.tz.clone(),
        }
    }
}

/// helm initialises its storage driver before running any command (even
/// `version`), and an unknown `HELM_DRIVER` or unreadable
/// `HELM_MEMORY_DRIVER_DATA` ends the process with exit 1 and only a log line,
/// no `Error:` line. Returns that log line when helm would stop.
pub fn driver_init_failure() -> Option<String> {
    let name = std::env::var("HELM_DRIVER").unwrap_or_default();
    let msg = match name.as_str() {
        "" | "secret" | "secrets" | "configmap" | "configmaps" => return None,
        "memory" => memory_driver_data().err()?.to_string(),
        other => format!("unknown driver {other:?}"),
    };
    Some(rudder::log::Record::new(rudder::log::Level::Info, msg).to_string())
}

/// The releases listed in the `:`-separated YAML files of
/// `HELM_MEMORY_DRIVER_DATA`, which helm preloads into the memory driver.
/// An unset variable names one empty path, which fails to open, as in helm.
fn memory_driver_data() -> anyhow::Result<Vec<Release>> {
    let paths = std::env::var("HELM_MEMORY_DRIVER_DATA").unwrap_or_default();
    let mut releases = Vec::new();
    for path in paths.split(':') {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(
                "Unable to read memory driver data{}",
                go_open_error(path, &e)
            )
        })?;
        let unmarshal =
            |detail: String| anyhow::anyhow!("Unable to unmarshal memory driver data: {detail}");
        let doc =
            rudder::values::yaml::unmarshal(&text).map_err(|e| unmarshal(e.inner().to_string()))?;
        let json = rudder::release::chart_record::value_to_json(&doc);
        let kind = match &json {
            serde_json::Value::Null => continue,
            serde_json::Value::Array(_) => None,
            serde_json::Value::Object(_) => Some("object"),
            serde_json::Value::String(_) => Some("string"),
            serde_json::Value::Number(_) => Some("number"),
            serde_json::Value::Bool(_) => Some("bool"),
        };
        if let Some(kind) = kind {
            return Err(unmarshal(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type []*v1.Release"
            )));
        }
        let list: Vec<Release> =
            serde_json::from_value(json).map_err(|e| unmarshal(e.to_string()))?;
        releases.extend(list);
    }
    Ok(releases)
}

/// Go's `*PathError` text for a failed open: `open PATH: REASON`.
fn go_open_error(path: &str, e: &std::io::Error) -> String {
    let reason = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => return format!("read {path}: is a directory"),
        _ => e.to_string(),
    };
    format!("open {path}: {reason}")
}

/// Go's `time.ParseDuration` for the `--timeout` flags.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "time: invalid duration {}",
            rudder::values::strvals::go_quote(s)
        )
    };
    let mut rest = s.trim_start_matches('+');
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() || rest.starts_with('-') {
        return Err(bad());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| {
                format!(
                    "time: missing unit in duration {}",
                    rudder::values::strvals::go_quote(s)
                )
            })?;
        let n: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    rudder::values::strvals::go_quote(s)
                ))
            }
            u => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    rudder::values::strvals::go_quote(u),
                    rudder::values::strvals::go_quote(s)
                ))
            }
        };
        total += n * scale;
        rest = &rest[unit_len..];
    }
    Ok(Duration::from_secs_f64(total))
}

/// `--timeout` with helm's default of 5m.
pub fn timeout_or_default(t: &Option<String>) -> anyhow::Result<Duration> {
    match t {
        None => Ok(Duration::from_secs(300)),
        Some(s) => parse_duration(s).map_err(|e| {
            anyhow::anyhow!(
                "invalid argument {} for \"--timeout\" flag: {e}",
                rudder::values::strvals::go_quote(s)
            )
        }),
    }
}

/// `--wait[=watcher|hookOnly|legacy]`.
pub fn wait_strategy(w: &Option<String>) -> anyhow::Result<WaitStrategy> {
    Ok(match w.as_deref() {
        None | Some("hookOnly") => WaitStrategy::HookOnly,
        Some("watcher") | Some("true") => WaitStrategy::Watcher,
        Some("legacy") => WaitStrategy::Legacy,
        Some("false") => WaitStrategy::HookOnly,
        Some(other) => anyhow::bail!(
            "invalid argument \"{other}\" for \"--wait\" flag: invalid wait input \"{other}\". Valid inputs are watcher, hookOnly, and legacy"
        ),
    })
}

/// `-o table|json|yaml`.
pub fn output_format(o: &Option<String>) -> anyhow::Result<OutputFormat> {
    match o.as_deref() {
        None => Ok(OutputFormat::Table),
        Some(s) => OutputFormat::parse(s).map_err(|e| {
            anyhow::anyhow!("invalid argument \"{s}\" for \"-o, --output\" flag: {e}")
        }),
    }
}

/// encoding/json's HTML-safe escaping, applied to serde_json output (these
/// characters only occur inside strings there).
fn go_json_escape(s: &str) -> String {
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The release as `-o json` prints it (encoding/json of the record in Go
/// field order, plus newline). `status` prints it without the chart.
pub fn release_json(r: &Release) -> anyhow::Result<String> {
    Ok(format!("{}\n", go_json_escape(&serde_json::to_string(r)?)))
}

/// The release as `-o yaml` prints it (sigs.k8s.io/yaml: keys sorted).
pub fn release_yaml(r: &Release) -> anyhow::Result<String> {
    let v = serde_json::to_value(r)?;
    yaml_doc(&json_to_value(&v))
}

/// sigs.k8s.io/yaml `Marshal` (always newline-terminated).
pub fn yaml_doc(v: &Value) -> anyhow::Result<String> {
    let s = rudder::render::encode::to_yaml(v)?;
    Ok(if s.ends_with('\n') {
        s
    } else {
        format!("{s}\n")
    })
}

/// The user-supplied values of a release as a map (`null` when there are none).
pub fn user_values(r: &Release) -> Value {
    json_to_value(&r.config)
}

/// The chart defaults coalesced with the user values (`get values --all`).
pub fn computed_values(r: &Release) -> anyhow::Result<Value> {
    let stored = StoredChart::from_record(r);
    let cfg = match user_values(r) {
        v @ Value::Map(_) => v,
        _ => Value::empty_map(),
    };
    let mut warn = |_m: String| {};
    Ok(coalesce_values(&stored, &cfg, &mut warn)?)
}

/// ANSIC form of a record time; `None` for an absent or zero (`IsZero`) time.
fn ansic(t: Option<&str>) -> Option<String> {
    t.filter(|s| *s != rudder::release::model::GO_ZERO_TIME)
        .and_then(Timestamp::parse)
        .map(|t| t.ansic())
}

/// Which parts of the status block to print.
#[derive(Default, Clone)]
pub struct StatusParts {
    /// The `RESOURCES:` tables (helm's `status` fetches them from the cluster).
    pub resources: Option<String>,
    pub show_metadata: bool,
    pub values: bool,
    pub manifest: bool,
    pub hide_notes: bool,
}

/// helm's status printer (table form).
pub fn status_block(r: &Release, parts: StatusParts) -> anyhow::Result<String> {
    let mut out = String::new();
    let info = r.info.clone().unwrap_or_default();
    out.push_str(&format!("NAME: {}\n", r.name));
    if let Some(t) = ansic(info.last_deployed.as_deref()) {
        out.push_str(&format!("LAST DEPLOYED: {t}\n"));
    }
    out.push_str(&format!("NAMESPACE: {}\n", r.namespace));
    out.push_str(&format!("STATUS: {}\n", info.status));
    out.push_str(&format!("REVISION: {}\n", r.version));
    if parts.show_metadata {
        out.push_str(&format!("CHART: {}\n", r.chart_name()));
        out.push_str(&format!("VERSION: {}\n", r.chart_version()));
        out.push_str(&format!("APP_VERSION: {}\n", r.app_version()));
    }
    out.push_str(&format!("DESCRIPTION: {}\n", info.description));
    if let Some(tables) = parts.resources.as_ref().filter(|t| !t.is_empty()) {
        out.push_str(&format!("RESOURCES:\n{tables}\n"));
    }
    let tests: Vec<_> = r
        .hooks
        .iter()
        .filter(|h| h.events.iter().any(|e| e == "test"))
        .collect();
    if tests.is_empty() {
        out.push_str("TEST SUITE: None\n");
    } else {
        for h in tests {
            let Some(started) = ansic(h.last_run.started_at.as_deref()) else {
                continue;
            };
            let completed = ansic(h.last_run.completed_at.as_deref())
                .unwrap_or_else(|| "Mon Jan  1 00:00:00 0001".to_string());
            out.push_str(&format!(
                "TEST SUITE:     {}\nLast Started:   {started}\nLast Completed: {completed}\nPhase:          {}\n",
                h.name, h.last_run.phase
            ));
        }
    }
    if parts.values {
        out.push_str("USER-SUPPLIED VALUES:\n");
        out.push_str(&yaml_doc(&user_values(r))?);
        out.push('\n');
        out.push_str("COMPUTED VALUES:\n");
        out.push_str(&yaml_doc(&computed_values(r)?)?);
        out.push('\n');
    }
    if parts.manifest || info.description.eq_ignore_ascii_case("Dry run complete") {
        out.push_str("HOOKS:\n");
        for h in &r.hooks {
            out.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest));
        }
        out.push_str(&format!("MANIFEST:\n{}\n", r.manifest));
    }
    if !parts.hide_notes && !info.notes.is_empty() {
        out.push_str(&format!("NOTES:\n{}\n", info.notes.trim()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("5m0s").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("x").is_err());
    }
}
