//! Sprig's dictionary functions. Maps are shared references, as in Go:
//! `set`, `unset`, `merge` and `mergeOverwrite` change the map they are
//! given (charts rely on `$_ := set .Values ...`), and `merge` copies
//! references to nested source maps rather than the maps themselves.
//!
//! `merge`/`mergeOverwrite` follow `dario.cat/mergo` v1.0 as Sprig calls it:
//! see [`merge_into`].

use super::defaults::is_empty;
use super::strings::strval;
use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::value::{ElemType, Map, MapData, Value};

pub fn register(reg: &mut Registry) {
    use Ty::{Any, Map as M, String as Str};
    reg.add("dict", Sig::variadic(&[], Any), dict);
    reg.add("get", Sig::fixed(&[M, Str]), get);
    reg.add("set", Sig::fixed(&[M, Str, Any]), set);
    reg.add("unset", Sig::fixed(&[M, Str]), unset);
    reg.add("hasKey", Sig::fixed(&[M, Str]), has_key);
    reg.add("pluck", Sig::variadic(&[Str], M), pluck);
    reg.add("keys", Sig::variadic(&[], M), keys);
    reg.add("values", Sig::fixed(&[M]), values);
    reg.add("pick", Sig::variadic(&[M], Str), pick);
    reg.add("omit", Sig::variadic(&[M], Str), omit);
    reg.add("merge", Sig::variadic(&[M], M), merge);
    reg.add("mustMerge", Sig::variadic(&[M], M), merge);
    reg.add("mergeOverwrite", Sig::variadic(&[M], M), merge_overwrite);
    reg.add(
        "mustMergeOverwrite",
        Sig::variadic(&[M], M),
        merge_overwrite,
    );
    reg.add("deepCopy", Sig::fixed(&[Any]), deep_copy);
    reg.add("mustDeepCopy", Sig::fixed(&[Any]), deep_copy);
    reg.add("dig", Sig::variadic(&[], Any), dig);
}

/// The entries of a map argument; nil (a nil Go map) reads as empty.
fn entries(v: &Value) -> MapData {
    match v {
        Value::Map(m) => m.entries.borrow().clone(),
        _ => MapData::new(),
    }
}

fn key(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// `dict K1 V1 K2 V2 ...`: keys are stringified with `%v`; a missing last
/// value is `""`.
fn dict(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let mut out = MapData::new();
    for pair in a.chunks(2) {
        let value = pair.get(1).cloned().unwrap_or_else(|| Value::str(""));
        out.insert(strval(&pair[0]), value);
    }
    Ok(Value::map(out))
}

/// `get MAP KEY`: the value, or `""` when the key is absent.
fn get(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(a[0].get(key(&a[1])).unwrap_or_else(|| Value::str("")))
}

/// `set MAP KEY VALUE`: stores in place and returns the same map.
fn set(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    match &a[0] {
        Value::Map(m) if !m.nil => {
            m.entries
                .borrow_mut()
                .insert(key(&a[1]).to_string(), a[2].clone());
            Ok(a[0].clone())
        }
        _ => Err(FuncError::new("assignment to entry in nil map")),
    }
}

/// `unset MAP KEY`: deletes in place and returns the same map.
fn unset(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    match &a[0] {
        Value::Map(m) => {
            m.entries.borrow_mut().remove(key(&a[1]));
            Ok(a[0].clone())
        }
        _ => Ok(Value::nil_map()),
    }
}

fn has_key(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(a[0].get(key(&a[1])).is_some()))
}

/// `pluck KEY MAP...`: the KEY values of the maps that have it.
fn pluck(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let k = key(&a[0]);
    Ok(Value::list(
        a[1..].iter().filter_map(|m| m.get(k)).collect(),
    ))
}

/// `keys MAP...`: every map's keys, concatenated (Go's order is random;
/// sorted order is one of its possible outcomes).
fn keys(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let all: Vec<Value> = a
        .iter()
        .flat_map(|m| entries(m).into_keys().map(Value::string))
        .collect();
    Ok(Value::typed_list(all, ElemType::String))
}

fn values(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::list(entries(&a[0]).into_values().collect()))
}

/// `pick MAP KEY...`: a new map with only those keys.
fn pick(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let source = entries(&a[0]);
    let out: MapData = a[1..]
        .iter()
        .filter_map(|k| {
            let k = key(k);
            source.get(k).map(|v| (k.to_string(), v.clone()))
        })
        .collect();
    Ok(Value::map(out))
}

/// `omit MAP KEY...`: a new map without those keys.
fn omit(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let dropped: Vec<&str> = a[1..].iter().map(key).collect();
    let out: MapData = entries(&a[0])
        .into_iter()
        .filter(|(k, _)| !dropped.contains(&k.as_str()))
        .collect();
    Ok(Value::map(out))
}

