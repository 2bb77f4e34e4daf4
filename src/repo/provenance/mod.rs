//! Chart provenance (`CHART-VER.tgz.prov`), interchangeable with helm's: a
//! PGP cleartext-signed document holding the chart's metadata as YAML, a
//! `...` line, then `files:` with the archive's `sha256:` digest.
//!
//! [`Signer`] makes one (`package --sign`), [`verify`] / [`verify_chart`]
//! check one (`verify`, `pull --verify`, `install --verify`). Keyrings are
//! read by [`keyring`], the document framing is [`clearsign`]; every error
//! reads as helm's for the same failure.

pub mod clearsign;
pub mod keyring;

use std::path::Path;

use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::public_key::PublicKeyAlgorithm;
use pgp::packet::{
    Notation, Packet, PacketParser, PacketTrait, SignatureConfig, SignatureType, Subpacket,
    SubpacketData,
};
use pgp::types::{KeyDetails, Password, Timestamp};
use rand_core::RngCore;

use crate::chart::metadata::go_quote;
use crate::value::Value;
pub use keyring::{default_keyring_path, Entity, Keyring};

/// A provenance failure; the text is helm's.
#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    /// A file-system error, already worded as Go's `*PathError`.
    #[error("{0}")]
    Io(String),
    /// An OpenPGP-level failure, worded as helm's OpenPGP library.
    #[error("{0}")]
    OpenPgp(String),
    #[error("more than one key contain the id {}", go_quote(.0))]
    AmbiguousKey(String),
    #[error("private key not found")]
    NoPrivateKey,
    #[error("provided key is not a private key. Try providing a keyring with secret keys")]
    NotPrivateKey,
    #[error("unpacked charts cannot be verified")]
    Unpacked,
    #[error("chart must be a tgz file")]
    NotTgz,
    #[error("could not load provenance file {path}: {why}")]
    NoProvenanceFile { path: String, why: String },
    #[error("failed to load keyring: {0}")]
    Keyring(Box<ProvenanceError>),
    #[error("signature block not found")]
    NoSignatureBlock,
    #[error("message block must have at least two parts")]
    MessageParts,
    #[error("provenance does not contain a SHA for a file named {}", go_quote(.0))]
    NoSum(String),
    #[error("sha256 sum does not match for {name}: {} != {}", go_quote(.expected), go_quote(.actual))]
    SumMismatch {
        name: String,
        expected: String,
        actual: String,
    },
    #[error("failed to load chart for signing: {0}")]
    LoadChart(String),
    #[error("failed to fetch provenance {}", go_quote(.0))]
    FetchFailed(String),
}

/// A successful verification: who signed, and the archive hash checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The signer's user IDs.
    pub signed_by: Vec<String>,
    /// The signer's primary key fingerprint, upper-case hex.
    pub fingerprint: String,
    /// `sha256:<hex>` of the archive.
    pub file_hash: String,
    pub file_name: String,
}

impl Verification {
    /// The lines `helm verify` (and `pull --verify`) prints.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for name in &self.signed_by {
            out.push_str(&format!("Signed by: {name}\n"));
        }
        out.push_str(&format!(
            "Using Key With Fingerprint: {}\n",
            self.fingerprint
        ));
        out.push_str(&format!("Chart Hash Verified: {}\n", self.file_hash));
        out
    }
}

/// `sha256:<hex>` of `data`.
fn sha256_sum(data: &[u8]) -> String {
    format!(
        "sha256:{}",
        crate::repo::index_dir::digest_bytes(data).to_ascii_lowercase()
    )
}

/// The signed text: the metadata YAML, `...`, then the `files:` sums.
pub fn message_block(metadata_yaml: &str, file_name: &str, archive: &[u8]) -> String {
    let mut files = crate::value::MapData::new();
    files.insert(file_name.to_string(), Value::string(sha256_sum(archive)));
    let mut doc = crate::value::MapData::new();
    doc.insert("files".into(), Value::map(files));
    let sums = crate::render::encode::to_yaml(&Value::map(doc))
        .unwrap_or_else(|_| format!("files:\n  {file_name}: {}\n", sha256_sum(archive)));
    format!("{metadata_yaml}\n...\n{sums}")
}

