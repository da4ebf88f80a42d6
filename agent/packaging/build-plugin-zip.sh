#!/usr/bin/env bash
# Builds the installable WordPress plugin archive: wp-plugin/ as `ml-connector/` (the folder name
# WordPress expects for ml-connector/ml-connector.php), without what wp-plugin/.distignore lists
# (the tests and their WordPress shim). Usable from WP admin → Plugins → Upload.
#
#   agent/packaging/build-plugin-zip.sh [OUT.zip]     (default: target/packaging/ml-connector.zip)
#
# The archive is reproducible: files in sorted order, every timestamp set to SOURCE_DATE_EPOCH
# (default: the last commit's time), no extra attributes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
src="$root/wp-plugin"
out=${1:-"$root/target/packaging/ml-connector.zip"}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 315532800)}

# .distignore: one pattern a line, `#` comments; a leading `/` anchors it at the plugin root,
# otherwise it matches a file or folder name at any depth. A folder excludes everything under it.
patterns=()
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%%#*}
  line=${line%"${line##*[![:space:]]}"}
  [ -n "$line" ] && patterns+=("${line%/}")
done < "$src/.distignore"

ignored() {
  local path=$1 pattern part
  for pattern in "${patterns[@]}"; do
    if [[ $pattern == /* ]]; then
      # shellcheck disable=SC2053 # the pattern is a glob on purpose
      [[ $path == ${pattern#/} || $path == ${pattern#/}/* ]] && return 0
    else
      local IFS=/
      for part in $path; do
        # shellcheck disable=SC2053
        [[ $part == $pattern ]] && return 0
      done
    fi
  done
  return 1
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/ml-connector"
count=0
while IFS= read -r -d '' file; do
  rel=${file#"$src"/}
  ignored "$rel" && continue
  mkdir -p "$stage/ml-connector/$(dirname "$rel")"
  cp -p "$file" "$stage/ml-connector/$rel"
  count=$((count + 1))
done < <(find "$src" -type f -print0 | sort -z)
[ -f "$stage/ml-connector/ml-connector.php" ] || { echo "build-plugin-zip: ml-connector.php missing from the archive" >&2; exit 1; }

find "$stage/ml-connector" -exec touch -h -d "@$epoch" {} +
mkdir -p "$(dirname "$out")"
rm -f "$out"
(cd "$stage" && find ml-connector -print | LC_ALL=C sort | TZ=UTC zip -q -X -@ "$out")
echo "plugin archive $out ($count files)"
