//! The pipeline: pacing under the BC throttle, retry timing, and the runner that claims durable
//! jobs and executes them (per subject in order, subjects concurrently, up to the limit).

pub mod rate;
pub mod retry;
pub mod runner;