/// The `files:` sums of a message block (the metadata part is ignored, as
/// by helm).
fn parse_sums(plaintext: &[u8]) -> Result<Vec<(String, String)>, ProvenanceError> {
    let text = String::from_utf8_lossy(plaintext);
    let mut parts = text.split("\n...\n");
    let (Some(_), Some(sums)) = (parts.next(), parts.next()) else {
        return Err(ProvenanceError::MessageParts);
    };
    let doc = crate::values::yaml::unmarshal(sums)
        .map_err(|e| ProvenanceError::OpenPgp(e.to_string()))?;
    let mut out = Vec::new();
    if let Some(Value::Map(files)) = doc.get("files") {
        for (k, v) in files.entries.borrow().iter() {
            let v = v.str_lossy().map(|s| s.into_owned()).unwrap_or_default();
            out.push((k.to_string(), v));
        }
    }
    Ok(out)
}

/// helm's `Signatory.Verify`: checks the signature of `prov` against
/// `ring`, then that the archive's sha256 is the one recorded for
/// `file_name`.
pub fn verify(
    archive: &[u8],
    prov: &[u8],
    file_name: &str,
    ring: &Keyring,
) -> Result<Verification, ProvenanceError> {
    let block = clearsign::decode(prov).ok_or(ProvenanceError::NoSignatureBlock)?;
    let signer = verify_signature(&block, ring)?;
    let sum = sha256_sum(archive);
    let sums = parse_sums(&block.plaintext)?;
    let Some((_, recorded)) = sums.iter().find(|(k, _)| k == file_name) else {
        return Err(ProvenanceError::NoSum(file_name.to_string()));
    };
    if *recorded != sum {
        return Err(ProvenanceError::SumMismatch {
            name: file_name.to_string(),
            expected: recorded.clone(),
            actual: sum,
        });
    }
    Ok(Verification {
        signed_by: signer.identities(),
        fingerprint: signer.fingerprint_hex(),
        file_hash: sum,
        file_name: file_name.to_string(),
    })
}

/// The word helm's OpenPGP library uses for a failed check by `alg`.
fn algorithm_word(alg: PublicKeyAlgorithm) -> &'static str {
    match alg {
        PublicKeyAlgorithm::RSA | PublicKeyAlgorithm::RSASign => "RSA",
        PublicKeyAlgorithm::DSA => "DSA",
        PublicKeyAlgorithm::ECDSA => "ECDSA",
        PublicKeyAlgorithm::EdDSALegacy => "EdDSA",
        PublicKeyAlgorithm::Ed25519 => "Ed25519",
        PublicKeyAlgorithm::Ed448 => "ed448",
        _ => "Unsupported public key algorithm used in signature",
    }
}

