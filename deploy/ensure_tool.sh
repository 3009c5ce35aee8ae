#!/usr/bin/env bash
# The deployment tests drive Debian's nginx, promtool and docker-compose; installs the package that
# brings a missing tool when this runs as root, otherwise says what to install.
# The e-mail intake tests drive Debian's Dovecot as a real IMAP server.
# Usage: deploy/ensure_tool.sh nginx|promtool|docker-compose|dovecot
set -euo pipefail
tool=${1:?usage: deploy/ensure_tool.sh nginx|promtool|docker-compose|dovecot}
case "$tool" in
  nginx) package=nginx-light; path=/usr/sbin/nginx ;;
  promtool) package=prometheus; path=/usr/bin/promtool ;;
  # Validates the Compose file without a Docker engine (`docker-compose config`).
  docker-compose) package=docker-compose; path=/usr/bin/docker-compose ;;
  dovecot) package=dovecot-imapd; path=/usr/sbin/dovecot ;;
  *) echo "unknown tool: $tool (nginx, promtool, docker-compose or dovecot)" >&2; exit 2 ;;
esac
if [ -x "$path" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's $package for the deployment tests ..."
  # The package's own service is not wanted: the tests start their own on loopback.
  exec "$(dirname "$0")/../scripts/apt_install.sh" --no-install-recommends "$package"
fi
echo "The deployment tests need $path: sudo apt-get install $package" >&2
exit 1
