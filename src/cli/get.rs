//! `rudder get all|hooks|manifest|metadata|notes|values RELEASE_NAME`.

use std::io::Write;

use clap::{Args as ClapArgs, Subcommand};
use rudder::release::time::Timestamp;
use rudder::release::Release;
use rudder::value::{MapData, Value};

use super::output::OutputFormat;
use super::release_common::{
    computed_values, output_format, status_block, user_values, yaml_doc, ReleaseEnv, StatusParts,
};
use super::settings::Settings;

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: GetCommand,
}

#[derive(ClapArgs, Debug)]
pub struct Common {
    #[arg(value_name = "RELEASE_NAME")]
    args: Vec<String>,
    /// get the named release with revision
    #[arg(long, value_name = "int")]
    revision: Option<i64>,
}

#[derive(Subcommand, Debug)]
pub enum GetCommand {
    /// download all information for a named release
    All {
        #[command(flatten)]
        common: Common,
        /// template for the output (Go template syntax)
        #[arg(long, value_name = "string")]
        template: Option<String>,
    },
    /// download all hooks for a named release
    Hooks {
        #[command(flatten)]
        common: Common,
    },
    /// download the manifest for a named release
    Manifest {
        #[command(flatten)]
        common: Common,
    },
    /// This command fetches metadata for a given release
    Metadata {
        #[command(flatten)]
        common: Common,
        /// prints the output in the specified format. Allowed values: table, json, yaml
        #[arg(short = 'o', long, value_name = "format")]
        output: Option<String>,
    },
    /// download the notes for a named release
    Notes {
        #[command(flatten)]
        common: Common,
    },
    /// download the values file for a named release
    Values {
        #[command(flatten)]
        common: Common,
        /// dump all (computed) values
        #[arg(short = 'a', long)]
        all: bool,
        /// prints the output in the specified format. Allowed values: table, json, yaml
        #[arg(short = 'o', long, value_name = "format")]
        output: Option<String>,
    },
}

fn load(common: &Common, sub: &str, settings: &Settings) -> anyhow::Result<Release> {
    super::exact_args(
        &common.args,
        1,
        &format!("rudder get {sub}"),
        &format!("rudder get {sub} RELEASE_NAME [flags]"),
    )?;
    let env = ReleaseEnv::open(settings, false, settings.max_history)?;
    env.reachable()?;
    let name = &common.args[0];
    Ok(match common.revision.filter(|r| *r > 0) {
        Some(v) => env.storage.get(name, v)?,
        None => env.storage.last(name)?,
    })
}

fn apply_method_text(m: &str) -> &'static str {
    if m == "ssa" {
        "server-side apply"
    } else {
        "client-side apply"
    }
}

