//! Go's `time.Time` as a template value: an instant, a location, and
//! (for `now`) a monotonic clock reading, which Go prints as `m=+0.001`.

use std::rc::Rc;

use super::civil::{
    civil_from_days, days_from_civil, weekday, year_day, LONG_DAYS, LONG_MONTHS, SECS_PER_DAY,
};
use super::duration::{DurationObject, SECOND};
use super::layout;
use super::zone::{Location, ZoneAt};
use crate::render::funcs::{Sig, Ty};
use crate::value::{Object, Value};

/// Unix seconds of Go's zero `time.Time` (January 1, year 1, UTC).
pub const ZERO_UNIX: i64 = -62_135_596_800;

#[derive(Clone, Debug)]
pub struct GoTime {
    pub unix: i64,
    pub nsec: u32,
    pub loc: Rc<Location>,
    /// Monotonic reading in nanoseconds since process start, as `time.Now` has.
    pub mono: Option<i64>,
}

impl GoTime {
    pub fn from_unix(unix: i64, nsec: u32, loc: Rc<Location>) -> GoTime {
        GoTime {
            unix,
            nsec,
            loc,
            mono: None,
        }
    }

    /// Go's zero time (what a failed `toDate` returns).
    pub fn zero() -> GoTime {
        GoTime::from_unix(ZERO_UNIX, 0, Location::utc())
    }

    /// Go's `time.Date`: fields may overflow and are normalised; the
    /// instant is found with the location's offset in effect at that time.
    #[allow(clippy::too_many_arguments)]
    pub fn date(
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        min: i64,
        sec: i64,
        nsec: i64,
        loc: Rc<Location>,
    ) -> GoTime {
        let sec = sec + nsec.div_euclid(SECOND);
        let nsec = nsec.rem_euclid(SECOND);
        let days = days_from_civil(year, month, day);
        let local = days * SECS_PER_DAY + hour * 3600 + min * 60 + sec;
        let mut unix = local;
        let at = loc.lookup(local);
        if at.offset != 0 {
            let mut offset = at.offset;
            let utc = local - offset as i64;
            if utc < at.start || utc >= at.end {
                offset = loc.lookup(utc).offset;
            }
            unix = local - offset as i64;
        }
        GoTime::from_unix(unix, nsec as u32, loc)
    }

    pub fn zone(&self) -> ZoneAt {
        self.loc.lookup(self.unix)
    }

    /// `(year, month, day, hour, minute, second, days since epoch)` in the
    /// time's own location.
    fn fields(&self) -> (i64, i64, i64, i64, i64, i64, i64) {
        let local = self.unix + self.zone().offset as i64;
        let days = local.div_euclid(SECS_PER_DAY);
        let secs = local.rem_euclid(SECS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, secs / 3600, secs / 60 % 60, secs % 60, days)
    }

    pub fn format(&self, layout_text: &str) -> String {
        layout::format(self, layout_text)
    }

    pub fn in_location(&self, loc: Rc<Location>) -> GoTime {
        GoTime::from_unix(self.unix, self.nsec, loc)
    }

    /// `Time.Add`: keeps the monotonic reading (shifted).
    pub fn add(&self, d: i64) -> GoTime {
        let total = self.nsec as i64 + d.rem_euclid(SECOND);
        let unix = self.unix + d.div_euclid(SECOND) + total / SECOND;
        GoTime {
            unix,
            nsec: (total % SECOND) as u32,
            loc: self.loc.clone(),
            mono: self.mono.map(|m| m.wrapping_add(d)),
        }
    }

