#!/usr/bin/env bash
# `make run`: the whole assistant on one machine; stop everything with Ctrl-C.
#   Rasa server 5005 (REST + web chat; its HTTP API needs a token), action server 5055
#   (answers only Rasa), console 8080 (work order links), worker (e-mail/SMS outbox,
#   escalation), and local mail/SMS sinks 8025/8026 unless SMTP_HOST / SMS_GATEWAY_URL
#   point at real ones. Everything listens on 127.0.0.1 unless MELDKAMER_PUBLIC_HOST
#   opens Rasa (webhooks, widget) and the console on another interface (docs/SECURITY.md).
# Ports and the var folder come from the environment (defaults as above, var/):
#   MELDKAMER_RASA_PORT MELDKAMER_ACTION_PORT MELDKAMER_CONSOLE_PORT
#   MELDKAMER_SMTP_SINK_PORT MELDKAMER_SMS_SINK_PORT MELDKAMER_VAR_DIR
set -euo pipefail
BIN=.venv/bin
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
VAR="${MELDKAMER_VAR_DIR:-var}"
RASA_PORT="${MELDKAMER_RASA_PORT:-5005}"
ACTION_PORT="${MELDKAMER_ACTION_PORT:-5055}"
CONSOLE_PORT="${MELDKAMER_CONSOLE_PORT:-8080}"
SMTP_SINK_PORT="${MELDKAMER_SMTP_SINK_PORT:-8025}"
SMS_SINK_PORT="${MELDKAMER_SMS_SINK_PORT:-8026}"
export MELDKAMER_VAR_DIR="$VAR"
export MELDKAMER_UPLOAD_DIR="${MELDKAMER_UPLOAD_DIR:-$VAR/uploads}"
export MELDKAMER_PUBLIC_HOST="${MELDKAMER_PUBLIC_HOST:-127.0.0.1}"
export MELDKAMER_ACTION_HOST="${MELDKAMER_ACTION_HOST:-127.0.0.1}"
export MELDKAMER_PUBLIC_URL="${MELDKAMER_PUBLIC_URL:-http://localhost:$CONSOLE_PORT}"
mkdir -p "$VAR"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
# Each process runs under its own supervisor (devstack/supervise.py): one that dies is
# started again after a short backoff, with the restart in its log; one that keeps
# crashing makes its supervisor give up, which ends the run. Ctrl-C stops everything.
supervise() {
  local name="$1"
  shift
  : > "$VAR/$name.log"
  "$BIN/python" -m devstack.supervise --name "$name" --log "$VAR/$name.log" -- "$@" &
  pids+=($!)
}
# Ctrl-C or SIGTERM: exit, and on exit stop every supervisor (each stops its process).
trap cleanup EXIT
trap 'exit 130' INT TERM

# A secret made once into $VAR (mode 600) and printed; only used when the variable is unset.
secret_file() {
  local file="$VAR/$1"
  if [ ! -s "$file" ]; then
    (umask 077; "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$file")
  fi
  chmod 600 "$file"
  cat "$file"
}
# Rasa's HTTP API token (the console and every internal caller send it as ?token=), and
# the token Rasa sends the action server (endpoints.yml).
export MELDKAMER_RASA_TOKEN="${MELDKAMER_RASA_TOKEN:-$(secret_file rasa-api-token)}"
export MELDKAMER_ACTION_TOKEN="${MELDKAMER_ACTION_TOKEN:-$(secret_file action-token)}"
export MELDKAMER_ACTION_URL="${MELDKAMER_ACTION_URL:-http://127.0.0.1:$ACTION_PORT/webhook}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:$RASA_PORT}"

