//! The release actions: each moves a release through Helm's states, storing a
//! record before touching the cluster and recording the outcome after, so an
//! interrupted action leaves an honest `pending-*` or `failed` revision.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::cluster::{ClusterError, KubeCluster};
use crate::render::pipeline::PipelineError;

use super::storage::{Storage, StorageError};

pub mod deploy;
pub mod hooks;
pub mod install;
pub mod rollback;
pub mod test;
pub mod uninstall;
pub mod upgrade;

/// What every action works with.
pub struct Context<'a> {
    pub storage: &'a Storage,
    pub cluster: &'a KubeCluster,
    /// The release namespace.
    pub namespace: String,
    /// `--debug`: debug log records are printed too.
    pub debug: bool,
    /// `TZ` as the process saw it: the local zone of the date functions.
    pub tz: Option<String>,
}

/// `--wait` strategies. `HookOnly` (helm's default) waits for hooks only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WaitStrategy {
    #[default]
    HookOnly,
    Watcher,
    Legacy,
}

impl WaitStrategy {
    pub fn waits_for_resources(self) -> bool {
        !matches!(self, WaitStrategy::HookOnly)
    }
}

/// `--dry-run`: `Client` renders without the cluster; `Server` also runs the
/// cluster-side checks; neither stores a record or changes an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DryRun {
    #[default]
    None,
    Client,
    Server,
}

/// The description helm gives a simulated revision.
pub const DRY_RUN_DESCRIPTION: &str = "Dry run complete";

/// Options shared by install, upgrade and rollback.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    pub wait: WaitStrategy,
    pub wait_for_jobs: bool,
    pub timeout: Duration,
    pub no_hooks: bool,
    pub force_conflicts: bool,
    /// `--force-replace`: PUT whole objects instead of server-side apply.
    pub force_replace: bool,
    /// `--disable-openapi-validation` (changes which error an unknown kind gives).
    pub disable_openapi_validation: bool,
    pub take_ownership: bool,
    pub description: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub dry_run: DryRun,
    /// `--enable-dns`: `getHostByName` resolves names (otherwise it returns "").
    pub enable_dns: bool,
    /// `--server-side`: `None` is helm's `auto` (install: server-side; upgrade
    /// and rollback: the method the previous revision recorded).
    pub server_side: Option<bool>,
    /// `--hide-secret`: dry runs leave v1 Secrets out of the manifest.
    pub hide_secret: bool,
    /// `--render-subchart-notes`: the subcharts' NOTES.txt join the parent's.
    pub subchart_notes: bool,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            wait: WaitStrategy::HookOnly,
            wait_for_jobs: false,
            timeout: Duration::from_secs(300),
            no_hooks: false,
            force_conflicts: false,
            force_replace: false,
            disable_openapi_validation: false,
            take_ownership: false,
            description: None,
            labels: BTreeMap::new(),
            dry_run: DryRun::None,
            enable_dns: false,
            server_side: None,
            hide_secret: false,
            subchart_notes: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("{0}")]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Cluster(#[from] ClusterError),
    #[error("{0}")]
    Render(#[from] PipelineError),
    /// Any other failure, worded as helm words it.
    #[error("{0}")]
    Message(String),
}

impl ActionError {
    pub fn msg(s: impl Into<String>) -> ActionError {
        ActionError::Message(s.into())
    }
}

/// The label names Helm's storage drivers set on every record; `--labels`
/// may not use them.
pub const SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// helm's refusal of user labels that collide with its system labels.
pub fn check_user_labels(labels: &BTreeMap<String, String>) -> Result<(), ActionError> {
    if SYSTEM_LABELS.iter().any(|l| labels.contains_key(*l)) {
        return Err(ActionError::msg(format!(
            "user supplied labels contains system reserved label name. System labels: [{}]",
            SYSTEM_LABELS.join(" ")
        )));
    }
    Ok(())
}

impl Context<'_> {
    /// helm's `recordRelease`: a failed update of the record is logged, not fatal
    /// (the objects are already in place; the next command sees the old state).
    pub fn record(&self, release: &super::Release) {
        if let Err(e) = self.storage.update(release) {
            eprintln!(
                "{}",
                crate::log::Record::new(crate::log::Level::Error, "failed to record the release")
                    .attr("error", e.to_string())
            );
        }
    }
}

/// helm's `errPending`.
pub const ERR_PENDING: &str = "another operation (install/upgrade/rollback) is in progress";
