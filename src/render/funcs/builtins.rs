//! Go text/template's builtin functions: `and`, `or`, `not`, `eq`..`ge`,
//! `index`, `slice`, `len`, `print`, `printf`, `println`, `html`, `js`,
//! `urlquery`, `call`.
//!
//! Builtins are looked up *after* the FuncMap (Sprig's `slice` wins over
//! Go's, as in Go). In Go most builtins take `reflect.Value` parameters,
//! i.e. anything including nil, which [`Ty::Any`] models. `and`, `or` and
//! `call` are evaluated specially by the executor (short-circuiting), so
//! their bodies here are only reached through a direct call.

use super::{FuncDef, FuncEnv, FuncError, FuncResult, Sig, Ty};
use crate::render::gofmt;
use crate::value::{ElemType, Value};

const ANY1: &[Ty] = &[Ty::Any];
const ANY2: &[Ty] = &[Ty::Any, Ty::Any];

static BUILTINS: &[FuncDef] = &[
    FuncDef {
        name: "and",
        sig: Sig::variadic(ANY1, Ty::Any),
        f: and,
    },
    FuncDef {
        name: "or",
        sig: Sig::variadic(ANY1, Ty::Any),
        f: or,
    },
    FuncDef {
        name: "call",
        sig: Sig::variadic(ANY1, Ty::Any),
        f: call,
    },
    FuncDef {
        name: "not",
        sig: Sig::fixed(ANY1),
        f: not,
    },
    FuncDef {
        name: "len",
        sig: Sig::fixed(ANY1),
        f: length,
    },
    FuncDef {
        name: "index",
        sig: Sig::variadic(ANY1, Ty::Any),
        f: index,
    },
    FuncDef {
        name: "slice",
        sig: Sig::variadic(ANY1, Ty::Any),
        f: slice,
    },
    FuncDef {
        name: "eq",
        sig: Sig::variadic(ANY1, Ty::Any),
        f: eq,
    },
    FuncDef {
        name: "ne",
        sig: Sig::fixed(ANY2),
        f: ne,
    },
    FuncDef {
        name: "lt",
        sig: Sig::fixed(ANY2),
        f: lt,
    },
    FuncDef {
        name: "le",
        sig: Sig::fixed(ANY2),
        f: le,
    },
    FuncDef {
        name: "gt",
        sig: Sig::fixed(ANY2),
        f: gt,
    },
    FuncDef {
        name: "ge",
        sig: Sig::fixed(ANY2),
        f: ge,
    },
    FuncDef {
        name: "print",
        sig: Sig::variadic(&[], Ty::Any),
        f: print,
    },
    FuncDef {
        name: "printf",
        sig: Sig::variadic(&[Ty::StringBytes], Ty::Any),
        f: printf,
    },
    FuncDef {
        name: "println",
        sig: Sig::variadic(&[], Ty::Any),
        f: println,
    },
    FuncDef {
        name: "html",
        sig: Sig::variadic(&[], Ty::Any),
        f: html,
    },
    FuncDef {
        name: "js",
        sig: Sig::variadic(&[], Ty::Any),
        f: js,
    },
    FuncDef {
        name: "urlquery",
        sig: Sig::variadic(&[], Ty::Any),
        f: urlquery,
    },
];

/// The Go builtin named `name`, if any.
pub fn lookup(name: &str) -> Option<FuncDef> {
    BUILTINS.iter().find(|d| d.name == name).copied()
}

/// Go's `isTrue` as `and`/`or`/`not`/`if` see it.
pub fn truth(v: &Value) -> bool {
    v.truthy()
}

fn and(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    for a in args {
        if !truth(a) {
            return Ok(a.clone());
        }
    }
    Ok(args.last().cloned().unwrap_or(Value::Nil))
}

fn or(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    for a in args {
        if truth(a) {
            return Ok(a.clone());
        }
    }
    Ok(args.last().cloned().unwrap_or(Value::Nil))
}

