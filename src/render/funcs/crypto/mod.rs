//! Sprig's crypto functions: password hashing (`bcrypt`, `htpasswd`,
//! `derivePassword`), keys and certificates (`genPrivateKey`, `genCA`,
//! `genSelfSignedCert`, `genSignedCert`, their `WithKey` forms,
//! `buildCustomCert`) and `encryptAES`/`decryptAES`.
//!
//! Like Sprig, several functions report failure *in their result string*
//! instead of failing the template; those texts are Sprig's.

mod cert;
mod der;
mod keys;
mod lucas;
mod montgomery;
mod password;
mod pem;
mod rsa_keygen;

use std::net::IpAddr;
use std::rc::Rc;

use super::encoding::{base64_decode, base64_encode};
use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::render::gofmt;
use crate::value::{MapData, Object, Value};
use keys::PrivateKey;

pub fn register(reg: &mut Registry) {
    use Ty::{Int, List, String as S};
    const CERT: Ty = Ty::Named("sprig.certificate");
    reg.add("bcrypt", Sig::fixed(&[S]), password::bcrypt_fn);
    reg.add("htpasswd", Sig::fixed(&[S, S]), password::htpasswd);
    reg.add(
        "derivePassword",
        Sig::fixed(&[Int, S, S, S, S]),
        password::derive_password,
    );
    reg.add("genPrivateKey", Sig::fixed(&[S]), gen_private_key);
    reg.add("buildCustomCert", Sig::fixed(&[S, S]), build_custom_cert);
    reg.add("genCA", Sig::fixed(&[S, Int]), gen_ca);
    reg.add("genCAWithKey", Sig::fixed(&[S, Int, S]), gen_ca_with_key);
    reg.add(
        "genSelfSignedCert",
        Sig::fixed(&[S, List, List, Int]),
        gen_self_signed_cert,
    );
    reg.add(
        "genSelfSignedCertWithKey",
        Sig::fixed(&[S, List, List, Int, S]),
        gen_self_signed_cert_with_key,
    );
    reg.add(
        "genSignedCert",
        Sig::fixed(&[S, List, List, Int, CERT]),
        gen_signed_cert,
    );
    reg.add(
        "genSignedCertWithKey",
        Sig::fixed(&[S, List, List, Int, CERT, S]),
        gen_signed_cert_with_key,
    );
    reg.add("encryptAES", Sig::fixed(&[S, S]), encrypt_aes);
    reg.add("decryptAES", Sig::fixed(&[S, S]), decrypt_aes);
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => 0,
    }
}

/// Sprig's `certificate{Cert, Key}` struct.
#[derive(Debug, Clone)]
pub struct CertObject {
    pub cert: String,
    pub key: String,
}

impl CertObject {
    fn value(cert: String, key: String) -> Value {
        Value::Object(Rc::new(CertObject { cert, key }))
    }
}

impl Object for CertObject {
    fn type_name(&self) -> String {
        "sprig.certificate".to_string()
    }
    fn kind_name(&self) -> &'static str {
        "struct"
    }
    fn get_field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(&self.cert)),
            "Key" => Some(Value::str(&self.key)),
            _ => None,
        }
    }
    fn format_go(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn to_data(&self) -> Option<Value> {
        let mut m = MapData::new();
        m.insert("Cert".to_string(), Value::str(&self.cert));
        m.insert("Key".to_string(), Value::str(&self.key));
        Some(Value::map(m))
    }
}

fn gen_private_key(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let typ = text(&args[0]);
    let key = match typ {
        "" | "rsa" => PrivateKey::generate_rsa(4096),
        "ecdsa" => Ok(PrivateKey::generate_ec()),
        "ed25519" => Ok(PrivateKey::generate_ed25519()),
        "dsa" => Ok(PrivateKey::generate_dsa()),
        _ => return Ok(Value::string(format!("Unknown type {typ}"))),
    };
    let out = key
        .and_then(|k| k.to_pem())
        .unwrap_or_else(|e| format!("failed to generate private key: {e}"));
    Ok(Value::string(out))
}

