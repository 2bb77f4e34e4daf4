//! Sprig's path helpers: `base`, `dir`, `clean`, `ext`, `isAbs` (Go's
//! slash-separated `path` package) and their `os*` twins (`path/filepath`,
//! which on the Unix systems Helm runs on behaves identically).

use super::{FuncEnv, FuncResult, NativeFn, Registry, Sig, Ty};
use crate::value::Value;

pub fn register(reg: &mut Registry) {
    let one = Sig::fixed(&[Ty::String]);
    let table: [(&'static str, &'static str, NativeFn); 5] = [
        ("base", "osBase", base_fn),
        ("dir", "osDir", dir_fn),
        ("clean", "osClean", clean_fn),
        ("ext", "osExt", ext_fn),
        ("isAbs", "osIsAbs", is_abs_fn),
    ];
    for (plain, os, f) in table {
        reg.add(plain, one, f);
        reg.add(os, one, f);
    }
}

fn arg(a: &[Value]) -> &str {
    a[0].as_str().unwrap_or("")
}

fn base_fn(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::string(base(arg(a))))
}

fn dir_fn(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::string(dir(arg(a))))
}

fn clean_fn(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::string(clean(arg(a))))
}

fn ext_fn(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::str(ext(arg(a))))
}

fn is_abs_fn(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(arg(a).starts_with('/')))
}

/// Go's `path.Clean`: the shortest equivalent path, resolving `.` and `..`
/// lexically; `"."` for an empty result.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    // How many leading `..` elements a relative path keeps.
    let mut dotdots = 0;
    for element in path.split('/') {
        match element {
            "" | "." => {}
            ".." => {
                if parts.len() > dotdots {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                    dotdots += 1;
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`: the last element, ignoring trailing slashes.
pub fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// Go's `path.Dir`: everything before the last slash, cleaned.
pub fn dir(path: &str) -> String {
    let cut = path.rfind('/').map_or(0, |i| i + 1);
    clean(&path[..cut])
}

/// Go's `path.Ext`: the suffix from the last `.` in the last element.
pub fn ext(path: &str) -> &str {
    for (i, b) in path.bytes().enumerate().rev() {
        match b {
            b'/' => break,
            b'.' => return &path[i..],
            _ => {}
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_semantics() {
        assert_eq!(clean("a/../../b"), "../b");
        assert_eq!(clean("/../a//b/./c/"), "/a/b/c");
        assert_eq!(clean(""), ".");
        assert_eq!(clean("a/.."), ".");
        assert_eq!(clean("../../x/.."), "../..");
        assert_eq!(base("/a/b/c.txt"), "c.txt");
        assert_eq!(base("/a/b/"), "b");
        assert_eq!(base("///"), "/");
        assert_eq!(base(""), ".");
        assert_eq!(dir("/a/b/c.txt"), "/a/b");
        assert_eq!(dir("abc"), ".");
        assert_eq!(dir("/"), "/");
        assert_eq!(ext("c.tar.gz"), ".gz");
        assert_eq!(ext("a.b/c"), "");
    }
}
