//! `rudder repo add` and `rudder repo update`.

use std::io::{Read, Write};
use std::time::Duration;

use clap::Args as ClapArgs;
use rudder::repo::chart_repo::{download_index_file, entry_options};
use rudder::repo::{config, RepoEntry, RepoFile};

use super::settings::Settings;

/// Repositories that were shut down (helm refuses them by default).
const DEPRECATED_REPOS: &[(&str, &str)] = &[
    (
        "//kubernetes-charts.storage.googleapis.com",
        "https://charts.helm.sh/stable",
    ),
    (
        "//kubernetes-charts-incubator.storage.googleapis.com",
        "https://charts.helm.sh/incubator",
    ),
];

#[derive(ClapArgs, Debug)]
pub struct AddArgs {
    #[arg(value_name = "NAME URL")]
    args: Vec<String>,
    /// chart repository username
    #[arg(long, value_name = "string", default_value = "")]
    username: String,
    /// chart repository password
    #[arg(long, value_name = "string", default_value = "")]
    password: String,
    /// read chart repository password from stdin
    #[arg(long = "password-stdin")]
    password_stdin: bool,
    /// replace (overwrite) the repo if it already exists
    #[arg(long = "force-update")]
    force_update: bool,
    /// identify HTTPS client using this SSL certificate file
    #[arg(long = "cert-file", value_name = "string", default_value = "")]
    cert_file: String,
    /// identify HTTPS client using this SSL key file
    #[arg(long = "key-file", value_name = "string", default_value = "")]
    key_file: String,
    /// verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long = "ca-file", value_name = "string", default_value = "")]
    ca_file: String,
    /// skip tls certificate checks for the repository
    #[arg(long = "insecure-skip-tls-verify")]
    insecure_skip_tls_verify: bool,
    /// by default, this command will not allow adding official repos that have been permanently deleted. This disables that behavior
    #[arg(long = "allow-deprecated-repos")]
    allow_deprecated_repos: bool,
    /// pass credentials to all domains
    #[arg(long = "pass-credentials")]
    pass_credentials: bool,
    /// time to wait for the index file download to complete
    #[arg(long, value_name = "duration", default_value = "2m0s", value_parser = parse_duration)]
    timeout: Duration,
}

#[derive(ClapArgs, Debug)]
pub struct UpdateArgs {
    #[arg(value_name = "REPO")]
    names: Vec<String>,
    /// time to wait for the index file download to complete
    #[arg(long, value_name = "duration", default_value = "2m0s", value_parser = parse_duration)]
    timeout: Duration,
}

/// Go's `time.ParseDuration` for the common forms (`90s`, `2m0s`, `1h`, `500ms`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("time: invalid duration \"{s}\"");
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total = 0f64;
    let mut rest = s;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if num_end == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..num_end].parse().map_err(|_| bad())?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => return Err(format!("time: missing unit in duration \"{s}\"")),
            u => return Err(format!("time: unknown unit \"{u}\" in duration \"{s}\"")),
        };
        total += n * scale;
        rest = &rest[unit_end..];
    }
    Ok(Duration::from_secs_f64(total))
}

