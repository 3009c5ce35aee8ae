#!/usr/bin/env bash
# Create the virtualenv with Python 3.10 and install the pinned dependencies.
set -euo pipefail
venv=${1:-.venv}
# uv installs the same pinned set as pip would, in parallel: about 45 s with the bytecode
# instead of pip's 114 s on a 2-core machine, which every fresh clone (and CI run) pays.
uv_version=0.13.9
python=$(scripts/find_python.sh)
if [ -x "$venv/bin/python" ] && ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  echo "$venv was made with another Python; making it again with $python"
  rm -rf "$venv"
fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade "pip<25" wheel "uv==$uv_version"
# uv does not read pip's configuration: the package indexes pip is set up with (a local
# mirror, say) are passed on, those that exist; uv tries them before PyPI.
indexes=()
for index in $("$venv/bin/pip" config get global.extra-index-url 2>/dev/null || true); do
  case $index in
    file://*) [ -d "${index#file://}" ] || continue ;;
  esac
  indexes+=(--extra-index-url "$index")
done
# uv hard-links the files from its cache (7 s; copying them took 30 s, and one CI run's
# set-up took 155 s); where the cache is on another file system it copies them.
# Like pip, the best match of all indexes wins, not the first index that has the package;
# and like pip, the packages are compiled to bytecode now: uv does not by default, and
# where PYTHONDONTWRITEBYTECODE is set (this machine) every process would compile Rasa
# and TensorFlow again (18 s instead of 6 s for `import rasa.core.agent`).
uv=("$venv/bin/uv" pip install --quiet --python "$venv/bin/python" --index-strategy unsafe-best-match
  --compile-bytecode
  "${indexes[@]}")
# One environment, every version pinned: Rasa's own pins (SQLAlchemy 1.4, aiohttp 3.9,
# sanic 21.12, pydantic 1.10, ...) and ours live together in constraints.txt.
"${uv[@]}" -c constraints.txt -r requirements.txt -r requirements-dev.txt
"${uv[@]}" --no-deps -e .
echo "virtualenv ready: $venv ($("$venv/bin/python" --version))"
