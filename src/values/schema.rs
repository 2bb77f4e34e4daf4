//! `values.schema.json` validation of a chart tree, reported in Helm 4's
//! words: for each failing chart `<name>:` followed by the error tree of
//! santhosh-tekuri/jsonschema v6 (`- at '/replicaCount': got string, want
//! integer`; several errors under one location are grouped beneath
//! `- at '/o': validation failed`).
//!
//! Validation itself is done by the `jsonschema` crate; this module maps its
//! errors onto v6's messages and tree shape (errors at a location come in
//! v6's keyword order, with the errors of nested values in between).

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::JsonType;

use crate::chart::Chart;
use crate::log::{Level, Logger, Record};
use crate::value::Value;
use crate::values::schema_ahead::SchemaAhead;
use crate::values::schema_loader::HelmSchemaLoader;

/// Helm's `ValidateAgainstSchema`: every chart's schema against its part of
/// the coalesced values. `Ok(())` or the per-chart report (without Helm's
/// `values don't meet the specifications...` header).
/// Debug records are logged as Helm logs them.
pub fn validate_chart_tree(
    chart: &Chart,
    values: &Value,
    log: &mut Logger<'_>,
) -> Result<(), String> {
    validate_chart_tree_ahead(chart, values, log, None)
}

/// [`validate_chart_tree`] using the schemas `ahead` compiled while the
/// chart loaded, where they are this chart's (others are compiled here).
pub fn validate_chart_tree_ahead(
    chart: &Chart,
    values: &Value,
    log: &mut Logger<'_>,
    ahead: Option<&SchemaAhead>,
) -> Result<(), String> {
    let mut report = String::new();
    let mut warned = Vec::new();
    collect(chart, values, &mut report, log, ahead, &mut warned);
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

fn collect(
    chart: &Chart,
    values: &Value,
    report: &mut String,
    log: &mut Logger<'_>,
    ahead: Option<&SchemaAhead>,
    warned_urns: &mut Vec<String>,
) {
    if let Some(schema) = &chart.schema {
        log(Record::new(Level::Debug, "chart name").attr("chart-name", chart.name()));
        log(Record::new(Level::Debug, "unmarshalled JSON schema")
            .attr("schema", String::from_utf8_lossy(schema).into_owned()));
        // Values that certainly meet a schema of the common kind need no
        // compiled schema: no error and no warning come of it. The JSON is
        // read once, for both.
        let parsed = serde_json::from_slice::<serde_json::Value>(schema).ok();
        let quick = parsed
            .as_ref()
            .is_some_and(|s| super::schema_quick::certainly_valid(s, values));
        if !quick {
            let compiled = ahead
                .and_then(|a| a.take(schema))
                .unwrap_or_else(|| match parsed {
                    Some(parsed) => compile_parsed(parsed),
                    None => compile_schema(schema),
                });
            for urn in compiled.unresolved_urns {
                // Helm warns once per URN in a process.
                if !warned_urns.contains(&urn) {
                    log(Record::new(
                        Level::Warn,
                        "unresolved URN reference ignored; using permissive schema",
                    )
                    .attr("urn", urn.clone()));
                    warned_urns.push(urn);
                }
            }
            let outcome = compiled.outcome;
            if let Err(e) = outcome.and_then(|c| validate_compiled(values, &c)) {
                report.push_str(&format!("{}:\n", chart.name()));
                report.push_str(&e);
            }
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
            Some(v @ Value::Map(_)) => collect(sub, &v, report, log, ahead, warned_urns),
            Some(other) => report.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                other.type_name()
            )),
        }
    }
}

/// jsonschema v6 (helm's validator) knows the drafts' meta-schemas under
/// `http` and `https`, with or without the empty fragment, and takes the
/// version-less `http://json-schema.org/schema#` (common in Bitnami charts)
/// for its latest draft, 2020-12: none of them is fetched. The Rust crate
/// holds each meta-schema under one spelling and fetches any other over the
/// network, on every render. Name the draft by the crate's spelling instead;
/// any other `$schema` URL is returned, to be loaded first as v6 does.
fn name_builtin_meta_schema(schema: &mut serde_json::Value) -> Option<String> {
    let declared = schema.get_mut("$schema")?;
    let url = declared.as_str()?;
    match builtin_meta_schema_url(url) {
        Some(builtin) => {
            *declared = serde_json::Value::String(builtin.into());
            None
        }
        None => Some(url.to_string()),
    }
}

