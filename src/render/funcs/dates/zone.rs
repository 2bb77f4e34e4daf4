//! Time zones as Go's `time.Location`: UTC, fixed offsets, and IANA zones
//! read from the system zoneinfo database (`/usr/share/zoneinfo`), which is
//! where Go's `time.LoadLocation` looks too.

use std::rc::Rc;

use super::posix_tz::PosixTz;

/// One zone type of a TZif file (or a fixed zone).
#[derive(Clone, Debug)]
struct ZoneType {
    abbr: String,
    offset: i32,
    is_dst: bool,
}

#[derive(Debug)]
enum Rules {
    Fixed(ZoneType),
    Tz {
        types: Vec<ZoneType>,
        /// (transition instant, index into `types`), ascending.
        transitions: Vec<(i64, usize)>,
        /// The footer rule for instants after the last transition.
        extend: Option<PosixTz>,
    },
}

/// A named location (`UTC`, `Local`, `Europe/Berlin`, or a fabricated
/// fixed zone from parsing `-0700`).
#[derive(Debug)]
pub struct Location {
    name: String,
    rules: Rules,
}

/// What a location says about one instant.
pub struct ZoneAt {
    pub abbr: String,
    pub offset: i32,
    /// The instants `[start, end)` over which this answer holds.
    pub start: i64,
    pub end: i64,
}

impl Location {
    pub fn utc() -> Rc<Location> {
        Location::fixed("UTC", "UTC", 0)
    }

    pub fn fixed(name: &str, abbr: &str, offset: i32) -> Rc<Location> {
        Rc::new(Location {
            name: name.to_string(),
            rules: Rules::Fixed(ZoneType {
                abbr: abbr.to_string(),
                offset,
                is_dst: false,
            }),
        })
    }

    /// A zone from TZif bytes; `None` when the data is not TZif.
    pub fn from_tzif(name: &str, data: &[u8]) -> Option<Rc<Location>> {
        let (types, mut transitions, extend) = parse_tzif(data)?;
        if transitions.is_empty() {
            // Go covers all time with one fake transition, so a footer rule
            // applies everywhere.
            transitions.push((i64::MIN, 0));
        }
        Some(Rc::new(Location {
            name: name.to_string(),
            rules: Rules::Tz {
                types,
                transitions,
                extend,
            },
        }))
    }