/// Go's `net.ParseIP` for the addresses certificates take.
fn parse_ip(s: &str) -> Option<IpAddr> {
    s.parse().ok()
}

fn list_items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.items.borrow().clone(),
        _ => Vec::new(),
    }
}

fn net_ips(v: &Value) -> Result<Vec<IpAddr>, FuncError> {
    list_items(v)
        .iter()
        .map(|item| match item {
            Value::String(s) => {
                parse_ip(s).ok_or_else(|| FuncError::new(format!("error parsing ip: {s}")))
            }
            other => Err(FuncError::new(format!(
                "error parsing ip: {} is not a string",
                gofmt::sprint(other)
            ))),
        })
        .collect()
}

fn dns_names(v: &Value) -> Result<Vec<String>, FuncError> {
    list_items(v)
        .iter()
        .map(|item| match item {
            Value::String(s) => Ok(s.to_string()),
            other => Err(FuncError::new(format!(
                "error processing alternate dns name: {} is not a string",
                gofmt::sprint(other)
            ))),
        })
        .collect()
}

fn template(
    env: &FuncEnv,
    cn: &str,
    ips: &Value,
    dns: &Value,
    days: i64,
    is_ca: bool,
) -> Result<cert::Template, FuncError> {
    Ok(cert::Template {
        common_name: cn.to_string(),
        ips: net_ips(ips)?,
        dns_names: dns_names(dns)?,
        not_before: env.now().0,
        days_valid: days,
        is_ca,
    })
}

fn issue(template: &cert::Template, key: &PrivateKey, signer: Option<&cert::Signer>) -> FuncResult {
    let der = cert::create(template, key, signer)
        .map_err(|e| FuncError::new(format!("error creating certificate: {e}")))?;
    let key_pem = key
        .to_pem()
        .map_err(|e| FuncError::new(format!("error pem-encoding key: {e}")))?;
    Ok(CertObject::value(cert::to_pem(&der), key_pem))
}

fn rsa_2048() -> Result<PrivateKey, FuncError> {
    PrivateKey::generate_rsa(2048)
        .map_err(|e| FuncError::new(format!("error generating rsa key: {e}")))
}

fn key_from_pem(text: &str) -> Result<PrivateKey, FuncError> {
    keys::parse_private_key_pem(text)
        .map_err(|e| FuncError::new(format!("parsing private key: {e}")))
}

fn gen_ca(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let key = rsa_2048()?;
    let t = template(
        env,
        text(&args[0]),
        &Value::Nil,
        &Value::Nil,
        int(&args[1]),
        true,
    )?;
    issue(&t, &key, None)
}

fn gen_ca_with_key(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let key = key_from_pem(text(&args[2]))?;
    let t = template(
        env,
        text(&args[0]),
        &Value::Nil,
        &Value::Nil,
        int(&args[1]),
        true,
    )?;
    issue(&t, &key, None)
}

fn gen_self_signed_cert(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let key = rsa_2048()?;
    let t = template(
        env,
        text(&args[0]),
        &args[1],
        &args[2],
        int(&args[3]),
        false,
    )?;
    issue(&t, &key, None)
}

fn gen_self_signed_cert_with_key(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let key = key_from_pem(text(&args[4]))?;
    let t = template(
        env,
        text(&args[0]),
        &args[1],
        &args[2],
        int(&args[3]),
        false,
    )?;
    issue(&t, &key, None)
}

fn ca_arg(v: &Value) -> Result<CertObject, FuncError> {
    match v {
        Value::Object(o) => match o.as_any().downcast_ref::<CertObject>() {
            Some(c) => Ok(c.clone()),
            None => Err(FuncError::new(format!(
                "wrong type for value; expected sprig.certificate; got {}",
                o.type_name()
            ))),
        },
        other => Err(FuncError::new(format!(
            "wrong type for value; expected sprig.certificate; got {}",
            other.type_name()
        ))),
    }
}

