//! Charts as OCI artifacts, laid out exactly as helm lays them out: the
//! config blob is Chart.yaml as JSON (Go struct field order), the archive
//! is one layer, an optional provenance file another, the manifest carries
//! helm's `org.opencontainers.image.*` annotations, and the tag is the
//! chart version with `+` written as `_`.

use std::collections::BTreeMap;

use super::client::{sha256_digest, verify_content, Client, MEDIA_TYPE_INDEX, MEDIA_TYPE_MANIFEST};
use super::error::OciError;
use super::reference::Reference;
use crate::chart::{Dependency, Metadata};
use crate::value::Value;
use crate::version::{Constraint, Version};

pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
pub const CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
pub const PROV_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";
pub const LEGACY_CHART_LAYER_MEDIA_TYPE: &str = "application/tar+gzip";

/// helm's note printed after a reference whose tag holds `_`.
pub const UNDERSCORE_MESSAGE: &str = "
OCI artifact references (e.g. tags) do not support the plus sign (+). To support
storing semantic versions, Helm adopts the convention of changing plus (+) to
an underscore (_) in chart version tags when pushing to a registry and back to
a plus (+) when pulling from a registry.";

/// Go's `json.Marshal` of a string (HTML characters escaped).
fn js(s: &str) -> String {
    crate::render::encode::to_json(&Value::str(s)).unwrap_or_else(|_| "\"\"".into())
}

fn push_field(out: &mut Vec<String>, key: &str, json: String) {
    out.push(format!("{}:{json}", js(key)));
}

fn push_str(out: &mut Vec<String>, key: &str, v: &str) {
    if !v.is_empty() {
        push_field(out, key, js(v));
    }
}

fn str_list(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter().map(|s| js(s)).collect::<Vec<_>>().join(",")
    )
}

fn dependency_json(d: &Dependency) -> String {
    let mut f = Vec::new();
    push_field(&mut f, "name", js(&d.name));
    push_str(&mut f, "version", &d.version);
    push_field(&mut f, "repository", js(&d.repository));
    push_str(&mut f, "condition", &d.condition);
    if !d.tags.is_empty() {
        push_field(&mut f, "tags", str_list(&d.tags));
    }
    if d.enabled {
        push_field(&mut f, "enabled", "true".into());
    }
    if !d.import_values.is_empty() {
        let items: Vec<String> = d
            .import_values
            .iter()
            .map(|v| crate::render::encode::to_json(v).unwrap_or_else(|_| "null".into()))
            .collect();
        push_field(&mut f, "import-values", format!("[{}]", items.join(",")));
    }
    push_str(&mut f, "alias", &d.alias);
    format!("{{{}}}", f.join(","))
}

/// `json.Marshal(chart.Metadata)`: Go's field order, `omitempty` everywhere.
pub fn metadata_json(m: &Metadata) -> String {
    let mut f = Vec::new();
    push_str(&mut f, "name", &m.name);
    push_str(&mut f, "home", &m.home);
    if !m.sources.is_empty() {
        push_field(&mut f, "sources", str_list(&m.sources));
    }
    push_str(&mut f, "version", &m.version);
    push_str(&mut f, "description", &m.description);
    if !m.keywords.is_empty() {
        push_field(&mut f, "keywords", str_list(&m.keywords));
    }
    if !m.maintainers.is_empty() {
        let items: Vec<String> = m
            .maintainers
            .iter()
            .map(|mt| {
                let mut e = Vec::new();
                push_str(&mut e, "name", &mt.name);
                push_str(&mut e, "email", &mt.email);
                push_str(&mut e, "url", &mt.url);
                format!("{{{}}}", e.join(","))
            })
            .collect();
        push_field(&mut f, "maintainers", format!("[{}]", items.join(",")));
    }
    push_str(&mut f, "icon", &m.icon);
    push_str(&mut f, "apiVersion", &m.api_version);
    push_str(&mut f, "condition", &m.condition);
    push_str(&mut f, "tags", &m.tags);
    push_str(&mut f, "appVersion", &m.app_version);
    if m.deprecated {
        push_field(&mut f, "deprecated", "true".into());
    }
    if !m.annotations.is_empty() {
        let items: Vec<String> = m
            .annotations
            .iter()
            .map(|(k, v)| format!("{}:{}", js(k), js(v)))
            .collect();
        push_field(&mut f, "annotations", format!("{{{}}}", items.join(",")));
    }
    push_str(&mut f, "kubeVersion", &m.kube_version);
    if !m.dependencies.is_empty() {
        let items: Vec<String> = m.dependencies.iter().map(dependency_json).collect();
        push_field(&mut f, "dependencies", format!("[{}]", items.join(",")));
    }
    push_str(&mut f, "type", &m.chart_type);
    format!("{{{}}}", f.join(","))
}

