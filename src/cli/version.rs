//! `rudder version`: rudder's own build information in helm's format.

use std::io::Write;

use clap::Args as ClapArgs;

use super::{settings::Settings, usage_error};

#[derive(ClapArgs, Debug)]
pub struct Args {
    /// print the version number
    #[arg(long)]
    short: bool,
    /// template for version string format
    #[arg(long, value_name = "string")]
    template: Option<String>,
    #[arg(hide = true)]
    extra: Vec<String>,
}

/// The fields helm's `version.BuildInfo` exposes to `--template`.
struct BuildInfo {
    version: String,
    git_commit: String,
    git_tree_state: String,
    go_version: String,
    kube_client_version: String,
}

impl BuildInfo {
    fn current() -> BuildInfo {
        BuildInfo {
            version: format!("v{}", env!("CARGO_PKG_VERSION")),
            git_commit: option_env!("RUDDER_GIT_COMMIT").unwrap_or("").to_string(),
            git_tree_state: option_env!("RUDDER_GIT_TREE_STATE")
                .unwrap_or("")
                .to_string(),
            go_version: option_env!("RUDDER_RUSTC_VERSION")
                .unwrap_or("")
                .to_string(),
            kube_client_version: "v1.37".to_string(),
        }
    }

    fn field(&self, name: &str) -> Option<&str> {
        Some(match name {
            "Version" => &self.version,
            "GitCommit" => &self.git_commit,
            "GitTreeState" => &self.git_tree_state,
            "GoVersion" => &self.go_version,
            "KubeClientVersion" => &self.kube_client_version,
            _ => return None,
        })
    }

    /// `v1.2.3+gabcdef0` when the commit is known, as helm's `--short`.
    fn short(&self) -> String {
        if self.git_commit.is_empty() {
            self.version.clone()
        } else {
            let n = self.git_commit.len().min(7);
            format!("{}+g{}", self.version, &self.git_commit[..n])
        }
    }

    fn long(&self) -> String {
        format!(
            "version.BuildInfo{{Version:\"{}\", GitCommit:\"{}\", GitTreeState:\"{}\", GoVersion:\"{}\", KubeClientVersion:\"{}\"}}",
            self.version, self.git_commit, self.git_tree_state, self.go_version, self.kube_client_version
        )
    }
}

/// Expands `{{ .Field }}` actions. The version template only ever sees one
/// flat struct, so field references are all a template can usefully hold.
fn expand(template: &str, info: &BuildInfo) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| anyhow::anyhow!("template: version:1: unclosed action"))?;
        let action = after[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let name = action.strip_prefix('.').unwrap_or(action);
        match info.field(name) {
            Some(v) => out.push_str(v),
            None => anyhow::bail!(
                "template: version:1: executing \"version\" at <{action}>: can't evaluate field {name} in type version.BuildInfo"
            ),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn render_with_engine(template: &str, info: &BuildInfo) -> anyhow::Result<String> {
    use rudder::render::engine::{Engine, EngineOptions};
    use rudder::value::{MapData, Value};
    let mut data = MapData::new();
    for field in [
        "Version",
        "GitCommit",
        "GitTreeState",
        "GoVersion",
        "KubeClientVersion",
    ] {
        data.insert(
            field.to_string(),
            Value::str(info.field(field).unwrap_or("")),
        );
    }
    let engine = Engine::new(
        rudder::render::funcs::standard_registry(),
        EngineOptions::default(),
    );
    Ok(engine.render_string("version", template, Value::map(data))?)
}

pub fn run(args: Args, _settings: &Settings) -> anyhow::Result<()> {
    if !args.extra.is_empty() {
        return Err(usage_error(
            "\"rudder version\" accepts no arguments",
            "rudder version [flags]",
        ));
    }
    let info = BuildInfo::current();
    let mut out = std::io::stdout().lock();
    if let Some(t) = args.template.as_deref().filter(|t| !t.is_empty()) {
        // Plain field references need no engine; anything else (if, range,
        // pipelines) goes through the template engine with the fields as data.
        let text = match expand(t, &info) {
            Ok(text) => text,
            Err(_) => render_with_engine(t, &info)?,
        };
        write!(out, "{text}")?;
    } else if args.short {
        writeln!(out, "{}", info.short())?;
    } else {
        writeln!(out, "{}", info.long())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_fields() {
        let info = BuildInfo::current();
        let got = expand("V={{ .Version }}/{{.KubeClientVersion}}", &info).unwrap();
        assert_eq!(got, format!("V={}/v1.37", info.version));
        assert!(expand("{{.Nope}}", &info).is_err());
    }
}
