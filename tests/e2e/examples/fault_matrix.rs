//! The fault-injection matrix in full: every fault of docs/fault-matrix.md against the real agent
//! binary and both simulators, the table printed and written into docs/fault-matrix.md between
//! its markers. Exits non-zero when any row lost, duplicated or wrongly parked anything.
//!
//! ```sh
//! cargo run --release -p ml-connector-e2e --example fault_matrix            # full, writes the doc
//! cargo run --release -p ml-connector-e2e --example fault_matrix -- --ci    # the CI test's size
//! cargo run --release -p ml-connector-e2e --example fault_matrix -- --only kill9,drop --seed 7 --no-doc
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use ml_connector_e2e::fault_matrix::{self, Fault, MatrixConfig};

const BEGIN: &str = "<!-- fault-matrix:begin -->";
const END: &str = "<!-- fault-matrix:end -->";

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let seed = match value("--seed") {
        Some(seed) => seed.parse()?,
        None => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs(),
    };
    let config = if args.iter().any(|a| a == "--ci") { MatrixConfig::ci(seed) } else { MatrixConfig::full(seed) };
    let only: Vec<Fault> = match value("--only") {
        Some(list) => list
            .split(',')
            .map(|key| Fault::ALL.into_iter().find(|f| f.key() == key).ok_or_else(|| anyhow::anyhow!("unknown fault {key:?}; known: {}", keys())))
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    let started = std::time::Instant::now();
    let rows = fault_matrix::run(&config, &only).await;
    let table = fault_matrix::table(&rows);
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let summary = format!(
        "{table}\nSeed {seed}; {} orders per row, {} kill trials; {profile} agent; whole run {:.0} s.\n",
        config.orders,
        config.kill_trials,
        started.elapsed().as_secs_f64()
    );
    println!("{summary}");
    let write_doc = only.is_empty() && !args.iter().any(|a| a == "--no-doc" || a == "--ci");
    if write_doc {
        let doc = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/fault-matrix.md");
        let text = std::fs::read_to_string(&doc)?;
        match (text.find(BEGIN), text.find(END)) {
            (Some(begin), Some(end)) if begin < end => {
                let updated = format!("{}{BEGIN}\n{summary}{}", &text[..begin], &text[end..]);
                std::fs::write(&doc, updated)?;
                println!("written into {}", doc.display());
            }
            _ => anyhow::bail!("{} has no {BEGIN} … {END} markers", doc.display()),
        }
    }
    Ok(if fault_matrix::all_passed(&rows) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn keys() -> String {
    Fault::ALL.iter().map(|f| f.key()).collect::<Vec<_>>().join(", ")
}
