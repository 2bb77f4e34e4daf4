//! Chart.yaml, Chart.lock and requirements.yaml as typed structs, with
//! helm's validation rules and messages.
//!
//! Decoding from YAML lives in [`super::decode`]; serialising back (for
//! `show chart` and `package`) goes through [`Metadata::to_value`] so that
//! the YAML emitter sees exactly the JSON shape helm marshals (omitempty
//! fields dropped).

use crate::value::{MapData, Value};
use crate::version::Version;

/// `v1`: Helm 2 charts (dependencies in requirements.yaml).
pub const API_VERSION_V1: &str = "v1";
/// `v2`: Helm 3+ charts (dependencies in Chart.yaml).
pub const API_VERSION_V2: &str = "v2";

/// A chart maintainer (`maintainers[]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// One entry of `dependencies` (Chart.yaml, requirements.yaml, Chart.lock).
#[derive(Clone, Debug, Default)]
pub struct Dependency {
    pub name: String,
    /// A version or a range in Chart.yaml; a single version in a lock.
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    /// Either strings (`child.key`) or `{child: ..., parent: ...}` maps, kept
    /// as written because helm keeps them as `[]interface{}`.
    pub import_values: Vec<Value>,
    pub alias: String,
}

/// Chart.lock / requirements.lock.
#[derive(Clone, Debug, Default)]
pub struct Lock {
    /// RFC 3339 timestamp as written (Go `time.Time`); empty when absent.
    pub generated: String,
    pub digest: String,
    pub dependencies: Vec<Dependency>,
    /// `dependencies: [null]` is kept so that validation can reject it.
    pub null_dependency: bool,
}

/// Chart.yaml.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    /// `map[string]string`: sorted, as Go marshals maps.
    pub annotations: std::collections::BTreeMap<String, String>,
    /// Chart.yaml has a non-null `annotations` (even `{}`): Go then holds an
    /// empty map rather than a nil one, which `.Chart.Annotations` shows
    /// (`toJson` is `{}` instead of `null`, `eq ... nil` is false).
    pub annotations_non_nil: bool,
    pub kube_version: String,
    pub dependencies: Vec<Dependency>,
    /// `dependencies:` holds a list, even `[]` (a non-nil slice in Go):
    /// `dependency list` then prints its table header instead of a warning.
    pub dependencies_non_nil: bool,
    /// `application`, `library` or empty.
    pub chart_type: String,
    /// `maintainers: [null]` / `dependencies: [null]` seen while decoding;
    /// helm rejects them during validation, after the required fields.
    pub null_maintainer: bool,
    pub null_dependency: bool,
}

/// A Chart.yaml validation failure; `Display` is helm's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("validation: {0}")]
pub struct ValidationError(pub String);

fn invalid(msg: impl Into<String>) -> ValidationError {
    ValidationError(msg.into())
}

