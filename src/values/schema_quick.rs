//! A quick proof that values meet a values.schema.json, for the schemas
//! most charts ship, without compiling the schema.
//!
//! Compiling a schema with the `jsonschema` crate (and checking it against
//! its draft's meta-schema, whose own validator is built first) was ~4 ms
//! and ~3 MiB for Bitnami's 150 KB redis schema, which argo-cd, airflow
//! and others carry, on every render. Yet nearly all such schemas use a
//! handful of keywords (`type`, `properties`, `items`, `required`, `enum`,
//! `additionalProperties`, plus annotations such as `description` and
//! `default` and form hints no validator reads), and values that meet
//! them are checked by walking the two trees.
//!
//! [`certainly_valid`] answers only "valid, certainly" or "not sure", never
//! "invalid": anything outside that subset (any other keyword of any draft,
//! a `$`-keyword anywhere, a boolean subschema, a float where `integer` is
//! wanted, a value not in an `enum`, ...) is "not sure", and the caller
//! then validates as before, which also produces Helm's error texts. So the
//! quick path can only skip work whose outcome is "no error, no warning".

use serde_json::{Map as JsonMap, Value as Json};

use crate::value::Value;

/// Whether `values` certainly meet `schema` (which must also be a valid
/// schema of its draft). `false` means "not sure".
pub fn certainly_valid(schema: &Json, values: &Value) -> bool {
    let Some(root) = subset_root(schema) else {
        return false;
    };
    let draft4 = root
        .get("$schema")
        .and_then(Json::as_str)
        .and_then(super::schema::builtin_meta_schema_url)
        .is_some_and(|url| url.contains("draft-04"));
    Walk { draft4 }.meets(root, values)
}

/// Whether `schema` is of the kind [`certainly_valid`] understands
/// (whatever the values): compiling it ahead, before the values are known,
/// is then most likely wasted.
pub fn is_quick_kind(schema: &Json) -> bool {
    subset_root(schema).is_some()
}

/// The schema's root object, if it is a valid schema of its draft within
/// the subset.
fn subset_root(schema: &Json) -> Option<&JsonMap<String, Json>> {
    let root = schema.as_object()?;
    if let Some(declared) = root.get("$schema") {
        // One of the drafts, named as Helm's validator knows them.
        let known = declared
            .as_str()
            .and_then(super::schema::builtin_meta_schema_url)
            .is_some();
        if !known {
            return None;
        }
    }
    in_subset(root, true).then_some(root)
}

/// How values are read against a schema.
struct Walk {
    /// Draft 4 counts a whole float (`1.0`, and every number of a values
    /// file, which Helm reads as float64) as a `number` only; later drafts
    /// count it as an `integer` too.
    draft4: bool,
}

/// Every keyword some draft (4 to 2020-12) defines, or that a validator
/// may read: the quick path gives up on those it does not understand.
const DEFINED: &[&str] = &[
    "id",
    "definitions",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "const",
    "contains",
    "minContains",
    "maxContains",
    "prefixItems",
    "additionalItems",
    "unevaluatedItems",
    "unevaluatedProperties",
    "patternProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "readOnly",
    "writeOnly",
    "deprecated",
];

const TYPE_NAMES: &[&str] = &[
    "array", "boolean", "integer", "null", "number", "object", "string",
];

/// Whether the schema object `schema` (and every subschema) uses only the
/// understood keywords, each with a value its draft's meta-schema accepts.
fn in_subset(schema: &JsonMap<String, Json>, root: bool) -> bool {
    schema.iter().all(|(key, value)| match key.as_str() {
        "$schema" => root,
        k if k.starts_with('$') => false,
        k if DEFINED.contains(&k) => false,
        "type" => type_names(value).is_some(),
        "properties" => value
            .as_object()
            .is_some_and(|props| props.values().all(subschema_in_subset)),
        "items" => subschema_in_subset(value),
        "additionalProperties" => value.is_boolean() || subschema_in_subset(value),
        "required" => value.as_array().is_some_and(|names| {
            !names.is_empty() && names.iter().all(Json::is_string) && all_distinct(names)
        }),
        "enum" => value.as_array().is_some_and(|options| {
            !options.is_empty() && all_distinct(options) && !contains_dollar_key(value)
        }),
        "title" | "description" => value.is_string(),
        "examples" => value.is_array() && !contains_dollar_key(value),
        // `default`, and keywords of no draft (form hints): any value.
        _ => !contains_dollar_key(value),
    })
}

/// A subschema in an understood position: an object in the subset (a
/// boolean schema is not valid in draft 4).
fn subschema_in_subset(value: &Json) -> bool {
    value.as_object().is_some_and(|s| in_subset(s, false))
}

