//! Helm's serialisation functions (`pkg/engine/funcs.go`) and Sprig's JSON
//! family. Their error behaviour is part of the contract: `toYaml`/`toJson`
//! swallow marshal errors into `""`, the `must*` forms fail, `toRawJson`
//! panics (Sprig), the `from*` readers report failures *inside* the result
//! (`{"Error": msg}` or `[msg]`), `toToml` returns the error text.

use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::render::encode;
use crate::value::{MapData, Value};
use crate::values::go_json_type_error::{json_kind, unmarshal_type_error};
use crate::values::yaml::{self, YamlError};

/// Helm's YAML and TOML functions and its JSON readers.
pub fn register(reg: &mut Registry) {
    let one_any = Sig::fixed(&[Ty::Any]);
    let one_string = Sig::fixed(&[Ty::String]);
    // The readers see a Go string's bytes: invalid UTF-8 is their error.
    let one_bytes = Sig::fixed(&[Ty::StringBytes]);
    reg.add("toYaml", one_any, to_yaml);
    reg.add("mustToYaml", one_any, must_to_yaml);
    reg.add("toYamlPretty", one_any, to_yaml_pretty);
    reg.add("fromYaml", one_bytes, from_yaml);
    reg.add("fromYamlArray", one_bytes, from_yaml_array);
    reg.add("fromJson", one_bytes, from_json);
    reg.add("mustFromJson", one_bytes, must_from_json);
    reg.add("fromJsonArray", one_bytes, from_json_array);
    reg.add("toToml", one_any, to_toml);
    reg.add("mustToToml", one_any, must_to_toml);
    reg.add("fromToml", one_string, from_toml);
}

/// Sprig's JSON writers.
pub fn register_sprig(reg: &mut Registry) {
    let one_any = Sig::fixed(&[Ty::Any]);
    reg.add("toJson", one_any, to_json);
    reg.add("mustToJson", one_any, must_to_json);
    reg.add("toPrettyJson", one_any, to_pretty_json);
    reg.add("mustToPrettyJson", one_any, must_to_pretty_json);
    reg.add("toRawJson", one_any, to_raw_json);
    reg.add("mustToRawJson", one_any, to_raw_json);
}

fn arg_str(args: &[Value]) -> &str {
    args.first().and_then(Value::as_str).unwrap_or("")
}

/// A [`Ty::StringBytes`] argument as text (invalid bytes as U+FFFD).
fn arg_text(args: &[Value]) -> std::borrow::Cow<'_, str> {
    args.first()
        .and_then(Value::str_lossy)
        .unwrap_or(std::borrow::Cow::Borrowed(""))
}

/// go-yaml's reader error for input that is not UTF-8.
fn yaml_reader_error(args: &[Value]) -> Option<YamlError> {
    match args.first() {
        Some(Value::RawString(b)) => crate::render::invalid_utf8::yaml_reader_error(b)
            .map(|msg| YamlError::Yaml(msg.to_string())),
        _ => None,
    }
}

/// encoding/json names a stray byte that is not UTF-8 as `'\xNN'`; the
/// parser saw it as U+FFFD.
fn json_byte_error(args: &[Value], msg: String) -> String {
    let Some(Value::RawString(b)) = args.first() else {
        return msg;
    };
    let Some(bad) = b.utf8_chunks().find_map(|c| c.invalid().first().copied()) else {
        return msg;
    };
    msg.replacen("'\u{FFFD}'", &format!("'\\x{bad:02x}'"), 1)
}

/// Helm trims exactly one trailing newline from the YAML document.
fn trim_newline(s: String) -> String {
    match s.strip_suffix('\n') {
        Some(t) => t.to_string(),
        None => s,
    }
}

fn to_yaml(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(
        encode::to_yaml(&args[0])
            .map(trim_newline)
            .unwrap_or_default(),
    ))
}

fn must_to_yaml(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    encode::to_yaml(&args[0])
        .map(|s| Value::string(trim_newline(s)))
        .map_err(|e| FuncError::new(e.0))
}

fn to_yaml_pretty(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(
        encode::to_yaml_pretty(&args[0])
            .map(trim_newline)
            .unwrap_or_default(),
    ))
}

fn error_map(msg: String) -> Value {
    let mut m = MapData::new();
    m.insert("Error".to_string(), Value::string(msg));
    Value::map(m)
}

fn from_yaml(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    if let Some(e) = yaml_reader_error(args) {
        return Ok(error_map(e.to_string()));
    }
    Ok(match yaml::unmarshal_map(&arg_text(args)) {
        Ok(v) => v,
        Err(e) => error_map(e.to_string()),
    })
}

