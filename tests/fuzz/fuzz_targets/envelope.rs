//! libFuzzer entry for the `envelope` target; the target itself is `ml_connector_fuzz::envelope::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ml_connector_fuzz::envelope::run(data);
});