pub fn run_add(a: AddArgs, settings: &Settings) -> anyhow::Result<()> {
    super::exact_args(
        &a.args,
        2,
        "rudder repo add",
        "rudder repo add [NAME] [URL] [flags]",
    )?;
    let (name, url) = (a.args[0].clone(), a.args[1].clone());
    if !a.allow_deprecated_repos {
        for (old, new) in DEPRECATED_REPOS {
            if url.contains(old) {
                anyhow::bail!("repo \"{url}\" is no longer available; try \"{new}\" instead");
            }
        }
    }
    let repo_file = &settings.repository_config;
    if let Some(dir) = repo_file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let _lock = config::lock(repo_file)?;
    let mut f = RepoFile::load_or_empty(repo_file)?;
    let mut password = a.password.clone();
    if !a.username.is_empty() && password.is_empty() {
        if a.password_stdin {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            let s = s.strip_suffix('\n').unwrap_or(&s);
            password = s.strip_suffix('\r').unwrap_or(s).to_string();
        } else {
            print!("Password: ");
            std::io::stdout().flush()?;
            let mut s = String::new();
            std::io::stdin().read_line(&mut s)?;
            println!();
            password = s.trim_end_matches(['\n', '\r']).to_string();
        }
    }
    let entry = RepoEntry {
        name: name.clone(),
        url: url.clone(),
        username: a.username.clone(),
        password,
        cert_file: a.cert_file.clone(),
        key_file: a.key_file.clone(),
        ca_file: a.ca_file.clone(),
        insecure_skip_tls_verify: a.insecure_skip_tls_verify,
        pass_credentials_all: a.pass_credentials,
    };
    if name.contains('/') {
        anyhow::bail!(
            "repository name ({name}) contains '/', please specify a different name without '/'"
        );
    }
    if !a.force_update {
        if let Some(existing) = f.get(&name) {
            if *existing != entry {
                anyhow::bail!(
                    "repository name ({name}) already exists, please specify a different name"
                );
            }
            println!("\"{name}\" already exists with the same configuration, skipping");
            return Ok(());
        }
    }
    rudder::repo::chart_repo::check_url(&url)?;
    let opts = entry_options(&entry, Some(a.timeout));
    download_index_file(
        &entry,
        &settings.repository_cache,
        &opts,
        false,
        &mut super::repo::log_to_stderr,
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "looks like \"{url}\" is not a valid chart repository or cannot be reached: {e}"
        )
    })?;
    f.update(entry);
    f.write(repo_file)?;
    println!("\"{name}\" has been added to your repositories");
    Ok(())
}

pub fn run_update(a: UpdateArgs, settings: &Settings) -> anyhow::Result<()> {
    let f = match RepoFile::load(&settings.repository_config) {
        Ok(f) => f,
        Err(e) if e.is_not_found() => {
            anyhow::bail!("no repositories found. You must add one before updating")
        }
        Err(e) => anyhow::bail!(
            "failed loading file: {}: {e}",
            settings.repository_config.display()
        ),
    };
    if f.repositories.is_empty() {
        anyhow::bail!("no repositories found. You must add one before updating");
    }
    for n in &a.names {
        if !f.repositories.iter().any(|r| &r.name == n) {
            anyhow::bail!("no repositories found matching '{n}'.  Nothing will be updated");
        }
    }
    let repos: Vec<RepoEntry> = f
        .repositories
        .iter()
        .filter(|r| a.names.is_empty() || a.names.contains(&r.name))
        .cloned()
        .collect();
    println!("Hang tight while we grab the latest from your chart repositories...");
    let cache = settings.repository_cache.clone();
    let timeout = a.timeout;
    let lines = std::sync::Mutex::new(Vec::<String>::new());
    let failed = std::sync::Mutex::new(Vec::<String>::new());
    let reporter = rudder::repo::progress::for_stdout(repos.len());
    let reporter = reporter.as_ref();
    std::thread::scope(|s| {
        for r in &repos {
            let cache = &cache;
            let lines = &lines;
            let failed = &failed;
            s.spawn(move || {
                reporter.started(&r.name);
                let opts = entry_options(r, Some(timeout));
                let mut logs = Vec::new();
                let res = download_index_file(r, cache, &opts, true, &mut |rec| logs.push(rec));
                for rec in logs {
                    super::repo::log_to_stderr(rec);
                }
                let line = match res {
                    Ok(_) => format!("...Successfully got an update from the \"{}\" chart repository", r.name),
                    Err(e) => {
                        if let Ok(mut f) = failed.lock() {
                            f.push(r.url.clone());
                        }
                        format!(
                            "...Unable to get an update from the \"{}\" chart repository ({}):\n\t{e}",
                            r.name, r.url
                        )
                    }
                };
                reporter.finished(&r.name, &line);
                if let Ok(mut l) = lines.lock() {
                    l.push(line);
                }
            });
        }
    });
    reporter.done();
    let failed = failed.into_inner().unwrap_or_default();
    if !failed.is_empty() {
        anyhow::bail!(
            "failed to update the following repositories: [{}]",
            failed.join(" ")
        );
    }
    println!("Update Complete. ⎈Happy Helming!⎈");
    Ok(())
}
