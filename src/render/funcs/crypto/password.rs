//! Password functions: `bcrypt` and `htpasswd` (Go's bcrypt, `$2a$`, cost
//! 10) and `derivePassword` (the Master Password algorithm: scrypt key,
//! HMAC-SHA256 seed, template characters).

use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;

use super::super::{FuncEnv, FuncResult};
use crate::value::Value;

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Go's `bcrypt.GenerateFromPassword(p, bcrypt.DefaultCost)`; failures are
/// reported in the result text as Sprig does.
fn bcrypt_hash(password: &str) -> String {
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .to_string();
    }
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    match bcrypt::hash_with_salt(password, 10, salt) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

pub fn bcrypt_fn(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(bcrypt_hash(text(&args[0]))))
}

pub fn htpasswd(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let user = text(&args[0]);
    if user.contains(':') {
        return Ok(Value::string(format!("invalid username: {user}")));
    }
    Ok(Value::string(format!(
        "{user}:{}",
        bcrypt_hash(text(&args[1]))
    )))
}

const SEED: &str = "com.lyndir.masterpassword";

/// Character templates per password type.
fn templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn class_chars(c: u8) -> &'static str {
    match c {
        b'V' => "AEIOU",
        b'C' => "BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => "aeiou",
        b'c' => "bcdfghjklmnpqrstvwxyz",
        b'A' => "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => "0123456789",
        b'o' => "@&%?,=[]_:-+*$#!'^~;()/.",
        b'x' => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
        _ => "",
    }
}

fn derive(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let derived = scrypt::Params::new(15, 8, 2, 64)
        .map_err(|e| e.to_string())
        .and_then(|p| {
            scrypt::scrypt(password.as_bytes(), &salt, &p, &mut key).map_err(|e| e.to_string())
        });
    if let Err(e) = derived {
        return format!("failed to derive password: {e}");
    }
    let mut message = SEED.as_bytes().to_vec();
    message.extend_from_slice(&(site.len() as u32).to_be_bytes());
    message.extend_from_slice(site.as_bytes());
    message.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return "failed to derive password".to_string();
    };
    mac.update(&message);
    let seed = mac.finalize().into_bytes();
    let template = templates[seed[0] as usize % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, class)| {
            let chars = class_chars(class).as_bytes();
            chars[seed[i + 1] as usize % chars.len()] as char
        })
        .collect()
}

pub fn derive_password(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let counter = match &args[0] {
        Value::Int(i) | Value::Int64(i) => *i as u32,
        _ => 0,
    };
    Ok(Value::string(derive(
        counter,
        text(&args[1]),
        text(&args[2]),
        text(&args[3]),
        text(&args[4]),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_password_vectors() {
        assert_eq!(
            derive(1, "long", "password", "user", "example.com"),
            "ZedaFaxcZaso9*"
        );
        assert_eq!(
            derive(2, "maximum", "pw", "u", "site"),
            "w2.W)8^z^jXOpKNv@aZf"
        );
        assert_eq!(
            derive(1, "nope", "a", "b", "c"),
            "cannot find password template nope"
        );
    }

    #[test]
    fn bcrypt_format() {
        let h = bcrypt_hash("secret");
        assert!(h.starts_with("$2a$10$"), "{h}");
        assert_eq!(h.len(), 60);
        assert!(bcrypt::verify("secret", &h).unwrap());
        assert!(bcrypt_hash(&"x".repeat(73)).starts_with("failed to encrypt"));
    }
}
