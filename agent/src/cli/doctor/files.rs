//! The doctor's checks of local files: the configuration, the state directory, the vault key, the
//! spool (directory, file, schema), the wake socket, and the heartbeat the agent writes into the
//! spool. Each failure names the owner and mode it found and gives the command that sets them.

use std::io::ErrorKind;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use ml_connector_formats::{Keyring, SPOOL_SCHEMA_VERSION};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::access::{lacks, Directory, Identity, ENTER, READ, WRITE};
use super::{Finding, Host};
use crate::config::{self, AgentSettings};

/// A heartbeat older than this means the agent is not running (it writes one every few seconds;
/// `status` uses the same limit).
const HEARTBEAT_MAX_AGE_SECS: i64 = 30;

/// The agent's file: valid, and readable by the agent. With a readable key the business settings in
/// it must validate too (envelopes need the key; an unreadable key is the key check's finding).
pub fn configuration(path: Option<&Path>, agent: Option<&Identity>, directory: &Directory, host: &Host) -> (Finding, Option<AgentSettings>) {
    let Some(path) = path else {
        return (
            Finding::warn("config", "no configuration file: the agent runs on its defaults", "install agent/packaging/agent.toml as /etc/ml-connector/agent.toml"),
            None,
        );
    };
    let shown = path.display();
    let fix = format!("correct {shown} (`ml-connector-agent config` names the problem)");
    let file = match config::read_file(Some(path)) {
        Ok(file) => file,
        Err(error) => return (Finding::fail("config", error.to_string(), fix), None),
    };
    let settings = match config::load_agent(&file) {
        Ok(settings) => settings,
        Err(error) => return (Finding::fail("config", format!("{shown}: {error}"), fix), None),
    };
    if let Ok(keyring) = Keyring::load(&settings.key_path) {
        if let Err(error) = config::load(&file, None, Some(&keyring)) {
            return (Finding::fail("config", format!("{shown}: {error}"), fix), Some(settings));
        }
    }
    let Ok(meta) = std::fs::metadata(path) else {
        return (Finding::ok("config", format!("{shown} is valid")), Some(settings));
    };
    if let Some(problem) = agent.and_then(|agent| lacks(path, &meta, agent, READ, directory)) {
        return (Finding::fail("config", problem, format!("chgrp {} {shown} && chmod 0640 {shown}", host.web_group)), Some(settings));
    }
    (Finding::ok("config", format!("{shown} is valid ({})", directory.describe(&meta))), Some(settings))
}

/// What a path is, or the finding that says it is missing.
fn existing(name: &'static str, path: &Path, directory_expected: bool, host: &Host) -> Result<std::fs::Metadata, Finding> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() == directory_expected => Ok(meta),
        Ok(_) => Err(Finding::fail(name, format!("{shown} is not a {}", if directory_expected { "directory" } else { "file" }), format!("move {shown} away, then: {}", host.init_line()))),
        Err(error) if error.kind() == ErrorKind::NotFound => Err(Finding::fail(name, format!("{shown} does not exist"), host.init_line())),
        Err(error) => Err(Finding::fail(name, format!("{shown}: {error}"), host.init_line())),
    }
}

pub fn state_dir(settings: &AgentSettings, agent: Option<&Identity>, directory: &Directory, host: &Host) -> Finding {
    let path = &settings.state_dir;
    let meta = match existing("state", path, true, host) {
        Ok(meta) => meta,
        Err(finding) => return finding,
    };
    let fix = format!("chown {}:{} {dir} && chmod 0750 {dir}", host.agent_user, host.web_group, dir = path.display());
    if meta.mode() & 0o007 != 0 {
        return Finding::fail("state", format!("{} is open to every user ({}); the audit trail is private", path.display(), directory.describe(&meta)), fix);
    }
    if let Some(problem) = agent.and_then(|agent| lacks(path, &meta, agent, READ | WRITE | ENTER, directory)) {
        return Finding::fail("state", problem, fix);
    }
    Finding::ok("state", format!("{} ({})", path.display(), directory.describe(&meta)))
}

/// The fix for a directory on the way that `who` cannot enter: our own directories belong to the
/// web group with mode 0750 (the spool directory's 2770 is checked on its own).
fn enter_fix(path: &Path, people: &[&Identity], host: &Host) -> Option<String> {
    people.iter().find_map(|who| who.blocked_at(path)).map(|dir| format!("chgrp {} {dir} && chmod g+x {dir}", host.web_group, dir = dir.display()))
}

