//! Webhooks: which hooks feed which topic, and delivery through a queue run like Action Scheduler.

pub mod delivery;
pub mod topics;
