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


def login_token_of(page: str) -> str:
    """The one-time token a login form carries."""
    return re.search(r'name="login_token" value="([^"]+)"', page).group(1)


async def open_login(client: TestClient, url: str = "/login") -> tuple[str, str]:
    """The login page at ``url``: its text, and its form's one-time token."""
    page = await (await client.get(url)).text()
    return page, login_token_of(page)


async def submit_login(client: TestClient, path: str, token: str, **fields: str) -> Any:
    """Post a login form to ``path`` with its ``token`` and ``fields``; the answer, not followed."""
    return await client.post(path, data={"login_token": token, **fields}, allow_redirects=False)


async def post_login(client: TestClient, form: str = "/login", **fields: str) -> Any:
    """Open the login form at ``form`` and post ``fields`` with its token, not following."""
    _, token = await open_login(client, form)
    return await submit_login(client, form, token, **fields)


async def form_login(
    client: TestClient, form: str, username: str, password: str, lands: str
) -> str:
    """Sign in through the login form at ``form`` like a browser; the text of ``lands``."""
    response = await post_login(client, form, username=username, password=password, next=lands)
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
