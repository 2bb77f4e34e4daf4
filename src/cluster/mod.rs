//! The Kubernetes side: a blocking facade over `kube::Client` (kubeconfig,
//! discovery cached per command, server-side apply under the `helm` field
//! manager, ownership checks, deletes, readiness waits).
//!
//! The rest of rudder is synchronous; [`KubeCluster`] owns a current-thread
//! tokio runtime and blocks on each call, which keeps the release actions
//! plain functions.

pub mod client;
pub mod client_side;
pub mod csa_upgrade;
pub mod discovery;
pub mod ownership;
pub mod resource;
pub mod tables;
pub mod wait;

pub use client::{ClusterError, ConnectOptions, KubeCluster};
pub use resource::Resource;
