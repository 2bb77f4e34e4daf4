//! Serialisers with Go's exact output: go-yaml v2 (`toYaml`), yaml.v3
//! (`toYamlPretty`), encoding/json, BurntSushi/toml; and the matching
//! parsers for `fromJson`/`fromToml`.

pub mod emitter;
pub mod float;
pub mod json;
pub mod yaml_v2;

pub use json::{to_json, to_pretty_json, to_raw_json, JsonError};
pub use yaml_v2::to_yaml;
