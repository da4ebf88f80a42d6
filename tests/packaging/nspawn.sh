# Boots a throw-away systemd container of this host and runs one test script in it (sourced by
# run.sh). Recipe: /work/shared/reference/platform-recipes.md §5. The root is a tmpfs (a fresh
# /etc and /var), /usr is the host's with a temporary writable overlay (so dpkg and install.sh can
# install into it without touching the host), no network. The script's results land in $out.
#
#   boot_container SCRIPT OUT [systemd-nspawn options...]
boot_container() {
  local script=$1 out=$2; shift 2
  local sd
  sd=$(mktemp -d)
  rm -rf "$out"; mkdir -p "$out"
  cp "$script" "$sd/ci-test.sh"
  cp "$(dirname "${BASH_SOURCE[0]}")/container/common.sh" "$sd/common.sh"
  chmod 755 "$sd/ci-test.sh"
  printf '[Unit]\nRequires=basic.target ci-test.service\nAfter=basic.target\n' > "$sd/ci.target"
  # Type=exec, not oneshot: a oneshot would block the boot transaction and `systemctl start`.
  printf '[Service]\nType=exec\nExecStart=/opt/sd/ci-test.sh\nExecStopPost=/bin/systemctl --no-block poweroff\n' > "$sd/ci-test.service"
  # --register=no --keep-unit: no systemd or D-Bus on this host; wait-online masked: the private
  # network never comes up.
  timeout -k 10 180 systemd-nspawn -D / --volatile=yes --register=no --keep-unit --private-network --console=pipe \
    --overlay=/usr::/usr \
    --bind-ro="$sd":/opt/sd --bind="$out":/opt/out \
    --bind-ro="$sd/ci-test.service":/etc/systemd/system/ci-test.service \
    --bind-ro="$sd/ci.target":/etc/systemd/system/ci.target \
    "$@" \
    -b -- systemd.unit=ci.target systemd.mask=systemd-networkd-wait-online.service \
    > "$out/console.log" 2>&1 || true
  rm -rf "$sd"
  # nspawn leaves empty payload/ and supervisor/ cgroups behind; a later boot fails when only one
  # hierarchy has them, so remove them from both (rmdir refuses busy ones: a running container
  # elsewhere is left alone).
  local hierarchy
  for hierarchy in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd; do
    rmdir "$hierarchy/payload/init.scope" "$hierarchy/payload" "$hierarchy/supervisor" 2>/dev/null || true
  done
  if [ "$(cat "$out/result" 2>/dev/null)" != PASS ]; then
    echo "container test $(basename "$script") failed: $(cat "$out/result" 2>/dev/null || echo 'no result (see console.log)')"
    tail -40 "$out/log" 2>/dev/null || tail -40 "$out/console.log"
    [ -f "$out/journal.txt" ] && tail -30 "$out/journal.txt"
    return 1
  fi
}
