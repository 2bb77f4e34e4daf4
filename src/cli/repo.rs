//! `rudder repo add|update|list|remove|index`.

use std::io::Write;
use std::path::Path;

use clap::{Args as ClapArgs, Subcommand};
use rudder::log::Record as LogRecord;
use rudder::repo::{cache_paths, config, index_dir, index_encode, RepoFile};
use rudder::value::Value;

use super::output::{json_records, table, yaml_records, OutputFormat, Record};
use super::settings::Settings;
use super::{exact_args, minimum_args};

#[derive(ClapArgs, Debug)]
#[command(arg_required_else_help = true, subcommand_required = true)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand, Debug)]
enum What {
    /// add a chart repository
    Add(super::repo_add::AddArgs),
    /// generate an index file given a directory containing packaged charts
    Index(IndexArgs),
    /// list chart repositories
    #[command(alias = "ls")]
    List(ListArgs),
    /// remove one or more chart repositories
    #[command(alias = "rm")]
    Remove(RemoveArgs),
    /// update information of available charts locally from chart repositories
    #[command(alias = "up")]
    Update(super::repo_add::UpdateArgs),
}

#[derive(ClapArgs, Debug)]
struct IndexArgs {
    #[arg(value_name = "DIR")]
    args: Vec<String>,
    /// url of chart repository
    #[arg(long, value_name = "string", default_value = "")]
    url: String,
    /// merge the generated index into the given index
    #[arg(long, value_name = "string", default_value = "")]
    merge: String,
    /// output in JSON format
    #[arg(long)]
    json: bool,
}

#[derive(ClapArgs, Debug)]
struct ListArgs {
    #[arg(value_name = "ARGS", hide = true)]
    args: Vec<String>,
    /// suppress headers in the output
    #[arg(long = "no-headers")]
    no_headers: bool,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, value_name = "format", default_value = "table", value_parser = OutputFormat::parse)]
    output: OutputFormat,
}

#[derive(ClapArgs, Debug)]
struct RemoveArgs {
    #[arg(value_name = "REPO")]
    names: Vec<String>,
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    match args.what {
        What::Add(a) => super::repo_add::run_add(a, settings),
        What::Update(a) => super::repo_add::run_update(a, settings),
        What::Index(a) => run_index(a),
        What::List(a) => run_list(a, settings),
        What::Remove(a) => run_remove(a, settings),
    }
}

/// Prints library log records on stderr as helm's slog handler does.
pub fn log_to_stderr(r: LogRecord) {
    let _ = writeln!(std::io::stderr().lock(), "{r}");
}

fn run_index(a: IndexArgs) -> anyhow::Result<()> {
    exact_args(
        &a.args,
        1,
        "rudder repo index",
        "rudder repo index [DIR] [flags]",
    )?;
    let dir = std::path::absolute(&a.args[0])?;
    let out = dir.join("index.yaml");
    let mut index = index_dir::index_directory(&dir, &a.url)?;
    if !a.merge.is_empty() {
        let merge_path = Path::new(&a.merge);
        // Big indexes in helm's own layout are merged chart by chart.
        if !a.json
            && merge_path.exists()
            && rudder::repo::index_merge::merge_into_file(
                &index,
                merge_path,
                &out,
                &mut log_to_stderr,
            )
            .map_err(|e| anyhow::anyhow!(rudder::chart::loader::go_io_error("open", &out, &e)))?
        {
            std::mem::forget(index);
            return Ok(());
        }
        let other = if merge_path.exists() {
            rudder::repo::index_decode::load_index_file(merge_path, &mut log_to_stderr)
                .map_err(|e| anyhow::anyhow!("merge failed: {e}"))?
        } else {
            let empty = rudder::repo::IndexFile::new();
            let _ = write_index(&empty, merge_path, a.json);
            empty
        };
        index.merge(other, &mut log_to_stderr);
    }
    index.sort_entries();
    write_index(&index, &out, a.json)?;
    // The process ends here; freeing a big index entry by entry would only cost time.
    std::mem::forget(index);
    Ok(())
}

fn write_index(index: &rudder::repo::IndexFile, dest: &Path, json: bool) -> anyhow::Result<()> {
    let text = if json {
        index_encode::to_json_indented(index)?
    } else {
        index_encode::to_yaml(index)?
    };
    // helm names the file it could not create (its temporary file beside
    // `dest`): say which index could not be written, not just why.
    rudder::repo::atomic_file::write_atomic(dest, text.as_bytes(), 0o644)
        .map_err(|e| anyhow::anyhow!(rudder::chart::loader::go_io_error("open", dest, &e)))?;
    Ok(())
}

fn run_list(a: ListArgs, settings: &Settings) -> anyhow::Result<()> {
    if !a.args.is_empty() {
        anyhow::bail!("unknown command \"{}\" for \"rudder repo list\"", a.args[0]);
    }
    let f = RepoFile::load(&settings.repository_config).unwrap_or_default();
    if f.repositories.is_empty() && a.output == OutputFormat::Table {
        eprintln!("no repositories to show");
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match a.output {
        OutputFormat::Table => {
            let mut rows = Vec::new();
            if !a.no_headers {
                rows.push(vec!["NAME".to_string(), "URL".to_string()]);
            }
            for r in &f.repositories {
                rows.push(vec![r.name.clone(), r.url.clone()]);
            }
            out.write_all(table(&rows, 0).as_bytes())?;
        }
        format => {
            let records: Vec<Record> = f
                .repositories
                .iter()
                .map(|r| vec![("name", Value::str(&r.name)), ("url", Value::str(&r.url))])
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

fn run_remove(a: RemoveArgs, settings: &Settings) -> anyhow::Result<()> {
    minimum_args(
        &a.names,
        1,
        "rudder repo remove",
        "rudder repo remove [REPO1 [REPO2 ...]] [flags]",
    )?;
    let path = &settings.repository_config;
    let _lock = config::lock(path)?;
    let mut f = match RepoFile::load(path) {
        Ok(f) if !f.repositories.is_empty() => f,
        Err(e) if !e.is_not_found() => RepoFile::default(),
        _ => anyhow::bail!("no repositories configured"),
    };
    if f.repositories.is_empty() {
        anyhow::bail!("no repositories configured");
    }
    let mut out = std::io::stdout().lock();
    for name in &a.names {
        if !f.remove(name) {
            anyhow::bail!("no repo named \"{name}\" found");
        }
        f.write(path)?;
        remove_repo_cache(&settings.repository_cache, name)?;
        writeln!(out, "\"{name}\" has been removed from your repositories")?;
    }
    Ok(())
}

fn remove_repo_cache(root: &Path, name: &str) -> anyhow::Result<()> {
    let _ = std::fs::remove_file(cache_paths::charts_path(root, name));
    let _ = std::fs::remove_file(cache_paths::search_cache_path(root, name));
    let idx = cache_paths::index_path(root, name);
    match std::fs::remove_file(&idx) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => anyhow::bail!("can't remove index file {}: {e}", idx.display()),
    }
}