fn call(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    match args.first() {
        None | Some(Value::Nil) => Err(FuncError::new("call of nil")),
        Some(v) => Err(FuncError::new(format!(
            "non-function of type {}",
            v.type_name()
        ))),
    }
}

fn not(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(!args.first().map(truth).unwrap_or(false)))
}

fn length(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let v = args.first().unwrap_or(&Value::Nil);
    let n = match v {
        Value::Nil => return Err(FuncError::new("len of nil pointer")),
        Value::String(s) => s.len(),
        Value::RawString(b) | Value::Bytes(b) => b.len(),
        Value::List(l) => l.items.borrow().len(),
        Value::Map(m) => m.entries.borrow().len(),
        Value::Object(o) => match o.to_data() {
            Some(Value::Map(m)) if o.kind_name() == "map" => m.entries.borrow().len(),
            Some(Value::List(l)) if o.kind_name() == "slice" => l.items.borrow().len(),
            _ => return Err(FuncError::new(format!("len of type {}", v.type_name()))),
        },
        _ => return Err(FuncError::new(format!("len of type {}", v.type_name()))),
    };
    Ok(Value::Int(n as i64))
}

/// Go's `indexArg`: an integer index below `cap` (inclusive when `inclusive`).
fn index_arg(index: &Value, cap: usize, inclusive: bool) -> Result<usize, FuncError> {
    let x = match index {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Nil => return Err(FuncError::new("cannot index slice/array with nil")),
        other => {
            return Err(FuncError::new(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            )))
        }
    };
    let limit = if inclusive {
        cap as i64
    } else {
        cap as i64 - 1
    };
    if x < 0 || x > limit {
        return Err(FuncError::new(format!("index out of range: {x}")));
    }
    Ok(x as usize)
}

/// `index`'s element position: Go's `indexArg` lets an index equal to the
/// length through, and reflect's `Index` then panics with its own text.
fn element_index(index: &Value, len: usize, kind: &str) -> Result<usize, FuncError> {
    let i = index_arg(index, len, true)?;
    if i == len {
        return Err(FuncError::new(format!(
            "reflect: {kind} index out of range"
        )));
    }
    Ok(i)
}

/// Zero value of a collection's element type (missing map keys).
pub fn zero_of(elem: ElemType) -> Value {
    match elem {
        ElemType::Any => Value::Nil,
        ElemType::String => Value::str(""),
        ElemType::Int => Value::Int(0),
        ElemType::Float => Value::Float(0.0),
        ElemType::AnyList => Value::nil_list(ElemType::Any),
    }
}

fn index(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let mut item = args.first().cloned().unwrap_or(Value::Nil);
    if item.is_nil() {
        return Err(FuncError::new("index of untyped nil"));
    }
    for idx in &args[1..] {
        // Host objects of map/slice kind (.Files, .Capabilities.APIVersions) index as their data.
        if let Value::Object(o) = &item {
            if matches!(o.kind_name(), "map" | "slice") {
                if let Some(d @ (Value::List(_) | Value::Map(_))) = o.to_data() {
                    item = d;
                }
            }
        }
        item = match &item {
            Value::Nil => return Err(FuncError::new("index of nil pointer")),
            Value::List(l) => {
                let items = l.items.borrow();
                let i = element_index(idx, items.len(), "slice")?;
                items[i].clone()
            }
            Value::Bytes(b) => {
                let i = element_index(idx, b.len(), "slice")?;
                Value::Int(b[i] as i64)
            }
            Value::String(_) | Value::RawString(_) => {
                let s = item.go_str_bytes().unwrap_or_default();
                let i = element_index(idx, s.len(), "string")?;
                Value::Int(s[i] as i64)
            }
            Value::Map(m) => match idx {
                Value::String(k) => match m.entries.borrow().get(&**k) {
                    Some(v) => v.clone(),
                    None => zero_of(m.elem),
                },
                Value::Nil => return Err(FuncError::new("value is nil; should be of type string")),
                other => {
                    return Err(FuncError::new(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    )))
                }
            },
            other => {
                return Err(FuncError::new(format!(
                    "can't index item of type {}",
                    other.type_name()
                )))
            }
        };
    }
    Ok(item)
}

