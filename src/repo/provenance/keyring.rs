//! OpenPGP keyrings as helm 4.3 reads them: a legacy binary packet stream
//! (`pubring.gpg`, `secring.gpg`, `gpg --export[-secret-keys]`), a GnuPG
//! keybox (`pubring.kbx`) or ASCII-armored exports, holding public keys,
//! secret keys or both. Entities keep keyring order so that "first match"
//! rules give the same answer as helm.

use std::path::{Path, PathBuf};

use pgp::composed::{PublicOrSecret, SignedPublicKey, SignedSecretKey};
use pgp::packet::{Signature, SignatureType, SubpacketData};
use pgp::types::{KeyDetails, KeyId, Timestamp};

use super::ProvenanceError;

/// One key holder: the public certificate and, from a secret keyring, the
/// secret key material.
#[derive(Debug, Clone)]
pub struct Entity {
    pub public: SignedPublicKey,
    pub secret: Option<SignedSecretKey>,
}

impl Entity {
    /// The user IDs (`Name (Comment) <email>`) in keyring order, deduplicated.
    pub fn identities(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for user in &self.public.details.users {
            let id = String::from_utf8_lossy(user.id.id()).into_owned();
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    /// The primary key's fingerprint in upper-case hex (helm's `%X`).
    pub fn fingerprint_hex(&self) -> String {
        format!("{:X}", self.public.primary_key.fingerprint())
    }

    /// The self-signature that speaks for the primary key: the primary
    /// user ID's newest certification (helm's `PrimarySelfSignature`).
    fn primary_self_signature(&self) -> Option<&Signature> {
        let own = self.public.primary_key.legacy_key_id();
        let mut best: Option<(&Signature, bool)> = None;
        for user in &self.public.details.users {
            for sig in &user.signatures {
                if !issued_by(sig, &own) || !sig.is_certification() {
                    continue;
                }
                let primary = sig.is_primary();
                let newer = match best {
                    None => true,
                    Some((b, b_primary)) => {
                        (primary && !b_primary)
                            || (primary == b_primary && created(sig) > created(b))
                    }
                };
                if newer {
                    best = Some((sig, primary));
                }
            }
        }
        best.map(|(s, _)| s)
    }
}

fn created(sig: &Signature) -> u32 {
    sig.created().map(Timestamp::as_secs).unwrap_or(0)
}

/// Whether `sig` names `id` as its issuer (by key ID, or by a v4
/// fingerprint whose low 8 bytes are that ID).
pub(super) fn issued_by(sig: &Signature, id: &KeyId) -> bool {
    issuer_ids(sig).iter().any(|k| k == id)
}

/// The issuer key IDs a signature names.
pub(super) fn issuer_ids(sig: &Signature) -> Vec<KeyId> {
    let mut ids: Vec<KeyId> = sig.issuer_key_id().into_iter().copied().collect();
    for fp in sig.issuer_fingerprint() {
        let b = fp.as_bytes();
        if b.len() == 20 {
            let mut id = [0u8; 8];
            id.copy_from_slice(&b[12..]);
            let id = KeyId::from(id);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// Whether `sig` (a self-signature) carries key flags that allow signing;
/// a self-signature without key flags does not (as in helm's library).
fn allows_signing(sig: Option<&Signature>) -> bool {
    let Some(sig) = sig else { return false };
    let has_flags = sig.config().is_some_and(|c| {
        c.hashed_subpackets()
            .any(|p| matches!(p.data, SubpacketData::KeyFlags(_)))
    });
    has_flags && sig.key_flags().sign()
}

/// A key that may have made a signature: its entity and the key itself.
pub enum SigningCandidate<'a> {
    Primary(&'a Entity),
    Subkey(&'a Entity, &'a pgp::composed::SignedPublicSubKey),
}

impl<'a> SigningCandidate<'a> {
    pub fn entity(&self) -> &'a Entity {
        match self {
            SigningCandidate::Primary(e) | SigningCandidate::Subkey(e, _) => e,
        }
    }
}

/// A loaded keyring.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    pub entities: Vec<Entity>,
}

impl Keyring {
    /// Reads the keyring file at `path` (helm's `loadKeyRing`).
    pub fn load(path: &Path) -> Result<Keyring, ProvenanceError> {
        let data = std::fs::read(path).map_err(|e| {
            ProvenanceError::Io(crate::chart::loader::go_io_error("open", path, &e))
        })?;
        Keyring::parse(&data, path)
    }

    /// Parses keyring bytes; `path` only names the file in messages.
    pub fn parse(data: &[u8], path: &Path) -> Result<Keyring, ProvenanceError> {
        if is_keybox(data) {
            let keys = keybox_keyblocks(data).map_err(|e| {
                ProvenanceError::OpenPgp(format!("reading keybox {}: {e}", path.display()))
            })?;
            return parse_binary(&keys);
        }
        if is_armored(data) {
            return parse_armored(data).map_err(|e| {
                ProvenanceError::OpenPgp(format!("reading armored keyring {}: {e}", path.display()))
            });
        }
        parse_binary(data)
    }

    /// helm's `NewFromKeyring` lookup of the signing key by name: an
    /// identity equal to `id` wins at once; otherwise exactly one identity
    /// may contain it. `Ok(None)` when nothing matches.
    pub fn find_by_name(&self, id: &str) -> Result<Option<&Entity>, ProvenanceError> {
        let mut candidate = None;
        let mut vague = false;
        for e in &self.entities {
            for name in e.identities() {
                if name == id {
                    return Ok(Some(e));
                }
                if name.contains(id) {
                    if candidate.is_some() {
                        vague = true;
                    }
                    candidate = Some(e);
                }
            }
        }
        if vague {
            return Err(ProvenanceError::AmbiguousKey(id.to_string()));
        }
        Ok(candidate)
    }

    /// Keys with key ID `id` whose self-signature allows signing, in
    /// keyring order (helm's `KeysByIdUsage(id, KeyFlagSign)`).
    pub fn signing_keys(&self, id: &KeyId) -> Vec<SigningCandidate<'_>> {
        let mut out = Vec::new();
        for e in &self.entities {
            let primary = e.public.primary_key.legacy_key_id();
            if &primary == id && allows_signing(e.primary_self_signature()) {
                out.push(SigningCandidate::Primary(e));
            }
            for sub in &e.public.public_subkeys {
                if &sub.key.legacy_key_id() != id {
                    continue;
                }
                let binding = sub
                    .signatures
                    .iter()
                    .filter(|s| s.typ() == Some(SignatureType::SubkeyBinding))
                    .max_by_key(|s| created(s));
                if allows_signing(binding) {
                    out.push(SigningCandidate::Subkey(e, sub));
                }
            }
        }
        out
    }

    /// Why a signature by `entity` must not be trusted now, as helm's
    /// library reports it: a revoked key, then an expired primary key.
    pub fn check_entity(entity: &Entity, now: u32) -> Result<(), ProvenanceError> {
        let own = entity.public.primary_key.legacy_key_id();
        let revoked = entity
            .public
            .details
            .revocation_signatures
            .iter()
            .any(|s| issued_by(s, &own));
        if revoked {
            return Err(ProvenanceError::OpenPgp(
                "openpgp: signature made by revoked key".into(),
            ));
        }
        if let Some(sig) = entity.primary_self_signature() {
            if let Some(exp) = sig.key_expiration_time() {
                let created = entity.public.primary_key.created_at().as_secs();
                let secs = exp.as_secs();
                if secs > 0 && u64::from(created) + u64::from(secs) < u64::from(now) {
                    return Err(ProvenanceError::OpenPgp("openpgp: key expired".into()));
                }
            }
        }
        Ok(())
    }
}

/// A GnuPG keybox: a first header blob with the `KBXf` magic.
fn is_keybox(data: &[u8]) -> bool {
    data.len() >= 12 && data[4] == 1 && &data[8..12] == b"KBXf"
}

fn is_armored(data: &[u8]) -> bool {
    data.trim_ascii_start().starts_with(b"-----BEGIN PGP")
}

/// The OpenPGP keyblocks of a keybox, concatenated. A keybox is a sequence
/// of blobs `u32 length | u8 type | u8 version | u16 flags | ...`; type 2
/// (OpenPGP) blobs hold `u32 offset | u32 length` of the keyblock at bytes
/// 8..16. Ephemeral blobs (flag 2) are skipped, as GnuPG does on reads.
fn keybox_keyblocks(data: &[u8]) -> Result<Vec<u8>, String> {
    let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < data.len() {
        let rest = &data[offset..];
        if rest.len() < 5 {
            return Err(format!("truncated blob header at offset {offset}"));
        }
        let len = be32(rest);
        if len < 5 {
            return Err(format!("invalid blob length {len} at offset {offset}"));
        }
        if len > rest.len() {
            return Err(format!(
                "blob at offset {offset} has length {len} exceeding the {} remaining bytes",
                rest.len()
            ));
        }
        let blob = &rest[..len];
        if blob[4] == 2 {
            if blob.len() < 16 {
                return Err(format!("OpenPGP blob at offset {offset} is too short"));
            }
            let flags = u16::from_be_bytes([blob[6], blob[7]]);
            let kb_off = be32(&blob[8..]);
            let kb_len = be32(&blob[12..]);
            if kb_off
                .checked_add(kb_len)
                .is_none_or(|end| end > blob.len())
            {
                return Err(format!(
                    "OpenPGP blob at offset {offset} has an out-of-range keyblock"
                ));
            }
            if flags & 2 == 0 {
                out.extend_from_slice(&blob[kb_off..kb_off + kb_len]);
            }
        }
        offset += len;
    }
    if out.is_empty() {
        return Err("keybox contains no OpenPGP keys".into());
    }
    Ok(out)
}

/// Every armored key block in `data` (concatenated exports included).
fn parse_armored(data: &[u8]) -> Result<Keyring, String> {
    let text = String::from_utf8_lossy(data);
    let mut ring = Keyring::default();
    let mut rest: &str = &text;
    while let Some(start) = rest.find("-----BEGIN PGP") {
        let block = &rest[start..];
        let header_end = block.find('\n').unwrap_or(block.len());
        let kind = block[..header_end]
            .trim()
            .trim_start_matches("-----BEGIN ")
            .trim_end_matches("-----")
            .to_string();
        if kind != "PGP PUBLIC KEY BLOCK" && kind != "PGP PRIVATE KEY BLOCK" {
            return Err(format!(
                "expected a public or private key block, got {}",
                crate::chart::metadata::go_quote(&kind)
            ));
        }
        let end_marker = format!("-----END {kind}-----");
        let Some(end) = block.find(&end_marker) else {
            return Err("openpgp: invalid data: armor invalid".into());
        };
        let body = armor_body(&block[header_end..end])
            .ok_or_else(|| "openpgp: invalid data: armor invalid".to_string())?;
        let part = parse_binary(&body).map_err(|e| e.to_string())?;
        ring.entities.extend(part.entities);
        rest = &block[end + end_marker.len()..];
    }
    if ring.entities.is_empty() {
        return Err("no keys found".into());
    }
    Ok(ring)
}

/// The base64 payload between an armor header line and its END line.
fn armor_body(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let mut body = String::new();
    let mut in_headers = true;
    for line in text.lines().map(str::trim) {
        if in_headers {
            if line.is_empty() {
                in_headers = false;
                continue;
            }
            if line.contains(": ") {
                continue;
            }
            in_headers = false;
        }
        if line.starts_with('=') || line.is_empty() {
            continue;
        }
        body.push_str(line);
    }
    base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .ok()
}

/// Checks the packet framing the way Go's packet reader does, so broken
/// input gets its messages (a tag byte without the high bit, a packet
/// running past the end of the data), and returns the stream without
/// GnuPG's trust packets (tag 12, found in keyrings and keyboxes), which
/// the key parser does not expect between key packets.
fn check_framing(data: &[u8]) -> Result<Vec<u8>, ProvenanceError> {
    let invalid = |m: &str| ProvenanceError::OpenPgp(format!("openpgp: invalid data: {m}"));
    let eof = || ProvenanceError::OpenPgp("unexpected EOF".into());
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        let start = i;
        let tag = data[i];
        if tag & 0x80 == 0 {
            return Err(invalid("tag byte does not have MSB set"));
        }
        let packet_type = if tag & 0x40 == 0 {
            (tag >> 2) & 0x0f
        } else {
            tag & 0x3f
        };
        i += 1;
        if tag & 0x40 == 0 {
            // Old format: the low two bits give the length's size.
            let n = match tag & 3 {
                0 => 1,
                1 => 2,
                2 => 4,
                _ => {
                    // indeterminate: runs to the end
                    out.extend_from_slice(&data[start..]);
                    return Ok(out);
                }
            };
            let b = data.get(i..i + n).ok_or_else(eof)?;
            let len = b.iter().fold(0usize, |acc, &x| (acc << 8) | x as usize);
            i = i.checked_add(n + len).ok_or_else(eof)?;
        } else {
            // New format, possibly in partial chunks.
            loop {
                let first = *data.get(i).ok_or_else(eof)? as usize;
                let (len, n, partial) = match first {
                    0..=191 => (first, 1, false),
                    192..=223 => {
                        let second = *data.get(i + 1).ok_or_else(eof)? as usize;
                        (((first - 192) << 8) + second + 192, 2, false)
                    }
                    255 => {
                        let b = data.get(i + 1..i + 5).ok_or_else(eof)?;
                        (
                            u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize,
                            5,
                            false,
                        )
                    }
                    _ => (1usize << (first & 0x1f), 1, true),
                };
                i = i.checked_add(n + len).ok_or_else(eof)?;
                if !partial {
                    break;
                }
            }
        }
        if i > data.len() {
            return Err(eof());
        }
        if packet_type != 12 {
            out.extend_from_slice(&data[start..i]);
        }
    }
    Ok(out)
}

/// A binary packet stream of public and/or secret keys. Keys that do not
/// parse are skipped (as helm's library skips unsupported keys).
fn parse_binary(data: &[u8]) -> Result<Keyring, ProvenanceError> {
    let data = check_framing(data)?;
    let mut ring = Keyring::default();
    let keys = PublicOrSecret::from_bytes_many(&data[..])
        .map_err(|e| ProvenanceError::OpenPgp(format!("openpgp: invalid data: {e}")))?;
    for key in keys.flatten() {
        match key {
            PublicOrSecret::Public(public) => ring.entities.push(Entity {
                public,
                secret: None,
            }),
            PublicOrSecret::Secret(secret) => ring.entities.push(Entity {
                public: secret.to_public_key(),
                secret: Some(secret),
            }),
        }
    }
    Ok(ring)
}

/// helm's default keyring: `$GNUPGHOME` (or `~/.gnupg`), `pubring.gpg`
/// when it exists (or cannot be checked), else `pubring.kbx` when that
/// exists, else `pubring.gpg`.
pub fn default_keyring_path() -> PathBuf {
    let home = match std::env::var_os("GNUPGHOME") {
        Some(v) => PathBuf::from(v),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".gnupg"),
    };
    let legacy = home.join("pubring.gpg");
    let absent = |p: &Path| matches!(std::fs::metadata(p), Err(e) if e.kind() == std::io::ErrorKind::NotFound);
    if !absent(&legacy) {
        return legacy;
    }
    let keybox = home.join("pubring.kbx");
    if !absent(&keybox) {
        return keybox;
    }
    legacy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_rejected_like_go() {
        let e = Keyring::parse(b"garbage\n", Path::new("k")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "openpgp: invalid data: tag byte does not have MSB set"
        );
        // A new-format packet claiming more bytes than there are.
        let e = Keyring::parse(&[0xc6, 50, 1, 2], Path::new("k")).unwrap_err();
        assert_eq!(e.to_string(), "unexpected EOF");
    }

