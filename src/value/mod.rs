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
    /// `[]interface {}`: the chunks of `chunk`.
    AnyList,
}

impl ElemType {
    pub fn go_name(self) -> &'static str {
        match self {
            ElemType::Any => "interface {}",
            ElemType::String => "string",
            ElemType::Int => "int",
            ElemType::Float => "float64",
            ElemType::AnyList => "[]interface {}",
        }
    }
}

/// A shared, mutable list (Go slice).
#[derive(Clone)]
pub struct List {
    pub items: Rc<RefCell<Vec<Value>>>,
    pub elem: ElemType,
    /// A Go *nil* slice (Sprig's `rest`/`initial` of an empty list, `concat`
    /// of nothing, `regexFindAll` without matches). It behaves as empty but
    /// marshals as `null` and prints `[]interface {}(nil)` with `%#v`.
    pub nil: bool,
}

/// A shared, mutable map (Go `map[string]T`).
#[derive(Clone)]
pub struct Map {
    pub entries: Rc<RefCell<MapData>>,
    pub elem: ElemType,
    /// A Go *nil* map (e.g. `.Chart.Annotations` of a chart without any): it
    /// reads as empty but marshals as `null` and prints `map[string]string(nil)`
    /// with `%#v`.
    pub nil: bool,
    /// The Go named type of the map, when it is not a plain `map[string]T`:
    /// `common.Values` for `.Values`, `.` and `.Template`. `typeOf` and
    /// `deepEqual` see it; passing it to a `map[string]interface {}`
    /// parameter drops it, as Go's assignment does.
    pub go_type: Option<&'static str>,
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
    /// `%+v` of a struct: `{Name:value ...}`; `None` when it prints as `%v`.
    fn format_go_fields(&self) -> Option<String> {
        None
    }
    /// For a named integer type with a `String` method (`time.Duration`):
    /// the integer. fmt uses `String` only for `%v %s %q %x %X` and formats
    /// the integer for the other verbs; comparisons see the integer.
    fn go_int(&self) -> Option<i64> {
        None
    }
    /// For a Go struct: its JSON fields in declaration order, which is the
    /// order encoding/json writes them (`to_data` maps sort their keys).
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        None
    }
    /// What text/template prints for the value in an action. Differs from
    /// `%v` when the type's `String` method has a pointer receiver: the
    /// template prints an addressable field through it, while functions
    /// (`toString`, `printf`) get a copy and print the struct.
    fn format_template(&self) -> String {
        self.format_go()
    }
    /// Whether the object is a Go pointer to a struct without a `String`
    /// method (`*common.Capabilities`). fmt prints the fields of such a
    /// pointer only when it is the operand itself (`&{...}`); inside a
    /// list, map or struct it prints the address (`map[Capabilities:0x...]`).
    fn is_plain_struct_pointer(&self) -> bool {
        false
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
    /// A Go `string` whose bytes are not valid UTF-8. Go strings are byte
    /// strings: `substr`/`trunc` can cut inside a character and `b64dec` or
    /// `.Files.Get` can yield binary data, and helm keeps those bytes (`len`
    /// counts them, `quote` escapes them as `\xc3`, output writes them raw).
    /// Valid UTF-8 is always [`Value::String`] (the fast path); build strings
    /// from bytes with [`Value::from_go_bytes`] to keep that invariant.
    RawString(Rc<[u8]>),
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
            Value::RawString(b) => write!(f, "RawString({:?})", String::from_utf8_lossy(b)),
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

    /// A Go string made of arbitrary bytes: [`Value::String`] when they are
    /// valid UTF-8, [`Value::RawString`] otherwise.
    pub fn from_go_bytes(bytes: impl Into<Vec<u8>>) -> Value {
        match String::from_utf8(bytes.into()) {
            Ok(s) => Value::string(s),
            Err(e) => Value::RawString(Rc::from(e.into_bytes())),
        }
    }

    /// The bytes of a Go string (either representation); `None` for other kinds.
    pub fn go_str_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::String(s) => Some(s.as_bytes()),
            Value::RawString(b) => Some(b),
            _ => None,
        }
    }

    /// A Go string as text, with invalid bytes replaced by U+FFFD as Go's
    /// rune-wise string functions (`strings.Map`, `range`) see them; `None`
    /// for other kinds.
    pub fn str_lossy(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
            Value::RawString(b) => Some(std::borrow::Cow::Owned(go_lossy(b))),
            _ => None,
        }
    }

    /// A new `[]interface {}`.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List {
            items: Rc::new(RefCell::new(items)),
            elem: ElemType::Any,
            nil: false,
        })
    }

    /// A new list with a specific Go element type.
    pub fn typed_list(items: Vec<Value>, elem: ElemType) -> Value {
        Value::List(List {
            items: Rc::new(RefCell::new(items)),
            elem,
            nil: false,
        })
    }

    /// A Go nil slice of the given element type (see [`List::nil`]).
    pub fn nil_list(elem: ElemType) -> Value {
        Value::List(List {
            items: Rc::new(RefCell::new(Vec::new())),
            elem,
            nil: true,
        })
    }

    /// A new `map[string]interface {}`.
    pub fn map(entries: MapData) -> Value {
        Value::Map(Map {
            entries: Rc::new(RefCell::new(entries)),
            elem: ElemType::Any,
            nil: false,
            go_type: None,
        })
    }

    /// A map of the given element type.
    pub fn typed_map(entries: MapData, elem: ElemType) -> Value {
        Value::Map(Map {
            entries: Rc::new(RefCell::new(entries)),
            elem,
            nil: false,
            go_type: None,
        })
    }

    /// The same map (shared entries) seen as Go named type `name`, e.g.
    /// `common.Values`; other values unchanged.
    pub fn with_go_type(self, name: Option<&'static str>) -> Value {
        match self {
            Value::Map(m) => Value::Map(Map { go_type: name, ..m }),
            other => other,
        }
    }

    /// A Go nil `map[string]interface {}` (see [`Map::nil`]).
    pub fn nil_map() -> Value {
        Value::Map(Map {
            entries: Default::default(),
            elem: ElemType::Any,
            nil: true,
            go_type: None,
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
            Value::RawString(b) => !b.is_empty(),
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
            Value::String(_) | Value::RawString(_) => "string".to_string(),
            Value::Bytes(_) => "[]uint8".to_string(),
            Value::List(l) => format!("[]{}", l.elem.go_name()),
            Value::Map(m) => match m.go_type {
                Some(name) => name.to_string(),
                None => format!("map[string]{}", m.elem.go_name()),
            },
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
            Value::String(_) | Value::RawString(_) => "string",
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
                nil: l.nil,
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
                nil: m.nil,
                go_type: m.go_type,
            }),
            other => other.clone(),
        }
    }

    /// What [`Value::deep_copy`] gives, for a value about to be dropped:
    /// a tree whose lists and maps nothing else holds. Only the collections
    /// that are shared (held by another value too) are copied; those this
    /// value alone holds are kept as they are. Copying a freshly built
    /// values tree only to drop the original doubled its memory at the peak.
    pub fn into_unshared(self) -> Value {
        self.into_unshared_at(0)
    }

    fn into_unshared_at(self, depth: usize) -> Value {
        const MAX_COPY_DEPTH: usize = 10_000;
        if depth > MAX_COPY_DEPTH {
            return self;
        }
        match self {
            Value::List(mut l) => match Rc::get_mut(&mut l.items) {
                Some(items) => {
                    for v in items.get_mut().iter_mut() {
                        *v = std::mem::replace(v, Value::Nil).into_unshared_at(depth + 1);
                    }
                    Value::List(l)
                }
                None => Value::List(l).deep_copy_at(depth),
            },
            Value::Map(mut m) => match Rc::get_mut(&mut m.entries) {
                Some(entries) => {
                    for v in entries.get_mut().values_mut() {
                        *v = std::mem::replace(v, Value::Nil).into_unshared_at(depth + 1);
                    }
                    Value::Map(m)
                }
                None => Value::Map(m).deep_copy_at(depth),
            },
            other => other,
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

/// Bytes as text the way Go decodes a string rune by rune (`range`,
/// `strings.Map`, `[]rune(s)`, encoding/json): every byte that is not part of
/// a valid UTF-8 sequence becomes one U+FFFD. (Rust's `from_utf8_lossy`
/// would merge an invalid sequence into a single U+FFFD.)
pub fn go_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
    out
}

/// Go's `utf8.DecodeRune`: the first character of `b` and its width; an
/// invalid or truncated sequence is U+FFFD of width 1 (width 0 when empty).
pub fn decode_rune(b: &[u8]) -> (char, usize) {
    let Some(&first) = b.first() else {
        return (char::REPLACEMENT_CHARACTER, 0);
    };
    if first < 0x80 {
        return (first as char, 1);
    }
    let width = match first {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return (char::REPLACEMENT_CHARACTER, 1),
    };
    match b.get(..width).and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s) => (
            s.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER),
            width,
        ),
        None => (char::REPLACEMENT_CHARACTER, 1),
    }
}