fn merge(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    merge_all(a, false)
}

fn merge_overwrite(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    merge_all(a, true)
}

/// Merges every source into the first map, in order, and returns it. A nil
/// destination becomes a new map at the first source that is not nil (as
/// mergo allocates one); with none it stays nil.
fn merge_all(a: &[Value], overwrite: bool) -> FuncResult {
    let mut dst = match &a[0] {
        Value::Map(_) => a[0].clone(),
        _ => Value::nil_map(),
    };
    for src in &a[1..] {
        let Value::Map(src) = src else { continue };
        if src.nil {
            continue;
        }
        if matches!(&dst, Value::Map(m) if m.nil) {
            dst = Value::empty_map();
        }
        if let Value::Map(m) = &dst {
            merge_into(m, &src.entries.borrow(), overwrite);
        }
    }
    Ok(dst)
}

/// mergo's map merge, key by key:
/// - a nil source value is copied only when overwriting;
/// - a source map merges recursively into a destination map (in place),
///   which is then kept unless it is still empty;
/// - anything else (including lists, which are never merged element-wise)
///   is stored when overwriting, or when the destination is missing or
///   empty (`0`, `""`, `false`, nil, empty collections).
///
/// Stored values are shared references to the source's lists and maps.
pub fn merge_into(dst: &Map, src: &MapData, overwrite: bool) {
    merge_level(dst, src, overwrite, 0);
}

/// Go would overflow its stack on a map that contains itself; stop instead.
const MAX_MERGE_DEPTH: usize = 10_000;

fn merge_level(dst: &Map, src: &MapData, overwrite: bool, depth: usize) {
    if depth > MAX_MERGE_DEPTH {
        return;
    }
    for (k, src_value) in src {
        let dst_value = dst.entries.borrow().get(k).cloned();
        if src_value.is_nil() {
            if overwrite {
                dst.entries.borrow_mut().insert(k.clone(), Value::Nil);
            }
            continue;
        }
        if let (Value::Map(src_map), Some(Value::Map(dst_map))) = (src_value, &dst_value) {
            if !std::rc::Rc::ptr_eq(&src_map.entries, &dst_map.entries) {
                let src_entries = src_map.entries.borrow().clone();
                merge_level(dst_map, &src_entries, overwrite, depth + 1);
            }
            // `dst_value` shares the merged map, so this sees its new state.
            if !is_empty(&Value::Map(dst_map.clone())) {
                continue;
            }
        }
        let missing_or_empty = dst_value.as_ref().is_none_or(is_empty);
        if overwrite || missing_or_empty {
            dst.entries
                .borrow_mut()
                .insert(k.clone(), src_value.clone());
        }
    }
}

/// `deepCopy`: an independent copy; nil makes copystructure's reflection
/// panic, and Sprig lets that through.
fn deep_copy(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    if a[0].is_nil() {
        return Err(FuncError::new(
            "reflect: call of reflect.Value.Type on zero Value",
        ));
    }
    Ok(a[0].deep_copy())
}

/// Go's panic text for a failed `x.(T)` type assertion on an `interface {}`.
fn conversion_error(v: &Value, want: &str) -> FuncError {
    let got = if v.is_nil() {
        "nil".to_string()
    } else {
        v.type_name()
    };
    FuncError::new(format!(
        "interface conversion: interface {{}} is {got}, not {want}"
    ))
}

