//! Writing an index as helm does: `yaml.Marshal` (JSON field names, then
//! go-yaml v2 with sorted keys) for `index.yaml`, or `json.MarshalIndent`
//! (struct field order) for `repo index --json`.

use super::index::{ChartVersion, IndexFile};
use crate::chart::metadata::{Dependency, Metadata};
use crate::render::encode::emitter::{Emitter, Node, Style, GO_YAML_V2};
use crate::render::encode::json::{to_json, to_pretty_json, JsonError};
use crate::render::encode::yaml_v2::{sort_keys, v2_string_style, yaml_readable};
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
    crate::render::encode::yaml_v2::stable_sort_by(&mut names, |a, b| {
        crate::render::encode::yaml_v2::natural_less(a, b)
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
    let nodes = versions
        .iter()
        .map(chart_version_node)
        .collect::<Result<Option<Vec<Node>>, JsonError>>()?;
    let Some(nodes) = nodes else {
        return chart_yaml_from_values(name, versions);
    };
    let doc = Node::Map(vec![(
        plain("entries"),
        Node::Map(vec![(scalar(name)?, Node::Seq(nodes))]),
    )]);
    let text = Emitter::new(GO_YAML_V2).document(&doc);
    Ok(text.strip_prefix("entries:\n").map(str::to_string))
}

/// [`chart_yaml`] through the generic `Value` encoder.
fn chart_yaml_from_values(
    name: &str,
    versions: &[ChartVersion],
) -> Result<Option<String>, JsonError> {
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

/// A key the emitter writes as is.
fn plain(key: &str) -> Node {
    Node::Scalar(key.to_string(), Style::Plain)
}

/// A string as go-yaml v2 writes it (after the JSON round trip's check).
fn scalar(s: &str) -> Result<Node, JsonError> {
    yaml_readable(s)?;
    Ok(Node::Scalar(s.to_string(), v2_string_style(s)))
}

fn scalars(items: &[String]) -> Result<Node, JsonError> {
    Ok(Node::Seq(
        items.iter().map(|s| scalar(s)).collect::<Result<_, _>>()?,
    ))
}

/// A `map[string]string` in go-yaml v2's key order.
fn string_map(m: &std::collections::BTreeMap<String, String>) -> Result<Node, JsonError> {
    let mut keys: Vec<String> = m.keys().cloned().collect();
    sort_keys(&mut keys);
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let v = scalar(&m[&k])?;
        out.push((scalar(&k)?, v));
    }
    Ok(Node::Map(out))
}

/// The keys of a chart version's mapping, in go-yaml v2's order (its
/// `sort_keys`, checked by a test).
const VERSION_KEYS: [&str; 25] = [
    "annotations",
    "apiVersion",
    "appVersion",
    "checksum",
    "condition",
    "created",
    "dependencies",
    "deprecated",
    "description",
    "digest",
    "engine",
    "home",
    "icon",
    "keywords",
    "kubeVersion",
    "maintainers",
    "name",
    "removed",
    "sources",
    "tags",
    "tillerVersion",
    "type",
    "url",
    "urls",
    "version",
];

/// The emitter's node for one chart version: what [`chart_version_value`]
/// encodes, built without the `Value` tree. `None` for a version with
/// `import-values` (arbitrary values: the generic encoder writes those).
fn chart_version_node(cv: &ChartVersion) -> Result<Option<Node>, JsonError> {
    let md = &cv.metadata;
    if md.dependencies.iter().any(|d| !d.import_values.is_empty()) {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(16);
    for key in VERSION_KEYS {
        let text = |s: &str| -> Result<Option<Node>, JsonError> {
            if s.is_empty() {
                Ok(None)
            } else {
                scalar(s).map(Some)
            }
        };
        let list = |l: &[String]| -> Result<Option<Node>, JsonError> {
            if l.is_empty() {
                Ok(None)
            } else {
                scalars(l).map(Some)
            }
        };
        let value = match key {
            "name" => text(&md.name)?,
            "home" => text(&md.home)?,
            "sources" => list(&md.sources)?,
            "version" => text(&md.version)?,
            "description" => text(&md.description)?,
            "keywords" => list(&md.keywords)?,
            "maintainers" if md.maintainers.is_empty() => None,
            "maintainers" => {
                let mut items = Vec::with_capacity(md.maintainers.len());
                for m in &md.maintainers {
                    // go-yaml v2's order: email, name, url.
                    let mut fields = Vec::new();
                    for (k, v) in [("email", &m.email), ("name", &m.name), ("url", &m.url)] {
                        if !v.is_empty() {
                            fields.push((plain(k), scalar(v)?));
                        }
                    }
                    items.push(Node::Map(fields));
                }
                Some(Node::Seq(items))
            }
            "icon" => text(&md.icon)?,
            "apiVersion" => text(&md.api_version)?,
            "condition" => text(&md.condition)?,
            "tags" => text(&md.tags)?,
            "appVersion" => text(&md.app_version)?,
            "deprecated" => md.deprecated.then(|| plain("true")),
            "annotations" if md.annotations.is_empty() => None,
            "annotations" => Some(string_map(&md.annotations)?),
            "kubeVersion" => text(&md.kube_version)?,
            "dependencies" if md.dependencies.is_empty() => None,
            "dependencies" => {
                let mut items = Vec::with_capacity(md.dependencies.len());
                for d in &md.dependencies {
                    // go-yaml v2's order of the fields Dependency writes.
                    let mut fields = Vec::new();
                    if !d.alias.is_empty() {
                        fields.push((plain("alias"), scalar(&d.alias)?));
                    }
                    if !d.condition.is_empty() {
                        fields.push((plain("condition"), scalar(&d.condition)?));
                    }
                    if d.enabled {
                        fields.push((plain("enabled"), plain("true")));
                    }
                    fields.push((plain("name"), scalar(&d.name)?));
                    fields.push((plain("repository"), scalar(&d.repository)?));
                    if !d.tags.is_empty() {
                        fields.push((plain("tags"), scalars(&d.tags)?));
                    }
                    if !d.version.is_empty() {
                        fields.push((plain("version"), scalar(&d.version)?));
                    }
                    items.push(Node::Map(fields));
                }
                Some(Node::Seq(items))
            }
            "type" => text(&md.chart_type)?,
            "urls" if cv.urls.is_empty() => Some(plain("null")),
            "urls" => Some(scalars(&cv.urls)?),
            "created" => Some(scalar(&cv.created)?),
            "removed" => cv.removed.then(|| plain("true")),
            "digest" => text(&cv.digest)?,
            "checksum" => text(&cv.checksum)?,
            "engine" => text(&cv.engine)?,
            "tillerVersion" => text(&cv.tiller_version)?,
            "url" => text(&cv.url)?,
            _ => None,
        };
        if let Some(value) = value {
            out.push((plain(key), value));
        }
    }
    Ok(Some(Node::Map(out)))
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

    /// Adds the corpus's real index to `sources` where `../shared` is present.
    fn with_corpus_index(sources: &mut Vec<String>) {
        let corpus =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/index.yaml");
        if let Ok(text) = std::fs::read_to_string(corpus) {
            sources.push(text);
        }
    }

    #[test]
    fn version_keys_are_in_go_yaml_order() {
        let mut keys: Vec<String> = VERSION_KEYS.iter().map(|k| k.to_string()).collect();
        crate::render::encode::yaml_v2::sort_keys(&mut keys);
        assert_eq!(keys, VERSION_KEYS);
    }

    #[test]
    fn yaml_round_trip_is_identical() {
        let i = load_index(SRC.as_bytes(), "x", &mut |_| {}).unwrap();
        assert_eq!(to_yaml(&i).unwrap(), SRC);
    }

    /// Chart-by-chart emission equals emitting the whole tree at once.
    #[test]
    fn per_chart_yaml_equals_whole_tree() {
        let mut sources: Vec<String> = vec![
            format!("annotations:\n  z: y\n{SRC}publicKeys:\n- k1\nserverInfo:\n  contextPath: /x\n"),
            "apiVersion: v1\nentries:\n  b:\n  - name: b\n    version: 1.0.0\n    description: a description long enough that go-yaml folds it when it passes the eighty column limit of the emitter\n  a:\n  - name: a\n    version: 0.1.0\n    annotations:\n      images: |\n        - name: x\n          image: y\n".to_string(),
            "apiVersion: v1\nentries: {}\n".to_string(),
            // go-yaml's natural key order: a_b, a9, a9-x, a10, aB, ab.
            "apiVersion: v1\nentries:\n  a10:\n  - name: a10\n    version: 1.0.0\n  a9:\n  - name: a9\n    version: 1.0.0\n  a9-x:\n  - name: a9-x\n    version: 1.0.0\n  aB:\n  - name: aB\n    version: 1.0.0\n  ab:\n  - name: ab\n    version: 1.0.0\n  a_b:\n  - name: a_b\n    version: 1.0.0\n".to_string(),
        ];
        with_corpus_index(&mut sources);
        for src in &sources {
            let i = load_index(src.as_bytes(), "x", &mut |_| {}).unwrap();
            let whole = crate::render::encode::to_yaml(&index_value(&i)).unwrap();
            assert_eq!(to_yaml(&i).unwrap(), whole, "{src}");
        }
    }

    /// Chart versions encoded straight to emitter nodes read as the
    /// generic encoder writes their `Value`s.
    #[test]
    fn node_encoding_equals_value_encoding() {
        let mut sources: Vec<String> = vec![
            SRC.to_string(),
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    home: \"yes\"\n    icon: 2001-12-14\n    description: |\n      two\n      lines\n    keywords: [\"1.5\", \"~\", x]\n    sources: [s]\n    maintainers: [{name: m, email: e@x, url: u}, {url: only}, {}]\n    dependencies: [{name: d, repository: r, version: ~1, condition: c, tags: [t], enabled: true, alias: al}, {name: e}]\n    annotations: {b: \"2\", a10: x, a9: \"y: z\", \"k k\": \"\"}\n    deprecated: true\n    removed: true\n    digest: d\n    checksum: c\n    engine: gotpl\n    tillerVersion: '>=2'\n    url: u\n    kubeVersion: '>=1.20'\n    type: library\n    condition: c\n    tags: t\n    appVersion: \"1.0\"\n    apiVersion: v2\n  - name: a\n    version: 2.0.0\n    urls: []\n  b9:\n  - name: b9\n    version: 1.0.0\n    dependencies:\n    - name: x\n      import-values:\n      - child: a\n        parent: b\n".to_string(),
        ];
        with_corpus_index(&mut sources);
        for src in &sources {
            let i = load_index(src.as_bytes(), "x", &mut |_| {}).unwrap();
            assert!(i.entries.values().any(|v| !v.is_empty()), "{src}");
            for (name, versions) in &i.entries {
                assert_eq!(
                    chart_yaml(name, versions).unwrap(),
                    chart_yaml_from_values(name, versions).unwrap(),
                    "{name}"
                );
            }
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
