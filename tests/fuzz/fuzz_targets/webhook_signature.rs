//! libFuzzer entry for the `webhook_signature` target; the target itself is `ml_connector_fuzz::webhook_signature::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ml_connector_fuzz::webhook_signature::run(data);
});
