"""Who is on the other end: the client's address, for throttling and the log.

``X-Forwarded-For`` is only believed when the connection comes from a proxy named in
``CONSOLE_TRUSTED_PROXIES`` (addresses or networks, comma-separated); anyone else can
write anything in that header, and rotating it must not rotate the throttle's key.
The chain is read from the right: the first address that is not one of our proxies is
the client's.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    """The reverse proxies in front of the console (none by default)."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """From ``"10.0.0.1, 192.168.0.0/24"``.

        Raises:
            ValueError: an entry is no address or network (in Dutch, with the entry).
        """
        networks: list[Network] = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(
                    f"CONSOLE_TRUSTED_PROXIES: {part!r} is geen IP-adres of netwerk"
                ) from None
        return cls(tuple(networks))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TrustedProxies:
        """``CONSOLE_TRUSTED_PROXIES`` (empty: no proxy is trusted)."""
        env = os.environ if env is None else env
        return cls.parse(env.get("CONSOLE_TRUSTED_PROXIES", ""))

    def trusts(self, address: str) -> bool:
        """Whether ``address`` is one of our proxies."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def client(self, peer: str, forwarded_for: Sequence[str]) -> str:
        """The client's address, given the connection's peer and the forwarded chain."""
        if not self.trusts(peer):
            return peer
        hops = [h.strip() for header in forwarded_for for h in header.split(",")]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return _valid(hop) or peer
        return peer


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


TRUSTED_PROXIES: web.AppKey[TrustedProxies] = web.AppKey("trusted_proxies")


def client_ip(request: web.Request) -> str:
    """The address of the client behind ``request`` (see the module's docstring)."""
    proxies = request.app.get(TRUSTED_PROXIES, TrustedProxies())
    peer = request.remote or "onbekend"
    return proxies.client(peer, request.headers.getall("X-Forwarded-For", []))
