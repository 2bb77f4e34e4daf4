//! Private keys Sprig can generate and read: RSA, ECDSA P-256 and Ed25519,
//! written in the PEM forms Go uses (`RSA PRIVATE KEY` = PKCS#1,
//! `EC PRIVATE KEY` = SEC 1, `PRIVATE KEY` = PKCS#8 for Ed25519).

use p256::ecdsa::signature::Signer;
use rand_core::OsRng;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};

use super::der;
use super::pem;

const OID_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];
const OID_RSA_SHA256: &[u64] = &[1, 2, 840, 113549, 1, 1, 11];
const OID_EC_PUBLIC_KEY: &[u64] = &[1, 2, 840, 10045, 2, 1];
const OID_P256: &[u64] = &[1, 2, 840, 10045, 3, 1, 7];
const OID_ECDSA_SHA256: &[u64] = &[1, 2, 840, 10045, 4, 3, 2];
const OID_ED25519: &[u64] = &[1, 3, 101, 112];
const OID_DSA: &[u64] = &[1, 2, 840, 10040, 4, 1];

pub enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ec(p256::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
    /// Go can generate and read DSA keys but not certify with them.
    Dsa(Box<dsa::SigningKey>),
}

impl PrivateKey {
    pub fn generate_rsa(bits: usize) -> Result<PrivateKey, String> {
        super::rsa_keygen::generate(&mut OsRng, bits).map(|k| PrivateKey::Rsa(Box::new(k)))
    }

    pub fn generate_ec() -> PrivateKey {
        PrivateKey::Ec(p256::SecretKey::random(&mut OsRng))
    }

    pub fn generate_ed25519() -> PrivateKey {
        let mut seed = [0u8; 32];
        rand_core::RngCore::fill_bytes(&mut OsRng, &mut seed);
        PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// DSA with Go's `L2048N256` parameters.
    pub fn generate_dsa() -> PrivateKey {
        let components = dsa::Components::generate(&mut OsRng, dsa::KeySize::DSA_2048_256);
        PrivateKey::Dsa(Box::new(dsa::SigningKey::generate(&mut OsRng, components)))
    }

    /// Why Go's `x509.CreateCertificate` refuses this key, if it does.
    pub fn certificate_error(&self, as_signer: bool) -> Option<String> {
        match self {
            PrivateKey::Dsa(_) if as_signer => {
                Some("x509: certificate private key does not implement crypto.Signer".to_string())
            }
            PrivateKey::Dsa(_) => {
                Some("x509: unsupported public key type: *dsa.PublicKey".to_string())
            }
            _ => None,
        }
    }

    /// The PEM block Sprig's `pemBlockForKey` produces.
    pub fn to_pem(&self) -> Result<String, String> {
        Ok(match self {
            PrivateKey::Rsa(k) => {
                let doc = k.to_pkcs1_der().map_err(|e| e.to_string())?;
                pem::encode("RSA PRIVATE KEY", doc.as_bytes())
            }
            PrivateKey::Ec(k) => pem::encode("EC PRIVATE KEY", &ec_private_key_der(k)),
            PrivateKey::Ed25519(k) => {
                let der = der::seq(&[
                    der::small_int(0),
                    der::seq(&[der::oid(OID_ED25519)]),
                    der::octet_string(&der::octet_string(&k.to_bytes())),
                ]);
                pem::encode("PRIVATE KEY", &der)
            }
            PrivateKey::Dsa(k) => {
                let c = k.verifying_key().components();
                let der = der::seq(&[
                    der::small_int(0),
                    der::uint(&c.p().to_bytes_be()),
                    der::uint(&c.q().to_bytes_be()),
                    der::uint(&c.g().to_bytes_be()),
                    der::uint(&k.verifying_key().y().to_bytes_be()),
                    der::uint(&k.x().to_bytes_be()),
                ]);
                pem::encode("DSA PRIVATE KEY", &der)
            }
        })
    }

    /// DER SubjectPublicKeyInfo.
    pub fn public_key_info(&self) -> Vec<u8> {
        let (alg, key) = self.public_key_parts();
        der::seq(&[alg, der::bit_string(&key, 0)])
    }

    /// (AlgorithmIdentifier, subjectPublicKey bits).
    fn public_key_parts(&self) -> (Vec<u8>, Vec<u8>) {
        match self {
            PrivateKey::Rsa(k) => (
                der::seq(&[der::oid(OID_RSA), der::null()]),
                der::seq(&[
                    der::uint(&k.n().to_bytes_be()),
                    der::uint(&k.e().to_bytes_be()),
                ]),
            ),
            PrivateKey::Ec(k) => (
                der::seq(&[der::oid(OID_EC_PUBLIC_KEY), der::oid(OID_P256)]),
                ec_point(k),
            ),
            PrivateKey::Ed25519(k) => (
                der::seq(&[der::oid(OID_ED25519)]),
                k.verifying_key().to_bytes().to_vec(),
            ),
            PrivateKey::Dsa(k) => (
                der::seq(&[der::oid(OID_DSA)]),
                der::uint(&k.verifying_key().y().to_bytes_be()),
            ),
        }
    }

    /// Subject key identifier: SHA-1 of the public key bits (RFC 5280 method 1),
    /// truncated SHA-256 as newer Go versions do.
    pub fn key_id(&self) -> Vec<u8> {
        let (_, bits) = self.public_key_parts();
        Sha256::digest(&bits)[..20].to_vec()
    }

    /// The signature AlgorithmIdentifier Go picks for this key.
    pub fn signature_algorithm(&self) -> Vec<u8> {
        match self {
            PrivateKey::Rsa(_) => der::seq(&[der::oid(OID_RSA_SHA256), der::null()]),
            PrivateKey::Ec(_) => der::seq(&[der::oid(OID_ECDSA_SHA256)]),
            PrivateKey::Ed25519(_) | PrivateKey::Dsa(_) => der::seq(&[der::oid(OID_ED25519)]),
        }
    }

    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            PrivateKey::Rsa(k) => {
                // DigestInfo for SHA-256, then PKCS#1 v1.5 padding.
                const PREFIX: [u8; 19] = [
                    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
                    0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
                ];
                let mut info = PREFIX.to_vec();
                info.extend_from_slice(&Sha256::digest(message));
                k.sign(rsa::Pkcs1v15Sign::new_unprefixed(), &info)
                    .map_err(|e| e.to_string())
            }
            PrivateKey::Ec(k) => {
                let signer = p256::ecdsa::SigningKey::from(k);
                let sig: p256::ecdsa::Signature = signer.sign(message);
                let (r, s) = sig.split_bytes();
                Ok(der::seq(&[der::uint(&r), der::uint(&s)]))
            }
            PrivateKey::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                Ok(k.sign(message).to_bytes().to_vec())
            }
            PrivateKey::Dsa(_) => Err(self.certificate_error(true).unwrap_or_default()),
        }
    }
}