/// helm's `CheckDetachedSignature`: the first signature packet whose issuer
/// is a signing key of the keyring decides; no such packet means an
/// unknown signer.
fn verify_signature<'a>(
    block: &clearsign::Block,
    ring: &'a Keyring,
) -> Result<&'a Entity, ProvenanceError> {
    let invalid = |m: &str| ProvenanceError::OpenPgp(format!("openpgp: invalid data: {m}"));
    for packet in PacketParser::new(&block.signature[..]) {
        let packet = packet.map_err(|e| invalid(&e.to_string()))?;
        let Packet::Signature(sig) = packet else {
            return Err(invalid("non signature packet found"));
        };
        let Some(issuer) = keyring::issuer_ids(&sig).first().copied() else {
            return Err(invalid("signature doesn't have an issuer"));
        };
        let candidates = ring.signing_keys(&issuer);
        if candidates.is_empty() {
            continue;
        }
        let mut last = None;
        for c in &candidates {
            let (ok, alg) = match c {
                keyring::SigningCandidate::Primary(e) => (
                    sig.verify(&e.public.primary_key, &block.signed[..]).is_ok(),
                    e.public.primary_key.algorithm(),
                ),
                keyring::SigningCandidate::Subkey(_, sub) => (
                    sig.verify(&sub.key, &block.signed[..]).is_ok(),
                    sub.key.algorithm(),
                ),
            };
            if ok {
                let entity = c.entity();
                Keyring::check_entity(entity, Timestamp::now().as_secs())?;
                return Ok(entity);
            }
            let word = algorithm_word(alg);
            last = Some(if word.contains(' ') {
                format!("openpgp: invalid signature: {word}")
            } else {
                format!("openpgp: invalid signature: {word} verification failure")
            });
        }
        return Err(ProvenanceError::OpenPgp(last.unwrap_or_default()));
    }
    Err(ProvenanceError::OpenPgp(
        "openpgp: signature made by unknown entity".into(),
    ))
}

/// helm's `downloader.VerifyChart`: `path` must be a `.tgz` file with its
/// provenance at `prov_path`, checked against the keyring at `keyring`.
pub fn verify_chart(
    path: &Path,
    prov_path: &Path,
    keyring: &Path,
) -> Result<Verification, ProvenanceError> {
    use crate::chart::loader::go_io_error;
    let meta =
        std::fs::metadata(path).map_err(|e| ProvenanceError::Io(go_io_error("stat", path, &e)))?;
    if meta.is_dir() {
        return Err(ProvenanceError::Unpacked);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !is_tgz_name(&name) {
        return Err(ProvenanceError::NotTgz);
    }
    if let Err(e) = std::fs::metadata(prov_path) {
        return Err(ProvenanceError::NoProvenanceFile {
            path: prov_path.display().to_string(),
            why: go_io_error("stat", prov_path, &e),
        });
    }
    let ring = Keyring::load(keyring).map_err(|e| ProvenanceError::Keyring(Box::new(e)))?;
    let archive = std::fs::read(path).map_err(|e| {
        ProvenanceError::Io(format!(
            "failed to read chart archive: {}",
            go_io_error("open", path, &e)
        ))
    })?;
    let prov = std::fs::read(prov_path).map_err(|e| {
        ProvenanceError::Io(format!(
            "failed to read provenance file: {}",
            go_io_error("open", prov_path, &e)
        ))
    })?;
    verify(&archive, &prov, &name, &ring)
}

/// [`verify_chart`] for bytes already in memory (a download not yet
/// written anywhere): the same checks and messages, with the keyring read
/// from `keyring`.
pub fn verify_download(
    archive: &[u8],
    prov: &[u8],
    file_name: &str,
    keyring: &Path,
) -> Result<Verification, ProvenanceError> {
    if !is_tgz_name(file_name) {
        return Err(ProvenanceError::NotTgz);
    }
    let ring = Keyring::load(keyring).map_err(|e| ProvenanceError::Keyring(Box::new(e)))?;
    verify(archive, prov, file_name, &ring)
}

/// How a downloader treats provenance (helm's `VerifyIfPossible` /
/// `VerifyAlways` strategies): the keyring, and whether a missing
/// provenance file is an error rather than a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadCheck {
    pub keyring: std::path::PathBuf,
    pub required: bool,
}

