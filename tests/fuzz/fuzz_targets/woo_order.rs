//! libFuzzer entry for the `woo_order` target; the target itself is `ml_connector_fuzz::woo_order::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ml_connector_fuzz::woo_order::run(data);
});
