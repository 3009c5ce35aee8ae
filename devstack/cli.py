"""The ``meldkamer`` command line as an operator runs it (for tests that act as one)."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

from devstack.stack import BIN, ROOT


def run_meldkamer(*args: str, env: Mapping[str, str], stdin: str | None = None) -> str:
    """``meldkamer ARGS`` from the repository's root with ``env``; its output.

    Fails with what the command wrote on stderr unless it exits 0. ``stdin`` is typed
    in (a password for ``--password-stdin``).
    """
    done = subprocess.run(
        [str(BIN / "meldkamer"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