/// The provenance step of helm's `ChartDownloader.DownloadTo` for an archive
/// just saved at `saved` from `url` (asked for as `reference`): `<url>.prov`
/// is fetched with `fetch` and written beside the archive, then the archive
/// is verified. A missing file is an error when required, else the warning
/// line helm prints is returned.
pub fn check_download(
    saved: &Path,
    reference: &str,
    url: &str,
    check: &DownloadCheck,
    fetch: impl FnOnce(&str) -> Result<Vec<u8>, String>,
) -> Result<Option<String>, ProvenanceError> {
    let prov_url = format!("{url}.prov");
    let body = match fetch(&prov_url) {
        Ok(b) => b,
        Err(_) if check.required => return Err(ProvenanceError::FetchFailed(prov_url)),
        Err(e) => {
            return Ok(Some(format!(
                "WARNING: Verification not found for {reference}: {e}"
            )))
        }
    };
    let mut prov = saved.as_os_str().to_owned();
    prov.push(".prov");
    let prov = std::path::PathBuf::from(prov);
    crate::repo::atomic_file::write_atomic(&prov, &body, 0o644)
        .map_err(|e| ProvenanceError::Io(crate::chart::loader::go_io_error("open", &prov, &e)))?;
    verify_chart(saved, &prov, &check.keyring)?;
    Ok(None)
}

/// helm's `isTar`: the extension, case-insensitively `.tgz`.
fn is_tgz_name(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tgz"))
}

/// A signing key picked from a keyring (helm's `Signatory`).
pub struct Signer {
    entity: Option<Entity>,
    passphrase: Option<Vec<u8>>,
}

impl Signer {
    /// helm's `NewFromKeyring(keyring, name)`: loads the keyring and picks
    /// the key whose user ID is `name` or uniquely contains it.
    pub fn from_keyring(keyring: &Path, name: &str) -> Result<Signer, ProvenanceError> {
        let ring = Keyring::load(keyring)?;
        let entity = ring.find_by_name(name)?.cloned();
        Ok(Signer {
            entity,
            passphrase: None,
        })
    }

    /// helm's `DecryptKey`: a protected key asks `fetch` for its passphrase
    /// (given the key's first user ID) and must open with it.
    pub fn unlock(
        &mut self,
        fetch: &mut dyn FnMut(&str) -> Result<Vec<u8>, ProvenanceError>,
    ) -> Result<(), ProvenanceError> {
        let entity = self.entity.as_ref().ok_or(ProvenanceError::NoPrivateKey)?;
        let secret = entity
            .secret
            .as_ref()
            .ok_or(ProvenanceError::NotPrivateKey)?;
        if !secret.primary_key.secret_params().is_encrypted() {
            return Ok(());
        }
        let name = entity
            .identities()
            .into_iter()
            .find(|n| !n.is_empty())
            .unwrap_or_else(|| "Unknown".into());
        let pass = fetch(&name)?;
        let pw = Password::from(&pass[..]);
        match secret.primary_key.unlock(&pw, |_, _| Ok(())) {
            Ok(Ok(())) => {
                self.passphrase = Some(pass);
                Ok(())
            }
            _ => Err(ProvenanceError::OpenPgp(
                "openpgp: invalid data: private key checksum failure".into(),
            )),
        }
    }