/// `dig KEY... DEFAULT MAP`: walks nested maps; DEFAULT when a key is
/// missing. Every level must really be a `map[string]interface {}`.
fn dig(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    if a.len() < 3 {
        return Err(FuncError::new("dig needs at least three arguments"));
    }
    let mut current = match &a[a.len() - 1] {
        // A type assertion: the named `common.Values` (`.Values`) fails it.
        Value::Map(m) if m.elem == ElemType::Any && m.go_type.is_none() => m.clone(),
        other => return Err(conversion_error(other, "map[string]interface {}")),
    };
    let default = &a[a.len() - 2];
    let path = &a[..a.len() - 2];
    let mut names = Vec::with_capacity(path.len());
    for k in path {
        match k {
            Value::String(s) => names.push(s.to_string()),
            other => return Err(conversion_error(other, "string")),
        }
    }
    for (i, name) in names.iter().enumerate() {
        let step = current.entries.borrow().get(name).cloned();
        let Some(step) = step else {
            return Ok(default.clone());
        };
        if i == names.len() - 1 {
            return Ok(step);
        }
        current = match step {
            Value::Map(m) if m.elem == ElemType::Any && m.go_type.is_none() => m,
            other => return Err(conversion_error(&other, "map[string]interface {}")),
        };
    }
    Ok(default.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::funcs::NativeFn;

    fn call(f: NativeFn, args: &[Value]) -> FuncResult {
        f(&mut FuncEnv::default(), args)
    }

    fn d(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn json(v: &Value) -> String {
        crate::render::gofmt::sprint(v)
    }

    #[test]
    fn dict_and_accessors() {
        let m = call(dict, &[Value::Int(1), Value::str("one"), Value::str("b")]).unwrap();
        assert_eq!(json(&m), "map[1:one b:]");
        let r = call(set, &[m.clone(), Value::str("c"), Value::Int(3)]).unwrap();
        assert_eq!(json(&m), "map[1:one b: c:3]");
        assert_eq!(json(&r), json(&m));
        let g = call(get, &[m.clone(), Value::str("zz")]).unwrap();
        assert_eq!(g.as_str(), Some(""));
        assert!(call(set, &[Value::Nil, Value::str("a"), Value::Int(1)]).is_err());
    }

    #[test]
    fn merge_follows_mergo() {
        let dst = d(&[("a", Value::Int(1)), ("n", d(&[("x", Value::Int(1))]))]);
        let src = d(&[
            ("a", Value::Int(2)),
            ("b", Value::Int(2)),
            ("n", d(&[("x", Value::Int(2)), ("y", Value::Int(2))])),
        ]);
        let r = call(merge, &[dst.clone(), src]).unwrap();
        assert_eq!(json(&r), "map[a:1 b:2 n:map[x:1 y:2]]");
        assert_eq!(json(&dst), "map[a:1 b:2 n:map[x:1 y:2]]");

        let cases: Vec<(Value, Value, bool, &str)> = vec![
            (
                d(&[("a", Value::str("x"))]),
                d(&[("a", d(&[("b", Value::Int(1))]))]),
                true,
                "map[a:map[b:1]]",
            ),
            (
                d(&[("a", Value::str("x"))]),
                d(&[("a", d(&[("b", Value::Int(1))]))]),
                false,
                "map[a:x]",
            ),
            (
                d(&[("a", Value::str("x"))]),
                d(&[("a", Value::list(vec![Value::Int(1)]))]),
                false,
                "map[a:x]",
            ),
            (
                d(&[("a", Value::list(vec![]))]),
                d(&[("a", Value::list(vec![Value::Int(1)]))]),
                false,
                "map[a:[1]]",
            ),
            (
                d(&[("a", Value::Int(1))]),
                d(&[("b", Value::Nil)]),
                true,
                "map[a:1 b:<nil>]",
            ),
            (
                d(&[("a", Value::Int(1))]),
                d(&[("a", Value::Nil)]),
                false,
                "map[a:1]",
            ),
            (
                d(&[("a", Value::Int(1))]),
                d(&[("a", Value::Int(0))]),
                true,
                "map[a:0]",
            ),
            (
                d(&[("a", Value::Int(0))]),
                d(&[("a", Value::Int(5))]),
                false,
                "map[a:5]",
            ),
            (
                d(&[("a", Value::empty_map())]),
                d(&[("a", Value::str("s"))]),
                false,
                "map[a:s]",
            ),
            (
                d(&[("a", d(&[("x", Value::Int(1))]))]),
                d(&[("a", Value::empty_map())]),
                true,
                "map[a:map[x:1]]",
            ),
        ];
        for (dst, src, overwrite, want) in cases {
            let f: NativeFn = if overwrite { merge_overwrite } else { merge };
            assert_eq!(json(&call(f, &[dst, src]).unwrap()), want);
        }
    }

    #[test]
    fn merge_shares_nested_source_maps() {
        let inner = d(&[("x", Value::Int(1))]);
        let r = call(merge, &[Value::empty_map(), d(&[("n", inner.clone())])]).unwrap();
        call(set, &[r.get("n").unwrap(), Value::str("x"), Value::Int(2)]).unwrap();
        assert_eq!(json(&inner), "map[x:2]");
    }

    #[test]
    fn dig_walks_and_fails_like_go() {
        let root = d(&[
            ("a", d(&[("b", Value::str("found"))])),
            ("s", Value::str("x")),
        ]);
        let r = call(
            dig,
            &[
                Value::str("a"),
                Value::str("b"),
                Value::str("def"),
                root.clone(),
            ],
        )
        .unwrap();
        assert_eq!(r.as_str(), Some("found"));
        let r = call(
            dig,
            &[
                Value::str("a"),
                Value::str("z"),
                Value::str("def"),
                root.clone(),
            ],
        )
        .unwrap();
        assert_eq!(r.as_str(), Some("def"));
        let e = call(
            dig,
            &[Value::str("s"), Value::str("b"), Value::str("def"), root],
        )
        .unwrap_err();
        assert_eq!(
            e.0,
            "interface conversion: interface {} is string, not map[string]interface {}"
        );
    }
}
