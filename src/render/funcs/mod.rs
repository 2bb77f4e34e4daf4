//! The function table templates can call: Go text/template builtins, Sprig,
//! and Helm's own functions.
//!
//! Each function declares its Go signature ([`Sig`]) because text/template
//! checks argument counts and converts/validates argument types *before* the
//! call, and its error texts (`wrong number of args for upper: want 1 got 2`,
//! `wrong type for value; expected string; got float64`) are part of the
//! contract. The executor does those checks and conversions from `Sig`; a
//! function body can therefore trust that a `Ty::String` parameter holds a
//! `Value::String`, a `Ty::Int` parameter a `Value::Int`, and so on.
//!
//! Function families live in sibling modules, each exposing
//! `pub fn register(reg: &mut Registry)`.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::render::fast_hash::FastHasher;
use crate::value::Value;

pub mod builtins;
pub mod conversion;
pub mod crypto;
pub mod dates;
pub mod defaults;
pub mod dicts;
pub mod encoding;
pub mod env;
pub mod hashes;
pub mod helm;
pub mod lists;
pub mod math;
pub mod network;
pub mod paths;
pub mod random;
pub mod reflection;
pub mod regex;
pub mod semver;
pub mod serialization;
pub mod strings;
pub mod urls;
pub use env::FuncEnv;

/// A Go parameter type, as far as text/template's argument conversion cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `interface{}`: anything, including nil.
    Any,
    /// `string`. Invalid UTF-8 (a [`Value::RawString`]) arrives as U+FFFD per
    /// byte, as Go's rune-wise string functions see it.
    String,
    /// `string` for a function that works on bytes (`substr`, `b64enc`,
    /// `sha256sum`, ...): receives `Value::String` or `Value::RawString`.
    StringBytes,
    Int,
    Int64,
    Float64,
    Bool,
    /// `[]interface{}` (Sprig list functions declare this).
    List,
    /// `[]string`.
    Strings,
    /// `map[string]interface{}`.
    Map,
    /// `[]byte`.
    Bytes,
    /// A Go named type that only a host object carries, by its `%T` name
    /// (`time.Time`, `*semver.Version`, `sprig.certificate`).
    Named(&'static str),
}

impl Ty {
    /// The Go spelling used in error messages (`expected string`).
    pub fn go_name(self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::String | Ty::StringBytes => "string",
            Ty::Int => "int",
            Ty::Int64 => "int64",
            Ty::Float64 => "float64",
            Ty::Bool => "bool",
            Ty::List => "[]interface {}",
            Ty::Strings => "[]string",
            Ty::Map => "map[string]interface {}",
            Ty::Bytes => "[]uint8",
            Ty::Named(name) => name,
        }
    }
}

/// A function's Go signature: fixed parameters, then an optional variadic tail.
#[derive(Clone, Copy, Debug)]
pub struct Sig {
    pub params: &'static [Ty],
    pub variadic: Option<Ty>,
}

impl Sig {
    pub const fn fixed(params: &'static [Ty]) -> Sig {
        Sig {
            params,
            variadic: None,
        }
    }
    pub const fn variadic(params: &'static [Ty], rest: Ty) -> Sig {
        Sig {
            params,
            variadic: Some(rest),
        }
    }
}

/// An error returned (or a panic raised) by a function. The executor wraps it
/// as Go does: `error calling NAME: MESSAGE`.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncError(pub String);

impl FuncError {
    pub fn new(msg: impl Into<String>) -> FuncError {
        FuncError(msg.into())
    }
}

impl std::fmt::Display for FuncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub type FuncResult = Result<Value, FuncError>;

/// A native function body. Arguments were already checked against `Sig` and
/// converted.
pub type NativeFn = fn(&mut FuncEnv, &[Value]) -> FuncResult;

#[derive(Clone, Copy)]
pub struct FuncDef {
    pub name: &'static str,
    pub sig: Sig,
    pub f: NativeFn,
}

/// Name -> definition. Later registrations replace earlier ones (Helm's
/// functions override Sprig's of the same name, as in Helm).
///
/// Hashed with [`FastHasher`] (the names are our own), and made with room
/// for all of Sprig's and Helm's functions so it never rehashes.
#[derive(Clone)]
pub struct Registry {
    funcs: HashMap<&'static str, FuncDef, BuildHasherDefault<FastHasher>>,
}

impl Default for Registry {
    fn default() -> Registry {
        Registry {
            funcs: HashMap::with_capacity_and_hasher(320, Default::default()),
        }
    }
}

impl Registry {
    pub fn add(&mut self, name: &'static str, sig: Sig, f: NativeFn) {
        self.funcs.insert(name, FuncDef { name, sig, f });
    }

    pub fn remove(&mut self, name: &str) {
        self.funcs.remove(name);
    }

    pub fn get(&self, name: &str) -> Option<&FuncDef> {
        self.funcs.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &&'static str> {
        self.funcs.keys()
    }
}

/// Every function family registered in Helm's order (Sprig first, then Helm's
/// overrides). Families not written yet simply are not listed here.
pub fn standard_registry() -> Registry {
    let mut reg = sprig_registry();
    serialization::register(&mut reg);
    helm::register(&mut reg);
    reg
}

/// Sprig's functions alone (`sprig.TxtFuncMap`), as helm gives them to the
/// templates outside its chart engine (`--name-template`): no `include`,
/// `tpl`, `required`, `lookup` or YAML/TOML functions, Sprig's own `fail`.
pub fn sprig_registry() -> Registry {
    let mut reg = Registry::default();
    // Families add themselves here as they land, e.g. `strings::register(&mut reg);`
    conversion::register(&mut reg);
    math::register(&mut reg);
    strings::register(&mut reg);
    lists::register(&mut reg);
    dicts::register(&mut reg);
    defaults::register(&mut reg);
    reflection::register(&mut reg);
    regex::register(&mut reg);
    paths::register(&mut reg);
    urls::register(&mut reg);
    dates::register(&mut reg);
    encoding::register(&mut reg);
    hashes::register(&mut reg);
    crypto::register(&mut reg);
    network::register(&mut reg);
    random::register(&mut reg);
    semver::register(&mut reg);
    serialization::register_sprig(&mut reg);
    reg
}
