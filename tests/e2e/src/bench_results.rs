//! Machine-readable benchmark figures: when `BENCH_RESULTS` names a file, each benchmark program
//! appends one JSON line per figure (`{"bench": …, "figure": …, …}`) for `tests/bench/report.py`,
//! which turns them into `docs/benchmarks.md` and its charts. The printed text stays the
//! human-readable output; this is the same data for the report.

use std::io::Write;

use serde_json::{json, Value};

/// Appends `{"bench": bench, "figure": figure, ...fields}` to `$BENCH_RESULTS`, if set.
pub fn record(bench: &str, figure: &str, fields: Value) {
    let Ok(path) = std::env::var("BENCH_RESULTS") else { return };
    let mut line = json!({"bench": bench, "figure": figure});
    if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields) {
        line.extend(fields);
    }
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| writeln!(file, "{line}"));
    if let Err(error) = written {
        eprintln!("benchmark results could not be appended to {path}: {error}");
    }
}
