#!/usr/bin/env bash
# Installs the system programs the test suite uses (run by `make test`).
# As root (CI), Debian packages come through apt-get; elsewhere this only
# says what is missing, and the tests that need it say so and are skipped.
set -euo pipefail
# command:debian-package pairs
need=(
  "soffice:libreoffice-calc"   # the synced workbook must open in LibreOffice (PDF conversion check)
  "pdftotext:poppler-utils"    # to read that PDF back
  "openssl:openssl"            # a throwaway certificate for the IMAP ssl/starttls tests
  "chromium:chromium"          # every HTML draft looked at in a real browser (tests/test_render_html.py)
)
for spec in "$@"; do need+=("$spec"); done
missing=()
for spec in "${need[@]}"; do
  cmd="${spec%%:*}"; pkg="${spec##*:}"
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
# The IMAP draft tests run a throwaway Dovecot (tests/services/dovecot.py);
# dovecot-imapd puts no command on PATH, so look for its imap binary.  Its
# OAuth 2.0 password database (XOAUTH2/OAUTHBEARER checked by token
# introspection) is built into dovecot-core, which dovecot-imapd pulls in.
[ -x /usr/lib/dovecot/imap ] || missing+=("dovecot-imapd")
# Thai drafts must be drawn in a Thai font, not as boxes (test_render_html.py
# checks the shaping); the TLWG fonts are Debian's Thai set.  fontconfig's
# fc-list comes with Chromium's dependencies.
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=th family 2>/dev/null)" ]; then
  missing+=("fonts-thai-tlwg")
fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing test services: ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "note: tests that need ${missing[*]} will be skipped; install with: sudo apt-get install ${missing[*]}" >&2
fi
