//! sigs.k8s.io/yaml's YAML → JSON → Go step: map keys become strings
//! (ints in decimal, floats as float32 `%g`, bools as `true`/`false`, null
//! keys are an error), every number becomes a float64, and values JSON
//! cannot hold (NaN, ±Inf) fail as encoding/json fails on them.

use std::collections::BTreeMap;

use super::compose::go_sharp_v;
use super::resolve::GoYaml;
use super::YamlError;
use crate::render::encode::float::format_float;
use crate::value::Value;

/// Go's `%+#v` of a map value in the unsupported-key error.
fn plus_sharp_v(v: &GoYaml) -> String {
    match v {
        GoYaml::Null => "<nil>".to_string(),
        other => go_sharp_v(other),
    }
}

fn key_string(k: &GoYaml, v: &GoYaml) -> Result<String, YamlError> {
    Ok(match k {
        GoYaml::Str(s) => s.clone(),
        GoYaml::Int(i) => i.to_string(),
        GoYaml::Bool(b) => b.to_string(),
        GoYaml::Float(f) => {
            if f.is_nan() {
                ".nan".to_string()
            } else if *f == f64::INFINITY {
                ".inf".to_string()
            } else if *f == f64::NEG_INFINITY {
                "-.inf".to_string()
            } else {
                format_float(*f, 'g', true)
            }
        }
        GoYaml::Null => {
            return Err(YamlError::Json(format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                plus_sharp_v(v)
            )))
        }
        GoYaml::Uint(_) | GoYaml::Big(_) | GoYaml::Seq(_) | GoYaml::Map(_) => {
            let ty = match k {
                GoYaml::Uint(_) => "uint64",
                GoYaml::Big(_) => "*big.Int",
                GoYaml::Seq(_) => "[]interface {}",
                _ => "map[interface {}]interface {}",
            };
            return Err(YamlError::Json(format!(
                "unsupported map key of type: {ty}, key: {}, value: {}",
                plus_sharp_v(k),
                plus_sharp_v(v)
            )));
        }
    })
}

fn convert(v: &GoYaml) -> Result<Value, YamlError> {
    Ok(match v {
        GoYaml::Null => Value::Nil,
        GoYaml::Bool(b) => Value::Bool(*b),
        GoYaml::Int(i) => Value::Float(*i as f64),
        GoYaml::Uint(u) => Value::Float(*u as f64),
        GoYaml::Big(f) | GoYaml::Float(f) => Value::Float(*f),
        GoYaml::Str(s) => Value::str(s),
        GoYaml::Seq(items) => Value::list(items.iter().map(convert).collect::<Result<_, _>>()?),
        GoYaml::Map(entries) => {
            let mut m = BTreeMap::new();
            for (k, val) in entries {
                let key = key_string(k, val)?;
                m.insert(key, convert(val)?);
            }
            Value::map(m)
        }
    })
}

/// The first value encoding/json would refuse, in its traversal order
/// (sorted map keys).
fn first_unsupported(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) if !f.is_finite() => Some(*f),
        Value::List(l) => l.items.borrow().iter().find_map(first_unsupported),
        Value::Map(m) => m.entries.borrow().values().find_map(first_unsupported),
        _ => None,
    }
}

pub(crate) fn to_json_value(v: &GoYaml) -> Result<Value, YamlError> {
    let out = convert(v)?;
    if let Some(f) = first_unsupported(&out) {
        let s = if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "+Inf"
        } else {
            "-Inf"
        };
        return Err(YamlError::Json(format!("json: unsupported value: {s}")));
    }
    Ok(out)
}
