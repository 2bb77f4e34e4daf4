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
#[derive(Clone, Debug)]
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

/// Renders `--template` as helm does: Go text/template named `_` over the
/// `version.BuildInfo` fields, Go's own error texts.
fn render_with_engine(template: &str, info: &BuildInfo) -> anyhow::Result<String> {
    use rudder::render::engine::{Engine, EngineOptions};
    let engine = Engine::new(
        rudder::render::funcs::standard_registry(),
        EngineOptions::default(),
    );
    let data = rudder::value::Value::Object(std::rc::Rc::new(info.clone()));
    engine
        .render_go("_", template, data)
        .map_err(anyhow::Error::msg)
}

/// `.` of `--template`: a struct, so an unknown field is Go's
/// `can't evaluate field X in type version.BuildInfo`.
impl rudder::value::Object for BuildInfo {
    fn type_name(&self) -> String {
        "version.BuildInfo".to_string()
    }
    fn kind_name(&self) -> &'static str {
        "struct"
    }
    fn get_field(&self, name: &str) -> Option<rudder::value::Value> {
        self.field(name).map(rudder::value::Value::str)
    }
    fn format_go(&self) -> String {
        format!(
            "{{{} {} {} {} {}}}",
            self.version,
            self.git_commit,
            self.git_tree_state,
            self.go_version,
            self.kube_client_version
        )
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
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
        let text = render_with_engine(t, &info)?;
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
        let got = render_with_engine("V={{ .Version }}/{{.KubeClientVersion}}", &info).unwrap();
        assert_eq!(got, format!("V={}/v1.37", info.version));
        assert!(render_with_engine("{{.Nope}}", &info).is_err());
    }

    #[test]
    fn template_errors_are_go_texts_as_helm_prints_them() {
        let info = BuildInfo::current();
        let err = |t: &str| render_with_engine(t, &info).unwrap_err().to_string();
        assert_eq!(err("{{"), "template: _:1: unclosed action");
        assert_eq!(
            err("{{.Nope}}"),
            "template: _:1:2: executing \"_\" at <.Nope>: can't evaluate field Nope in type version.BuildInfo"
        );
    }
}
