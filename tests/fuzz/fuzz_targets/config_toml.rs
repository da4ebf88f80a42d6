//! libFuzzer entry for the `config_toml` target; the target itself is `ml_connector_fuzz::config_toml::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ml_connector_fuzz::config_toml::run(data);
});
