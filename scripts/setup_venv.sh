#!/usr/bin/env bash
# Create the virtualenv with Python 3.10 and install the pinned dependencies.
set -euo pipefail
venv=${1:-.venv}
python=$(scripts/find_python.sh)
if [ -x "$venv/bin/python" ] && ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  echo "$venv was made with another Python; making it again with $python"
  rm -rf "$venv"
fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade "pip<25" wheel
# One environment, every version pinned: Rasa's own pins (SQLAlchemy 1.4, aiohttp 3.9,
# sanic 21.12, pydantic 1.10, ...) and ours live together in constraints.txt.
"$venv/bin/pip" install --quiet -c constraints.txt -r requirements.txt -r requirements-dev.txt
"$venv/bin/pip" install --quiet --no-deps -e .
echo "virtualenv ready: $venv ($("$venv/bin/python" --version))"
