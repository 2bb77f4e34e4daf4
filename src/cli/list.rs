//! `rudder list`: the newest revision of every release in a namespace (or all).

use std::io::Write;

use clap::Args as ClapArgs;
use rudder::release::time::Timestamp;
use rudder::release::{Release, Status};
use rudder::value::Value;

use super::output::{json_records, table, yaml_records, OutputFormat, Record};
use super::release_common::{output_format, ReleaseEnv};
use super::settings::Settings;

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "ARGS", hide = true)]
    args: Vec<String>,
    /// list releases across all namespaces
    #[arg(short = 'A', long = "all-namespaces")]
    all_namespaces: bool,
    /// sort by release date
    #[arg(short = 'd', long)]
    date: bool,
    /// show deployed releases
    #[arg(long)]
    deployed: bool,
    /// show failed releases
    #[arg(long)]
    failed: bool,
    /// a regular expression (Perl compatible). Any releases that match the expression will be included in the results
    #[arg(short = 'f', long, value_name = "string")]
    filter: Option<String>,
    /// maximum number of releases to fetch
    #[arg(short = 'm', long, value_name = "int", default_value_t = 256)]
    max: i64,
    /// don't print headers when using the default output format
    #[arg(long = "no-headers")]
    no_headers: bool,
    /// next release index in the list, used to offset from start value
    #[arg(long, value_name = "int", default_value_t = 0)]
    offset: i64,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, value_name = "format")]
    output: Option<String>,
    /// show pending releases
    #[arg(long)]
    pending: bool,
    /// reverse the sort order
    #[arg(short = 'r', long)]
    reverse: bool,
    /// Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Works only for secret(default) and configmap storage backends.
    #[arg(short = 'l', long, value_name = "string")]
    selector: Option<String>,
    /// output short (quiet) listing format
    #[arg(short = 'q', long)]
    short: bool,
    /// show superseded releases
    #[arg(long)]
    superseded: bool,
    /// format time using golang time formatter. Example: --time-format "2006-01-02 15:04:05Z0700"
    #[arg(long = "time-format", value_name = "string")]
    time_format: Option<String>,
    /// show uninstalled releases (if 'helm uninstall --keep-history' was used)
    #[arg(long)]
    uninstalled: bool,
    /// show releases that are currently being uninstalled
    #[arg(long)]
    uninstalling: bool,
}

/// `-l a=b,c!=d`: every requirement must hold on the record's labels.
fn selector_matches(selector: &str, r: &Release) -> bool {
    selector
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .all(|req| {
            if let Some((k, v)) = req.split_once("!=") {
                r.labels.get(k.trim()).map(String::as_str) != Some(v.trim())
            } else if let Some((k, v)) = req.split_once("==").or_else(|| req.split_once('=')) {
                r.labels.get(k.trim()).map(String::as_str) == Some(v.trim())
            } else {
                r.labels.contains_key(req.trim())
            }
        })
}

fn state_allowed(args: &Args, s: Status) -> bool {
    let any = args.deployed
        || args.failed
        || args.pending
        || args.superseded
        || args.uninstalled
        || args.uninstalling;
    if !any {
        return true;
    }
    match s {
        Status::Deployed => args.deployed,
        Status::Failed => args.failed,
        Status::PendingInstall | Status::PendingUpgrade | Status::PendingRollback => args.pending,
        Status::Superseded => args.superseded,
        Status::Uninstalled => args.uninstalled,
        Status::Uninstalling => args.uninstalling,
        Status::Unknown => false,
    }
}

