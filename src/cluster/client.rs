//! Connecting to the API server from a kubeconfig plus helm's `--kube-*` overrides.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use super::discovery::GroupVersionResources;

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// Configuration problems: helm reports them as "Kubernetes cluster unreachable".
    #[error("kubernetes cluster unreachable: {0}")]
    Unreachable(String),
    /// An API error: the HTTP code and the server's `Status.message`.
    #[error("{message}")]
    Api { code: u16, message: String },
    /// A kind discovery does not know; `served` says whether its group/version exists.
    #[error("no matches for kind \"{kind}\" in version \"{api_version}\"")]
    NoMatch {
        api_version: String,
        kind: String,
        served: bool,
    },
    #[error("{0}")]
    Other(String),
}

impl ClusterError {
    pub fn from_kube(e: kube::Error) -> ClusterError {
        match e {
            kube::Error::Api(s) => ClusterError::Api {
                code: s.code,
                message: s.message.clone(),
            },
            other => ClusterError::Other(other.to_string()),
        }
    }

    /// Whether the API answered 409 (an apply conflict, an existing object).
    pub fn is_conflict(&self) -> bool {
        matches!(self, ClusterError::Api { code: 409, .. })
    }

    /// Whether a kube error is a 404.
    pub fn is_not_found_kube(e: &kube::Error) -> bool {
        matches!(e, kube::Error::Api(s) if s.code == 404)
    }
}

/// helm's `--kube-*` global flags and `KUBECONFIG`.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// `--kubeconfig` / `KUBECONFIG` (a `:`-separated list is merged).
    pub kubeconfig: Option<String>,
    /// The path came from `--kubeconfig`: a missing file is an error. Paths
    /// from `KUBECONFIG` (or the default `~/.kube/config`) that do not exist
    /// are skipped, and with none left client-go's default applies
    /// (`http://localhost:8080`, namespace `default`).
    pub kubeconfig_explicit: bool,
    pub context: Option<String>,
    pub apiserver: Option<String>,
    pub token: Option<String>,
    pub as_user: Option<String>,
    pub as_groups: Vec<String>,
    pub ca_file: Option<String>,
    pub insecure_skip_tls_verify: bool,
    pub tls_server_name: Option<String>,
}

/// One connection for the duration of a command.
pub struct KubeCluster {
    rt: tokio::runtime::Runtime,
    client: Client,
    /// The namespace of the kubeconfig context (`default` when unset).
    pub default_namespace: String,
    /// The API server URL, for Go-style error texts.
    pub server: String,
    pub(crate) discovery: RefCell<HashMap<String, GroupVersionResources>>,
}

/// client-go's configuration when no kubeconfig file exists.
const DEFAULT_SERVER: &str = "http://localhost:8080";

/// The kubeconfig files merged (`path` is `:`-separated, resolved by the
/// caller: flag, `KUBECONFIG` or `~/.kube/config`); `None` when none of the
/// (non-explicit) paths exist.
fn read_kubeconfig(
    path: &Option<String>,
    explicit: bool,
) -> Result<Option<Kubeconfig>, ClusterError> {
    let unreachable = |e: kube::config::KubeconfigError| ClusterError::Unreachable(e.to_string());
    let Some(path) = path.as_deref().filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let mut merged: Option<Kubeconfig> = None;
    for part in path.split(':').filter(|s| !s.is_empty()) {
        if !std::path::Path::new(part).exists() {
            if !explicit {
                continue;
            }
            return Err(ClusterError::Unreachable(format!(
                "stat {part}: no such file or directory"
            )));
        }
        let kc = Kubeconfig::read_from(part).map_err(unreachable)?;
        merged = Some(match merged {
            Some(m) => m.merge(kc).map_err(unreachable)?,
            None => kc,
        });
    }
    Ok(merged)
}

/// client-go's checks of the context before anything is dialled: a
/// `--kube-context` must name a context of the kubeconfig (there are none
/// without a kubeconfig file), while a `current-context` that names none is
/// an invalid configuration.
fn confirm_context(kc: Option<&Kubeconfig>, opts: &ConnectOptions) -> Result<(), ClusterError> {
    let exists = |name: &str| kc.is_some_and(|kc| kc.contexts.iter().any(|c| c.name == name));
    if let Some(ctx) = opts.context.as_deref().filter(|s| !s.is_empty()) {
        if !exists(ctx) {
            return Err(ClusterError::Unreachable(format!(
                "context {ctx:?} does not exist"
            )));
        }
        return Ok(());
    }
    match kc.and_then(|kc| kc.current_context.as_deref()) {
        Some(current) if !current.is_empty() && !exists(current) => {
            Err(ClusterError::Unreachable(format!(
                "invalid configuration: context was not found for specified context: {current}"
            )))
        }
        _ => Ok(()),
    }
}

