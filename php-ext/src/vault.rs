//! The vault key of this PHP worker process: loaded on first use, then kept, and loaded again when
//! the key file changes (its modification time, size or inode), so `ml-connector-agent vault rotate`
//! is picked up by running workers without a restart.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use ml_connector_formats::{EnvelopeError, Keyring};

use crate::failure::{self, Failure};

/// What identifies one version of the key file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

struct LoadedKeyring {
    path: PathBuf,
    stamp: FileStamp,
    keyring: Keyring,
}

static LOADED: Mutex<Option<LoadedKeyring>> = Mutex::new(None);

/// Runs `work` with the keyring of the key file at `path`.
pub fn with<T>(path: &Path, work: impl FnOnce(&Keyring) -> T) -> Result<T, Failure> {
    let unreadable = |cause: std::io::Error| Failure::KeyUnreadable {
        path: path.display().to_string(),
        cause: cause.to_string(),
        uid: failure::uid(),
    };
    // The stamp is taken before reading: a rotation landing during the read changes it again,
    // so the next call reloads.
    let metadata = std::fs::metadata(path).map_err(unreadable)?;
    let stamp = FileStamp {
        modified: metadata.modified().ok(),
        len: metadata.len(),
        inode: metadata.ino(),
    };
    let mut loaded = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    match loaded.as_ref() {
        Some(current) if current.path == path && current.stamp == stamp => Ok(work(&current.keyring)),
        _ => {
            *loaded = None;
            let keyring = Keyring::load(path).map_err(|error| match error {
                EnvelopeError::KeyFileIo { source, .. } => unreadable(source),
                other => Failure::KeyInvalid(other),
            })?;
            let value = work(&keyring);
            *loaded = Some(LoadedKeyring {
                path: path.to_path_buf(),
                stamp,
                keyring,
            });
            Ok(value)
        }
    }
}

/// Id of the key that encrypts now (an id, never key material).
pub fn active_key_id(path: &Path) -> Result<String, Failure> {
    with(path, |keyring| keyring.active_key_id().to_string())
}
