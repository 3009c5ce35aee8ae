"""Who may scrape a ``/metrics`` route: loopback always, others with the bearer token.

One rule for every process that serves metrics (the console's business metrics, the
Rasa server's and the action server's conversation metrics). Without
``MELDKAMER_METRICS_TOKEN`` only loopback may read. A request that came through a proxy
(it carries a forwarding header) never counts as loopback: nginx runs on the same host,
so its connections come from 127.0.0.1 whoever sent them.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

TOKEN_ENV = "MELDKAMER_METRICS_TOKEN"
#: Headers a proxy adds; their presence means the peer address is not the client's.
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")
#: The answer to a scrape that may not read (Dutch, no figures).
REFUSED = "Geen toegang: /metrics alleen vanaf deze machine of met het token.\n"


@dataclass(frozen=True)
class MetricsAccess:
    """Who may scrape: loopback always, others with the bearer token (if one is set)."""

    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MetricsAccess:
        env = os.environ if env is None else env
        return cls(env.get(TOKEN_ENV, "").strip() or None)

    def allows(self, peer: str | None, headers: Mapping[str, str]) -> bool:
        """Whether a request from ``peer`` with ``headers`` may read the metrics."""
        if is_loopback(peer) and not any(name in headers for name in FORWARDING_HEADERS):
            return True
        if self.token is None:
            return False
        scheme, _, presented = headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), self.token.encode()
        )


def is_loopback(peer: str | None) -> bool:
    """Whether the connection's peer address is a loopback address."""
    try:
        return peer is not None and ipaddress.ip_address(peer).is_loopback
    except ValueError:  # a Unix socket, or no address at all
        return False
