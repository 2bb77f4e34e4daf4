//! POSIX TZ rule strings (`CET-1CEST,M3.5.0,M10.5.0/3`), the footer of a
//! TZif file that says how a zone behaves after its last listed transition.
//! Go consults it for every instant past that point (so 2040 in Berlin is
//! still CEST in July).

use super::civil::{days_from_civil, days_in_month, is_leap, weekday};

#[derive(Clone, Debug, PartialEq)]
enum TransitionDay {
    /// `Jn`: 1..=365, February 29 never counted.
    Julian(i64),
    /// `n`: 0..=365, leap days counted.
    ZeroBased(i64),
    /// `Mm.w.d`: weekday `d` of week `w` (5 = last) of month `m`.
    NthWeekday { month: i64, week: i64, day: i64 },
}

#[derive(Clone, Debug, PartialEq)]
struct Rule {
    day: TransitionDay,
    /// Seconds after local midnight.
    time: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PosixTz {
    std_name: String,
    /// Seconds east of UTC.
    std_offset: i32,
    dst: Option<(String, i32, Rule, Rule)>,
}

/// What a rule says about one instant: `(abbr, offset, is_dst, start, end)`.
pub type RuleZone = (String, i32, bool, i64, i64);

struct Scanner<'a> {
    s: &'a [u8],
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.first().copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.s = &self.s[1..];
            true
        } else {
            false
        }
    }
    fn name(&mut self) -> Option<String> {
        if self.eat(b'<') {
            let end = self.s.iter().position(|&c| c == b'>')?;
            let name = String::from_utf8_lossy(&self.s[..end]).into_owned();
            self.s = &self.s[end + 1..];
            return Some(name);
        }
        let end = self
            .s
            .iter()
            .position(|c| !c.is_ascii_alphabetic())
            .unwrap_or(self.s.len());
        if end < 3 {
            return None;
        }
        let name = String::from_utf8_lossy(&self.s[..end]).into_owned();
        self.s = &self.s[end..];
        Some(name)
    }
    fn num(&mut self) -> Option<i64> {
        let end = self
            .s
            .iter()
            .position(|c| !c.is_ascii_digit())
            .unwrap_or(self.s.len());
        if end == 0 {
            return None;
        }
        let n = std::str::from_utf8(&self.s[..end]).ok()?.parse().ok()?;
        self.s = &self.s[end..];
        Some(n)
    }
    /// `[+-]hh[:mm[:ss]]` in seconds.
    fn hms(&mut self) -> Option<i64> {
        let neg = if self.eat(b'-') {
            true
        } else {
            self.eat(b'+');
            false
        };
        let mut secs = self.num()? * 3600;
        if self.eat(b':') {
            secs += self.num()? * 60;
            if self.eat(b':') {
                secs += self.num()?;
            }
        }
        Some(if neg { -secs } else { secs })
    }
    fn rule(&mut self) -> Option<Rule> {
        let day = if self.eat(b'J') {
            TransitionDay::Julian(self.num()?)
        } else if self.eat(b'M') {
            let month = self.num()?;
            if !self.eat(b'.') {
                return None;
            }
            let week = self.num()?;
            if !self.eat(b'.') {
                return None;
            }
            TransitionDay::NthWeekday {
                month,
                week,
                day: self.num()?,
            }
        } else {
            TransitionDay::ZeroBased(self.num()?)
        };
        let time = if self.eat(b'/') { self.hms()? } else { 7200 };
        Some(Rule { day, time })
    }
}

impl PosixTz {
    pub fn parse(text: &str) -> Option<PosixTz> {
        let mut s = Scanner { s: text.as_bytes() };
        let std_name = s.name()?;
        // POSIX offsets count west of UTC.
        let std_offset = -s.hms()? as i32;
        if s.peek().is_none() {
            return Some(PosixTz {
                std_name,
                std_offset,
                dst: None,
            });
        }
        let dst_name = s.name()?;
        let dst_offset = match s.peek() {
            Some(b',') | None => std_offset + 3600,
            _ => -s.hms()? as i32,
        };
        let (start, end) = if s.peek().is_none() {
            // Go's default: the US rules.
            (
                Rule {
                    day: TransitionDay::NthWeekday {
                        month: 3,
                        week: 2,
                        day: 0,
                    },
                    time: 7200,
                },
                Rule {
                    day: TransitionDay::NthWeekday {
                        month: 11,
                        week: 1,
                        day: 0,
                    },
                    time: 7200,
                },
            )
        } else {
            if !s.eat(b',') {
                return None;
            }
            let start = s.rule()?;
            if !s.eat(b',') {
                return None;
            }
            let end = s.rule()?;
            (start, end)
        };
        if s.peek().is_some() {
            return None;
        }
        Some(PosixTz {
            std_name,
            std_offset,
            dst: Some((dst_name, dst_offset, start, end)),
        })
    }

