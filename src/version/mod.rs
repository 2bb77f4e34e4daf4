//! Semantic versions and version ranges, exactly as Helm (through
//! Masterminds/semver v3) parses, orders and matches them.
//!
//! Used by chart validation, `kubeVersion` checks, the `semver` and
//! `semverCompare` template functions, dependency resolution and repository
//! searches.

mod constraint;
mod error;
mod scan;
mod semver;

pub use constraint::Constraint;
pub use error::{ConstraintError, VersionError};
pub use semver::Version;

#[cfg(test)]
mod oracle_tests;
#[cfg(test)]
mod scan_tests;
