//! libFuzzer entry for the `event` target; the target itself is `ml_connector_fuzz::event::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ml_connector_fuzz::event::run(data);
});
