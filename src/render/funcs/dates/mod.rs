//! Sprig's date functions and Helm 4's duration helpers.
//!
//! Times are Go `time.Time` host objects ([`TimeObject`]) that print like Go
//! (`2024-01-02 03:04:05 +0000 UTC`); layouts are Go reference-time layouts;
//! durations parse and print like Go's `time.Duration`. The clock and the
//! local zone come from [`FuncEnv`].

mod civil;
pub use civil::days_in_month;
mod duration;
mod layout;
mod posix_tz;
mod time_value;
mod zone;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub use duration::{format_duration, parse_duration, DurationObject};
pub use time_value::{GoTime, TimeObject};
pub use zone::Location;

use super::{FuncEnv, FuncError, FuncResult, Registry, Sig, Ty};
use crate::value::Value;
use duration::{in_units, HOUR, MICROSECOND, MILLISECOND, MINUTE, SECOND};

pub fn register(reg: &mut Registry) {
    use Ty::{Any, String as S};
    const TIME: Ty = Ty::Named("time.Time");
    reg.add("now", Sig::fixed(&[]), now);
    reg.add("date", Sig::fixed(&[S, Any]), date);
    reg.add("dateInZone", Sig::fixed(&[S, Any, S]), date_in_zone);
    reg.add("date_in_zone", Sig::fixed(&[S, Any, S]), date_in_zone);
    reg.add("htmlDate", Sig::fixed(&[Any]), html_date);
    reg.add("htmlDateInZone", Sig::fixed(&[Any, S]), html_date_in_zone);
    reg.add("dateModify", Sig::fixed(&[S, TIME]), date_modify);
    reg.add("date_modify", Sig::fixed(&[S, TIME]), date_modify);
    reg.add("mustDateModify", Sig::fixed(&[S, TIME]), must_date_modify);
    reg.add("must_date_modify", Sig::fixed(&[S, TIME]), must_date_modify);
    reg.add("ago", Sig::fixed(&[Any]), ago);
    reg.add("duration", Sig::fixed(&[Any]), duration_fn);
    reg.add("durationRound", Sig::fixed(&[Any]), duration_round);
    reg.add("toDate", Sig::fixed(&[S, S]), to_date);
    reg.add("mustToDate", Sig::fixed(&[S, S]), must_to_date);
    reg.add("unixEpoch", Sig::fixed(&[TIME]), unix_epoch);
    // Helm 4's duration helpers (pkg/engine/funcs.go).
    reg.add("mustToDuration", Sig::fixed(&[Any]), must_to_duration);
    reg.add("durationSeconds", Sig::fixed(&[Any]), duration_seconds);
    reg.add(
        "durationMilliseconds",
        Sig::fixed(&[Any]),
        duration_milliseconds,
    );
    reg.add(
        "durationMicroseconds",
        Sig::fixed(&[Any]),
        duration_microseconds,
    );
    reg.add(
        "durationNanoseconds",
        Sig::fixed(&[Any]),
        duration_nanoseconds,
    );
    reg.add("durationMinutes", Sig::fixed(&[Any]), duration_minutes);
    reg.add("durationHours", Sig::fixed(&[Any]), duration_hours);
    reg.add("durationDays", Sig::fixed(&[Any]), duration_days);
    reg.add("durationWeeks", Sig::fixed(&[Any]), duration_weeks);
    reg.add(
        "durationRoundTo",
        Sig::fixed(&[Any, Any]),
        duration_round_to,
    );
    reg.add(
        "durationTruncateTo",
        Sig::fixed(&[Any, Any]),
        duration_truncate_to,
    );
}

thread_local! {
    /// Loaded zone files, so a `range` over `dateInZone` does not re-read them.
    static ZONES: RefCell<HashMap<String, Option<Rc<Location>>>> = RefCell::new(HashMap::new());
}

