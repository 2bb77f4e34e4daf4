//! Sprig's `semver` and `semverCompare`, backed by [`crate::version`].
//!
//! `semver` returns a `*semver.Version` host object so templates can call its
//! Go methods (`.Major`, `.Compare`, `.IncMinor`, ...).

use std::rc::Rc;

use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};

const VERSION_PTR: Ty = Ty::Named("*semver.Version");
use crate::value::{Object, Value};
use crate::version::{Constraint, Version};

pub fn register(reg: &mut Registry) {
    reg.add("semver", Sig::fixed(&[Ty::String]), semver);
    reg.add(
        "semverCompare",
        Sig::fixed(&[Ty::String, Ty::String]),
        semver_compare,
    );
}

fn str_arg(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn semver(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let v = Version::parse(str_arg(&args[0])).map_err(|e| FuncError::new(e.to_string()))?;
    Ok(SemverObject::value(v, true))
}

fn semver_compare(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let c = Constraint::parse(str_arg(&args[0])).map_err(|e| FuncError::new(e.to_string()))?;
    let v = Version::parse(str_arg(&args[1])).map_err(|e| FuncError::new(e.to_string()))?;
    Ok(Value::Bool(c.matches(&v)))
}

/// A Masterminds version as a template value: `*semver.Version` from
/// `semver`, or `semver.Version` (no pointer) from the `Inc*`/`Set*` methods.
#[derive(Debug)]
pub struct SemverObject {
    pub version: Version,
    pointer: bool,
}

impl SemverObject {
    pub fn value(version: Version, pointer: bool) -> Value {
        Value::Object(Rc::new(SemverObject { version, pointer }))
    }

    fn other<'a>(name: &str, args: &'a [Value]) -> Result<&'a Version, String> {
        if args.len() != 1 {
            return Err(format!(
                "wrong number of args for {name}: want 1 got {}",
                args.len()
            ));
        }
        match &args[0] {
            Value::Object(o) => match o.as_any().downcast_ref::<SemverObject>() {
                Some(s) if s.pointer => Ok(&s.version),
                _ => Err(format!(
                    "wrong type for value; expected *semver.Version; got {}",
                    o.type_name()
                )),
            },
            other => Err(format!(
                "wrong type for value; expected *semver.Version; got {}",
                other.type_name()
            )),
        }
    }

    fn incremented(&self, major: u64, minor: u64, patch: u64) -> Value {
        SemverObject::value(self.version.with_numbers(major, minor, patch), false)
    }
}

const ZERO_ARG: &[&str] = &[
    "Major",
    "Minor",
    "Patch",
    "Prerelease",
    "Metadata",
    "Original",
    "String",
    "IncPatch",
    "IncMinor",
    "IncMajor",
];
const ONE_ARG: &[&str] = &[
    "Compare",
    "LessThan",
    "LessThanEqual",
    "GreaterThan",
    "GreaterThanEqual",
    "Equal",
    "SetPrerelease",
    "SetMetadata",
];

/// A Go `uint64` result. `Value` has no unsigned integer; the rare value
/// beyond `i64::MAX` is kept as its decimal text so it still prints right.
fn uint64(n: u64) -> Value {
    match i64::try_from(n) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::string(n.to_string()),
    }
}

/// Methods with pointer receivers: a `semver.Version` value (from `IncMinor`)
/// is not addressable in a template, so it lacks them.
const POINTER_ONLY: &[&str] = &[
    "Original",
    "Compare",
    "LessThan",
    "LessThanEqual",
    "GreaterThan",
    "GreaterThanEqual",
    "Equal",
];

impl Object for SemverObject {
    fn type_name(&self) -> String {
        if self.pointer {
            "*semver.Version".to_string()
        } else {
            "semver.Version".to_string()
        }
    }

