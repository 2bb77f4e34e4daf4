//! `values.schema.json` validation of a chart tree, reported in Helm 4's
//! words: for each failing chart `<name>:` followed by the error tree of
//! santhosh-tekuri/jsonschema v6 (`- at '/replicaCount': got string, want
//! integer`; several errors under one location are grouped beneath
//! `- at '/o': validation failed`).
//!
//! Validation itself is done by the `jsonschema` crate; this module maps its
//! errors onto v6's messages and tree shape (errors at a location come in
//! v6's keyword order, with the errors of nested values in between).

use std::collections::BTreeMap;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::JsonType;

use crate::chart::Chart;
use crate::log::{Level, Logger, Record};
use crate::value::Value;

/// Helm's `ValidateAgainstSchema`: every chart's schema against its part of
/// the coalesced values. `Ok(())` or the per-chart report (without Helm's
/// `values don't meet the specifications...` header).
/// Debug records are logged as Helm logs them.
pub fn validate_chart_tree(
    chart: &Chart,
    values: &Value,
    log: &mut Logger<'_>,
) -> Result<(), String> {
    let mut report = String::new();
    collect(chart, values, &mut report, log);
    if report.is_empty() {
        Ok(())
    } else {
        Err(report)
    }
}

/// The full error text Helm prints for a schema failure.
pub fn schema_error_message(report: &str) -> String {
    format!(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
    )
}

fn collect(chart: &Chart, values: &Value, report: &mut String, log: &mut Logger<'_>) {
    if let Some(schema) = &chart.schema {
        log(Record::new(Level::Debug, "chart name").attr("chart-name", chart.name()));
        log(Record::new(Level::Debug, "unmarshalled JSON schema")
            .attr("schema", String::from_utf8_lossy(schema).into_owned()));
        if let Err(e) = validate_single(values, schema) {
            report.push_str(&format!("{}:\n", chart.name()));
            report.push_str(&e);
        }
    }
    log(
        Record::new(Level::Debug, "number of dependencies in the chart")
            .attr("chart", chart.name())
            .attr("dependencies", chart.dependencies.len().to_string()),
    );
    for sub in &chart.dependencies {
        let raw = values.get(sub.name());
        match raw {
            None | Some(Value::Nil) => continue,
            Some(v @ Value::Map(_)) => collect(sub, &v, report, log),
            Some(other) => report.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                other.type_name()
            )),
        }
    }
}

/// jsonschema v6 (helm's validator) takes `$schema:
/// "http://json-schema.org/schema#"` (common in Bitnami charts) to mean its
/// latest draft, 2020-12, without fetching anything; the Rust crate does not
/// know that URL and would fetch it over the network on every render. Name
/// the draft it stands for instead.
fn latest_draft_by_name(schema: &mut serde_json::Value) {
    let Some(declared) = schema.get_mut("$schema") else {
        return;
    };
    let Some(url) = declared.as_str() else {
        return;
    };
    let bare = url
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .trim_end_matches('#');
    if bare == "json-schema.org/schema" {
        *declared =
            serde_json::Value::String("https://json-schema.org/draft/2020-12/schema".into());
    }
}

/// One schema against one chart's values: `Err` holds v6's error lines plus
/// a final newline.
pub fn validate_single(values: &Value, schema_json: &[u8]) -> Result<(), String> {
    let mut schema: serde_json::Value =
        serde_json::from_slice(schema_json).map_err(|e| format!("{e}\n"))?;
    latest_draft_by_name(&mut schema);
    let validator = jsonschema::options()
        .with_base_uri(super::schema_loader::ROOT_SCHEMA_URL)
        .with_retriever(super::schema_loader::HelmSchemaLoader)
        .build(&schema)
        .map_err(|e| super::schema_loader::v6_compile_message(&e.to_string()))?;
    let instance = to_json(values);
    let mut leaves = Vec::new();
    for err in validator.iter_errors(&instance) {
        leaves.push(Leaf::from_error(&err));
    }
    if leaves.is_empty() {
        return Ok(());
    }
    let tree = build_tree(leaves);
    let mut out = String::new();
    // The root's items are listed at the top level, never grouped.
    for item in tree.items() {
        item.display(&mut out, 1);
    }
    Err(format!("{}\n", out.trim_start_matches('\n')))
}

