//! Sprig's list functions. They accept any Go slice (`[]interface {}`,
//! `[]string`, `[]byte`, ...) and return fresh `[]interface {}` lists, so
//! `append` never aliases its input. The plain forms fail the render with
//! the same text their `must*` twins return as an error (Sprig panics), and
//! a nil list is Go's nil-pointer panic, as `reflect.TypeOf(nil).Kind()` is.

use super::conversion::to_int64;
use super::defaults::is_empty;
use super::reflection::deep_equal;
use super::{FuncEnv, FuncError, FuncResult, NativeFn, Registry, Sig, Ty};
use crate::value::{ElemType, List, Value};

pub fn register(reg: &mut Registry) {
    let one = Sig::fixed(&[Ty::Any]);
    let two = Sig::fixed(&[Ty::Any, Ty::Any]);
    let pairs: [(&'static str, &'static str, Sig, NativeFn); 13] = [
        ("append", "mustAppend", two, push),
        ("push", "mustPush", two, push),
        ("prepend", "mustPrepend", two, prepend),
        ("first", "mustFirst", one, first),
        ("rest", "mustRest", one, rest),
        ("last", "mustLast", one, last),
        ("initial", "mustInitial", one, initial),
        ("reverse", "mustReverse", one, reverse),
        ("uniq", "mustUniq", one, uniq),
        (
            "without",
            "mustWithout",
            Sig::variadic(&[Ty::Any], Ty::Any),
            without,
        ),
        ("has", "mustHas", two, has),
        ("compact", "mustCompact", one, compact),
        ("chunk", "mustChunk", Sig::fixed(&[Ty::Int, Ty::Any]), chunk),
    ];
    for (plain, must, sig, f) in pairs {
        reg.add(plain, sig, f);
        reg.add(must, sig, f);
    }
    reg.add("slice", Sig::variadic(&[Ty::Any], Ty::Any), slice);
    reg.add("mustSlice", Sig::variadic(&[Ty::Any], Ty::Any), slice);
    reg.add("list", Sig::variadic(&[], Ty::Any), list);
    reg.add("tuple", Sig::variadic(&[], Ty::Any), list);
    reg.add("concat", Sig::variadic(&[], Ty::Any), concat);
}

/// Go's panic for calling a method through a nil reflect type.
pub const NIL_DEREFERENCE: &str =
    "runtime error: invalid memory address or nil pointer dereference";

/// The elements of a Go slice value, or the reflect kind name of a non-slice.
/// `Err(None)` for nil, which Sprig cannot even ask the kind of.
fn elements(v: &Value) -> Result<Vec<Value>, Option<&'static str>> {
    match v {
        Value::List(l) => Ok(l.items.borrow().clone()),
        Value::Bytes(b) => Ok(b.iter().map(|x| Value::Int(i64::from(*x))).collect()),
        Value::Nil => Err(None),
        other => Err(Some(other.kind_name())),
    }
}

/// `elements`, with Sprig's message for non-lists: `template` with `{}`
/// replaced by the value's kind.
fn elements_or(v: &Value, template: &str) -> Result<Vec<Value>, FuncError> {
    elements(v).map_err(|kind| match kind {
        None => FuncError::new(NIL_DEREFERENCE),
        Some(kind) => FuncError::new(template.replace("{}", kind)),
    })
}

fn list(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    Ok(Value::list(a.to_vec()))
}

fn push(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let mut items = elements_or(&a[0], "Cannot push on type {}")?;
    items.push(a[1].clone());
    Ok(Value::list(items))
}

fn prepend(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let mut items = elements_or(&a[0], "Cannot prepend on type {}")?;
    items.insert(0, a[1].clone());
    Ok(Value::list(items))
}

fn first(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let items = elements_or(&a[0], "Cannot find first on type {}")?;
    Ok(items.into_iter().next().unwrap_or(Value::Nil))
}

fn last(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let items = elements_or(&a[0], "Cannot find last on type {}")?;
    Ok(items.into_iter().last().unwrap_or(Value::Nil))
}

