//! `rudder status RELEASE_NAME`: the status block of the newest (or a given) revision.

use std::io::Write;

use clap::Args as ClapArgs;

use super::output::OutputFormat;
use super::release_common::{
    output_format, release_json, release_yaml, status_block, ReleaseEnv, StatusParts,
};
use super::settings::Settings;

const USAGE: &str = "rudder status RELEASE_NAME [flags]";

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "RELEASE_NAME")]
    args: Vec<String>,
    /// if set, display the status of the named release with revision
    #[arg(long, value_name = "int")]
    revision: Option<i64>,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, value_name = "format")]
    output: Option<String>,
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    super::exact_args(&args.args, 1, "rudder status", USAGE)?;
    let format = output_format(&args.output)?;
    let env = ReleaseEnv::open(settings, false, settings.max_history)?;
    env.reachable()?;
    let name = &args.args[0];
    let mut release = match args.revision.filter(|r| *r > 0) {
        Some(v) => env.storage.get(name, v)?,
        None => env.storage.last(name)?,
    };
    // helm's status drops the chart from the record it prints and adds the
    // live objects as `info.resources`.
    release.chart = None;
    if format != OutputFormat::Table {
        let objects = rudder::cluster::resource::parse_manifest(&release.manifest)?;
        let live = env.cluster.resource_objects(&objects, &release.namespace)?;
        if !live.is_empty() {
            release
                .info_mut()
                .extra
                .insert("resources".into(), serde_json::Value::Object(live));
        }
    }
    let text = match format {
        OutputFormat::Table => {
            let objects = rudder::cluster::resource::parse_manifest(&release.manifest)?;
            let sections = env.cluster.resource_tables(&objects, &release.namespace)?;
            let parts = StatusParts {
                resources: Some(rudder::cluster::tables::print_tables(&sections)),
                ..Default::default()
            };
            status_block(&release, parts)?
        }
        OutputFormat::Json => release_json(&release)?,
        OutputFormat::Yaml => release_yaml(&release)?,
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
