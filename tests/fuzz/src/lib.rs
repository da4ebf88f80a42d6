//! ml-connector's fuzz targets: one module per untrusted input, each with `run(data) -> Outcome`.
//! The libFuzzer binaries in `fuzz_targets/` and the stable driver `fuzz-stable` call the same
//! functions, so a crash found by either reproduces with the other. A target panics exactly when
//! the code under test panics or breaks one of the invariants the target states; everything the
//! code refuses with an error is a normal outcome. See `docs/fuzzing.md`.

pub mod input;

pub mod config_site;
pub mod config_toml;
pub mod envelope;
pub mod event;
pub mod odata_filter;
pub mod schedule;
pub mod webhook_signature;
pub mod woo_oauth;
pub mod woo_order;

pub use input::Outcome;

/// A fuzz target by name, as `run.sh`, the corpus folders and `fuzz_targets/` call it.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]) -> Outcome,
}

pub const TARGETS: &[Target] = &[
    Target { name: "event", run: event::run },
    Target { name: "woo_order", run: woo_order::run },
    Target { name: "config_site", run: config_site::run },
    Target { name: "config_toml", run: config_toml::run },
    Target { name: "schedule", run: schedule::run },
    Target { name: "odata_filter", run: odata_filter::run },
    Target { name: "woo_oauth", run: woo_oauth::run },
    Target { name: "webhook_signature", run: webhook_signature::run },
    Target { name: "envelope", run: envelope::run },
];

#[cfg(test)]
mod tests {
    /// Every committed input — seeds and the regression inputs of fixed findings — runs through
    /// its target without a panic, and every target has inputs.
    #[test]
    fn the_committed_corpus_passes_every_target() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        for target in super::TARGETS {
            let dir = root.join(target.name);
            let mut inputs = 0;
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
                let path = entry.unwrap().path();
                (target.run)(&std::fs::read(&path).unwrap());
                inputs += 1;
            }
            assert!(inputs > 0, "{} has no corpus", target.name);
        }
    }
}
