"""What the actions need at run time, built on first use rather than at import.

The action server builds it through the composition root (:mod:`meldkamer.composition`)
the first time an action needs it; tests install their own with :func:`use_runtime`.
"""

from __future__ import annotations

from meldkamer.composition import collaborators, open_database
from meldkamer.service.context import Collaborators

#: The actions' runtime is the use cases' collaborators (tests build one directly).
Runtime = Collaborators

_current: Collaborators | None = None


def runtime() -> Collaborators:
    """The runtime of this process; the default one is built on first call."""
    global _current
    if _current is None:
        _current = collaborators(open_database().sessions)
    return _current


def use_runtime(replacement: Collaborators | None) -> None:
    """Install a runtime (tests), or ``None`` to build the default again."""
    global _current
    _current = replacement