fn from_yaml_array(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    if let Some(e) = yaml_reader_error(args) {
        return Ok(Value::list(vec![Value::string(e.to_string())]));
    }
    let result = yaml::unmarshal(&arg_text(args)).and_then(|v| match v {
        Value::List(_) => Ok(v),
        Value::Nil => Ok(Value::list(Vec::new())),
        other => Err(YamlError::Unmarshal(unmarshal_type_error(
            json_kind(&other),
            "",
            "[]interface {}",
        ))),
    });
    Ok(match result {
        Ok(v) => v,
        Err(e) => Value::list(vec![Value::string(e.to_string())]),
    })
}

fn to_json(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(encode::to_json(&args[0]).unwrap_or_default()))
}

fn must_to_json(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    encode::to_json(&args[0])
        .map(Value::string)
        .map_err(|e| FuncError::new(e.0))
}

fn to_pretty_json(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(
        encode::to_pretty_json(&args[0]).unwrap_or_default(),
    ))
}

fn must_to_pretty_json(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    encode::to_pretty_json(&args[0])
        .map(Value::string)
        .map_err(|e| FuncError::new(e.0))
}

fn to_raw_json(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    encode::to_raw_json(&args[0])
        .map(Value::string)
        .map_err(|e| FuncError::new(e.0))
}

fn from_json(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let (v, err) = encode::from_json_lenient(&arg_text(args));
    let err = err.map(|e| json_byte_error(args, e));
    Ok(match err {
        None => v,
        Some(e) => match &v {
            Value::Map(m) => {
                m.entries
                    .borrow_mut()
                    .insert("Error".to_string(), Value::string(e));
                v
            }
            _ => error_map(e),
        },
    })
}

fn must_from_json(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    encode::parse_json(&arg_text(args)).map_err(|e| FuncError::new(json_byte_error(args, e.0)))
}

fn from_json_array(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(match encode::from_json_array(&arg_text(args)) {
        Ok(v) => v,
        Err(e) => Value::list(vec![Value::string(json_byte_error(args, e.0))]),
    })
}

/// BurntSushi reflects on the value's type first; a nil interface panics.
fn nil_toml(v: &Value) -> Result<(), FuncError> {
    if v.is_nil() {
        return Err(FuncError::new(
            "reflect: call of reflect.Value.Type on zero Value",
        ));
    }
    Ok(())
}

fn to_toml(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    nil_toml(&args[0])?;
    Ok(Value::string(match encode::to_toml(&args[0]) {
        Ok(s) => s,
        Err(e) => e.0,
    }))
}

fn must_to_toml(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    nil_toml(&args[0])?;
    encode::to_toml(&args[0])
        .map(Value::string)
        .map_err(|e| FuncError::new(e.0))
}

fn from_toml(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(match encode::from_toml(arg_str(args)) {
        Ok(v) => v,
        Err(e) => error_map(e.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, arg: Value) -> FuncResult {
        let mut reg = Registry::default();
        register(&mut reg);
        register_sprig(&mut reg);
        let f = reg.get(name).expect("registered").f;
        f(&mut FuncEnv::default(), &[arg])
    }

    fn s(v: FuncResult) -> String {
        encode::to_json(&v.unwrap()).unwrap()
    }

    #[test]
    fn from_readers_report_errors_inside() {
        assert_eq!(s(call("fromYaml", Value::str(""))), "{}");
        assert_eq!(s(call("fromYamlArray", Value::str(""))), "[]");
        assert_eq!(
            s(call("fromYaml", Value::str("a: ["))),
            r#"{"Error":"error converting YAML to JSON: yaml: line 1: did not find expected node content"}"#
        );
        assert_eq!(
            s(call("fromYamlArray", Value::str("a: 1"))),
            r#"["error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}"]"#
        );
        assert_eq!(s(call("fromJson", Value::str("null"))), "null");
        assert_eq!(
            s(call("fromJson", Value::str("[1]"))),
            r#"{"Error":"json: cannot unmarshal array into Go value of type map[string]interface {}"}"#
        );
    }

    #[test]
    fn marshal_errors() {
        assert_eq!(s(call("toJson", Value::Float(f64::NAN))), r#""""#);
        assert_eq!(
            call("mustToJson", Value::Float(f64::NAN)).unwrap_err().0,
            "json: unsupported value: NaN"
        );
        assert_eq!(
            call("mustToYaml", Value::Float(f64::NAN)).unwrap_err().0,
            "error marshaling into JSON: json: unsupported value: NaN"
        );
        assert_eq!(s(call("toYaml", Value::str("x"))), r#""x""#);
    }
}
