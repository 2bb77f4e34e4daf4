//! Sprig's arithmetic: integer math (`add`, `sub`, `mul`, `div`, `mod`,
//! `max`, `min`, ...) over `int64` with cast's lenient conversion (so
//! `add 1.5 2.7` is 3 and `add "3" 4` is 7), float helpers (`floor`, `ceil`,
//! `round`, `maxf`, `minf`), decimal-exact `addf`/`subf`/`mulf`/`divf`, and
//! the integer sequences `until`, `untilStep`, `seq`.
//!
//! Integer overflow wraps as Go's does, and division by zero fails with the
//! Go runtime's panic text, which text/template reports as the call's error.

mod decimal;

use super::conversion::{to_float64, to_int64};
use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::value::{ElemType, Value};
use decimal::Decimal;

pub fn register(reg: &mut Registry) {
    let binary = Sig::fixed(&[Ty::Any, Ty::Any]);
    let head_and_rest = Sig::variadic(&[Ty::Any], Ty::Any);
    reg.add("add1", Sig::fixed(&[Ty::Any]), add1);
    reg.add("add", Sig::variadic(&[], Ty::Any), add);
    reg.add("sub", binary, sub);
    reg.add("div", binary, div);
    reg.add("mod", binary, modulo);
    reg.add("mul", head_and_rest, mul);
    reg.add("biggest", head_and_rest, max);
    reg.add("max", head_and_rest, max);
    reg.add("min", head_and_rest, min);
    reg.add("maxf", head_and_rest, maxf);
    reg.add("minf", head_and_rest, minf);
    reg.add("floor", Sig::fixed(&[Ty::Any]), floor);
    reg.add("ceil", Sig::fixed(&[Ty::Any]), ceil);
    reg.add(
        "round",
        Sig::variadic(&[Ty::Any, Ty::Int], Ty::Float64),
        round,
    );
    reg.add("add1f", Sig::fixed(&[Ty::Any]), add1f);
    reg.add("addf", Sig::variadic(&[], Ty::Any), addf);
    reg.add("subf", head_and_rest, subf);
    reg.add("mulf", head_and_rest, mulf);
    reg.add("divf", head_and_rest, divf);
    reg.add("until", Sig::fixed(&[Ty::Int]), until);
    reg.add(
        "untilStep",
        Sig::fixed(&[Ty::Int, Ty::Int, Ty::Int]),
        until_step_fn,
    );
    reg.add("seq", Sig::variadic(&[], Ty::Int), seq);
}

/// Longest integer sequence `until`/`untilStep`/`seq` will build.
const MAX_SEQUENCE: i128 = 1 << 26;

/// The Go runtime's panic for integer division by zero, as text/template
/// reports it.
const DIVIDE_BY_ZERO: &str = "runtime error: integer divide by zero";

fn add1(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Int64(to_int64(&args[0]).wrapping_add(1)))
}

fn add(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let sum = args
        .iter()
        .fold(0i64, |acc, v| acc.wrapping_add(to_int64(v)));
    Ok(Value::Int64(sum))
}

fn sub(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Int64(
        to_int64(&args[0]).wrapping_sub(to_int64(&args[1])),
    ))
}

fn div(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let divisor = to_int64(&args[1]);
    if divisor == 0 {
        return Err(FuncError::new(DIVIDE_BY_ZERO));
    }
    Ok(Value::Int64(to_int64(&args[0]).wrapping_div(divisor)))
}

fn modulo(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let divisor = to_int64(&args[1]);
    if divisor == 0 {
        return Err(FuncError::new(DIVIDE_BY_ZERO));
    }
    Ok(Value::Int64(to_int64(&args[0]).wrapping_rem(divisor)))
}

fn mul(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let product = args[1..]
        .iter()
        .fold(to_int64(&args[0]), |acc, v| acc.wrapping_mul(to_int64(v)));
    Ok(Value::Int64(product))
}

fn max(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let best = args[1..]
        .iter()
        .map(to_int64)
        .fold(to_int64(&args[0]), i64::max);
    Ok(Value::Int64(best))
}

fn min(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let best = args[1..]
        .iter()
        .map(to_int64)
        .fold(to_int64(&args[0]), i64::min);
    Ok(Value::Int64(best))
}

fn maxf(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let best = args[1..]
        .iter()
        .map(to_float64)
        .fold(to_float64(&args[0]), go_max);
    Ok(Value::Float(best))
}

