//! Maps a decoded YAML document onto the chart structs the way helm's
//! `sigs.k8s.io/yaml.Unmarshal(data, &Metadata)` does.
//!
//! Two behaviours of that path are visible to users and reproduced here:
//! - scalars are converted to the Go field type first: a number or a boolean
//!   written where a string belongs becomes its text (`version: 1.0` is
//!   `"1"`, `repository: y` is `"true"`), `null` leaves the zero value;
//! - anything else that does not fit is an `encoding/json` type error, and
//!   the first one in key order (JSON objects are sorted) is reported, e.g.
//!   `json: cannot unmarshal string into Go struct field .keywords of type []string`.
//!
//! Field names match case-insensitively, as encoding/json matches them.

use super::metadata::{Dependency, Lock, Maintainer, Metadata};
use crate::render::encode::float::format_float;
use crate::value::Value;
use crate::values::go_json_type_error::{json_kind, path_key, unmarshal_type_error};

/// An encoding/json type error; `Display` is Go's text without the
/// `error unmarshaling JSON: while decoding JSON: ` prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError(pub String);

struct Ctx {
    path: String,
    first_error: Option<TypeError>,
}

impl Ctx {
    fn new() -> Ctx {
        Ctx {
            path: String::new(),
            first_error: None,
        }
    }

    fn type_error(&mut self, found: &Value, go_type: &str) {
        if self.first_error.is_some() {
            return;
        }
        let kind = json_kind(found);
        let msg = unmarshal_type_error(kind, &self.path, go_type);
        self.first_error = Some(TypeError(msg));
    }

    /// Runs `f` with `seg` appended to the path.
    fn at<R>(&mut self, seg: &str, f: impl FnOnce(&mut Ctx) -> R) -> R {
        let saved_len = self.path.len();
        self.path.push('.');
        self.path.push_str(seg);
        let r = f(self);
        self.path.truncate(saved_len);
        r
    }
}

/// The text sigs.k8s.io/yaml gives a YAML scalar decoded into a string field.
/// Integers print as integers; other numbers as Go's `FormatFloat(f, 'g', -1, 32)`.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) | Value::Int64(i) => Some(i.to_string()),
        // sigs.k8s.io/yaml writes a YAML int bound for a string field with
        // strconv.FormatInt and a YAML float with FormatFloat(f, 'g', -1, 32):
        // float32 precision, so 1.5e300 is `+Inf`. The decoded document no
        // longer tells ints from floats; integral values are taken as ints
        // (`appVersion: 20240101`; helm prints `72445e2` as `7.2445e+06`).
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.2e18 && !(*f == 0.0 && f.is_sign_negative()) {
                Some(format!("{}", *f as i64))
            } else {
                let narrowed = *f as f32;
                Some(if narrowed.is_infinite() {
                    if narrowed > 0.0 { "+Inf" } else { "-Inf" }.to_string()
                } else {
                    format_float(f64::from(narrowed), 'g', true)
                })
            }
        }
        _ => None,
    }
}

fn decode_string(ctx: &mut Ctx, v: &Value, out: &mut String) {
    match v {
        Value::Nil => {}
        other => match scalar_text(other) {
            Some(s) => *out = s,
            None => ctx.type_error(other, "string"),
        },
    }
}

fn decode_bool(ctx: &mut Ctx, v: &Value, out: &mut bool) {
    match v {
        Value::Nil => {}
        Value::Bool(b) => *out = *b,
        other => ctx.type_error(other, "bool"),
    }
}

fn decode_strings(ctx: &mut Ctx, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Nil => out.clear(),
        Value::List(l) => {
            let items = l.items.borrow();
            let mut res = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let mut s = String::new();
                ctx.at(&i.to_string(), |c| decode_string(c, item, &mut s));
                res.push(s);
            }
            *out = res;
        }
        other => ctx.type_error(other, "[]string"),
    }
}