pub fn key(settings: &AgentSettings, people: &[&Identity], directory: &Directory, host: &Host) -> Finding {
    let path = &settings.key_path;
    let meta = match existing("key", path, false, host) {
        Ok(meta) => meta,
        Err(finding) => return finding,
    };
    let shown = path.display();
    let fix = format!("chown {}:{} {shown} && chmod 0640 {shown}", host.agent_user, host.web_group);
    if meta.mode() & 0o007 != 0 {
        return Finding::fail("key", format!("{shown} is readable by every user ({}): anyone on the host can decrypt the secrets", directory.describe(&meta)), fix);
    }
    if let Some(problem) = people.iter().find_map(|who| lacks(path, &meta, who, READ, directory)) {
        return Finding::fail("key", problem, enter_fix(path, people, host).unwrap_or(fix));
    }
    match Keyring::load(path) {
        Ok(keyring) => Finding::ok("key", format!("{shown} ({}), {} key(s), active {}", directory.describe(&meta), keyring.key_ids().len(), keyring.active_key_id())),
        // Whoever runs the doctor may not read it; the modes above are what matter.
        Err(ml_connector_formats::EnvelopeError::KeyFileIo { source, .. }) if source.kind() == ErrorKind::PermissionDenied => {
            Finding::ok("key", format!("{shown} ({}); run the doctor as root to check its content", directory.describe(&meta)))
        }
        Err(error) => Finding::fail("key", error.to_string(), "restore the key file from your backup (secrets encrypted with it cannot be read without it)"),
    }
}

fn spool_dir_of(settings: &AgentSettings) -> PathBuf {
    settings.spool_path.parent().map(Path::to_path_buf).unwrap_or_else(|| settings.state_dir.clone())
}

/// The spool's directory: PHP-FPM and the agent both create files in it (SQLite's -wal and -shm),
/// so it is group-writable and setgid, so that every file there keeps the web group.
pub fn spool_dir(settings: &AgentSettings, people: &[&Identity], web_gid: Option<u32>, directory: &Directory, host: &Host) -> Finding {
    let path = spool_dir_of(settings);
    let meta = match existing("spool.dir", &path, true, host) {
        Ok(meta) => meta,
        Err(finding) => return finding,
    };
    let shown = path.display();
    let fix = format!("chown {}:{} {shown} && chmod 2770 {shown}", host.agent_user, host.web_group);
    let found = directory.describe(&meta);
    if meta.mode() & 0o2000 == 0 {
        return Finding::fail("spool.dir", format!("{shown} is not setgid ({found}): files PHP creates there would not keep the group {}", host.web_group), fix);
    }
    if web_gid.is_some_and(|gid| gid != meta.gid()) {
        return Finding::fail("spool.dir", format!("{shown} does not belong to the group {} ({found})", host.web_group), fix);
    }
    if meta.mode() & 0o007 != 0 {
        return Finding::fail("spool.dir", format!("{shown} is open to every user ({found})"), fix);
    }
    if let Some(problem) = people.iter().find_map(|who| lacks(&path, &meta, who, READ | WRITE | ENTER, directory)) {
        return Finding::fail("spool.dir", problem, enter_fix(&path, people, host).unwrap_or(fix));
    }
    Finding::ok("spool.dir", format!("{shown} ({found})"))
}

/// The spool and SQLite's companions: both sides read and write all three.
pub fn spool_file(settings: &AgentSettings, people: &[&Identity], directory: &Directory, host: &Host) -> Finding {
    let path = &settings.spool_path;
    let meta = match existing("spool", path, false, host) {
        Ok(meta) => meta,
        Err(finding) => return finding,
    };
    let shown = path.display();
    let fix = format!("chgrp {} {shown}* && chmod 0660 {shown}*", host.web_group);
    let companions = [path.with_extension("db-wal"), path.with_extension("db-shm")];
    for file in std::iter::once(path.clone()).chain(companions.into_iter().filter(|p| p.exists())) {
        let Ok(meta) = std::fs::metadata(&file) else { continue };
        if let Some(problem) = people.iter().find_map(|who| lacks(&file, &meta, who, READ | WRITE, directory)) {
            return Finding::fail("spool", problem, fix);
        }
    }
    Finding::ok("spool", format!("{shown} ({})", directory.describe(&meta)))
}

/// What the doctor reads from the spool, opened read-only.
pub struct SpoolView {
    pub schema_version: i64,
    /// (value, updated_at) of the `heartbeat` row.
    pub heartbeat: Option<(String, String)>,
}

