//! The built-in objects templates see besides `.Values`: `.Release`,
//! `.Chart`, `.Capabilities`, `.Files` (and the `.Subcharts` map the engine
//! fills in).
//!
//! Their shapes are Helm's because templates observe them: `.Release` and
//! `.Chart` are plain maps with Go field names (`.Chart.AppVersion`,
//! `.Chart.IsRoot`), `.Capabilities` is a struct with methods
//! (`.Capabilities.APIVersions.Has`, `.Capabilities.KubeVersion.GitVersion`),
//! `.Files` is a map type with methods (`.Files.Glob "x/*"`).

use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use crate::chart::{ChartFile, Metadata, SharedBytes};
use crate::render::funcs::{Sig, Ty};
use crate::render::gofmt;
use crate::value::{ElemType, MapData, Object, Value};

/// The Go type of `.`, `.Values` and `.Template` in a chart template
/// (`typeOf .Values`); nested maps stay `map[string]interface {}`.
pub const VALUES_TYPE: &str = "common.Values";

/// The helm release these objects imitate (`.Capabilities.HelmVersion`).
pub const HELM_VERSION: &str = "v4.3.1";
pub const HELM_GIT_COMMIT: &str = "c0d08d0d6d9424d4a14febb5e8a3e51b0dd00dff";
pub const HELM_GIT_TREE_STATE: &str = "clean";
pub const HELM_GO_VERSION: &str = "go1.27.2";
pub const HELM_KUBE_CLIENT_VERSION: &str = "v1.37";

/// The Kubernetes version assumed without a cluster.
pub const DEFAULT_KUBE_VERSION: &str = "v1.37.0";