    /// `Time.Sub` in nanoseconds, saturating like Go.
    pub fn sub(&self, other: &GoTime) -> i64 {
        if let (Some(a), Some(b)) = (self.mono, other.mono) {
            return a.saturating_sub(b);
        }
        let secs = self.unix as i128 - other.unix as i128;
        let ns = secs * SECOND as i128 + self.nsec as i128 - other.nsec as i128;
        ns.clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    fn key(&self) -> (i64, u32) {
        (self.unix, self.nsec)
    }

    pub fn is_zero(&self) -> bool {
        self.unix == ZERO_UNIX && self.nsec == 0
    }

    /// `Time.String()`.
    pub fn go_string(&self) -> String {
        let mut s = self.format("2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let u = m.unsigned_abs();
            s.push_str(&format!(
                " m={sign}{}.{:09}",
                u / SECOND as u64,
                u % SECOND as u64
            ));
        }
        s
    }

    pub fn value(self) -> Value {
        Value::Object(Rc::new(TimeObject(self)))
    }
}

/// The template-visible wrapper (`time.Time`).
#[derive(Debug)]
pub struct TimeObject(pub GoTime);

/// A `time.Time` argument, by Go's rules for a typed parameter.
pub fn time_arg(v: &Value) -> Result<GoTime, String> {
    match v {
        Value::Object(o) => match o.as_any().downcast_ref::<TimeObject>() {
            Some(t) => Ok(t.0.clone()),
            None => Err(format!(
                "wrong type for value; expected time.Time; got {}",
                o.type_name()
            )),
        },
        other => Err(format!(
            "wrong type for value; expected time.Time; got {}",
            other.type_name()
        )),
    }
}

fn duration_arg(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) | Value::Int64(i) => Ok(*i),
        Value::Object(o) => match o.as_any().downcast_ref::<DurationObject>() {
            Some(d) => Ok(d.0),
            None => Err(format!(
                "wrong type for value; expected time.Duration; got {}",
                o.type_name()
            )),
        },
        other => Err(format!(
            "wrong type for value; expected time.Duration; got {}",
            other.type_name()
        )),
    }
}

fn int_arg(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) | Value::Int64(i) => Ok(*i),
        other => Err(format!(
            "wrong type for value; expected int; got {}",
            other.type_name()
        )),
    }
}

const ZERO_ARG: &[&str] = &[
    "Year",
    "Month",
    "Day",
    "Hour",
    "Minute",
    "Second",
    "Nanosecond",
    "YearDay",
    "Weekday",
    "Unix",
    "UnixNano",
    "UnixMilli",
    "UnixMicro",
    "UTC",
    "Local",
    "IsZero",
    "String",
    "Location",
];
const WITH_ARGS: &[(&str, usize)] = &[
    ("Format", 1),
    ("Add", 1),
    ("AddDate", 3),
    ("Sub", 1),
    ("After", 1),
    ("Before", 1),
    ("Equal", 1),
    ("Compare", 1),
    ("Truncate", 1),
    ("Round", 1),
];

impl Object for TimeObject {
    fn type_name(&self) -> String {
        "time.Time".to_string()
    }