/// Converts values to JSON for the validator (numbers keep their Go kind).
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::RawString(b) => serde_json::Value::String(crate::value::go_lossy(b)),
        Value::Bytes(b) => serde_json::Value::String(crate::render::objects::base64_std(b)),
        Value::List(l) => serde_json::Value::Array(l.items.borrow().iter().map(to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.entries
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
        Value::Object(o) => o
            .to_data()
            .map(|d| to_json(&d))
            .unwrap_or(serde_json::Value::Null),
    }
}

/// One error as v6 would phrase it, at its instance location.
struct Leaf {
    path: Vec<String>,
    rank: u32,
    message: String,
    /// `required` errors at one location are merged into one message.
    missing: Vec<String>,
    /// Errors of the alternatives of `anyOf`/`oneOf`, shown beneath.
    nested: Vec<Leaf>,
    /// Found inside an `allOf` branch (v6 groups these under `'allOf' failed`).
    in_all_of: bool,
}

impl Leaf {
    fn from_error(err: &jsonschema::ValidationError<'_>) -> Leaf {
        let path: Vec<String> = err
            .instance_path()
            .as_str()
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let instance = err.instance();
        let kind = err.kind();
        let in_all_of = err
            .schema_path()
            .as_str()
            .split('/')
            .any(|seg| seg == "allOf");
        let mut nested = Vec::new();
        let mut missing = Vec::new();
        let (rank, message) = match kind {
            ValidationErrorKind::Type { kind } => (0, type_message(kind, instance)),
            ValidationErrorKind::Constant { expected_value } => (
                1,
                match &**expected_value {
                    serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                        "const failed".to_string()
                    }
                    v => format!("value must be {}", display(v)),
                },
            ),
            ValidationErrorKind::Enum { options } => (2, enum_message(options)),
            ValidationErrorKind::Format { format } => {
                (3, format!("{} is not valid {format}", display(instance)))
            }
            ValidationErrorKind::MinProperties { limit } => (
                10,
                format!(
                    "minProperties: got {}, want {}",
                    group_int(instance.as_object().map_or(0, |o| o.len()) as i64),
                    group_int(*limit as i64)
                ),
            ),
            ValidationErrorKind::MaxProperties { limit } => (
                11,
                format!(
                    "maxProperties: got {}, want {}",
                    group_int(instance.as_object().map_or(0, |o| o.len()) as i64),
                    group_int(*limit as i64)
                ),
            ),
            ValidationErrorKind::Required { property } => {
                missing.push(property.as_str().unwrap_or_default().to_string());
                (12, String::new())
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => (
                30,
                format!(
                    "additional properties {} not allowed",
                    join_quoted(unexpected)
                ),
            ),
            ValidationErrorKind::PropertyNames { error } => (
                31,
                format!(
                    "invalid propertyName {}",
                    quote(error.instance().as_str().unwrap_or_default())
                ),
            ),
            ValidationErrorKind::MinItems { limit } => (
                10,
                format!(
                    "minItems: got {}, want {}",
                    group_int(instance.as_array().map_or(0, |a| a.len()) as i64),
                    group_int(*limit as i64)
                ),
            ),
            ValidationErrorKind::MaxItems { limit } => (
                11,
                format!(
                    "maxItems: got {}, want {}",
                    group_int(instance.as_array().map_or(0, |a| a.len()) as i64),
                    group_int(*limit as i64)
                ),
            ),
            ValidationErrorKind::UniqueItems => (12, unique_message(instance)),
            ValidationErrorKind::AdditionalItems { limit } => (
                25,
                format!(
                    "last {} additionalItem(s) not allowed",
                    instance
                        .as_array()
                        .map_or(0, |a| a.len().saturating_sub(*limit))
                ),
            ),
            ValidationErrorKind::Contains => (30, "no items match contains schema".into()),
            ValidationErrorKind::MinLength { limit } => (
                10,
                format!(
                    "minLength: got {}, want {}",
                    group_int(str_len(instance)),
                    group_int(*limit as i64)
                ),
            ),
            ValidationErrorKind::MaxLength { limit } => (
                11,
                format!(
                    "maxLength: got {}, want {}",
                    group_int(str_len(instance)),
                    group_int(*limit as i64)
                ),
            ),
            ValidationErrorKind::Pattern { pattern } => (
                12,
                format!(
                    "{} does not match pattern {}",
                    quote(instance.as_str().unwrap_or_default()),
                    quote(pattern)
                ),
            ),
            ValidationErrorKind::ContentEncoding { content_encoding } => (
                13,
                format!("value is not {} encoded", quote(content_encoding)),
            ),
            ValidationErrorKind::ContentMediaType { content_media_type } => (
                14,
                format!("value if not of mediatype {}", quote(content_media_type)),
            ),
            ValidationErrorKind::Minimum { limit } => (10, bound("minimum", instance, limit)),
            ValidationErrorKind::Maximum { limit } => (11, bound("maximum", instance, limit)),
            ValidationErrorKind::ExclusiveMinimum { limit } => {
                (12, bound("exclusiveMinimum", instance, limit))
            }
            ValidationErrorKind::ExclusiveMaximum { limit } => {
                (13, bound("exclusiveMaximum", instance, limit))
            }
            ValidationErrorKind::MultipleOf { multiple_of } => (
                14,
                format!(
                    "multipleOf: got {}, want {}",
                    localized_float(instance.as_f64().unwrap_or(0.0)),
                    localized_float(*multiple_of)
                ),
            ),
            ValidationErrorKind::AnyOf { context } => {
                nested = alternatives(context);
                (41, "'anyOf' failed".into())
            }
            ValidationErrorKind::OneOfNotValid { context } => {
                nested = alternatives(context);
                (42, "'oneOf' failed, none matched".into())
            }
            ValidationErrorKind::OneOfMultipleValid { .. } => {
                (42, "'oneOf' failed, subschemas 0, 1 matched".into())
            }
            ValidationErrorKind::Not { .. } => (43, "'not' failed".into()),
            ValidationErrorKind::FalseSchema => (0, "false schema".into()),
            ValidationErrorKind::UnevaluatedProperties { unexpected } => (
                50,
                format!(
                    "additional properties {} not allowed",
                    join_quoted(unexpected)
                ),
            ),
            ValidationErrorKind::UnevaluatedItems { .. } => (51, "unevaluatedItems failed".into()),
            other => (60, other.keyword().to_string()),
        };
        Leaf {
            path,
            rank,
            message,
            missing,
            nested,
            in_all_of,
        }
    }