/// The API versions assumed without a cluster, in Helm's order.
pub const DEFAULT_API_VERSIONS: [&str; 57] = [
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "lifecycle.k8s.io/v1alpha1",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// Go signatures of the objects' methods, so the executor checks arguments as Go does.
const ONE_STRING: Sig = Sig::fixed(&[Ty::String]);
const NO_ARGS: Sig = Sig::fixed(&[]);

// ---------------------------------------------------------------------------
// common.Values methods

/// The Go signature of a method of helm's `common.Values` (the type of `.`,
/// `.Values` and `.Template`): Go looks methods up before map keys, so
/// `.Values.AsMap` calls the method even when values have an `AsMap` key.
/// (`Encode` needs an `io.Writer`, which no template value is.)
pub fn values_method_sig(name: &str) -> Option<Sig> {
    match name {
        "AsMap" | "YAML" => Some(NO_ARGS),
        "Table" | "PathValue" => Some(ONE_STRING),
        "Encode" => Some(Sig::fixed(&[Ty::Any])),
        _ => None,
    }
}

/// Calls a `common.Values` method (see [`values_method_sig`]); errors are
/// helm's texts.
pub fn call_values_method(recv: &Value, name: &str, args: &[Value]) -> Result<Value, String> {
    let arg = || args.first().and_then(Value::as_str).unwrap_or_default();
    match name {
        "AsMap" => Ok(recv.clone().with_go_type(None)),
        "YAML" => crate::render::encode::to_yaml(recv)
            .map(Value::string)
            .map_err(|e| e.0),
        "Table" => values_table(recv, arg()).map(|t| t.with_go_type(Some(VALUES_TYPE))),
        "PathValue" => values_path_value(recv, arg()),
        "Encode" => Err(format!(
            "wrong type for value; expected io.Writer; got {}",
            args.first()
                .map_or_else(|| "<nil>".to_string(), Value::type_name)
        )),
        _ => Err(format!("no method {name}")),
    }
}

fn not_a_table(key: &str) -> String {
    format!("{} is not a table", gofmt::quote(key))
}

/// `Values.Table`: the map at a dotted path of maps.
fn values_table(recv: &Value, path: &str) -> Result<Value, String> {
    let mut table = recv.clone();
    for key in path.split('.') {
        let next = match &table {
            Value::Map(m) => m.entries.borrow().get(key).cloned(),
            _ => None,
        };
        match next {
            Some(v @ Value::Map(_)) => table = v,
            _ => return Err(not_a_table(key)),
        }
    }
    Ok(table)
}

/// `Values.PathValue`: the non-map value at a dotted path.
fn values_path_value(recv: &Value, path: &str) -> Result<Value, String> {
    if path.is_empty() {
        return Err("YAML path cannot be empty".into());
    }
    let (table, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (
            values_table(recv, parent)
                .map_err(|_| format!("{} is not a value", gofmt::quote(key)))?,
            key,
        ),
        None => (recv.clone(), path),
    };
    let found = match &table {
        Value::Map(m) => m.entries.borrow().get(key).cloned(),
        _ => None,
    };
    match found {
        Some(Value::Map(_)) | None => Err(format!("{} is not a value", gofmt::quote(key))),
        Some(v) => Ok(v),
    }
}

// ---------------------------------------------------------------------------
// .Release

/// What `.Release` describes.
#[derive(Debug, Clone)]
pub struct ReleaseOptions {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_install: bool,
    pub is_upgrade: bool,
}

/// `.Release`: a `map[string]interface {}` with Go field names.
pub fn release_value(o: &ReleaseOptions) -> Value {
    let mut m = MapData::new();
    m.insert("Name".into(), Value::str(&o.name));
    m.insert("Namespace".into(), Value::str(&o.namespace));
    m.insert("IsUpgrade".into(), Value::Bool(o.is_upgrade));
    m.insert("IsInstall".into(), Value::Bool(o.is_install));
    m.insert("Revision".into(), Value::Int(o.revision));
    m.insert("Service".into(), Value::str("Helm"));
    Value::map(m)
}

// ---------------------------------------------------------------------------
// .Chart

fn string_list(items: &[String]) -> Value {
    Value::list(items.iter().map(|s| Value::str(s)).collect())
}

/// `.Chart`: the chart's metadata as a map keyed by Go field names, plus
/// `IsRoot` (Helm's `MetadataAsMap`). Slices are `[]interface {}`,
/// annotations a `map[string]string`.
pub fn chart_value(meta: &Metadata, is_root: bool) -> Value {
    let mut m = MapData::new();
    let s = |v: &str| Value::str(v);
    m.insert("Name".into(), s(&meta.name));
    m.insert("Home".into(), s(&meta.home));
    m.insert("Sources".into(), string_list(&meta.sources));
    m.insert("Version".into(), s(&meta.version));
    m.insert("Description".into(), s(&meta.description));
    m.insert("Keywords".into(), string_list(&meta.keywords));
    m.insert(
        "Maintainers".into(),
        Value::list(
            meta.maintainers
                .iter()
                .map(|mt| {
                    let mut mm = MapData::new();
                    mm.insert("Name".into(), s(&mt.name));
                    mm.insert("Email".into(), s(&mt.email));
                    mm.insert("URL".into(), s(&mt.url));
                    Value::map(mm)
                })
                .collect(),
        ),
    );
    m.insert("Icon".into(), s(&meta.icon));
    m.insert("APIVersion".into(), s(&meta.api_version));
    m.insert("Condition".into(), s(&meta.condition));
    m.insert("Tags".into(), s(&meta.tags));
    m.insert("AppVersion".into(), s(&meta.app_version));
    m.insert("Deprecated".into(), Value::Bool(meta.deprecated));
    let annotations: MapData = meta
        .annotations
        .iter()
        .map(|(k, v)| (k.clone(), Value::str(v)))
        .collect();
    // Go's yaml leaves the field a nil map when Chart.yaml has none (or `~`).
    let nil = annotations.is_empty() && !meta.annotations_non_nil;
    m.insert(
        "Annotations".into(),
        Value::Map(crate::value::Map {
            entries: Rc::new(std::cell::RefCell::new(annotations)),
            elem: ElemType::String,
            nil,
            go_type: None,
        }),
    );
    m.insert("KubeVersion".into(), s(&meta.kube_version));
    m.insert(
        "Dependencies".into(),
        Value::list(
            meta.dependencies
                .iter()
                .map(|d| {
                    let mut dm = MapData::new();
                    dm.insert("Name".into(), s(&d.name));
                    dm.insert("Version".into(), s(&d.version));
                    dm.insert("Repository".into(), s(&d.repository));
                    dm.insert("Condition".into(), s(&d.condition));
                    dm.insert("Tags".into(), string_list(&d.tags));
                    dm.insert("Enabled".into(), Value::Bool(d.enabled));
                    dm.insert("ImportValues".into(), Value::list(d.import_values.clone()));
                    dm.insert("Alias".into(), s(&d.alias));
                    Value::map(dm)
                })
                .collect(),
        ),
    );
    m.insert("Type".into(), s(&meta.chart_type));
    m.insert("IsRoot".into(), Value::Bool(is_root));
    Value::map(m)
}

// ---------------------------------------------------------------------------
// .Capabilities

/// A Kubernetes version as `--kube-version` gives it (Helm's `KubeVersion`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeVersion {
    /// As given, with a `v` prefix (`v1.33.4-gke.1`); `.GitVersion`.
    pub version: String,
    /// Numbers only (`v1.33.4`); what `String()` and constraint checks use.
    pub normalized: String,
    pub major: String,
    pub minor: String,
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion {
            version: DEFAULT_KUBE_VERSION.into(),
            normalized: DEFAULT_KUBE_VERSION.into(),
            major: "1".into(),
            minor: "37".into(),
        }
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalized)
    }
}