fn load_cached(id: &str) -> Option<Rc<Location>> {
    ZONES.with(|zones| {
        zones
            .borrow_mut()
            .entry(id.to_string())
            .or_insert_with(|| {
                if id.starts_with('/') {
                    let data = std::fs::read(id).ok()?;
                    Location::from_tzif(id, &data)
                } else {
                    Location::load(id).ok()
                }
            })
            .clone()
    })
}

/// Go's `time.Local` as configured in the environment.
pub fn local_location(env: &FuncEnv) -> Rc<Location> {
    match &env.local_zone_id {
        Some(id) => match load_cached(id) {
            Some(loc) => {
                let name = if id == "/etc/localtime" { "Local" } else { id };
                loc.renamed(name)
            }
            None => Location::utc(),
        },
        None => Location::fixed(
            &env.local_zone_name,
            &env.local_zone_name,
            env.local_offset_secs,
        ),
    }
}

/// `time.LoadLocation(name)` including `Local`.
fn load_location(env: &FuncEnv, name: &str) -> Result<Rc<Location>, String> {
    if name == "Local" {
        return Ok(local_location(env));
    }
    if name.is_empty() || name == "UTC" {
        return Ok(Location::utc());
    }
    Location::load(name)?;
    load_cached(name).ok_or_else(|| format!("unknown time zone {name}"))
}

/// `time.Now()` in Local, with a monotonic reading.
pub fn now_time(env: &FuncEnv) -> GoTime {
    let (secs, nanos) = env.now();
    let mut t = GoTime::from_unix(secs, nanos, local_location(env));
    t.mono = env.monotonic_nanos();
    t
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn err(e: String) -> FuncError {
    FuncError::new(e)
}

fn now(env: &mut FuncEnv, _args: &[Value]) -> FuncResult {
    Ok(now_time(env).value())
}

/// Sprig's date argument: a time, or Unix seconds as `int`/`int64`;
/// anything else (even `float64`) means "now".
fn time_from_any(env: &FuncEnv, v: &Value) -> GoTime {
    match v {
        Value::Object(o) => match o.as_any().downcast_ref::<TimeObject>() {
            Some(t) => t.0.clone(),
            None => now_time(env),
        },
        Value::Int(n) | Value::Int64(n) => GoTime::from_unix(*n, 0, local_location(env)),
        _ => now_time(env),
    }
}

fn format_in_zone(env: &FuncEnv, layout: &str, when: &Value, zone: &str) -> String {
    let t = time_from_any(env, when);
    let loc = load_location(env, zone).unwrap_or_else(|_| Location::utc());
    t.in_location(loc).format(layout)
}

fn date(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(format_in_zone(
        env,
        text(&args[0]),
        &args[1],
        "Local",
    )))
}

fn date_in_zone(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(format_in_zone(
        env,
        text(&args[0]),
        &args[1],
        text(&args[2]),
    )))
}

fn html_date(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(format_in_zone(
        env,
        "2006-01-02",
        &args[0],
        "Local",
    )))
}

fn html_date_in_zone(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::string(format_in_zone(
        env,
        "2006-01-02",
        &args[0],
        text(&args[1]),
    )))
}

fn date_modify(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let t = time_value::time_arg(&args[1]).map_err(err)?;
    Ok(match parse_duration(text(&args[0])) {
        Ok(d) => t.add(d).value(),
        Err(_) => t.value(),
    })
}

fn must_date_modify(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let t = time_value::time_arg(&args[1]).map_err(err)?;
    let d = parse_duration(text(&args[0])).map_err(err)?;
    Ok(t.add(d).value())
}

fn ago(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let t = time_from_any(env, &args[0]);
    let since = now_time(env).sub(&t);
    Ok(Value::string(format_duration(duration::round(
        since, SECOND,
    ))))
}

fn duration_fn(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    // Sprig only understands strings and int64 here; Go `int` gives 0s.
    let n: i64 = match &args[0] {
        Value::String(s) => go_parse_int(s).unwrap_or(0),
        Value::Int64(n) => *n,
        _ => 0,
    };
    Ok(Value::string(format_duration(n.wrapping_mul(SECOND))))
}

