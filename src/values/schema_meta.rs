//! The drafts' meta-schemas as Helm's validator (santhosh-tekuri/jsonschema
//! v6) checks a values.schema.json against them.
//!
//! v6 ships its own copies of the draft 4, 6 and 7 meta-schemas, which
//! differ from the published ones the `jsonschema` crate holds: `enum` must
//! be a non-empty list of distinct values in all three, draft 4's `$ref`
//! must be a string, and draft 6 has no `examples` and no check of
//! `patternProperties`' names (an invalid one fails later, when the regex
//! is compiled). v6 also asserts the formats the meta-schemas name (`regex`,
//! `uri`, `uri-reference`) in every draft, with Go's readings of them. The
//! crate's own check of a schema (which it runs while compiling it and
//! which cannot be switched off) is therefore preceded by this one, and its
//! verdicts that v6 does not share are undone (see
//! [`strip_v6_unchecked_examples`]).

use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use serde_json::{json, Value as Json};

use super::go_json_type_error::path_key;

/// A meta-schema as v6 holds it, and a validator for it.
pub struct MetaSchema {
    pub document: Json,
    pub validator: Validator,
}

/// v6's meta-schema for `draft`, if it is one of the five drafts.
pub fn for_draft(draft: Draft) -> Option<&'static MetaSchema> {
    static CELLS: [OnceLock<Option<MetaSchema>>; 5] = [const { OnceLock::new() }; 5];
    let index = match draft {
        Draft::Draft4 => 0,
        Draft::Draft6 => 1,
        Draft::Draft7 => 2,
        Draft::Draft201909 => 3,
        Draft::Draft202012 => 4,
        _ => return None,
    };
    CELLS[index].get_or_init(|| build(draft)).as_ref()
}

fn build(draft: Draft) -> Option<MetaSchema> {
    let document = v6_document(draft)?;
    let options = jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true);
    let validator = super::schema_formats::with_v6_formats(options)
        .build(&document)
        .ok()?;
    Some(MetaSchema {
        document,
        validator,
    })
}

/// The crate's copy of the draft's meta-schema with v6's changes. The
/// changed drafts get an identifier of their own, so that their `"$ref":
/// "#"` reaches the changed document rather than the crate's registered
/// original.
fn v6_document(draft: Draft) -> Option<Json> {
    use referencing::meta;
    let mut doc = match draft {
        Draft::Draft4 => Json::clone(&meta::DRAFT4),
        Draft::Draft6 => Json::clone(&meta::DRAFT6),
        Draft::Draft7 => Json::clone(&meta::DRAFT7),
        Draft::Draft201909 => return Some(Json::clone(&meta::DRAFT201909)),
        Draft::Draft202012 => return Some(Json::clone(&meta::DRAFT202012)),
        _ => return None,
    };
    let (id_key, id) = match draft {
        Draft::Draft4 => ("id", "urn:rudder:v6-meta:draft-04"),
        Draft::Draft6 => ("$id", "urn:rudder:v6-meta:draft-06"),
        _ => ("$id", "urn:rudder:v6-meta:draft-07"),
    };
    let root = doc.as_object_mut()?;
    root.insert(id_key.into(), json!(id));
    let properties = root.get_mut("properties")?.as_object_mut()?;
    let enum_rule = properties.get_mut("enum")?.as_object_mut()?;
    enum_rule.insert("minItems".into(), json!(1));
    enum_rule.insert("uniqueItems".into(), json!(true));
    match draft {
        Draft::Draft4 => {
            properties.insert("$ref".into(), json!({ "type": "string" }));
            if let Some(schema) = properties.get_mut("$schema").and_then(Json::as_object_mut) {
                schema.insert("format".into(), json!("uri"));
            }
        }
        Draft::Draft6 => {
            properties.remove("examples");
            if let Some(pattern_properties) = properties
                .get_mut("patternProperties")
                .and_then(Json::as_object_mut)
            {
                pattern_properties.remove("propertyNames");
            }
        }
        _ => {}
    }
    Some(doc)
}

/// A draft 6 schema with the `examples` the crate's meta-schema rejects
/// (any that is not a list) taken out: v6 accepts them, and they are only
/// annotations. `None` when there are none.
pub fn strip_v6_unchecked_examples(schema: &Json) -> Option<Json> {
    let crate_check = jsonschema::meta::validator_for(schema).ok()?;
    let pointers: Vec<String> = crate_check
        .iter_errors(schema)
        .map(|e| e.instance_path().as_str().to_string())
        .filter(|p| p.ends_with("/examples"))
        .collect();
    if pointers.is_empty() {
        return None;
    }
    let mut stripped = schema.clone();
    for pointer in pointers {
        let (parent, _) = pointer.rsplit_once('/')?;
        if let Some(map) = stripped.pointer_mut(parent).and_then(Json::as_object_mut) {
            map.remove("examples");
        }
    }
    Some(stripped)
}