fn ec_point(k: &p256::SecretKey) -> Vec<u8> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    k.public_key().to_encoded_point(false).as_bytes().to_vec()
}

/// SEC 1 `ECPrivateKey`, as `x509.MarshalECPrivateKey` writes it.
fn ec_private_key_der(k: &p256::SecretKey) -> Vec<u8> {
    der::seq(&[
        der::small_int(1),
        der::octet_string(&k.to_bytes()),
        der::explicit(0, &der::oid(OID_P256)),
        der::explicit(1, &der::bit_string(&ec_point(k), 0)),
    ])
}

fn parse_sec1(data: &[u8]) -> Option<p256::SecretKey> {
    let top = der::read_exact(data, der::SEQUENCE)?;
    let kids = der::children(top.content)?;
    let key = kids.get(1).filter(|t| t.tag == der::OCTET_STRING)?;
    if let Some(params) = kids.iter().find(|t| t.tag == 0xa0) {
        if params.content != der::oid(OID_P256).as_slice() {
            return None;
        }
    }
    p256::SecretKey::from_slice(key.content).ok()
}

/// Go's `DSAKeyFormat{Version, P, Q, G, Y, X}` sequence.
fn parse_dsa(data: &[u8]) -> Option<dsa::SigningKey> {
    let top = der::read_exact(data, der::SEQUENCE)?;
    let kids = der::children(top.content)?;
    if kids.len() != 6 || kids.iter().any(|k| k.tag != der::INTEGER) {
        return None;
    }
    let n = |i: usize| dsa::BigUint::from_bytes_be(kids[i].content);
    let components = dsa::Components::from_components(n(1), n(2), n(3)).ok()?;
    let public = dsa::VerifyingKey::from_components(components, n(4)).ok()?;
    dsa::SigningKey::from_components(public, n(5)).ok()
}