/// `UPDATED`: Go's `Time.String()`, or `--time-format` as a Go layout.
fn updated(r: &Release, layout: Option<&str>) -> String {
    let Some(t) = r.last_deployed().and_then(Timestamp::parse) else {
        return String::new();
    };
    match layout.filter(|l| !l.is_empty()) {
        None => t.go_string(),
        Some(layout) => {
            use rudder::render::funcs::dates::{GoTime, Location};
            let loc = if t.offset == 0 {
                Location::utc()
            } else {
                Location::fixed("", "", t.offset)
            };
            GoTime::from_unix(t.secs, t.nanos, loc).format(layout)
        }
    }
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    if !args.args.is_empty() {
        return Err(super::usage_error(
            "\"rudder list\" accepts no arguments",
            "rudder list [flags]",
        ));
    }
    let format = output_format(&args.output)?;
    let filter = match args.filter.as_deref().filter(|f| !f.is_empty()) {
        Some(f) => Some(regex::Regex::new(f).map_err(|e| anyhow::anyhow!("{e}"))?),
        None => None,
    };
    let env = ReleaseEnv::open(settings, args.all_namespaces, settings.max_history)?;
    env.reachable()?;
    let mut all: Vec<Release> = env
        .storage
        .list_all()?
        .into_iter()
        .filter(|r| filter.as_ref().map(|f| f.is_match(&r.name)).unwrap_or(true))
        .collect();
    if let Some(sel) = &args.selector {
        all.retain(|r| selector_matches(sel, r));
    }
    let only_superseded = args.superseded
        && !(args.deployed || args.failed || args.pending || args.uninstalled || args.uninstalling);
    if !only_superseded {
        // Keep the newest revision of each (namespace, name).
        let mut latest: std::collections::BTreeMap<(String, String), Release> = Default::default();
        for r in all {
            let k = (r.namespace.clone(), r.name.clone());
            match latest.get(&k) {
                Some(cur) if cur.version >= r.version => {}
                _ => {
                    latest.insert(k, r);
                }
            }
        }
        all = latest.into_values().collect();
    }
    all.retain(|r| state_allowed(&args, r.status()));
    if args.date {
        all.sort_by(|a, b| {
            let ta = a
                .last_deployed()
                .and_then(Timestamp::parse)
                .map(|t| (t.secs, t.nanos));
            let tb = b
                .last_deployed()
                .and_then(Timestamp::parse)
                .map(|t| (t.secs, t.nanos));
            ta.cmp(&tb).then_with(|| a.name.cmp(&b.name))
        });
    } else {
        all.sort_by(|a, b| a.name.cmp(&b.name));
    }
    if args.reverse {
        all.reverse();
    }
    let offset = args.offset.max(0) as usize;
    let all: Vec<Release> = if offset >= all.len() {
        Vec::new()
    } else {
        let limit = if args.max > 0 {
            args.max as usize
        } else {
            all.len()
        };
        all.into_iter().skip(offset).take(limit).collect()
    };

    let mut out = std::io::stdout().lock();
    if args.short {
        match format {
            OutputFormat::Table => {
                for r in &all {
                    writeln!(out, "{}", r.name)?;
                }
            }
            OutputFormat::Json | OutputFormat::Yaml => {
                let names = Value::list(all.iter().map(|r| Value::str(&r.name)).collect());
                let text = if format == OutputFormat::Json {
                    format!("{}\n", rudder::render::encode::to_json(&names)?)
                } else {
                    super::release_common::yaml_doc(&names)?
                };
                out.write_all(text.as_bytes())?;
            }
        }
        return Ok(());
    }
    match format {
        OutputFormat::Table => {
            let mut rows = Vec::new();
            if !args.no_headers {
                rows.push(
                    [
                        "NAME",
                        "NAMESPACE",
                        "REVISION",
                        "UPDATED",
                        "STATUS",
                        "CHART",
                        "APP VERSION",
                    ]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                );
            }
            for r in &all {
                rows.push(vec![
                    r.name.clone(),
                    r.namespace.clone(),
                    r.version.to_string(),
                    updated(r, args.time_format.as_deref()),
                    r.status().to_string(),
                    r.chart_ref(),
                    r.app_version(),
                ]);
            }
            if !rows.is_empty() {
                out.write_all(table(&rows, 60).as_bytes())?;
            }
        }
        OutputFormat::Json | OutputFormat::Yaml => {
            let records: Vec<Record> = all
                .iter()
                .map(|r| {
                    vec![
                        ("name", Value::str(&r.name)),
                        ("namespace", Value::str(&r.namespace)),
                        ("revision", Value::str(&r.version.to_string())),
                        (
                            "updated",
                            Value::str(&updated(r, args.time_format.as_deref())),
                        ),
                        ("status", Value::str(r.status().as_str())),
                        ("chart", Value::str(&r.chart_ref())),
                        ("app_version", Value::str(&r.app_version())),
                    ]
                })
                .collect();
            let text = if format == OutputFormat::Json {
                json_records(&records)?
            } else {
                yaml_records(&records)?
            };
            out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}
