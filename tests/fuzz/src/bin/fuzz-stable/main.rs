//! `fuzz-stable`: the fuzz targets of `ml_connector_fuzz` on stable Rust, without libFuzzer. A
//! seeded mutation loop per target: it replays the committed corpus (`corpus/<target>/`), then
//! mutates inputs from it (with the target's dictionary, `dict/<target>.dict`) for the time given,
//! keeping inputs whose outcome is new. A panic — the code under test panicked or broke a
//! property the target asserts — is saved to `artifacts/<target>/` and fails the run.
//!
//! ```text
//! fuzz-stable [--seconds S | --runs N] [--seed N] [--max-len BYTES] [--timeout S] [TARGET...]
//! fuzz-stable --reproduce FILE TARGET      run one input, with the panic and backtrace shown
//! fuzz-stable --list
//! ```
//! The same seed and `--runs` give the same inputs in the same order. Not coverage-guided; for
//! that, `cargo +nightly fuzz run` over `fuzz_targets/` (docs/fuzzing.md).

mod mutate;

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ml_connector_fuzz::{Target, TARGETS};
use mutate::{parse_dictionary, Mutator, Rng};

struct Options {
    seconds: f64,
    runs: Option<u64>,
    seed: u64,
    max_len: usize,
    timeout: Duration,
    targets: Vec<&'static Target>,
    reproduce: Option<PathBuf>,
}

/// What one target's run did.
struct Report {
    name: &'static str,
    elapsed: Duration,
    executions: u64,
    seeds: usize,
    kept: usize,
    outcomes: usize,
    crash: Option<(String, PathBuf)>,
}

/// The panic of the last execution, captured by the hook instead of printed.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1).collect()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("fuzz-stable: {message}\nusage: fuzz-stable [--seconds S | --runs N] [--seed N] [--max-len BYTES] [--timeout S] [TARGET...]\n       fuzz-stable --reproduce FILE TARGET | --list");
            return ExitCode::from(2);
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Some(file) = &options.reproduce {
        return reproduce(file, options.targets[0]);
    }
    std::panic::set_hook(Box::new(|info| {
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let message = info.payload().downcast_ref::<String>().cloned().or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()));
        *LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{}{place}", message.unwrap_or_else(|| "panic".into())));
    }));
    let watchdog = Watchdog::start(options.timeout, root.join("artifacts"));
    println!("{:<18} {:>8} {:>12} {:>11} {:>7} {:>7} {:>9}  result", "target", "seconds", "executions", "execs/s", "corpus", "kept", "outcomes");
    let mut failed = false;
    for target in &options.targets {
        let report = match fuzz(target, &options, root, &watchdog) {
            Ok(report) => report,
            Err(message) => {
                eprintln!("{}: {message}", target.name);
                failed = true;
                continue;
            }
        };
        let secs = report.elapsed.as_secs_f64();
        let rate = report.executions as f64 / secs.max(1e-9);
        let result = match &report.crash {
            None => "ok".to_string(),
            Some((message, path)) => {
                failed = true;
                format!("CRASH saved to {}\n    {message}\n    reproduce: fuzz-stable --reproduce {} {}", path.display(), path.display(), report.name)
            }
        };
        println!("{:<18} {:>8.1} {:>12} {:>11.0} {:>7} {:>7} {:>9}  {result}", report.name, secs, report.executions, rate, report.seeds, report.kept, report.outcomes);
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn parse_args(args: Vec<String>) -> Result<Options, String> {
    let mut options = Options { seconds: 10.0, runs: None, seed: 0x6d6c_632d_6675_7a7a, max_len: 64 * 1024, timeout: Duration::from_secs(10), targets: Vec::new(), reproduce: None };
    let mut args = args.into_iter();
    let number = |flag: &str, value: Option<String>| -> Result<f64, String> {
        value.as_deref().and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite() && *v >= 0.0).ok_or(format!("{flag} needs a number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => options.seconds = number("--seconds", args.next())?,
            "--runs" => options.runs = Some(number("--runs", args.next())? as u64),
            "--seed" => options.seed = number("--seed", args.next())? as u64,
            "--max-len" => options.max_len = (number("--max-len", args.next())? as usize).max(1),
            "--timeout" => options.timeout = Duration::from_secs_f64(number("--timeout", args.next())?.max(0.1)),
            "--reproduce" => options.reproduce = Some(PathBuf::from(args.next().ok_or("--reproduce needs a file")?)),
            "--list" => {
                TARGETS.iter().for_each(|t| println!("{}", t.name));
                std::process::exit(0);
            }
            name => options.targets.push(TARGETS.iter().find(|t| t.name == name).ok_or(format!("unknown target {name:?} (see --list)"))?),
        }
    }
    if options.targets.is_empty() {
        if options.reproduce.is_some() {
            return Err("--reproduce needs the target's name".into());
        }
        options.targets = TARGETS.iter().collect();
    }
    Ok(options)
}

fn reproduce(file: &Path, target: &Target) -> ExitCode {
    match std::fs::read(file) {
        Ok(input) => {
            let outcome = (target.run)(&input);
            println!("{}: {} ran without a panic (outcome {outcome:016x})", target.name, file.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{}: {error}", file.display());
            ExitCode::from(2)
        }
    }
}

/// The committed inputs of a target, in file-name order so runs repeat.
fn load_corpus(dir: &Path) -> Result<Vec<Vec<u8>>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("corpus {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    paths.sort();
    let corpus: Vec<Vec<u8>> = paths.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    if corpus.is_empty() {
        return Err(format!("corpus {} holds no input", dir.display()));
    }
    Ok(corpus)
}

fn fuzz(target: &'static Target, options: &Options, root: &Path, watchdog: &Watchdog) -> Result<Report, String> {
    let seeds = load_corpus(&root.join("corpus").join(target.name))?;
    let dictionary = std::fs::read_to_string(root.join("dict").join(format!("{}.dict", target.name))).map(|t| parse_dictionary(&t)).unwrap_or_default();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(options.seconds);
    let seed = options.seed ^ ml_connector_fuzz::input::hash(target.name);
    let mut mutator = Mutator { rng: Rng::new(seed), dictionary: &dictionary, max_len: options.max_len.max(seeds.iter().map(Vec::len).max().unwrap_or(0)) };
    let mut report = Report { name: target.name, elapsed: Duration::ZERO, executions: 0, seeds: seeds.len(), kept: 0, outcomes: 0, crash: None };
    let mut outcomes = HashSet::new();
    let mut pool = seeds.clone();
    let mut pending = seeds.into_iter();
    watchdog.begin_target(target.name);
    loop {
        let input = match pending.next() {
            Some(seed) => seed,
            None => {
                let done = match options.runs {
                    Some(runs) => report.executions >= runs,
                    None => Instant::now() >= deadline,
                };
                if done {
                    break;
                }
                let mut input = pool[mutator.rng.below(pool.len())].clone();
                let other = &pool[mutator.rng.below(pool.len())];
                mutator.mutate(&mut input, other);
                input
            }
        };
        watchdog.enter(&input);
        let result = catch_unwind(AssertUnwindSafe(|| (target.run)(&input)));
        watchdog.leave();
        report.executions += 1;
        match result {
            Ok(outcome) => {
                if outcomes.insert(outcome) && report.executions > report.seeds as u64 {
                    keep(&mut pool, input, report.seeds, &mut mutator.rng);
                    report.kept += 1;
                }
            }
            Err(_) => {
                let message = LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()).take().unwrap_or_default();
                let path = save(&root.join("artifacts").join(target.name), "crash", &input)?;
                report.crash = Some((message, path));
                break;
            }
        }
    }
    report.elapsed = started.elapsed();
    report.outcomes = outcomes.len();
    Ok(report)
}

/// Adds an input to the pool; past 4096 inputs it replaces a kept one (seeds always stay).
fn keep(pool: &mut Vec<Vec<u8>>, input: Vec<u8>, seeds: usize, rng: &mut Rng) {
    const POOL_LIMIT: usize = 4096;
    if pool.len() < POOL_LIMIT || pool.len() <= seeds {
        pool.push(input);
    } else {
        let at = seeds + rng.below(pool.len() - seeds);
        pool[at] = input;
    }
}

fn save(dir: &Path, kind: &str, input: &[u8]) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("{kind}-{:016x}", ml_connector_fuzz::input::hash(input)));
    std::fs::write(&path, input).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Catches inputs that hang: a thread that, when one execution runs longer than the timeout,
