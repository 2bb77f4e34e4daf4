//! `rudder search repo [KEYWORD]`: search the cached indexes of the
//! configured repositories (through rudder's derived search cache).

use std::io::Write;

use clap::{Args as ClapArgs, Subcommand};
use rudder::repo::search::{search, Query, SearchResult};
use rudder::repo::search_cache::load_repo;
use rudder::repo::RepoFile;
use rudder::value::Value;

use super::output::{json_records, yaml_records, OutputFormat, Record};
use super::settings::Settings;

#[derive(ClapArgs, Debug)]
#[command(arg_required_else_help = true, subcommand_required = true)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand, Debug)]
enum What {
    /// search repositories for a keyword in charts
    Repo(RepoArgs),
}

#[derive(ClapArgs, Debug)]
struct RepoArgs {
    #[arg(value_name = "keyword")]
    keywords: Vec<String>,
    /// use regular expressions for searching repositories you have added
    #[arg(short = 'r', long)]
    regexp: bool,
    /// show the long listing, with each version of each chart on its own line, for repositories you have added
    #[arg(short = 'l', long)]
    versions: bool,
    /// use development versions (alpha, beta, and release candidate releases), too. Equivalent to version '>0.0.0-0'. If --version is set, this is ignored
    #[arg(long)]
    devel: bool,
    /// search using semantic versioning constraints on repositories you have added
    #[arg(long, value_name = "string")]
    version: Option<String>,
    /// maximum column width for output table
    #[arg(long = "max-col-width", value_name = "uint", default_value_t = 50)]
    max_col_width: u32,
    /// search fails if no results are found
    #[arg(long = "fail-on-no-result")]
    fail_on_no_result: bool,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, value_name = "format", default_value = "table", value_parser = OutputFormat::parse)]
    output: OutputFormat,
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    match args.what {
        What::Repo(a) => run_repo(a, settings),
    }
}

fn run_repo(a: RepoArgs, settings: &Settings) -> anyhow::Result<()> {
    let version = match a.version.as_deref() {
        Some(v) if !v.is_empty() => v.to_string(),
        _ if a.devel => ">0.0.0-0".to_string(),
        _ => ">0.0.0".to_string(),
    };
    let rf = RepoFile::load(&settings.repository_config);
    let rf = match rf {
        Ok(rf) if !rf.repositories.is_empty() => rf,
        Err(e) if !e.is_not_found() => RepoFile::default(),
        _ => anyhow::bail!("no repositories configured"),
    };
    if rf.repositories.is_empty() {
        anyhow::bail!("no repositories configured");
    }
    let mut repos = Vec::new();
    let mut stderr = std::io::stderr().lock();
    for entry in &rf.repositories {
        match load_repo(&settings.repository_cache, &entry.name) {
            Ok(cached) => {
                for w in &cached.warnings {
                    let _ = writeln!(stderr, "{w}");
                }
                repos.push((entry.name.clone(), cached.records));
            }
            Err(e) => {
                let rec = rudder::log::Record::new(
                    rudder::log::Level::Warn,
                    "repo is corrupt or missing",
                )
                .attr("repo", entry.name.as_str())
                .attr("error", e);
                let _ = writeln!(stderr, "{rec}");
            }
        }
    }
    let query = Query {
        term: (!a.keywords.is_empty()).then(|| a.keywords.join(" ")),
        regexp: a.regexp,
        versions: a.versions,
        version,
    };
    let results = search(&repos, &query)?;
    let mut out = std::io::stdout().lock();
    match a.output {
        OutputFormat::Table => {
            if results.is_empty() {
                if a.fail_on_no_result {
                    anyhow::bail!("no results found");
                }
                out.write_all(b"No results found\n")?;
                return Ok(());
            }
            let mut rows = vec![vec![
                "NAME".to_string(),
                "CHART VERSION".into(),
                "APP VERSION".into(),
                "DESCRIPTION".into(),
            ]];
            for r in &results {
                rows.push(vec![
                    r.name.clone(),
                    r.record.version.to_string(),
                    r.record.app_version.to_string(),
                    r.record.description.to_string(),
                ]);
            }
            out.write_all(super::output::table(&rows, a.max_col_width as usize).as_bytes())?;
        }
        format => {
            if results.is_empty() && a.fail_on_no_result {
                anyhow::bail!("no results found");
            }
            let records: Vec<Record> = results.iter().map(element).collect();
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

fn element(r: &SearchResult<'_>) -> Record {
    vec![
        ("name", Value::str(&r.name)),
        ("version", Value::str(&r.record.version)),
        ("app_version", Value::str(&r.record.app_version)),
        ("description", Value::str(&r.record.description)),
    ]
}
