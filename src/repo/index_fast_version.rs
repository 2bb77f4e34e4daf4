//! Decoding one chart version of a helm-written index straight from its
//! lines into a [`ChartVersion`].
//!
//! Building a generic `Value` tree for every version and then walking it
//! into the struct was most of the time of a cold search or a big
//! `repo index --merge`. This decoder reads the fields helm writes, under
//! their exact names, with the scalar readers of
//! [`super::index_fast_yaml`]; anything else (another spelling of a key,
//! an unknown key, a duplicate, a number, a collection where a scalar
//! belongs, `import-values`, ...) makes it give up with `None`, and the
//! caller reads the same lines again through the `Value` path, which
//! either decodes them or fails into the general loader with helm's error.

use super::gotime;
use super::index::ChartVersion;
use super::index_fast_yaml::{is_seq_item, Reader, Scalar, SeqItem};
use crate::chart::metadata::{Dependency, Maintainer, Metadata};
use crate::values::yaml::resolve::{resolve_plain, GoYaml};

/// The fields of a chart version, under the names helm writes them.
#[derive(Clone, Copy)]
enum Field {
    Name,
    Home,
    Sources,
    Version,
    Description,
    Keywords,
    Maintainers,
    Icon,
    ApiVersion,
    Condition,
    Tags,
    AppVersion,
    Deprecated,
    Annotations,
    KubeVersion,
    Dependencies,
    Type,
    Urls,
    Created,
    Removed,
    Digest,
    Checksum,
    Engine,
    TillerVersion,
    Url,
}

fn field(key: &str) -> Option<Field> {
    Some(match key {
        "name" => Field::Name,
        "home" => Field::Home,
        "sources" => Field::Sources,
        "version" => Field::Version,
        "description" => Field::Description,
        "keywords" => Field::Keywords,
        "maintainers" => Field::Maintainers,
        "icon" => Field::Icon,
        "apiVersion" => Field::ApiVersion,
        "condition" => Field::Condition,
        "tags" => Field::Tags,
        "appVersion" => Field::AppVersion,
        "deprecated" => Field::Deprecated,
        "annotations" => Field::Annotations,
        "kubeVersion" => Field::KubeVersion,
        "dependencies" => Field::Dependencies,
        "type" => Field::Type,
        "urls" => Field::Urls,
        "created" => Field::Created,
        "removed" => Field::Removed,
        "digest" => Field::Digest,
        "checksum" => Field::Checksum,
        "engine" => Field::Engine,
        "tillerVersion" => Field::TillerVersion,
        "url" => Field::Url,
        _ => return None,
    })
}

/// A scalar decoded into a Go string field (sigs.k8s.io/yaml's rules: a
/// boolean becomes its text, null leaves the field as it is).
fn set_string(out: &mut String, value: Scalar) {
    match value {
        Scalar::Str(s) => *out = s,
        Scalar::Bool(b) => *out = b.to_string(),
        Scalar::Null => {}
    }
}

/// Keys seen so far in one mapping (duplicates are left to the general
/// loader's error).
#[derive(Default)]
struct Seen(u32);

impl Seen {
    fn first(&mut self, bit: u32) -> Option<()> {
        let mask = 1u32 << bit;
        if self.0 & mask != 0 {
            return None;
        }
        self.0 |= mask;
        Some(())
    }
}

impl<'a> Reader<'a> {
    /// The chart version whose mapping starts on the current line at
    /// indentation `n`, or `None` when it holds anything this decoder
    /// leaves to the `Value` path (the reader is then somewhere inside
    /// the item; the caller rewinds).
    pub(super) fn chart_version(&mut self, n: usize) -> Option<ChartVersion> {
        let mut cv = ChartVersion {
            created: gotime::ZERO_TIME.into(),
            ..ChartVersion::default()
        };
        let mut seen = Seen::default();
        self.map_walk(n, &mut |r, key, rest| {
            let f = field(key)?;
            seen.first(f as u32)?;
            r.version_field(&mut cv, f, rest, n)
        })?;
        Some(cv)
    }

