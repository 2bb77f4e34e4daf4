//! Helm's `EnvSettings`: global flags layered over `HELM_*` environment
//! variables layered over defaults. This is the only place that reads the
//! process environment.

use std::path::PathBuf;

use clap::Args;
use rudder::helmpath::HelmHomes;

/// The global flags every command accepts (helm's persistent flags).
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// client-side default throttling limit (default 100)
    #[arg(long = "burst-limit", global = true, value_name = "int")]
    pub burst_limit: Option<i64>,
    /// use colored output (never, auto, always) (default "auto")
    #[arg(long, global = true, value_name = "string")]
    pub color: Option<String>,
    /// use colored output (never, auto, always) (default "auto")
    #[arg(long, global = true, value_name = "string")]
    pub colour: Option<String>,
    /// path to the directory containing cached content (e.g. charts)
    #[arg(long = "content-cache", global = true, value_name = "string")]
    pub content_cache: Option<String>,
    /// enable verbose output
    #[arg(long, global = true)]
    pub debug: bool,
    /// cobra's help flag: the command's help instead of running it (see
    /// `help.rs`, which lists it among each command's own flags).
    #[arg(short = 'h', long, global = true)]
    pub help: bool,
    /// the address and the port for the Kubernetes API server
    #[arg(long = "kube-apiserver", global = true, value_name = "string")]
    pub kube_apiserver: Option<String>,
    /// group to impersonate for the operation, this flag can be repeated to specify multiple groups.
    #[arg(long = "kube-as-group", global = true, value_name = "stringArray")]
    pub kube_as_group: Vec<String>,
    /// username to impersonate for the operation
    #[arg(long = "kube-as-user", global = true, value_name = "string")]
    pub kube_as_user: Option<String>,
    /// the certificate authority file for the Kubernetes API server connection
    #[arg(long = "kube-ca-file", global = true, value_name = "string")]
    pub kube_ca_file: Option<String>,
    /// name of the kubeconfig context to use
    #[arg(long = "kube-context", global = true, value_name = "string")]
    pub kube_context: Option<String>,
    /// if true, the Kubernetes API server's certificate will not be checked for validity. This will make your HTTPS connections insecure
    #[arg(long = "kube-insecure-skip-tls-verify", global = true)]
    pub kube_insecure_skip_tls_verify: bool,
    /// server name to use for Kubernetes API server certificate validation. If it is not provided, the hostname used to contact the server is used
    #[arg(long = "kube-tls-server-name", global = true, value_name = "string")]
    pub kube_tls_server_name: Option<String>,
    /// bearer token used for authentication
    #[arg(long = "kube-token", global = true, value_name = "string")]
    pub kube_token: Option<String>,
    /// path to the kubeconfig file
    #[arg(long, global = true, value_name = "string")]
    pub kubeconfig: Option<String>,
    /// namespace scope for this request
    #[arg(short = 'n', long, global = true, value_name = "string")]
    pub namespace: Option<String>,
    /// queries per second used when communicating with the Kubernetes API, not including bursting
    #[arg(long, global = true, value_name = "float32")]
    pub qps: Option<f32>,
    /// path to the registry config file
    #[arg(long = "registry-config", global = true, value_name = "string")]
    pub registry_config: Option<String>,
    /// path to the directory containing cached repository indexes
    #[arg(long = "repository-cache", global = true, value_name = "string")]
    pub repository_cache: Option<String>,
    /// path to the file containing repository names and URLs
    #[arg(long = "repository-config", global = true, value_name = "string")]
    pub repository_config: Option<String>,
}

/// helm's check of `--color`/`$HELM_COLOR`.
pub fn validate_color(mode: &str) -> Result<(), String> {
    match mode {
        "never" | "auto" | "always" => Ok(()),
        other => Err(format!(
            "invalid color mode \"{other}\": must be one of: never, auto, always"
        )),
    }
}

/// Resolved settings every command reads (helm's `cli.EnvSettings`).
#[derive(Debug, Clone)]
#[allow(dead_code)] // fields are read by commands as they land
pub struct Settings {
    pub homes: HelmHomes,
    /// The namespace given with `-n` or `HELM_NAMESPACE`; `None` means "from
    /// kubeconfig, else default" (see [`Settings::namespace`]).
    pub namespace_override: Option<String>,
    pub kube_config: Option<String>,
    /// `--kubeconfig` as given (helm reports only the flag in `env`).
    pub kube_config_flag: Option<String>,
    pub kube_context: String,
    pub kube_token: String,
    pub kube_as_user: String,
    pub kube_as_groups: Vec<String>,
    pub kube_apiserver: String,
    pub kube_ca_file: String,
    pub kube_tls_server_name: String,
    pub kube_insecure_skip_tls_verify: bool,
    pub debug: bool,
    pub registry_config: PathBuf,
    pub repository_config: PathBuf,
    pub repository_cache: PathBuf,
    pub content_cache: PathBuf,
    pub plugins_directory: PathBuf,
    pub max_history: i64,
    pub burst_limit: i64,
    pub qps: f32,
    pub color: String,
    /// `os.Args[0]`, reported as `HELM_BIN`.
    pub bin: String,
}