/// `strconv.ParseInt(s, 10, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn duration_round(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let d: i64 = match &args[0] {
        Value::String(s) => parse_duration(s).unwrap_or(0),
        Value::Int64(n) => *n,
        Value::Object(o) => match o.as_any().downcast_ref::<TimeObject>() {
            Some(t) => now_time(env).sub(&t.0),
            None => 0,
        },
        _ => 0,
    };
    let u = d.unsigned_abs();
    const Y: u64 = 365 * 24 * HOUR as u64;
    const MO: u64 = 30 * 24 * HOUR as u64;
    const D: u64 = 24 * HOUR as u64;
    let out = if u > Y {
        format!("{}y", u / Y)
    } else if u > MO {
        format!("{}mo", u / MO)
    } else if u > D {
        format!("{}d", u / D)
    } else if u > HOUR as u64 {
        format!("{}h", u / HOUR as u64)
    } else if u > MINUTE as u64 {
        format!("{}m", u / MINUTE as u64)
    } else if u > SECOND as u64 {
        format!("{}s", u / SECOND as u64)
    } else {
        "0s".to_string()
    };
    Ok(Value::string(out))
}

fn to_date(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let local = local_location(env);
    Ok(
        layout::parse(text(&args[0]), text(&args[1]), &local, &local)
            .unwrap_or_else(|_| GoTime::zero())
            .value(),
    )
}

fn must_to_date(env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let local = local_location(env);
    layout::parse(text(&args[0]), text(&args[1]), &local, &local)
        .map(GoTime::value)
        .map_err(err)
}

fn unix_epoch(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let t = time_value::time_arg(&args[0]).map_err(err)?;
    Ok(Value::string(t.unix.to_string()))
}

// ---- Helm's duration helpers -------------------------------------------

const MAX_SECONDS: i64 = i64::MAX / SECOND;
const MIN_SECONDS: i64 = i64::MIN / SECOND;

fn from_seconds_float(seconds: f64) -> Result<i64, String> {
    if seconds.is_nan() || seconds.is_infinite() {
        return Err(format!(
            "invalid duration seconds: {}",
            crate::render::gofmt::format_float_v(seconds)
        ));
    }
    let max = i64::MAX as f64 / SECOND as f64;
    let min = i64::MIN as f64 / SECOND as f64;
    if seconds > max || seconds < min {
        return Err(format!(
            "duration seconds overflow: {}",
            crate::render::gofmt::format_float_v(seconds)
        ));
    }
    let nanos = seconds * SECOND as f64;
    if nanos > i64::MAX as f64 || nanos < i64::MIN as f64 {
        return Err(format!(
            "duration nanoseconds overflow: {}",
            crate::render::gofmt::format_float_v(nanos)
        ));
    }
    Ok(nanos as i64)
}

/// Helm's `asDuration`: durations, Go duration strings, numeric strings and
/// numbers (as seconds).
fn as_duration(v: &Value) -> Result<i64, String> {
    match v {
        Value::Object(o) => match o.as_any().downcast_ref::<DurationObject>() {
            Some(d) => Ok(d.0),
            None => Err(format!("unsupported duration type {}", o.type_name())),
        },
        Value::String(raw) => {
            let s = raw.trim();
            if s.is_empty() {
                return Err("empty duration".to_string());
            }
            if let Ok(d) = parse_duration(s) {
                return Ok(d);
            }
            if let Ok(f) = super::conversion::parse_float(s) {
                return from_seconds_float(f);
            }
            Err(format!(
                "could not parse duration {}",
                crate::render::gofmt::quote(raw)
            ))
        }
        Value::Nil => Err("invalid duration".to_string()),
        Value::Int(n) | Value::Int64(n) => {
            if *n > MAX_SECONDS || *n < MIN_SECONDS {
                Err(format!("duration seconds overflow: {n}"))
            } else {
                Ok(n * SECOND)
            }
        }
        Value::Float(f) => from_seconds_float(*f),
        other => Err(format!("unsupported duration type {}", other.type_name())),
    }
}

