//! libFuzzer over `hygiene_fuzz_checks::check_rotation_log` (what it checks is documented there).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hygiene_fuzz_checks::check_rotation_log(data));
