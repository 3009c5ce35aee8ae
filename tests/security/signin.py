"""Signing in to a real console over HTTP as a fresh browser would (shared by the tests)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import aiohttp
from yarl import URL


@dataclass(frozen=True)
class Answer:
    """What the browser got for its sign-in, and where /login?next=... then sent it."""

    status: int
    location: str | None
    retry_after: str | None
    location_after: str | None = None


async def sign_in(
    url: str, username: str, password: str, next_: str = "/", forwarded_for: str | None = None
) -> Answer:
    """One sign-in in a fresh browser (the POST's answer, not followed)."""
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1, as a browser keeps them
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        async with client.get(f"{url}/login") as form:
            token = re.search(r'name="login_token" value="([^"]+)"', await form.text()).group(1)
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        data = {"login_token": token, "username": username, "password": password, "next": next_}
        async with client.post(
            f"{url}/login", data=data, headers=headers, allow_redirects=False
        ) as reply:
            answer = Answer(
                reply.status, reply.headers.get("Location"), reply.headers.get("Retry-After")
            )
        if answer.status != 303:
            return answer
        # Signed in: an attacker's link to /login?next=... must not send her away either.
        async with client.get(
            URL(f"{url}/login?next=/%09/evil.example", encoded=True), allow_redirects=False
        ) as again:
            return replace(answer, location_after=again.headers.get("Location"))
