#!/usr/bin/env bash
# Make deploy/secrets/ for docker-compose.yml: random tokens, the database password
# and the matching DATABASE_URL, empty files for mail and SMS (fill them in), and a
# self-signed certificate as a placeholder until the real one is put in tls/.
# Never overwrites a file that exists. Usage: deploy/make_secrets.sh [folder]
set -euo pipefail
dir=${1:-"$(dirname "$0")/secrets"}
mkdir -p "$dir/tls"
chmod 700 "$dir"
umask 077
token() { python3 -c 'import secrets; print(secrets.token_urlsafe(32), end="")'; }
make() { [ -e "$dir/$1" ] || printf '%s' "$2" > "$dir/$1"; }
for name in rasa_token action_token console_secret_key metrics_token; do
  make "$name" "$(token)"
done
make postgres_password "$(token)"
make database_url "postgresql://meldkamer:$(cat "$dir/postgres_password")@postgres:5432/meldkamer"
make smtp_password ""
make sms_gateway_token ""
make sms_inbound_secret ""
make mail_in_imap_password ""
if [ ! -e "$dir/tls/fullchain.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=${MELDKAMER_HOSTNAME:-localhost}" \
    -keyout "$dir/tls/privkey.pem" -out "$dir/tls/fullchain.pem" 2>/dev/null
fi
# The image runs as uid 10001 and reads its secrets as bind-mounted files.
if [ "$(id -u)" = "0" ]; then
  find "$dir" -maxdepth 1 -type f ! -name postgres_password -exec chown 10001:10001 {} +
else
  echo "as root: chown 10001:10001 $dir/* (except postgres_password), the image's user" >&2
fi
echo "secrets in $dir (replace tls/ with the real certificate)"
