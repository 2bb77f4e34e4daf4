//! From rendered template files to the manifest stream Helm prints: split
//! each file into YAML documents, read each document's head, separate hooks
//! (documents with a known `helm.sh/hook` annotation), and order everything
//! by Helm's install order of kinds.
//!
//! Helm's quirks kept on purpose: the split is on `^---` (so `---foo` also
//! splits), documents keep their trailing whitespace (hence the blank line
//! between printed documents), files are visited in path order and the kind
//! sort is stable, unknown kinds sort after known ones, by name.

use std::collections::{BTreeMap, HashMap};

use crate::log::{Level, Logger, Record};
use crate::render::fast_hash::fingerprint;
use crate::values::yaml::{parse_manifest_head, ManifestHead, YamlError};

pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
pub const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";
pub const HOOK_OUTPUT_LOG_ANNOTATION: &str = "helm.sh/hook-output-log-policy";

/// Kinds in the order Helm installs them.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The lifecycle events a hook can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookEvent {
    PreInstall,
    PostInstall,
    PreDelete,
    PostDelete,
    PreUpgrade,
    PostUpgrade,
    PreRollback,
    PostRollback,
    Test,
}

impl HookEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            HookEvent::PreInstall => "pre-install",
            HookEvent::PostInstall => "post-install",
            HookEvent::PreDelete => "pre-delete",
            HookEvent::PostDelete => "post-delete",
            HookEvent::PreUpgrade => "pre-upgrade",
            HookEvent::PostUpgrade => "post-upgrade",
            HookEvent::PreRollback => "pre-rollback",
            HookEvent::PostRollback => "post-rollback",
            HookEvent::Test => "test",
        }
    }

    /// Parses an annotation entry (already trimmed and lower-cased);
    /// `test-success` is the old name of `test`.
    pub fn parse(s: &str) -> Option<HookEvent> {
        Some(match s {
            "pre-install" => HookEvent::PreInstall,
            "post-install" => HookEvent::PostInstall,
            "pre-delete" => HookEvent::PreDelete,
            "post-delete" => HookEvent::PostDelete,
            "pre-upgrade" => HookEvent::PreUpgrade,
            "post-upgrade" => HookEvent::PostUpgrade,
            "pre-rollback" => HookEvent::PreRollback,
            "post-rollback" => HookEvent::PostRollback,
            "test" | "test-success" => HookEvent::Test,
            _ => return None,
        })
    }
}

/// One ordinary (non-hook) document.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The template path, e.g. `mychart/templates/service.yaml`.
    pub name: String,
    pub content: String,
    pub head: ManifestHead,
}

/// One hook document.
#[derive(Debug, Clone)]
pub struct Hook {
    pub name: String,
    pub kind: String,
    pub path: String,
    pub manifest: String,
    pub events: Vec<HookEvent>,
    pub weight: i64,
    pub delete_policies: Vec<String>,
    pub output_log_policies: Vec<String>,
}

impl Hook {
    pub fn is_test(&self) -> bool {
        self.events.contains(&HookEvent::Test)
    }
}

/// A document that is not a YAML mapping Helm can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("YAML parse error on {path}: {source}")]
pub struct ManifestError {
    pub path: String,
    pub source: YamlError,
}

/// Helm's `SplitManifests`: the non-blank documents of a stream, in order,
/// each with leading whitespace removed (trailing whitespace is kept).
pub fn split_manifests(big: &str) -> Vec<&str> {
    let s = big.trim_start();
    let mut docs = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at_line_start = i == 0 || bytes[i - 1] == b'\n';
        if at_line_start && bytes[i..].starts_with(b"---") {
            push_doc(&mut docs, &s[start..i]);
            let mut end = i + 3;
            while end < bytes.len() && (bytes[end] == b' ' || bytes[end] == b'\t') {
                end += 1;
            }
            start = end;
            i = end;
            continue;
        }
        i += 1;
    }
    push_doc(&mut docs, &s[start..]);
    docs
}