/// helm's `generateOCIAnnotations`: the standard keys from Chart.yaml, then
/// the chart's own annotations (which may not replace title or version).
pub fn manifest_annotations(m: &Metadata, created: &str) -> BTreeMap<String, String> {
    let mut a = BTreeMap::new();
    let mut add = |k: &str, v: &str| {
        if !v.trim().is_empty() {
            a.insert(k.to_string(), v.to_string());
        }
    };
    add("org.opencontainers.image.description", &m.description);
    add("org.opencontainers.image.title", &m.name);
    add("org.opencontainers.image.version", &m.version);
    add("org.opencontainers.image.url", &m.home);
    add("org.opencontainers.image.created", created);
    if let Some(s) = m.sources.first() {
        add("org.opencontainers.image.source", s);
    }
    if !m.maintainers.is_empty() {
        let authors: Vec<String> = m
            .maintainers
            .iter()
            .map(|mt| {
                let mut s = mt.name.clone();
                if !mt.email.is_empty() {
                    s.push_str(&format!(" ({})", mt.email));
                }
                s
            })
            .collect();
        add("org.opencontainers.image.authors", &authors.join(", "));
    }
    for (k, v) in &m.annotations {
        if k == "org.opencontainers.image.version" || k == "org.opencontainers.image.title" {
            continue;
        }
        a.insert(k.clone(), v.clone());
    }
    a
}

/// One content descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: i64,
}

impl Descriptor {
    fn of(media_type: &str, data: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.into(),
            digest: sha256_digest(data),
            size: data.len() as i64,
        }
    }

    fn to_json(&self) -> String {
        format!(
            "{{\"mediaType\":{},\"digest\":{},\"size\":{}}}",
            js(&self.media_type),
            js(&self.digest),
            self.size
        )
    }
}

/// The manifest bytes helm would write for these parts.
pub fn manifest_json(
    config: &Descriptor,
    layers: &[Descriptor],
    annotations: &BTreeMap<String, String>,
) -> String {
    let layers: Vec<String> = layers.iter().map(Descriptor::to_json).collect();
    let mut s = format!(
        "{{\"schemaVersion\":2,\"config\":{},\"layers\":[{}]",
        config.to_json(),
        layers.join(",")
    );
    if !annotations.is_empty() {
        let items: Vec<String> = annotations
            .iter()
            .map(|(k, v)| format!("{}:{}", js(k), js(v)))
            .collect();
        s.push_str(&format!(",\"annotations\":{{{}}}", items.join(",")));
    }
    s.push('}');
    s
}

/// What a push produced.
#[derive(Clone, Debug)]
pub struct PushResult {
    /// `host/repo:tag`.
    pub reference: String,
    pub manifest_digest: String,
    pub manifest_size: i64,
}

