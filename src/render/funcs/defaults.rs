//! Sprig's "is it set?" family: `default`, `empty`, `coalesce`, `all`,
//! `any`, `ternary`, and `fail`.
//!
//! Emptiness is Go's zero-value test, not template truthiness of a
//! collection's contents: `0`, `0.0`, `""`, `false`, nil and empty
//! lists/maps are empty; `" "`, `(list 0)` and structs are not.

use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::value::Value;

pub fn register(reg: &mut Registry) {
    reg.add("default", Sig::variadic(&[Ty::Any], Ty::Any), default);
    reg.add("empty", Sig::fixed(&[Ty::Any]), empty);
    reg.add("coalesce", Sig::variadic(&[], Ty::Any), coalesce);
    reg.add("all", Sig::variadic(&[], Ty::Any), all);
    reg.add("any", Sig::variadic(&[], Ty::Any), any);
    reg.add(
        "ternary",
        Sig::fixed(&[Ty::Any, Ty::Any, Ty::Bool]),
        ternary,
    );
    reg.add("fail", Sig::fixed(&[Ty::String]), fail);
}

/// Sprig's `empty`: the value is Go's zero value for its type (or an empty
/// collection). Host objects (structs, non-nil pointers) never are.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Float(x) => *x == 0.0,
        Value::String(s) => s.is_empty(),
        Value::RawString(b) | Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.items.borrow().is_empty(),
        Value::Map(m) => m.entries.borrow().is_empty(),
        Value::Object(_) => false,
    }
}

/// `default DEFAULT [GIVEN]`: GIVEN unless it is missing or empty.
fn default(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    match a.get(1) {
        Some(given) if !is_empty(given) => Ok(given.clone()),
        _ => Ok(a[0].clone()),
    }
}

fn empty(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(is_empty(&a[0])))
}

/// The first non-empty argument, or nil.
fn coalesce(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(a.iter()
        .find(|v| !is_empty(v))
        .cloned()
        .unwrap_or(Value::Nil))
}

fn all(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(a.iter().all(|v| !is_empty(v))))
}

fn any(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(a.iter().any(|v| !is_empty(v))))
}

/// `ternary IF_TRUE IF_FALSE CONDITION`.
fn ternary(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let chosen = if a[2].truthy() { &a[0] } else { &a[1] };
    Ok(chosen.clone())
}

/// `fail MSG`: aborts rendering with MSG as the error.
fn fail(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Err(FuncError::new(a[0].as_str().unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emptiness_is_the_zero_value() {
        for v in [
            Value::str(""),
            Value::Int(0),
            Value::Float(0.0),
            Value::Bool(false),
            Value::Nil,
            Value::list(vec![]),
            Value::empty_map(),
        ] {
            assert!(is_empty(&v), "{v:?}");
        }
        for v in [
            Value::str(" "),
            Value::Int(1),
            Value::list(vec![Value::Nil]),
        ] {
            assert!(!is_empty(&v), "{v:?}");
        }
    }

    #[test]
    fn default_and_coalesce() {
        let mut env = FuncEnv::default();
        let r = default(&mut env, &[Value::str("d"), Value::empty_map()]).unwrap();
        assert_eq!(r.as_str(), Some("d"));
        let r = default(&mut env, &[Value::str("d")]).unwrap();
        assert_eq!(r.as_str(), Some("d"));
        let r = default(&mut env, &[Value::str("d"), Value::str(" ")]).unwrap();
        assert_eq!(r.as_str(), Some(" "));
        let r = coalesce(&mut env, &[Value::Int(0), Value::Nil]).unwrap();
        assert!(r.is_nil());
        assert!(all(&mut env, &[]).unwrap().truthy());
        assert!(!any(&mut env, &[]).unwrap().truthy());
    }
}
