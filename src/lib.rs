//! rudder: a Helm-compatible Kubernetes package manager.
//!
//! The library does the work; `src/main.rs` and `src/cli` only parse
//! arguments and print.

pub mod chart;
pub mod cluster;
pub mod go_url;
pub mod helmpath;
pub mod log;
pub mod release;
pub mod render;
pub mod repo;
pub mod value;
pub mod values;
pub mod version;
