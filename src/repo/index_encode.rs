//! Writing an index as helm does: `yaml.Marshal` (JSON field names, then
//! go-yaml v2 with sorted keys) for `index.yaml`, or `json.MarshalIndent`
//! (struct field order) for `repo index --json`.

use super::index::{ChartVersion, IndexFile};
use crate::chart::metadata::{Dependency, Metadata};
use crate::render::encode::json::{to_json, to_pretty_json, JsonError};
use crate::value::{MapData, Value};

/// The JSON object helm marshals for one chart version.
pub fn chart_version_value(cv: &ChartVersion) -> Value {
    let md = cv.metadata.to_value();
    let mut m: MapData = md
        .as_map()
        .map(|m| m.entries.borrow().clone())
        .unwrap_or_default();
    m.insert("urls".into(), strings_or_null(&cv.urls));
    m.insert("created".into(), Value::str(&cv.created));
    if cv.removed {
        m.insert("removed".into(), Value::Bool(true));
    }
    for (k, v) in [
        ("digest", &cv.digest),
        ("checksum", &cv.checksum),
        ("engine", &cv.engine),
        ("tillerVersion", &cv.tiller_version),
        ("url", &cv.url),
    ] {
        if !v.is_empty() {
            m.insert(k.into(), Value::str(v));
        }
    }
    Value::map(m)
}

fn strings_or_null(v: &[String]) -> Value {
    if v.is_empty() {
        Value::Nil
    } else {
        Value::list(v.iter().map(|s| Value::str(s)).collect())
    }
}

/// The JSON object helm marshals for the whole index.
pub fn index_value(index: &IndexFile) -> Value {
    let mut m = MapData::new();
    if let Some(Value::Map(si)) = &index.server_info {
        if !si.entries.borrow().is_empty() {
            m.insert("serverInfo".into(), Value::Map(si.clone()));
        }
    }
    m.insert("apiVersion".into(), Value::str(&index.api_version));
    m.insert("generated".into(), Value::str(&index.generated));
    let entries: MapData = index
        .entries
        .iter()
        .map(|(name, versions)| {
            (
                name.clone(),
                Value::list(versions.iter().map(chart_version_value).collect()),
            )
        })
        .collect();
    m.insert("entries".into(), Value::map(entries));
    if !index.public_keys.is_empty() {
        m.insert("publicKeys".into(), strings_or_null(&index.public_keys));
    }
    if !index.annotations.is_empty() {
        let a = index
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::str(v)))
            .collect();
        m.insert("annotations".into(), Value::map(a));
    }
    Value::map(m)
}

/// `index.yaml` text exactly as helm writes it.
///
/// The document is emitted without its entries (an empty `entries: {}`
/// stands in) and each chart is emitted on its own as `entries: {name:
/// [...]}`, so the chart's text sits at the same columns (line folding
/// depends on them) while only one chart's tree exists at a time.
pub fn to_yaml(index: &IndexFile) -> Result<String, JsonError> {
    if index.entries.is_empty() {
        return crate::render::encode::to_yaml(&index_value(index));
    }
    let Some((head, tail)) = yaml_shell(index)? else {
        return crate::render::encode::to_yaml(&index_value(index));
    };
    let mut out = String::with_capacity(head.len() + index.entries.len() * 4096);
    out.push_str(&head);
    for name in chart_order(index.entries.keys()) {
        match chart_yaml(name, &index.entries[name])? {
            Some(text) => out.push_str(&text),
            None => return crate::render::encode::to_yaml(&index_value(index)),
        }
    }
    out.push_str(&tail);
    Ok(out)
}

