//! The dynamic value every part of rudder passes around: values files, `--set`
//! results, template data and function results.
//!
//! It mirrors the Go types a Helm chart can observe, because templates can see
//! them (`typeOf`, `%T`, `printf "%v"`, comparison rules):
//! - `Int` is Go `int` (template literals, `len`, most Sprig math results),
//!   `Int64` is Go `int64` (`--set` integers, `int64`), `Float` is `float64`
//!   (every number read from YAML or JSON).
//! - Lists and maps are *shared, mutable references*, as Go slices and maps
//!   are: Sprig's `set`, `unset`, `merge`, `append` on a map value mutate in
//!   place and charts rely on it. `Clone` on a `Value` is therefore shallow;
//!   use [`Value::deep_copy`] for an independent copy.
//! - Lists and maps remember their Go element type (`[]string` vs
//!   `[]interface {}`), which `typeOf` and a few functions observe.
//! - Host objects (`.Files`, `.Capabilities`, semver versions, times) implement
//!   [`Object`].

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// A map with Go `map[string]...` semantics. Iteration is in sorted key order,
/// which is the order Go's text/template `range`, `fmt` and `encoding/json` use.
pub type MapData = BTreeMap<String, Value>;

/// The Go element type of a list or map, as `typeOf` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElemType {
    /// `interface {}`: the default for everything built from YAML/JSON, `list`, `dict`.
    Any,
    /// `string`: `[]string` from `splitList`, `keys`, `.Files.Lines`, `map[string]string` from `split`.
    String,
    /// `int`: e.g. `[]int` from `until`/`seq`-like helpers.
    Int,
    /// `float64`.
    Float,
}

impl ElemType {
    pub fn go_name(self) -> &'static str {
        match self {
            ElemType::Any => "interface {}",
            ElemType::String => "string",
            ElemType::Int => "int",
            ElemType::Float => "float64",
        }
    }
}

/// A shared, mutable list (Go slice).
#[derive(Clone)]
pub struct List {
    pub items: Rc<RefCell<Vec<Value>>>,
    pub elem: ElemType,
}

/// A shared, mutable map (Go `map[string]T`).
#[derive(Clone)]
pub struct Map {
    pub entries: Rc<RefCell<MapData>>,
    pub elem: ElemType,
}

/// A host object with Go-like fields and methods (`.Files`, `.Capabilities`,
/// `semver "1.2.3"`, `now`).
pub trait Object: fmt::Debug {
    /// Go type name as `typeOf`/`%T` print it, e.g. `*semver.Version`.
    fn type_name(&self) -> String;
    /// Go kind as `kindOf` prints it (`struct`, `ptr`, `map`, ...).
    fn kind_name(&self) -> &'static str {
        "ptr"
    }
    /// Field access or a zero-argument method, `.Name`. `None` if no such field/method.
    fn get_field(&self, name: &str) -> Option<Value>;
    /// Whether `name` is a method (so it can take arguments).
    fn has_method(&self, _name: &str) -> bool {
        false
    }
    /// The Go signature of method `name`, when the executor should check
    /// argument count and types as Go does (`wrong number of args for Get`).
    fn method_sig(&self, _name: &str) -> Option<crate::render::funcs::Sig> {
        None
    }
    /// Call method `name` with arguments. `None` if no such method.
    fn call_method(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    /// Go's `%v` rendering of the object.
    fn format_go(&self) -> String;
    /// Truthiness in `if` (non-nil pointers are true).
    fn truthy(&self) -> bool {
        true
    }
    /// Downcasting support for functions that need the concrete type (e.g. `semver` results).
    fn as_any(&self) -> &dyn std::any::Any;
    /// Conversion used when the object is marshalled (toJson/toYaml); `None` = `{}`.
    fn to_data(&self) -> Option<Value> {
        None
    }
}

