#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter, or explains what is missing.
# Rasa 3.6 refuses Python 3.11 and newer, so a newer default python3 is never used.
set -u
works() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }

if command -v python3.10 >/dev/null 2>&1 && works python3.10; then
  command -v python3.10
  exit 0
fi
# pyenv's shim is on PATH but refuses when 3.10 is not the selected version: ask pyenv directly.
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for candidate in $(ls -d "$root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do
  if works "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done
cat >&2 <<MSG
Python 3.10 not found.
Rasa Open Source 3.6 runs on Python 3.8-3.10 only; this machine's default python3 is
$(python3 --version 2>&1). Install 3.10 and run make again, for example:
    pyenv install 3.10.13        (then make finds it under $root/versions)
or  apt-get install python3.10 python3.10-venv
MSG
exit 1