/// Helm's `sanitizeString`: whitespace becomes a space, unprintable
/// characters are dropped.
pub fn sanitize(s: &str) -> String {
    // Fast path (big repository indexes sanitize every field): printable ASCII is unchanged.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.to_string();
    }
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if is_go_printable(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

/// An approximation of Go's `unicode.IsPrint` good for chart metadata:
/// control characters, format characters and private use are not printable.
fn is_go_printable(c: char) -> bool {
    if c.is_control() {
        return false;
    }
    let cp = c as u32;
    !matches!(cp,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF
        | 0xD800..=0xDFFF | 0xFFFE | 0xFFFF)
}

/// `filepath.Base` for the name check (`chart.metadata.name "a/b" is invalid`).
fn go_base(name: &str) -> String {
    let trimmed = name.trim_end_matches('/');
    if trimmed.is_empty() {
        return if name.is_empty() {
            ".".into()
        } else {
            "/".into()
        };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

fn is_alias_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Dependency {
    /// Helm's `Dependency.Validate`: sanitises and checks the alias.
    pub fn validate(&mut self) -> Result<(), ValidationError> {
        self.name = sanitize(&self.name);
        self.version = sanitize(&self.version);
        self.repository = sanitize(&self.repository);
        self.condition = sanitize(&self.condition);
        for t in &mut self.tags {
            *t = sanitize(t);
        }
        if !self.alias.is_empty() && !is_alias_name(&self.alias) {
            return Err(invalid(format!(
                "dependency {} has disallowed characters in the alias",
                go_quote(&self.name)
            )));
        }
        Ok(())
    }

    /// The name the dependency is known by in the parent (alias wins).
    pub fn effective_name(&self) -> &str {
        if self.alias.is_empty() {
            &self.name
        } else {
            &self.alias
        }
    }

    /// The JSON shape helm marshals (`name` and `repository` always present).
    pub fn to_value(&self) -> Value {
        let mut m = MapData::new();
        m.insert("name".into(), Value::str(&self.name));
        put_str(&mut m, "version", &self.version);
        m.insert("repository".into(), Value::str(&self.repository));
        put_str(&mut m, "condition", &self.condition);
        put_list(&mut m, "tags", &self.tags);
        if self.enabled {
            m.insert("enabled".into(), Value::Bool(true));
        }
        if !self.import_values.is_empty() {
            m.insert(
                "import-values".into(),
                Value::list(self.import_values.iter().map(Value::deep_copy).collect()),
            );
        }
        put_str(&mut m, "alias", &self.alias);
        Value::map(m)
    }
}

impl Metadata {
    /// Helm's `Metadata.Validate`, including its sanitising side effects.
    /// The order of checks is helm's, so the first failure reported matches.
    pub fn validate(&mut self) -> Result<(), ValidationError> {
        self.name = sanitize(&self.name);
        self.description = sanitize(&self.description);
        self.home = sanitize(&self.home);
        self.icon = sanitize(&self.icon);
        self.condition = sanitize(&self.condition);
        self.tags = sanitize(&self.tags);
        self.app_version = sanitize(&self.app_version);
        self.kube_version = sanitize(&self.kube_version);
        for s in &mut self.sources {
            *s = sanitize(s);
        }
        for s in &mut self.keywords {
            *s = sanitize(s);
        }
        if self.api_version.is_empty() {
            return Err(invalid("chart.metadata.apiVersion is required"));
        }
        if self.name.is_empty() {
            return Err(invalid("chart.metadata.name is required"));
        }
        if self.name == "." || self.name == ".." {
            return Err(invalid(format!(
                "chart.metadata.name {} is not allowed",
                go_quote(&self.name)
            )));
        }
        if go_base(&self.name) != self.name {
            return Err(invalid(format!(
                "chart.metadata.name {} is invalid",
                go_quote(&self.name)
            )));
        }
        if self.version.is_empty() {
            return Err(invalid("chart.metadata.version is required"));
        }
        if Version::parse(&self.version).is_err() {
            return Err(invalid(format!(
                "chart.metadata.version {} is invalid",
                go_quote(&self.version)
            )));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err(invalid(
                "chart.metadata.type must be application or library",
            ));
        }
        if self.null_maintainer {
            return Err(invalid("maintainers must not contain empty or null nodes"));
        }
        for m in &mut self.maintainers {
            m.name = sanitize(&m.name);
            m.email = sanitize(&m.email);
            m.url = sanitize(&m.url);
        }
        if self.null_dependency {
            return Err(invalid("dependencies must not contain empty or null nodes"));
        }
        let mut seen = std::collections::HashSet::new();
        for d in &mut self.dependencies {
            d.validate()?;
            let key = d.effective_name().to_string();
            if !seen.insert(key.clone()) {
                return Err(invalid(format!(
                    "more than one dependency with name or alias {}",
                    go_quote(&key)
                )));
            }
        }
        Ok(())
    }

    /// Whether the chart is a library chart (`type: library`).
    pub fn is_library(&self) -> bool {
        self.chart_type == "library"
    }

    /// The JSON object helm marshals for Chart.yaml (`omitempty` on every
    /// field). `with_dependencies` is false when packaging a v1 chart, whose
    /// dependencies live in requirements.yaml.
    pub fn to_value_with(&self, with_dependencies: bool) -> Value {
        let mut m = MapData::new();
        put_str(&mut m, "name", &self.name);
        put_str(&mut m, "home", &self.home);
        put_list(&mut m, "sources", &self.sources);
        put_str(&mut m, "version", &self.version);
        put_str(&mut m, "description", &self.description);
        put_list(&mut m, "keywords", &self.keywords);
        if !self.maintainers.is_empty() {
            let list = self
                .maintainers
                .iter()
                .map(|mt| {
                    let mut e = MapData::new();
                    put_str(&mut e, "name", &mt.name);
                    put_str(&mut e, "email", &mt.email);
                    put_str(&mut e, "url", &mt.url);
                    Value::map(e)
                })
                .collect();
            m.insert("maintainers".into(), Value::list(list));
        }
        put_str(&mut m, "icon", &self.icon);
        put_str(&mut m, "apiVersion", &self.api_version);
        put_str(&mut m, "condition", &self.condition);
        put_str(&mut m, "tags", &self.tags);
        put_str(&mut m, "appVersion", &self.app_version);
        if self.deprecated {
            m.insert("deprecated".into(), Value::Bool(true));
        }
        if !self.annotations.is_empty() {
            let a = self
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), Value::str(v)))
                .collect();
            m.insert("annotations".into(), Value::map(a));
        }
        put_str(&mut m, "kubeVersion", &self.kube_version);
        if with_dependencies && !self.dependencies.is_empty() {
            let deps = self.dependencies.iter().map(Dependency::to_value).collect();
            m.insert("dependencies".into(), Value::list(deps));
        }
        put_str(&mut m, "type", &self.chart_type);
        Value::map(m)
    }

    /// [`Metadata::to_value_with`] with dependencies.
    pub fn to_value(&self) -> Value {
        self.to_value_with(true)
    }
}

