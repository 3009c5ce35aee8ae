"""Start Rasa the way ``make run`` does and see it refuse: the checks before Rasa loads.

The refusals under test happen in :mod:`rasa_addons.rasa_server` before Rasa reads the
model, so the process exits within seconds; its exit code and stderr are what an
operator sees.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence

from devstack.stack import ROOT


def start_rasa_server(
    args: Sequence[str], env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m rasa_addons.rasa_server args`` in ``env`` until it exits."""
    return subprocess.run(
        [sys.executable, "-m", "rasa_addons.rasa_server", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
