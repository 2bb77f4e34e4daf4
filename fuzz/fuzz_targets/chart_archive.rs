#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rudder_fuzz::chart_archive(data));