impl KubeVersion {
    /// Parses like Kubernetes' generic version parser: `[v]X.Y[.Z...]` with
    /// anything after the numbers ignored. Errors are Kubernetes' texts.
    pub fn parse(input: &str) -> Result<KubeVersion, String> {
        let trimmed = input.trim_start();
        let body = trimmed.strip_prefix('v').unwrap_or(trimmed);
        // `[0-9]+(\.[0-9]+)*`, greedy.
        let bytes = body.as_bytes();
        let mut end = 0;
        let mut components: Vec<&str> = Vec::new();
        loop {
            let start = end;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            if end == start {
                if components.is_empty() {
                    return Err(format!("could not parse {} as version", go_q(input)));
                }
                // A trailing `.` without digits is not part of the numbers.
                end = start - 1;
                break;
            }
            components.push(&body[start..end]);
            if end < bytes.len() && bytes[end] == b'.' {
                end += 1;
                continue;
            }
            break;
        }
        if components.len() < 2 {
            return Err(format!("illegal version string {}", go_q(input)));
        }
        let mut numbers = Vec::with_capacity(components.len());
        for (i, comp) in components.iter().enumerate() {
            if i == 0 && comp.starts_with('0') && *comp != "0" {
                return Err(format!(
                    "illegal zero-prefixed version component {} in {}",
                    go_q(comp),
                    go_q(input)
                ));
            }
            let n: u64 = comp.parse().map_err(|_| {
                format!(
                    "illegal non-numeric version component {} in {}: strconv.ParseUint: parsing {}: value out of range",
                    go_q(comp),
                    go_q(input),
                    go_q(comp)
                )
            })?;
            numbers.push(n);
        }
        let _ = end;
        let version = if input.starts_with('v') {
            input.to_string()
        } else {
            format!("v{input}")
        };
        let normalized = format!(
            "v{}",
            numbers
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(".")
        );
        Ok(KubeVersion {
            version,
            normalized,
            major: numbers[0].to_string(),
            minor: numbers[1].to_string(),
        })
    }
}