impl PushResult {
    /// helm's `Pushed:`/`Digest:` lines (and the underscore note).
    pub fn report(&self) -> String {
        let mut s = format!(
            "Pushed: {}\nDigest: {}\n",
            self.reference, self.manifest_digest
        );
        if self
            .reference
            .rsplit(['/', ':'])
            .next()
            .is_some_and(|t| t.contains('_'))
        {
            s.push_str(&format!(
                "{} contains an underscore.\n{UNDERSCORE_MESSAGE}\n",
                self.reference
            ));
        }
        s
    }
}

/// Uploads a chart archive (and its provenance) as `reference`
/// (`host/repo/<name>:<version>`): blobs the registry lacks, then the
/// manifest under the tag.
pub fn push_chart(
    client: &Client,
    reference: &Reference,
    meta: &Metadata,
    chart: &[u8],
    prov: Option<&[u8]>,
    created: &str,
) -> Result<PushResult, OciError> {
    let config = metadata_json(meta);
    let config_desc = Descriptor::of(CONFIG_MEDIA_TYPE, config.as_bytes());
    let mut blobs: Vec<(Descriptor, &[u8])> =
        vec![(Descriptor::of(CHART_LAYER_MEDIA_TYPE, chart), chart)];
    if let Some(p) = prov {
        blobs.push((Descriptor::of(PROV_LAYER_MEDIA_TYPE, p), p));
    }
    blobs.sort_by(|a, b| a.0.digest.cmp(&b.0.digest));
    let layers: Vec<Descriptor> = blobs.iter().map(|(d, _)| d.clone()).collect();
    let manifest = manifest_json(&config_desc, &layers, &manifest_annotations(meta, created));
    let manifest_digest = sha256_digest(manifest.as_bytes());

    let exists = client
        .manifest_exists(reference, &manifest_digest)
        .map_err(|e| e.during("Exists", "destination"))?;
    if !exists {
        blobs.push((config_desc, config.as_bytes()));
        for (d, data) in &blobs {
            let present = client
                .blob_exists(reference, &d.digest)
                .map_err(|e| e.during("Exists", "destination"))?;
            if !present {
                client
                    .push_blob(reference, data)
                    .map_err(|e| e.during("Push", "destination"))?;
            }
        }
    }
    client
        .push_manifest(reference, MEDIA_TYPE_MANIFEST, manifest.as_bytes())
        .map_err(|e| e.during("Push", "destination"))?;
    Ok(PushResult {
        reference: reference.to_string(),
        manifest_digest,
        manifest_size: manifest.len() as i64,
    })
}

/// What a chart pull produced.
#[derive(Clone, Debug)]
pub struct PullResult {
    /// `host/repo:tag` or `host/repo@digest`.
    pub reference: String,
    pub manifest_digest: String,
    pub chart: Vec<u8>,
    pub prov: Option<Vec<u8>>,
    /// The chart layer used the deprecated `application/tar+gzip` type.
    pub legacy_layer: bool,
}

impl PullResult {
    /// helm's `Pulled:`/`Digest:` lines (after any deprecation warning).
    pub fn report(&self) -> String {
        let mut s = String::new();
        if self.legacy_layer {
            s.push_str(&format!(
                "Warning: chart media type {LEGACY_CHART_LAYER_MEDIA_TYPE} is deprecated\n"
            ));
        }
        s.push_str(&format!(
            "Pulled: {}\nDigest: {}\n",
            self.reference, self.manifest_digest
        ));
        if self.reference.contains('_') {
            s.push_str(&format!(
                "{} contains an underscore.\n{UNDERSCORE_MESSAGE}\n",
                self.reference
            ));
        }
        s
    }
}

fn descriptor_from(v: &serde_json::Value) -> Option<Descriptor> {
    Some(Descriptor {
        media_type: v.get("mediaType")?.as_str()?.to_string(),
        digest: v.get("digest")?.as_str()?.to_string(),
        size: v.get("size").and_then(|s| s.as_i64()).unwrap_or(-1),
    })
}