/// Go's `utf8.RuneCount`: characters, counting each invalid byte as one.
pub fn go_rune_count(b: &[u8]) -> usize {
    match std::str::from_utf8(b) {
        Ok(s) => s.chars().count(),
        Err(_) => b
            .utf8_chunks()
            .map(|c| c.valid().chars().count() + c.invalid().len())
            .sum(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn into_unshared_copies_only_what_others_hold() {
        let shared = Value::map(MapData::from([("x".to_string(), Value::Int(1))]));
        let own = Value::map(MapData::from([("y".to_string(), Value::Int(2))]));
        let Value::Map(own_map) = &own else {
            unreachable!()
        };
        let own_ptr = Rc::as_ptr(&own_map.entries);
        let top = Value::map(MapData::from([
            ("a".to_string(), shared.clone()),
            ("b".to_string(), own.clone()),
        ]));
        drop(own);
        let out = top.into_unshared();
        let Value::Map(m) = out.get("a").unwrap() else {
            unreachable!()
        };
        let Value::Map(orig) = &shared else {
            unreachable!()
        };
        // The table another value holds is copied: changing it leaves ours be.
        assert!(!Rc::ptr_eq(&m.entries, &orig.entries));
        orig.entries
            .borrow_mut()
            .insert("x".to_string(), Value::Int(9));
        assert_eq!(format!("{:?}", out.get("a").unwrap()), "{\"x\": Int(1)}");
        // The one only this value held is kept, not copied.
        let Value::Map(b) = out.get("b").unwrap() else {
            unreachable!()
        };
        assert_eq!(Rc::as_ptr(&b.entries), own_ptr);
    }

    #[test]
    fn go_strings_keep_invalid_bytes_apart_from_utf8() {
        assert!(matches!(
            Value::from_go_bytes(b"h\xc3\xa9".to_vec()),
            Value::String(_)
        ));
        let raw = Value::from_go_bytes(b"h\xc3".to_vec());
        assert!(matches!(raw, Value::RawString(_)));
        assert_eq!(raw.go_str_bytes(), Some(&b"h\xc3"[..]));
        assert_eq!(raw.type_name(), "string");
        assert_eq!(raw.kind_name(), "string");
        assert!(raw.truthy());
    }

    #[test]
    fn lossy_view_is_one_replacement_per_byte_as_in_go() {
        assert_eq!(go_lossy(b"a\xe2\x82b"), "a\u{FFFD}\u{FFFD}b");
        assert_eq!(go_rune_count(b"a\xe2\x82\xc3\xa9"), 4);
        assert_eq!(decode_rune(b"\xc3\xa9x"), ('é', 2));
        assert_eq!(decode_rune(b"\xe2\x82"), (char::REPLACEMENT_CHARACTER, 1));
        assert_eq!(decode_rune(b""), (char::REPLACEMENT_CHARACTER, 0));
    }

    #[test]
    fn nil_lists_are_empty_lists_with_a_flag() {
        let Value::List(l) = Value::nil_list(ElemType::String) else {
            panic!("list expected");
        };
        assert!(l.nil && l.items.borrow().is_empty());
        assert_eq!(Value::List(l.clone()).type_name(), "[]string");
        let Value::List(copy) = Value::List(l).deep_copy() else {
            panic!("list expected");
        };
        assert!(copy.nil);
    }
}