fn minf(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let best = args[1..]
        .iter()
        .map(to_float64)
        .fold(to_float64(&args[0]), go_min);
    Ok(Value::Float(best))
}

/// Go's `math.Max`: +Inf wins over NaN, NaN wins over numbers, +0 over -0.
fn go_max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        f64::INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && y == 0.0 {
        if x.is_sign_negative() {
            y
        } else {
            x
        }
    } else if x > y {
        x
    } else {
        y
    }
}

/// Go's `math.Min`: -Inf wins over NaN, NaN wins over numbers, -0 over +0.
fn go_min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && y == 0.0 {
        if x.is_sign_negative() {
            x
        } else {
            y
        }
    } else if x < y {
        x
    } else {
        y
    }
}

fn floor(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Float(to_float64(&args[0]).floor()))
}

fn ceil(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Float(to_float64(&args[0]).ceil()))
}

/// `round VALUE PLACES [ROUND_ON]`: Sprig rounds up when the fractional part
/// of `value * 10^places` is at least `ROUND_ON` (default .5), and down
/// otherwise, so `round 1.005 2` is 1 and negative halves round down.
fn round(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let round_on = match args.get(2) {
        Some(Value::Float(x)) => *x,
        Some(other) => to_float64(other),
        None => 0.5,
    };
    let value = to_float64(&args[0]);
    let places = to_float64(&args[1]);
    let pow = 10f64.powf(places);
    let digit = pow * value;
    let fraction = digit - digit.trunc();
    let rounded = if fraction >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(rounded / pow))
}

/// Sprig's `execDecimalOp`: every operand becomes an exact decimal, the
/// operation folds left to right, the result is the nearest float64.
fn decimal_fold(
    first: &Value,
    rest: &[Value],
    op: fn(&Decimal, &Decimal) -> Result<Decimal, decimal::DecimalError>,
) -> FuncResult {
    let to_decimal =
        |v: &Value| Decimal::from_f64(to_float64(v)).map_err(|e| FuncError::new(e.to_string()));
    let mut acc = to_decimal(first)?;
    for v in rest {
        acc = op(&acc, &to_decimal(v)?).map_err(|e| FuncError::new(e.to_string()))?;
    }
    Ok(Value::Float(acc.to_f64()))
}

fn add1f(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    decimal_fold(&args[0], &[Value::Int(1)], |a, b| Ok(a.add(b)))
}

fn addf(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    decimal_fold(&Value::Float(0.0), args, |a, b| Ok(a.add(b)))
}

fn subf(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    decimal_fold(&args[0], &args[1..], |a, b| Ok(a.sub(b)))
}

fn mulf(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    decimal_fold(&args[0], &args[1..], |a, b| Ok(a.mul(b)))
}

fn divf(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    decimal_fold(&args[0], &args[1..], Decimal::div)
}

fn int_arg(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        other => to_int64(other),
    }
}

fn until(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let count = int_arg(&args[0]);
    let step = if count < 0 { -1 } else { 1 };
    Ok(int_list(until_step(0, count, step)?))
}

fn until_step_fn(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let (start, stop, step) = (int_arg(&args[0]), int_arg(&args[1]), int_arg(&args[2]));
    Ok(int_list(until_step(start, stop, step)?))
}

fn int_list(items: Vec<i64>) -> Value {
    Value::typed_list(items.into_iter().map(Value::Int).collect(), ElemType::Int)
}

/// Sprig's `untilStep`: counts from `start` toward `stop` (exclusive) by
/// `step`; a step pointing away from `stop` gives an empty list.
fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, FuncError> {
    // Go would grow the slice until the process dies; fail instead of
    // exhausting memory.
    let produces = (stop < start && step < 0) || (stop > start && step > 0);
    let count = (i128::from(stop) - i128::from(start)) / i128::from(step).abs().max(1);
    if produces && count.abs() > MAX_SEQUENCE {
        return Err(FuncError::new("runtime: out of memory"));
    }
    let mut out = Vec::new();
    let mut i = start;
    if stop < start {
        if step >= 0 {
            return Ok(out);
        }
        while i > stop {
            out.push(i);
            match i.checked_add(step) {
                Some(next) => i = next,
                None => break,
            }
        }
        return Ok(out);
    }
    if step <= 0 {
        return Ok(out);
    }
    while i < stop {
        out.push(i);
        match i.checked_add(step) {
            Some(next) => i = next,
            None => break,
        }
    }
    Ok(out)
}