    fn kind_name(&self) -> &'static str {
        "struct"
    }

    fn get_field(&self, name: &str) -> Option<Value> {
        let t = &self.0;
        let (y, mo, d, h, mi, s, days) = t.fields();
        Some(match name {
            "Year" => Value::Int(y),
            "Month" => Value::str(LONG_MONTHS[(mo - 1) as usize]),
            "Day" => Value::Int(d),
            "Hour" => Value::Int(h),
            "Minute" => Value::Int(mi),
            "Second" => Value::Int(s),
            "Nanosecond" => Value::Int(t.nsec as i64),
            "YearDay" => Value::Int(year_day(days)),
            "Weekday" => Value::str(LONG_DAYS[weekday(days)]),
            "Unix" => Value::Int64(t.unix),
            "UnixNano" => Value::Int64(t.unix.wrapping_mul(SECOND).wrapping_add(t.nsec as i64)),
            "UnixMilli" => Value::Int64(t.unix * 1000 + t.nsec as i64 / 1_000_000),
            "UnixMicro" => Value::Int64(t.unix * 1_000_000 + t.nsec as i64 / 1000),
            "UTC" => t.in_location(Location::utc()).value(),
            "Local" => t.clone().value(),
            "IsZero" => Value::Bool(t.is_zero()),
            "String" => Value::string(t.go_string()),
            "Location" => Value::str(t.loc.name()),
            _ => return None,
        })
    }

    fn has_method(&self, name: &str) -> bool {
        ZERO_ARG.contains(&name) || WITH_ARGS.iter().any(|(n, _)| *n == name)
    }

    fn method_sig(&self, name: &str) -> Option<Sig> {
        const TIME: Ty = Ty::Named("time.Time");
        Some(match name {
            "Format" => Sig::fixed(&[Ty::String]),
            // A Duration parameter takes integer constants too, so the
            // argument is checked by the method itself.
            "Add" | "Truncate" | "Round" => Sig::fixed(&[Ty::Any]),
            "AddDate" => Sig::fixed(&[Ty::Int, Ty::Int, Ty::Int]),
            "Sub" | "After" | "Before" | "Equal" | "Compare" => Sig::fixed(&[TIME]),
            _ if ZERO_ARG.contains(&name) => Sig::fixed(&[]),
            _ => return None,
        })
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if ZERO_ARG.contains(&name) {
            if !args.is_empty() {
                return Some(Err(format!(
                    "wrong number of args for {name}: want 0 got {}",
                    args.len()
                )));
            }
            return self.get_field(name).map(Ok);
        }
        let want = WITH_ARGS.iter().find(|(n, _)| *n == name)?.1;
        if args.len() != want {
            return Some(Err(format!(
                "wrong number of args for {name}: want {want} got {}",
                args.len()
            )));
        }
        let t = &self.0;
        let result = (|| -> Result<Value, String> {
            Ok(match name {
                "Format" => match &args[0] {
                    Value::String(s) => Value::string(t.format(s)),
                    other => {
                        return Err(format!(
                            "wrong type for value; expected string; got {}",
                            other.type_name()
                        ))
                    }
                },
                "Add" => t.add(duration_arg(&args[0])?).value(),
                "AddDate" => {
                    let (dy, dm, dd) = (int_arg(&args[0])?, int_arg(&args[1])?, int_arg(&args[2])?);
                    let (y, mo, d, h, mi, s, _) = t.fields();
                    let mut next = GoTime::date(
                        y + dy,
                        mo + dm,
                        d + dd,
                        h,
                        mi,
                        s,
                        t.nsec as i64,
                        t.loc.clone(),
                    );
                    next.mono = None;
                    next.value()
                }
                "Sub" => DurationObject::value(t.sub(&time_arg(&args[0])?)),
                "After" => Value::Bool(t.key() > time_arg(&args[0])?.key()),
                "Before" => Value::Bool(t.key() < time_arg(&args[0])?.key()),
                "Equal" => Value::Bool(t.key() == time_arg(&args[0])?.key()),
                "Compare" => Value::Int(match t.key().cmp(&time_arg(&args[0])?.key()) {
                    std::cmp::Ordering::Less => -1,
                    std::cmp::Ordering::Equal => 0,
                    std::cmp::Ordering::Greater => 1,
                }),
                "Truncate" | "Round" => {
                    let d = duration_arg(&args[0])?;
                    if d <= 0 {
                        let mut same = t.clone();
                        same.mono = None;
                        return Ok(same.value());
                    }
                    // Relative to the zero time, as Go does.
                    let since_zero = (t.unix - ZERO_UNIX) as i128 * SECOND as i128 + t.nsec as i128;
                    let r = (since_zero % d as i128) as i64;
                    let mut shift = -r;
                    if name == "Round" && (r as u64).wrapping_add(r as u64) >= d as u64 {
                        shift = d - r;
                    }
                    let mut next = t.add(shift);
                    next.mono = None;
                    next.value()
                }
                _ => return Err(format!("can't call method/function {name:?}")),
            })
        })();
        Some(result)
    }

    fn format_go(&self) -> String {
        self.0.go_string()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    /// `MarshalJSON`: RFC 3339 with nanoseconds.
    fn to_data(&self) -> Option<Value> {
        Some(Value::string(
            self.0.format("2006-01-02T15:04:05.999999999Z07:00"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printing_like_go() {
        let t = GoTime::date(2024, 1, 2, 3, 4, 5, 6, Location::utc());
        assert_eq!(t.go_string(), "2024-01-02 03:04:05.000000006 +0000 UTC");
        assert_eq!(GoTime::zero().go_string(), "0001-01-01 00:00:00 +0000 UTC");
        let mut n = GoTime::from_unix(0, 0, Location::utc());
        n.mono = Some(1_500_000);
        assert_eq!(
            n.go_string(),
            "1970-01-01 00:00:00 +0000 UTC m=+0.001500000"
        );
    }

    #[test]
    fn methods() {
        let t = TimeObject(GoTime::date(2024, 2, 28, 23, 30, 0, 0, Location::utc()));
        assert!(matches!(t.get_field("Year"), Some(Value::Int(2024))));
        assert_eq!(t.get_field("Month").unwrap().as_str(), Some("February"));
        let next = t
            .call_method("AddDate", &[Value::Int(0), Value::Int(0), Value::Int(2)])
            .unwrap()
            .unwrap();
        let Value::Object(o) = next else { panic!() };
        assert_eq!(o.format_go(), "2024-03-01 23:30:00 +0000 UTC");
        let f = t
            .call_method("Format", &[Value::str("Jan 2")])
            .unwrap()
            .unwrap();
        assert_eq!(f.as_str(), Some("Feb 28"));
    }

    #[test]
    fn add_with_negative_durations() {
        let t = GoTime::from_unix(10, 100, Location::utc());
        let u = t.add(-200);
        assert_eq!((u.unix, u.nsec), (9, 999_999_900));
        assert_eq!(u.sub(&t), -200);
    }
}