fn slice(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let item = args.first().cloned().unwrap_or(Value::Nil);
    let idxs = &args[1..];
    if item.is_nil() {
        return Err(FuncError::new("slice of untyped nil"));
    }
    if idxs.len() > 3 {
        return Err(FuncError::new(format!(
            "too many slice indexes: {}",
            idxs.len()
        )));
    }
    let len = match &item {
        Value::String(_) | Value::RawString(_) => {
            if idxs.len() == 3 {
                return Err(FuncError::new("cannot 3-index slice a string"));
            }
            item.go_str_bytes().map_or(0, <[u8]>::len)
        }
        Value::List(l) => l.items.borrow().len(),
        Value::Bytes(b) => b.len(),
        other => {
            return Err(FuncError::new(format!(
                "can't slice item of type {}",
                other.type_name()
            )))
        }
    };
    let mut idx = [0usize, len, len];
    for (i, v) in idxs.iter().enumerate() {
        idx[i] = index_arg(v, len, true)?;
    }
    if idx[0] > idx[1] {
        return Err(FuncError::new(format!(
            "invalid slice index: {} > {}",
            idx[0], idx[1]
        )));
    }
    if idxs.len() == 3 && idx[1] > idx[2] {
        return Err(FuncError::new(format!(
            "invalid slice index: {} > {}",
            idx[1], idx[2]
        )));
    }
    Ok(match &item {
        Value::String(_) | Value::RawString(_) => {
            Value::from_go_bytes(&item.go_str_bytes().unwrap_or_default()[idx[0]..idx[1]])
        }
        Value::Bytes(b) => Value::Bytes(b[idx[0]..idx[1]].into()),
        Value::List(l) => Value::typed_list(l.items.borrow()[idx[0]..idx[1]].to_vec(), l.elem),
        _ => Value::Nil,
    })
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) | Value::RawString(_) => Kind::String,
        Value::Object(o) if o.go_int().is_some() => Kind::Int,
        _ => Kind::Invalid,
    }
}

/// The integer of an int-kind value (`int`, `int64`, `time.Duration`).
fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) | Value::Int64(i) => Some(*i),
        Value::Object(o) => o.go_int(),
        _ => None,
    }
}

const BAD_TYPE: &str = "invalid type for comparison";
const INCOMPATIBLE: &str = "incompatible types for comparison";

fn incompatible(a: &Value, b: &Value) -> FuncError {
    FuncError::new(format!(
        "{INCOMPATIBLE}: {} and {}",
        a.type_name(),
        b.type_name()
    ))
}

fn is_comparable_kind(v: &Value) -> bool {
    !matches!(v, Value::List(_) | Value::Map(_) | Value::Bytes(_))
}

fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::List(_) | Value::Bytes(_) => "slice",
        Value::Map(_) => "map",
        Value::Object(_) => "ptr",
        _ => "basic",
    }
}

/// Go's `isNil` in `eq`: a missing value, and also a typed nil map or slice
/// (`.Chart.Annotations` of a chart without any equals `nil`).
fn go_is_nil(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Map(m) => m.nil,
        Value::List(l) => l.nil,
        _ => false,
    }
}

