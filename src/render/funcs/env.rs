//! Ambient inputs some functions need (clock, randomness), injected so tests
//! can fix them and the library never reads the environment itself.

/// What functions may observe beyond their arguments.
pub struct FuncEnv {
    /// Seconds since the Unix epoch and nanoseconds, as `now` returns; `None` = the real clock.
    pub fixed_now: Option<(i64, u32)>,
    /// Offset east of UTC in seconds for "local" time (Go's time.Local); the CLI
    /// derives it from TZ.
    pub local_offset_secs: i32,
    /// Name of the local zone as Go prints it (`UTC`, `CET`, ...).
    pub local_zone_name: String,
    /// Seed for the random functions; `None` = seeded from the OS.
    pub rng_seed: Option<u64>,
}

impl Default for FuncEnv {
    fn default() -> Self {
        FuncEnv {
            fixed_now: None,
            local_offset_secs: 0,
            local_zone_name: "UTC".to_string(),
            rng_seed: None,
        }
    }
}