fn must_to_duration(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    as_duration(&args[0])
        .map(DurationObject::value)
        .map_err(err)
}

fn seconds_like(args: &[Value], unit: i64, divisor: f64) -> FuncResult {
    Ok(Value::Float(match as_duration(&args[0]) {
        Ok(d) => in_units(d, unit) / divisor,
        Err(_) => 0.0,
    }))
}

fn duration_seconds(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    seconds_like(args, SECOND, 1.0)
}

fn duration_minutes(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    seconds_like(args, MINUTE, 1.0)
}

fn duration_hours(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    seconds_like(args, HOUR, 1.0)
}

fn duration_days(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    seconds_like(args, HOUR, 24.0)
}

fn duration_weeks(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    Ok(Value::Float(match as_duration(&args[0]) {
        Ok(d) => in_units(d, HOUR) / 24.0 / 7.0,
        Err(_) => 0.0,
    }))
}

fn whole_units(args: &[Value], unit: i64) -> FuncResult {
    Ok(Value::Int64(as_duration(&args[0]).map_or(0, |d| d / unit)))
}

fn duration_milliseconds(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    whole_units(args, MILLISECOND)
}

fn duration_microseconds(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    whole_units(args, MICROSECOND)
}

fn duration_nanoseconds(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    whole_units(args, 1)
}

fn duration_round_to(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let Ok(d) = as_duration(&args[0]) else {
        return Ok(DurationObject::value(0));
    };
    Ok(DurationObject::value(match as_duration(&args[1]) {
        Ok(m) => duration::round(d, m),
        Err(_) => d,
    }))
}