    #[test]
    fn empty_keyring_has_no_entities() {
        let ring = Keyring::parse(b"", Path::new("k")).unwrap();
        assert!(ring.entities.is_empty());
    }

    #[test]
    fn keybox_blobs_are_unwrapped() {
        let mut kbx = Vec::new();
        // header blob: len 32, type 1, version 1, flags, "KBXf"
        let mut header = vec![0, 0, 0, 32, 1, 1, 0, 0];
        header.extend_from_slice(b"KBXf");
        header.resize(32, 0);
        kbx.extend_from_slice(&header);
        assert!(is_keybox(&kbx));
        assert_eq!(
            keybox_keyblocks(&kbx).unwrap_err(),
            "keybox contains no OpenPGP keys"
        );
        // an OpenPGP blob whose keyblock is 3 bytes at offset 16
        let mut blob = vec![0, 0, 0, 19, 2, 1, 0, 0, 0, 0, 0, 16, 0, 0, 0, 3];
        blob.extend_from_slice(&[0xaa, 0xbb, 0xcc]);
        kbx.extend_from_slice(&blob);
        assert_eq!(keybox_keyblocks(&kbx).unwrap(), vec![0xaa, 0xbb, 0xcc]);
        // an out-of-range keyblock is an error, not a panic
        let n = kbx.len();
        kbx[n - 8] = 0xff;
        assert!(keybox_keyblocks(&kbx).is_err());
    }

    #[test]
    fn armored_keyrings_must_hold_keys() {
        let e = Keyring::parse(
            b"-----BEGIN PGP SIGNATURE-----\n\nwgEC\n-----END PGP SIGNATURE-----\n",
            Path::new("k.asc"),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "reading armored keyring k.asc: expected a public or private key block, got \"PGP SIGNATURE\""
        );
    }
}