fn signed(env: &FuncEnv, args: &[Value], key: PrivateKey) -> FuncResult {
    let ca = ca_arg(&args[4])?;
    let (_, ca_der) =
        pem::decode(&ca.cert).ok_or_else(|| FuncError::new("unable to decode certificate"))?;
    let parsed = cert::parse(&ca_der).map_err(|e| {
        FuncError::new(format!(
            "error parsing certificate: decodedSignerCert.Bytes: {e}"
        ))
    })?;
    let ca_key = keys::parse_private_key_pem(&ca.key)
        .map_err(|e| FuncError::new(format!("error parsing private key: {e}")))?;
    let t = template(
        env,
        text(&args[0]),
        &args[1],
        &args[2],
        int(&args[3]),
        false,
    )?;
    let signer = cert::Signer {
        subject: parsed.subject,
        subject_key_id: parsed.subject_key_id,
        public_key_info: Some(parsed.public_key_info),
        key: &ca_key,
    };
    issue(&t, &key, Some(&signer))
}

fn gen_signed_cert(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    ca_arg(&args[4])?;
    let key = rsa_2048()?;
    signed(env, args, key)
}

fn gen_signed_cert_with_key(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    ca_arg(&args[4])?;
    let key = key_from_pem(text(&args[5]))?;
    signed(env, args, key)
}

fn build_custom_cert(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let cert_pem = base64_decode(text(&args[0]))
        .map_err(|_| FuncError::new("unable to decode base64 certificate"))?;
    let key_pem = base64_decode(text(&args[1]))
        .map_err(|_| FuncError::new("unable to decode base64 private key"))?;
    let cert_text = String::from_utf8_lossy(&cert_pem).into_owned();
    let key_text = String::from_utf8_lossy(&key_pem).into_owned();
    let (_, der) =
        pem::decode(&cert_text).ok_or_else(|| FuncError::new("unable to decode certificate"))?;
    cert::parse(&der).map_err(|e| {
        FuncError::new(format!("error parsing certificate: decodedCert.Bytes: {e}"))
    })?;
    keys::parse_private_key_pem(&key_text)
        .map_err(|e| FuncError::new(format!("error parsing private key: {e}")))?;
    Ok(CertObject::value(cert_text, key_text))
}

/// The AES-256 key Sprig derives: the password's bytes, zero-padded or cut to 32.
fn aes_key(password: &str) -> aes::Aes256 {
    use aes::cipher::KeyInit;
    let mut key = [0u8; 32];
    let bytes = password.as_bytes();
    let n = bytes.len().min(32);
    key[..n].copy_from_slice(&bytes[..n]);
    aes::Aes256::new(&key.into())
}

fn encrypt_aes(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    use aes::cipher::BlockEncrypt;
    use rand_core::RngCore;
    let plain = text(&args[1]).as_bytes();
    if plain.is_empty() {
        return Ok(Value::str(""));
    }
    let cipher = aes_key(text(&args[0]));
    let pad = 16 - plain.len() % 16;
    let mut content = plain.to_vec();
    content.extend(std::iter::repeat_n(pad as u8, pad));
    let mut iv = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut iv);
    let mut out = iv.to_vec();
    let mut prev = iv;
    for chunk in content.chunks(16) {
        let mut block = [0u8; 16];
        for i in 0..16 {
            block[i] = chunk[i] ^ prev[i];
        }
        let mut ga = block.into();
        cipher.encrypt_block(&mut ga);
        prev = ga.into();
        out.extend_from_slice(&prev);
    }
    Ok(Value::string(base64_encode(&out)))
}