/// The crate's spelling of the meta-schema `declared` names, if it is one
/// of the drafts.
pub(crate) fn builtin_meta_schema_url(declared: &str) -> Option<&'static str> {
    let bare = declared
        .strip_prefix("http://")
        .or_else(|| declared.strip_prefix("https://"))?;
    let bare = bare.strip_suffix('#').unwrap_or(bare);
    Some(match bare {
        "json-schema.org/schema" | "json-schema.org/draft/2020-12/schema" => {
            "https://json-schema.org/draft/2020-12/schema"
        }
        "json-schema.org/draft/2019-09/schema" => "https://json-schema.org/draft/2019-09/schema",
        "json-schema.org/draft-07/schema" => "http://json-schema.org/draft-07/schema#",
        "json-schema.org/draft-06/schema" => "http://json-schema.org/draft-06/schema#",
        "json-schema.org/draft-04/schema" => "http://json-schema.org/draft-04/schema#",
        _ => return None,
    })
}

/// One schema against one chart's values: `Err` holds v6's error lines plus
/// a final newline.
pub fn validate_single(values: &Value, schema_json: &[u8]) -> Result<(), String> {
    validate_compiled(values, &compile_schema(schema_json).outcome?)
}

/// A values.schema.json ready to validate with: compiling is most of the
/// work of validating (a Bitnami subchart's schema is 150 KB), and it does
/// not depend on the values, so it can be done ahead on another thread.
pub struct CompiledSchema {
    schema: serde_json::Value,
    validator: jsonschema::Validator,
}

/// Go's words for a JSON document that does not parse (serde's as a
/// fallback, should the two parsers ever disagree).
pub fn json_error_text(data: &[u8], e: &serde_json::Error) -> String {
    super::go_json_error::go_json_syntax_error(data).unwrap_or_else(|| e.to_string())
}

/// A schema compiled, or the error text Helm gives for it, and the `urn:`
/// references met on the way, which Helm warns about.
pub struct Compilation {
    pub outcome: Result<CompiledSchema, String>,
    pub unresolved_urns: Vec<String>,
}

/// The first half of [`validate_single`]: the schema's JSON read and
/// compiled.
pub fn compile_schema(schema_json: &[u8]) -> Compilation {
    match serde_json::from_slice(schema_json) {
        Ok(schema) => compile_parsed(schema),
        Err(e) => Compilation {
            outcome: Err(json_error_text(schema_json, &e)),
            unresolved_urns: Vec::new(),
        },
    }
}

/// [`compile_schema`] of a schema whose JSON is already read.
pub fn compile_parsed(schema: serde_json::Value) -> Compilation {
    let loader = HelmSchemaLoader::default();
    let urns = loader.urns();
    let outcome = compile_with(schema, loader);
    let unresolved_urns = urns.lock().map(|u| u.clone()).unwrap_or_default();
    Compilation {
        outcome,
        unresolved_urns,
    }
}

fn compile_with(
    mut schema: serde_json::Value,
    mut loader: HelmSchemaLoader,
) -> Result<CompiledSchema, String> {
    if let Some(custom) = name_builtin_meta_schema(&mut schema) {
        loader.preload_meta_schema(&custom)?;
    }
    let options = super::schema_formats::with_v6_formats(
        jsonschema::options()
            .with_base_uri(super::schema_loader::ROOT_SCHEMA_URL)
            .with_retriever(loader),
    );
    if let Some(report) = meta_schema_report(&schema) {
        return Err(report);
    }
    // Drafts 4 and 6 leave `patternProperties`' names to v6's compiler,
    // which reads them as Go regular expressions.
    if let Some(message) = super::schema_meta::invalid_pattern_property(&schema) {
        return Err(message);
    }
    let validator = match options.build(&schema) {
        Ok(validator) => validator,
        // The crate checked the schema against its own copy of the
        // meta-schema, which is stricter than v6's in one place.
        Err(e) => match super::schema_meta::strip_v6_unchecked_examples(&schema) {
            Some(stripped) => options.build(&stripped),
            None => Err(e),
        }
        .map_err(|e| super::schema_loader::v6_compile_message(&e.to_string()))?,
    };
    Ok(CompiledSchema { schema, validator })
}

/// v6's report of a schema its draft's meta-schema rejects (a typo such as
/// `"type": "int"`): the failures as an error tree, like values' failures,
/// after a line naming the meta-schema (v6's copy of it, see
/// [`super::schema_meta`]). `None` when that meta-schema accepts the schema
/// or the schema names none of the drafts.
fn meta_schema_report(schema: &serde_json::Value) -> Option<String> {
    let meta = super::schema_meta::for_draft(jsonschema::Draft::default().detect(schema))?;
    // Nearly every schema passes: the yes/no answer is much cheaper than
    // collecting the errors.
    if meta.validator.is_valid(schema) {
        return None;
    }
    // A draft's `$schema` has been given the crate's spelling; v6 names
    // the meta-schema with an empty fragment.
    let declared = schema
        .get("$schema")
        .and_then(|s| s.as_str())
        .unwrap_or("https://json-schema.org/draft/2020-12/schema");
    let url = format!("{}#", declared.trim_end_matches('#'));
    let leaves: Vec<Leaf> = meta
        .validator
        .iter_errors(schema)
        .map(|err| Leaf::from_error(&err, &meta.document, schema, 0, 0))
        .collect();
    if leaves.is_empty() {
        return None;
    }
    let tree = render_tree(leaves);
    Some(format!(
        "\"{}#\" is not valid against metaschema: jsonschema validation failed with '{url}'\n{}",
        super::schema_loader::ROOT_SCHEMA_URL,
        tree.trim_start_matches('\n')
    ))
}

