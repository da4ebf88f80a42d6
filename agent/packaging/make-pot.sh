#!/usr/bin/env bash
# Regenerates wp-plugin/languages/ml-connector.pot from the plugin's PHP (gettext's xgettext with
# WordPress's translation functions as keywords; `wp i18n make-pot` gives the same strings).
set -euo pipefail
cd "$(dirname "$0")/../../wp-plugin"
body=$(mktemp)
trap 'rm -f "$body"' EXIT
find . -name '*.php' -not -path './tests/*' | sort | xgettext --language=PHP --from-code=UTF-8 \
  --add-comments=translators: --sort-by-file --no-wrap \
  --keyword=__ --keyword=_e --keyword=esc_html__ --keyword=esc_html_e --keyword=esc_attr__ --keyword=esc_attr_e \
  --keyword=_n:1,2 --keyword=_x:1,2c --keyword=esc_html_x:1,2c --keyword=_nx:1,2,4c \
  -f - -o "$body"
{
  cat <<'HEADER'
# Copyright (C) 2026 ml-connector
# This file is distributed under the GPL-2.0-or-later.
# Regenerate with: agent/packaging/make-pot.sh
msgid ""
msgstr ""
"Project-Id-Version: ML Connector 0.1.0\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"X-Domain: ml-connector\n"

HEADER
  # xgettext's own header (it needs one to read UTF-8) up to its first blank line, replaced by ours.
  sed '1,/^$/d' "$body"
} > languages/ml-connector.pot
echo "languages/ml-connector.pot: $(grep -c '^msgid "[^"]' languages/ml-connector.pot) strings"
