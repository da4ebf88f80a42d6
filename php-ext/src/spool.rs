//! The spool connection of this PHP worker process.
//!
//! Opened on first use and kept for every later call (opening costs a few system calls and
//! pragmas a checkout should not pay each time). It is dropped after any error but an invalid
//! event, so the next call starts from a fresh connection, and reopened when the directives that
//! shape it change or the process forked. Errors are worded here for the sysadmin: which spool,
//! what went wrong, whose permissions.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use ml_connector_formats::spool::{Durability, OpenOptions};
use ml_connector_formats::{Spool, SpoolError};
use rusqlite::ErrorCode;

use crate::failure::{self, Failure};
use crate::ini::Settings;

struct OpenSpool {
    spool: Spool,
    path: PathBuf,
    busy_timeout: Duration,
    durability: Durability,
    /// SQLite connections must not cross a fork (FPM forks its workers from the master).
    pid: u32,
}

impl OpenSpool {
    fn fits(&self, settings: &Settings, pid: u32) -> bool {
        self.pid == pid
            && self.path == settings.spool_path
            && self.busy_timeout == settings.busy_timeout
            && self.durability == settings.durability
    }
}

static OPEN: Mutex<Option<OpenSpool>> = Mutex::new(None);

/// Runs `work` on this process's spool connection, opening it first if needed.
pub fn with<T>(settings: &Settings, work: impl FnOnce(&Spool) -> Result<T, SpoolError>) -> Result<T, Failure> {
    let mut slot = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    let open = match slot.take() {
        Some(open) if open.fits(settings, pid) => open,
        stale => {
            if let Some(stale) = stale.filter(|stale| stale.pid != pid) {
                // Closing a connection inherited over fork could disturb the parent's locks and
                // WAL; leaking it is what SQLite recommends.
                std::mem::forget(stale);
            }
            open(settings, pid)?
        }
    };
    match work(&open.spool) {
        Ok(value) => {
            *slot = Some(open);
            Ok(value)
        }
        // An invalid event says nothing about the connection: keep it.
        Err(SpoolError::Event(event)) => {
            *slot = Some(open);
            Err(Failure::InvalidEvent(event))
        }
        // Any other error drops the connection here, so the next call reopens it.
        Err(error) => Err(describe(error, settings)),
    }
}

fn open(settings: &Settings, pid: u32) -> Result<OpenSpool, Failure> {
    let options = OpenOptions {
        busy_timeout: settings.busy_timeout,
        durability: settings.durability,
        create: true,
        // The agent checkpoints after taking events over; a checkout never pays for it.
        autocheckpoint: Some(0),
    };
    let spool = Spool::open_with(&settings.spool_path, &options).map_err(|error| describe(error, settings))?;
    Ok(OpenSpool {
        spool,
        path: settings.spool_path.clone(),
        busy_timeout: settings.busy_timeout,
        durability: settings.durability,
        pid,
    })
}

/// Words a spool error for the sysadmin.
fn describe(error: SpoolError, settings: &Settings) -> Failure {
    let path = settings.spool_path.display().to_string();
    let source = match error {
        SpoolError::Open { source, .. } | SpoolError::Sqlite { source, .. } => source,
        SpoolError::Event(event) => return Failure::InvalidEvent(event),
        newer @ SpoolError::NewerSchema { .. } => return Failure::Spool(newer.to_string()),
    };
    let cause = source.to_string();
    match source.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Failure::SpoolLocked {
            path,
            waited_ms: settings.busy_timeout.as_millis(),
        },
        Some(ErrorCode::DiskFull) => Failure::SpoolDiskFull { path },
        Some(ErrorCode::ReadOnly) => Failure::SpoolReadOnly {
            path,
            cause,
            uid: failure::uid(),
        },
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => Failure::SpoolUnopenable {
            path,
            cause,
            uid: failure::uid(),
        },
        _ => Failure::Spool(format!("spool {path}: {cause}")),
    }
}

/// Whether this PHP user may write the spool, checked without creating or opening anything
/// (phpinfo() and the status screen must not leave a root-owned spool behind when run as root).
pub enum Writable {
    Yes,
    /// No spool yet, but its directory is writable: the first event creates it.
    NotCreatedYet,
}

pub fn writable(path: &Path) -> Result<Writable, String> {
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("/"));
    let uid = failure::uid();
    if !dir.is_dir() {
        return Err(format!("the directory {} does not exist", dir.display()));
    }
    // SQLite creates `-wal` and `-shm` files next to the spool, so the directory must be writable too.
    if !may(dir, libc::W_OK | libc::X_OK) {
        return Err(format!(
            "the directory {} is not writable by the PHP user (uid {uid})",
            dir.display()
        ));
    }
    if !path.exists() {
        return Ok(Writable::NotCreatedYet);
    }
    if may(path, libc::R_OK | libc::W_OK) {
        Ok(Writable::Yes)
    } else {
        Err(format!(
            "{} is not writable by the PHP user (uid {uid})",
            path.display()
        ))
    }
}

fn may(path: &Path, mode: libc::c_int) -> bool {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(c_path.as_ptr(), mode) == 0 }
}
