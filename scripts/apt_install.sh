#!/usr/bin/env bash
# Installs Debian packages for the tests, one install at a time: `make test` runs the unit
# suite (Dovecot, nginx ...) beside the Chromium install, and two apt-gets at once fail on
# apt's lock ("Could not get lock /var/lib/apt/lists/lock"). flock queues ours; the lock
# timeout waits for an apt-get that is not ours.
# Usage: scripts/apt_install.sh [--no-install-recommends] PACKAGE...
set -euo pipefail
options=(-o DPkg::Lock::Timeout=600)
if [ "${1:-}" = "--no-install-recommends" ]; then
  options+=("$1")
  shift
fi
[ "$#" -gt 0 ] || { echo "usage: scripts/apt_install.sh [--no-install-recommends] PACKAGE..." >&2; exit 2; }
installed() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || return 1
  done
}
exec 9>/var/lock/meldkamer-apt.lock
flock -w 1200 9
# Another test may have installed them while this one waited.
installed "$@" && exit 0
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get "${options[@]}" install -y -qq "$@" >/dev/null