/// The second half of [`validate_single`].
pub fn validate_compiled(values: &Value, compiled: &CompiledSchema) -> Result<(), String> {
    let CompiledSchema { schema, validator } = compiled;
    let instance = to_json(values);
    let leaves: Vec<Leaf> = validator
        .iter_errors(&instance)
        .map(|err| Leaf::from_error(&err, schema, &instance, 0, 0))
        .collect();
    if leaves.is_empty() {
        return Ok(());
    }
    let out = render_tree(leaves);
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

/// One error the `jsonschema` crate reported, phrased as v6 would, with
/// where in the evaluation it was found.
struct Leaf {
    /// The instance location of the error itself.
    loc: Vec<String>,
    /// The subschemas entered from the schema being evaluated to the one
    /// whose keyword failed (v6 builds its error tree along these).
    steps: Vec<Step>,
    /// v6's keyword order within one schema (see [`Rank`]).
    rank: u32,
    message: String,
    /// `required` errors of one schema are merged into one message.
    missing: Vec<String>,
    /// `dependentRequired`/`dependencies` (array form): v6's messages for the
    /// whole keyword, computed once from the schema and the instance.
    dependency: Option<(String, Vec<String>)>,
    /// The alternatives of `anyOf`/`oneOf`, each with its own errors.
    branches: Vec<Vec<Leaf>>,
    /// A name failing `propertyNames`: the name, and the errors of the
    /// `propertyNames` schema against it (the crate reports each on its
    /// own; v6 evaluates the schema once per name).
    property_name: Option<(String, Vec<Leaf>)>,
    /// `unevaluatedProperties: false`: each property fails the false schema
    /// at its own location.
    false_props: Vec<String>,
    /// `additionalProperties: false`: v6 lists every such property in one
    /// error (the crate may report one false schema per property).
    additional: Vec<String>,
}

/// v6's keyword order inside one schema evaluation: `type`, `const`,
/// `enum`, `format` stop the evaluation; then `$ref`, the type-specific
/// keywords (bounds and `required` first, the nested values, then
/// `additionalProperties`/`propertyNames`/...), then `not`, `allOf`,
/// `anyOf`, `oneOf`, `if`, and the unevaluated keywords last.
mod rank {
    pub const TYPE: u32 = 0;
    pub const CONST: u32 = 1;
    pub const ENUM: u32 = 2;
    pub const FORMAT: u32 = 3;
    pub const REF: u32 = 5;
    pub const REQUIRED: u32 = 12;
    pub const DEPENDENCIES: u32 = 13;
    pub const NESTED: u32 = 20;
    pub const ADDITIONAL: u32 = 30;
    pub const DEPENDENT_SCHEMAS: u32 = 32;
    pub const DEPENDENT_REQUIRED: u32 = 33;
    pub const NOT: u32 = 40;
    pub const ALL_OF: u32 = 41;
    pub const ANY_OF: u32 = 42;
    pub const ONE_OF: u32 = 43;
    pub const IF: u32 = 44;
    pub const UNEVALUATED: u32 = 50;
}

/// Entering a subschema during evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// `properties`, `items`, `additionalProperties`, ...: a nested value,
    /// validated on its own (v6's `validateVal`). `key` tells apart
    /// different keywords reaching the same value.
    Into { key: String, seg: String },
    /// `$ref` and friends: the result is wrapped in a reference error.
    Ref,
    /// Branch `n` of `allOf`: failures are collected under `'allOf' failed`.
    AllOf(usize),
    /// `then`/`else`/`dependentSchemas/x`/`dependencies/x`: the subschema's
    /// result is added as it is.
    Inline { key: String, rank: u32 },
}

