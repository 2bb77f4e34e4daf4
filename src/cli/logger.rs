//! helm's log lines on stderr (`level=DEBUG msg="..." key=value`), as its
//! `slog` handler prints them.

use std::io::Write;

use rudder::log::{Level, Record};

/// Prints one record.
pub fn log_line(record: Record) {
    let _ = writeln!(std::io::stderr().lock(), "{record}");
}

/// Helm's logger: debug records only with `--debug`.
pub fn logger(debug: bool) -> impl FnMut(Record) {
    move |record: Record| {
        if debug || record.level != Level::Debug {
            log_line(record);
        }
    }
}