    /// helm's `ClearSign`: the provenance document for `archive` saved as
    /// `file_name`, with `metadata_yaml` (the chart's Chart.yaml as helm
    /// marshals it) as the first part. Text signature, SHA-512, v4, with
    /// the same subpackets helm's library writes (creation time, issuer,
    /// a random salt notation, issuer fingerprint).
    pub fn clearsign(
        &self,
        archive: &[u8],
        file_name: &str,
        metadata_yaml: &str,
    ) -> Result<String, ProvenanceError> {
        let entity = self.entity.as_ref().ok_or(ProvenanceError::NoPrivateKey)?;
        let secret = entity
            .secret
            .as_ref()
            .ok_or(ProvenanceError::NotPrivateKey)?;
        let key = &secret.primary_key;
        let text = message_block(metadata_yaml, file_name, archive);
        let signed = clearsign::canonical_text(text.as_bytes());

        let mut salt = vec![0u8; 32];
        rand_core::OsRng.fill_bytes(&mut salt);
        let pgp_err = |e: pgp::errors::Error| ProvenanceError::OpenPgp(format!("openpgp: {e}"));
        let mut config =
            SignatureConfig::v4(SignatureType::Text, key.algorithm(), HashAlgorithm::Sha512);
        config.hashed_subpackets = vec![
            Subpacket::critical(SubpacketData::SignatureCreationTime(Timestamp::now()))
                .map_err(pgp_err)?,
            Subpacket::regular(SubpacketData::IssuerKeyId(key.legacy_key_id())).map_err(pgp_err)?,
            Subpacket::regular(SubpacketData::Notation(Notation {
                readable: false,
                name: "salt@notations.openpgpjs.org".into(),
                value: salt.into(),
            }))
            .map_err(pgp_err)?,
            Subpacket::regular(SubpacketData::IssuerFingerprint(key.fingerprint()))
                .map_err(pgp_err)?,
        ];
        let pw = match &self.passphrase {
            Some(p) => Password::from(&p[..]),
            None => Password::empty(),
        };
        let sig = config.sign(key, &pw, &signed[..]).map_err(pgp_err)?;
        let mut packet = Vec::new();
        sig.to_writer_with_header(&mut packet).map_err(pgp_err)?;
        Ok(clearsign::encode(text.as_bytes(), "SHA512", &packet))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_block_layout_is_helms() {
        let text = message_block(
            "apiVersion: v2\nname: x\nversion: 1.0.0\n",
            "x-1.0.0.tgz",
            b"abc",
        );
        assert_eq!(
            text,
            "apiVersion: v2\nname: x\nversion: 1.0.0\n\n...\nfiles:\n  x-1.0.0.tgz: sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
        );
        let sums = parse_sums(text.as_bytes()).unwrap();
        assert_eq!(sums[0].0, "x-1.0.0.tgz");
        assert!(matches!(
            parse_sums(b"no dots here"),
            Err(ProvenanceError::MessageParts)
        ));
    }

    #[test]
    fn verification_report_lines() {
        let v = Verification {
            signed_by: vec!["A <a@b>".into()],
            fingerprint: "ABCD".into(),
            file_hash: "sha256:00".into(),
            file_name: "x.tgz".into(),
        };
        assert_eq!(
            v.report(),
            "Signed by: A <a@b>\nUsing Key With Fingerprint: ABCD\nChart Hash Verified: sha256:00\n"
        );
    }

    fn testdata(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/provenance")
            .join(name)
    }

    const SIGNER: &str = "Provenance Signer (rudder tests) <signer@example.com>";

    #[test]
    fn helm_signed_fixture_verifies_with_every_keyring_format() {
        let tgz = testdata("fixture/signed-0.1.0.tgz");
        let prov = testdata("fixture/signed-0.1.0.tgz.prov");
        let archive = std::fs::read(&tgz).unwrap();
        for ring in ["signer.pub", "signer.asc", "signer.kbx", "signer.sec"] {
            let v = verify_chart(&tgz, &prov, &testdata(ring))
                .unwrap_or_else(|e| panic!("{ring}: {e}"));
            assert_eq!(v.signed_by, vec![SIGNER.to_string()], "{ring}");
            assert_eq!(v.file_hash, sha256_sum(&archive));
            assert_eq!(v.fingerprint.len(), 40);
        }
        let e = verify_chart(&tgz, &prov, &testdata("other.pub")).unwrap_err();
        assert_eq!(e.to_string(), "openpgp: signature made by unknown entity");
        let e = verify_chart(&tgz, &prov, &testdata("missing.gpg")).unwrap_err();
        assert!(
            e.to_string().starts_with("failed to load keyring: open "),
            "{e}"
        );
    }

    #[test]
    fn signed_documents_verify_and_catch_tampering() {
        let mut signer = Signer::from_keyring(&testdata("signer.sec"), "Provenance").unwrap();
        signer
            .unlock(&mut |_| panic!("an unprotected key needs no passphrase"))
            .unwrap();
        let doc = signer
            .clearsign(b"archive", "x-1.0.0.tgz", "name: x\nversion: 1.0.0\n")
            .unwrap();
        assert!(doc.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nname: x\nversion: 1.0.0\n\n...\nfiles:\n  x-1.0.0.tgz: sha256:"));
        let ring = Keyring::load(&testdata("signer.pub")).unwrap();
        let v = verify(b"archive", doc.as_bytes(), "x-1.0.0.tgz", &ring).unwrap();
        assert_eq!(v.signed_by, vec![SIGNER.to_string()]);
        assert!(matches!(
            verify(b"archivf", doc.as_bytes(), "x-1.0.0.tgz", &ring),
            Err(ProvenanceError::SumMismatch { .. })
        ));
        assert!(matches!(
            verify(b"archive", doc.as_bytes(), "y-1.0.0.tgz", &ring),
            Err(ProvenanceError::NoSum(_))
        ));
        let edited = doc.replace("name: x", "name: y");
        let e = verify(b"archive", edited.as_bytes(), "x-1.0.0.tgz", &ring).unwrap_err();
        assert_eq!(
            e.to_string(),
            "openpgp: invalid signature: RSA verification failure"
        );
        let other = Keyring::load(&testdata("other.asc")).unwrap();
        let e = verify(b"archive", doc.as_bytes(), "x-1.0.0.tgz", &other).unwrap_err();
        assert_eq!(e.to_string(), "openpgp: signature made by unknown entity");
    }

    #[test]
    fn protected_keys_open_only_with_their_passphrase() {
        let path = testdata("locked.sec");
        let mut signer = Signer::from_keyring(&path, "Locked").unwrap();
        let mut asked = String::new();
        let e = signer
            .unlock(&mut |name| {
                asked = name.to_string();
                Ok(b"wrong".to_vec())
            })
            .unwrap_err();
        assert_eq!(asked, "Locked Signer <locked@example.com>");
        assert_eq!(
            e.to_string(),
            "openpgp: invalid data: private key checksum failure"
        );
        signer.unlock(&mut |_| Ok(b"s3cret".to_vec())).unwrap();
        let doc = signer.clearsign(b"a", "l-1.0.0.tgz", "name: l\n").unwrap();
        let ring = Keyring::load(&testdata("locked.pub")).unwrap();
        verify(b"a", doc.as_bytes(), "l-1.0.0.tgz", &ring).unwrap();
    }

    #[test]
    fn signing_keys_are_found_by_name_as_helm_does() {
        let mut both = std::fs::read(testdata("signer.sec")).unwrap();
        both.extend(std::fs::read(testdata("locked.sec")).unwrap());
        let ring = Keyring::parse(&both, Path::new("both")).unwrap();
        assert_eq!(ring.entities.len(), 2);
        let e = ring.find_by_name("example.com").unwrap_err();
        assert_eq!(
            e.to_string(),
            "more than one key contain the id \"example.com\""
        );
        let found = ring.find_by_name("Locked").unwrap().unwrap();
        assert_eq!(
            found.identities(),
            vec!["Locked Signer <locked@example.com>".to_string()]
        );
        assert!(ring.find_by_name("nobody").unwrap().is_none());
        let mut none = Signer::from_keyring(&testdata("signer.sec"), "nobody").unwrap();
        assert!(matches!(
            none.unlock(&mut |_| Ok(vec![])),
            Err(ProvenanceError::NoPrivateKey)
        ));
        let mut public = Signer::from_keyring(&testdata("signer.pub"), "Provenance").unwrap();
        assert!(matches!(
            public.unlock(&mut |_| Ok(vec![])),
            Err(ProvenanceError::NotPrivateKey)
        ));
    }

    #[test]
    fn errors_read_like_helms() {
        let e = ProvenanceError::SumMismatch {
            name: "x.tgz".into(),
            expected: "sha256:1".into(),
            actual: "sha256:2".into(),
        };
        assert_eq!(
            e.to_string(),
            "sha256 sum does not match for x.tgz: \"sha256:1\" != \"sha256:2\""
        );
        assert!(is_tgz_name("a.TGZ"));
        assert!(!is_tgz_name("a.tar.gz"));
    }
}