fn rest(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let items = elements_or(&a[0], "Cannot find rest on type {}")?;
    if items.is_empty() {
        // Sprig returns a nil slice for an empty list.
        return Ok(Value::nil_list(ElemType::Any));
    }
    Ok(Value::list(items.into_iter().skip(1).collect()))
}

fn initial(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let mut items = elements_or(&a[0], "Cannot find initial on type {}")?;
    if items.is_empty() {
        return Ok(Value::nil_list(ElemType::Any));
    }
    items.pop();
    Ok(Value::list(items))
}

fn reverse(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let mut items = elements_or(&a[0], "Cannot find reverse on type {}")?;
    items.reverse();
    Ok(Value::list(items))
}

/// Drops duplicates (by `reflect.DeepEqual`), keeping first occurrences.
fn uniq(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let items = elements_or(&a[0], "Cannot find uniq on type {}")?;
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.iter().any(|seen| deep_equal(&item, seen)) {
            out.push(item);
        }
    }
    Ok(Value::list(out))
}

fn without(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let items = elements_or(&a[0], "Cannot find without on type {}")?;
    let omit = &a[1..];
    let kept = items
        .into_iter()
        .filter(|item| !omit.iter().any(|o| deep_equal(item, o)))
        .collect();
    Ok(Value::list(kept))
}

/// `has NEEDLE LIST`; a nil list has nothing.
fn has(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    if a[1].is_nil() {
        return Ok(Value::Bool(false));
    }
    let items = elements_or(&a[1], "Cannot find has on type {}")?;
    Ok(Value::Bool(
        items.iter().any(|item| deep_equal(&a[0], item)),
    ))
}

/// The non-empty elements (`empty` in Sprig's sense).
fn compact(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let items = elements_or(&a[0], "Cannot compact on type {}")?;
    Ok(Value::list(
        items.into_iter().filter(|v| !is_empty(v)).collect(),
    ))
}

/// `chunk SIZE LIST`: consecutive sub-lists of SIZE elements, the last one
/// shorter. Sizes Go cannot allocate for fail as its runtime does.
fn chunk(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let size = match &a[0] {
        Value::Int(i) | Value::Int64(i) => *i,
        other => to_int64(other),
    };
    let items = elements_or(&a[1], "Cannot chunk type {}")?;
    let len = items.len() as i64;
    let makeslice = || FuncError::new("runtime error: makeslice: len out of range");
    // Sprig: floor((len-1)/size) + 1 chunks, computed in float64.
    let count = ((len - 1) as f64 / size as f64).floor();
    if !count.is_finite() || count + 1.0 < 0.0 {
        return Err(makeslice());
    }
    let count = count as i64 + 1;
    let mut out = Vec::with_capacity(count.max(0) as usize);
    for i in 0..count {
        let mut clen = size;
        if i == count - 1 {
            clen = (len as f64 % size as f64).floor() as i64;
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return Err(makeslice());
        }
        let mut chunk = Vec::with_capacity(clen as usize);
        for j in 0..clen {
            let ix = i * size + j;
            let item = usize::try_from(ix)
                .ok()
                .and_then(|ix| items.get(ix))
                .ok_or_else(|| {
                    FuncError::new(format!(
                        "runtime error: index out of range [{ix}] with length {len}"
                    ))
                })?;
            chunk.push(item.clone());
        }
        out.push(Value::list(chunk));
    }
    Ok(Value::typed_list(out, ElemType::AnyList))
}

/// `slice LIST [START [END]]`: Go slicing that keeps the list's element
/// type; nil for an empty list.
fn slice(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let list_value = &a[0];
    let (items, elem) = match list_value {
        Value::List(List { items, elem, .. }) => (items.borrow().clone(), *elem),
        Value::Bytes(b) => {
            return slice_bytes(b, &a[1..]);
        }
        Value::Nil => return Err(FuncError::new(NIL_DEREFERENCE)),
        other => {
            return Err(FuncError::new(format!(
                "list should be type of slice or array but {}",
                other.kind_name()
            )))
        }
    };
    if items.is_empty() {
        return Ok(Value::Nil);
    }
    let (start, end) = bounds(&a[1..], items.len())?;
    Ok(Value::typed_list(items[start..end].to_vec(), elem))
}

