//! What both simulators share: a loopback HTTP(S) server whose connections can be cut on purpose,
//! a fault layer (latency, 5xx, timeouts, commit-then-drop) changeable at run time, and a journal
//! of every request received. The simulators own their routes and their error bodies; this crate
//! owns only the transport-level behaviour so that both fail the same way.

pub mod control;
pub mod faults;
pub mod journal;
pub mod server;
pub mod tls;

pub use faults::{FaultLayer, FaultSettings, Faults};
pub use journal::{Journal, JournalEntry};
pub use server::{serve, ConnectionKill, Listen, RunningServer};
