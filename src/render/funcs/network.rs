//! `getHostByName`. Helm replaces Sprig's resolver with one returning ""
//! unless DNS lookups were enabled (`--enable-dns`), so rendering stays
//! hermetic by default.

use std::net::ToSocketAddrs;

use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::value::Value;

pub fn register(reg: &mut Registry) {
    reg.add("getHostByName", Sig::fixed(&[Ty::String]), get_host_by_name);
}

fn get_host_by_name(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    if !env.enable_dns {
        return Ok(Value::str(""));
    }
    let name = args.first().and_then(Value::as_str).unwrap_or("");
    let mut addrs: Vec<String> = (name, 0)
        .to_socket_addrs()
        .map(|it| it.map(|a| a.ip().to_string()).collect())
        .unwrap_or_default();
    addrs.dedup();
    if addrs.is_empty() {
        // Sprig indexes a random element of an empty slice: Go's panic text.
        return Err(FuncError::new("invalid argument to Intn"));
    }
    let i = env.random_below(addrs.len() as u64) as usize;
    Ok(Value::string(addrs.swap_remove(i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_by_default() {
        let mut env = FuncEnv::default();
        let r = get_host_by_name(&mut env, &[Value::str("localhost")]).unwrap();
        assert_eq!(r.as_str(), Some(""));
    }

    #[test]
    fn resolves_localhost_when_enabled() {
        let mut env = FuncEnv {
            enable_dns: true,
            ..FuncEnv::default()
        };
        let r = get_host_by_name(&mut env, &[Value::str("localhost")]).unwrap();
        let ip = r.as_str().unwrap();
        assert!(ip == "127.0.0.1" || ip == "::1", "{ip}");
    }
}