fn go_q(s: &str) -> String {
    crate::values::strvals::go_quote(s)
}

/// What `.Capabilities` describes.
#[derive(Debug, Clone)]
pub struct Capabilities {
    pub kube_version: KubeVersion,
    pub api_versions: Vec<String>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            kube_version: KubeVersion::default(),
            api_versions: DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl Capabilities {
    /// Helm's `helm template` capabilities: the defaults, an optional
    /// `--kube-version`, and `--api-versions` appended.
    pub fn for_template(kube_version: Option<KubeVersion>, extra_apis: &[String]) -> Capabilities {
        let mut caps = Capabilities::default();
        if let Some(kv) = kube_version {
            caps.kube_version = kv;
        }
        caps.api_versions.extend(extra_apis.iter().cloned());
        caps
    }

    /// The `.Capabilities` object.
    pub fn to_value(&self) -> Value {
        Value::Object(Rc::new(CapabilitiesObject {
            kube: Value::Object(Rc::new(KubeVersionObject(self.kube_version.clone()))),
            apis: Value::Object(Rc::new(VersionSetObject(Rc::new(
                self.api_versions.clone(),
            )))),
            helm: Value::Object(Rc::new(HelmVersionObject)),
        }))
    }
}

#[derive(Debug)]
struct CapabilitiesObject {
    kube: Value,
    apis: Value,
    helm: Value,
}

impl Object for CapabilitiesObject {
    fn type_name(&self) -> String {
        "*common.Capabilities".into()
    }
    fn is_plain_struct_pointer(&self) -> bool {
        true
    }
    fn get_field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(self.kube.clone()),
            "APIVersions" => Some(self.apis.clone()),
            "HelmVersion" => Some(self.helm.clone()),
            _ => None,
        }
    }
    fn format_go(&self) -> String {
        let kube = match &self.kube {
            Value::Object(o) => o
                .as_any()
                .downcast_ref::<KubeVersionObject>()
                .map(|k| k.struct_form())
                .unwrap_or_default(),
            _ => String::new(),
        };
        format!(
            "&{{{} {} {}}}",
            kube,
            gofmt::sprint(&self.apis),
            gofmt::sprint(&self.helm)
        )
    }
    fn format_go_fields(&self) -> Option<String> {
        let fields = |v: &Value| match v {
            Value::Object(o) => o.format_go_fields().unwrap_or_else(|| o.format_go()),
            other => gofmt::sprint(other),
        };
        Some(format!(
            "&{{KubeVersion:{} APIVersions:{} HelmVersion:{}}}",
            fields(&self.kube),
            gofmt::sprint(&self.apis),
            fields(&self.helm)
        ))
    }
    fn format_template(&self) -> String {
        // text/template prints what a pointer without String points to.
        let s = self.format_go();
        s.strip_prefix('&').map(str::to_string).unwrap_or(s)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn to_data(&self) -> Option<Value> {
        let mut m = MapData::new();
        for (k, v) in [
            ("KubeVersion", &self.kube),
            ("APIVersions", &self.apis),
            ("HelmVersion", &self.helm),
        ] {
            let data = match v {
                Value::Object(o) => o.to_data().unwrap_or(Value::Nil),
                other => other.clone(),
            };
            m.insert(k.into(), data);
        }
        Some(Value::map(m))
    }
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(vec![
            ("KubeVersion", self.kube.clone()),
            ("APIVersions", self.apis.clone()),
            ("HelmVersion", self.helm.clone()),
        ])
    }
}

#[derive(Debug)]
struct KubeVersionObject(KubeVersion);

impl KubeVersionObject {
    /// `%+v` of the struct value.
    fn fields_form(&self) -> String {
        format!(
            "{{Version:{} normalizedVersion:{} Major:{} Minor:{}}}",
            self.0.version, self.0.normalized, self.0.major, self.0.minor
        )
    }