fn push_doc<'a>(docs: &mut Vec<&'a str>, d: &'a str) {
    if !d.trim().is_empty() {
        docs.push(d.trim_start());
    }
}

/// Position of a kind in [`INSTALL_ORDER`].
pub fn install_order_index(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// Helm's `lessByKind`: known kinds by install order, before unknown kinds,
/// which sort by name.
fn kind_less(a: &str, b: &str) -> bool {
    match (install_order_index(a), install_order_index(b)) {
        (Some(x), Some(y)) => x < y,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => a < b,
    }
}

fn stable_sort_by_kind<T>(items: &mut [T], kind: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| {
        let (ka, kb) = (kind(a), kind(b));
        if kind_less(ka, kb) {
            std::cmp::Ordering::Less
        } else if kind_less(kb, ka) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
}

/// Helm's `SortManifests` with the install order: every rendered file (by
/// path) is split into documents; hooks and manifests come back sorted by
/// kind. Files whose base name starts with `_` and blank files are skipped.
/// Below this many documents the heads are parsed on the calling thread.
const PARALLEL_HEADS_MIN_DOCS: usize = 16;

/// The head of every document, in order. Parsing each document's YAML is
/// most of the sorting work and the documents are independent, so on big
/// releases the second half is parsed on another thread.
fn parse_heads(docs: &[(&String, &str)]) -> Vec<Result<ManifestHead, YamlError>> {
    let serial = |docs: &[(&String, &str)]| -> Vec<Result<ManifestHead, YamlError>> {
        docs.iter()
            .map(|(_, doc)| parse_manifest_head(doc))
            .collect()
    };
    if docs.len() < PARALLEL_HEADS_MIN_DOCS {
        return serial(docs);
    }
    // Split by size, not count: documents range from a few lines to CRDs.
    let total: usize = docs.iter().map(|(_, d)| d.len()).sum();
    let mut acc = 0;
    let mid = docs
        .iter()
        .position(|(_, d)| {
            acc += d.len();
            acc * 2 >= total
        })
        .map_or(docs.len() / 2, |i| i + 1);
    let (first, second) = docs.split_at(mid);
    std::thread::scope(|scope| {
        let other = std::thread::Builder::new().spawn_scoped(scope, || serial(second));
        let mut heads = serial(first);
        match other.map(|h| h.join()) {
            Ok(Ok(rest)) => heads.extend(rest),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => heads.extend(serial(second)),
        }
        heads
    })
}

/// The document heads of one rendered file, worked out while later files
/// were still rendering (see [`HeadsAhead`]), with the text they are of.
pub struct FileHeads {
    /// Which text the heads are of: its [`fingerprint`] (sorting always sees
    /// the very text parsed ahead; this guards against a caller breaking
    /// that). Not the text itself: a copy of every rendered file would stay
    /// alive until sorting.
    text: (usize, u64),
    /// Each document's byte range in the text (so sorting need not split
    /// the file again), with its head.
    docs: Vec<(std::ops::Range<usize>, Result<ManifestHead, YamlError>)>,
}

/// Heads worked out ahead, by file path. Parsing the documents' YAML is most
/// of sorting; done on another thread as each file renders, it overlaps
/// rendering instead of following it.
pub type HeadsAhead = HashMap<String, FileHeads>;

/// Whether [`sort_manifests`] reads a rendered file at all.
pub fn is_manifest_file(path: &str, content: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    !base.starts_with('_') && !content.trim().is_empty()
}

/// The heads of every document of one rendered file (for [`HeadsAhead`]).
pub fn file_heads(text: &str) -> FileHeads {
    let base = text.as_ptr() as usize;
    let docs = split_manifests(text)
        .into_iter()
        .map(|doc| {
            let start = doc.as_ptr() as usize - base;
            (start..start + doc.len(), parse_manifest_head(doc))
        })
        .collect();
    FileHeads {
        text: fingerprint(text.as_bytes()),
        docs,
    }
}

pub fn sort_manifests(
    files: &BTreeMap<String, String>,
    log: &mut Logger<'_>,
) -> Result<(Vec<Hook>, Vec<Manifest>), ManifestError> {
    sort_manifests_with(files, HashMap::new(), log)
}

/// [`sort_manifests`] using the heads in `ahead` where they are of the same
/// text (the rest are parsed here).
pub fn sort_manifests_with(
    files: &BTreeMap<String, String>,
    mut ahead: HeadsAhead,
    log: &mut Logger<'_>,
) -> Result<(Vec<Hook>, Vec<Manifest>), ManifestError> {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    let mut docs: Vec<(&String, &str)> = Vec::new();
    let mut known: Vec<Option<Result<ManifestHead, YamlError>>> = Vec::new();
    for (path, content) in files {
        if !is_manifest_file(path, content) {
            continue;
        }
        match ahead.remove(path.as_str()) {
            // The same text splits the same way: its documents are these
            // ranges of `content`.
            Some(f)
                if f.text == fingerprint(content.as_bytes())
                    && f.docs.iter().all(|(r, _)| content.get(r.clone()).is_some()) =>
            {
                for (range, head) in f.docs {
                    docs.push((path, &content[range]));
                    known.push(Some(head));
                }
            }
            _ => {
                for doc in split_manifests(content) {
                    docs.push((path, doc));
                    known.push(None);
                }
            }
        }
    }
    let missing: Vec<(&String, &str)> = docs
        .iter()
        .zip(&known)
        .filter(|(_, head)| head.is_none())
        .map(|(doc, _)| *doc)
        .collect();
    let mut parsed = parse_heads(&missing).into_iter();
    for ((path, doc), head) in docs.into_iter().zip(known) {
        let head = match head.or_else(|| parsed.next()) {
            Some(head) => head,
            None => parse_manifest_head(doc),
        };
        let head = head.map_err(|source| ManifestError {
            path: path.clone(),
            source,
        })?;
        let hook_types = head
            .metadata
            .as_ref()
            .and_then(|m| m.annotations.get(HOOK_ANNOTATION).cloned());
        let Some(hook_types) = hook_types else {
            generic.push(Manifest {
                name: path.clone(),
                content: doc.to_string(),
                head,
            });
            continue;
        };
        let mut events = Vec::new();
        let mut unknown = false;
        for t in hook_types.split(',') {
            match HookEvent::parse(&t.trim().to_lowercase()) {
                Some(e) => events.push(e),
                None => {
                    unknown = true;
                    break;
                }
            }
        }
        if unknown {
            log(Record::new(Level::Info, "skipping unknown hooks").attr("hookTypes", hook_types));
            continue;
        }
        let annotations = head
            .metadata
            .as_ref()
            .map(|m| &m.annotations)
            .cloned()
            .unwrap_or_default();
        let policies = |key: &str| -> Vec<String> {
            annotations
                .get(key)
                .map(|v| v.split(',').map(|p| p.trim().to_lowercase()).collect())
                .unwrap_or_default()
        };
        hooks.push(Hook {
            name: head
                .metadata
                .as_ref()
                .map(|m| m.name.clone())
                .unwrap_or_default(),
            kind: head.kind.clone(),
            path: path.clone(),
            manifest: doc.to_string(),
            events,
            weight: annotations
                .get(HOOK_WEIGHT_ANNOTATION)
                .and_then(|w| go_atoi(w))
                .unwrap_or(0),
            delete_policies: policies(HOOK_DELETE_ANNOTATION),
            output_log_policies: policies(HOOK_OUTPUT_LOG_ANNOTATION),
        });
    }
    stable_sort_by_kind(&mut hooks, |h| h.kind.as_str());
    stable_sort_by_kind(&mut generic, |m| m.head.kind.as_str());
    Ok((hooks, generic))
}

/// Go's `strconv.Atoi` success cases.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.strip_prefix('+').unwrap_or(s).parse().ok()
}

/// One printed document: `---\n# Source: <path>\n<content>\n`.
pub fn source_doc(path: &str, content: &str) -> String {
    format!("---\n# Source: {path}\n{content}\n")
}

/// The `# Source: <chart>/<path>` of a printed document, as `--show-only`
/// reads it back (the part after the first `/`); `None` without one.
pub fn source_path(doc: &str) -> Option<&str> {
    // Helm's regexp `# Source: [^/]+/(.+)`: the name part may span lines,
    // the captured path runs to the end of the line of the first `/`.
    let mut search = doc;
    loop {
        let at = search.find("# Source: ")?;
        let rest = &search[at + "# Source: ".len()..];
        if let Some(slash) = rest.find('/') {
            if slash > 0 {
                let tail = &rest[slash + 1..];
                let end = tail.find('\n').unwrap_or(tail.len());
                if end > 0 {
                    return Some(&tail[..end]);
                }
            }
        }
        search = &search[at + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_dashes_at_line_start() {
        assert_eq!(
            split_manifests("a: 1\n---foo: 2\n--- \nb: 3\n  \n\n"),
            vec!["a: 1\n", "foo: 2\n", "b: 3\n  \n\n"]
        );
        assert_eq!(split_manifests("\n---\n\n---\n# c\n"), vec!["# c\n"]);
        assert_eq!(split_manifests("a: x---y\n"), vec!["a: x---y\n"]);
    }

    #[test]
    fn sorts_by_install_order_then_unknown_by_name() {
        let mut files = BTreeMap::new();
        files.insert(
            "t/templates/a.yaml".to_string(),
            "kind: Service\n".to_string(),
        );
        files.insert(
            "t/templates/b.yaml".to_string(),
            "kind: Deployment\n".to_string(),
        );
        files.insert(
            "t/templates/c.yaml".to_string(),
            "kind: Zeta\n---\nkind: Alpha\n".to_string(),
        );
        files.insert(
            "t/templates/d.yaml".to_string(),
            "kind: Namespace\n".to_string(),
        );
        files.insert("t/templates/_h.tpl".to_string(), "kind: Pod\n".to_string());
        let (hooks, manifests) = sort_manifests(&files, &mut |_| {}).unwrap();
        assert!(hooks.is_empty());
        let kinds: Vec<&str> = manifests.iter().map(|m| m.head.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec!["Namespace", "Service", "Deployment", "Alpha", "Zeta"]
        );
    }

    #[test]
    fn hooks_are_separated_and_unknown_hooks_logged() {
        let mut files = BTreeMap::new();
        files.insert(
            "t/templates/h.yaml".to_string(),
            "kind: Job\nmetadata:\n  name: h\n  annotations:\n    helm.sh/hook: \" Pre-Install , TEST-success\"\n    helm.sh/hook-weight: \"-5\"\n---\nkind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install,bogus\n".to_string(),
        );
        let mut logged = Vec::new();
        let (hooks, manifests) =
            sort_manifests(&files, &mut |r| logged.push(r.to_string())).unwrap();
        assert!(manifests.is_empty());
        assert_eq!(hooks.len(), 1);
        assert_eq!(
            hooks[0].events,
            vec![HookEvent::PreInstall, HookEvent::Test]
        );
        assert_eq!(hooks[0].weight, -5);
        assert!(hooks[0].is_test());
        assert_eq!(
            logged,
            vec![
                r#"level=INFO msg="skipping unknown hooks" hookTypes=pre-install,bogus"#
                    .to_string()
            ]
        );
    }

    #[test]
    fn non_mapping_document_is_an_error() {
        let mut files = BTreeMap::new();
        files.insert(
            "t/templates/x.yaml".to_string(),
            "just a string\n".to_string(),
        );
        let err = sort_manifests(&files, &mut |_| {}).unwrap_err();
        assert_eq!(
            err.to_string(),
            "YAML parse error on t/templates/x.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type util.SimpleHead"
        );
    }

    #[test]
    fn source_path_for_show_only() {
        assert_eq!(
            source_path("# Source: t/templates/a.yaml\nx: 1\n"),
            Some("templates/a.yaml")
        );
        assert_eq!(source_path("x: 1\n"), None);
    }
}
