//! The test harness: finds the built extension, gives each test a temp "site" directory (spool,
//! vault key, wake socket) and runs `php -n -d extension=<.so>` on a script of `tests/php/`.
//!
//! The .so: Cargo does not build a cdylib for a crate's integration tests, so the harness runs
//! `cargo build -p ml-connector-php` (the debug .so) once per test binary, a no-op when it is up to
//! date, and takes the .so path from Cargo's own artifact message. Set
//! `ML_CONNECTOR_SO` to an absolute path to test another build instead (e.g. the release .so).

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn extension() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| match std::env::var_os("ML_CONNECTOR_SO") {
            Some(path) => PathBuf::from(path),
            None => build_extension(),
        })
        .clone()
}

fn build_extension() -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .args([
            "build",
            "-p",
            "ml-connector-php",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(std::process::Stdio::inherit())
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo build -p ml-connector-php failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact" && message["target"]["name"] == "ml_connector")
        .flat_map(|message| message["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|name| name.as_str().map(PathBuf::from))
        .find(|path| path.extension().is_some_and(|ext| ext == "so"))
        .expect("cargo reported no libml_connector.so")
}

pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/php").join(name)
}

/// A temp directory standing in for the host's spool, key and socket locations.
pub struct Site {
    pub dir: tempfile::TempDir,
    /// Extra `-d name=value` for the php child.
    ini: Vec<(String, String)>,
}

impl Site {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // Traversable by other users, so a test can run php as `nobody` against it.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir, ini: Vec::new() }
    }

    pub fn spool_path(&self) -> PathBuf {
        self.dir.path().join("spool.db")
    }

    pub fn key_path(&self) -> PathBuf {
        self.dir.path().join("vault.key")
    }

    pub fn socket_path(&self) -> PathBuf {
        self.dir.path().join("agent.sock")
    }

    pub fn with_ini(mut self, name: &str, value: &str) -> Self {
        self.ini.push((name.to_string(), value.to_string()));
        self
    }

    /// `php -n -d extension=... -d ml_connector.*=<this site> <script> <args>`, not yet run.
    pub fn php(&self, script_name: &str, args: &[&str]) -> Command {
        self.php_as(None, script_name, args)
    }

    /// The same, run through `setpriv` as another user (the test must run as root).
    pub fn php_as(&self, user: Option<&str>, script_name: &str, args: &[&str]) -> Command {
        let mut command = self.php_command(user);
        command.arg(script(script_name)).args(args);
        command
    }

    /// `php -n -d extension=... -d ml_connector.*=<this site> -i`.
    pub fn phpinfo(&self) -> Command {
        let mut command = self.php_command(None);
        command.arg("-i");
        command
    }

    fn php_command(&self, user: Option<&str>) -> Command {
        let mut command = match user {
            Some(user) => {
                let mut c = Command::new("setpriv");
                c.args([
                    &format!("--reuid={user}"),
                    &format!("--regid={user}"),
                    "--clear-groups",
                    "php",
                ]);
                c
            }
            None => Command::new("php"),
        };
        command
            .arg("-n")
            .arg("-d")
            .arg(format!("extension={}", extension().display()));
        let mut ini = vec![
            (
                "ml_connector.spool_path".to_string(),
                self.spool_path().display().to_string(),
            ),
            (
                "ml_connector.key_path".to_string(),
                self.key_path().display().to_string(),
            ),
            (
                "ml_connector.wake_socket".to_string(),
                self.socket_path().display().to_string(),
            ),
        ];
        ini.extend(self.ini.iter().cloned());
        for (name, value) in ini {
            command.arg("-d").arg(format!("{name}={value}"));
        }
        command
    }
}

/// What a php child did.
pub struct Run {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The JSON lines the script reported.
    pub fn reports(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|line| line.starts_with('{'))
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    pub fn report(&self) -> serde_json::Value {
        self.reports()
            .pop()
            .unwrap_or_else(|| panic!("no report from php:\n{self}"))
    }

    /// PHP ran to the end without an uncaught exception, a fatal error or a warning.
    pub fn assert_clean(&self) {
        assert!(self.success, "php failed:\n{self}");
        for bad in ["Fatal error", "Uncaught", "Warning:", "Deprecated:", "Notice:"] {
            assert!(
                !self.stdout.contains(bad) && !self.stderr.contains(bad),
                "{bad} in php output:\n{self}"
            );
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

pub fn run(command: &mut Command) -> Run {
    let Output { status, stdout, stderr } = command.output().unwrap();
    Run {
        success: status.success(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

pub fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}
