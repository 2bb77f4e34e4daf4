//! Values: YAML 1.1 loading as Helm reads it, `--set` parsing, coalescing.
pub mod strvals;
pub mod coalesce;
pub mod yaml;
pub mod options;
pub mod schema;
