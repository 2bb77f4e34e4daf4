//! Chart.yaml rules (helm's `rules.Chartfile`).

use super::urls::{is_email, is_request_url, is_url};
use super::{Linter, Severity};
use crate::chart::decode::apply_metadata;
use crate::chart::metadata::{Metadata, API_VERSION_V1, API_VERSION_V2};
use crate::value::Value;
use crate::values::yaml::unmarshal;
use crate::version::{Constraint, Version};

const FILE: &str = "Chart.yaml";

const METADATA_FIELDS: [&str; 17] = [
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiversion",
    "condition",
    "tags",
    "appversion",
    "deprecated",
    "annotations",
    "kubeversion",
    "dependencies",
    "type",
];
const MAINTAINER_FIELDS: [&str; 3] = ["name", "email", "url"];
const DEPENDENCY_FIELDS: [&str; 8] = [
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

/// Reads Chart.yaml as `chartutil.LoadChartfile` does (no validation, no
/// defaults); the error text is the bare decoding error.
fn load_chartfile(text: &str) -> Result<(Metadata, Value), String> {
    let doc = unmarshal(text).map_err(|e| e.to_string())?;
    let mut md = Metadata::default();
    apply_metadata(&mut md, &doc)
        .map_err(|e| format!("error unmarshaling JSON: while decoding JSON: {}", e.0))?;
    Ok((md, doc))
}

/// The first key (in sorted order, depth first) that no field matches, as
/// `json.Decoder.DisallowUnknownFields` reports it.
fn first_unknown(v: &Value, known: &[&str], top_level: bool) -> Option<String> {
    let m = v.as_map()?;
    let entries = m.entries.borrow();
    for (k, val) in entries.iter() {
        let lower = k.to_ascii_lowercase();
        if !known.contains(&lower.as_str()) {
            return Some(k.clone());
        }
        let nested: Option<&[&str]> = match (top_level, lower.as_str()) {
            (true, "maintainers") => Some(&MAINTAINER_FIELDS),
            (true, "dependencies") => Some(&DEPENDENCY_FIELDS),
            _ => None,
        };
        if let (Some(fields), Some(list)) = (nested, val.as_list()) {
            for item in list.items.borrow().iter() {
                if let Some(u) = first_unknown(item, fields, false) {
                    return Some(u);
                }
            }
        }
    }
    None
}

/// Duplicate keys in block-style mappings, as go-yaml's strict mode
/// reports them (`line N: key "x" already set in map`). Flow collections
/// and block scalars are skipped; that covers how Chart.yaml is written.
fn duplicate_keys(text: &str) -> Vec<String> {
    let mut errors = Vec::new();
    // (column of the mapping's keys, keys seen)
    let mut stack: Vec<(usize, Vec<String>)> = Vec::new();
    let mut block_scalar_indent: Option<usize> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        if let Some(min) = block_scalar_indent {
            if body.is_empty() || indent > min {
                continue;
            }
            block_scalar_indent = None;
        }
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if body == "---" || body.starts_with("--- ") {
            stack.clear();
            continue;
        }
        // `- key: v` starts a new mapping two columns in.
        let mut col = indent;
        let mut rest = body;
        let mut new_item = false;
        while let Some(r) = rest.strip_prefix("- ") {
            col += 2 + (r.len() - r.trim_start().len());
            rest = r.trim_start();
            new_item = true;
        }
        let key = if let Some(q) = rest.strip_prefix('"') {
            q.find('"').map(|i| (q[..i].to_string(), &q[i + 1..]))
        } else if let Some(q) = rest.strip_prefix('\'') {
            q.find('\'').map(|i| (q[..i].to_string(), &q[i + 1..]))
        } else {
            rest.find(": ")
                .or_else(|| rest.ends_with(':').then(|| rest.len() - 1))
                .filter(|i| !rest[..*i].contains(['{', '[', '#']))
                .map(|i| (rest[..i].trim_end().to_string(), &rest[i..]))
        };
        let Some((key, after)) = key else {
            continue;
        };
        if !(after.starts_with(": ") || after == ":") {
            continue;
        }
        let value = after.trim_start_matches(':').trim();
        while stack
            .last()
            .is_some_and(|(c, _)| *c > col || (new_item && *c == col))
        {
            stack.pop();
        }
        match stack.last_mut() {
            Some((c, keys)) if *c == col => {
                if keys.contains(&key) {
                    errors.push(format!("line {}: key {key:?} already set in map", n + 1));
                } else {
                    keys.push(key);
                }
            }
            _ => stack.push((col, vec![key])),
        }
        let indicator = value.split_whitespace().next().unwrap_or("");
        if indicator.starts_with('|') || indicator.starts_with('>') {
            block_scalar_indent = Some(col);
        }
    }
    errors
}

fn go_type_name(v: &Value) -> String {
    v.type_name()
}

fn is_string_value(doc: &Value, key: &str) -> Result<(), String> {
    match doc.get(key) {
        None | Some(Value::String(_)) => Ok(()),
        Some(other) => Err(format!(
            "{key} should be of type string but it's of type {}",
            go_type_name(&other)
        )),
    }
}

fn go_base(name: &str) -> &str {
    let t = name.trim_end_matches('/');
    if t.is_empty() {
        return if name.is_empty() { "." } else { "/" };
    }
    t.rsplit('/').next().unwrap_or(t)
}

fn validate_version(md: &Metadata) -> Result<(), String> {
    if md.version.is_empty() {
        return Err("version is required".into());
    }
    let v = Version::parse(&md.version)
        .map_err(|_| format!("version '{}' is not a valid SemVer", md.version))?;
    if let Ok(c) = Constraint::parse(">0.0.0-0") {
        if let Err(msgs) = c.validate(&v) {
            if let Some(first) = msgs.first() {
                return Err(format!("version {first}"));
            }
        }
    }
    Ok(())
}