fn duration_truncate_to(_env: &mut FuncEnv, args: &[Value]) -> FuncResult {
    let Ok(d) = as_duration(&args[0]) else {
        return Ok(DurationObject::value(0));
    };
    Ok(DurationObject::value(match as_duration(&args[1]) {
        Ok(m) => duration::truncate(d, m),
        Err(_) => d,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> FuncEnv {
        FuncEnv {
            fixed_now: Some((1_700_000_000, 0)),
            ..FuncEnv::default()
        }
    }

    fn call(name: &str, args: &[Value]) -> FuncResult {
        let mut reg = Registry::default();
        register(&mut reg);
        (reg.get(name).expect("registered").f)(&mut env(), args)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn show(v: &Value) -> String {
        match v {
            Value::Object(o) => o.format_go(),
            Value::String(s) => s.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Int64(i) | Value::Int(i) => i.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn date_formats() {
        let r = call(
            "date",
            &[s("2006-01-02 15:04:05"), Value::Int(1_700_000_000)],
        )
        .unwrap();
        assert_eq!(show(&r), "2023-11-14 22:13:20");
        let r = call(
            "dateInZone",
            &[s("2006-01-02T15:04:05Z07:00"), Value::Int(0), s("UTC")],
        )
        .unwrap();
        assert_eq!(show(&r), "1970-01-01T00:00:00Z");
        // float64 means "now".
        let r = call("htmlDate", &[Value::Float(0.0)]).unwrap();
        assert_eq!(show(&r), "2023-11-14");
    }

    #[test]
    fn to_date_and_modify() {
        let t = call("toDate", &[s("2006-01-02 15:04"), s("2024-02-28 23:30")]).unwrap();
        assert_eq!(show(&t), "2024-02-28 23:30:00 +0000 UTC");
        let m = call("dateModify", &[s("+1h"), t.clone()]).unwrap();
        assert_eq!(show(&m), "2024-02-29 00:30:00 +0000 UTC");
        let same = call("dateModify", &[s("bogus"), t.clone()]).unwrap();
        assert_eq!(show(&same), "2024-02-28 23:30:00 +0000 UTC");
        assert_eq!(
            call("mustDateModify", &[s("bogus"), t.clone()])
                .unwrap_err()
                .0,
            "time: invalid duration \"bogus\""
        );
        let bad = call("toDate", &[s("2006-01-02"), s("nope")]).unwrap();
        assert_eq!(show(&bad), "0001-01-01 00:00:00 +0000 UTC");
        assert!(call("mustToDate", &[s("2006-01-02"), s("nope")])
            .unwrap_err()
            .0
            .contains("cannot parse"));
        assert_eq!(show(&call("unixEpoch", &[t]).unwrap()), "1709163000");
    }

    #[test]
    fn sprig_durations() {
        assert_eq!(show(&call("duration", &[s("95")]).unwrap()), "1m35s");
        assert_eq!(show(&call("duration", &[Value::Int(95)]).unwrap()), "0s");
        assert_eq!(
            show(&call("duration", &[Value::Int64(3600)]).unwrap()),
            "1h0m0s"
        );
        assert_eq!(show(&call("durationRound", &[s("2h10m")]).unwrap()), "2h");
        assert_eq!(show(&call("durationRound", &[s("800h")]).unwrap()), "1mo");
        let past = GoTime::from_unix(1_700_000_000 - 90, 0, Location::utc()).value();
        assert_eq!(show(&call("ago", &[past]).unwrap()), "1m30s");
    }

    /// Outputs of helm 4.3.1 run with `TZ=Europe/Berlin`.
    #[test]
    fn local_zone_from_tz() {
        if Location::load("Europe/Berlin").is_err() {
            return; // no zoneinfo on this machine
        }
        let mut env = env();
        env.set_local_from_tz(Some("Europe/Berlin"));
        let mut reg = Registry::default();
        register(&mut reg);
        let mut run = |name: &str, args: &[Value]| {
            show(&(reg.get(name).expect("registered").f)(&mut env, args).unwrap())
        };
        assert_eq!(
            run("toDate", &[s("2006-01-02 15:04"), s("2024-07-01 12:00")]),
            "2024-07-01 12:00:00 +0200 CEST"
        );
        assert_eq!(
            run("date", &[s("2006-01-02 15:04 MST"), Value::Int(0)]),
            "1970-01-01 01:00 CET"
        );
        assert_eq!(
            run(
                "toDate",
                &[s("2006-01-02 15:04 MST"), s("2024-01-01 12:00 CEST")]
            ),
            "2024-01-01 11:00:00 +0100 CET"
        );
        assert_eq!(
            run(
                "toDate",
                &[s("2006-01-02 15:04 -0700"), s("2024-07-01 12:00 +0200")]
            ),
            "2024-07-01 12:00:00 +0200 CEST"
        );
    }

    #[test]
    fn helm_duration_helpers() {
        assert_eq!(
            show(&call("durationSeconds", &[s("1h30m")]).unwrap()),
            "5400"
        );
        assert_eq!(show(&call("durationMinutes", &[s("90s")]).unwrap()), "1.5");
        assert_eq!(
            show(&call("durationHours", &[Value::Int(7200)]).unwrap()),
            "2"
        );
        assert_eq!(
            show(&call("durationMilliseconds", &[s("1.5s")]).unwrap()),
            "1500"
        );
        assert_eq!(show(&call("durationDays", &[s("36h")]).unwrap()), "1.5");
        assert_eq!(show(&call("durationWeeks", &[s("336h")]).unwrap()), "2");
        assert_eq!(show(&call("durationSeconds", &[s("bogus")]).unwrap()), "0");
        assert_eq!(show(&call("durationSeconds", &[s("2.5")]).unwrap()), "2.5");
        assert_eq!(
            call("mustToDuration", &[s("zzz")]).unwrap_err().0,
            "could not parse duration \"zzz\""
        );
        assert_eq!(
            show(&call("mustToDuration", &[s("90m")]).unwrap()),
            "1h30m0s"
        );
        assert_eq!(
            show(&call("durationRoundTo", &[s("2h13m"), s("1h")]).unwrap()),
            "2h0m0s"
        );
        assert_eq!(
            show(&call("durationTruncateTo", &[s("2h53m"), s("1h")]).unwrap()),
            "2h0m0s"
        );
    }
}