    fn version_field(
        &mut self,
        cv: &mut ChartVersion,
        f: Field,
        rest: &'a str,
        n: usize,
    ) -> Option<()> {
        let md = &mut cv.metadata;
        let text = match f {
            Field::Name => &mut md.name,
            Field::Home => &mut md.home,
            Field::Version => &mut md.version,
            Field::Description => &mut md.description,
            Field::Icon => &mut md.icon,
            Field::ApiVersion => &mut md.api_version,
            Field::Condition => &mut md.condition,
            Field::Tags => &mut md.tags,
            Field::AppVersion => &mut md.app_version,
            Field::KubeVersion => &mut md.kube_version,
            Field::Type => &mut md.chart_type,
            Field::Digest => &mut cv.digest,
            Field::Checksum => &mut cv.checksum,
            Field::Engine => &mut cv.engine,
            Field::TillerVersion => &mut cv.tiller_version,
            Field::Url => &mut cv.url,
            Field::Sources => return self.strings(rest, n, &mut md.sources),
            Field::Keywords => return self.strings(rest, n, &mut md.keywords),
            Field::Urls => return self.strings(rest, n, &mut cv.urls),
            Field::Deprecated => return self.boolean(rest, n, &mut md.deprecated),
            Field::Removed => return self.boolean(rest, n, &mut cv.removed),
            Field::Annotations => return self.annotations(rest, n, md),
            Field::Maintainers => return self.maintainers(rest, n, md),
            Field::Dependencies => return self.dependencies(rest, n, md),
            Field::Created => {
                match self.field_scalar(rest, n)? {
                    Scalar::Str(s) => cv.created = gotime::normalize(&s).ok()?,
                    Scalar::Null => {}
                    Scalar::Bool(_) => return None,
                }
                return Some(());
            }
        };
        set_string(text, self.field_scalar(rest, n)?);
        Some(())
    }

    fn field_scalar(&mut self, rest: &'a str, n: usize) -> Option<Scalar> {
        if rest.is_empty() {
            return match self.peek() {
                Some(j)
                    if self.lines[j].indent > n
                        || (self.lines[j].indent == n && is_seq_item(self.lines[j].text)) =>
                {
                    None
                }
                _ => Some(Scalar::Null),
            };
        }
        if rest == "[]" || rest == "{}" {
            return None;
        }
        self.scalar(rest, n)
    }

    /// Where the block sequence after `key:` at indentation `n` sits:
    /// `Some(None)` for null or `[]`, `None` for anything but a sequence.
    fn list_start(&self, rest: &str, n: usize) -> Option<Option<usize>> {
        match rest {
            "[]" => return Some(None),
            "" => {}
            _ => return None,
        }
        let Some(j) = self.peek() else {
            return Some(None);
        };
        let line = &self.lines[j];
        if line.indent >= n && is_seq_item(line.text) {
            return Some(Some(line.indent));
        }
        if line.indent > n {
            return None;
        }
        Some(None)
    }

    fn boolean(&mut self, rest: &'a str, n: usize, out: &mut bool) -> Option<()> {
        match self.field_scalar(rest, n)? {
            Scalar::Bool(b) => *out = b,
            Scalar::Null => {}
            Scalar::Str(_) => return None,
        }
        Some(())
    }

    /// A `[]string` field.
    fn strings(&mut self, rest: &'a str, n: usize, out: &mut Vec<String>) -> Option<()> {
        let Some(k) = self.list_start(rest, n)? else {
            out.clear();
            return Some(());
        };
        let mut items = Vec::new();
        self.seq_walk(k, &mut |r, item| {
            let SeqItem::Inline(text) = item else {
                return None;
            };
            if text == "[]" || text == "{}" {
                return None;
            }
            let mut s = String::new();
            set_string(&mut s, r.scalar(text, k)?);
            items.push(s);
            Some(())
        })?;
        *out = items;
        Some(())
    }