/// Downloads a chart (and with `with_prov` its provenance, which must then
/// exist). Every blob is checked against its descriptor's size and digest
/// before it is returned.
pub fn pull_chart(
    client: &Client,
    reference: &Reference,
    with_prov: bool,
) -> Result<PullResult, OciError> {
    pull_parts(client, reference, true, with_prov)
}

/// Downloads only the provenance layer (helm's `ref.prov` getter); the
/// archive is left alone.
pub fn pull_provenance(client: &Client, reference: &Reference) -> Result<PullResult, OciError> {
    pull_parts(client, reference, false, true)
}

/// helm's `Pull`: ORAS copies the manifest and every descriptor of an
/// allowed media type (verifying each), then helm checks what it got.
fn pull_parts(
    client: &Client,
    reference: &Reference,
    with_chart: bool,
    with_prov: bool,
) -> Result<PullResult, OciError> {
    let (body, header_type, manifest_digest) = client
        .fetch_manifest(reference)
        .map_err(|e| e.during("FetchReference", "source"))?;
    let doc: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| OciError(format!("failed to decode manifest: {e}")))?;
    let media_type = doc
        .get("mediaType")
        .and_then(|m| m.as_str())
        .map(str::to_string)
        .unwrap_or(header_type);
    let mut allowed = vec![CONFIG_MEDIA_TYPE];
    if with_chart {
        allowed.extend([CHART_LAYER_MEDIA_TYPE, LEGACY_CHART_LAYER_MEDIA_TYPE]);
    }
    if with_prov {
        allowed.push(PROV_LAYER_MEDIA_TYPE);
    }
    // ORAS copies into a verifying memory store: transfer errors belong to
    // the source, content that does not match its descriptor to the store.
    let fetch = |d: &Descriptor| -> Result<Vec<u8>, OciError> {
        let data = client
            .fetch_blob(reference, &d.digest)
            .map_err(|e| e.during("Fetch", "source"))?;
        verify_content(&data, &d.digest, d.size).map_err(|e| e.during("Push", "destination"))?;
        Ok(data)
    };
    let is_manifest = |t: &str| t == MEDIA_TYPE_MANIFEST || t == MEDIA_TYPE_INDEX;
    let mut count = usize::from(is_manifest(&media_type));
    let mut config = None;
    let mut chart = None;
    let mut prov = None;
    let mut legacy = false;
    // An index is walked like ORAS copies it: each child manifest of an
    // allowed type counts as a descriptor, and its blobs are collected.
    let mut manifests = vec![doc];
    while let Some(doc) = manifests.pop() {
        let children = doc
            .get("manifests")
            .and_then(|l| l.as_array())
            .into_iter()
            .flatten();
        for d in children.filter_map(descriptor_from) {
            if !is_manifest(&d.media_type) {
                continue;
            }
            count += 1;
            let child = Reference {
                tag: String::new(),
                digest: d.digest.clone(),
                ..reference.clone()
            };
            let (body, _, _) = client
                .fetch_manifest(&child)
                .map_err(|e| e.during("Fetch", "source"))?;
            verify_content(&body, &d.digest, d.size)
                .map_err(|e| e.during("Push", "destination"))?;
            manifests.push(
                serde_json::from_slice(&body)
                    .map_err(|e| OciError(format!("failed to decode manifest: {e}")))?,
            );
        }
        let parts = doc.get("config").into_iter().chain(
            doc.get("layers")
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten(),
        );
        for d in parts.filter_map(descriptor_from) {
            if !allowed.contains(&d.media_type.as_str()) {
                continue;
            }
            count += 1;
            let data = fetch(&d)?;
            match d.media_type.as_str() {
                CONFIG_MEDIA_TYPE => config = Some(data),
                CHART_LAYER_MEDIA_TYPE => {
                    chart = Some(data);
                    legacy = false;
                }
                LEGACY_CHART_LAYER_MEDIA_TYPE => {
                    chart = Some(data);
                    legacy = true;
                }
                _ => prov = Some(data),
            }
        }
    }
    let minimum = 1 + usize::from(with_chart) + usize::from(with_prov);
    if count < minimum {
        return Err(OciError(format!(
            "manifest does not contain minimum number of descriptors ({minimum}), descriptors found: {count}"
        )));
    }
    let Some(config) = config else {
        return Err(OciError(format!(
            "could not load config with mediatype {CONFIG_MEDIA_TYPE}"
        )));
    };
    if with_chart && chart.is_none() {
        return Err(OciError(format!(
            "manifest does not contain a layer with mediatype {CHART_LAYER_MEDIA_TYPE}"
        )));
    }
    if with_prov && prov.is_none() {
        return Err(OciError(format!(
            "manifest does not contain a layer with mediatype {PROV_LAYER_MEDIA_TYPE}"
        )));
    }
    serde_json::from_slice::<serde_json::Value>(&config)
        .map_err(|e| OciError(format!("failed to decode chart config: {e}")))?;
    Ok(PullResult {
        reference: reference.to_string(),
        manifest_digest,
        chart: chart.unwrap_or_default(),
        prov,
        legacy_layer: legacy,
    })
}

