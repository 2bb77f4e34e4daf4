//! X.509 certificates as Sprig builds them through Go's
//! `x509.CreateCertificate`: v3, random 128-bit serial, `CN=<cn>` subject,
//! key usage, server+client extended key usage, basic constraints, key
//! identifiers and subject alternative names, in Go's extension order.

use std::net::IpAddr;

use rand_core::{OsRng, RngCore};

use super::der;
use super::keys::PrivateKey;
use super::pem;
use crate::render::funcs::dates::{GoTime, Location};

const OID_CN: &[u64] = &[2, 5, 4, 3];
const OID_KEY_USAGE: &[u64] = &[2, 5, 29, 15];
const OID_EXT_KEY_USAGE: &[u64] = &[2, 5, 29, 37];
const OID_BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];
const OID_SUBJECT_KEY_ID: &[u64] = &[2, 5, 29, 14];
const OID_AUTHORITY_KEY_ID: &[u64] = &[2, 5, 29, 35];
const OID_SAN: &[u64] = &[2, 5, 29, 17];
const OID_SERVER_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 1];
const OID_CLIENT_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 2];

/// What `getBaseCertTemplate` (plus the CA override) describes.
pub struct Template {
    pub common_name: String,
    pub ips: Vec<IpAddr>,
    pub dns_names: Vec<String>,
    pub not_before: i64,
    pub days_valid: i64,
    pub is_ca: bool,
}

/// The parts of a signer certificate that issuing needs.
pub struct Signer<'a> {
    pub subject: Vec<u8>,
    pub subject_key_id: Option<Vec<u8>>,
    pub public_key_info: Option<Vec<u8>>,
    pub key: &'a PrivateKey,
}

fn name(common_name: &str) -> Vec<u8> {
    if common_name.is_empty() {
        return der::seq(&[]);
    }
    let atv = der::seq(&[der::oid(OID_CN), der::go_string(common_name)]);
    der::seq(&[der::tlv(der::SET, &atv)])
}

/// UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280).
fn time(unix: i64) -> Vec<u8> {
    let t = GoTime::from_unix(unix, 0, Location::utc());
    let year: i64 = t.format("2006").parse().unwrap_or(0);
    if (1950..2050).contains(&year) {
        der::tlv(0x17, t.format("060102150405Z").as_bytes())
    } else {
        der::tlv(0x18, t.format("20060102150405Z").as_bytes())
    }
}

fn extension(oid: &[u64], critical: bool, value: &[u8]) -> Vec<u8> {
    let mut parts = vec![der::oid(oid)];
    if critical {
        parts.push(der::boolean(true));
    }
    parts.push(der::octet_string(value));
    der::seq(&parts)
}

/// Go's `KeyUsage` bit set as a DER BIT STRING (bit 0 = digitalSignature).
fn key_usage(bits: u16) -> Vec<u8> {
    let a = [
        (bits as u8).reverse_bits(),
        ((bits >> 8) as u8).reverse_bits(),
    ];
    let bytes: &[u8] = if a[1] != 0 { &a } else { &a[..1] };
    let last = bytes[bytes.len() - 1];
    let unused = if last == 0 {
        0
    } else {
        last.trailing_zeros() as u8
    };
    der::bit_string(bytes, unused)
}

const DIGITAL_SIGNATURE: u16 = 1;
const KEY_ENCIPHERMENT: u16 = 1 << 2;
const CERT_SIGN: u16 = 1 << 5;

/// Creates a certificate for `subject_key`, signed by `signer` (the same
/// key and the template itself when self-signed). Returns DER.
pub fn create(
    template: &Template,
    subject_key: &PrivateKey,
    signer: Option<&Signer>,
) -> Result<Vec<u8>, String> {
    if let Some(e) = signer
        .map_or(subject_key, |s| s.key)
        .certificate_error(true)
    {
        return Err(e);
    }
    if let Some(e) = subject_key.certificate_error(false) {
        return Err(e);
    }
    let subject = name(&template.common_name);
    let (issuer, signing_key, parent_key_id) = match signer {
        Some(s) => {
            if let Some(spki) = &s.public_key_info {
                if *spki != s.key.public_key_info() {
                    return Err(
                        "x509: provided PrivateKey doesn't match parent's PublicKey".to_string()
                    );
                }
            }
            (s.subject.clone(), s.key, s.subject_key_id.clone())
        }
        None => (subject.clone(), subject_key, None),
    };
    let mut serial = [0u8; 16];
    OsRng.fill_bytes(&mut serial);

    let mut usage = DIGITAL_SIGNATURE | KEY_ENCIPHERMENT;
    if template.is_ca {
        usage |= CERT_SIGN;
    }
    let mut exts = vec![
        extension(OID_KEY_USAGE, true, &key_usage(usage)),
        extension(
            OID_EXT_KEY_USAGE,
            false,
            &der::seq(&[der::oid(OID_SERVER_AUTH), der::oid(OID_CLIENT_AUTH)]),
        ),
        extension(
            OID_BASIC_CONSTRAINTS,
            true,
            &if template.is_ca {
                der::seq(&[der::boolean(true)])
            } else {
                der::seq(&[])
            },
        ),
    ];
    let own_key_id = template.is_ca.then(|| subject_key.key_id());
    if let Some(id) = &own_key_id {
        exts.push(extension(OID_SUBJECT_KEY_ID, false, &der::octet_string(id)));
    }
    let self_issued = issuer == subject;
    let authority_key_id = match signer {
        Some(_) if !self_issued => parent_key_id,
        _ => None,
    };
    if let Some(id) = authority_key_id {
        exts.push(extension(
            OID_AUTHORITY_KEY_ID,
            false,
            &der::seq(&[der::implicit(0, &id)]),
        ));
    }
    if !template.dns_names.is_empty() || !template.ips.is_empty() {
        let mut names: Vec<Vec<u8>> = template
            .dns_names
            .iter()
            .map(|d| der::implicit(2, d.as_bytes()))
            .collect();
        for ip in &template.ips {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => v4.octets().to_vec(),
                    None => v6.octets().to_vec(),
                },
            };
            names.push(der::implicit(7, &bytes));
        }
        exts.push(extension(
            OID_SAN,
            template.common_name.is_empty(),
            &der::seq(&names),
        ));
    }

    let not_after = template.not_before + template.days_valid * 24 * 3600;
    let tbs = der::seq(&[
        der::explicit(0, &der::small_int(2)),
        der::uint(&serial),
        signing_key.signature_algorithm(),
        issuer,
        der::seq(&[time(template.not_before), time(not_after)]),
        subject,
        subject_key.public_key_info(),
        der::explicit(3, &der::seq(&exts)),
    ]);
    let signature = signing_key.sign(&tbs)?;
    Ok(der::seq(&[
        tbs,
        signing_key.signature_algorithm(),
        der::bit_string(&signature, 0),
    ]))
}

