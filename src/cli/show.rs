//! `rudder show all|chart|values|readme|crds CHART`.

use std::io::Write;

use clap::{Args as ClapArgs, Subcommand};
use rudder::chart::show::{self, ShowFormat};
use rudder::log::{Level, Record};

use super::chart_path::{locate_chart, ChartPathArgs};
use super::logger::logger;
use super::{exact_args, settings::Settings};

#[derive(ClapArgs, Debug)]
#[command(arg_required_else_help = true, subcommand_required = true)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand, Debug)]
enum What {
    /// show all information of the chart
    All(ShowArgs),
    /// show the chart's definition
    Chart(ShowArgs),
    /// show the chart's CRDs
    Crds(ShowArgs),
    /// show the chart's README
    Readme(ShowArgs),
    /// show the chart's values
    Values(ValuesArgs),
}

#[derive(ClapArgs, Debug)]
struct ShowArgs {
    #[arg(value_name = "CHART")]
    args: Vec<String>,
    /// use development versions, too. Equivalent to version '>0.0.0-0'. If --version is set, this is ignored
    #[arg(long)]
    devel: bool,
    #[command(flatten)]
    path: ChartPathArgs,
}

#[derive(ClapArgs, Debug)]
struct ValuesArgs {
    #[command(flatten)]
    common: ShowArgs,
    /// supply a JSONPath expression to filter the output
    #[arg(long, value_name = "string")]
    jsonpath: Option<String>,
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    let (format, common, jsonpath, name) = match args.what {
        What::All(a) => (ShowFormat::All, a, None, "all"),
        What::Chart(a) => (ShowFormat::Chart, a, None, "chart"),
        What::Crds(a) => (ShowFormat::Crds, a, None, "crds"),
        What::Readme(a) => (ShowFormat::Readme, a, None, "readme"),
        What::Values(v) => (ShowFormat::Values, v.common, v.jsonpath, "values"),
    };
    exact_args(
        &common.args,
        1,
        &format!("rudder show {name}"),
        &format!("rudder show {name} [CHART] [flags]"),
    )?;
    let mut common = common;
    let mut log = logger(settings.debug);
    let version = common.path.version.clone().unwrap_or_default();
    log(Record::new(Level::Debug, "original chart version").attr("version", version.clone()));
    if version.is_empty() && common.devel {
        log(Record::new(Level::Debug, "setting version to >0.0.0-0"));
        common.path.version = Some(">0.0.0-0".to_string());
    }
    let path = locate_chart(&common.args[0], &common.path, settings)?;
    let chart = rudder::chart::load(&path)?;
    let out = show::render(
        &chart,
        format,
        jsonpath.as_deref().filter(|j| !j.is_empty()),
    )?;
    std::io::stdout().lock().write_all(&out)?;
    Ok(())
}