fn parse_pkcs8(data: &[u8]) -> Result<PrivateKey, String> {
    let malformed = || {
        "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)"
            .to_string()
    };
    let top = der::read_exact(data, der::SEQUENCE).ok_or_else(malformed)?;
    let kids = der::children(top.content).ok_or_else(malformed)?;
    let alg = kids.get(1).ok_or_else(malformed)?;
    let alg_kids = der::children(alg.content).ok_or_else(malformed)?;
    let alg_oid = alg_kids.first().ok_or_else(malformed)?.raw;
    let key = kids
        .get(2)
        .filter(|t| t.tag == der::OCTET_STRING)
        .ok_or_else(malformed)?;
    if alg_oid == der::oid(OID_RSA).as_slice() {
        return rsa::RsaPrivateKey::from_pkcs8_der(data)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| format!("x509: failed to parse RSA private key embedded in PKCS#8: {e}"));
    }
    if alg_oid == der::oid(OID_EC_PUBLIC_KEY).as_slice() {
        return parse_sec1(key.content)
            .map(PrivateKey::Ec)
            .ok_or_else(|| "x509: failed to parse EC private key embedded in PKCS#8".to_string());
    }
    if alg_oid == der::oid(OID_ED25519).as_slice() {
        let seed = der::read_exact(key.content, der::OCTET_STRING)
            .filter(|t| t.content.len() == 32)
            .ok_or_else(|| "x509: invalid Ed25519 private key".to_string())?;
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(seed.content);
        return Ok(PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(
            &bytes,
        )));
    }
    Err("x509: PKCS#8 wrapping contained private key with unknown algorithm".to_string())
}

/// Sprig's `parsePrivateKeyPEM`, with its error texts.
pub fn parse_private_key_pem(text: &str) -> Result<PrivateKey, String> {
    let (kind, data) = pem::decode(text).ok_or("no PEM data in input")?;
    if kind == "PRIVATE KEY" {
        return parse_pkcs8(&data).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
    }
    let Some(prefix) = kind.strip_suffix(" PRIVATE KEY") else {
        return Err(format!("no private key data in PEM block of type {kind}"));
    };
    match prefix {
        "RSA" => rsa::RsaPrivateKey::from_pkcs1_der(&data)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| format!("parsing RSA private key from PEM: {e}")),
        "EC" => parse_sec1(&data).map(PrivateKey::Ec).ok_or_else(|| {
            "parsing EC private key from PEM: x509: failed to parse EC private key".to_string()
        }),
        "DSA" => parse_dsa(&data)
            .map(|k| PrivateKey::Dsa(Box::new(k)))
            .ok_or_else(|| "parsing DSA private key from PEM: asn1: structure error".to_string()),
        _ => Err(format!("invalid private key type {kind}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec_and_ed25519_roundtrip() {
        for key in [PrivateKey::generate_ec(), PrivateKey::generate_ed25519()] {
            let pem = key.to_pem().unwrap();
            let back = parse_private_key_pem(&pem).unwrap();
            assert_eq!(back.public_key_info(), key.public_key_info());
            assert!(!key.sign(b"msg").unwrap().is_empty());
        }
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            parse_private_key_pem("nothing").err().unwrap(),
            "no PEM data in input"
        );
        let cert = pem::encode("CERTIFICATE", &[1, 2, 3]);
        assert_eq!(
            parse_private_key_pem(&cert).err().unwrap(),
            "no private key data in PEM block of type CERTIFICATE"
        );
        let odd = pem::encode("FOO PRIVATE KEY", &[1, 2, 3]);
        assert_eq!(
            parse_private_key_pem(&odd).err().unwrap(),
            "invalid private key type FOO PRIVATE KEY"
        );
    }
}

#[cfg(test)]
mod dsa_tests {
    use super::*;

    #[test]
    fn dsa_key_roundtrip_and_no_certificates() {
        let start = std::time::Instant::now();
        let key = PrivateKey::generate_dsa();
        eprintln!("dsa generation took {:?}", start.elapsed());
        let pem = key.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN DSA PRIVATE KEY-----\n"));
        let back = parse_private_key_pem(&pem).unwrap();
        assert!(matches!(back, PrivateKey::Dsa(_)));
        assert_eq!(
            back.certificate_error(true).unwrap(),
            "x509: certificate private key does not implement crypto.Signer"
        );
    }
}