/// Iterates a JSON object's entries whose key matches a Go field name
/// case-insensitively (sorted key order, so a later exact-case key wins).
fn fields(v: &Value) -> Vec<(String, Value)> {
    match v {
        Value::Map(m) => m
            .entries
            .borrow()
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

/// The original key for the error path: helm reports the Go field's JSON
/// name, which is what we match against.
fn decode_maintainer(ctx: &mut Ctx, v: &Value) -> Option<Maintainer> {
    match v {
        Value::Nil => None,
        Value::Map(_) => {
            let mut m = Maintainer::default();
            for (k, val) in fields(v) {
                match k.as_str() {
                    "name" => ctx.at("name", |c| decode_string(c, &val, &mut m.name)),
                    "email" => ctx.at("email", |c| decode_string(c, &val, &mut m.email)),
                    "url" => ctx.at("url", |c| decode_string(c, &val, &mut m.url)),
                    _ => {}
                }
            }
            Some(m)
        }
        other => {
            ctx.type_error(other, "v2.Maintainer");
            Some(Maintainer::default())
        }
    }
}

fn decode_dependency(ctx: &mut Ctx, v: &Value) -> Option<Dependency> {
    match v {
        Value::Nil => None,
        Value::Map(_) => {
            let mut d = Dependency::default();
            for (k, val) in fields(v) {
                match k.as_str() {
                    "name" => ctx.at("name", |c| decode_string(c, &val, &mut d.name)),
                    "version" => ctx.at("version", |c| decode_string(c, &val, &mut d.version)),
                    "repository" => {
                        ctx.at("repository", |c| decode_string(c, &val, &mut d.repository))
                    }
                    "condition" => {
                        ctx.at("condition", |c| decode_string(c, &val, &mut d.condition))
                    }
                    "tags" => ctx.at("tags", |c| decode_strings(c, &val, &mut d.tags)),
                    "enabled" => ctx.at("enabled", |c| decode_bool(c, &val, &mut d.enabled)),
                    "import-values" => ctx.at("import-values", |c| match &val {
                        Value::Nil => d.import_values.clear(),
                        Value::List(l) => d.import_values = l.items.borrow().clone(),
                        other => c.type_error(other, "[]interface {}"),
                    }),
                    "alias" => ctx.at("alias", |c| decode_string(c, &val, &mut d.alias)),
                    _ => {}
                }
            }
            Some(d)
        }
        other => {
            ctx.type_error(other, "v2.Dependency");
            Some(Dependency::default())
        }
    }
}

/// Decodes `[]*v2.Dependency`; returns whether a `null` entry was present.
fn decode_dependencies(ctx: &mut Ctx, v: &Value, out: &mut Vec<Dependency>) -> bool {
    let mut saw_null = false;
    match v {
        Value::Nil => out.clear(),
        Value::List(l) => {
            let items = l.items.borrow();
            out.clear();
            for (i, item) in items.iter().enumerate() {
                match ctx.at(&i.to_string(), |c| decode_dependency(c, item)) {
                    Some(d) => out.push(d),
                    None => saw_null = true,
                }
            }
        }
        other => ctx.type_error(other, "[]*v2.Dependency"),
    }
    saw_null
}

/// Applies a decoded Chart.yaml (or requirements.yaml) document onto `md`:
/// fields present in the document overwrite, as Go's Unmarshal into an
/// existing struct does.
pub fn apply_metadata(md: &mut Metadata, doc: &Value) -> Result<(), TypeError> {
    let mut ctx = Ctx::new();
    match doc {
        Value::Nil => {}
        Value::Map(_) => {
            for (k, val) in fields(doc) {
                let c = &mut ctx;
                match k.as_str() {
                    "name" => c.at("name", |c| decode_string(c, &val, &mut md.name)),
                    "home" => c.at("home", |c| decode_string(c, &val, &mut md.home)),
                    "sources" => c.at("sources", |c| decode_strings(c, &val, &mut md.sources)),
                    "version" => c.at("version", |c| decode_string(c, &val, &mut md.version)),
                    "description" => c.at("description", |c| {
                        decode_string(c, &val, &mut md.description)
                    }),
                    "keywords" => c.at("keywords", |c| decode_strings(c, &val, &mut md.keywords)),
                    "maintainers" => c.at("maintainers", |c| match &val {
                        Value::Nil => md.maintainers.clear(),
                        Value::List(l) => {
                            md.maintainers.clear();
                            for (i, item) in l.items.borrow().iter().enumerate() {
                                match c.at(&i.to_string(), |c| decode_maintainer(c, item)) {
                                    Some(m) => md.maintainers.push(m),
                                    None => md.null_maintainer = true,
                                }
                            }
                        }
                        other => c.type_error(other, "[]*v2.Maintainer"),
                    }),
                    "icon" => c.at("icon", |c| decode_string(c, &val, &mut md.icon)),
                    "apiversion" => c.at("apiVersion", |c| {
                        decode_string(c, &val, &mut md.api_version)
                    }),
                    "condition" => c.at("condition", |c| decode_string(c, &val, &mut md.condition)),
                    "tags" => c.at("tags", |c| decode_string(c, &val, &mut md.tags)),
                    "appversion" => c.at("appVersion", |c| {
                        decode_string(c, &val, &mut md.app_version)
                    }),
                    "deprecated" => {
                        c.at("deprecated", |c| decode_bool(c, &val, &mut md.deprecated))
                    }
                    "annotations" => c.at("annotations", |c| match &val {
                        Value::Nil => {
                            md.annotations.clear();
                            md.annotations_non_nil = false;
                        }
                        Value::Map(m) => {
                            md.annotations_non_nil = true;
                            for (ak, av) in m.entries.borrow().iter() {
                                let mut s = String::new();
                                c.at(&path_key(ak), |c| decode_string(c, av, &mut s));
                                md.annotations.insert(ak.clone(), s);
                            }
                        }
                        other => c.type_error(other, "map[string]string"),
                    }),
                    "kubeversion" => c.at("kubeVersion", |c| {
                        decode_string(c, &val, &mut md.kube_version)
                    }),
                    "dependencies" => {
                        let null = c.at("dependencies", |c| {
                            decode_dependencies(c, &val, &mut md.dependencies)
                        });
                        md.null_dependency |= null;
                        match &val {
                            Value::Nil => md.dependencies_non_nil = false,
                            Value::List(_) => md.dependencies_non_nil = true,
                            _ => {}
                        }
                    }
                    "type" => c.at("type", |c| decode_string(c, &val, &mut md.chart_type)),
                    _ => {}
                }
            }
        }
        other => ctx.type_error(other, "v2.Metadata"),
    }
    ctx.first_error.map_or(Ok(()), Err)
}

/// Decodes a Chart.lock / requirements.lock document.
pub fn decode_lock(doc: &Value) -> Result<Lock, TypeError> {
    let mut ctx = Ctx::new();
    let mut lock = Lock::default();
    match doc {
        Value::Nil => {}
        Value::Map(_) => {
            for (k, val) in fields(doc) {
                let c = &mut ctx;
                match k.as_str() {
                    "generated" => c.at("generated", |c| match &val {
                        Value::Nil => {}
                        Value::String(s) => match super::gotime::normalize_rfc3339(s) {
                            Ok(t) => lock.generated = t,
                            Err(e) => {
                                if c.first_error.is_none() {
                                    c.first_error = Some(TypeError(e));
                                }
                            }
                        },
                        other => c.type_error(other, "time.Time"),
                    }),
                    "digest" => c.at("digest", |c| decode_string(c, &val, &mut lock.digest)),
                    "dependencies" => {
                        let null = c.at("dependencies", |c| {
                            decode_dependencies(c, &val, &mut lock.dependencies)
                        });
                        lock.null_dependency |= null;
                    }
                    _ => {}
                }
            }
        }
        other => ctx.type_error(other, "v2.Lock"),
    }
    ctx.first_error.map_or(Ok(lock), Err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::unmarshal;

    fn meta(src: &str) -> Result<Metadata, String> {
        let v = unmarshal(src).map_err(|e| e.to_string())?;
        let mut md = Metadata::default();
        apply_metadata(&mut md, &v).map_err(|e| e.0)?;
        Ok(md)
    }

    #[test]
    fn scalars_become_strings() {
        let md = meta("apiVersion: v2\nname: c\nversion: 1.0\nappVersion: 1000000\nicon: 1.5e-7\nhome: y\nsources: [1, true, null]\n").unwrap();
        assert_eq!(md.version, "1");
        assert_eq!(md.app_version, "1000000");
        assert_eq!(md.icon, "1.5e-07");
        assert_eq!(md.home, "true");
        assert_eq!(md.sources, vec!["1", "true", ""]);
        // float32 text: precision and overflow as strconv's 32-bit formatting
        let md = meta("description: 1.23456789\nkeywords: [1.5e300, -1.5e300]\n").unwrap();
        assert_eq!(md.description, "1.2345679");
        assert_eq!(md.keywords, vec!["+Inf", "-Inf"]);
    }

    #[test]
    fn type_errors_like_go() {
        assert_eq!(
            meta("keywords: abc\n").unwrap_err(),
            "json: cannot unmarshal string into Go struct field .keywords of type []string"
        );
        assert_eq!(
            meta("maintainers: [1]\n").unwrap_err(),
            "json: cannot unmarshal number into .maintainers.0 of type v2.Maintainer"
        );
        assert_eq!(
            meta("annotations: {a: [1]}\n").unwrap_err(),
            "json: cannot unmarshal array into Go struct field .annotations.a of type string"
        );
        // helm 4.3.1's messages: map keys as JSON pointer tokens, and a
        // path ending in a number reads as an array place.
        assert_eq!(
            meta("annotations: {a/b~: [1]}\n").unwrap_err(),
            "json: cannot unmarshal array into Go struct field .annotations.a~1b~0 of type string"
        );
        assert_eq!(
            meta("annotations: {\"x.1\": [1]}\n").unwrap_err(),
            "json: cannot unmarshal array into .annotations.x.1 of type string"
        );
        assert_eq!(
            meta("dependencies: [{name: x, tags: [[a]]}]\n").unwrap_err(),
            "json: cannot unmarshal array into .dependencies.0.tags.0 of type string"
        );
        assert_eq!(
            meta("- a\n").unwrap_err(),
            "json: cannot unmarshal array into Go value of type v2.Metadata"
        );
        // first error in sorted key order
        assert_eq!(
            meta("name: [1]\nkeywords: a\n").unwrap_err(),
            "json: cannot unmarshal string into Go struct field .keywords of type []string"
        );
    }

    #[test]
    fn case_insensitive_fields() {
        let md = meta("Name: c\nVERSION: 1.0.0\n").unwrap();
        assert_eq!(md.name, "c");
        assert_eq!(md.version, "1.0.0");
    }
}
