//! Stands in for the agent's wake socket during the hook-cost benchmark: binds the socket, drains
//! the `wake <seq>` datagrams as fast as they come, and reports how many it received once the
//! benchmark has gone quiet (30 s before the first datagram, 2 s after the last).
//!
//! `cargo run --release -p ml-connector-php --example wake-listener -- <socket path>`

use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use ml_connector_formats::wake;

fn main() -> std::io::Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: wake-listener <socket path>");
        std::process::exit(2);
    };
    let _ = std::fs::remove_file(&path);
    let socket = UnixDatagram::bind(&path)?;
    socket.set_read_timeout(Some(Duration::from_secs(30)))?;
    let (mut received, mut last_seq) = (0u64, None);
    let mut buf = [0u8; 64];
    while let Ok(n) = socket.recv(&mut buf) {
        received += 1;
        last_seq = wake::parse(&buf[..n]).or(last_seq);
        socket.set_read_timeout(Some(Duration::from_secs(2)))?;
    }
    println!("wake-listener: {received} datagrams, last seq {last_seq:?}");
    std::fs::remove_file(&path)
}