fn equal(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 != k2 {
        if !a.is_nil() && !b.is_nil() {
            return Err(incompatible(a, b));
        }
        return Ok(false);
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x == y,
        _ if k1 == Kind::Int => int_of(a) == int_of(b),
        (Value::String(x), Value::String(y)) => x == y,
        (Value::String(_) | Value::RawString(_), Value::String(_) | Value::RawString(_)) => {
            a.go_str_bytes() == b.go_str_bytes()
        }
        _ => {
            let (ka, kb) = (go_kind(a), go_kind(b));
            if ka != kb && ka != "invalid" && kb != "invalid" {
                return Err(FuncError::new(format!(
                    "non-comparable types {}: {}, {}: {}",
                    gofmt::sprintf("%s", std::slice::from_ref(a)),
                    a.type_name(),
                    b.type_name(),
                    gofmt::sprint(b)
                )));
            }
            if go_is_nil(a) || go_is_nil(b) {
                go_is_nil(a) == go_is_nil(b)
            } else if !is_comparable_kind(b) {
                return Err(FuncError::new(format!(
                    "non-comparable type {}: {}",
                    gofmt::sprintf("%s", std::slice::from_ref(b)),
                    b.type_name()
                )));
            } else {
                match (a, b) {
                    (Value::Object(x), Value::Object(y)) => std::rc::Rc::ptr_eq(x, y),
                    _ => false,
                }
            }
        }
    })
}

fn eq(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let a = args.first().unwrap_or(&Value::Nil);
    if args.len() < 2 {
        return Err(FuncError::new("missing argument for comparison"));
    }
    for b in &args[1..] {
        if equal(a, b)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn ne(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(!equal(&args[0], &args[1])?))
}

fn less(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 == Kind::Invalid || k2 == Kind::Invalid {
        return Err(FuncError::new(BAD_TYPE));
    }
    if k1 != k2 {
        return Err(incompatible(a, b));
    }
    Ok(match (a, b) {
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x < y,
        _ if k1 == Kind::Int => int_of(a) < int_of(b),
        (Value::String(x), Value::String(y)) => x < y,
        (Value::String(_) | Value::RawString(_), Value::String(_) | Value::RawString(_)) => {
            a.go_str_bytes() < b.go_str_bytes()
        }
        _ => return Err(FuncError::new(BAD_TYPE)),
    })
}

fn lt(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(less(&args[0], &args[1])?))
}

fn le(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(
        less(&args[0], &args[1])? || equal(&args[0], &args[1])?,
    ))
}

fn gt(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let le = less(&args[0], &args[1])? || equal(&args[0], &args[1])?;
    Ok(Value::Bool(!le))
}

fn ge(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Bool(!less(&args[0], &args[1])?))
}

fn print(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(gofmt::sprint_args_value(args))
}

fn printf(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let format = args.first().and_then(Value::go_str_bytes).unwrap_or(b"");
    Ok(gofmt::sprintf_value(format, &args[1..]))
}

fn println(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(gofmt::sprintln_args_value(args))
}

/// Go's `evalArgs`: one string argument as is, otherwise `fmt.Sprint` with
/// nil arguments printed as `<no value>`. Bytes, since Go strings may hold
/// invalid UTF-8 and the escapers pass such bytes through.
fn eval_args(args: &[Value]) -> Vec<u8> {
    if let [v @ (Value::String(_) | Value::RawString(_))] = args {
        return v.go_str_bytes().unwrap_or_default().to_vec();
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| {
            if a.is_nil() {
                Value::str("<no value>")
            } else {
                a.clone()
            }
        })
        .collect();
    match gofmt::sprint_args_value(&printable) {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::RawString(b) => b.to_vec(),
        _ => Vec::new(),
    }
}

/// Go's `HTMLEscapeString`: byte-wise, other bytes unchanged.
fn html(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let s = eval_args(args);
    let mut out = Vec::with_capacity(s.len());
    for &b in &s {
        match b {
            b'"' => out.extend_from_slice(b"&#34;"),
            b'\'' => out.extend_from_slice(b"&#39;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            0 => out.extend_from_slice("\u{FFFD}".as_bytes()),
            b => out.push(b),
        }
    }
    Ok(Value::from_go_bytes(out))
}

/// Go's `JSEscapeString`: rune-wise; printable runes (an invalid byte
/// decodes to the printable U+FFFD) are copied as their original bytes.
fn js(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let s = eval_args(args);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let (c, w) = crate::value::decode_rune(&s[i..]);
        let esc: Option<String> = match c {
            '\\' => Some("\\\\".into()),
            '\'' => Some("\\'".into()),
            '"' => Some("\\\"".into()),
            '<' => Some("\\u003C".into()),
            '>' => Some("\\u003E".into()),
            '&' => Some("\\u0026".into()),
            '=' => Some("\\u003D".into()),
            c if (c as u32) < 0x20 => Some(format!("\\u{:04X}", c as u32)),
            c if c.is_ascii() => None,
            c if !c.is_control() && !c.is_whitespace() || c == ' ' => None,
            c => Some(format!("\\u{:04X}", c as u32)),
        };
        match esc {
            Some(e) => out.extend_from_slice(e.as_bytes()),
            None => out.extend_from_slice(&s[i..i + w]),
        }
        i += w;
    }
    Ok(Value::from_go_bytes(out))
}