/// Chart names in the order go-yaml v2 writes map keys (its "natural"
/// order: `a9` before `a10`), not byte order.
pub fn chart_order<'a>(names: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    let mut names: Vec<&String> = names.collect();
    names.sort_by(|a, b| {
        if crate::render::encode::yaml_v2::natural_less(a, b) {
            std::cmp::Ordering::Less
        } else if crate::render::encode::yaml_v2::natural_less(b, a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    names
}

/// The index's YAML around its entries: the text up to and including
/// `entries:\n`, and the rest after the charts. `None` when the shell does
/// not have the expected shape (the caller then emits the whole tree).
pub fn yaml_shell(index: &IndexFile) -> Result<Option<(String, String)>, JsonError> {
    let shell = IndexFile {
        server_info: index.server_info.clone(),
        api_version: index.api_version.clone(),
        generated: index.generated.clone(),
        entries: Default::default(),
        public_keys: index.public_keys.clone(),
        annotations: index.annotations.clone(),
    };
    let head = crate::render::encode::to_yaml(&index_value(&shell))?;
    const PLACEHOLDER: &str = "entries: {}\n";
    let at = if head.starts_with(PLACEHOLDER) {
        0
    } else {
        match head.find(&format!("\n{PLACEHOLDER}")) {
            Some(i) => i + 1,
            None => return Ok(None),
        }
    };
    let tail = head[at + PLACEHOLDER.len()..].to_string();
    let mut head = head;
    head.truncate(at);
    head.push_str("entries:\n");
    Ok(Some((head, tail)))
}

/// One chart's part of the `entries:` block (`  name:\n  - ...`), or
/// `None` when the emitter's output does not have the expected shape.
pub fn chart_yaml(name: &str, versions: &[ChartVersion]) -> Result<Option<String>, JsonError> {
    let mut one = MapData::new();
    one.insert(
        name.to_string(),
        Value::list(versions.iter().map(chart_version_value).collect()),
    );
    let mut doc = MapData::new();
    doc.insert("entries".into(), Value::map(one));
    let text = crate::render::encode::to_yaml(&Value::map(doc))?;
    Ok(text.strip_prefix("entries:\n").map(str::to_string))
}

/// JSON in Go struct field order, for `MarshalIndent`.
enum J {
    Raw(Value),
    Obj(Vec<(&'static str, J)>),
    Arr(Vec<J>),
}

impl J {
    fn write(&self, out: &mut String, depth: usize) -> Result<(), JsonError> {
        let pad = |n: usize| "  ".repeat(n);
        match self {
            J::Raw(v) => {
                let text = to_pretty_json(v)?;
                out.push_str(&text.replace('\n', &format!("\n{}", pad(depth))));
            }
            J::Obj(fields) if fields.is_empty() => out.push_str("{}"),
            J::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('\n');
                    out.push_str(&pad(depth + 1));
                    out.push_str(&to_json(&Value::str(k))?);
                    out.push_str(": ");
                    v.write(out, depth + 1)?;
                }
                out.push('\n');
                out.push_str(&pad(depth));
                out.push('}');
            }
            J::Arr(items) if items.is_empty() => out.push_str("[]"),
            J::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('\n');
                    out.push_str(&pad(depth + 1));
                    v.write(out, depth + 1)?;
                }
                out.push('\n');
                out.push_str(&pad(depth));
                out.push(']');
            }
        }
        Ok(())
    }
}

fn s(v: &str) -> J {
    J::Raw(Value::str(v))
}

fn strs(v: &[String]) -> J {
    J::Raw(strings_or_null(v))
}