/// helm's `Client.Tags`: tags that are strict semver (with `_` read as
/// `+`), highest first, in canonical form.
pub fn chart_versions(client: &Client, reference: &Reference) -> Result<Vec<String>, OciError> {
    let mut versions: Vec<Version> = client
        .tags(reference)?
        .iter()
        .filter_map(|t| Version::parse_strict(&t.replace('_', "+")).ok())
        .collect();
    versions.sort_by(|a, b| b.cmp(a));
    Ok(versions.iter().map(Version::to_string).collect())
}

/// helm's `GetTagMatchingVersionOrConstraint` over tags sorted highest first.
pub fn match_version(tags: &[String], wanted: &str) -> Result<String, OciError> {
    let constraint = if wanted.is_empty() {
        Constraint::parse("*").map_err(|e| OciError(e.to_string()))?
    } else {
        if let Some(t) = tags.iter().find(|t| *t == wanted) {
            return Ok(t.clone());
        }
        Constraint::parse(wanted).map_err(|e| OciError(e.to_string()))?
    };
    for t in tags {
        if let Ok(v) = Version::parse(t) {
            if constraint.matches(&v) {
                return Ok(t.clone());
            }
        }
    }
    Err(OciError(format!(
        "could not locate a version matching provided version string {wanted}"
    )))
}

/// A chart reference resolved to what will be pulled.
#[derive(Clone, Debug)]
pub struct ResolvedRef {
    /// The reference to pull (`host/repo:tag` or `host/repo@digest`).
    pub reference: Reference,
    /// The pinned manifest digest when both a digest and a version were given.
    pub digest: String,
    /// The file name helm saves the archive as.
    pub file_name: String,
}

