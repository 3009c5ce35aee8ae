#!/usr/bin/env bash
# Start the action server and the Rasa server; stop both with Ctrl-C.
set -euo pipefail
BIN=.venv/bin
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
"$BIN/meldkamer" db upgrade
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$BIN/rasa" run actions --port 5055 --actions actions &
pids+=($!)
"$BIN/rasa" run --enable-api --port 5005 --model models/meldkamer.tar.gz \
  --endpoints endpoints.yml --credentials credentials.yml &
pids+=($!)

for _ in $(seq 1 120); do
  curl -sf http://127.0.0.1:5005/status >/dev/null 2>&1 && break
  sleep 1
done
cat <<MSG

Meldkamer is running.
  Talk to it (REST):  curl -s localhost:5005/webhooks/rest/webhook -d '{"sender": "ik", "message": "mijn cv doet het niet"}'
  In the terminal:    .venv/bin/rasa shell   (in another terminal, while this runs)
  Tickets:            .venv/bin/meldkamer tickets list
Stop with Ctrl-C.
MSG
wait -n