    /// The zone in effect at `unix`, with the span it is known to hold.
    pub fn lookup(&self, unix: i64) -> RuleZone {
        let Some((dst_name, dst_offset, start_rule, end_rule)) = &self.dst else {
            return (
                self.std_name.clone(),
                self.std_offset,
                false,
                i64::MIN,
                i64::MAX,
            );
        };
        let days = unix.div_euclid(86_400);
        let (year, _, _) = super::civil::civil_from_days(days);
        let year_start = days_from_civil(year, 1, 1) * 86_400;
        let ysec = unix - year_start;
        let mut start = rule_time(year, start_rule, self.std_offset);
        let mut end = rule_time(year, end_rule, *dst_offset);
        let (mut std_name, mut std_off, mut std_dst) =
            (self.std_name.clone(), self.std_offset, false);
        let (mut dname, mut doff, mut ddst) = (dst_name.clone(), *dst_offset, true);
        if end < start {
            std::mem::swap(&mut start, &mut end);
            std::mem::swap(&mut std_name, &mut dname);
            std::mem::swap(&mut std_off, &mut doff);
            std::mem::swap(&mut std_dst, &mut ddst);
        }
        if ysec < start {
            (std_name, std_off, std_dst, year_start, year_start + start)
        } else if ysec >= end {
            (
                std_name,
                std_off,
                std_dst,
                year_start + end,
                year_start + 365 * 86_400,
            )
        } else {
            (dname, doff, ddst, year_start + start, year_start + end)
        }
    }
}

/// Seconds from the start of `year` (UTC) to the rule's transition, given
/// the offset in effect before it.
fn rule_time(year: i64, rule: &Rule, offset: i32) -> i64 {
    let day = match rule.day {
        TransitionDay::Julian(n) => {
            let mut d = n - 1;
            if is_leap(year) && n >= 60 {
                d += 1;
            }
            d
        }
        TransitionDay::ZeroBased(n) => n,
        TransitionDay::NthWeekday { month, week, day } => {
            let first = days_from_civil(year, month, 1);
            let mut d = (day - weekday(first) as i64).rem_euclid(7);
            for _ in 1..week {
                if d + 7 >= days_in_month(month, year) {
                    break;
                }
                d += 7;
            }
            first + d - days_from_civil(year, 1, 1)
        }
    };
    day * 86_400 + rule.time - offset as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn european_rules() {
        let tz = PosixTz::parse("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        // 2040-07-01T00:00:00Z and 2040-01-01T00:00:00Z.
        let summer = tz.lookup(days_from_civil(2040, 7, 1) * 86_400);
        assert_eq!(
            (summer.0.as_str(), summer.1, summer.2),
            ("CEST", 7200, true)
        );
        let winter = tz.lookup(days_from_civil(2040, 1, 1) * 86_400);
        assert_eq!((winter.0.as_str(), winter.1), ("CET", 3600));
        // 2040-03-25 is the last Sunday of March: the switch is at 01:00 UTC.
        let before = tz.lookup(days_from_civil(2040, 3, 25) * 86_400 + 3599);
        let after = tz.lookup(days_from_civil(2040, 3, 25) * 86_400 + 3600);
        assert_eq!((before.1, after.1), (3600, 7200));
    }

    #[test]
    fn southern_and_fixed() {
        let tz = PosixTz::parse("<-03>3").unwrap();
        assert_eq!(tz.lookup(0).0, "-03");
        assert_eq!(tz.lookup(0).1, -3 * 3600);
        let au = PosixTz::parse("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
        let jan = au.lookup(days_from_civil(2040, 1, 15) * 86_400);
        assert_eq!((jan.0.as_str(), jan.1), ("AEDT", 11 * 3600));
        let jul = au.lookup(days_from_civil(2040, 7, 15) * 86_400);
        assert_eq!((jul.0.as_str(), jul.1), ("AEST", 10 * 3600));
        assert!(PosixTz::parse("").is_none());
        assert!(PosixTz::parse("EST5EDT").is_some());
    }
}