fn validate_maintainers(md: &Metadata) -> Result<(), String> {
    if md.null_maintainer {
        return Err("a maintainer entry is empty".into());
    }
    for m in &md.maintainers {
        if m.name.is_empty() {
            return Err("each maintainer requires a name".into());
        }
        if !m.email.is_empty() && !is_email(&m.email) {
            return Err(format!(
                "invalid email '{}' for maintainer '{}'",
                m.email, m.name
            ));
        }
        if !m.url.is_empty() && !is_url(&m.url) {
            return Err(format!(
                "invalid url '{}' for maintainer '{}'",
                m.url, m.name
            ));
        }
    }
    Ok(())
}

pub(super) fn lint(linter: &mut Linter) {
    let path = linter.chart_dir.join(FILE);
    let is_dir = path.is_dir();
    linter.rule(
        Severity::Error,
        FILE,
        if is_dir {
            Err("should be a file, not a directory".into())
        } else {
            Ok(())
        },
    );
    // go-yaml skips a byte order mark at the start of its input.
    let loaded = std::fs::read(&path)
        .map_err(|e| crate::chart::loader::go_io_error("open", &path, &e))
        .and_then(|bytes| load_chartfile(without_bom(&String::from_utf8_lossy(&bytes))));
    let (md, doc) = match loaded {
        Ok(x) => x,
        Err(e) => {
            linter.rule(
                Severity::Error,
                FILE,
                Err(format!("unable to parse YAML\n\t{e}")),
            );
            return;
        }
    };
    let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
    let duplicates = duplicate_keys(without_bom(&text));
    if !duplicates.is_empty() {
        linter.rule(
            Severity::Warning,
            FILE,
            Err(format!(
                "failed to strictly parse chart metadata file\n\terror converting YAML to JSON: yaml: unmarshal errors:\n  {}",
                duplicates.join("\n  ")
            )),
        );
    } else if let Some(field) = first_unknown(&doc, &METADATA_FIELDS, true) {
        linter.rule(
            Severity::Warning,
            FILE,
            Err(format!(
                "failed to strictly parse chart metadata file\n\terror unmarshaling JSON: while decoding JSON: json: unknown field \"{field}\""
            )),
        );
    }
    let name = if md.name.is_empty() {
        Err("name is required".to_string())
    } else if go_base(&md.name) != md.name {
        Err(format!("chart name \"{}\" is invalid", md.name))
    } else {
        Ok(())
    };
    linter.rule(Severity::Error, FILE, name);
    let api = if md.api_version.is_empty() {
        Err("apiVersion is required. The value must be either \"v1\" or \"v2\"".to_string())
    } else if md.api_version != API_VERSION_V1 && md.api_version != API_VERSION_V2 {
        Err(format!(
            "apiVersion '{}' is not valid. The value must be either \"v1\" or \"v2\"",
            md.api_version
        ))
    } else {
        Ok(())
    };
    linter.rule(Severity::Error, FILE, api);
    linter.rule(Severity::Error, FILE, is_string_value(&doc, "version"));
    linter.rule(Severity::Error, FILE, validate_version(&md));
    linter.rule(Severity::Error, FILE, is_string_value(&doc, "appVersion"));
    linter.rule(Severity::Error, FILE, validate_maintainers(&md));
    let sources = md
        .sources
        .iter()
        .find(|s| s.is_empty() || !is_request_url(s))
        .map_or(Ok(()), |s| Err(format!("invalid source URL '{s}'")));
    linter.rule(Severity::Error, FILE, sources);
    linter.rule(
        Severity::Info,
        FILE,
        if md.icon.is_empty() {
            Err("icon is recommended".into())
        } else {
            Ok(())
        },
    );
    let icon = if !md.icon.is_empty() && !is_request_url(&md.icon) {
        Err(format!("invalid icon URL '{}'", md.icon))
    } else {
        Ok(())
    };
    linter.rule(Severity::Error, FILE, icon);
    let chart_type = if !md.chart_type.is_empty() && md.api_version != API_VERSION_V2 {
        Err(format!(
            "chart type is not valid in apiVersion '{}'. It is valid in apiVersion '{API_VERSION_V2}'",
            md.api_version
        ))
    } else {
        Ok(())
    };
    linter.rule(Severity::Error, FILE, chart_type);
    let deps = if (!md.dependencies.is_empty() || md.null_dependency)
        && md.api_version != API_VERSION_V2
    {
        Err(format!(
            "dependencies are not valid in the Chart file with apiVersion '{}'. They are valid in apiVersion '{API_VERSION_V2}'",
            md.api_version
        ))
    } else {
        Ok(())
    };
    linter.rule(Severity::Error, FILE, deps);
    let strict = if Version::parse_strict(&md.version).is_err() {
        Err(format!("version '{}' is not a valid SemVerV2", md.version))
    } else {
        Ok(())
    };
    linter.rule(Severity::Warning, FILE, strict);
}

/// The text after a leading UTF-8 byte order mark, which go-yaml's reader
/// skips.
pub(super) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::duplicate_keys;

    #[test]
    fn duplicates_like_go_yaml() {
        assert_eq!(
            duplicate_keys("a: 1\nb: 2\na: 3\n"),
            ["line 3: key \"a\" already set in map"]
        );
        assert_eq!(
            duplicate_keys("m:\n- name: a\n  name: b\n- name: c\n"),
            ["line 3: key \"name\" already set in map"]
        );
        assert!(duplicate_keys("x: |\n  a: 1\n  a: 2\ny:\n  a: 1\nz:\n  a: 2\n").is_empty());
    }
}