impl KubeCluster {
    pub fn connect(opts: &ConnectOptions) -> Result<KubeCluster, ClusterError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ClusterError::Other(e.to_string()))?;
        let (client, default_namespace, server) = rt.block_on(async {
            let mut config = if opts.apiserver.is_some() && opts.kubeconfig.is_none() {
                match read_kubeconfig(&None, false) {
                    Ok(Some(kc)) => Self::config_from(kc, opts).await?,
                    _ => {
                        confirm_context(None, opts)?;
                        Config::new(
                            opts.apiserver
                                .clone()
                                .unwrap_or_default()
                                .parse()
                                .map_err(|e| ClusterError::Unreachable(format!("{e}")))?,
                        )
                    }
                }
            } else {
                match read_kubeconfig(&opts.kubeconfig, opts.kubeconfig_explicit)? {
                    Some(kc) => Self::config_from(kc, opts).await?,
                    None => {
                        confirm_context(None, opts)?;
                        Config::new(
                            DEFAULT_SERVER
                                .parse()
                                .map_err(|e| ClusterError::Unreachable(format!("{e}")))?,
                        )
                    }
                }
            };
            Self::apply_overrides(&mut config, opts)?;
            let ns = config.default_namespace.clone();
            let server = config
                .cluster_url
                .to_string()
                .trim_end_matches('/')
                .to_string();
            let client =
                Client::try_from(config).map_err(|e| ClusterError::Unreachable(e.to_string()))?;
            Ok::<_, ClusterError>((client, ns, server))
        })?;
        Ok(KubeCluster {
            rt,
            client,
            default_namespace,
            server,
            discovery: RefCell::new(HashMap::new()),
        })
    }

    async fn config_from(kc: Kubeconfig, opts: &ConnectOptions) -> Result<Config, ClusterError> {
        confirm_context(Some(&kc), opts)?;
        let options = KubeConfigOptions {
            context: opts.context.clone().filter(|s| !s.is_empty()),
            cluster: None,
            user: None,
        };
        Config::from_custom_kubeconfig(kc, &options)
            .await
            .map_err(|e| ClusterError::Unreachable(e.to_string()))
    }

    fn apply_overrides(config: &mut Config, opts: &ConnectOptions) -> Result<(), ClusterError> {
        if let Some(server) = opts.apiserver.as_ref().filter(|s| !s.is_empty()) {
            config.cluster_url = server
                .parse()
                .map_err(|e| ClusterError::Unreachable(format!("{e}")))?;
        }
        if let Some(token) = opts.token.as_ref().filter(|s| !s.is_empty()) {
            // AuthInfo keeps tokens in a secret type; build it through serde.
            let auth: kube::config::AuthInfo =
                serde_json::from_value(serde_json::json!({ "token": token }))
                    .map_err(|e| ClusterError::Other(e.to_string()))?;
            config.auth_info.token = auth.token;
            config.auth_info.token_file = None;
            config.auth_info.exec = None;
        }
        if let Some(user) = opts.as_user.as_ref().filter(|s| !s.is_empty()) {
            config.auth_info.impersonate = Some(user.clone());
        }
        if !opts.as_groups.is_empty() {
            config.auth_info.impersonate_groups = Some(opts.as_groups.clone());
        }
        if let Some(ca) = opts.ca_file.as_ref().filter(|s| !s.is_empty()) {
            config.root_cert_file = Some(ca.into());
        }
        if opts.insecure_skip_tls_verify {
            config.accept_invalid_certs = true;
        }
        if let Some(name) = opts.tls_server_name.as_ref().filter(|s| !s.is_empty()) {
            config.tls_server_name = Some(name.clone());
        }
        Ok(())
    }

    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// Runs one future to completion on this command's runtime.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }
}

/// Go's `net/http` wording for a failed request: `Get "URL": dial tcp HOST: connect: connection refused`.
pub(crate) fn go_request_error(method: &str, url: &str, e: &kube::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        let text = err.to_string();
        // A connection closed without an answer is Go's `EOF`.
        if text.contains("connection closed before message completed")
            || text.contains("IncompleteMessage")
        {
            return format!("{method} {url:?}: EOF");
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            let host = url
                .split("://")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .unwrap_or("");
            let what = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connect: connection refused".to_string(),
                _ => io.to_string(),
            };
            // Go names the address it dialled: `localhost` resolves to 127.0.0.1 first.
            let host = match host.strip_prefix("localhost:") {
                Some(port) => format!("127.0.0.1:{port}"),
                None => host.to_string(),
            };
            return format!("{method} {url:?}: dial tcp {host}: {what}");
        }
        source = err.source();
    }
    format!("{method} {url:?}: {e}")
}

impl KubeCluster {
    /// A cluster over a client built inside this command's runtime (tests give
    /// a `tower_test` mock service here).
    pub fn with_client(
        make: impl FnOnce() -> Client,
        default_namespace: &str,
    ) -> Result<KubeCluster, ClusterError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ClusterError::Other(e.to_string()))?;
        let client = rt.block_on(async { make() });
        Ok(KubeCluster {
            rt,
            client,
            default_namespace: default_namespace.to_string(),
            server: "http://localhost".to_string(),
            discovery: RefCell::new(HashMap::new()),
        })
    }

    /// Starts a task on this command's runtime; it runs while `block_on` runs.
    pub fn spawn<F>(&self, f: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.rt.spawn(f)
    }

    /// helm's reachability check: `GET /version` before any other work.
    pub fn check_reachable(&self) -> Result<(), ClusterError> {
        let client = self.client();
        match self.block_on(client.apiserver_version()) {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) => Err(ClusterError::Unreachable(s.message.clone())),
            Err(e) => Err(ClusterError::Unreachable(go_request_error(
                "Get",
                &format!("{}/version", self.server),
                &e,
            ))),
        }
    }

    /// The server's `gitVersion` (`v1.37.0`), for `.Capabilities.KubeVersion`.
    pub fn server_version(&self) -> Result<String, ClusterError> {
        let client = self.client();
        let info = self
            .block_on(client.apiserver_version())
            .map_err(|e| ClusterError::Unreachable(e.to_string()))?;
        Ok(info.git_version)
    }
}

impl KubeCluster {
    /// Sleeps on this command's runtime (timers need its context).
    pub fn sleep(&self, d: std::time::Duration) {
        self.block_on(async { tokio::time::sleep(d).await });
    }
}
