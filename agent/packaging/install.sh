#!/usr/bin/env bash
# Installs ml-connector on a host without the Debian package (any systemd distribution): the agent
# binary, the agent's user, its state directory, spool and vault key (`ml-connector-agent init`),
# the systemd unit, the PHP extension with its ini for the PHP CLI and PHP-FPM, and the WordPress
# plugin archive. Run it again to upgrade: an existing vault key, agent.toml or extension ini is
# never overwritten. On Debian and Ubuntu prefer the .deb (docs/operations.md).
#
#   sudo agent/packaging/install.sh [options]
#     --build               build the agent and the extension first (cargo, php-config, libclang)
#     --from DIR            take ml-connector-agent and libml_connector.so from DIR
#                           (default: the checkout's target/release)
#     --web-group GROUP     the web server's group, shared with PHP-FPM (default: www-data;
#                           e.g. nginx or apache on Fedora/RHEL, http on Arch)
#     --agent-user USER     the agent's system user (default: ml-connector)
#     --prefix DIR          where the binary and the plugin archive go (default: /usr/local)
#     --php BINARY          the PHP CLI of the PHP that runs WordPress (default: php)
#     --php-ini-dir DIR     put the extension's ini here instead of the PHP's own scan directories
#     --no-start            install and enable the unit, but do not (re)start it
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=no from="$root/target/release" web_group=www-data agent_user=ml-connector prefix=/usr/local
php=php php_ini_dir="" start=yes fpm_ini_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=yes ;;
    --from) from=$2; shift ;;
    --web-group) web_group=$2; shift ;;
    --agent-user) agent_user=$2; shift ;;
    --prefix) prefix=$2; shift ;;
    --php) php=$2; shift ;;
    --php-ini-dir) php_ini_dir=$2; shift ;;
    --no-start) start=no ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '== %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (it creates a system user and writes to /etc)"

config_dir=/etc/ml-connector
config=$config_dir/agent.toml
agent_bin=$prefix/bin/ml-connector-agent

# --- binaries ---------------------------------------------------------------------------------
if [ "$build" = yes ]; then
  say "building the agent and the PHP extension (release)"
  (cd "$root" && cargo build --release --locked -p ml-connector-agent -p ml-connector-php)
  from="$root/target/release"
fi
[ -x "$from/ml-connector-agent" ] || die "no ml-connector-agent in $from: pass --build or --from DIR"
install -d -m 0755 "$prefix/bin"
install -m 0755 "$from/ml-connector-agent" "$agent_bin.new"
mv -f "$agent_bin.new" "$agent_bin"
say "agent    $agent_bin"

# --- accounts ---------------------------------------------------------------------------------
getent group "$web_group" >/dev/null \
  || die "no group $web_group: pass the group your web server and PHP-FPM run as (--web-group nginx, apache, http ...)"
if ! getent passwd "$agent_user" >/dev/null; then
  nologin=$(command -v nologin || echo /sbin/nologin)
  # Primary group = the web group, as in the unit (Group=): `sudo -u` gives the service's access.
  useradd --system --gid "$web_group" --home-dir /var/lib/ml-connector --no-create-home \
    --shell "$nologin" --comment "ml-connector agent" "$agent_user"
  say "user     $agent_user (created, group $web_group)"
else
  say "user     $agent_user (exists)"
fi

# --- configuration, state, spool, key ---------------------------------------------------------
install -d -m 0750 -g "$web_group" "$config_dir"
if [ -e "$config" ]; then
  say "config   $config (kept)"
else
  install -m 0640 -o root -g "$web_group" "$here/agent.toml" "$config"
  say "config   $config (installed)"
fi
# State directory 0750, spool directory setgid 2770, spool 0660, key 0640: init creates what is
# missing and sets owners and modes; it never replaces an existing key.
"$agent_bin" --config "$config" init --agent-user "$agent_user" --web-group "$web_group" | sed 's/^/         /'