/// helm's `ValidateReference` plus the getter's tag rule: the version comes
/// from `--version` or the reference's tag; an exact version is used as the
/// tag, anything else (a range, or nothing) picks the highest matching tag.
pub fn resolve_chart_ref(
    client: &Client,
    reference: &str,
    version: &str,
) -> Result<ResolvedRef, OciError> {
    let mut r = Reference::parse(reference)?;
    let mut version = version.to_string();
    if version.is_empty() {
        version = r.tag.clone();
    } else if !r.tag.is_empty() && r.tag != version {
        return Err(OciError(format!(
            "chart reference and version mismatch: {version} is not {}",
            r.tag
        )));
    }
    let mut digest = String::new();
    if !r.digest.is_empty() {
        if !version.is_empty() {
            let tagged = Reference {
                tag: super::reference::version_to_tag(&version),
                digest: String::new(),
                ..r.clone()
            };
            if let Ok((_, _, d)) = client.fetch_manifest(&tagged) {
                if d != r.digest {
                    return Err(OciError(format!(
                        "chart reference digest mismatch: {d} is not {}",
                        r.digest
                    )));
                }
                digest = r.digest.clone();
            }
        }
        r.tag.clear();
        let file_name = format!(
            "{}.tgz",
            r.basename().to_string() + "@" + &r.digest.replacen(':', "-", 1)
        );
        return Ok(ResolvedRef {
            reference: r,
            digest,
            file_name,
        });
    }
    let tag = if Version::parse(&version).is_ok() {
        version
    } else {
        let tags = chart_versions(client, &r)?;
        if tags.is_empty() {
            return Err(OciError(format!(
                "unable to locate any tags in provided repository: {reference}"
            )));
        }
        match_version(&tags, &version)?
    };
    let file_name = format!("{}-{tag}.tgz", r.basename());
    r.tag = super::reference::version_to_tag(&tag);
    Ok(ResolvedRef {
        reference: r,
        digest,
        file_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Maintainer;

    fn meta() -> Metadata {
        Metadata {
            name: "other".into(),
            version: "0.1.0".into(),
            description: "A Helm chart for Kubernetes".into(),
            api_version: "v2".into(),
            app_version: "1.16.0".into(),
            chart_type: "application".into(),
            ..Default::default()
        }
    }

    #[test]
    fn config_is_chart_yaml_in_go_field_order() {
        assert_eq!(
            metadata_json(&meta()),
            r#"{"name":"other","version":"0.1.0","description":"A Helm chart for Kubernetes","apiVersion":"v2","appVersion":"1.16.0","type":"application"}"#
        );
    }

    #[test]
    fn manifest_matches_helms_bytes() {
        // Pushed by helm 4.3.1 from `helm create other` packaged at 2026-11-28T04:46:02Z.
        let config = Descriptor::of(CONFIG_MEDIA_TYPE, metadata_json(&meta()).as_bytes());
        assert_eq!(
            config.digest,
            "sha256:a7dab97f9e6909e90d85a1c7129dc12b3e1eec5aae11568b1863d8fa3c99ac8a"
        );
        let layer = Descriptor {
            media_type: CHART_LAYER_MEDIA_TYPE.into(),
            digest: "sha256:397094fb6b8b1b4c9a95d3e3aa06b76fb1331a0574ddee3fe5b47c1eb4df9a16"
                .into(),
            size: 5015,
        };
        let m = manifest_json(
            &config,
            &[layer],
            &manifest_annotations(&meta(), "2026-11-28T04:46:02Z"),
        );
        assert_eq!(
            sha256_digest(m.as_bytes()),
            "sha256:8d328173ebbb18fe99a0e18714783f3cbf7e038d282c7c8bf4520107db4a1e6a"
        );
    }

    #[test]
    fn annotations_authors_and_overrides() {
        let mut m = meta();
        m.maintainers = vec![
            Maintainer {
                name: "A".into(),
                email: "a@x".into(),
                url: String::new(),
            },
            Maintainer {
                name: "B".into(),
                ..Default::default()
            },
        ];
        m.annotations
            .insert("org.opencontainers.image.title".into(), "no".into());
        m.annotations.insert("custom".into(), "yes".into());
        let a = manifest_annotations(&m, "t");
        assert_eq!(a["org.opencontainers.image.authors"], "A (a@x), B");
        assert_eq!(a["org.opencontainers.image.title"], "other");
        assert_eq!(a["custom"], "yes");
    }

    #[test]
    fn version_matching_is_helms() {
        let tags: Vec<String> = ["2.0.0-rc.1", "1.5.0", "1.0.0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(match_version(&tags, "").unwrap(), "1.5.0");
        assert_eq!(match_version(&tags, "^1.0").unwrap(), "1.5.0");
        assert_eq!(match_version(&tags, "~1.0.0").unwrap(), "1.0.0");
        assert_eq!(
            match_version(&tags, ">5").unwrap_err().to_string(),
            "could not locate a version matching provided version string >5"
        );
    }
}
