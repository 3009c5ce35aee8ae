"""Accounts and signing in, shared by the console's and the portal's HTTP tests (and the fuzzer).

The console's agents and the portal's users have their own tables and login forms, but are
seeded and signed in the same way: a row with a hashed password, then the form like a browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from aiohttp.test_utils import TestClient

from meldkamer.agents.accounts import hash_password


@cache
def hashed(password: str) -> str:
    # scrypt costs ~0.15 s by design; hash each test password once per run.
    return hash_password(password)


def add_accounts(
    session: Any,
    model: type[Any],
    passwords: Mapping[str, str],
    accounts: Iterable[Mapping[str, Any]],
    now: datetime,
) -> None:
    """Add an active ``model`` row (agent or portal user) per account, with its password."""
    for fields in accounts:
        session.add(
            model(
                **fields,
                active=True,
                password_hash=hashed(passwords[fields["username"]]),
                created_at=now,
            )
        )


async def form_login(
    client: TestClient, form: str, username: str, password: str, lands: str
) -> str:
    """Sign in through the login form at ``form`` like a browser; the text of ``lands``."""
    page = await client.get(form)
    token = re.search(r'name="login_token" value="([^"]+)"', await page.text()).group(1)
    response = await client.post(
        form,
        data={"login_token": token, "username": username, "password": password, "next": lands},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    landed = await client.get(lands)
    return await landed.text()


def csrf_of(page: str) -> str:
    """The CSRF token a console page carries in its head."""
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


@dataclass
class SignedIn:
    """A signed-in browser: the client and the session's CSRF token, sent with every form."""

    client: TestClient
    csrf: str

    async def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any):
        return await self.client.post(
            path, data={"csrf_token": self.csrf, **(data or {})}, allow_redirects=False, **kwargs
        )

    async def get(self, path: str, **kwargs: Any):
        return await self.client.get(path, **kwargs)
