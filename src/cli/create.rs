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

/// `filepath.Dir` and `filepath.Base` of the argument, as helm splits it.
fn split(name: &str) -> (PathBuf, String) {
    let p = Path::new(name);
    let base = p
        .file_name()
        .map(|b| b.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    (dir, base)
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
