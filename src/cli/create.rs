//! `rudder create NAME [--starter STARTER]`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;
use rudder::chart::create::{create, create_from_starter};
use rudder::chart::Metadata;

use super::{exact_args, settings::Settings};

#[derive(ClapArgs, Debug)]
pub struct Args {
    #[arg(value_name = "NAME")]
    args: Vec<String>,
    /// the name or absolute path to Helm starter scaffold
    #[arg(short = 'p', long, value_name = "string")]
    starter: Option<String>,
}

/// `filepath.Dir` and `filepath.Base` of the argument, as helm splits it
/// (`foo/` is the chart `foo` inside the folder `foo`).
fn split(name: &str) -> (PathBuf, String) {
    let dir = match name.rfind('/') {
        Some(i) => rudder::helmpath::go_clean(&name[..=i]),
        None => ".".to_string(),
    };
    let trimmed = name.trim_end_matches('/');
    let base = if trimmed.is_empty() {
        if name.is_empty() { "." } else { "/" }.to_string()
    } else {
        trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
    };
    (PathBuf::from(dir), base)
}

pub fn run(args: Args, settings: &Settings) -> anyhow::Result<()> {
    exact_args(&args.args, 1, "rudder create", "rudder create NAME [flags]")?;
    let name = &args.args[0];
    let mut out = std::io::stdout().lock();
    writeln!(out, "Creating {name}")?;
    let (dir, chart_name) = split(name);
    if let Some(starter) = args.starter.filter(|s| !s.is_empty()) {
        let metadata = Metadata {
            name: chart_name,
            description: "A Helm chart for Kubernetes".into(),
            chart_type: "application".into(),
            version: "0.1.0".into(),
            app_version: "0.1.0".into(),
            api_version: "v2".into(),
            ..Default::default()
        };
        let path = if Path::new(&starter).is_absolute() {
            PathBuf::from(&starter)
        } else {
            settings.homes.data_path("starters").join(&starter)
        };
        create_from_starter(metadata, &dir, &path)?;
        return Ok(());
    }
    let mut warnings = Vec::new();
    let result = create(&chart_name, &dir, &mut |w| warnings.push(w));
    for w in warnings {
        writeln!(out, "{w}")?;
    }
    result?;
    Ok(())
}
