//! Sprig's random functions. The generator lives in [`FuncEnv`] so tests
//! (and `--seed`-like tooling) can make output reproducible.

use super::encoding::base64_encode;
use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::value::Value;

pub fn register(reg: &mut Registry) {
    const COUNT: Sig = Sig::fixed(&[Ty::Int]);
    reg.add("randAlphaNum", COUNT, rand_alpha_num);
    reg.add("randAlpha", COUNT, rand_alpha);
    reg.add("randNumeric", COUNT, rand_numeric);
    reg.add("randAscii", COUNT, rand_ascii);
    reg.add("randBytes", COUNT, rand_bytes);
    reg.add("randInt", Sig::fixed(&[Ty::Int, Ty::Int]), rand_int);
    reg.add("uuidv4", Sig::fixed(&[]), uuidv4);
}

const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DIGITS: &[u8] = b"0123456789";

fn count(args: &[Value]) -> i64 {
    match args.first() {
        Some(Value::Int(n)) | Some(Value::Int64(n)) => *n,
        _ => 0,
    }
}

/// `count` characters drawn uniformly from `alphabet`; a negative count is
/// an error in goutils, which Sprig turns into "".
fn random_string(env: &mut FuncEnv, n: i64, alphabet: &[u8]) -> Value {
    if n <= 0 {
        return Value::str("");
    }
    let s: String = (0..n)
        .map(|_| alphabet[env.random_below(alphabet.len() as u64) as usize] as char)
        .collect();
    Value::string(s)
}

fn rand_alpha_num(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let alphabet = [LETTERS, DIGITS].concat();
    Ok(random_string(env, count(args), &alphabet))
}

fn rand_alpha(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(random_string(env, count(args), LETTERS))
}

fn rand_numeric(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(random_string(env, count(args), DIGITS))
}

fn rand_ascii(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let printable: Vec<u8> = (32u8..127).collect();
    Ok(random_string(env, count(args), &printable))
}

fn rand_bytes(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let n = count(args);
    if n < 0 {
        return Err(FuncError::new("runtime error: makeslice: len out of range"));
    }
    let bytes: Vec<u8> = (0..n).map(|_| env.next_random() as u8).collect();
    Ok(Value::string(base64_encode(&bytes)))
}

fn rand_int(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let (min, max) = match args {
        [Value::Int(a), Value::Int(b)] => (*a, *b),
        _ => (0, 0),
    };
    let span = max.wrapping_sub(min);
    if span <= 0 {
        return Err(FuncError::new("invalid argument to Intn"));
    }
    Ok(Value::Int(min + env.random_below(span as u64) as i64))
}

fn uuidv4(env: &mut FuncEnv, _args: &[Value]) -> FuncResult {
    let mut b = [0u8; 16];
    let (hi, lo) = (env.next_random(), env.next_random());
    b[..8].copy_from_slice(&hi.to_be_bytes());
    b[8..].copy_from_slice(&lo.to_be_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = super::hashes::hex(&b);
    Ok(Value::string(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> FuncEnv {
        FuncEnv {
            rng_seed: Some(7),
            ..FuncEnv::default()
        }
    }

    fn text(v: FuncResult) -> String {
        v.unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn shapes() {
        let mut e = env();
        let s = text(rand_alpha_num(&mut e, &[Value::Int(12)]));
        assert_eq!(s.len(), 12);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(text(rand_numeric(&mut e, &[Value::Int(7)]))
            .bytes()
            .all(|b| b.is_ascii_digit()));
        assert_eq!(text(rand_alpha(&mut e, &[Value::Int(-1)])), "");
        assert_eq!(text(rand_bytes(&mut e, &[Value::Int(3)])).len(), 4);
        let u = text(uuidv4(&mut e, &[]));
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert!(matches!(
            rand_int(&mut e, &[Value::Int(5), Value::Int(6)]),
            Ok(Value::Int(5))
        ));
        assert_eq!(
            rand_int(&mut e, &[Value::Int(5), Value::Int(5)])
                .unwrap_err()
                .0,
            "invalid argument to Intn"
        );
    }

    #[test]
    fn seeded_output_repeats() {
        let a = text(rand_alpha_num(&mut env(), &[Value::Int(16)]));
        let b = text(rand_alpha_num(&mut env(), &[Value::Int(16)]));
        assert_eq!(a, b);
    }
}
