//! Values: YAML 1.1 loading as Helm reads it, `--set` parsing, coalescing.
pub mod coalesce;
pub mod go_json_error;
pub mod go_json_type_error;
pub mod options;
pub mod schema;
pub mod schema_ahead;
pub mod schema_formats;
pub mod schema_loader;
pub mod schema_meta;
pub mod schema_quick;
pub mod strvals;
pub mod yaml;
