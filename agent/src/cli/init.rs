//! `init` (what a package's postinst or install.sh runs) and `vault` (secrets for the file).

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use ml_connector_formats::{Keyring, Spool};

#[derive(Args)]
pub struct InitArgs {
    /// The user the agent runs as (owner of the state directory and the key).
    #[arg(long)]
    pub agent_user: Option<String>,
    /// The web server's group (PHP-FPM workers): may write the spool and read the key.
    #[arg(long)]
    pub web_group: Option<String>,
}

#[derive(Subcommand)]
pub enum VaultCommand {
    /// Encrypt a secret read from standard input, for a setting in the configuration file.
    Encrypt {
        /// The setting it is for, e.g. `nav.client_secret` (an envelope only decrypts for its purpose).
        #[arg(long)]
        purpose: String,
    },
    /// Add a new key that encrypts from now on; old secrets stay readable.
    Rotate,
}

pub fn init(config: Option<&Path>, args: InitArgs) -> anyhow::Result<ExitCode> {
    let settings = super::file_settings(config)?;
    let agent = &settings.agent;
    let uid = args.agent_user.as_deref().map(|u| lookup("/etc/passwd", u)).transpose()?;
    let gid = args.web_group.as_deref().map(|g| lookup("/etc/group", g)).transpose()?;
    let spool_dir = agent.spool_path.parent().unwrap_or(&agent.state_dir).to_path_buf();
    make_dir(&agent.state_dir, 0o750, uid, gid)?;
    // setgid: files PHP and the agent create in it keep the shared group.
    make_dir(&spool_dir, 0o2770, uid, gid)?;
    if let Some(key_dir) = agent.key_path.parent() {
        make_dir(key_dir, 0o750, None, gid)?;
    }
    if agent.key_path.exists() {
        Keyring::load(&agent.key_path)?;
        println!("key      {} (kept: an existing key is never replaced)", agent.key_path.display());
    } else {
        Keyring::create(&agent.key_path)?;
        println!("key      {} (created, mode 0640)", agent.key_path.display());
    }
    chown(&agent.key_path, uid, gid)?;
    Spool::open(&agent.spool_path)?;
    for file in [agent.spool_path.clone(), agent.spool_path.with_extension("db-wal"), agent.spool_path.with_extension("db-shm")] {
        if file.exists() {
            chown(&file, uid, gid)?;
        }
    }
    println!("spool    {} (mode 0660)", agent.spool_path.display());
    println!("state    {}", agent.state_dir.display());
    Ok(ExitCode::SUCCESS)
}

pub fn vault(config: Option<&Path>, command: VaultCommand) -> anyhow::Result<ExitCode> {
    let settings = super::file_settings(config)?;
    match command {
        VaultCommand::Encrypt { purpose } => {
            let keyring = crate::runtime::load_keyring(&settings.agent.key_path).map_err(anyhow::Error::msg)?;
            let mut secret = String::new();
            std::io::stdin().read_to_string(&mut secret)?;
            let secret = secret.trim_end_matches(['\n', '\r']);
            if secret.is_empty() {
                anyhow::bail!("nothing to encrypt: pass the secret on standard input");
            }
            println!("{}", keyring.encrypt(&purpose, secret.as_bytes()));
        }
        VaultCommand::Rotate => {
            let keyring = Keyring::rotate(&settings.agent.key_path)?;
            println!("new key {} encrypts from now on; keys {:?} still decrypt", keyring.active_key_id(), keyring.key_ids());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn make_dir(path: &Path, mode: u32, uid: Option<u32>, gid: Option<u32>) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path).map_err(|e| anyhow::anyhow!("creating {}: {e}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| anyhow::anyhow!("mode of {}: {e}", path.display()))?;
    chown(path, uid, gid)
}

fn chown(path: &Path, uid: Option<u32>, gid: Option<u32>) -> anyhow::Result<()> {
    if uid.is_none() && gid.is_none() {
        return Ok(());
    }
    std::os::unix::fs::chown(path, uid, gid).map_err(|e| anyhow::anyhow!("owner of {}: {e}", path.display()))
}

/// Numeric id of a user or group from /etc/passwd or /etc/group.
fn lookup(file: &str, name: &str) -> anyhow::Result<u32> {
    let text = std::fs::read_to_string(file)?;
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.len() > 2 && fields[0] == name).then(|| fields[2].parse().ok()).flatten()
        })
        .next()
        .ok_or_else(|| anyhow::anyhow!("{name:?} not found in {file}"))
}