fn metadata(r: &Release, format: OutputFormat) -> anyhow::Result<String> {
    let meta = r.chart_value().get("metadata").cloned().unwrap_or_default();
    let annotations: Vec<(String, String)> = meta
        .get("annotations")
        .and_then(|a| a.as_object())
        .map(|a| {
            let mut v: Vec<_> = a
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect();
            v.sort();
            v
        })
        .unwrap_or_default();
    let deps: Vec<String> = meta
        .get("dependencies")
        .and_then(|d| d.as_array())
        .map(|d| {
            d.iter()
                .filter_map(|x| x.get("name").and_then(|n| n.as_str()).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let deployed_at = r
        .last_deployed()
        .and_then(Timestamp::parse)
        .map(|t| t.rfc3339())
        .unwrap_or_default();
    let info = r.info.clone().unwrap_or_default();
    if format == OutputFormat::Table {
        let kv = |items: Vec<(String, String)>| {
            items
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        let labels = kv(r.labels.clone().into_iter().collect());
        return Ok(format!(
            "NAME: {}\nCHART: {}\nVERSION: {}\nAPP_VERSION: {}\nANNOTATIONS: {}\nLABELS: {}\nDEPENDENCIES: {}\nNAMESPACE: {}\nREVISION: {}\nSTATUS: {}\nDEPLOYED_AT: {}\nAPPLY_METHOD: {}\n",
            r.name,
            r.chart_name(),
            r.chart_version(),
            r.app_version(),
            kv(annotations),
            labels,
            deps.join(","),
            r.namespace,
            r.version,
            info.status,
            deployed_at,
            apply_method_text(&r.apply_method),
        ));
    }
    let strmap = |items: Vec<(String, String)>| -> Value {
        Value::map(
            items
                .into_iter()
                .map(|(k, v)| (k, Value::str(&v)))
                .collect::<MapData>(),
        )
    };
    let mut fields: Vec<(&str, Value)> = vec![
        ("name", Value::str(&r.name)),
        ("chart", Value::str(&r.chart_name())),
        ("version", Value::str(&r.chart_version())),
        ("appVersion", Value::str(&r.app_version())),
    ];
    // `omitempty` on annotations, labels and dependencies.
    if !annotations.is_empty() {
        fields.push(("annotations", strmap(annotations)));
    }
    if !r.labels.is_empty() {
        fields.push(("labels", strmap(r.labels.clone().into_iter().collect())));
    }
    if !deps.is_empty() {
        fields.push((
            "dependencies",
            Value::list(deps.iter().map(|d| Value::str(d)).collect()),
        ));
    }
    fields.extend([
        ("namespace", Value::str(&r.namespace)),
        ("revision", Value::Int(r.version)),
        ("status", Value::str(info.status.as_str())),
        ("deployedAt", Value::str(&deployed_at)),
        ("applyMethod", Value::str(&r.apply_method)),
    ]);
    if format == OutputFormat::Json {
        let rec = vec![fields];
        let s = super::output::json_records(&rec)?;
        // json_records writes a list; metadata is one object.
        let inner = s.trim_end().trim_start_matches('[').trim_end_matches(']');
        return Ok(format!("{inner}\n"));
    }
    yaml_doc(&Value::map(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<MapData>(),
    ))
}

/// The release with Go's field names, as `--template` sees `*release.Release`.
fn release_template_value(r: &Release) -> Value {
    let s = |v: &str| Value::str(v);
    let opt = |v: &Option<String>| Value::str(v.as_deref().unwrap_or("0001-01-01T00:00:00Z"));
    let info = r.info.clone().unwrap_or_default();
    let mut i = MapData::new();
    i.insert("FirstDeployed".into(), opt(&info.first_deployed));
    i.insert("LastDeployed".into(), opt(&info.last_deployed));
    i.insert("Deleted".into(), opt(&info.deleted));
    i.insert("Description".into(), s(&info.description));
    i.insert("Status".into(), s(info.status.as_str()));
    i.insert("Notes".into(), s(&info.notes));
    let mut meta = MapData::new();
    meta.insert("Name".into(), s(&r.chart_name()));
    meta.insert("Version".into(), s(&r.chart_version()));
    meta.insert("AppVersion".into(), s(&r.app_version()));
    let mut chart = MapData::new();
    chart.insert("Metadata".into(), Value::map(meta));
    let hooks = r
        .hooks
        .iter()
        .map(|h| {
            let mut m = MapData::new();
            m.insert("Name".into(), s(&h.name));
            m.insert("Kind".into(), s(&h.kind));
            m.insert("Path".into(), s(&h.path));
            m.insert("Manifest".into(), s(&h.manifest));
            m.insert(
                "Events".into(),
                Value::list(h.events.iter().map(|e| s(e)).collect()),
            );
            m.insert("Weight".into(), Value::Int(h.weight));
            Value::map(m)
        })
        .collect();
    let mut m = MapData::new();
    m.insert("Name".into(), s(&r.name));
    m.insert("Info".into(), Value::map(i));
    m.insert("Chart".into(), Value::map(chart));
    m.insert("Config".into(), user_values(r));
    m.insert("Manifest".into(), s(&r.manifest));
    m.insert("Hooks".into(), Value::list(hooks));
    m.insert("Version".into(), Value::Int(r.version));
    m.insert("Namespace".into(), s(&r.namespace));
    Value::map(m)
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    let text = match args.command {
        GetCommand::All { common, template } => {
            let r = load(&common, "all", settings)?;
            if let Some(t) = template.filter(|t| !t.is_empty()) {
                let engine = rudder::render::engine::Engine::new(
                    rudder::render::funcs::standard_registry(),
                    rudder::render::engine::EngineOptions::default(),
                );
                let mut data = MapData::new();
                data.insert("Release".into(), release_template_value(&r));
                let text = engine.render_string("template", &t, Value::map(data))?;
                std::io::stdout().lock().write_all(text.as_bytes())?;
                return Ok(());
            }
            status_block(
                &r,
                StatusParts {
                    show_metadata: true,
                    values: true,
                    manifest: true,
                    ..Default::default()
                },
            )?
        }
        GetCommand::Hooks { common } => {
            let r = load(&common, "hooks", settings)?;
            r.hooks
                .iter()
                .map(|h| format!("---\n# Source: {}\n{}\n", h.path, h.manifest))
                .collect()
        }
        GetCommand::Manifest { common } => {
            let r = load(&common, "manifest", settings)?;
            format!("{}\n", r.manifest)
        }
        GetCommand::Metadata { common, output } => {
            let format = output_format(&output)?;
            let r = load(&common, "metadata", settings)?;
            metadata(&r, format)?
        }
        GetCommand::Notes { common } => {
            let r = load(&common, "notes", settings)?;
            let notes = r.info.map(|i| i.notes).unwrap_or_default();
            if notes.is_empty() {
                String::new()
            } else {
                format!("NOTES:\n{notes}\n")
            }
        }
        GetCommand::Values {
            common,
            all,
            output,
        } => {
            let format = output_format(&output)?;
            let r = load(&common, "values", settings)?;
            let (title, values) = if all {
                ("COMPUTED VALUES:\n", computed_values(&r)?)
            } else {
                ("USER-SUPPLIED VALUES:\n", user_values(&r))
            };
            match format {
                OutputFormat::Table => format!("{title}{}", yaml_doc(&values)?),
                OutputFormat::Json => format!("{}\n", rudder::render::encode::to_json(&values)?),
                OutputFormat::Yaml => yaml_doc(&values)?,
            }
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
