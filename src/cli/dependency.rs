//! `rudder dependency list|update|build [CHART]`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args as ClapArgs, Subcommand};
use rudder::repo::dependency::{dependency_status, Manager};

use super::chart_path::ConnectionArgs;
use super::settings::Settings;

#[derive(ClapArgs, Debug)]
#[command(arg_required_else_help = true, subcommand_required = true)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand, Debug)]
enum What {
    /// rebuild the charts/ directory based on the Chart.lock file
    Build(FetchArgs),
    /// list the dependencies for the given chart
    #[command(alias = "ls")]
    List(ListArgs),
    /// update charts/ based on the contents of Chart.yaml
    #[command(alias = "up")]
    Update(FetchArgs),
}

#[derive(ClapArgs, Debug)]
struct ListArgs {
    #[arg(value_name = "CHART")]
    chart: Vec<String>,
    /// maximum column width for output table
    #[arg(long = "max-col-width", value_name = "uint", default_value_t = 80)]
    max_col_width: u32,
}

#[derive(ClapArgs, Debug)]
struct FetchArgs {
    #[arg(value_name = "CHART")]
    chart: Vec<String>,
    /// verify the packages against signatures
    #[arg(long)]
    verify: bool,
    /// keyring containing public keys
    #[arg(long, value_name = "string")]
    keyring: Option<String>,
    /// do not refresh the local repository cache
    #[arg(long = "skip-refresh")]
    skip_refresh: bool,
    #[command(flatten)]
    connection: ConnectionArgs,
}

fn chart_path(args: &[String], cmd: &str) -> anyhow::Result<PathBuf> {
    if args.len() > 1 {
        return Err(super::usage_error(
            &format!("\"rudder dependency {cmd}\" accepts at most 1 argument"),
            &format!("rudder dependency {cmd} CHART [flags]"),
        ));
    }
    Ok(PathBuf::from(rudder::helmpath::go_clean(
        args.first().map_or(".", String::as_str),
    )))
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    match args.what {
        What::List(a) => run_list(a),
        What::Update(a) => run_fetch(a, settings, false),
        What::Build(a) => run_fetch(a, settings, true),
    }
}

fn run_list(a: ListArgs) -> anyhow::Result<()> {
    let path = chart_path(&a.chart, "list")?;
    let chart = rudder::chart::load(&path)?;
    let mut out = std::io::stdout().lock();
    if chart.metadata.dependencies.is_empty() && !chart.metadata.dependencies_non_nil {
        writeln!(
            out,
            "WARNING: no dependencies at {}",
            path.join("charts").display()
        )?;
        return Ok(());
    }
    let mut rows = vec![vec![
        "NAME".to_string(),
        "VERSION".into(),
        "REPOSITORY".into(),
        "STATUS".into(),
    ]];
    for d in &chart.metadata.dependencies {
        rows.push(vec![
            d.name.clone(),
            d.version.clone(),
            d.repository.clone(),
            dependency_status(&path, d, &chart),
        ]);
    }
    out.write_all(super::output::table(&rows, a.max_col_width as usize).as_bytes())?;
    writeln!(out)?;
    print_missing(&path, &chart, &mut out)?;
    Ok(())
}

/// Warnings for files in `charts/` that are not charts or not declared.
fn print_missing(
    path: &Path,
    chart: &rudder::chart::Chart,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(path.join("charts"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files {
        if !f.is_dir() && f.extension().is_none_or(|e| e != "tgz") {
            continue;
        }
        match rudder::chart::load(&f) {
            Err(_) => writeln!(out, "WARNING: \"{}\" is not a chart.", f.display())?,
            Ok(c) => {
                if !chart
                    .metadata
                    .dependencies
                    .iter()
                    .any(|d| d.name == c.name())
                {
                    writeln!(out, "WARNING: \"{}\" is not in Chart.yaml.", f.display())?;
                }
            }
        }
    }
    Ok(())
}

fn run_fetch(a: FetchArgs, settings: &Settings, build: bool) -> anyhow::Result<()> {
    let path = chart_path(&a.chart, if build { "build" } else { "update" })?;
    let mut stdout = std::io::stdout();
    let mut out = |line: &str| {
        let _ = writeln!(stdout, "{line}");
    };
    let mut log = super::repo::log_to_stderr;
    let registry = super::registry::client_for(&a.connection, settings)?;
    let mut m = Manager {
        chart_path: path,
        repository_config: settings.repository_config.clone(),
        repository_cache: settings.repository_cache.clone(),
        content_cache: settings.content_cache.clone(),
        skip_update: a.skip_refresh,
        out: &mut out,
        log: &mut log,
        registry: Some(&registry),
        // helm: `build --verify` verifies if possible, `update --verify` always.
        verify: a.verify.then(|| rudder::repo::provenance::DownloadCheck {
            keyring: super::verify::keyring_path(a.keyring.as_deref()),
            required: !build,
        }),
    };
    if build {
        m.build()?;
    } else {
        m.update()?;
    }
    Ok(())
}

/// helm's dependency check before template/install/upgrade: a chart whose
/// `charts/` lacks a declared dependency fails with `missing_error`, unless
/// `--dependency-update` is set; then `dependency update` runs on the
/// chart directory (its progress lines on stdout, as helm's `Out`) with a
/// registry client from the chart-path flags, and the chart is reloaded.
pub fn check_or_update(
    chart_path: &Path,
    chart: &mut rudder::chart::Chart,
    dependency_update: bool,
    path_args: &super::chart_path::ChartPathArgs,
    settings: &Settings,
    missing_error: impl FnOnce(&[String]) -> String,
) -> anyhow::Result<()> {
    let missing = rudder::chart::dependencies::missing_dependencies(chart);
    if missing.is_empty() {
        return Ok(());
    }
    if !dependency_update {
        anyhow::bail!("{}", missing_error(&missing));
    }
    let registry = super::registry::client_for(&path_args.connection, settings)?;
    let mut stdout = std::io::stdout();
    let mut out = |line: &str| {
        let _ = writeln!(stdout, "{line}");
    };
    let mut log = super::repo::log_to_stderr;
    Manager {
        chart_path: chart_path.to_path_buf(),
        repository_config: settings.repository_config.clone(),
        repository_cache: settings.repository_cache.clone(),
        content_cache: settings.content_cache.clone(),
        skip_update: false,
        out: &mut out,
        log: &mut log,
        registry: Some(&registry),
        verify: None,
    }
    .update()?;
    *chart = rudder::chart::load(chart_path)
        .map_err(|e| anyhow::anyhow!("failed reloading chart after repo update: {e}"))?;
    Ok(())
}