impl Lock {
    /// The JSON object helm marshals for Chart.lock (no omitempty).
    pub fn to_value(&self) -> Value {
        let mut m = MapData::new();
        m.insert("generated".into(), Value::str(&self.generated));
        m.insert("digest".into(), Value::str(&self.digest));
        let deps = if self.dependencies.is_empty() && !self.null_dependency {
            Value::Nil
        } else {
            Value::list(self.dependencies.iter().map(Dependency::to_value).collect())
        };
        m.insert("dependencies".into(), deps);
        Value::map(m)
    }
}

fn put_str(m: &mut MapData, key: &str, v: &str) {
    if !v.is_empty() {
        m.insert(key.into(), Value::str(v));
    }
}

fn put_list(m: &mut MapData, key: &str, v: &[String]) {
    if !v.is_empty() {
        m.insert(
            key.into(),
            Value::list(v.iter().map(|s| Value::str(s)).collect()),
        );
    }
}

/// Go's `%q` for the short ASCII-ish strings that appear in messages.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(name: &str, version: &str) -> Metadata {
        Metadata {
            api_version: "v2".into(),
            name: name.into(),
            version: version.into(),
            ..Default::default()
        }
    }

    #[test]
    fn validation_messages() {
        let err = |mut m: Metadata| m.validate().unwrap_err().to_string();
        assert_eq!(
            err(md("", "1.0.0")),
            "validation: chart.metadata.name is required"
        );
        assert_eq!(
            err(md("c", "")),
            "validation: chart.metadata.version is required"
        );
        assert_eq!(
            err(md("c", "abc")),
            "validation: chart.metadata.version \"abc\" is invalid"
        );
        assert_eq!(
            err(md("a/b", "1.0.0")),
            "validation: chart.metadata.name \"a/b\" is invalid"
        );
        let mut m = md("c", "1.0.0");
        m.chart_type = "lib".into();
        assert_eq!(
            err(m),
            "validation: chart.metadata.type must be application or library"
        );
        let mut m = md("c", "1.0.0");
        m.dependencies = vec![
            Dependency {
                name: "x".into(),
                ..Default::default()
            },
            Dependency {
                name: "y".into(),
                alias: "x".into(),
                ..Default::default()
            },
        ];
        assert_eq!(
            err(m),
            "validation: more than one dependency with name or alias \"x\""
        );
        let mut m = md("c", "1.0.0");
        m.dependencies = vec![Dependency {
            name: "x".into(),
            alias: "a.b".into(),
            ..Default::default()
        }];
        assert_eq!(
            err(m),
            "validation: dependency \"x\" has disallowed characters in the alias"
        );
        assert!(md("c", "v1.2").validate().is_ok());
    }

    #[test]
    fn sanitize_whitespace_and_controls() {
        assert_eq!(sanitize("a\tb\u{7}c"), "a bc");
    }

    #[test]
    fn omitempty_shape() {
        let v = md("c", "1.0.0").to_value();
        let m = v.as_map().unwrap().entries.borrow().clone();
        assert_eq!(
            m.keys().cloned().collect::<Vec<_>>(),
            vec!["apiVersion", "name", "version"]
        );
    }
}