fn env_var(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

fn env_nonempty(key: &str) -> Option<String> {
    env_var(key).filter(|v| !v.is_empty())
}

/// Go's `strconv.ParseBool`, which helm uses for boolean environment variables.
fn env_bool(key: &str) -> Option<bool> {
    match env_var(key)?.as_str() {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn env_int(key: &str, default: i64) -> i64 {
    env_var(key)
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(default)
}

impl Settings {
    /// Template engine options for this process: the functions see the local
    /// zone from `TZ` (as Go's `time.Local` does) and may resolve host names
    /// only with `--enable-dns`.
    pub fn engine_options(&self, enable_dns: bool) -> rudder::render::engine::EngineOptions {
        let mut options = rudder::render::engine::EngineOptions::default();
        options
            .env
            .set_local_from_tz(std::env::var("TZ").ok().as_deref());
        options.env.enable_dns = enable_dns;
        options
    }

    /// Environment first, then the flags given on the command line.
    pub fn from_env(flags: &GlobalArgs) -> Settings {
        let homes = HelmHomes::resolve(&env_var);
        let path_or = |flag: &Option<String>, var: &str, default: PathBuf| -> PathBuf {
            flag.clone()
                .or_else(|| env_nonempty(var))
                .map(PathBuf::from)
                .unwrap_or(default)
        };
        let string_or = |flag: &Option<String>, var: &str| -> String {
            flag.clone().or_else(|| env_var(var)).unwrap_or_default()
        };
        let color = flags
            .color
            .clone()
            .or_else(|| flags.colour.clone())
            .or_else(|| env_nonempty("HELM_COLOR"))
            .unwrap_or_else(|| "auto".to_string());
        let color = if env_nonempty("NO_COLOR").is_some() {
            "never".to_string()
        } else {
            color
        };
        let kube_as_groups = if flags.kube_as_group.is_empty() {
            env_nonempty("HELM_KUBEASGROUPS")
                .map(|v| v.split(',').map(str::to_string).collect())
                .unwrap_or_default()
        } else {
            // helm parses its persistent flags twice, so a repeated-array
            // flag reaches `env` doubled; reproduce what it reports.
            let mut v = flags.kube_as_group.clone();
            v.extend(flags.kube_as_group.iter().cloned());
            v
        };
        Settings {
            namespace_override: flags
                .namespace
                .clone()
                .or_else(|| env_nonempty("HELM_NAMESPACE"))
                .filter(|ns| !ns.is_empty()),
            kube_config: flags
                .kubeconfig
                .clone()
                .or_else(|| env_nonempty("KUBECONFIG")),
            kube_config_flag: flags.kubeconfig.clone(),
            kube_context: string_or(&flags.kube_context, "HELM_KUBECONTEXT"),
            kube_token: string_or(&flags.kube_token, "HELM_KUBETOKEN"),
            kube_as_user: string_or(&flags.kube_as_user, "HELM_KUBEASUSER"),
            kube_as_groups,
            kube_apiserver: string_or(&flags.kube_apiserver, "HELM_KUBEAPISERVER"),
            kube_ca_file: string_or(&flags.kube_ca_file, "HELM_KUBECAFILE"),
            kube_tls_server_name: string_or(
                &flags.kube_tls_server_name,
                "HELM_KUBETLS_SERVER_NAME",
            ),
            kube_insecure_skip_tls_verify: flags.kube_insecure_skip_tls_verify
                || env_bool("HELM_KUBEINSECURE_SKIP_TLS_VERIFY").unwrap_or(false),
            debug: flags.debug || env_bool("HELM_DEBUG").unwrap_or(false),
            registry_config: path_or(
                &flags.registry_config,
                "HELM_REGISTRY_CONFIG",
                homes.config_path("registry/config.json"),
            ),
            repository_config: path_or(
                &flags.repository_config,
                "HELM_REPOSITORY_CONFIG",
                homes.config_path("repositories.yaml"),
            ),
            repository_cache: path_or(
                &flags.repository_cache,
                "HELM_REPOSITORY_CACHE",
                homes.cache_path("repository"),
            ),
            content_cache: path_or(
                &flags.content_cache,
                "HELM_CONTENT_CACHE",
                homes.cache_path("content"),
            ),
            plugins_directory: path_or(&None, "HELM_PLUGINS", homes.data_path("plugins")),
            max_history: env_int("HELM_MAX_HISTORY", 10),
            burst_limit: flags
                .burst_limit
                .unwrap_or_else(|| env_int("HELM_BURST_LIMIT", 100)),
            qps: flags.qps.unwrap_or_else(|| {
                env_var("HELM_QPS")
                    .and_then(|v| v.parse::<f32>().ok())
                    .unwrap_or(0.0)
            }),
            color,
            bin: std::env::args()
                .next()
                .unwrap_or_else(|| "rudder".to_string()),
            homes,
        }
    }

    /// The namespace for this request: the flag/env value, else the
    /// namespace of the kubeconfig's current context, else `default`.
    pub fn namespace(&self) -> String {
        if let Some(ns) = &self.namespace_override {
            return ns.clone();
        }
        self.kubeconfig_namespace()
            .filter(|ns| !ns.is_empty())
            .unwrap_or_else(|| "default".to_string())
    }

    /// The kubeconfig files in use: `--kubeconfig`, else every path in
    /// `$KUBECONFIG`, else `~/.kube/config`.
    pub fn kubeconfig_paths(&self) -> Vec<PathBuf> {
        match &self.kube_config {
            Some(k) if self.kube_config_flag.is_some() => vec![PathBuf::from(k)],
            Some(k) => k
                .split(':')
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect(),
            None => env_var("HOME")
                .map(|h| vec![PathBuf::from(h).join(".kube/config")])
                .unwrap_or_default(),
        }
    }

    fn kubeconfig_namespace(&self) -> Option<String> {
        let docs: Vec<rudder::value::Value> = self
            .kubeconfig_paths()
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter_map(|text| rudder::values::yaml::unmarshal(&text).ok())
            .collect();
        let str_of =
            |v: Option<rudder::value::Value>| v.and_then(|v| v.as_str().map(str::to_string));
        // The first file that sets current-context wins, as in client-go.
        let context = Some(self.kube_context.clone())
            .filter(|c| !c.is_empty())
            .or_else(|| {
                docs.iter()
                    .find_map(|d| str_of(d.get("current-context")).filter(|c| !c.is_empty()))
            })?;
        docs.iter().find_map(|d| {
            let list = d.get("contexts")?;
            let items = list.as_list()?.items.borrow().clone();
            items
                .iter()
                .find(|c| str_of(c.get("name")).as_deref() == Some(context.as_str()))
                .and_then(|c| str_of(c.get("context").and_then(|x| x.get("namespace"))))
        })
    }

    /// The key/value pairs `rudder env` prints, as helm's `EnvVars()`.
    pub fn env_vars(&self) -> Vec<(&'static str, String)> {
        let p = |p: &PathBuf| p.display().to_string();
        let mut vars = vec![
            ("HELM_BIN", self.bin.clone()),
            ("HELM_CACHE_HOME", p(&self.homes.cache)),
            ("HELM_CONFIG_HOME", p(&self.homes.config)),
            ("HELM_DATA_HOME", p(&self.homes.data)),
            ("HELM_DEBUG", self.debug.to_string()),
            ("HELM_PLUGINS", p(&self.plugins_directory)),
            ("HELM_REGISTRY_CONFIG", p(&self.registry_config)),
            ("HELM_REPOSITORY_CACHE", p(&self.repository_cache)),
            ("HELM_CONTENT_CACHE", p(&self.content_cache)),
            ("HELM_REPOSITORY_CONFIG", p(&self.repository_config)),
            ("HELM_NAMESPACE", self.namespace()),
            ("HELM_MAX_HISTORY", self.max_history.to_string()),
            ("HELM_BURST_LIMIT", self.burst_limit.to_string()),
            ("HELM_QPS", format!("{:.2}", self.qps)),
            ("HELM_KUBECONTEXT", self.kube_context.clone()),
            ("HELM_KUBETOKEN", self.kube_token.clone()),
            ("HELM_KUBEASUSER", self.kube_as_user.clone()),
            ("HELM_KUBEASGROUPS", self.kube_as_groups.join(",")),
            ("HELM_KUBEAPISERVER", self.kube_apiserver.clone()),
            ("HELM_KUBECAFILE", self.kube_ca_file.clone()),
            (
                "HELM_KUBEINSECURE_SKIP_TLS_VERIFY",
                self.kube_insecure_skip_tls_verify.to_string(),
            ),
            (
                "HELM_KUBETLS_SERVER_NAME",
                self.kube_tls_server_name.clone(),
            ),
        ];
        if let Some(kc) = self.kube_config_flag.as_ref().filter(|k| !k.is_empty()) {
            vars.push(("KUBECONFIG", kc.clone()));
        }
        vars.sort_by(|a, b| a.0.cmp(b.0));
        vars
    }
}