    fn text(&self) -> String {
        if !self.missing.is_empty() {
            if self.missing.len() == 1 {
                return format!("missing property {}", quote(&self.missing[0]));
            }
            return format!("missing properties {}", join_quoted(&self.missing));
        }
        self.message.clone()
    }
}

fn alternatives(context: &[Vec<jsonschema::ValidationError<'static>>]) -> Vec<Leaf> {
    context
        .iter()
        .flat_map(|branch| branch.iter().map(Leaf::from_error))
        .collect()
}

/// A location in the instance with the errors found there and beneath it.
#[derive(Default)]
struct Node {
    path: Vec<String>,
    own: Vec<Leaf>,
    children: BTreeMap<String, Node>,
}

enum Item<'a> {
    Leaf(&'a Leaf),
    Group(&'a Node),
}

impl Node {
    fn insert(&mut self, leaf: Leaf, depth: usize) {
        if depth == leaf.path.len() && leaf.in_all_of {
            let group = match self.own.iter_mut().position(|l| l.rank == 40) {
                Some(i) => &mut self.own[i],
                None => {
                    self.own.push(Leaf {
                        path: leaf.path.clone(),
                        rank: 40,
                        message: "'allOf' failed".into(),
                        missing: Vec::new(),
                        nested: Vec::new(),
                        in_all_of: false,
                    });
                    let last = self.own.len() - 1;
                    &mut self.own[last]
                }
            };
            group.nested.push(leaf);
            return;
        }
        if depth == leaf.path.len() {
            if !leaf.missing.is_empty() {
                if let Some(req) = self.own.iter_mut().find(|l| !l.missing.is_empty()) {
                    req.missing.extend(leaf.missing);
                    return;
                }
            }
            self.own.push(leaf);
            return;
        }
        let key = leaf.path[depth].clone();
        let child = self.children.entry(key).or_insert_with(|| Node {
            path: leaf.path[..=depth].to_vec(),
            ..Default::default()
        });
        child.insert(leaf, depth + 1);
    }

    /// v6 stops at a type error: nothing else is reported for that value.
    fn prune(&mut self) {
        if self.own.iter().any(|l| l.rank == 0) {
            self.own.retain(|l| l.rank == 0);
            self.children.clear();
        }
        for c in self.children.values_mut() {
            c.prune();
        }
    }

    /// The errors this location contributes to its parent, in v6's order:
    /// keywords before `properties`, the nested values, then the rest.
    fn items(&self) -> Vec<Item<'_>> {
        let mut own: Vec<&Leaf> = self.own.iter().collect();
        own.sort_by_key(|l| l.rank);
        let mut out: Vec<Item<'_>> = Vec::new();
        for l in own.iter().filter(|l| l.rank < 20) {
            out.push(Item::Leaf(l));
        }
        for c in self.children.values() {
            let sub = c.items();
            match sub.len() {
                0 => {}
                1 => out.extend(sub),
                _ => out.push(Item::Group(c)),
            }
        }
        for l in own.iter().filter(|l| l.rank >= 20) {
            out.push(Item::Leaf(l));
        }
        out
    }
}

impl Item<'_> {
    fn display(&self, out: &mut String, indent: usize) {
        out.push('\n');
        for _ in 0..indent - 1 {
            out.push_str("  ");
        }
        out.push_str("- ");
        match self {
            Item::Leaf(leaf) => {
                out.push_str(&format!(
                    "at {}: {}",
                    quote(&pointer(&leaf.path)),
                    leaf.text()
                ));
                for n in &leaf.nested {
                    Item::Leaf(n).display(out, indent + 1);
                }
            }
            Item::Group(node) => {
                out.push_str(&format!(
                    "at {}: validation failed",
                    quote(&pointer(&node.path))
                ));
                for item in node.items() {
                    item.display(out, indent + 1);
                }
            }
        }
    }
}

