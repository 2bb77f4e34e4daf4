//! `rudder history RELEASE_NAME`: the revisions of a release.

use std::io::Write;

use clap::Args as ClapArgs;
use rudder::release::time::Timestamp;
use rudder::value::Value;

use super::output::{json_records, table, yaml_records, OutputFormat, Record};
use super::release_common::{output_format, ReleaseEnv};
use super::settings::Settings;

const USAGE: &str = "rudder history RELEASE_NAME [flags]";

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "RELEASE_NAME")]
    args: Vec<String>,
    /// maximum number of revision to include in history
    #[arg(long, value_name = "int", default_value_t = 256)]
    max: i64,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, value_name = "format")]
    output: Option<String>,
    /// show the rollback revision column in table output
    #[arg(long = "show-rollback-revision")]
    show_rollback_revision: bool,
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    super::exact_args(&args.args, 1, "rudder history", USAGE)?;
    let format = output_format(&args.output)?;
    let env = ReleaseEnv::open(settings, false, settings.max_history)?;
    env.reachable()?;
    let mut history = env.storage.history(&args.args[0])?;
    history.sort_by_key(|r| r.version);
    if args.max > 0 && history.len() as i64 > args.max {
        let drop = history.len() - args.max as usize;
        history.drain(..drop);
    }
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Table => {
            let mut header = vec!["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"];
            if args.show_rollback_revision {
                header.push("ROLLBACK");
            }
            header.push("DESCRIPTION");
            let mut rows = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
            for r in &history {
                let info = r.info.clone().unwrap_or_default();
                let updated = r
                    .last_deployed()
                    .and_then(Timestamp::parse)
                    .map(|t| t.ansic())
                    .unwrap_or_default();
                let mut row = vec![
                    r.version.to_string(),
                    updated,
                    info.status.to_string(),
                    r.chart_ref(),
                    r.app_version(),
                ];
                if args.show_rollback_revision {
                    row.push(if info.rollback_revision > 0 {
                        info.rollback_revision.to_string()
                    } else {
                        String::new()
                    });
                }
                row.push(info.description.clone());
                rows.push(row);
            }
            out.write_all(table(&rows, 0).as_bytes())?;
        }
        OutputFormat::Json | OutputFormat::Yaml => {
            let records: Vec<Record> = history
                .iter()
                .map(|r| {
                    let info = r.info.clone().unwrap_or_default();
                    let mut rec: Record = vec![
                        ("revision", Value::Int(r.version)),
                        (
                            "updated",
                            Value::str(
                                &r.last_deployed()
                                    .and_then(Timestamp::parse)
                                    .map(|t| t.rfc3339_nano())
                                    .unwrap_or_else(|| "0001-01-01T00:00:00Z".into()),
                            ),
                        ),
                        ("status", Value::str(info.status.as_str())),
                        ("chart", Value::str(&r.chart_ref())),
                        ("app_version", Value::str(&r.app_version())),
                    ];
                    if info.rollback_revision > 0 {
                        rec.push(("rollback_revision", Value::Int(info.rollback_revision)));
                    }
                    rec.push(("description", Value::str(&info.description)));
                    rec
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