"$BIN/meldkamer" db upgrade
# The demo clients (a housing corporation and a VvE manager); a no-op when unchanged.
"$BIN/meldkamer" clients apply clients/*.yml --by "make run" --note "demo data"

# A first console account for the newcomer, with a random password shown once below.
if [ "$("$BIN/meldkamer" agents list --json)" = "[]" ]; then
  password=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(12))')
  printf '%s\n' "$password" | "$BIN/meldkamer" agents add demo --name "Demo supervisor" \
    --role supervisor --password-stdin >/dev/null
  (umask 077; printf 'console: demo / %s\n' "$password" > "$VAR/demo-login.txt")
fi

if [ -z "${SMTP_HOST:-}" ] && [ -z "${SMS_GATEWAY_URL:-}" ]; then
  supervise dev-sinks "$BIN/python" scripts/dev_sinks.py --smtp-port "$SMTP_SINK_PORT" \
    --sms-port "$SMS_SINK_PORT" --log "$VAR/dev-outbox.log"
  export SMTP_HOST=127.0.0.1 SMTP_PORT="$SMTP_SINK_PORT" SMTP_SECURITY=none MAIL_FROM="Meldkamer <meldkamer@localhost>"
  export SMS_GATEWAY_URL="http://127.0.0.1:$SMS_SINK_PORT/sms" SMS_GATEWAY_TOKEN=dev
fi
# E-mail intake: the e-mail channel's local SMTP listener, so a newcomer can mail a melding
# to storing@de-linde.example.nl on 127.0.0.1:2525 (docs/CHANNELS.md, E-mail).
export MAIL_IN_SMTP_LISTEN="${MAIL_IN_SMTP_LISTEN:-127.0.0.1:2525}"

supervise actions "$BIN/python" -m rasa_addons.action_server --port "$ACTION_PORT" --actions actions
supervise worker "$BIN/meldkamer" worker
supervise console "$BIN/python" -m console.app --host "$MELDKAMER_PUBLIC_HOST" --port "$CONSOLE_PORT"
supervise rasa "$BIN/python" -m rasa_addons.rasa_server --port "$RASA_PORT" \
  --model models/meldkamer.tar.gz --endpoints endpoints.yml --credentials credentials.yml

# /version needs no token and answers once the model is loaded.
probe="$MELDKAMER_PUBLIC_HOST"
case "$probe" in 0.0.0.0 | "::" | "") probe=127.0.0.1 ;; esac
echo "Starting (logs in $VAR/*.log) ..."
for _ in $(seq 1 180); do
  curl -sf "http://$probe:$RASA_PORT/version" >/dev/null 2>&1 && break
  sleep 1
done
cat <<MSG

Meldkamer is running.
  Web chat on a demo corporation's page:  http://localhost:$RASA_PORT/webhooks/webchat/demo
  Talk over REST:   curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender": "ik", "message": "mijn cv doet het niet"}'
  Tickets:          .venv/bin/meldkamer tickets list
  Sent e-mail/SMS:  $VAR/dev-outbox.log     (work orders, with acknowledgement links to :$CONSOLE_PORT)
  Mail a melding:   SMTP $MAIL_IN_SMTP_LISTEN to storing@de-linde.example.nl  (answers in $VAR/dev-outbox.log)
  In the terminal:  scripts/shell.sh   (rasa shell, in another terminal)
  Agent console:    http://localhost:$CONSOLE_PORT  (sign in: $VAR/demo-login.txt; more: meldkamer agents add)
  Rasa's HTTP API:  ?token=\$(cat $VAR/rasa-api-token)   (only on this machine unless MELDKAMER_PUBLIC_HOST is set)
Demo addresses: 1234 AB 1-45 and 1234 AC (Lindehof), 1234 AD 2-60 (Molenwijk), 1235 CD (Kerkplein).
Stop with Ctrl-C.
MSG
# A process that dies is restarted by its supervisor; only a supervisor that gave up
# (the process kept crashing) ends the run, and the trap stops the others.
set +e
wait -n
echo "A process kept crashing and was not restarted (see above and $VAR/*.log); stopping." >&2
exit 1