    /// `%v` of the struct value without its String method.
    fn struct_form(&self) -> String {
        format!(
            "{{{} {} {} {}}}",
            self.0.version, self.0.normalized, self.0.major, self.0.minor
        )
    }
}

impl Object for KubeVersionObject {
    fn type_name(&self) -> String {
        "common.KubeVersion".into()
    }
    fn kind_name(&self) -> &'static str {
        "struct"
    }
    fn get_field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" | "GitVersion" => Some(Value::str(&self.0.version)),
            "Major" => Some(Value::str(&self.0.major)),
            "Minor" => Some(Value::str(&self.0.minor)),
            "String" => Some(Value::str(&self.0.normalized)),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "String" | "GitVersion")
    }
    fn method_sig(&self, name: &str) -> Option<Sig> {
        self.has_method(name).then_some(NO_ARGS)
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if !self.has_method(name) {
            return None;
        }
        if !args.is_empty() {
            return Some(Err(format!(
                "wrong number of args for {name}: want 0 got {}",
                args.len()
            )));
        }
        self.get_field(name).map(Ok)
    }
    fn format_go(&self) -> String {
        // `String` has a pointer receiver: a copy (what `toString` and
        // `printf` get) prints as the struct.
        self.struct_form()
    }
    fn format_go_fields(&self) -> Option<String> {
        Some(self.fields_form())
    }
    fn format_template(&self) -> String {
        // A template prints the addressable field through `String`.
        self.0.normalized.clone()
    }
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(vec![
            ("Version", Value::str(&self.0.version)),
            ("Major", Value::str(&self.0.major)),
            ("Minor", Value::str(&self.0.minor)),
        ])
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn to_data(&self) -> Option<Value> {
        let mut m = MapData::new();
        m.insert("Version".into(), Value::str(&self.0.version));
        m.insert("Major".into(), Value::str(&self.0.major));
        m.insert("Minor".into(), Value::str(&self.0.minor));
        Some(Value::map(m))
    }
}

/// `.Capabilities.APIVersions`: a `[]string` with a `Has` method.
#[derive(Debug)]
pub struct VersionSetObject(pub Rc<Vec<String>>);

impl VersionSetObject {
    fn list(&self) -> Value {
        Value::typed_list(
            self.0.iter().map(|s| Value::str(s)).collect(),
            ElemType::String,
        )
    }
}

impl Object for VersionSetObject {
    fn type_name(&self) -> String {
        "common.VersionSet".into()
    }
    fn kind_name(&self) -> &'static str {
        "slice"
    }
    fn get_field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn method_sig(&self, name: &str) -> Option<Sig> {
        (name == "Has").then_some(ONE_STRING)
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if name != "Has" {
            return None;
        }
        Some(match args {
            [Value::String(s)] => Ok(Value::Bool(self.0.iter().any(|v| v == &**s))),
            [other] => Err(format!(
                "wrong type for value; expected string; got {}",
                other.type_name()
            )),
            _ => Err(format!(
                "wrong number of args for Has: want 1 got {}",
                args.len()
            )),
        })
    }
    fn format_go(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn to_data(&self) -> Option<Value> {
        Some(self.list())
    }
}

/// `.Capabilities.HelmVersion`: helm's build info struct.
#[derive(Debug)]
struct HelmVersionObject;