fn slice_bytes(bytes: &[u8], indices: &[Value]) -> FuncResult {
    if bytes.is_empty() {
        return Ok(Value::Nil);
    }
    let (start, end) = bounds(indices, bytes.len())?;
    Ok(Value::Bytes(bytes[start..end].into()))
}

/// START and END (cast to int) checked as `reflect.Value.Slice` does.
fn bounds(indices: &[Value], len: usize) -> Result<(usize, usize), FuncError> {
    let start = indices.first().map_or(0, to_int64);
    let end = indices.get(1).map_or(len as i64, to_int64);
    if start < 0 || end < start || end > len as i64 {
        return Err(FuncError::new(
            "reflect.Value.Slice: slice index out of bounds",
        ));
    }
    Ok((start as usize, end as usize))
}

/// `concat LIST...`: one list of all elements.
fn concat(_: &mut FuncEnv, a: &[Value]) -> FuncResult {
    let mut out = Vec::new();
    for v in a {
        match elements(v) {
            Ok(items) => out.extend(items),
            Err(None) => return Err(FuncError::new(NIL_DEREFERENCE)),
            Err(Some(kind)) => {
                return Err(FuncError::new(format!("Cannot concat type {kind} as list")))
            }
        }
    }
    if out.is_empty() {
        // Go's `append` onto a nil slice with nothing to add stays nil.
        return Ok(Value::nil_list(ElemType::Any));
    }
    Ok(Value::list(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::gofmt::sprint;

    fn call(f: NativeFn, args: &[Value]) -> FuncResult {
        f(&mut FuncEnv::default(), args)
    }

    fn ints(xs: &[i64]) -> Value {
        Value::list(xs.iter().map(|x| Value::Int(*x)).collect())
    }

    #[test]
    fn append_copies() {
        let base = ints(&[1, 2]);
        let b = call(push, &[base.clone(), Value::Int(3)]).unwrap();
        let c = call(push, &[base.clone(), Value::Int(4)]).unwrap();
        assert_eq!(sprint(&base), "[1 2]");
        assert_eq!(sprint(&b), "[1 2 3]");
        assert_eq!(sprint(&c), "[1 2 4]");
    }

    #[test]
    fn errors_match_sprig() {
        assert_eq!(
            call(push, &[Value::str("abc"), Value::Int(1)])
                .unwrap_err()
                .0,
            "Cannot push on type string"
        );
        assert_eq!(call(first, &[Value::Nil]).unwrap_err().0, NIL_DEREFERENCE);
        assert_eq!(
            call(slice, &[ints(&[1, 2]), Value::Int(1), Value::Int(5)])
                .unwrap_err()
                .0,
            "reflect.Value.Slice: slice index out of bounds"
        );
        assert!(!call(has, &[Value::Int(1), Value::Nil]).unwrap().truthy());
    }

    #[test]
    fn shaping() {
        let l = Value::list(vec![
            Value::Int(1),
            Value::Int(2),
            Value::Int(1),
            Value::str("1"),
        ]);
        assert_eq!(sprint(&call(uniq, &[l]).unwrap()), "[1 2 1]");
        let c = call(chunk, &[Value::Int(2), ints(&[1, 2, 3, 4, 5])]).unwrap();
        assert_eq!(sprint(&c), "[[1 2] [3 4] [5]]");
        let c = call(chunk, &[Value::Int(3), ints(&[])]).unwrap();
        assert_eq!(sprint(&c), "[]");
        assert!(call(chunk, &[Value::Int(0), ints(&[1])]).is_err());
        let s = call(slice, &[ints(&[1, 2, 3]), Value::Int(1), Value::Int(2)]).unwrap();
        assert_eq!(sprint(&s), "[2]");
        assert!(call(slice, &[ints(&[])]).unwrap().is_nil());
        let w = call(without, &[ints(&[1, 2, 3, 2, 1]), Value::Int(2)]).unwrap();
        assert_eq!(sprint(&w), "[1 3 1]");
    }
}