fn is_index(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Splits an evaluation path into the subschemas entered before the failing
/// keyword; `depth` is how much of the instance path is already consumed.
/// Also returns how many segments the steps took.
fn steps_of(eval: &[String], inst: &[String], mut depth: usize) -> (Vec<Step>, usize) {
    let mut steps = Vec::new();
    let mut i = 0;
    while i < eval.len() {
        let rest = eval.len() - i;
        let kw = eval[i].as_str();
        let next_inst = inst.get(depth).cloned().unwrap_or_default();
        match kw {
            "properties" | "patternProperties" if rest >= 3 => {
                steps.push(Step::Into {
                    key: format!("{kw}/{}", eval[i + 1]),
                    seg: next_inst,
                });
                depth += 1;
                i += 2;
            }
            "prefixItems" if rest >= 3 => {
                steps.push(Step::Into {
                    key: kw.into(),
                    seg: next_inst,
                });
                depth += 1;
                i += 2;
            }
            "items" if rest >= 3 && is_index(&eval[i + 1]) => {
                steps.push(Step::Into {
                    key: kw.into(),
                    seg: next_inst,
                });
                depth += 1;
                i += 2;
            }
            "items"
            | "additionalItems"
            | "additionalProperties"
            | "unevaluatedProperties"
            | "unevaluatedItems"
                if rest >= 2 =>
            {
                steps.push(Step::Into {
                    key: kw.into(),
                    seg: next_inst,
                });
                depth += 1;
                i += 1;
            }
            "$ref" | "$dynamicRef" | "$recursiveRef" if rest >= 2 => {
                steps.push(Step::Ref);
                i += 1;
            }
            "allOf" if rest >= 3 && is_index(&eval[i + 1]) => {
                steps.push(Step::AllOf(eval[i + 1].parse().unwrap_or(0)));
                i += 2;
            }
            "then" | "else" if rest >= 2 => {
                steps.push(Step::Inline {
                    key: kw.into(),
                    rank: rank::IF,
                });
                i += 1;
            }
            "dependentSchemas" | "dependencies" if rest >= 3 => {
                let rank = if kw == "dependencies" {
                    rank::DEPENDENCIES
                } else {
                    rank::DEPENDENT_SCHEMAS
                };
                steps.push(Step::Inline {
                    key: format!("{kw}/{}", eval[i + 1]),
                    rank,
                });
                i += 2;
            }
            _ => break,
        }
    }
    (steps, i)
}

fn path_segments(location: &str) -> Vec<String> {
    location
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

impl Leaf {
    /// `skip` leading evaluation-path segments belong to an enclosing
    /// `anyOf`/`oneOf` branch whose value is at instance depth `depth`.
    fn from_error(
        err: &jsonschema::ValidationError<'_>,
        schema: &serde_json::Value,
        values: &serde_json::Value,
        skip: usize,
        depth: usize,
    ) -> Leaf {
        let loc = path_segments(err.instance_path().as_str());
        // The crate gives a `propertyNames` error the evaluation path of
        // the failing keyword's schema, which past a `$ref` is the target's
        // location; the inner error has the path taken.
        let eval = match err.kind() {
            ValidationErrorKind::PropertyNames { error } => error.evaluation_path(),
            _ => err.evaluation_path(),
        };
        let eval = path_segments(eval.as_str());
        let (steps, consumed) = steps_of(eval.get(skip..).unwrap_or_default(), &loc, depth);
        let instance = err.instance();
        let kind = err.kind();
        let mut leaf = Leaf {
            loc,
            steps,
            rank: 60,
            message: String::new(),
            missing: Vec::new(),
            dependency: None,
            branches: Vec::new(),
            property_name: None,
            false_props: Vec::new(),
            additional: Vec::new(),
        };
        let branch_errors = |context: &[Vec<jsonschema::ValidationError<'static>>]| {
            // The branch's errors continue below `anyOf/<n>`.
            context
                .iter()
                .map(|branch| {
                    branch
                        .iter()
                        .map(|e| {
                            Leaf::from_error(e, schema, values, eval.len() + 1, leaf_depth(err))
                        })
                        .collect()
                })
                .collect()
        };
        let (rank, message) = match kind {
            ValidationErrorKind::Type { kind } => (rank::TYPE, type_message(kind, instance)),
            ValidationErrorKind::Constant { expected_value } => (
                rank::CONST,
                match &**expected_value {
                    serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                        "const failed".to_string()
                    }
                    v => format!("value must be {}", display(v)),
                },
            ),
            ValidationErrorKind::Enum { options } => (rank::ENUM, enum_message(options)),
            ValidationErrorKind::Format { format } => (
                rank::FORMAT,
                match format_reason(format, instance) {
                    Some(why) => format!("{} is not valid {format}: {why}", display(instance)),
                    None => format!("{} is not valid {format}", display(instance)),
                },
            ),
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
                let keyword = eval.last().map(String::as_str).unwrap_or_default();
                if keyword == "dependentRequired" || keyword == "dependencies" {
                    let messages =
                        dependency_messages(schema, err.schema_path().as_str(), instance);
                    leaf.dependency = Some((keyword.to_string(), messages));
                    if keyword == "dependencies" {
                        (rank::DEPENDENCIES, String::new())
                    } else {
                        (rank::DEPENDENT_REQUIRED, String::new())
                    }
                } else {
                    leaf.missing
                        .push(property.as_str().unwrap_or_default().to_string());
                    (rank::REQUIRED, String::new())
                }
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                leaf.additional = unexpected.clone();
                (rank::ADDITIONAL, String::new())
            }
            // The crate reports `additionalProperties: false` of a schema
            // without `properties`/`patternProperties` as a false schema at
            // the object: every property of it is unexpected.
            ValidationErrorKind::FalseSchema
                if eval.last().is_some_and(|k| k == "additionalProperties")
                    && object_at(values, &leaf.loc).is_some() =>
            {
                leaf.additional = object_at(values, &leaf.loc)
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default();
                (rank::ADDITIONAL, String::new())
            }
            ValidationErrorKind::PropertyNames { error } => {
                // The inner error's evaluation continues below the
                // `propertyNames` keyword the outer steps stopped at; its
                // value is the name, a string, shown at ''.
                let below = skip.saturating_add(consumed).saturating_add(1);
                let mut inner = Leaf::from_error(error, schema, values, below, 0);
                inner.loc.clear();
                let name = error.instance().as_str().unwrap_or_default().to_string();
                let message = format!("invalid propertyName {}", quote(&name));
                leaf.property_name = Some((name, vec![inner]));
                (31, message)
            }
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
                leaf.branches = branch_errors(context);
                (rank::ANY_OF, "'anyOf' failed".into())
            }
            ValidationErrorKind::OneOfNotValid { context } => {
                leaf.branches = branch_errors(context);
                (rank::ONE_OF, "'oneOf' failed, none matched".into())
            }
            ValidationErrorKind::OneOfMultipleValid { .. } => (
                rank::ONE_OF,
                "'oneOf' failed, subschemas 0, 1 matched".into(),
            ),
            ValidationErrorKind::Not { .. } => (rank::NOT, "'not' failed".into()),
            ValidationErrorKind::FalseSchema => (rank::NESTED, "false schema".into()),
            ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                leaf.false_props = unexpected.clone();
                (rank::UNEVALUATED, "false schema".into())
            }
            ValidationErrorKind::UnevaluatedItems { .. } => {
                (rank::UNEVALUATED + 1, "unevaluatedItems failed".into())
            }
            other => (60, other.keyword().to_string()),
        };
        leaf.rank = rank;
        leaf.message = message;
        leaf
    }

    fn text(&self) -> String {
        if !self.missing.is_empty() {
            if self.missing.len() == 1 {
                return format!("missing property {}", quote(&self.missing[0]));
            }
            return format!("missing properties {}", join_quoted(&self.missing));
        }
        if !self.additional.is_empty() {
            return format!(
                "additional properties {} not allowed",
                join_quoted(&self.additional)
            );
        }
        self.message.clone()
    }
}

