"""Fixtures of the fault tests: a PostgreSQL database reached through a proxy that fails."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import make_url

from tests.faults.proxy import TcpProxy


@dataclass
class ProxiedDatabase:
    """A fresh, migrated PostgreSQL database: ``url`` goes through ``proxy``, ``direct`` does not."""

    url: str
    direct: str
    proxy: TcpProxy


@pytest.fixture
def proxied_pg() -> Iterator[ProxiedDatabase]:
    from tests.databases import migrated_pg

    direct, drop = migrated_pg()
    parsed = make_url(direct)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432).up()
    url = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        yield ProxiedDatabase(url=url, direct=direct, proxy=proxy)
    finally:
        proxy.close()
        drop()