/// Whether a `$`-key (`$ref`, `$id`, ...) hides anywhere in data that is
/// not a schema: a resolver may still look into it.
fn contains_dollar_key(value: &Json) -> bool {
    match value {
        Json::Object(map) => map
            .iter()
            .any(|(k, v)| k.starts_with('$') || contains_dollar_key(v)),
        Json::Array(items) => items.iter().any(contains_dollar_key),
        _ => false,
    }
}

/// `type` as one name or a non-empty list of distinct names.
fn type_names(value: &Json) -> Option<Vec<&str>> {
    match value {
        Json::String(name) => TYPE_NAMES
            .contains(&name.as_str())
            .then(|| vec![name.as_str()]),
        Json::Array(names) if !names.is_empty() && all_distinct(names) => names
            .iter()
            .map(|n| n.as_str().filter(|n| TYPE_NAMES.contains(n)))
            .collect(),
        _ => None,
    }
}

fn all_distinct(items: &[Json]) -> bool {
    items
        .iter()
        .enumerate()
        .all(|(i, a)| items[..i].iter().all(|b| !super::schema::json_equal(a, b)))
}

impl Walk {
    /// Whether `value` certainly meets `schema` (already known to be in the
    /// subset).
    fn meets(&self, schema: &JsonMap<String, Json>, value: &Value) -> bool {
        if let Some(types) = schema.get("type").and_then(type_names) {
            if !types.iter().any(|t| self.has_type(value, t)) {
                return false;
            }
        }
        if let Some(options) = schema.get("enum").and_then(Json::as_array) {
            if !options.iter().any(|o| equals(o, value)) {
                return false;
            }
        }
        match value {
            Value::Map(map) => {
                let entries = map.entries.borrow();
                if let Some(required) = schema.get("required").and_then(Json::as_array) {
                    let all_there = required
                        .iter()
                        .filter_map(Json::as_str)
                        .all(|name| entries.contains_key(name));
                    if !all_there {
                        return false;
                    }
                }
                let props = schema.get("properties").and_then(Json::as_object);
                let additional = schema.get("additionalProperties");
                entries.iter().all(
                    |(key, item)| match props.and_then(|p| p.get(key.as_str())) {
                        Some(sub) => sub.as_object().is_some_and(|s| self.meets(s, item)),
                        None => match additional {
                            None | Some(Json::Bool(true)) => true,
                            Some(Json::Object(s)) => self.meets(s, item),
                            Some(_) => false,
                        },
                    },
                )
            }
            Value::List(list) => match schema.get("items").and_then(Json::as_object) {
                Some(items) => list
                    .items
                    .borrow()
                    .iter()
                    .all(|item| self.meets(items, item)),
                None => true,
            },
            // Not JSON numbers: converted otherwise.
            Value::Float(f) => f.is_finite(),
            // Converted to JSON otherwise than as data: not sure.
            Value::Object(_) => false,
            _ => true,
        }
    }

    /// Whether `value` has JSON type `name` as the validator sees it.
    fn has_type(&self, value: &Value, name: &str) -> bool {
        match value {
            Value::Nil => name == "null",
            Value::Bool(_) => name == "boolean",
            Value::Int(_) | Value::Int64(_) => name == "integer" || name == "number",
            Value::Float(f) => {
                name == "number"
                    || (name == "integer" && !self.draft4 && f.is_finite() && f.fract() == 0.0)
            }
            Value::String(_) | Value::RawString(_) | Value::Bytes(_) => name == "string",
            Value::List(_) => name == "array",
            Value::Map(_) => name == "object",
            Value::Object(_) => false,
        }
    }
}

