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
    let meta = r.chart.get("metadata").cloned().unwrap_or_default();
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

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    let text = match args.command {
        GetCommand::All { common, .. } => {
            let r = load(&common, "all", settings)?;
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