fn build_tree(leaves: Vec<Leaf>) -> Node {
    let mut root = Node::default();
    for l in leaves {
        root.insert(l, 0);
    }
    root.prune();
    root
}

fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// v6's `quote`: Go `%q` with single quotes.
fn quote(s: &str) -> String {
    let q = crate::values::strvals::go_quote(s);
    let inner = &q[1..q.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

fn join_quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|s| quote(s))
        .collect::<Vec<_>>()
        .join(", ")
}

/// v6's `display` of a primitive value.
fn display(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => quote(s),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => "value".into(),
        serde_json::Value::Null => "<nil>".into(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
    }
}

fn enum_message(options: &serde_json::Value) -> String {
    let items = options.as_array().cloned().unwrap_or_default();
    if items.iter().any(|i| i.is_array() || i.is_object()) {
        return "enum failed".into();
    }
    if items.len() == 1 {
        return format!("value must be {}", display(&items[0]));
    }
    format!(
        "value must be one of {}",
        items.iter().map(display).collect::<Vec<_>>().join(", ")
    )
}

fn type_message(kind: &TypeKind, instance: &serde_json::Value) -> String {
    let got = match instance {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    };
    let wanted: Vec<JsonType> = match kind {
        TypeKind::Single(t) => vec![*t],
        TypeKind::Multiple(set) => set.iter().collect(),
    };
    let order = [
        JsonType::Null,
        JsonType::Boolean,
        JsonType::Number,
        JsonType::Integer,
        JsonType::String,
        JsonType::Array,
        JsonType::Object,
    ];
    let want: Vec<&str> = order
        .iter()
        .filter(|t| wanted.contains(t))
        .map(|t| t.as_str())
        .collect();
    format!("got {got}, want {}", want.join(" or "))
}

fn unique_message(instance: &serde_json::Value) -> String {
    if let Some(items) = instance.as_array() {
        for i in 0..items.len() {
            for j in i + 1..items.len() {
                if items[i] == items[j] {
                    return format!("items at {i} and {j} are equal");
                }
            }
        }
    }
    "items are not unique".into()
}

