//! libFuzzer entry for the `schedule` target; the target itself is `ml_connector_fuzz::schedule::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ml_connector_fuzz::schedule::run(data);
});
