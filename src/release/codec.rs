//! The storage encoding of a release: `base64(gzip(json))`, as Helm's
//! `encodeRelease`. Decoding also accepts records that were not gzipped
//! (very old Helm 3 versions wrote plain JSON under base64).

use std::io::{Read, Write};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;

use super::model::Release;

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("illegal base64 data: {0}")]
    Base64(#[from] base64::DecodeError),
    #[error("{0}")]
    Gzip(#[from] std::io::Error),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// The base64 text stored in a Secret's `data.release` (before the API's own
/// base64) or a ConfigMap's `data.release`.
pub fn encode(release: &Release) -> Result<String, CodecError> {
    let json = serde_json::to_vec(release)?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&json)?;
    let zipped = gz.finish()?;
    Ok(STANDARD.encode(zipped))
}

pub fn decode(data: &str) -> Result<Release, CodecError> {
    let bytes = STANDARD.decode(data.trim())?;
    let json = if bytes.starts_with(&GZIP_MAGIC) {
        let mut out = Vec::new();
        GzDecoder::new(bytes.as_slice()).read_to_end(&mut out)?;
        out
    } else {
        bytes
    };
    Ok(serde_json::from_slice(&json)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_plain_json() {
        let r = Release {
            name: "x".into(),
            version: 3,
            ..Default::default()
        };
        let enc = encode(&r).unwrap();
        let back = decode(&enc).unwrap();
        assert_eq!((back.name.as_str(), back.version), ("x", 3));
        let plain = STANDARD.encode(br#"{"name":"y","version":2}"#);
        let d = decode(&plain).unwrap();
        assert_eq!((d.name.as_str(), d.version), ("y", 2));
        assert!(decode("!!").is_err());
    }
}
