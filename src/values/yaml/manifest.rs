//! Reading the head of one rendered manifest (`apiVersion`, `kind`,
//! `metadata.name`, `metadata.annotations`) the way Helm does: sigs.k8s.io/yaml
//! into its `SimpleHead` struct. Numbers and booleans in string fields are
//! converted to strings; anything else of the wrong shape is encoding/json's
//! type error, which Helm reports as `YAML parse error on <file>: ...`.

use std::collections::BTreeMap;

use super::compose;
use super::resolve::GoYaml;
use super::YamlError;
use crate::render::encode::float::format_float;
use crate::values::go_json_type_error::{path_key, unmarshal_type_error};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManifestMetadata {
    pub name: String,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManifestHead {
    pub api_version: String,
    pub kind: String,
    pub metadata: Option<ManifestMetadata>,
}

const METADATA_TYPE: &str = "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }";

fn kind_of(v: &GoYaml) -> &'static str {
    match v {
        GoYaml::Null => "null",
        GoYaml::Bool(_) => "bool",
        GoYaml::Int(_) | GoYaml::Uint(_) | GoYaml::Big(_) | GoYaml::Float(_) => "number",
        GoYaml::Str(_) => "string",
        GoYaml::Seq(_) => "array",
        GoYaml::Map(_) => "object",
    }
}

fn type_error(v: &GoYaml, path: &str, ty: &str) -> YamlError {
    YamlError::Unmarshal(unmarshal_type_error(kind_of(v), path, ty))
}

/// A scalar destined for a Go string field, as sigs.k8s.io/yaml coerces it.
fn string_field(v: &GoYaml, path: &str) -> Result<Option<String>, YamlError> {
    Ok(Some(match v {
        GoYaml::Null => return Ok(None),
        GoYaml::Str(s) => s.clone(),
        GoYaml::Bool(b) => b.to_string(),
        GoYaml::Int(i) => i.to_string(),
        GoYaml::Uint(u) => u.to_string(),
        GoYaml::Float(f) | GoYaml::Big(f) => {
            if !f.is_finite() {
                return Err(YamlError::Json(format!(
                    "json: unsupported value: {}",
                    format_float(*f, 'g', false)
                )));
            }
            format_float(*f, 'g', true)
        }
        other => return Err(type_error(other, path, "string")),
    }))
}

/// JSON object keys as sigs.k8s.io/yaml produces them, sorted as
/// encoding/json writes them, last duplicate winning.
fn json_object(entries: &[(GoYaml, GoYaml)]) -> Result<BTreeMap<String, &GoYaml>, YamlError> {
    let mut out = BTreeMap::new();
    for (k, v) in entries {
        let key = match k {
            GoYaml::Str(s) => s.clone(),
            GoYaml::Int(i) => i.to_string(),
            GoYaml::Bool(b) => b.to_string(),
            GoYaml::Float(f) => format_float(*f, 'g', true),
            _ => {
                return Err(YamlError::Json(format!(
                    "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                    compose::go_sharp_v(v)
                )))
            }
        };
        out.insert(key, v);
    }
    Ok(out)
}

/// Which struct field a JSON key selects: exact name first, then
/// case-insensitive, as encoding/json matches.
fn field_for<'a>(key: &str, fields: &[&'a str]) -> Option<&'a str> {
    fields
        .iter()
        .find(|f| **f == key)
        .or_else(|| fields.iter().find(|f| f.eq_ignore_ascii_case(key)))
        .copied()
}

fn metadata(
    v: &GoYaml,
    head: &mut ManifestHead,
    first_err: &mut Option<YamlError>,
) -> Result<(), YamlError> {
    let entries = match v {
        GoYaml::Null => return Ok(()),
        GoYaml::Map(e) => e,
        other => {
            first_err.get_or_insert(type_error(other, ".metadata", METADATA_TYPE));
            return Ok(());
        }
    };
    let md = head.metadata.get_or_insert_with(ManifestMetadata::default);
    for (key, val) in json_object(entries)? {
        let path = format!(".metadata.{key}");
        match field_for(&key, &["name", "annotations"]) {
            Some("name") => match string_field(val, &path) {
                Ok(Some(s)) => md.name = s,
                Ok(None) => {}
                Err(e @ YamlError::Unmarshal(_)) => {
                    first_err.get_or_insert(e);
                }
                Err(e) => return Err(e),
            },
            Some(_) => match val {
                GoYaml::Null => {}
                GoYaml::Map(ann) => {
                    for (ak, av) in json_object(ann)? {
                        let apath = format!("{path}.{}", path_key(&ak));
                        match string_field(av, &apath) {
                            Ok(s) => {
                                md.annotations.insert(ak, s.unwrap_or_default());
                            }
                            Err(e @ YamlError::Unmarshal(_)) => {
                                first_err.get_or_insert(e);
                            }
                            Err(e) => return Err(e),
                        }
                    }
                }
                other => {
                    first_err.get_or_insert(type_error(other, &path, "map[string]string"));
                }
            },
            None => {}
        }
    }
    Ok(())
}

/// Parses the head of one rendered manifest document.
pub fn parse_manifest_head(src: &str) -> Result<ManifestHead, YamlError> {
    match super::direct::manifest_head(src) {
        Some(head) => Ok(head),
        None => parse_manifest_head_full(src),
    }
}

/// [`parse_manifest_head`] through the whole decoded document: the path
/// for documents the direct decoder leaves alone, and its test oracle.
pub(crate) fn parse_manifest_head_full(src: &str) -> Result<ManifestHead, YamlError> {
    let node = compose::compose_first(src).map_err(YamlError::Yaml)?;
    let mut head = ManifestHead::default();
    let Some(node) = node else {
        return Ok(head);
    };
    let go = compose::decode(&node).map_err(YamlError::Yaml)?;
    // The whole document must be convertible to JSON first.
    super::to_value::to_json_value(&go)?;
    let entries = match &go {
        GoYaml::Null => return Ok(head),
        GoYaml::Map(e) => e,
        other => return Err(type_error(other, "", "util.SimpleHead")),
    };
    let mut first_err = None;
    for (key, val) in json_object(entries)? {
        let path = format!(".{key}");
        match field_for(&key, &["apiVersion", "kind", "metadata"]) {
            Some("apiVersion") | Some("kind") => match string_field(val, &path) {
                Ok(Some(s)) => {
                    if field_for(&key, &["apiVersion", "kind"]) == Some("kind") {
                        head.kind = s;
                    } else {
                        head.api_version = s;
                    }
                }
                Ok(None) => {}
                Err(e @ YamlError::Unmarshal(_)) => {
                    first_err.get_or_insert(e);
                }
                Err(e) => return Err(e),
            },
            Some(_) => metadata(val, &mut head, &mut first_err)?,
            None => {}
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(head),
    }
}
