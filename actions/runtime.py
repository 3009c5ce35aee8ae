"""What the actions need at run time, built on first use rather than at import.

The action server builds it through the composition root (:mod:`meldkamer.composition`)
the first time an action needs it; tests install their own with :func:`use_runtime`.
"""

from __future__ import annotations

from meldkamer.composition import collaborators, open_database
from meldkamer.service.context import Collaborators
from meldkamer.triage.officehours import dutch_holidays

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


def warm_up() -> None:
    """Build the runtime, read the clients and this year's holidays before the first tenant.

    Otherwise the first message after a start pays for them: the schema check, the
    client files and the holiday tables took about half a second on the test machine.
    Raises what building them raises (the database away: the first message tries again).
    """
    current = runtime()
    current.registry()
    year = current.clock().year
    for ahead in (0, 1):  # a night in late December asks for next year's days too
        dutch_holidays(year + ahead)