fn push_str(f: &mut Vec<(&'static str, J)>, k: &'static str, v: &str) {
    if !v.is_empty() {
        f.push((k, s(v)));
    }
}

fn push_strs(f: &mut Vec<(&'static str, J)>, k: &'static str, v: &[String]) {
    if !v.is_empty() {
        f.push((k, strs(v)));
    }
}

fn dependency_json(d: &Dependency) -> J {
    let mut f = vec![("name", s(&d.name))];
    push_str(&mut f, "version", &d.version);
    f.push(("repository", s(&d.repository)));
    push_str(&mut f, "condition", &d.condition);
    push_strs(&mut f, "tags", &d.tags);
    if d.enabled {
        f.push(("enabled", J::Raw(Value::Bool(true))));
    }
    if !d.import_values.is_empty() {
        f.push((
            "import-values",
            J::Raw(Value::list(d.import_values.clone())),
        ));
    }
    push_str(&mut f, "alias", &d.alias);
    J::Obj(f)
}

fn metadata_fields(md: &Metadata, f: &mut Vec<(&'static str, J)>) {
    push_str(f, "name", &md.name);
    push_str(f, "home", &md.home);
    push_strs(f, "sources", &md.sources);
    push_str(f, "version", &md.version);
    push_str(f, "description", &md.description);
    push_strs(f, "keywords", &md.keywords);
    if !md.maintainers.is_empty() {
        let list = md
            .maintainers
            .iter()
            .map(|m| {
                let mut mf = Vec::new();
                push_str(&mut mf, "name", &m.name);
                push_str(&mut mf, "email", &m.email);
                push_str(&mut mf, "url", &m.url);
                J::Obj(mf)
            })
            .collect();
        f.push(("maintainers", J::Arr(list)));
    }
    push_str(f, "icon", &md.icon);
    push_str(f, "apiVersion", &md.api_version);
    push_str(f, "condition", &md.condition);
    push_str(f, "tags", &md.tags);
    push_str(f, "appVersion", &md.app_version);
    if md.deprecated {
        f.push(("deprecated", J::Raw(Value::Bool(true))));
    }
    if !md.annotations.is_empty() {
        let a = md
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::str(v)))
            .collect();
        f.push(("annotations", J::Raw(Value::map(a))));
    }
    push_str(f, "kubeVersion", &md.kube_version);
    if !md.dependencies.is_empty() {
        f.push((
            "dependencies",
            J::Arr(md.dependencies.iter().map(dependency_json).collect()),
        ));
    }
    push_str(f, "type", &md.chart_type);
}

fn chart_version_json(cv: &ChartVersion) -> J {
    let mut f = Vec::new();
    metadata_fields(&cv.metadata, &mut f);
    f.push(("urls", strs(&cv.urls)));
    f.push(("created", s(&cv.created)));
    if cv.removed {
        f.push(("removed", J::Raw(Value::Bool(true))));
    }
    push_str(&mut f, "digest", &cv.digest);
    push_str(&mut f, "checksum", &cv.checksum);
    push_str(&mut f, "engine", &cv.engine);
    push_str(&mut f, "tillerVersion", &cv.tiller_version);
    push_str(&mut f, "url", &cv.url);
    J::Obj(f)
}

/// `json.MarshalIndent(index, "", "  ")` (no trailing newline, as helm writes it).
pub fn to_json_indented(index: &IndexFile) -> Result<String, JsonError> {
    let mut f: Vec<(&'static str, J)> = Vec::new();
    if let Some(Value::Map(si)) = &index.server_info {
        if !si.entries.borrow().is_empty() {
            f.push(("serverInfo", J::Raw(Value::Map(si.clone()))));
        }
    }
    f.push(("apiVersion", s(&index.api_version)));
    f.push(("generated", s(&index.generated)));
    // Go marshals map keys sorted; the entries map is a BTreeMap already.
    let mut entries_out = String::from("{");
    let mut first = true;
    for (name, versions) in &index.entries {
        if !first {
            entries_out.push(',');
        }
        first = false;
        entries_out.push_str("\n    ");
        entries_out.push_str(&to_json(&Value::str(name))?);
        entries_out.push_str(": ");
        J::Arr(versions.iter().map(chart_version_json).collect()).write(&mut entries_out, 2)?;
    }
    entries_out.push_str(if first { "}" } else { "\n  }" });
    let mut out = String::new();
    J::Obj(f).write(&mut out, 0)?;
    // Splice `entries` (and the optional trailing fields) before the final brace.
    out.truncate(out.len() - 2);
    out.push_str(",\n  \"entries\": ");
    out.push_str(&entries_out);
    let mut tail: Vec<(&'static str, J)> = Vec::new();
    if !index.public_keys.is_empty() {
        tail.push(("publicKeys", strs(&index.public_keys)));
    }
    if !index.annotations.is_empty() {
        let a = index
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::str(v)))
            .collect();
        tail.push(("annotations", J::Raw(Value::map(a))));
    }
    for (k, v) in tail {
        out.push_str(",\n  ");
        out.push_str(&to_json(&Value::str(k))?);
        out.push_str(": ");
        v.write(&mut out, 1)?;
    }
    out.push_str("\n}");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::index_decode::load_index;

    const SRC: &str = "apiVersion: v1\nentries:\n  a:\n  - apiVersion: v2\n    created: \"2020-01-01T00:00:00Z\"\n    description: d <x>\n    digest: abc\n    name: a\n    urls:\n    - https://x/a-1.0.0.tgz\n    version: 1.0.0\ngenerated: \"2020-01-02T00:00:00Z\"\n";

    #[test]
    fn yaml_round_trip_is_identical() {
        let i = load_index(SRC.as_bytes(), "x", &mut |_| {}).unwrap();
        assert_eq!(to_yaml(&i).unwrap(), SRC);
    }

    /// Chart-by-chart emission equals emitting the whole tree at once.
    #[test]
    fn per_chart_yaml_equals_whole_tree() {
        let mut sources = vec![
            format!("annotations:\n  z: y\n{SRC}publicKeys:\n- k1\nserverInfo:\n  contextPath: /x\n"),
            "apiVersion: v1\nentries:\n  b:\n  - name: b\n    version: 1.0.0\n    description: a description long enough that go-yaml folds it when it passes the eighty column limit of the emitter\n  a:\n  - name: a\n    version: 0.1.0\n    annotations:\n      images: |\n        - name: x\n          image: y\n".to_string(),
            "apiVersion: v1\nentries: {}\n".to_string(),
            // go-yaml's natural key order: a_b, a9, a9-x, a10, aB, ab.
            "apiVersion: v1\nentries:\n  a10:\n  - name: a10\n    version: 1.0.0\n  a9:\n  - name: a9\n    version: 1.0.0\n  a9-x:\n  - name: a9-x\n    version: 1.0.0\n  aB:\n  - name: aB\n    version: 1.0.0\n  ab:\n  - name: ab\n    version: 1.0.0\n  a_b:\n  - name: a_b\n    version: 1.0.0\n".to_string(),
        ];
        let corpus =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/index.yaml");
        if let Ok(text) = std::fs::read_to_string(corpus) {
            sources.push(text);
        }
        for src in &sources {
            let i = load_index(src.as_bytes(), "x", &mut |_| {}).unwrap();
            let whole = crate::render::encode::to_yaml(&index_value(&i)).unwrap();
            assert_eq!(to_yaml(&i).unwrap(), whole, "{src}");
        }
    }

    #[test]
    fn json_in_struct_order() {
        let i = load_index(SRC.as_bytes(), "x", &mut |_| {}).unwrap();
        let j = to_json_indented(&i).unwrap();
        assert_eq!(
            j,
            "{\n  \"apiVersion\": \"v1\",\n  \"generated\": \"2020-01-02T00:00:00Z\",\n  \"entries\": {\n    \"a\": [\n      {\n        \"name\": \"a\",\n        \"version\": \"1.0.0\",\n        \"description\": \"d \\u003cx\\u003e\",\n        \"apiVersion\": \"v2\",\n        \"urls\": [\n          \"https://x/a-1.0.0.tgz\"\n        ],\n        \"created\": \"2020-01-01T00:00:00Z\",\n        \"digest\": \"abc\"\n      }\n    ]\n  }\n}"
        );
    }
}
