"""Free loopback ports for the servers the stack and the tests start.

A port is taken from below the kernel's ephemeral range (``ip_local_port_range``, on
Linux 32768-60999 by default), where outgoing connections get their local ports. The
usual ``bind(("127.0.0.1", 0))`` hands out a port from that very range: a server that
binds it only after seconds of start-up (Rasa loads its model first) then found it taken
by some connection meanwhile ("address already in use"), the more so while the unit and
end-to-end suites run side by side with thousands of connections.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

#: Where the ports come from: above the ports of well-known and registered services that
#: run on developers' machines, below the ephemeral range.
LOWEST = 20000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
#: Ports this process handed out: never twice (a stack that restarts keeps its own).
_GIVEN: set[int] = set()


def _highest() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0]) - 1
    except (OSError, ValueError, IndexError):
        return 32767


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback TCP port that is free now and not one the kernel hands to connections."""
    highest = _highest()
    if highest <= LOWEST:  # an unusual range: ask the kernel as before
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])
    # At random: the test processes share no state, so they must rarely pick the same.
    for _ in range(1000):
        port = random.randint(LOWEST, highest)
        if port not in _GIVEN and _bindable(port):
            _GIVEN.add(port)
            return port
    raise RuntimeError(f"no free loopback port between {LOWEST} and {highest}")
