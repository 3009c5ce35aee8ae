#!/usr/bin/env bash
# `rasa shell` next to a running `make run`: talk to the assistant in the terminal.
# It uses the running action server (with the token make run generated into var/) and
# its own port (5006), so it does not clash with the Rasa server of make run on 5005.
set -euo pipefail
VAR="${MELDKAMER_VAR_DIR:-var}"
if [ ! -s "$VAR/action-token" ]; then
  echo "no $VAR/action-token: start the assistant first with 'make run'" >&2
  exit 1
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export MELDKAMER_ACTION_TOKEN="${MELDKAMER_ACTION_TOKEN:-$(cat "$VAR/action-token")}"
export MELDKAMER_ACTION_URL="${MELDKAMER_ACTION_URL:-http://127.0.0.1:${MELDKAMER_ACTION_PORT:-5055}/webhook}"
exec .venv/bin/rasa shell --model models/meldkamer.tar.gz --endpoints endpoints.yml \
  --port 5006 "$@"