fn decrypt_aes(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    use aes::cipher::BlockDecrypt;
    let encoded = text(&args[1]);
    if encoded.is_empty() {
        return Ok(Value::str(""));
    }
    let crypt = base64_decode(encoded).map_err(FuncError::new)?;
    let cipher = aes_key(text(&args[0]));
    if crypt.len() < 16 {
        return Err(FuncError::new(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            encoded.len() / 4 * 3
        )));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err(FuncError::new("crypto/cipher: input not full blocks"));
    }
    let mut prev: [u8; 16] = iv.try_into().unwrap_or([0u8; 16]);
    let mut plain = Vec::with_capacity(body.len());
    for chunk in body.chunks(16) {
        let mut ga = <[u8; 16]>::try_from(chunk).unwrap_or([0u8; 16]).into();
        cipher.decrypt_block(&mut ga);
        let block: [u8; 16] = ga.into();
        for i in 0..16 {
            plain.push(block[i] ^ prev[i]);
        }
        prev.copy_from_slice(chunk);
    }
    let Some(&pad) = plain.last() else {
        return Err(FuncError::new("runtime error: index out of range [-1]"));
    };
    let keep = plain.len() as i64 - pad as i64;
    if keep < 0 {
        return Err(FuncError::new(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        )));
    }
    plain.truncate(keep as usize);
    Ok(Value::from_go_bytes(plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[Value]) -> FuncResult {
        let mut reg = Registry::default();
        register(&mut reg);
        (reg.get(name).expect("registered").f)(&mut FuncEnv::default(), args)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn aes_roundtrip() {
        let enc = call("encryptAES", &[s("secretkey"), s("plaintext")]).unwrap();
        let dec = call("decryptAES", &[s("secretkey"), enc]).unwrap();
        assert_eq!(dec.as_str(), Some("plaintext"));
        assert_eq!(
            call("encryptAES", &[s("k"), s("")]).unwrap().as_str(),
            Some("")
        );
        assert!(call("decryptAES", &[s("k"), s("!!")]).is_err());
    }

    #[test]
    fn ecdsa_ca_and_signed_cert() {
        let key = call("genPrivateKey", &[s("ecdsa")]).unwrap();
        let key = key.as_str().unwrap().to_string();
        assert!(key.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        let ca = call("genCAWithKey", &[s("my-ca"), Value::Int(30), s(&key)]).unwrap();
        let Value::Object(o) = &ca else { panic!() };
        let cert_pem = o.get_field("Cert").unwrap();
        assert!(cert_pem
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----"));
        let leaf_key = call("genPrivateKey", &[s("ed25519")]).unwrap();
        let ips = Value::list(vec![s("10.0.0.1"), s("::1")]);
        let dns = Value::list(vec![s("a.example")]);
        let leaf = call(
            "genSignedCertWithKey",
            &[s("leaf"), ips, dns, Value::Int(10), ca.clone(), leaf_key],
        )
        .unwrap();
        assert_eq!(leaf.as_str(), None, "a certificate object, not a string");
        let bad_ip = call(
            "genSelfSignedCertWithKey",
            &[
                s("x"),
                Value::list(vec![s("nope")]),
                Value::Nil,
                Value::Int(1),
                s(&key),
            ],
        );
        assert_eq!(bad_ip.unwrap_err().0, "error parsing ip: nope");
        assert_eq!(
            call("genCAWithKey", &[s("x"), Value::Int(1), s("junk")])
                .unwrap_err()
                .0,
            "parsing private key: no PEM data in input"
        );
        assert_eq!(
            call("genPrivateKey", &[s("foo")]).unwrap().as_str(),
            Some("Unknown type foo")
        );
    }
}

#[cfg(test)]
mod rsa_tests {
    use super::*;

    /// RSA generation is slow without optimisation; one 2048-bit CA keeps
    /// the RSA path (PKCS#1 PEM, SHA-256 signatures) covered.
    #[test]
    fn rsa_ca_shape() {
        let mut reg = Registry::default();
        register(&mut reg);
        let start = std::time::Instant::now();
        let ca = (reg.get("genCA").unwrap().f)(
            &mut FuncEnv::default(),
            &[Value::str("my-ca"), Value::Int(365)],
        )
        .unwrap();
        eprintln!("genCA took {:?}", start.elapsed());
        let Value::Object(o) = &ca else { panic!() };
        let key = o.get_field("Key").unwrap();
        assert!(key
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        let cert = o.get_field("Cert").unwrap();
        let (_, der) = pem::decode(cert.as_str().unwrap()).unwrap();
        assert!(cert::parse(&der).is_ok());
        assert!(keys::parse_private_key_pem(key.as_str().unwrap()).is_ok());
    }
}
