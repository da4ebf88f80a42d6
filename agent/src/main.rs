//! `ml-connector-agent`: a thin binary over the library (see `cli`).

fn main() -> std::process::ExitCode {
    ml_connector_agent::cli::main()
}
