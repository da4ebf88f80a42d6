//! Who may use a file, judged from owners and mode bits the way the kernel judges a process without
//! capabilities: the agent (the unit drops every capability, so even a root-run agent gets no
//! override) and PHP-FPM's workers through the web group. Accounts come from /etc/passwd and
//! /etc/group, as `init` reads them.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

pub const READ: u32 = 4;
pub const WRITE: u32 = 2;
/// Execute on a file, enter on a directory.
pub const ENTER: u32 = 1;

/// The users and groups of the host.
#[derive(Default)]
pub struct Directory {
    /// (name, uid, primary gid)
    users: Vec<(String, u32, u32)>,
    /// (name, gid, members)
    groups: Vec<(String, u32, Vec<String>)>,
}

impl Directory {
    pub fn read(passwd: &Path, group: &Path) -> Result<Directory, String> {
        let read = |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
        let users = read(passwd)?
            .lines()
            .filter_map(|line| {
                let fields: Vec<&str> = line.split(':').collect();
                Some((fields.first()?.to_string(), fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?))
            })
            .collect();
        let groups = read(group)?
            .lines()
            .filter_map(|line| {
                let fields: Vec<&str> = line.split(':').collect();
                let members = fields.get(3).map(|m| m.split(',').filter(|s| !s.is_empty()).map(String::from).collect()).unwrap_or_default();
                Some((fields.first()?.to_string(), fields.get(2)?.parse().ok()?, members))
            })
            .collect();
        Ok(Directory { users, groups })
    }

    pub fn user(&self, name: &str) -> Option<(u32, u32)> {
        self.users.iter().find(|(n, _, _)| n == name).map(|(_, uid, gid)| (*uid, *gid))
    }

    pub fn group(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|(n, _, _)| n == name).map(|(_, gid, _)| *gid)
    }

    fn user_name(&self, uid: u32) -> String {
        self.users.iter().find(|(_, u, _)| *u == uid).map(|(n, _, _)| n.clone()).unwrap_or_else(|| uid.to_string())
    }

    fn group_name(&self, gid: u32) -> String {
        self.groups.iter().find(|(_, g, _)| *g == gid).map(|(n, _, _)| n.clone()).unwrap_or_else(|| gid.to_string())
    }

    /// Groups that list `user` as a member (what initgroups adds for a unit's User=).
    fn member_groups(&self, user: &str) -> Vec<u32> {
        self.groups.iter().filter(|(_, _, members)| members.iter().any(|m| m == user)).map(|(_, gid, _)| *gid).collect()
    }

    /// `owner:group mode`, e.g. `ml-connector:www-data 2770`.
    pub fn describe(&self, meta: &std::fs::Metadata) -> String {
        format!("{}:{} {:04o}", self.user_name(meta.uid()), self.group_name(meta.gid()), meta.mode() & 0o7777)
    }
}

/// A process that uses the files: a user (or none: a member of the group who does not own them)
/// with its groups.
#[derive(Clone, Debug)]
pub struct Identity {
    pub label: String,
    pub uid: Option<u32>,
    pub gids: Vec<u32>,
}

impl Identity {
    /// The agent as the unit runs it: User=agent_user, Group=web_group, plus the user's groups.
    pub fn agent(directory: &Directory, agent_user: &str, web_group: &str) -> Option<Identity> {
        let (uid, primary) = directory.user(agent_user)?;
        let mut gids = vec![directory.group(web_group).unwrap_or(primary)];
        gids.extend(directory.member_groups(agent_user));
        Some(Identity { label: format!("the agent user {agent_user}"), uid: Some(uid), gids })
    }

    /// PHP-FPM's workers, through the web group.
    pub fn web(directory: &Directory, web_group: &str) -> Option<Identity> {
        let gid = directory.group(web_group)?;
        Some(Identity { label: format!("the web group {web_group}"), uid: None, gids: vec![gid] })
    }

    /// Whether the mode bits that apply to this identity grant all of `want` (READ | WRITE | ENTER).
    pub fn may(&self, meta: &std::fs::Metadata, want: u32) -> bool {
        let mode = meta.mode();
        let bits = if self.uid == Some(meta.uid()) {
            mode >> 6
        } else if self.gids.contains(&meta.gid()) {
            mode >> 3
        } else {
            mode
        } & 0o7;
        bits & want == want
    }

    /// The first directory above `path` this identity cannot enter, if any.
    pub fn blocked_at(&self, path: &Path) -> Option<PathBuf> {
        path.ancestors().skip(1).filter(|dir| !dir.as_os_str().is_empty()).find_map(|dir| match std::fs::metadata(dir) {
            Ok(meta) if self.may(&meta, ENTER) => None,
            _ => Some(dir.to_path_buf()),
        })
    }
}

/// What `who` lacks on `path`: `None` when it may do `want` there and reach it.
pub fn lacks(path: &Path, meta: &std::fs::Metadata, who: &Identity, want: u32, directory: &Directory) -> Option<String> {
    if let Some(dir) = who.blocked_at(path) {
        let shown = std::fs::metadata(&dir).map(|m| directory.describe(&m)).unwrap_or_default();
        return Some(format!("{} cannot enter {} ({shown})", who.label, dir.display()));
    }
    if !who.may(meta, want) {
        let verb = match want {
            READ => "read",
            w if w == READ | WRITE => "read and write",
            _ => "write into",
        };
        return Some(format!("{} cannot {verb} {} ({})", who.label, path.display(), directory.describe(meta)));
    }
    None
}
