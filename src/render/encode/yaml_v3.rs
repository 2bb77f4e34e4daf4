//! `toYamlPretty`: go-yaml v3's encoder with `SetIndent(2)`, applied to the
//! template value directly (no JSON round trip, so a float64 `1000000`
//! prints `1e+06`). Unlike v2 it indents sequences under their key and
//! never folds long lines.

use super::emitter::{Emitter, Flavor, Node, Style};
use super::float::format_g;
use super::json::JsonError;
use super::yaml_v2::{natural_less_v3, stable_sort_by, v2_string_style};
use crate::value::Value;

const GO_YAML_V3_INDENT2: Flavor = Flavor {
    best_indent: 2,
    best_width: usize::MAX,
    indentless_sequences: false,
    tabs_in_blocks: true,
};

fn float_text(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f == f64::INFINITY {
        ".inf".into()
    } else if f == f64::NEG_INFINITY {
        "-.inf".into()
    } else {
        format_g(f)
    }
}

fn to_node(v: &Value) -> Node {
    match v {
        Value::Nil => Node::Scalar("null".into(), Style::Plain),
        Value::Bool(b) => Node::Scalar(b.to_string(), Style::Plain),
        Value::Int(i) | Value::Int64(i) => Node::Scalar(i.to_string(), Style::Plain),
        Value::Float(f) => Node::Scalar(float_text(*f), Style::Plain),
        Value::String(s) => Node::Scalar(s.to_string(), v2_string_style(s)),
        // yaml.v3 writes a string that is not UTF-8 as base64 with a tag.
        Value::RawString(b) => Node::Scalar(
            format!("!!binary {}", crate::render::objects::base64_std(b)),
            Style::Verbatim,
        ),
        Value::Bytes(b) => {
            let s = String::from_utf8_lossy(b).into_owned();
            let style = v2_string_style(&s);
            Node::Scalar(s, style)
        }
        Value::List(l) => Node::Seq(l.items.borrow().iter().map(to_node).collect()),
        Value::Map(m) => {
            let entries = m.entries.borrow();
            let mut pairs: Vec<(&String, &Value)> = entries.iter().collect();
            stable_sort_by(&mut pairs, |a, b| natural_less_v3(a.0, b.0));
            Node::Map(
                pairs
                    .into_iter()
                    .map(|(k, v)| {
                        let style = v2_string_style(k);
                        let val = to_node(v);
                        (Node::Scalar(k.clone(), style), val)
                    })
                    .collect(),
            )
        }
        Value::Object(o) => match o.to_data() {
            Some(d) => to_node(&d),
            None => Node::Map(Vec::new()),
        },
    }
}

/// yaml.v3 `Encoder` with indent 2; the document with its trailing newline.
pub fn to_yaml_pretty(v: &Value) -> Result<String, JsonError> {
    Ok(Emitter::new(GO_YAML_V3_INDENT2).document(&to_node(v)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_values;

    #[test]
    fn v3_layout() {
        let v = parse_values("a: 1\nb: 1.5\nc: [1, {d: \"yes\"}]\ne: {f: [x, y]}\ng: \"line1\\nline2\"\nh: 1000000\nl: []\nm: {}\nb2: {c: [[1,2],{d: 1}]}\n").unwrap();
        assert_eq!(
            to_yaml_pretty(&v).unwrap(),
            "a: 1\nb: 1.5\nb2:\n  c:\n    - - 1\n      - 2\n    - d: 1\nc:\n  - 1\n  - d: \"yes\"\ne:\n  f:\n    - x\n    - true\ng: |-\n  line1\n  line2\nh: 1e+06\nl: []\nm: {}\n"
        );
    }
}
