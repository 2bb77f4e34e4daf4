//! Sprig's `urlParse` and `urlJoin`, which expose Go's `net/url` parser
//! and serializer ([`crate::go_url`]) through a dict of `scheme`, `host`,
//! `hostname`, `path`, `query`, `opaque`, `fragment` and `userinfo`.

use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::go_url::{parse, Url};
use crate::value::{MapData, Value};

pub fn register(reg: &mut Registry) {
    reg.add("urlParse", Sig::fixed(&[Ty::String]), url_parse);
    reg.add("urlJoin", Sig::fixed(&[Ty::Map]), url_join);
}

fn url_parse(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let raw = a[0].as_str().unwrap_or("");
    let url = parse(raw).map_err(|e| FuncError::new(format!("unable to parse url: {e}")))?;
    let mut out = MapData::new();
    let hostname = url.hostname().to_string();
    out.insert("scheme".into(), Value::string(url.scheme));
    out.insert("host".into(), Value::string(url.host));
    out.insert("hostname".into(), Value::string(hostname));
    out.insert("path".into(), Value::string(url.path));
    out.insert("query".into(), Value::string(url.raw_query));
    out.insert("opaque".into(), Value::string(url.opaque));
    out.insert("fragment".into(), Value::string(url.fragment));
    let userinfo = url.user.map(|u| u.to_go_string()).unwrap_or_default();
    out.insert("userinfo".into(), Value::string(userinfo));
    Ok(Value::map(out))
}

/// A dict entry that must be a string when present.
fn dict_string(d: &Value, key: &str) -> Result<String, FuncError> {
    match d.get(key) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(Value::Nil) => Err(FuncError::new(super::lists::NIL_DEREFERENCE)),
        Some(other) => Err(FuncError::new(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            other.kind_name()
        ))),
    }
}

fn url_join(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let d = &a[0];
    let mut url = Url {
        scheme: dict_string(d, "scheme")?,
        host: dict_string(d, "host")?,
        path: dict_string(d, "path")?,
        raw_query: dict_string(d, "query")?,
        opaque: dict_string(d, "opaque")?,
        fragment: dict_string(d, "fragment")?,
        ..Url::default()
    };
    let userinfo = dict_string(d, "userinfo")?;
    if !userinfo.is_empty() {
        let raw = format!("proto://{userinfo}@host");
        let parsed = parse(&raw)
            .map_err(|e| FuncError::new(format!("unable to parse userinfo in dict: {e}")))?;
        url.user = parsed.user;
    }
    Ok(Value::string(url.to_go_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::gofmt::sprint;

    fn parsed(raw: &str) -> String {
        sprint(&url_parse(&mut FuncEnv::default(), &[Value::str(raw)]).unwrap())
    }

    #[test]
    fn parse_like_net_url() {
        assert_eq!(
            parsed("https://user:pw@example.com:8443/p/a%20th?q=1&r=two#frag"),
            "map[fragment:frag host:example.com:8443 hostname:example.com opaque: path:/p/a th query:q=1&r=two scheme:https userinfo:user:pw]"
        );
        assert_eq!(
            parsed("/just/a/path?x=y"),
            "map[fragment: host: hostname: opaque: path:/just/a/path query:x=y scheme: userinfo:]"
        );
        assert_eq!(
            parsed("mailto:me@x.org"),
            "map[fragment: host: hostname: opaque:me@x.org path: query: scheme:mailto userinfo:]"
        );
        let e = url_parse(&mut FuncEnv::default(), &[Value::str("%zz")]).unwrap_err();
        assert_eq!(
            e.0,
            "unable to parse url: parse \"%zz\": invalid URL escape \"%zz\""
        );
        let e = url_parse(&mut FuncEnv::default(), &[Value::str(":x")]).unwrap_err();
        assert_eq!(
            e.0,
            "unable to parse url: parse \":x\": missing protocol scheme"
        );
    }

    #[test]
    fn join_like_url_string() {
        let mut d = MapData::new();
        d.insert("scheme".into(), Value::str("https"));
        d.insert("host".into(), Value::str("h:1"));
        d.insert("path".into(), Value::str("/a b"));
        d.insert("query".into(), Value::str("x=1"));
        d.insert("fragment".into(), Value::str("f g"));
        d.insert("userinfo".into(), Value::str("u:p"));
        let r = url_join(&mut FuncEnv::default(), &[Value::map(d)]).unwrap();
        assert_eq!(r.as_str(), Some("https://u:p@h:1/a%20b?x=1#f%20g"));
        let mut d = MapData::new();
        d.insert("host".into(), Value::Int(1));
        let e = url_join(&mut FuncEnv::default(), &[Value::map(d)]).unwrap_err();
        assert_eq!(
            e.0,
            "unable to parse host key, must be of type string, but int found"
        );
    }
}