/// The object at an instance location, if it is one.
fn object_at<'v>(
    values: &'v serde_json::Value,
    loc: &[String],
) -> Option<&'v serde_json::Map<String, serde_json::Value>> {
    let mut v = values;
    for seg in loc {
        v = match v {
            serde_json::Value::Object(o) => o.get(seg)?,
            serde_json::Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    v.as_object()
}

fn leaf_depth(err: &jsonschema::ValidationError<'_>) -> usize {
    path_segments(err.instance_path().as_str()).len()
}

/// v6's `properties 'b', 'c' required, if 'a' exists` for every property of
/// a `dependentRequired`/`dependencies` keyword that the instance has.
fn dependency_messages(
    schema: &serde_json::Value,
    keyword_path: &str,
    instance: &serde_json::Value,
) -> Vec<String> {
    let (Some(deps), Some(obj)) = (
        schema.pointer(keyword_path).and_then(|d| d.as_object()),
        instance.as_object(),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (prop, reqs) in deps {
        let Some(reqs) = reqs.as_array() else {
            continue;
        };
        if !obj.contains_key(prop) {
            continue;
        }
        let missing: Vec<String> = reqs
            .iter()
            .filter_map(|r| r.as_str())
            .filter(|r| !obj.contains_key(*r))
            .map(str::to_string)
            .collect();
        if !missing.is_empty() {
            out.push(format!(
                "properties {} required, if {} exists",
                join_quoted(&missing),
                quote(prop)
            ));
        }
    }
    out
}

/// An error of v6's tree as it is displayed.
struct VErr {
    loc: Vec<String>,
    message: String,
    causes: Vec<VErr>,
    /// v6's `Group`: several errors of one evaluation (`validation failed`).
    group: bool,
    /// A reference error with one cause is not shown itself.
    skip: bool,
}

impl VErr {
    fn new(loc: Vec<String>, message: String) -> VErr {
        VErr {
            loc,
            message,
            causes: Vec::new(),
            group: false,
            skip: false,
        }
    }

    fn display(&self, out: &mut String, indent: usize) {
        let mut indent = indent;
        if !self.skip {
            out.push('\n');
            for _ in 0..indent - 1 {
                out.push_str("  ");
            }
            out.push_str(&format!(
                "- at {}: {}",
                quote(&pointer(&self.loc)),
                self.message
            ));
            indent += 1;
        }
        for c in &self.causes {
            c.display(out, indent);
        }
    }
}

/// One schema evaluated against one value (v6's `validate`), with the
/// failing keywords of that schema and the subschemas it entered.
struct EvalNode {
    loc: Vec<String>,
    leaves: Vec<Leaf>,
    children: Vec<(Step, EvalNode)>,
}

impl EvalNode {
    fn new(loc: Vec<String>) -> EvalNode {
        EvalNode {
            loc,
            leaves: Vec::new(),
            children: Vec::new(),
        }
    }

    fn build(loc: Vec<String>, leaves: Vec<Leaf>) -> EvalNode {
        let mut node = EvalNode::new(loc);
        for leaf in leaves {
            node.insert(leaf, 0);
        }
        node
    }

    fn insert(&mut self, mut leaf: Leaf, at: usize) {
        let Some(step) = leaf.steps.get(at).cloned() else {
            if !leaf.missing.is_empty() {
                if let Some(req) = self.leaves.iter_mut().find(|l| !l.missing.is_empty()) {
                    req.missing.extend(leaf.missing);
                    return;
                }
            }
            if !leaf.additional.is_empty() {
                if let Some(add) = self.leaves.iter_mut().find(|l| !l.additional.is_empty()) {
                    add.additional.extend(leaf.additional);
                    return;
                }
            }
            if let Some((name, inner)) = &mut leaf.property_name {
                let same = self
                    .leaves
                    .iter_mut()
                    .find_map(|l| match &mut l.property_name {
                        Some((n, leaves)) if n == name => Some(leaves),
                        _ => None,
                    });
                if let Some(leaves) = same {
                    leaves.append(inner);
                    return;
                }
            }
            if let Some((keyword, _)) = &leaf.dependency {
                if self
                    .leaves
                    .iter()
                    .any(|l| l.dependency.as_ref().is_some_and(|(k, _)| k == keyword))
                {
                    return;
                }
            }
            self.leaves.push(leaf);
            return;
        };
        let child = match self.children.iter().position(|(s, _)| *s == step) {
            Some(i) => &mut self.children[i].1,
            None => {
                let mut loc = self.loc.clone();
                if let Step::Into { seg, .. } = &step {
                    loc.push(seg.clone());
                }
                self.children.push((step, EvalNode::new(loc)));
                let last = self.children.len() - 1;
                &mut self.children[last].1
            }
        };
        child.insert(leaf, at + 1);
    }

    /// The errors of this evaluation in v6's order.
    fn errors(&self) -> Vec<VErr> {
        // `type`, `const`, `enum` and `format` end the evaluation.
        for stop in [rank::TYPE, rank::CONST, rank::ENUM, rank::FORMAT] {
            if let Some(l) = self.leaves.iter().find(|l| l.rank == stop) {
                return vec![VErr::new(l.loc.clone(), l.text())];
            }
        }
        let mut ranked: Vec<(u32, Vec<String>, VErr)> = Vec::new();
        for l in &self.leaves {
            if let Some((_, messages)) = &l.dependency {
                for m in messages {
                    ranked.push((l.rank, Vec::new(), VErr::new(l.loc.clone(), m.clone())));
                }
                continue;
            }
            if !l.false_props.is_empty() {
                let mut props = l.false_props.clone();
                props.sort();
                for p in props {
                    let mut loc = l.loc.clone();
                    loc.push(p);
                    ranked.push((l.rank, loc.clone(), VErr::new(loc, l.message.clone())));
                }
                continue;
            }
            let mut e = VErr::new(l.loc.clone(), l.text());
            if !l.branches.is_empty() {
                e.causes = l
                    .branches
                    .iter()
                    .filter_map(|b| {
                        EvalNode::build(l.loc.clone(), b.iter().map(clone_leaf).collect())
                            .collapse()
                    })
                    .collect();
            }
            if let Some((_, inner)) = &l.property_name {
                let node = EvalNode::build(Vec::new(), inner.iter().map(clone_leaf).collect());
                match node.collapse() {
                    Some(c) if c.group => e.causes.extend(c.causes),
                    Some(c) => e.causes.push(c),
                    None => {}
                }
            }
            ranked.push((l.rank, l.loc.clone(), e));
        }
        let mut all_of: Vec<(usize, VErr)> = Vec::new();
        for (step, child) in &self.children {
            let Some(err) = child.collapse() else {
                continue;
            };
            match step {
                Step::Into { .. } => ranked.push((rank::NESTED, child.loc.clone(), err)),
                Step::Ref => {
                    let causes = if err.group { err.causes } else { vec![err] };
                    let skip = causes.len() == 1;
                    ranked.push((
                        rank::REF,
                        Vec::new(),
                        VErr {
                            loc: self.loc.clone(),
                            message: "validation failed".into(),
                            causes,
                            group: false,
                            skip,
                        },
                    ));
                }
                Step::AllOf(n) => all_of.push((*n, err)),
                Step::Inline { rank, .. } => ranked.push((*rank, Vec::new(), err)),
            }
        }
        if !all_of.is_empty() {
            all_of.sort_by_key(|(n, _)| *n);
            let mut e = VErr::new(self.loc.clone(), "'allOf' failed".into());
            e.causes = all_of.into_iter().map(|(_, e)| e).collect();
            ranked.push((rank::ALL_OF, Vec::new(), e));
        }
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| compare_locations(&a.1, &b.1)));
        ranked.into_iter().map(|(_, _, e)| e).collect()
    }

    /// v6's result of one evaluation: nothing, its one error, or a group.
    fn collapse(&self) -> Option<VErr> {
        let mut errors = self.errors();
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(VErr {
                loc: self.loc.clone(),
                message: "validation failed".into(),
                causes: errors,
                group: true,
                skip: false,
            }),
        }
    }
}