pub fn read_spool(path: &Path) -> Result<SpoolView, String> {
    if !path.exists() {
        return Err(format!("no spool at {}", path.display()));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let schema_version = conn.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|e| format!("{}: {e}", path.display()))?;
    let heartbeat = if schema_version >= 1 {
        conn.query_row("SELECT value, updated_at FROM agent_status WHERE name = 'heartbeat'", [], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()
            .map_err(|e| format!("{}: {e}", path.display()))?
    } else {
        None
    };
    Ok(SpoolView { schema_version, heartbeat })
}

pub fn spool_schema(settings: &AgentSettings, spool: &Result<SpoolView, String>, host: &Host) -> Finding {
    let view = match spool {
        Ok(view) => view,
        // A missing spool is the spool check's finding.
        Err(error) if !settings.spool_path.exists() => return Finding::skip("spool.schema", format!("not checked: {error}")),
        Err(error) => return Finding::fail("spool.schema", format!("the spool cannot be read: {error}"), format!("sqlite3 {} 'PRAGMA integrity_check' (as root)", settings.spool_path.display())),
    };
    let found = view.schema_version;
    if found > SPOOL_SCHEMA_VERSION {
        return Finding::fail(
            "spool.schema",
            format!("schema version {found} is newer than this agent's ({SPOOL_SCHEMA_VERSION}): the plugin or extension is newer than the agent"),
            "upgrade the agent to the plugin's version (apt-get install --only-upgrade ml-connector)",
        );
    }
    if found < SPOOL_SCHEMA_VERSION {
        return Finding::fail("spool.schema", format!("schema version {found}, this agent needs {SPOOL_SCHEMA_VERSION}; the agent upgrades it when it starts"), host.restart_line());
    }
    Finding::ok("spool.schema", format!("version {found}"))
}

/// The socket PHP sends its wake-up datagram to: present, writable by the web group, and someone
/// listening (a connect on a datagram socket sends nothing, so the check does not wake the agent).
pub fn wake_socket(settings: &AgentSettings, web: Option<&Identity>, directory: &Directory, host: &Host) -> Finding {
    let path = &settings.wake_socket;
    let shown = path.display();
    let polling = format!("PHP cannot wake the agent, which then finds events only every {} ms", settings.poll_interval.as_millis());
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(_) => return Finding::fail("socket", format!("no wake socket at {shown}: {polling}"), host.restart_line()),
    };
    if !meta.file_type().is_socket() {
        return Finding::fail("socket", format!("{shown} is not a socket"), format!("rm {shown} && {}", host.restart_line()));
    }
    if let Some(problem) = web.and_then(|web| lacks(path, &meta, web, WRITE, directory)) {
        return Finding::fail("socket", format!("{problem}: {polling}"), format!("{} (the unit's Group= must be {})", host.restart_line(), host.web_group));
    }
    let listening = std::os::unix::net::UnixDatagram::unbound().and_then(|socket| socket.connect(path));
    match listening {
        Ok(()) => Finding::ok("socket", format!("{shown} ({}), the agent listens", directory.describe(&meta))),
        Err(error) => Finding::fail("socket", format!("{shown} is left over: nobody listens ({error}); {polling}"), host.restart_line()),
    }
}

pub fn heartbeat(spool: &Result<SpoolView, String>, host: &Host) -> Finding {
    let view = match spool {
        Ok(view) => view,
        Err(error) => return Finding::skip("agent", format!("no heartbeat to read: {error}")),
    };
    let Some((value, at)) = &view.heartbeat else {
        return Finding::fail("agent", "no heartbeat in the spool: the agent has not run with this spool", "systemctl enable --now ml-connector-agent");
    };
    let why = "(journalctl -u ml-connector-agent -n 50 says why it stopped)";
    let age = match chrono::DateTime::parse_from_rfc3339(at) {
        Ok(time) => (host.now - time.with_timezone(&chrono::Utc)).num_seconds(),
        Err(_) => return Finding::fail("agent", format!("the heartbeat's time {at:?} cannot be read"), host.restart_line()),
    };
    if age > HEARTBEAT_MAX_AGE_SECS {
        return Finding::fail("agent", format!("last heartbeat {at}, {age} s ago: the agent is not running {why}"), host.restart_line());
    }
    let document: serde_json::Value = serde_json::from_str(value).unwrap_or_default();
    let pid = document["pid"].as_i64().map(|p| format!(", pid {p}")).unwrap_or_default();
    let version = document["version"].as_str().map(|v| format!(", version {v}")).unwrap_or_default();
    Finding::ok("agent", format!("running: heartbeat {}s ago{pid}{version}", age.max(0)))
}