/// saves the input to `artifacts/<target>/timeout-*` and ends the process.
struct Watchdog {
    shared: Arc<WatchState>,
}

struct WatchState {
    /// Milliseconds since `origin` when the running execution began; 0 between executions.
    began: AtomicU64,
    origin: Instant,
    input: Mutex<(String, Vec<u8>)>,
}

impl Watchdog {
    fn start(timeout: Duration, artifacts: PathBuf) -> Self {
        let shared = Arc::new(WatchState { began: AtomicU64::new(0), origin: Instant::now(), input: Mutex::new((String::new(), Vec::new())) });
        let watched = shared.clone();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(250));
            let began = watched.began.load(Ordering::Acquire);
            let now = watched.origin.elapsed().as_millis() as u64;
            if began != 0 && now.saturating_sub(began) > timeout.as_millis() as u64 {
                let (target, input) = watched.input.lock().unwrap_or_else(|p| p.into_inner()).clone();
                let saved = save(&artifacts.join(&target), "timeout", &input).unwrap_or_else(PathBuf::from);
                eprintln!("{target}: one execution ran longer than {timeout:?}; input saved to {}", saved.display());
                std::process::exit(1);
            }
        });
        Self { shared }
    }

    fn begin_target(&self, name: &str) {
        self.shared.input.lock().unwrap_or_else(|p| p.into_inner()).0 = name.to_string();
    }

    fn enter(&self, input: &[u8]) {
        {
            let mut current = self.shared.input.lock().unwrap_or_else(|p| p.into_inner());
            current.1.clear();
            current.1.extend_from_slice(input);
        }
        let now = (self.shared.origin.elapsed().as_millis() as u64).max(1);
        self.shared.began.store(now, Ordering::Release);
    }

    fn leave(&self) {
        self.shared.began.store(0, Ordering::Release);
    }
}
