//! The wake-up: after making an event durable, the writer sends one datagram to the agent's Unix
//! socket so the agent starts at once instead of at its next poll. Never blocks: when the agent is
//! down or its queue is full, the datagram is skipped (the agent polls the spool anyway).

use std::path::Path;

/// The datagram: `wake <seq>`.
pub fn message(seq: i64) -> Vec<u8> {
    format!("wake {seq}").into_bytes()
}

/// Reads the sequence number out of a datagram; `None` for anything else.
pub fn parse(datagram: &[u8]) -> Option<i64> {
    std::str::from_utf8(datagram).ok()?.strip_prefix("wake ")?.trim().parse().ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WakeOutcome {
    Sent,
    /// No socket, or nobody listening: the agent is down. The event waits in the spool.
    AgentDown,
    /// The agent's socket buffer is full: it is busy and will find the event anyway.
    Busy,
    /// Anything else (e.g. permission denied), with the OS error kind for the log.
    Failed(std::io::ErrorKind),
}

#[cfg(unix)]
pub fn wake(socket: &Path, seq: i64) -> WakeOutcome {
    use std::io::ErrorKind;
    let sender = match std::os::unix::net::UnixDatagram::unbound() {
        Ok(sender) => sender,
        Err(e) => return WakeOutcome::Failed(e.kind()),
    };
    if let Err(e) = sender.set_nonblocking(true) {
        return WakeOutcome::Failed(e.kind());
    }
    match sender.send_to(&message(seq), socket) {
        Ok(_) => WakeOutcome::Sent,
        Err(e) => match e.kind() {
            ErrorKind::NotFound | ErrorKind::ConnectionRefused => WakeOutcome::AgentDown,
            ErrorKind::WouldBlock => WakeOutcome::Busy,
            kind => WakeOutcome::Failed(kind),
        },
    }
}

#[cfg(not(unix))]
pub fn wake(_socket: &Path, _seq: i64) -> WakeOutcome {
    WakeOutcome::AgentDown
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn wakes_a_listener_and_reports_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.sock");
        assert_eq!(wake(&path, 1), WakeOutcome::AgentDown);
        let listener = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        assert_eq!(wake(&path, 42), WakeOutcome::Sent);
        let mut buf = [0u8; 64];
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(parse(&buf[..n]), Some(42));
        drop(listener);
        assert_eq!(wake(&path, 43), WakeOutcome::AgentDown, "a stale socket file is not a listener");
    }

    #[test]
    fn parse_refuses_other_datagrams() {
        assert_eq!(parse(b"hello"), None);
        assert_eq!(parse(b"wake x"), None);
        assert_eq!(parse(&[0xff, 0x00]), None);
    }
}