fn str_len(v: &serde_json::Value) -> i64 {
    v.as_str().map_or(0, |s| s.chars().count() as i64)
}

fn bound(name: &str, instance: &serde_json::Value, limit: &serde_json::Value) -> String {
    format!(
        "{name}: got {}, want {}",
        localized_float(instance.as_f64().unwrap_or(0.0)),
        localized_float(limit.as_f64().unwrap_or(0.0))
    )
}

/// An integer as golang.org/x/text prints it in English (`1,000`).
fn group_int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A float64 `%v` as golang.org/x/text prints it in English: shortest
/// digits; plain with the integer part grouped by thousands when the
/// decimal exponent is in [-4, 6), else `d.ddd×10ⁿⁿ` with superscripts.
fn localized_float(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if x < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let sup = |c: char| match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        };
        let digits = format!("{:02}", exp.unsigned_abs());
        let exp_text: String = digits.chars().map(sup).collect();
        let exp_sign = if exp < 0 { "⁻" } else { "" };
        return format!("{sign}{mantissa}×10{exp_sign}{exp_text}");
    }
    let plain = format!("{}", x.abs());
    let (int_part, frac) = plain.split_once('.').unwrap_or((&plain, ""));
    let grouped = group_int(int_part.parse::<i64>().unwrap_or(0));
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::coalesce::map_of;

    const SCHEMA: &str = r#"{"type":"object","required":["r1","r2"],"properties":{
 "n":{"type":"number","minimum":1000.5},
 "i":{"type":["integer","null"]},
 "o":{"type":"object","properties":{"x":{"type":"string"},"y":{"enum":["a","b",1]}},"additionalProperties":false},
 "p":{"type":"string","pattern":"^a+$","maxLength":3}
}}"#;

    #[test]
    fn helm_v6_error_tree() {
        let values = map_of(vec![
            ("n", Value::Int64(5)),
            ("i", Value::str("1.5")),
            (
                "o",
                map_of(vec![
                    ("x", Value::Int64(1)),
                    ("y", Value::str("c")),
                    ("z", Value::Int64(1)),
                ]),
            ),
            ("p", Value::str("bbbb")),
        ]);
        let err = validate_single(&values, SCHEMA.as_bytes()).unwrap_err();
        assert_eq!(
            err,
            "- at '': missing properties 'r1', 'r2'
- at '/i': got string, want null or integer
- at '/n': minimum: got 5, want 1,000.5
- at '/o': validation failed
  - at '/o/x': got number, want string
  - at '/o/y': value must be one of 'a', 'b', 1
  - at '/o': additional properties 'z' not allowed
- at '/p': validation failed
  - at '/p': maxLength: got 4, want 3
  - at '/p': 'bbbb' does not match pattern '^a+$'
"
        );
    }

    #[test]
    fn localized_numbers() {
        assert_eq!(localized_float(1000.5), "1,000.5");
        assert_eq!(localized_float(999999.0), "999,999");
        assert_eq!(localized_float(1234567.0), "1.234567×10⁰⁶");
        assert_eq!(localized_float(-1e9), "-1×10⁰⁹");
        assert_eq!(localized_float(0.0001), "0.0001");
        assert_eq!(localized_float(-0.00002), "-2×10⁻⁰⁵");
        assert_eq!(localized_float(1e100), "1×10¹⁰⁰");
    }

    #[test]
    fn integral_floats_are_integers() {
        let schema = br#"{"properties":{"replicaCount":{"type":"integer","minimum":0}}}"#;
        assert!(
            validate_single(&map_of(vec![("replicaCount", Value::Float(2.0))]), schema).is_ok()
        );
        assert_eq!(
            validate_single(&map_of(vec![("replicaCount", Value::Int64(-1))]), schema).unwrap_err(),
            "- at '/replicaCount': minimum: got -1, want 0\n"
        );
        assert_eq!(
            validate_single(&map_of(vec![("replicaCount", Value::str("three"))]), schema)
                .unwrap_err(),
            "- at '/replicaCount': got string, want integer\n"
        );
    }
}