    fn kind_name(&self) -> &'static str {
        if self.pointer {
            "ptr"
        } else {
            "struct"
        }
    }

    fn get_field(&self, name: &str) -> Option<Value> {
        if !self.pointer && POINTER_ONLY.contains(&name) {
            return None;
        }
        let v = &self.version;
        Some(match name {
            "Major" => uint64(v.major()),
            "Minor" => uint64(v.minor()),
            "Patch" => uint64(v.patch()),
            "Prerelease" => Value::str(v.prerelease()),
            "Metadata" => Value::str(v.metadata()),
            "Original" => Value::str(v.original()),
            "String" => Value::string(v.to_string()),
            "IncPatch" => {
                if v.prerelease().is_empty() {
                    self.incremented(v.major(), v.minor(), v.patch().wrapping_add(1))
                } else {
                    self.incremented(v.major(), v.minor(), v.patch())
                }
            }
            "IncMinor" => self.incremented(v.major(), v.minor().wrapping_add(1), 0),
            "IncMajor" => self.incremented(v.major().wrapping_add(1), 0, 0),
            _ => return None,
        })
    }

    fn has_method(&self, name: &str) -> bool {
        if !self.pointer && POINTER_ONLY.contains(&name) {
            return false;
        }
        ZERO_ARG.contains(&name) || ONE_ARG.contains(&name)
    }

    fn method_sig(&self, name: &str) -> Option<Sig> {
        if !self.has_method(name) {
            return None;
        }
        Some(match name {
            "SetPrerelease" | "SetMetadata" => Sig::fixed(&[Ty::String]),
            _ if ONE_ARG.contains(&name) => Sig::fixed(&[VERSION_PTR]),
            _ => Sig::fixed(&[]),
        })
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if !self.has_method(name) {
            return None;
        }
        if ZERO_ARG.contains(&name) {
            if !args.is_empty() {
                return Some(Err(format!(
                    "wrong number of args for {name}: want 0 got {}",
                    args.len()
                )));
            }
            return self.get_field(name).map(Ok);
        }
        let v = &self.version;
        let result = match name {
            "SetPrerelease" | "SetMetadata" => {
                let text = match args {
                    [Value::String(s)] => s.to_string(),
                    [other] => {
                        return Some(Err(format!(
                            "wrong type for value; expected string; got {}",
                            other.type_name()
                        )))
                    }
                    _ => {
                        return Some(Err(format!(
                            "wrong number of args for {name}: want 1 got {}",
                            args.len()
                        )))
                    }
                };
                let next = if name == "SetPrerelease" {
                    v.with_prerelease(&text)
                } else {
                    v.with_metadata(&text)
                };
                match next {
                    Ok(next) => Ok(SemverObject::value(next, false)),
                    Err(e) => Err(e.to_string()),
                }
            }
            _ => Self::other(name, args).map(|o| match name {
                "Compare" => Value::Int(v.compare(o) as i64),
                "LessThan" => Value::Bool(v < o),
                "LessThanEqual" => Value::Bool(v <= o),
                "GreaterThan" => Value::Bool(v > o),
                "GreaterThanEqual" => Value::Bool(v >= o),
                _ => Value::Bool(v == o),
            }),
        };
        Some(result)
    }

    fn format_go(&self) -> String {
        self.version.to_string()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    /// `MarshalJSON` writes the canonical string.
    fn to_data(&self) -> Option<Value> {
        Some(Value::string(self.version.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[&str]) -> FuncResult {
        let mut reg = Registry::default();
        register(&mut reg);
        let f = reg.get(name).expect("registered").f;
        let args: Vec<Value> = args.iter().map(|a| Value::str(a)).collect();
        f(&mut FuncEnv::default(), &args)
    }

    #[test]
    fn compare_function() {
        assert!(matches!(
            call("semverCompare", &["^1.2.0", "1.9.0"]),
            Ok(Value::Bool(true))
        ));
        assert!(matches!(
            call("semverCompare", &[">=1.20", "1.21.0-rc.1"]),
            Ok(Value::Bool(false))
        ));
        assert_eq!(
            call("semverCompare", &[">=1.0", "garbage"]).unwrap_err().0,
            "invalid semantic version"
        );
        assert_eq!(
            call("semverCompare", &["foo", "1.0.0"]).unwrap_err().0,
            "improper constraint: \"foo\""
        );
    }

    #[test]
    fn version_object_methods() {
        let v = call("semver", &["v1.2.3-beta.1+b7"]).unwrap();
        let Value::Object(o) = &v else {
            panic!("not an object")
        };
        assert_eq!(o.type_name(), "*semver.Version");
        assert_eq!(o.format_go(), "1.2.3-beta.1+b7");
        assert!(matches!(o.get_field("Minor"), Some(Value::Int(2))));
        assert_eq!(
            o.get_field("Original").unwrap().as_str(),
            Some("v1.2.3-beta.1+b7")
        );
        let inc = o.get_field("IncMinor").unwrap();
        let Value::Object(inc) = inc else { panic!() };
        assert_eq!(inc.format_go(), "1.3.0");
        assert_eq!(inc.type_name(), "semver.Version");
        assert!(inc.get_field("Original").is_none());
        assert!(!inc.has_method("Compare"));
        let w = call("semver", &["1.2.4"]).unwrap();
        let r = o.call_method("Compare", &[w]).unwrap().unwrap();
        assert!(matches!(r, Value::Int(-1)));
        let err = o.call_method("LessThan", &[Value::str("x")]).unwrap();
        assert_eq!(
            err.unwrap_err(),
            "wrong type for value; expected *semver.Version; got string"
        );
    }
}