fn urlquery(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let s = eval_args(args);
    let mut out = String::with_capacity(s.len());
    for b in s {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::string(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, args: Vec<Value>) -> FuncResult {
        let def = lookup(name).expect("builtin exists");
        (def.f)(&mut FuncEnv::default(), &args)
    }

    #[test]
    fn comparisons_follow_go() {
        assert!(matches!(
            run("eq", vec![Value::Int(1), Value::Int64(1)]),
            Ok(Value::Bool(true))
        ));
        assert_eq!(
            run("lt", vec![Value::Int(1), Value::str("2")])
                .unwrap_err()
                .0,
            "incompatible types for comparison: int and string"
        );
        assert_eq!(
            run("eq", vec![Value::Int(1), Value::Float(1.0)])
                .unwrap_err()
                .0,
            "incompatible types for comparison: int and float64"
        );
        assert!(matches!(
            run("eq", vec![Value::Nil, Value::Int(1)]),
            Ok(Value::Bool(false))
        ));
        assert!(matches!(
            run(
                "eq",
                vec![Value::str("a"), Value::str("b"), Value::str("a")]
            ),
            Ok(Value::Bool(true))
        ));
    }

    #[test]
    fn typed_nil_collections_equal_nil() {
        let nil_map = || {
            Value::Map(crate::value::Map {
                entries: Default::default(),
                elem: crate::value::ElemType::String,
                nil: true,
                go_type: None,
            })
        };
        assert!(matches!(
            run("eq", vec![nil_map(), Value::Nil]),
            Ok(Value::Bool(true))
        ));
        assert!(matches!(
            run("eq", vec![nil_map(), nil_map()]),
            Ok(Value::Bool(true))
        ));
        assert!(matches!(
            run("eq", vec![Value::map(Default::default()), Value::Nil]),
            Ok(Value::Bool(false))
        ));
    }

    #[test]
    fn index_and_len() {
        let l = Value::list(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(
            run("index", vec![l.clone(), Value::Int(5)]).unwrap_err().0,
            "index out of range: 5"
        );
        assert_eq!(
            run("index", vec![l.clone(), Value::Int(2)]).unwrap_err().0,
            "reflect: slice index out of range"
        );
        assert_eq!(
            run("index", vec![Value::str("ab"), Value::Int(2)])
                .unwrap_err()
                .0,
            "reflect: string index out of range"
        );
        assert_eq!(
            run("index", vec![Value::Nil, Value::str("k")])
                .unwrap_err()
                .0,
            "index of untyped nil"
        );
        assert_eq!(
            run("index", vec![Value::Int(5), Value::Int(0)])
                .unwrap_err()
                .0,
            "can't index item of type int"
        );
        assert_eq!(
            run("len", vec![Value::Nil]).unwrap_err().0,
            "len of nil pointer"
        );
    }

    #[test]
    fn escapers() {
        let r = run("js", vec![Value::str("<a&b=c>\t")]).unwrap();
        assert_eq!(r.as_str(), Some("\\u003Ca\\u0026b\\u003Dc\\u003E\\u0009"));
        let r = run("urlquery", vec![Value::str("a b&c/d")]).unwrap();
        assert_eq!(r.as_str(), Some("a+b%26c%2Fd"));
    }
}