    /// The items of a list of mappings: `item` reads each mapping (at the
    /// indentation it is given); a null item is counted in `nulls`.
    fn map_items<T>(
        &mut self,
        rest: &'a str,
        n: usize,
        nulls: &mut bool,
        item: &mut dyn FnMut(&mut Self, usize) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Some(k) = self.list_start(rest, n)? else {
            return Some(Vec::new());
        };
        let mut items = Vec::new();
        self.seq_walk(k, &mut |r, it| match it {
            SeqItem::Map(m) => {
                items.push(item(r, m)?);
                Some(())
            }
            SeqItem::Inline(text) => match text {
                "[]" | "{}" => None,
                _ => match r.scalar(text, k)? {
                    Scalar::Null => {
                        *nulls = true;
                        Some(())
                    }
                    _ => None,
                },
            },
        })?;
        Some(items)
    }

    fn maintainers(&mut self, rest: &'a str, n: usize, md: &mut Metadata) -> Option<()> {
        let mut nulls = false;
        md.maintainers = self.map_items(rest, n, &mut nulls, &mut |r, m| {
            let mut out = Maintainer::default();
            let mut seen = Seen::default();
            r.map_walk(m, &mut |r, key, rest| {
                let (bit, slot) = match key {
                    "name" => (0, &mut out.name),
                    "email" => (1, &mut out.email),
                    "url" => (2, &mut out.url),
                    _ => return None,
                };
                seen.first(bit)?;
                set_string(slot, r.field_scalar(rest, m)?);
                Some(())
            })?;
            Some(out)
        })?;
        md.null_maintainer |= nulls;
        Some(())
    }

    fn dependencies(&mut self, rest: &'a str, n: usize, md: &mut Metadata) -> Option<()> {
        // A list, even `[]`, is a non-nil slice; null is a nil one.
        md.dependencies_non_nil = rest == "[]" || self.list_start(rest, n)?.is_some();
        let mut nulls = false;
        md.dependencies = self.map_items(rest, n, &mut nulls, &mut |r, m| {
            let mut d = Dependency::default();
            let mut seen = Seen::default();
            r.map_walk(m, &mut |r, key, rest| {
                let (bit, slot) = match key {
                    "name" => (0, &mut d.name),
                    "version" => (1, &mut d.version),
                    "repository" => (2, &mut d.repository),
                    "condition" => (3, &mut d.condition),
                    "alias" => (4, &mut d.alias),
                    "tags" => {
                        seen.first(5)?;
                        return r.strings(rest, m, &mut d.tags);
                    }
                    "enabled" => {
                        seen.first(6)?;
                        return r.boolean(rest, m, &mut d.enabled);
                    }
                    _ => return None,
                };
                seen.first(bit)?;
                set_string(slot, r.field_scalar(rest, m)?);
                Some(())
            })?;
            Some(d)
        })?;
        md.null_dependency |= nulls;
        Some(())
    }

    /// `map[string]string` annotations.
    fn annotations(&mut self, rest: &'a str, n: usize, md: &mut Metadata) -> Option<()> {
        match rest {
            "{}" => {
                md.annotations_non_nil = true;
                return Some(());
            }
            "" => {}
            _ => return None,
        }
        let start = self.peek().map(|j| &self.lines[j]);
        let k = match start {
            Some(line) if line.indent > n && !is_seq_item(line.text) => line.indent,
            Some(line) if line.indent == n && is_seq_item(line.text) => return None,
            Some(line) if line.indent > n => return None,
            _ => {
                md.annotations.clear();
                md.annotations_non_nil = false;
                return Some(());
            }
        };
        md.annotations_non_nil = true;
        let annotations = &mut md.annotations;
        self.map_walk(k, &mut |r, key, rest| {
            let GoYaml::Str(key) = resolve_plain(key) else {
                return None;
            };
            let mut value = String::new();
            set_string(&mut value, r.field_scalar(rest, k)?);
            annotations.insert(key, value).is_none().then_some(())
        })
    }
}
