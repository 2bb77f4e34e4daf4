//! `oci://host/repository[:tag][@digest]` references, split and validated
//! as helm's `newReference` and ORAS's `ParseReference` do. A `+` in a tag
//! (semver build metadata) becomes `_`, because OCI tags cannot hold `+`.

use std::sync::LazyLock;

use super::error::OciError;

/// The `oci://` scheme prefix.
pub const OCI_SCHEME: &str = "oci://";

static REPOSITORY: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*$",
    )
    .expect("static regex")
});
static TAG: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$").expect("static regex")
});
static DIGEST_ANY: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$").expect("static regex")
});

/// go-digest's `Digest.Validate`, with its error texts.
fn validate_digest(d: &str) -> Result<(), &'static str> {
    let format = "invalid checksum digest format";
    let Some((algorithm, encoded)) = d
        .split_once(':')
        .filter(|(a, e)| !a.is_empty() && !e.is_empty())
    else {
        return Err(format);
    };
    let size = match algorithm {
        "sha256" => 32,
        "sha384" => 48,
        "sha512" => 64,
        _ if !DIGEST_ANY.is_match(d) => return Err(format),
        _ => return Err("unsupported digest algorithm"),
    };
    if encoded.len() != size * 2 {
        return Err("invalid checksum digest length");
    }
    if !encoded
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format);
    }
    Ok(())
}

/// Whether a chart reference names an OCI registry.
pub fn is_oci(reference: &str) -> bool {
    reference.starts_with(OCI_SCHEME)
}

/// A parsed registry reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`.
    pub registry: String,
    pub repository: String,
    /// The tag with `+` already turned into `_`; empty when absent.
    pub tag: String,
    /// `sha256:<hex>`; empty when absent.
    pub digest: String,
}

fn invalid(what: &str, value: &str) -> OciError {
    OciError(format!("invalid reference: invalid {what} \"{value}\""))
}

impl Reference {
    /// Parses `host/repo[:tag][@digest]`, with or without `oci://`.
    pub fn parse(raw: &str) -> Result<Reference, OciError> {
        let raw = raw.strip_prefix(OCI_SCHEME).unwrap_or(raw);
        let (rest, digest) = match raw.rfind('@') {
            Some(i) => (&raw[..i], raw[i + 1..].to_string()),
            None => (raw, String::new()),
        };
        let Some((registry, path)) = rest.split_once('/') else {
            return Err(OciError::new(
                "invalid reference: missing registry or repository",
            ));
        };
        let (repository, tag) = match path.rfind(':') {
            Some(i) => (&path[..i], path[i + 1..].replace('+', "_")),
            None => (path, String::new()),
        };
        if registry.is_empty() || repository.is_empty() {
            return Err(OciError::new(
                "invalid reference: missing registry or repository",
            ));
        }
        if !valid_registry(registry) {
            return Err(invalid("registry", registry));
        }
        if !REPOSITORY.is_match(repository) {
            return Err(invalid("repository", repository));
        }
        if !tag.is_empty() && !TAG.is_match(&tag) {
            return Err(invalid("tag", &tag));
        }
        if !digest.is_empty() {
            validate_digest(&digest).map_err(|why| {
                OciError(format!(
                    "invalid reference: invalid digest \"{digest}\": {why}"
                ))
            })?;
        }
        Ok(Reference {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag,
            digest,
        })
    }

    /// The tag or digest the manifest is fetched by (digest wins).
    pub fn reference(&self) -> &str {
        if self.digest.is_empty() {
            &self.tag
        } else {
            &self.digest
        }
    }

    /// The host requests go to (`docker.io` is served by `registry-1.docker.io`).
    pub fn host(&self) -> &str {
        if self.registry == "docker.io" {
            "registry-1.docker.io"
        } else {
            &self.registry
        }
    }

    /// `host/repo`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The last path element of the repository (the chart name).
    pub fn basename(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }
}

impl std::fmt::Display for Reference {
    /// helm's `reference.String()`: `host/repo:tag`, or `host/repo@digest`
    /// when there is no tag.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if !self.tag.is_empty() {
            write!(f, ":{}", self.tag)
        } else if !self.digest.is_empty() {
            write!(f, "@{}", self.digest)
        } else {
            Ok(())
        }
    }
}

/// ORAS's registry check (`host[:port]`, nothing else), used by login.
pub fn validate_registry(registry: &str) -> Result<(), OciError> {
    if valid_registry(registry) {
        Ok(())
    } else {
        Err(invalid("registry", registry))
    }
}

fn valid_registry(r: &str) -> bool {
    let (host, port) = match r.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h, Some(p)),
        _ => (r, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    !host.is_empty()
        && host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':')
        })
}

/// An OCI tag for a chart version: `+` is not allowed in tags.
pub fn version_to_tag(version: &str) -> String {
    version.replace('+', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags_digests_and_plus() {
        let r = Reference::parse("oci://127.0.0.1:5000/charts/sub/x:1.0.0+b.1").unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "charts/sub/x");
        assert_eq!(r.tag, "1.0.0_b.1");
        assert_eq!(r.to_string(), "127.0.0.1:5000/charts/sub/x:1.0.0_b.1");
        let d = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("h.io/x@{d}")).unwrap();
        assert_eq!(r.reference(), d);
        assert_eq!(r.to_string(), format!("h.io/x@{d}"));
        assert_eq!(r.basename(), "x");
    }

    #[test]
    fn rejects_bad_parts_with_oras_wording() {
        assert_eq!(
            Reference::parse("h:1/X/other:1").unwrap_err().to_string(),
            "invalid reference: invalid repository \"X/other\""
        );
        assert_eq!(
            Reference::parse("oci://host").unwrap_err().to_string(),
            "invalid reference: missing registry or repository"
        );
        assert_eq!(
            Reference::parse("h/x@sha256:zz").unwrap_err().to_string(),
            "invalid reference: invalid digest \"sha256:zz\": invalid checksum digest length"
        );
        let upper = format!("h/x@sha256:{}", "A".repeat(64));
        assert!(Reference::parse(&upper)
            .unwrap_err()
            .to_string()
            .ends_with("invalid checksum digest format"));
        assert!(Reference::parse("h/x@md5:00")
            .unwrap_err()
            .to_string()
            .ends_with("unsupported digest algorithm"));
    }
}
