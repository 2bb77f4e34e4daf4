//! Ambient inputs some functions need (clock, local time zone, randomness,
//! DNS permission), injected so tests can fix them and the library never
//! reads the process environment itself.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// What functions may observe beyond their arguments.
pub struct FuncEnv {
    /// Seconds since the Unix epoch and nanoseconds, as `now` returns; `None` = the real clock.
    pub fixed_now: Option<(i64, u32)>,
    /// Offset east of UTC in seconds for "local" time (Go's time.Local) when
    /// `local_zone_id` is `None`.
    pub local_offset_secs: i32,
    /// Name of the local zone as Go prints it (`UTC`, `CET`, ...), with `local_offset_secs`.
    pub local_zone_name: String,
    /// Zone database name (`Europe/Berlin`) or absolute TZif path
    /// (`/etc/localtime`) for Go's time.Local; set it with [`FuncEnv::set_local_from_tz`].
    /// `None` = the fixed zone above.
    pub local_zone_id: Option<String>,
    /// Seed for the random functions; `None` = seeded from the OS.
    pub rng_seed: Option<u64>,
    /// Current state of the random-string generator (managed by [`FuncEnv::next_random`]).
    pub rng_state: Option<u64>,
    /// `getHostByName` really resolves only with `--enable-dns`, as in Helm.
    pub enable_dns: bool,
    /// `helm lint`: `required` and `fail` return "" instead of failing.
    pub lint_mode: bool,
}

impl Default for FuncEnv {
    fn default() -> Self {
        process_start();
        FuncEnv {
            fixed_now: None,
            local_offset_secs: 0,
            local_zone_name: "UTC".to_string(),
            local_zone_id: None,
            rng_seed: None,
            rng_state: None,
            enable_dns: false,
            lint_mode: false,
        }
    }
}

/// The reference point for monotonic clock readings (`m=+0.01` in `now`).
fn process_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

impl FuncEnv {
    /// Chooses Go's `time.Local` from the value of `TZ` (`None` = unset):
    /// unset uses `/etc/localtime`, empty or `UTC` is UTC, a leading `:` is
    /// dropped, an absolute path is a TZif file, anything else a zone name.
    /// An unloadable zone falls back to UTC at use, as Go does.
    pub fn set_local_from_tz(&mut self, tz: Option<&str>) {
        self.local_zone_id = match tz {
            None => Some("/etc/localtime".to_string()),
            Some(tz) => {
                let tz = tz.strip_prefix(':').unwrap_or(tz);
                if tz.is_empty() || tz == "UTC" {
                    None
                } else {
                    Some(tz.to_string())
                }
            }
        };
        self.local_offset_secs = 0;
        self.local_zone_name = "UTC".to_string();
    }

    /// The current instant `(unix seconds, nanoseconds)`.
    pub fn now(&self) -> (i64, u32) {
        if let Some(fixed) = self.fixed_now {
            return fixed;
        }
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => {
                let d = e.duration();
                let (s, n) = (d.as_secs() as i64, d.subsec_nanos());
                if n == 0 {
                    (-s, 0)
                } else {
                    (-s - 1, 1_000_000_000 - n)
                }
            }
        }
    }

    /// Monotonic reading in nanoseconds since process start; `None` with a fixed clock.
    pub fn monotonic_nanos(&self) -> Option<i64> {
        if self.fixed_now.is_some() {
            return None;
        }
        Some(process_start().elapsed().as_nanos().min(i64::MAX as u128) as i64)
    }

    /// Next value of the (non-cryptographic, seedable) random generator
    /// behind the random-string functions: SplitMix64.
    pub fn next_random(&mut self) -> u64 {
        let state = match self.rng_state {
            Some(s) => s,
            None => self.rng_seed.unwrap_or_else(os_seed),
        };
        let state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.rng_state = Some(state);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniformly distributed number in `0..n` (`n > 0`), without modulo bias.
    pub fn random_below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let r = self.next_random();
            if r < zone {
                return r % n;
            }
        }
    }
}

/// A seed from the operating system's entropy source.
fn os_seed() -> u64 {
    let mut buf = [0u8; 8];
    if getrandom_bytes(&mut buf) {
        return u64::from_le_bytes(buf);
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos.wrapping_mul(1_000_000_007) ^ std::process::id() as u64
}

fn getrandom_bytes(buf: &mut [u8]) -> bool {
    use rand_core::{OsRng, RngCore};
    OsRng.try_fill_bytes(buf).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_random_is_reproducible() {
        let mut a = FuncEnv {
            rng_seed: Some(42),
            ..FuncEnv::default()
        };
        let mut b = FuncEnv {
            rng_seed: Some(42),
            ..FuncEnv::default()
        };
        let xs: Vec<u64> = (0..4).map(|_| a.next_random()).collect();
        let ys: Vec<u64> = (0..4).map(|_| b.next_random()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], xs[1]);
        assert!((0..100).all(|_| a.random_below(7) < 7));
    }

    #[test]
    fn tz_rules() {
        let mut env = FuncEnv::default();
        env.set_local_from_tz(Some("UTC"));
        assert_eq!(env.local_zone_id, None);
        env.set_local_from_tz(Some(":Europe/Berlin"));
        assert_eq!(env.local_zone_id.as_deref(), Some("Europe/Berlin"));
        env.set_local_from_tz(None);
        assert_eq!(env.local_zone_id.as_deref(), Some("/etc/localtime"));
        let fixed = FuncEnv {
            fixed_now: Some((5, 6)),
            ..FuncEnv::default()
        };
        assert_eq!(fixed.now(), (5, 6));
        assert_eq!(fixed.monotonic_nanos(), None);
    }
}
