//! YAML read the way Helm reads it: sigs.k8s.io/yaml, i.e. go-yaml v2
//! (YAML 1.1 scalars) decoded into `interface{}`, converted to JSON and
//! decoded again with encoding/json. Consequences that charts observe:
//! every number is a float64, `yes`/`on`/`y` are booleans (also as keys,
//! which become `"true"`), non-string keys become strings, NaN/Inf are
//! errors, timestamps stay strings.
//!
//! Entry points:
//! - [`parse_values`]: a values file (Helm's `LoadValues`: every `---`
//!   document must be a mapping; documents are merged).
//! - [`unmarshal_map`]: one document into `map[string]interface{}` (how
//!   Helm reads Chart.yaml, Chart.lock, requirements.yaml).
//! - [`unmarshal`]: one document into `interface{}` (`fromYaml`-like uses).
//! - [`parse_documents`]: every document of a multi-document stream.
//! - [`parse_manifest_head`]: the apiVersion/kind/metadata of one rendered
//!   manifest, with Helm's error text for non-mapping output.
//!
//! yaml-rust2 supplies the event stream; its grammar is YAML 1.2 and
//! stricter or looser than libyaml in places, so `syntax_error` maps its
//! failures onto libyaml's wording and line numbering and a few checks
//! restore libyaml's verdict (tabs starting a line, `\/` escapes, late
//! closing quotes, text after a root scalar). Goldens recorded from helm
//! live in `testdata/values-yaml` (`gen.py` regenerates them).

pub(crate) mod comment_lines;
mod compose;
mod direct;
mod documents;
mod empty_flow_key;
mod manifest;
pub mod resolve;
mod root_key_quirks;
mod syntax_error;
mod to_value;

pub use documents::split_documents;
pub use manifest::{parse_manifest_head, ManifestHead, ManifestMetadata};

use crate::value::Value;
use crate::values::go_json_type_error::{json_kind, unmarshal_type_error};

/// A YAML load failure; `Display` is exactly the text Helm prints after its
/// own prefix (`cannot load values.yaml: ...`, `failed to parse FILE: ...`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YamlError {
    /// A go-yaml syntax or decoding failure; the payload is go-yaml's message
    /// without `yaml: ` (e.g. `line 3: could not find expected ':'`).
    #[error("error converting YAML to JSON: yaml: {0}")]
    Yaml(String),
    /// YAML with no JSON form (NaN, infinities, null keys).
    #[error("error converting YAML to JSON: {0}")]
    Json(String),
    /// The JSON shape does not fit the Go target type; the payload is
    /// encoding/json's text (`json: cannot unmarshal array into Go value of type ...`).
    #[error("error unmarshaling JSON: while decoding JSON: {0}")]
    Unmarshal(String),
    /// One document of a multi-document values file failed.
    #[error("cannot unmarshal yaml document: {0}")]
    Document(Box<YamlError>),
    /// A `---` line followed by something other than a comment.
    #[error("error reading yaml document: invalid Yaml document separator: {0}")]
    Separator(String),
}

impl YamlError {
    /// The error without the multi-document wrapper, as Helm prints it for
    /// files it reads with a single `yaml.Unmarshal`.
    pub fn inner(&self) -> &YamlError {
        match self {
            YamlError::Document(e) => e.inner(),
            other => other,
        }
    }
}

/// sigs.k8s.io/yaml `Unmarshal` of the first document into `interface{}`:
/// `Nil` for an empty document.
pub fn unmarshal(src: &str) -> Result<Value, YamlError> {
    match direct::unmarshal(src) {
        Some(v) => Ok(v),
        None => unmarshal_full(src),
    }
}

/// [`unmarshal`] through go-yaml's node tree: the path for every document
/// the direct decoder leaves alone, and its oracle in tests.
fn unmarshal_full(src: &str) -> Result<Value, YamlError> {
    let node = compose::compose_first(src).map_err(YamlError::Yaml)?;
    let Some(node) = node else {
        return Ok(Value::Nil);
    };
    let go = compose::decode(&node).map_err(YamlError::Yaml)?;
    to_value::to_json_value(&go)
}

/// sigs.k8s.io/yaml `Unmarshal` into `map[string]interface{}`: an empty or
/// `null` document gives an empty map; any other non-mapping is a type error.
pub fn unmarshal_map(src: &str) -> Result<Value, YamlError> {
    let v = unmarshal(src)?;
    expect_map(v, "map[string]interface {}")
}

/// Checks that a decoded JSON value fits a Go map target.
fn expect_map(v: Value, target: &str) -> Result<Value, YamlError> {
    match v {
        Value::Map(_) => Ok(v),
        Value::Nil => Ok(Value::empty_map()),
        other => Err(YamlError::Unmarshal(unmarshal_type_error(
            json_kind(&other),
            "",
            target,
        ))),
    }
}

/// A values file as Helm's `LoadValues` reads it: split on `---` lines,
/// every document unmarshalled into a map, later documents merged over
/// earlier ones (nested maps merged recursively).
pub fn parse_values(src: &str) -> Result<Value, YamlError> {
    let mut out = Value::empty_map();
    for (i, doc) in documents::documents(src)?.iter().enumerate() {
        let v = unmarshal_map(doc).map_err(|e| YamlError::Document(Box::new(e)))?;
        // Merging into the empty start map would only copy the first one.
        out = if i == 0 { v } else { merge_maps(&out, &v) };
    }
    Ok(out)
}

/// Every document of a stream, each unmarshalled into `interface{}`
/// (empty documents are skipped as the document reader skips them).
pub fn parse_documents(src: &str) -> Result<Vec<Value>, YamlError> {
    split_documents(src)?
        .iter()
        .map(|d| unmarshal(d).map_err(|e| YamlError::Document(Box::new(e))))
        .collect()
}

/// Helm's `MergeMaps`: values of `b` win; maps present in both merge.
fn merge_maps(a: &Value, b: &Value) -> Value {
    let (Some(am), Some(bm)) = (a.as_map(), b.as_map()) else {
        return b.clone();
    };
    let mut out = am.entries.borrow().clone();
    for (k, bv) in bm.entries.borrow().iter() {
        let merged = match (out.get(k), bv) {
            (Some(av @ Value::Map(_)), Value::Map(_)) => merge_maps(av, bv),
            _ => bv.clone(),
        };
        out.insert(k.clone(), merged);
    }
    Value::map(out)
}

#[cfg(test)]
mod tests;