/// Instance locations in a stable order: array indexes numerically. (Go
/// visits an object's properties in random order; v6's output for several
/// failing properties is therefore not stable, and any order is helm's.)
fn compare_locations(a: &[String], b: &[String]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(i), Ok(j)) if is_index(x) && is_index(y) => i.cmp(&j),
            _ => x.cmp(y),
        };
        if ord != std::cmp::Ordering::Equal {
            return ord;
        }
    }
    a.len().cmp(&b.len())
}

fn clone_leaf(l: &Leaf) -> Leaf {
    Leaf {
        loc: l.loc.clone(),
        steps: l.steps.clone(),
        rank: l.rank,
        message: l.message.clone(),
        missing: l.missing.clone(),
        dependency: l.dependency.clone(),
        branches: l
            .branches
            .iter()
            .map(|b| b.iter().map(clone_leaf).collect())
            .collect(),
        property_name: l
            .property_name
            .as_ref()
            .map(|(name, inner)| (name.clone(), inner.iter().map(clone_leaf).collect())),
        false_props: l.false_props.clone(),
        additional: l.additional.clone(),
    }
}

/// Builds v6's error tree from the crate's flat errors and renders it as
/// helm prints it: the root's causes at the top level.
fn render_tree(leaves: Vec<Leaf>) -> String {
    let Some(root) = EvalNode::build(Vec::new(), leaves).collapse() else {
        return String::new();
    };
    let top = if root.group { root.causes } else { vec![root] };
    let mut out = String::new();
    for e in &top {
        e.display(&mut out, 1);
    }
    out
}

