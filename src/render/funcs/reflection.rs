//! Sprig's reflection helpers: `typeOf` (Go's `%T`), `typeIs`,
//! `typeIsLike`, `kindOf` (reflect kind names), `kindIs` and `deepEqual`
//! (`reflect.DeepEqual`, which distinguishes `int` from `float64` and
//! `[]string` from `[]interface {}`).

use super::{FuncEnv, FuncResult, Registry, Sig, Ty};
use crate::value::Value;

pub fn register(reg: &mut Registry) {
    reg.add("typeOf", Sig::fixed(&[Ty::Any]), type_of);
    reg.add("typeIs", Sig::fixed(&[Ty::String, Ty::Any]), type_is);
    reg.add(
        "typeIsLike",
        Sig::fixed(&[Ty::String, Ty::Any]),
        type_is_like,
    );
    reg.add("kindOf", Sig::fixed(&[Ty::Any]), kind_of);
    reg.add("kindIs", Sig::fixed(&[Ty::String, Ty::Any]), kind_is);
    reg.add("deepEqual", Sig::fixed(&[Ty::Any, Ty::Any]), deep_equal_fn);
}

fn target(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn type_of(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::string(a[0].type_name()))
}

fn type_is(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(target(&a[0]) == a[1].type_name()))
}

/// `typeIsLike T V`: V's type is T or a pointer to T.
fn type_is_like(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let t = a[1].type_name();
    let want = target(&a[0]);
    Ok(Value::Bool(t == want || t.strip_prefix('*') == Some(want)))
}

fn kind_of(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::str(a[0].kind_name()))
}

fn kind_is(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(target(&a[0]) == a[1].kind_name()))
}

fn deep_equal_fn(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::Bool(deep_equal(&a[0], &a[1])))
}

/// Go's `reflect.DeepEqual` over template values: same Go type and equal
/// contents, recursively (NaN is unequal to itself).
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::RawString(x), Value::RawString(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            if x.elem != y.elem {
                return false;
            }
            if std::rc::Rc::ptr_eq(&x.items, &y.items) {
                return true;
            }
            let (xs, ys) = (x.items.borrow(), y.items.borrow());
            xs.len() == ys.len() && xs.iter().zip(ys.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.elem != y.elem || x.go_type != y.go_type {
                return false;
            }
            if std::rc::Rc::ptr_eq(&x.entries, &y.entries) {
                return true;
            }
            let (xs, ys) = (x.entries.borrow(), y.entries.borrow());
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, v)| ys.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.type_name() == y.type_name() && x.format_go() == y.format_go()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::ElemType;

    #[test]
    fn deep_equal_is_type_strict() {
        let ints = Value::list(vec![Value::Int(1), Value::Int(2)]);
        let floats = Value::list(vec![Value::Float(1.0), Value::Float(2.0)]);
        assert!(deep_equal(
            &ints,
            &Value::list(vec![Value::Int(1), Value::Int(2)])
        ));
        assert!(!deep_equal(&ints, &floats));
        assert!(!deep_equal(&Value::Int(1), &Value::Float(1.0)));
        let strs = Value::typed_list(vec![Value::str("a")], ElemType::String);
        assert!(!deep_equal(&strs, &Value::list(vec![Value::str("a")])));
        assert!(!deep_equal(
            &Value::Float(f64::NAN),
            &Value::Float(f64::NAN)
        ));
    }

    #[test]
    fn type_predicates() {
        let mut env = FuncEnv::default();
        let r = type_is_like(&mut env, &[Value::str("int"), Value::Int(1)]).unwrap();
        assert!(r.truthy());
        let r = kind_of(&mut env, &[Value::Nil]).unwrap();
        assert_eq!(r.as_str(), Some("invalid"));
        let r = type_of(&mut env, &[Value::list(vec![])]).unwrap();
        assert_eq!(r.as_str(), Some("[]interface {}"));
    }
}
