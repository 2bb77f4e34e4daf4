//! Helm's engine functions: `include`, `tpl` (executed by the engine
//! itself; registered here so the parser knows the names), `required` and
//! `fail` (Helm's versions, which mark their message so the engine prints
//! `execution error at (FILE:L:C): msg`), and `lookup` (an empty map
//! without a cluster). Registered after Sprig so these win.

use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::log::{Level, Record};
use crate::render::error::{WARN_END, WARN_START};
use crate::value::Value;

pub fn register(reg: &mut Registry) {
    reg.add(
        "include",
        Sig::fixed(&[Ty::String, Ty::Any]),
        engine_intrinsic,
    );
    reg.add("tpl", Sig::fixed(&[Ty::String, Ty::Any]), engine_intrinsic);
    reg.add("required", Sig::fixed(&[Ty::String, Ty::Any]), required);
    reg.add("fail", Sig::fixed(&[Ty::String]), fail);
    reg.add(
        "lookup",
        Sig::fixed(&[Ty::String, Ty::String, Ty::String, Ty::String]),
        lookup,
    );
}

/// `include`/`tpl` are resolved to the executor before the registry is
/// consulted; this body only runs if called outside an engine.
fn engine_intrinsic(_: &mut FuncEnv, _: &[Value]) -> FuncResult {
    Ok(Value::str("not implemented"))
}

/// The slog line helm's `required`/`fail` print on stderr under `helm lint`.
fn lint_log(level: Level, msg: &str, message: &str) {
    eprintln!("{}", Record::new(level, msg).attr("message", message));
}

fn warn_wrap(msg: &str) -> FuncError {
    FuncError::new(format!("{WARN_START}{msg}{WARN_END}"))
}

fn required(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let warn = args[0].as_str().unwrap_or("");
    let missing = match &args[1] {
        Value::Nil => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    };
    if missing {
        if env.lint_mode {
            // helm lint logs the message instead of failing
            // helm words the two cases differently
            let what = if args[1].is_nil() {
                "missing required value"
            } else {
                "missing required values"
            };
            lint_log(Level::Warn, what, warn);
            return Ok(Value::str(""));
        }
        return Err(warn_wrap(warn));
    }
    Ok(args[1].clone())
}

fn fail(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    if env.lint_mode {
        lint_log(Level::Info, "funcMap fail", args[0].as_str().unwrap_or(""));
        return Ok(Value::str(""));
    }
    Err(warn_wrap(args[0].as_str().unwrap_or("")))
}

fn lookup(_: &mut FuncEnv, _: &[Value]) -> FuncResult {
    Ok(Value::empty_map())
}