impl Object for HelmVersionObject {
    fn type_name(&self) -> String {
        "version.BuildInfo".into()
    }
    fn kind_name(&self) -> &'static str {
        "struct"
    }
    fn get_field(&self, name: &str) -> Option<Value> {
        Some(Value::str(match name {
            "Version" => HELM_VERSION,
            "GitCommit" => HELM_GIT_COMMIT,
            "GitTreeState" => HELM_GIT_TREE_STATE,
            "GoVersion" => HELM_GO_VERSION,
            "KubeClientVersion" => HELM_KUBE_CLIENT_VERSION,
            _ => return None,
        }))
    }
    fn format_go(&self) -> String {
        format!(
            "{{{HELM_VERSION} {HELM_GIT_COMMIT} {HELM_GIT_TREE_STATE} {HELM_GO_VERSION} {HELM_KUBE_CLIENT_VERSION}}}"
        )
    }
    fn format_go_fields(&self) -> Option<String> {
        Some(format!(
            "{{Version:{HELM_VERSION} GitCommit:{HELM_GIT_COMMIT} GitTreeState:{HELM_GIT_TREE_STATE} GoVersion:{HELM_GO_VERSION} KubeClientVersion:{HELM_KUBE_CLIENT_VERSION}}}"
        ))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn to_data(&self) -> Option<Value> {
        let mut m = MapData::new();
        m.insert("version".into(), Value::str(HELM_VERSION));
        m.insert("git_commit".into(), Value::str(HELM_GIT_COMMIT));
        m.insert("git_tree_state".into(), Value::str(HELM_GIT_TREE_STATE));
        m.insert("go_version".into(), Value::str(HELM_GO_VERSION));
        m.insert(
            "kube_client_version".into(),
            Value::str(HELM_KUBE_CLIENT_VERSION),
        );
        Some(Value::map(m))
    }
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(vec![
            ("version", Value::str(HELM_VERSION)),
            ("git_commit", Value::str(HELM_GIT_COMMIT)),
            ("git_tree_state", Value::str(HELM_GIT_TREE_STATE)),
            ("go_version", Value::str(HELM_GO_VERSION)),
            ("kube_client_version", Value::str(HELM_KUBE_CLIENT_VERSION)),
        ])
    }
}

// ---------------------------------------------------------------------------
// .Files

/// `.Files`: the chart's non-template files by name (Helm's `engine.files`,
/// a `map[string][]byte` with methods).
#[derive(Debug, Clone, Default)]
/// The bytes are shared with the loaded chart; they are copied only when
/// a template asks for a file.
pub struct Files(pub Rc<BTreeMap<String, SharedBytes>>);

impl Files {
    pub fn new(files: &[ChartFile]) -> Files {
        Files(Rc::new(
            files
                .iter()
                .map(|f| (f.name.clone(), f.data.clone()))
                .collect(),
        ))
    }

    pub fn to_value(&self) -> Value {
        Value::Object(Rc::new(self.clone()))
    }

    pub fn get_bytes(&self, name: &str) -> Rc<[u8]> {
        self.0
            .get(name)
            .map(|data| Rc::from(&data[..]))
            .unwrap_or_else(|| Rc::from(&[][..]))
    }

    pub fn get(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.get_bytes(name)).into_owned()
    }

    /// Files whose names match a gobwas-style glob (`**` crosses `/`); a
    /// pattern that does not compile matches everything, as in Helm.
    pub fn glob(&self, pattern: &str) -> Files {
        let matcher = crate::render::glob::Glob::compile(pattern)
            .unwrap_or_else(|_| crate::render::glob::Glob::match_all());
        Files(Rc::new(
            self.0
                .iter()
                .filter(|(name, _)| matcher.matches(name))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ))
    }

    /// A YAML map of base name to content (for a ConfigMap's `data`).
    pub fn as_config(&self) -> String {
        let m: MapData = self
            .0
            .iter()
            .map(|(k, v)| {
                (
                    base_name(k).to_string(),
                    Value::string(String::from_utf8_lossy(v).into_owned()),
                )
            })
            .collect();
        to_yaml_trimmed(&Value::map(m))
    }

    /// A YAML map of base name to base64 content (for a Secret's `data`).
    pub fn as_secrets(&self) -> String {
        let m: MapData = self
            .0
            .iter()
            .map(|(k, v)| (base_name(k).to_string(), Value::string(base64_std(v))))
            .collect();
        to_yaml_trimmed(&Value::map(m))
    }

    /// The file's lines (one trailing newline dropped); `[]` when missing or empty.
    pub fn lines(&self, name: &str) -> Vec<String> {
        let Some(data) = self.0.get(name) else {
            return Vec::new();
        };
        if data.is_empty() {
            return Vec::new();
        }
        let s = String::from_utf8_lossy(data);
        let s = s.strip_suffix('\n').unwrap_or(&s);
        s.split('\n').map(str::to_string).collect()
    }
}

fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// Helm's engine `toYAML`: marshal, then drop the final newline.
fn to_yaml_trimmed(v: &Value) -> String {
    match crate::render::encode::to_yaml(v) {
        Ok(s) => s.strip_suffix('\n').map(str::to_string).unwrap_or(s),
        Err(_) => String::new(),
    }
}

/// Standard base64 with padding.
pub fn base64_std(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

fn one_string_arg<'a>(name: &str, args: &'a [Value]) -> Result<&'a str, String> {
    match args {
        [Value::String(s)] => Ok(s),
        [other] => Err(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        )),
        _ => Err(format!(
            "wrong number of args for {name}: want 1 got {}",
            args.len()
        )),
    }
}

impl Object for Files {
    fn type_name(&self) -> String {
        "engine.files".into()
    }
    fn kind_name(&self) -> &'static str {
        "map"
    }
    fn get_field(&self, name: &str) -> Option<Value> {
        match name {
            "AsConfig" => Some(Value::string(self.as_config())),
            "AsSecrets" => Some(Value::string(self.as_secrets())),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Get" | "GetBytes" | "Glob" | "AsConfig" | "AsSecrets" | "Lines"
        )
    }
    fn method_sig(&self, name: &str) -> Option<Sig> {
        match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => Some(ONE_STRING),
            "AsConfig" | "AsSecrets" => Some(NO_ARGS),
            _ => None,
        }
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let result = match name {
            "AsConfig" | "AsSecrets" => {
                if !args.is_empty() {
                    Err(format!(
                        "wrong number of args for {name}: want 0 got {}",
                        args.len()
                    ))
                } else {
                    Ok(self.get_field(name).unwrap_or(Value::Nil))
                }
            }
            // Go's string(bytes): binary content keeps its bytes.
            "Get" => {
                one_string_arg(name, args).map(|n| Value::from_go_bytes(self.get_bytes(n).to_vec()))
            }
            "GetBytes" => one_string_arg(name, args).map(|n| Value::Bytes(self.get_bytes(n))),
            "Glob" => one_string_arg(name, args).map(|p| self.glob(p).to_value()),
            "Lines" => one_string_arg(name, args).map(|p| {
                Value::typed_list(
                    self.lines(p).into_iter().map(Value::string).collect(),
                    ElemType::String,
                )
            }),
            _ => return None,
        };
        Some(result)
    }
    fn format_go(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| {
                let bytes: Vec<String> = v.iter().map(u8::to_string).collect();
                format!("{k}:[{}]", bytes.join(" "))
            })
            .collect();
        format!("map[{}]", parts.join(" "))
    }
    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn to_data(&self) -> Option<Value> {
        Some(Value::map(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(Rc::from(&v[..]))))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// fmt prints a struct pointer's fields only as the operand itself;
    /// nested, it prints the address (Go's varies by run, so only its form
    /// and its stability within a run are checked).
    #[test]
    fn capabilities_print_as_an_address_inside_collections() {
        let caps = Capabilities::default().to_value();
        let top = gofmt::sprintf("%v", std::slice::from_ref(&caps));
        assert!(top.starts_with("&{{v1.37.0 v1.37.0 1 37} [v1 "), "{top}");
        let listed = Value::list(vec![caps.clone(), caps.clone()]);
        let nested = gofmt::sprintf("%v", std::slice::from_ref(&listed));
        let addresses: Vec<&str> = nested
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(' ')
            .collect();
        assert_eq!(addresses.len(), 2, "{nested}");
        assert_eq!(addresses[0], addresses[1]);
        assert!(addresses[0].starts_with("0x"), "{nested}");
        assert!(
            u64::from_str_radix(&addresses[0][2..], 16).is_ok(),
            "{nested}"
        );
        let as_string = gofmt::sprintf("%s", std::slice::from_ref(&listed));
        assert!(
            as_string.starts_with("[%!s(*common.Capabilities=&{{v1.37.0 "),
            "{as_string}"
        );
        let go_syntax = gofmt::sprintf("%#v", std::slice::from_ref(&listed));
        assert!(
            go_syntax.starts_with("[]interface {}{(*common.Capabilities)(0x"),
            "{go_syntax}"
        );
    }

    #[test]
    fn kube_version_parsing() {
        let kv = KubeVersion::parse("v1.33.4-gke.1").unwrap();
        assert_eq!(
            (
                kv.version.as_str(),
                kv.normalized.as_str(),
                kv.major.as_str(),
                kv.minor.as_str()
            ),
            ("v1.33.4-gke.1", "v1.33.4", "1", "33")
        );
        let kv = KubeVersion::parse("1.28").unwrap();
        assert_eq!(
            (kv.version.as_str(), kv.normalized.as_str()),
            ("v1.28", "v1.28")
        );
        assert_eq!(
            KubeVersion::parse("x").unwrap_err(),
            r#"could not parse "x" as version"#
        );
        assert_eq!(
            KubeVersion::parse("1").unwrap_err(),
            r#"illegal version string "1""#
        );
        assert_eq!(
            KubeVersion::parse("1.x").unwrap_err(),
            r#"illegal version string "1.x""#
        );
        assert_eq!(
            KubeVersion::parse("01.2").unwrap_err(),
            r#"illegal zero-prefixed version component "01" in "01.2""#
        );
        let kv = KubeVersion::parse("1.28.3.4").unwrap();
        assert_eq!(kv.normalized, "v1.28.3.4");
    }

    #[test]
    fn api_versions_has() {
        let caps = Capabilities::for_template(None, &["foo.example.com/v1/Widget".to_string()]);
        assert_eq!(caps.api_versions.len(), 58);
        let Value::Object(o) = caps.to_value() else {
            unreachable!()
        };
        let Some(Value::Object(apis)) = o.get_field("APIVersions") else {
            unreachable!()
        };
        let has = |s: &str| match apis.call_method("Has", &[Value::str(s)]) {
            Some(Ok(Value::Bool(b))) => b,
            _ => panic!("Has failed"),
        };
        assert!(has("v1"));
        assert!(has("foo.example.com/v1/Widget"));
        assert!(!has("foo.example.com/v1"));
    }

    #[test]
    fn files_methods() {
        let files = Files::new(&[
            ChartFile::new("config/a.txt", "x\ny\n"),
            ChartFile::new("config/n/b.txt", ""),
            ChartFile::new("data/crlf.txt", "one\r\ntwo\r\n"),
        ]);
        assert_eq!(files.get("config/a.txt"), "x\ny\n");
        assert_eq!(files.get("nope"), "");
        assert_eq!(files.lines("data/crlf.txt"), vec!["one\r", "two\r"]);
        assert!(files.lines("config/n/b.txt").is_empty());
        assert_eq!(files.glob("config/*").0.len(), 1);
        assert_eq!(files.glob("config/**").0.len(), 2);
        assert_eq!(
            base64_std(b"key1=value1\nkey2=value2\n"),
            "a2V5MT12YWx1ZTEKa2V5Mj12YWx1ZTIK"
        );
        assert_eq!(files.format_go(), "map[config/a.txt:[120 10 121 10] config/n/b.txt:[] data/crlf.txt:[111 110 101 13 10 116 119 111 13 10]]");
    }
}
