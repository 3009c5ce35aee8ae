#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright's own download cannot work here).
# Installs it when missing and this runs as root; otherwise says what to install.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests ..."
  exec "$(dirname "$0")/apt_install.sh" chromium chromium-driver
fi
echo "The browser tests need Chromium at /usr/bin/chromium: sudo apt-get install chromium chromium-driver" >&2
exit 1