/// The facts about a parsed certificate that issuing needs.
pub struct ParsedCert {
    pub subject: Vec<u8>,
    pub subject_key_id: Option<Vec<u8>>,
    pub public_key_info: Vec<u8>,
}

/// A structural parse of a DER certificate (`x509.ParseCertificate`'s
/// job, as far as telling good input from bad).
pub fn parse(data: &[u8]) -> Result<ParsedCert, String> {
    let malformed = || "x509: malformed certificate".to_string();
    let cert = der::read_exact(data, der::SEQUENCE).ok_or_else(malformed)?;
    let parts = der::children(cert.content).ok_or_else(malformed)?;
    if parts.len() != 3 || parts[0].tag != der::SEQUENCE || parts[2].tag != der::BIT_STRING {
        return Err(malformed());
    }
    let tbs = der::children(parts[0].content).ok_or_else(malformed)?;
    let offset = usize::from(tbs.first().is_some_and(|t| t.tag == 0xa0));
    let field = |i: usize| tbs.get(offset + i).ok_or_else(malformed);
    if field(0)?.tag != der::INTEGER {
        return Err("x509: malformed serial number".to_string());
    }
    let subject = field(4)?;
    let spki = field(5)?;
    if subject.tag != der::SEQUENCE || spki.tag != der::SEQUENCE {
        return Err(malformed());
    }
    let mut subject_key_id = None;
    if let Some(exts) = tbs.iter().find(|t| t.tag == 0xa3) {
        let list = der::read_exact(exts.content, der::SEQUENCE).ok_or_else(malformed)?;
        for ext in der::children(list.content).ok_or_else(malformed)? {
            let kids = der::children(ext.content).ok_or_else(malformed)?;
            if kids.first().map(|k| k.raw) == Some(der::oid(OID_SUBJECT_KEY_ID).as_slice()) {
                if let Some(value) = kids.last() {
                    if let Some(id) = der::read_exact(value.content, der::OCTET_STRING) {
                        subject_key_id = Some(id.content.to_vec());
                    }
                }
            }
        }
    }
    Ok(ParsedCert {
        subject: subject.raw.to_vec(),
        subject_key_id,
        public_key_info: spki.raw.to_vec(),
    })
}

/// PEM `CERTIFICATE` text of DER bytes.
pub fn to_pem(der_bytes: &[u8]) -> String {
    pem::encode("CERTIFICATE", der_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_usage_bits_like_go() {
        assert_eq!(
            key_usage(DIGITAL_SIGNATURE | KEY_ENCIPHERMENT),
            [3, 2, 5, 0xa0]
        );
        assert_eq!(
            key_usage(DIGITAL_SIGNATURE | KEY_ENCIPHERMENT | CERT_SIGN),
            [3, 2, 2, 0xa4]
        );
    }

    #[test]
    fn issue_and_parse_with_ec_keys() {
        let ca_key = PrivateKey::generate_ec();
        let ca = Template {
            common_name: "my-ca".to_string(),
            ips: vec![],
            dns_names: vec![],
            not_before: 1_700_000_000,
            days_valid: 365,
            is_ca: true,
        };
        let ca_der = create(&ca, &ca_key, None).unwrap();
        let parsed = parse(&ca_der).unwrap();
        assert_eq!(parsed.subject, name("my-ca"));
        assert_eq!(parsed.subject_key_id, Some(ca_key.key_id()));
        let leaf_key = PrivateKey::generate_ed25519();
        let leaf = Template {
            common_name: "svc".to_string(),
            ips: vec!["10.0.0.1".parse().unwrap()],
            dns_names: vec!["svc.local".to_string()],
            not_before: 1_700_000_000,
            days_valid: 30,
            is_ca: false,
        };
        let signer = Signer {
            subject: parsed.subject,
            subject_key_id: parsed.subject_key_id,
            public_key_info: Some(parsed.public_key_info),
            key: &ca_key,
        };
        let leaf_der = create(&leaf, &leaf_key, Some(&signer)).unwrap();
        assert!(parse(&leaf_der).is_ok());
        let wrong = Signer {
            key: &leaf_key,
            ..signer
        };
        assert!(create(&leaf, &leaf_key, Some(&wrong)).is_err());
        assert!(parse(&[0x30, 0x00]).is_err());
    }
}