/// Why v6's format checker rejects a string (the text after `is not valid
/// <format>: `), for the formats values schemas use; `None` when unknown.
fn format_reason(format: &str, instance: &serde_json::Value) -> Option<String> {
    super::schema_formats::check(format, instance.as_str()?)?.err()
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
        return "'enum' failed".into();
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
                if json_equal(&items[i], &items[j]) {
                    return format!("items at {i} and {j} are equal");
                }
            }
        }
    }
    "items are not unique".into()
}

/// JSON Schema's equality: numbers by value (`1` is `1.0`), which
/// serde's `==` tells apart.
pub(crate) fn json_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as Json;
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
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

    /// A retriever that fails the test if anything is fetched.
    struct NoFetch;

    impl jsonschema::Retrieve for NoFetch {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
            panic!("fetched {}", uri.as_str())
        }
    }

    #[test]
    fn the_drafts_are_never_fetched() {
        for draft in [
            "json-schema.org/schema",
            "json-schema.org/draft/2020-12/schema",
            "json-schema.org/draft/2019-09/schema",
            "json-schema.org/draft-07/schema",
            "json-schema.org/draft-06/schema",
            "json-schema.org/draft-04/schema",
        ] {
            for scheme in ["http://", "https://"] {
                for fragment in ["", "#"] {
                    let declared = format!("{scheme}{draft}{fragment}");
                    let mut schema = serde_json::json!({"$schema": declared, "type": "object"});
                    assert_eq!(name_builtin_meta_schema(&mut schema), None, "{declared}");
                    jsonschema::options()
                        .with_retriever(NoFetch)
                        .build(&schema)
                        .unwrap_or_else(|e| panic!("{declared}: {e}"));
                }
            }
        }
        let mut custom = serde_json::json!({"$schema": "https://example.com/meta.json"});
        assert_eq!(
            name_builtin_meta_schema(&mut custom).as_deref(),
            Some("https://example.com/meta.json")
        );
    }

    #[test]
    fn custom_meta_schemas_load_first_and_urns_are_permissive() {
        let failed = compile_schema(
            br#"{"$schema": "file:///rudder-no-such-meta.json", "properties": {"a": {"$ref": "ftp://x/a.json"}}}"#,
        );
        assert_eq!(
            failed.outcome.err().as_deref(),
            Some("failing loading \"file:///rudder-no-such-meta.json\": open /rudder-no-such-meta.json: no such file or directory")
        );
        let urns = compile_schema(
            br#"{"$schema": "urn:x:meta", "properties": {"a": {"$ref": "urn:x:a"}}}"#,
        );
        assert_eq!(urns.unresolved_urns, ["urn:x:meta", "urn:x:a"]);
        let values = map_of(vec![("a", Value::str("anything"))]);
        assert_eq!(
            validate_compiled(&values, &urns.outcome.expect("compiles")),
            Ok(())
        );
    }

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
    fn v6_tree_follows_the_evaluation() {
        // One failing property at the root: its group is flattened.
        let schema = br#"{"properties":{"s":{"required":["a"],"dependentRequired":{"t":["u"]},
            "properties":{"b":{"required":["c"]}}}}}"#;
        let values = map_of(vec![(
            "s",
            map_of(vec![("b", map_of(vec![])), ("t", Value::Int64(1))]),
        )]);
        assert_eq!(
            validate_single(&values, schema).unwrap_err(),
            "- at '/s': missing property 'a'
- at '/s/b': missing property 'c'
- at '/s': properties 'u' required, if 't' exists
"
        );
        // allOf branches are listed beneath `'allOf' failed`, a $ref with
        // one error is not shown itself.
        let schema = br##"{"$defs":{"n":{"type":"integer"}},"properties":{"x":{"allOf":[{"$ref":"#/$defs/n"},{"minLength":3}]}}}"##;
        assert_eq!(
            validate_single(&map_of(vec![("x", Value::str("ab"))]), schema).unwrap_err(),
            "- at '/x': 'allOf' failed
  - at '/x': got string, want integer
  - at '/x': minLength: got 2, want 3
"
        );
    }

    #[test]
    fn format_reasons() {
        let schema =
            br#"{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"ip":{"format":"ipv4"}}}"#;
        assert_eq!(
            validate_single(&map_of(vec![("ip", Value::str("1.2.3"))]), schema).unwrap_err(),
            "- at '/ip': '1.2.3' is not valid ipv4: expected four decimals\n"
        );
        let reason = |format: &str, s: &str| format_reason(format, &serde_json::json!(s));
        assert_eq!(
            reason("email", "a..b@x.io").as_deref(),
            Some("consecutive dots")
        );
        assert_eq!(
            reason("hostname", "-x.io").as_deref(),
            Some("label starts with hyphen")
        );
        // v6 asserts `uuid` in draft-07, which the crate knows from 2019-09 on.
        let uuid = br#"{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"id":{"format":"uuid"}}}"#;
        assert_eq!(
            validate_single(&map_of(vec![("id", Value::str("x"))]), uuid).unwrap_err(),
            "- at '/id': 'x' is not valid uuid: must have 5 elements\n"
        );
        // ... and no format in 2020-12.
        let quiet = br#"{"$schema":"https://json-schema.org/draft/2020-12/schema","properties":{"id":{"format":"uuid"}}}"#;
        assert_eq!(
            validate_single(&map_of(vec![("id", Value::str("x"))]), quiet),
            Ok(())
        );
    }

    #[test]
    fn schemas_the_meta_schema_rejects() {
        let typo = br#"{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"b":{"minimum":"1"}},"required":"a"}"#;
        assert_eq!(
            validate_single(&Value::empty_map(), typo).unwrap_err(),
            "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with 'http://json-schema.org/draft-07/schema#'
- at '/properties/b/minimum': got string, want number
- at '/required': got string, want array"
        );
    }

    #[test]
    fn property_names_are_evaluated_once_per_name() {
        let schema = br##"{"definitions":{"d":{"minLength":5}},"properties":{"a":{"propertyNames":{"allOf":[{"maxLength":0}],"$ref":"#/definitions/d"}}}}"##;
        let values = map_of(vec![("a", map_of(vec![("c", Value::Int(1))]))]);
        assert_eq!(
            validate_single(&values, schema).unwrap_err(),
            "- at '/a': invalid propertyName 'c'
  - at '': minLength: got 1, want 5
  - at '': 'allOf' failed
    - at '': maxLength: got 1, want 0
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