/// Whether `value` equals the enum option `option`, compared only where it
/// is certain: strings, booleans, null and integers.
fn equals(option: &Json, value: &Value) -> bool {
    match (option, value) {
        (Json::Null, Value::Nil) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::String(a), Value::String(b)) => a.as_str() == &**b,
        (Json::Number(a), Value::Int(b) | Value::Int64(b)) => a.as_i64() == Some(*b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::schema::validate_single;
    use crate::values::yaml::parse_values;

    fn values(text: &str) -> Value {
        parse_values(text).expect("values")
    }

    /// The quick answer, checked against the full validation: "valid" must
    /// be the full validation's answer too.
    fn quick(schema: &str, text: &str) -> bool {
        let v = values(text);
        let answer = serde_json::from_str::<Json>(schema).is_ok_and(|s| certainly_valid(&s, &v));
        if answer {
            assert_eq!(
                validate_single(&v, schema.as_bytes()),
                Ok(()),
                "{schema} / {text}"
            );
        }
        answer
    }

    const BITNAMI_LIKE: &str = r#"{
        "$schema": "http://json-schema.org/schema#",
        "type": "object",
        "properties": {
            "replicaCount": {"type": "integer", "description": "n", "default": 1},
            "image": {"type": "object", "form": true, "properties": {
                "tag": {"type": "string", "title": "Tag"},
                "pullPolicy": {"type": "string", "enum": ["Always", "IfNotPresent"]}
            }, "required": ["tag"]},
            "ports": {"type": "array", "items": {"type": ["integer", "string"]}},
            "extra": {"type": "object", "additionalProperties": {"type": "string"}},
            "closed": {"type": "object", "properties": {"a": {"type": "boolean"}},
                       "additionalProperties": false},
            "ratio": {"type": "number"},
            "description": {"type": ["string", "null"]}
        }
    }"#;

    #[test]
    fn values_that_meet_a_subset_schema_are_certainly_valid() {
        for text in [
            "replicaCount: 3\nimage:\n  tag: v1\n  pullPolicy: Always\n",
            "ports: [80, http]\nextra:\n  a: x\n  b: z\nclosed:\n  a: true\n",
            "ratio: 1.5\nother: {any: thing}\ndescription: null\n",
            "ratio: 2\ndescription: text\n",
            // A values file's numbers are floats; whole ones are integers.
            "replicaCount: 1.0\n",
        ] {
            assert!(quick(BITNAMI_LIKE, text), "{text}");
        }
    }

    #[test]
    fn failures_and_doubtful_cases_are_not_sure() {
        for text in [
            "replicaCount: x\n",
            "replicaCount: 1.5\n",
            "image:\n  pullPolicy: Always\n",
            "image:\n  tag: v1\n  pullPolicy: Never\n",
            "ports: [true]\n",
            "extra:\n  a: 1\n",
            "closed:\n  b: 1\n",
        ] {
            assert!(!quick(BITNAMI_LIKE, text), "{text}");
        }
    }

    #[test]
    fn schemas_outside_the_subset_are_not_sure() {
        for schema in [
            r##"{"type": "object", "properties": {"a": {"$ref": "#/definitions/x"}}}"##,
            r#"{"properties": {"a": {"type": "string", "minLength": 2}}}"#,
            r#"{"properties": {"a": {"type": "string", "format": "email"}}}"#,
            r#"{"properties": {"a": true}}"#,
            r#"{"items": [{"type": "string"}]}"#,
            r#"{"type": "strng"}"#,
            r#"{"type": []}"#,
            r#"{"required": []}"#,
            r#"{"required": ["a", "a"]}"#,
            r#"{"enum": []}"#,
            r#"{"enum": [1, 1.0]}"#,
            r#"{"description": 7}"#,
            r#"{"$schema": "http://example.com/my-meta"}"#,
            r#"{"x-form": {"$id": "http://example.com/s"}}"#,
            r#"{"properties": {"a": {"$schema": "http://json-schema.org/draft-07/schema#"}}}"#,
            r#"[]"#,
            r#"{"type": "object""#,
        ] {
            assert!(!quick(schema, "a: x\n"), "{schema}");
        }
    }

    #[test]
    fn a_property_named_like_a_keyword_is_a_property() {
        let schema = r#"{"properties": {"default": {"type": "string"},
                          "format": {"type": "integer"}, "type": {"type": "string"}}}"#;
        assert!(quick(schema, "default: x\nformat: 1\ntype: z\n"));
        assert!(!quick(schema, "format: x\n"));
    }

    #[test]
    fn draft_4_integers_are_not_whole_floats() {
        let schema = r#"{"$schema": "http://json-schema.org/draft-04/schema#",
                         "properties": {"count": {"type": "integer"}}}"#;
        assert!(!quick(schema, "count: 1\n"));
        let later = schema.replace("draft-04", "draft-07");
        assert!(quick(&later, "count: 1\n"));
    }

    /// Every schema of the corpus charts with their default values (and a
    /// few wrong ones): a "certainly valid" is always the full answer.
    #[test]
    fn corpus_schemas_agree_with_the_full_validation() {
        let Some(charts) = crate::chart::corpus_charts() else {
            return;
        };
        let mut quick_count = 0;
        for chart in &charts {
            let mut stack = vec![chart];
            while let Some(c) = stack.pop() {
                stack.extend(c.dependencies.iter());
                let Some(schema) = &c.schema else { continue };
                let wrong = values("replicaCount: many\nimage: 3\nenabled: 1\n");
                let parsed: Json = serde_json::from_slice(schema).expect("corpus schema JSON");
                for v in [&c.values, &wrong] {
                    if certainly_valid(&parsed, v) {
                        quick_count += 1;
                        assert_eq!(validate_single(v, schema), Ok(()), "{}", c.name());
                    }
                }
            }
        }
        assert!(quick_count > 0, "no schema took the quick path");
    }
}
