//! `dependencies:` with `repository: oci://...`, as helm's resolver and
//! download manager treat them: an exact version is locked as written
//! without asking the registry; a range is matched against the
//! repository's tags (highest first), and when nothing matches the range
//! itself is locked, so the download reports the miss.

use std::path::Path;
use std::sync::LazyLock;

use super::chart::{pull_chart, resolve_chart_ref};
use super::client::Client;
use super::error::OciError;
use super::reference::OCI_SCHEME;
use crate::version::{Constraint, Version};

/// The version to lock for `name` from the OCI `repository`.
pub fn locked_version(
    client: &Client,
    repository: &str,
    name: &str,
    version: &str,
    constraint: &Constraint,
) -> Result<String, OciError> {
    let candidates = if Version::parse(version).is_ok() {
        vec![version.to_string()]
    } else {
        let reference = format!("{}/{name}", repository.trim_start_matches(OCI_SCHEME));
        let r = super::Reference::parse(&reference)?;
        super::chart::chart_versions(client, &r).map_err(|e| {
            OciError(format!(
                "could not retrieve list of tags for repository {repository}: {e}"
            ))
        })?
    };
    for c in candidates {
        if let Ok(v) = Version::parse(&c) {
            if constraint.matches(&v) {
                return Ok(v.original().to_string());
            }
        }
    }
    Ok(version.to_string())
}

static OCI_REF_TAG: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^(oci://[^:]+(:\d{1,5})?[^:]+):(.*)$").expect("static regex")
});

/// helm's `parseOCIRef`: `oci://host[:port]/path/name:tag` → (reference, tag).
pub fn split_ref_tag(chart_ref: &str) -> Result<(String, String), OciError> {
    let caps = OCI_REF_TAG.captures(chart_ref).ok_or_else(|| {
        OciError(format!(
            "improperly formatted oci chart reference: {chart_ref}"
        ))
    })?;
    Ok((caps[1].to_string(), caps[3].to_string()))
}

/// Downloads `reference` at `tag` into `dir` as `<name>-<version>.tgz`
/// (verified before it is written); returns the `Pulled:` report.
pub fn download_to(
    client: &Client,
    reference: &str,
    tag: &str,
    dir: &Path,
) -> Result<String, OciError> {
    let resolved = resolve_chart_ref(client, reference, tag)?;
    let pulled = pull_chart(client, &resolved.reference, false)?;
    let path = dir.join(&resolved.file_name);
    crate::repo::atomic_file::write_atomic(&path, &pulled.chart, 0o644)
        .map_err(|e| OciError(crate::chart::loader::go_io_error("open", &path, &e)))?;
    Ok(pulled.report())
}

/// `--verify` for a dependency just saved by [`download_to`]: its
/// provenance layer is pulled (its `Pulled:` report goes to `out`, as
/// helm's getter prints it), written beside the archive and verified.
/// Returns helm's warning when the layer is missing and not required.
pub fn check_provenance(
    client: &Client,
    reference: &str,
    tag: &str,
    dir: &Path,
    check: &crate::repo::provenance::DownloadCheck,
    out: &mut dyn FnMut(&str),
) -> Result<Option<String>, String> {
    let resolved = resolve_chart_ref(client, reference, tag).map_err(|e| e.to_string())?;
    let saved = dir.join(&resolved.file_name);
    let chart_url = format!("oci://{}", resolved.reference);
    let fetch = |_: &str| -> Result<Vec<u8>, String> {
        let layer = crate::repo::oci::pull_provenance(client, &resolved.reference)
            .map_err(|e| e.to_string())?;
        out(layer.report().trim_end_matches('\n'));
        layer.prov.ok_or_else(|| "no provenance layer".to_string())
    };
    crate::repo::provenance::check_download(&saved, reference, &chart_url, check, fetch)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oci_refs_split_like_helm() {
        assert_eq!(
            split_ref_tag("oci://127.0.0.1:5000/a/b/name:1.0.0+x").unwrap(),
            (
                "oci://127.0.0.1:5000/a/b/name".to_string(),
                "1.0.0+x".to_string()
            )
        );
        assert_eq!(
            split_ref_tag("oci://host/name:^1.0").unwrap(),
            ("oci://host/name".to_string(), "^1.0".to_string())
        );
        assert!(split_ref_tag("oci://host/name").is_err());
    }
}