#[derive(Clone)]
pub enum Value {
    /// Go `nil` / an invalid reflect.Value (missing key). Prints `<no value>` at
    /// the top level of an action and `<nil>` inside collections.
    Nil,
    Bool(bool),
    Int(i64),
    Int64(i64),
    Float(f64),
    String(Rc<str>),
    /// Go `[]byte` (`.Files.GetBytes`); `typeOf` is `[]uint8`.
    Bytes(Rc<[u8]>),
    List(List),
    Map(Map),
    Object(Rc<dyn Object>),
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Int64(i) => write!(f, "Int64({i})"),
            Value::Float(x) => write!(f, "Float({x:?})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Bytes(b) => write!(f, "Bytes({b:?})"),
            Value::List(l) => f.debug_list().entries(l.items.borrow().iter()).finish(),
            Value::Map(m) => f.debug_map().entries(m.entries.borrow().iter()).finish(),
            Value::Object(o) => write!(f, "Object({o:?})"),
        }
    }
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::String(Rc::from(s))
    }

    pub fn string(s: String) -> Value {
        Value::String(Rc::from(s))
    }

    /// A new `[]interface {}`.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List {
            items: Rc::new(RefCell::new(items)),
            elem: ElemType::Any,
        })
    }

    /// A new list with a specific Go element type.
    pub fn typed_list(items: Vec<Value>, elem: ElemType) -> Value {
        Value::List(List {
            items: Rc::new(RefCell::new(items)),
            elem,
        })
    }

    /// A new `map[string]interface {}`.
    pub fn map(entries: MapData) -> Value {
        Value::Map(Map {
            entries: Rc::new(RefCell::new(entries)),
            elem: ElemType::Any,
        })
    }

    pub fn empty_map() -> Value {
        Value::map(MapData::new())
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// Go truthiness as `if`/`and`/`or`/`not` see it: false, 0, "", nil and
    /// empty collections are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(x) => *x != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.items.borrow().is_empty(),
            Value::Map(m) => !m.entries.borrow().is_empty(),
            Value::Object(o) => o.truthy(),
        }
    }

    /// Go type name, as `typeOf` and `%T` print it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".to_string(),
            Value::Bool(_) => "bool".to_string(),
            Value::Int(_) => "int".to_string(),
            Value::Int64(_) => "int64".to_string(),
            Value::Float(_) => "float64".to_string(),
            Value::String(_) => "string".to_string(),
            Value::Bytes(_) => "[]uint8".to_string(),
            Value::List(l) => format!("[]{}", l.elem.go_name()),
            Value::Map(m) => format!("map[string]{}", m.elem.go_name()),
            Value::Object(o) => o.type_name(),
        }
    }

    /// Go reflect kind name, as `kindOf` prints it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// An independent copy: lists and maps are copied recursively, objects
    /// and strings are shared (they are immutable). A collection that
    /// contains itself is shared below a large depth instead of recursing
    /// forever.
    pub fn deep_copy(&self) -> Value {
        self.deep_copy_at(0)
    }

    fn deep_copy_at(&self, depth: usize) -> Value {
        const MAX_COPY_DEPTH: usize = 10_000;
        if depth > MAX_COPY_DEPTH {
            return self.clone();
        }
        match self {
            Value::List(l) => Value::List(List {
                items: Rc::new(RefCell::new(
                    l.items
                        .borrow()
                        .iter()
                        .map(|v| v.deep_copy_at(depth + 1))
                        .collect(),
                )),
                elem: l.elem,
            }),
            Value::Map(m) => Value::Map(Map {
                entries: Rc::new(RefCell::new(
                    m.entries
                        .borrow()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.deep_copy_at(depth + 1)))
                        .collect(),
                )),
                elem: m.elem,
            }),
            other => other.clone(),
        }
    }

    /// Map lookup by key; `None` when not a map or the key is absent.
    pub fn get(&self, key: &str) -> Option<Value> {
        match self {
            Value::Map(m) => m.entries.borrow().get(key).cloned(),
            _ => None,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::string(s)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}

impl From<MapData> for Value {
    fn from(m: MapData) -> Self {
        Value::map(m)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::list(v)
    }
}
