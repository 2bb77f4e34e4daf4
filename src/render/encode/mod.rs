//! Serialisers with Go's exact output: go-yaml v2 (`toYaml`), yaml.v3
//! (`toYamlPretty`), encoding/json, BurntSushi/toml; and the matching
//! parsers for `fromJson`/`fromToml`.

pub mod emitter;
pub mod float;
#[cfg(test)]
mod golden_tests;
pub mod json;
pub mod toml;
pub mod toml_de;
pub mod yaml_v2;
pub mod yaml_v3;

pub use json::{
    from_json, from_json_array, from_json_lenient, parse_json, to_json, to_pretty_json,
    to_raw_json, JsonError,
};
pub use toml::{to_toml, TomlError};
pub use toml_de::from_toml;
pub use yaml_v2::to_yaml;
pub use yaml_v3::to_yaml_pretty;