/// v6's compile error for a `patternProperties` name that is not a Go
/// regular expression, which drafts 4 and 6 leave to the compiler: `invalid
/// regex "(" at "file:///values.schema.json#/patternProperties": error
/// parsing regexp: ...`, for the first such name in document order.
pub fn invalid_pattern_property(schema: &Json) -> Option<String> {
    let mut location = String::new();
    let (pattern, why) = find_invalid_pattern_property(schema, &mut location)?;
    Some(format!(
        "invalid regex {} at \"{}#{location}\": {why}",
        crate::values::strvals::go_quote(&pattern),
        super::schema_loader::ROOT_SCHEMA_URL
    ))
}

/// Keywords whose value is one subschema, a list of them, or a map of
/// them (by name).
const ONE: &[&str] = &[
    "additionalItems",
    "additionalProperties",
    "contains",
    "contentSchema",
    "else",
    "if",
    "items",
    "not",
    "propertyNames",
    "then",
    "unevaluatedItems",
    "unevaluatedProperties",
];
const LIST: &[&str] = &["allOf", "anyOf", "items", "oneOf", "prefixItems"];
const MAP: &[&str] = &[
    "$defs",
    "definitions",
    "dependencies",
    "dependentSchemas",
    "patternProperties",
    "properties",
];

fn find_invalid_pattern_property(schema: &Json, location: &mut String) -> Option<(String, String)> {
    let map = schema.as_object()?;
    if let Some(names) = map.get("patternProperties").and_then(Json::as_object) {
        for name in names.keys() {
            if let Err(e) = crate::render::funcs::regex::compile(name) {
                location.push_str("/patternProperties");
                return Some((name.clone(), e.0));
            }
        }
    }
    for (key, value) in map {
        let mark = location.len();
        location.push('/');
        location.push_str(&path_key(key));
        let found = if MAP.contains(&key.as_str()) {
            value.as_object().and_then(|children| {
                children.iter().find_map(|(name, child)| {
                    let inner = location.len();
                    location.push('/');
                    location.push_str(&path_key(name));
                    let found = find_invalid_pattern_property(child, location);
                    if found.is_none() {
                        location.truncate(inner);
                    }
                    found
                })
            })
        } else if LIST.contains(&key.as_str()) && value.is_array() {
            value.as_array().and_then(|children| {
                children.iter().enumerate().find_map(|(i, child)| {
                    let inner = location.len();
                    location.push_str(&format!("/{i}"));
                    let found = find_invalid_pattern_property(child, location);
                    if found.is_none() {
                        location.truncate(inner);
                    }
                    found
                })
            })
        } else if ONE.contains(&key.as_str()) {
            find_invalid_pattern_property(value, location)
        } else {
            None
        };
        if found.is_some() {
            return found;
        }
        location.truncate(mark);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(draft: Draft, schema: Json) -> Vec<String> {
        let meta = for_draft(draft).expect("meta-schema builds");
        meta.validator
            .iter_errors(&schema)
            .map(|e| format!("{} {}", e.instance_path().as_str(), e))
            .collect()
    }

    #[test]
    fn enum_must_be_non_empty_and_distinct_in_drafts_4_to_7() {
        for draft in [Draft::Draft4, Draft::Draft6, Draft::Draft7] {
            assert_eq!(errors(draft, json!({"enum": []})).len(), 1, "{draft:?}");
            assert_eq!(errors(draft, json!({"enum": [1, 1]})).len(), 1, "{draft:?}");
            assert!(errors(draft, json!({"enum": [1, 2]})).is_empty());
        }
        assert!(errors(Draft::Draft202012, json!({"enum": []})).is_empty());
    }

    #[test]
    fn draft_6_takes_any_examples_and_draft_4_wants_string_refs() {
        assert!(errors(Draft::Draft6, json!({"examples": 1})).is_empty());
        assert_eq!(errors(Draft::Draft7, json!({"examples": 1})).len(), 1);
        assert_eq!(errors(Draft::Draft4, json!({"$ref": 1})).len(), 1);
    }

    #[test]
    fn regex_format_is_go_regexp_in_every_draft() {
        for draft in [Draft::Draft7, Draft::Draft202012] {
            assert_eq!(errors(draft, json!({"pattern": "(?!x)"})).len(), 1);
            assert!(errors(draft, json!({"pattern": "[[:alpha:]]+"})).is_empty());
        }
    }

    #[test]
    fn invalid_pattern_property_names_are_found_where_they_are() {
        let schema = json!({
            "properties": {"a": {"items": [{}, {"patternProperties": {"ok": {}, "(": {}}}]}}
        });
        assert_eq!(
            invalid_pattern_property(&schema).as_deref(),
            Some(
                "invalid regex \"(\" at \"file:///values.schema.json#/properties/a/items/1/patternProperties\": error parsing regexp: missing closing ): `(`"
            )
        );
        assert_eq!(
            invalid_pattern_property(&json!({"properties": {"(": {}}})),
            None
        );
    }

    #[test]
    fn non_list_examples_are_stripped_for_the_crate() {
        let schema = json!({
            "$schema": "http://json-schema.org/draft-06/schema#",
            "properties": {"examples": {"examples": 1}, "b": {"examples": [1]}}
        });
        let stripped = strip_v6_unchecked_examples(&schema).expect("one to strip");
        assert_eq!(
            stripped,
            json!({
                "$schema": "http://json-schema.org/draft-06/schema#",
                "properties": {"examples": {}, "b": {"examples": [1]}}
            })
        );
    }
}