    /// Go's `time.LoadLocation` for names other than `Local`: `""`/`UTC`
    /// are UTC; other names are read from the system zoneinfo directories.
    pub fn load(name: &str) -> Result<Rc<Location>, String> {
        if name.is_empty() || name == "UTC" {
            return Ok(Location::utc());
        }
        if name.contains("..") || name.starts_with('/') || name.starts_with('\\') {
            return Err("time: invalid location name".to_string());
        }
        const DIRS: [&str; 4] = [
            "/usr/share/zoneinfo/",
            "/usr/share/lib/zoneinfo/",
            "/usr/lib/locale/TZ/",
            "/etc/zoneinfo/",
        ];
        for dir in DIRS {
            if let Ok(data) = std::fs::read(format!("{dir}{name}")) {
                if let Some(loc) = Location::from_tzif(name, &data) {
                    return Ok(loc);
                }
            }
        }
        Err(format!("unknown time zone {name}"))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Renamed copy (Go names the local zone `Local` whatever file it came from).
    pub fn renamed(&self, name: &str) -> Rc<Location> {
        let rules = match &self.rules {
            Rules::Fixed(t) => Rules::Fixed(t.clone()),
            Rules::Tz {
                types,
                transitions,
                extend,
            } => Rules::Tz {
                types: types.clone(),
                transitions: transitions.clone(),
                extend: extend.clone(),
            },
        };
        Rc::new(Location {
            name: name.to_string(),
            rules,
        })
    }

    pub fn is_utc(&self) -> bool {
        self.name == "UTC" && matches!(&self.rules, Rules::Fixed(t) if t.offset == 0)
    }

    /// The zone in effect at `unix` seconds.
    pub fn lookup(&self, unix: i64) -> ZoneAt {
        match &self.rules {
            Rules::Fixed(t) => ZoneAt {
                abbr: t.abbr.clone(),
                offset: t.offset,
                start: i64::MIN,
                end: i64::MAX,
            },
            Rules::Tz {
                types,
                transitions,
                extend,
            } => {
                if types.is_empty() {
                    return ZoneAt {
                        abbr: "UTC".to_string(),
                        offset: 0,
                        start: i64::MIN,
                        end: i64::MAX,
                    };
                }
                let first = first_zone(types, transitions);
                if transitions.is_empty() || unix < transitions[0].0 {
                    let t = &types[first];
                    return ZoneAt {
                        abbr: t.abbr.clone(),
                        offset: t.offset,
                        start: i64::MIN,
                        end: transitions.first().map_or(i64::MAX, |x| x.0),
                    };
                }
                // Last transition at or before `unix`.
                let i = transitions.partition_point(|&(when, _)| when <= unix) - 1;
                if i == transitions.len() - 1 {
                    if let Some(rule) = extend {
                        let (abbr, offset, _, start, end) = rule.lookup(unix);
                        return ZoneAt {
                            abbr,
                            offset,
                            start,
                            end,
                        };
                    }
                }
                let t = &types[transitions[i].1];
                ZoneAt {
                    abbr: t.abbr.clone(),
                    offset: t.offset,
                    start: transitions[i].0,
                    end: transitions.get(i + 1).map_or(i64::MAX, |x| x.0),
                }
            }
        }
    }

    /// Offset of a zone abbreviation in this location near `unix` (Go's
    /// `lookupName`), used when parsing `MST`-style zone names.
    pub fn offset_of_abbr(&self, abbr: &str, unix: i64) -> Option<i32> {
        match &self.rules {
            Rules::Fixed(t) => (t.abbr == abbr).then_some(t.offset),
            Rules::Tz { types, .. } => {
                // First: a type with this name that is in effect at that time.
                for t in types.iter().filter(|t| t.abbr == abbr) {
                    let at = self.lookup(unix - t.offset as i64);
                    if at.abbr == t.abbr {
                        return Some(at.offset);
                    }
                }
                types.iter().find(|t| t.abbr == abbr).map(|t| t.offset)
            }
        }
    }
}

/// Go's `lookupFirstZone`: the zone used before the first transition.
fn first_zone(types: &[ZoneType], transitions: &[(i64, usize)]) -> usize {
    if !transitions.is_empty() && types[transitions[0].1].is_dst {
        let mut zi = transitions[0].1 as isize - 1;
        while zi >= 0 {
            if !types[zi as usize].is_dst {
                return zi as usize;
            }
            zi -= 1;
        }
    }
    for (i, t) in types.iter().enumerate() {
        if !t.is_dst {
            return i;
        }
    }
    0
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn be32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

type Parsed = (Vec<ZoneType>, Vec<(i64, usize)>, Option<PosixTz>);

/// Reads a TZif file (RFC 8536), preferring the 64-bit data of version 2+.
fn parse_tzif(data: &[u8]) -> Option<Parsed> {
    let mut r = Reader { data, pos: 0 };
    let header = |r: &mut Reader| -> Option<(u8, [usize; 6])> {
        if r.take(4)? != b"TZif" {
            return None;
        }
        let version = r.take(1)?[0];
        r.take(15)?;
        let mut counts = [0usize; 6];
        for c in counts.iter_mut() {
            *c = r.be32()? as usize;
        }
        Some((version, counts))
    };
    // counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    let (version, counts) = header(&mut r)?;
    let mut time_size = 4;
    let mut counts = counts;
    if version >= b'2' {
        // Skip the 32-bit block and read the 64-bit one.
        let skip = counts[3] * 4
            + counts[3]
            + counts[4] * 6
            + counts[5]
            + counts[2] * 8
            + counts[1]
            + counts[0];
        r.take(skip)?;
        let (_, c2) = header(&mut r)?;
        counts = c2;
        time_size = 8;
    }
    let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts;
    let mut times = Vec::with_capacity(timecnt);
    for _ in 0..timecnt {
        let b = r.take(time_size)?;
        let t = if time_size == 8 {
            i64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        } else {
            i32::from_be_bytes([b[0], b[1], b[2], b[3]]) as i64
        };
        times.push(t);
    }
    let idx = r.take(timecnt)?.to_vec();
    let mut raw_types = Vec::with_capacity(typecnt);
    for _ in 0..typecnt {
        let b = r.take(6)?;
        let off = i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        raw_types.push((off, b[4] != 0, b[5] as usize));
    }
    let chars = r.take(charcnt)?;
    let types: Vec<ZoneType> = raw_types
        .into_iter()
        .map(|(offset, is_dst, ai)| {
            let tail = chars.get(ai..).unwrap_or(&[]);
            let end = tail.iter().position(|&c| c == 0).unwrap_or(tail.len());
            ZoneType {
                abbr: String::from_utf8_lossy(&tail[..end]).into_owned(),
                offset,
                is_dst,
            }
        })
        .collect();
    // Leap second records and indicator bytes, then (v2+) the footer.
    let mut extend = None;
    if version >= b'2'
        && r.take(leapcnt * (time_size + 4) + isstdcnt + isutcnt)
            .is_some()
    {
        let rest = &data[r.pos..];
        if rest.first() == Some(&b'\n') {
            if let Some(end) = rest[1..].iter().position(|&c| c == b'\n') {
                extend = PosixTz::parse(&String::from_utf8_lossy(&rest[1..1 + end]));
            }
        }
    }
    let mut transitions = Vec::with_capacity(timecnt);
    for (t, i) in times.into_iter().zip(idx) {
        let i = i as usize;
        if i >= types.len() {
            return None;
        }
        transitions.push((t, i));
    }
    Some((types, transitions, extend))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_and_unknown() {
        assert!(Location::load("UTC").unwrap().is_utc());
        assert!(Location::load("").unwrap().is_utc());
        assert_eq!(
            Location::load("No/Such_Zone").unwrap_err(),
            "unknown time zone No/Such_Zone"
        );
        assert_eq!(
            Location::load("../etc/passwd").unwrap_err(),
            "time: invalid location name"
        );
    }

    #[test]
    fn footer_rule_after_last_transition() {
        let Ok(loc) = Location::load("Europe/Berlin") else {
            return;
        };
        // 2040-07-01T00:00:00Z.
        let z = loc.lookup(2_224_627_200);
        assert_eq!((z.abbr.as_str(), z.offset), ("CEST", 7200));
    }

    #[test]
    fn berlin_dst_when_available() {
        let Ok(loc) = Location::load("Europe/Berlin") else {
            return; // no zoneinfo on this machine
        };
        // 2024-07-01T00:00:00Z is summer time; 2024-01-01T00:00:00Z is not.
        let summer = loc.lookup(1_719_792_000);
        assert_eq!((summer.abbr.as_str(), summer.offset), ("CEST", 7200));
        let winter = loc.lookup(1_704_067_200);
        assert_eq!((winter.abbr.as_str(), winter.offset), ("CET", 3600));
    }
}