# --- systemd unit -----------------------------------------------------------------------------
unit_dir=/etc/systemd/system
install -m 0644 "$here/ml-connector-agent.service" "$unit_dir/ml-connector-agent.service"
install -d -m 0755 "$unit_dir/ml-connector-agent.service.d"
{
  echo "# Written by install.sh: this host's binary and web group. Edit with: systemctl edit ml-connector-agent"
  echo "[Service]"
  echo "ExecStart="
  echo "ExecStart=$agent_bin --config $config run"
  echo "Group=$web_group"
} > "$unit_dir/ml-connector-agent.service.d/install.conf"
say "unit     $unit_dir/ml-connector-agent.service (+ ml-connector-agent.service.d/install.conf)"

# --- PHP extension ----------------------------------------------------------------------------
php_ini() {
  local dir=$1 target="$1/20-ml_connector.ini"
  install -d -m 0755 "$dir"
  if [ -e "$target" ]; then say "php ini  $target (kept)"; return; fi
  install -m 0644 "$here/ml_connector.ini" "$target"
  say "php ini  $target"
}
if ! command -v "$php" >/dev/null; then
  say "php      no PHP CLI ($php): extension not installed; rerun with --php once PHP is there"
elif [ ! -f "$from/libml_connector.so" ]; then
  die "no libml_connector.so in $from: pass --build or --from DIR"
else
  version=$("$php" -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')
  ext_dir=$("$php" -r 'echo ini_get("extension_dir");')
  install -d -m 0755 "$ext_dir"
  install -m 0644 "$from/libml_connector.so" "$ext_dir/ml_connector.so"
  say "php ext  $ext_dir/ml_connector.so (PHP $version)"
  if [ -n "$php_ini_dir" ]; then
    php_ini "$php_ini_dir"
  elif command -v phpenmod >/dev/null && [ -d "/etc/php/$version/mods-available" ]; then
    # Debian/Ubuntu layout without the package: the same mods-available + phpenmod as the .deb.
    mods="/etc/php/$version/mods-available/ml_connector.ini"
    if [ -e "$mods" ]; then say "php ini  $mods (kept)"; else install -m 0644 "$here/ml_connector.ini" "$mods"; say "php ini  $mods"; fi
    phpenmod -v "$version" ml_connector
  else
    # Each SAPI's own scan directory: the CLI's, and PHP-FPM's when it is installed.
    dirs=("$("$php" -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')")
    for fpm in "php-fpm$version" "php-fpm${version/./}" php-fpm; do
      for candidate in "$(command -v "$fpm" || true)" "/usr/sbin/$fpm" "/usr/local/sbin/$fpm"; do
        [ -n "$candidate" ] && [ -x "$candidate" ] || continue
        fpm_ini_dir=$("$candidate" -i 2>/dev/null | sed -n 's/^Scan this dir for additional .ini files => //p')
        dirs+=("$fpm_ini_dir")
        break 2
      done
    done
    for dir in $(printf '%s\n' "${dirs[@]}" | grep -v '^(none)$' | grep . | sort -u); do php_ini "$dir"; done
  fi
  if "$php" -m 2>/dev/null | grep -x ml_connector >/dev/null; then
    say "php      the PHP CLI loads ml_connector"
  else
    say "php      WARNING: the PHP CLI does not load ml_connector (built for another PHP? rerun with --build)"
  fi
fi

# --- plugin archive ---------------------------------------------------------------------------
install -d -m 0755 "$prefix/share/ml-connector"
"$here/build-plugin-zip.sh" "$prefix/share/ml-connector/ml-connector.zip" | sed 's/^/         /'

# --- start ------------------------------------------------------------------------------------
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --quiet ml-connector-agent
  if [ "$start" = yes ]; then
    systemctl restart ml-connector-agent
    # PHP-FPM reads the new ini only when it restarts.
    systemctl try-reload-or-restart 'php*-fpm.service' 2>/dev/null || true
    say "started  ml-connector-agent (systemctl status ml-connector-agent)"
  fi
else
  say "systemd is not running here: start the agent with $agent_bin --config $config run"
fi
echo
echo "Next: install $prefix/share/ml-connector/ml-connector.zip in WP admin → Plugins → Add New → Upload,"
doctor="$agent_bin doctor --web-group $web_group --agent-user $agent_user"
[ "$php" = php ] || doctor+=" --php $php"
case "$fpm_ini_dir" in ""|"(none)"|/etc/php/8.2/fpm/conf.d) ;; *) doctor+=" --fpm-ini-dir $fpm_ini_dir" ;; esac
echo "then check everything with: $doctor"