/// `seq` like the Unix tool: `seq END`, `seq START END`, `seq START STEP
/// END`, inclusive, counting down when END < START; the numbers joined by
/// spaces.
fn seq(_: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let p: Vec<i64> = args.iter().map(int_arg).collect();
    let numbers = match p.as_slice() {
        [end] => {
            let start = 1;
            let inc = if *end < start { -1 } else { 1 };
            until_step(start, end.wrapping_add(inc), inc)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(*start, end.wrapping_add(step), step)?
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if *step > 0 {
                    return Ok(Value::str(""));
                }
            }
            until_step(*start, end.wrapping_add(inc), *step)?
        }
        _ => Vec::new(),
    };
    let text: Vec<String> = numbers.iter().map(i64::to_string).collect();
    Ok(Value::string(text.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: super::super::NativeFn, args: &[Value]) -> FuncResult {
        f(&mut FuncEnv::default(), args)
    }

    fn text(v: FuncResult) -> String {
        crate::render::gofmt::sprint(&v.unwrap())
    }

    #[test]
    fn integer_math_truncates_and_casts() {
        assert_eq!(
            text(call(add, &[Value::Float(1.5), Value::Float(2.7)])),
            "3"
        );
        assert_eq!(text(call(add, &[Value::str("3"), Value::Int(4)])), "7");
        assert_eq!(text(call(add, &[Value::Bool(true), Value::Int(1)])), "2");
        assert_eq!(text(call(div, &[Value::Int(-7), Value::Int(2)])), "-3");
        assert_eq!(text(call(modulo, &[Value::Int(-7), Value::Int(3)])), "-1");
        assert_eq!(
            call(div, &[Value::Int(1), Value::Int(0)]).unwrap_err().0,
            "runtime error: integer divide by zero"
        );
        assert_eq!(
            text(call(add, &[Value::Int(i64::MAX), Value::Int(1)])),
            "-9223372036854775808"
        );
        assert!(matches!(
            call(max, &[Value::Float(2.9), Value::Int(2)]),
            Ok(Value::Int64(2))
        ));
    }

    #[test]
    fn float_helpers() {
        assert_eq!(
            text(call(round, &[Value::Float(1.2345), Value::Int(2)])),
            "1.23"
        );
        assert_eq!(
            text(call(round, &[Value::Float(-2.5), Value::Int(0)])),
            "-3"
        );
        assert_eq!(
            text(call(round, &[Value::Float(1.005), Value::Int(2)])),
            "1"
        );
        assert_eq!(
            text(call(round, &[Value::Float(123.456), Value::Int(-1)])),
            "120"
        );
        assert_eq!(
            text(call(addf, &[Value::Float(0.1), Value::Float(0.2)])),
            "0.3"
        );
        assert_eq!(
            text(call(divf, &[Value::Int(1), Value::Int(3)])),
            "0.3333333333333333"
        );
        assert_eq!(
            call(divf, &[Value::Int(1), Value::Int(0)]).unwrap_err().0,
            "decimal division by 0"
        );
        assert_eq!(text(call(ceil, &[Value::str("2.1")])), "3");
    }

    #[test]
    fn sequences() {
        assert_eq!(text(call(until, &[Value::Int(-3)])), "[0 -1 -2]");
        assert_eq!(
            text(call(
                until_step_fn,
                &[Value::Int(10), Value::Int(0), Value::Int(-4)]
            )),
            "[10 6 2]"
        );
        assert_eq!(text(call(seq, &[Value::Int(5), Value::Int(2)])), "5 4 3 2");
        assert_eq!(
            text(call(seq, &[Value::Int(10), Value::Int(-3), Value::Int(1)])),
            "10 7 4 1"
        );
        assert_eq!(text(call(seq, &[Value::Int(0)])), "1 0");
        assert_eq!(text(call(seq, &[])), "");
        assert!(call(until, &[Value::Int(i64::MAX)]).is_err());
        let empty = call(
            until_step_fn,
            &[Value::Int(0), Value::Int(i64::MAX), Value::Int(-1)],
        );
        assert_eq!(text(empty), "[]");
        let min_step = call(
            until_step_fn,
            &[Value::Int(0), Value::Int(-5), Value::Int(i64::MIN)],
        );
        assert_eq!(text(min_step), "[0]");
    }
}
