//! libFuzzer entry for the `odata_filter` target; the target itself is `ml_connector_fuzz::odata_filter::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ml_connector_fuzz::odata_filter::run(data);
});
