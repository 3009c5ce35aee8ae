#!/usr/bin/env bash
# `make run`: the whole assistant on one machine; stop everything with Ctrl-C.
#   Rasa server 5005 (REST + web chat), action server 5055, console 8080 (work order
#   links), worker (e-mail/SMS outbox, escalation), and local mail/SMS sinks 8025/8026
#   unless SMTP_HOST / SMS_GATEWAY_URL point at real ones.
set -euo pipefail
BIN=.venv/bin
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export MELDKAMER_PUBLIC_URL="${MELDKAMER_PUBLIC_URL:-http://localhost:8080}"
mkdir -p var
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$BIN/meldkamer" db upgrade
# The demo clients (a housing corporation and a VvE manager); a no-op when unchanged.
"$BIN/meldkamer" clients apply clients/*.yml --by "make run" --note "demo data"

# A first console account for the newcomer, with a random password shown once below.
if [ "$("$BIN/meldkamer" agents list --json)" = "[]" ]; then
  password=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(12))')
  printf '%s\n' "$password" | "$BIN/meldkamer" agents add demo --name "Demo supervisor" \
    --role supervisor --password-stdin >/dev/null
  printf 'console: demo / %s\n' "$password" > var/demo-login.txt
  chmod 600 var/demo-login.txt
fi

if [ -z "${SMTP_HOST:-}" ] && [ -z "${SMS_GATEWAY_URL:-}" ]; then
  "$BIN/python" scripts/dev_sinks.py > var/dev-sinks.log 2>&1 &
  pids+=($!)
  export SMTP_HOST=127.0.0.1 SMTP_PORT=8025 SMTP_SECURITY=none MAIL_FROM="Meldkamer <meldkamer@localhost>"
  export SMS_GATEWAY_URL=http://127.0.0.1:8026/sms SMS_GATEWAY_TOKEN=dev
fi

"$BIN/rasa" run actions --port 5055 --actions actions > var/actions.log 2>&1 &
pids+=($!)
"$BIN/meldkamer" worker > var/worker.log 2>&1 &
pids+=($!)
"$BIN/python" -m console.app --port 8080 > var/console.log 2>&1 &
pids+=($!)
"$BIN/rasa" run --enable-api --port 5005 --model models/meldkamer.tar.gz \
  --endpoints endpoints.yml --credentials credentials.yml > var/rasa.log 2>&1 &
pids+=($!)

echo "Starting (logs in var/*.log) ..."
for _ in $(seq 1 180); do
  curl -sf http://127.0.0.1:5005/status >/dev/null 2>&1 && break
  sleep 1
done
cat <<MSG

Meldkamer is running.
  Web chat on a demo corporation's page:  http://localhost:5005/webhooks/webchat/demo
  Talk over REST:   curl -s localhost:5005/webhooks/rest/webhook -d '{"sender": "ik", "message": "mijn cv doet het niet"}'
  In the terminal:  .venv/bin/rasa shell   (in another terminal)
  Tickets:          .venv/bin/meldkamer tickets list
  Sent e-mail/SMS:  var/dev-outbox.log     (work orders, with acknowledgement links to :8080)
  Agent console:    http://localhost:8080  (sign in: var/demo-login.txt; more: meldkamer agents add)
Demo addresses: 1234 AB 1-45 and 1234 AC (Lindehof), 1234 AD 2-60 (Molenwijk), 1235 CD (Kerkplein).
Stop with Ctrl-C.
MSG
wait -n
