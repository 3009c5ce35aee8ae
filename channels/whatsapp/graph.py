"""The Cloud API (Meta's Graph API) over one aiohttp session: send messages, fetch media."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)

#: Graph's error for free text outside the 24-hour window ("re-engagement message").
OUTSIDE_WINDOW = 131047
_TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5)
_RETRY_PAUSE = 0.5


class GraphError(Exception):
    """Graph refused or failed a request; ``code`` is Graph's error code when it gave one."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"HTTP {status}, code {code}: {message}")
        self.status = status
        self.code = code


class MediaTooLarge(Exception):
    """The media file is larger than we accept."""


@dataclass(frozen=True)
class Media:
    """Where a tenant's media file can be downloaded, as Graph describes it."""

    url: str
    mime_type: str | None
    size: int | None


class GraphClient:
    """One HTTP session per channel, opened on first use and closed on server stop."""

    def __init__(self, api_url: str, access_token: str, phone_number_id: str) -> None:
        self.api_url = api_url.rstrip("/")
        self.phone_number_id = phone_number_id
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The channel's session; created inside the running loop, never at import."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=_TIMEOUT, headers=self._headers)
        return self._session

    async def send(self, body: dict[str, Any]) -> str | None:
        """POST a message; returns WhatsApp's message id. Raises :class:`GraphError`."""
        url = f"{self.api_url}/{quote(self.phone_number_id, safe='')}/messages"
        answer = await self._json("POST", url, json=body)
        messages = answer.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            message_id = messages[0].get("id")
            return str(message_id) if message_id else None
        return None

    async def media(self, media_id: str) -> Media:
        """The download address of a tenant's media file."""
        answer = await self._json("GET", f"{self.api_url}/{quote(media_id, safe='')}")
        url = answer.get("url")
        if not isinstance(url, str) or not url:
            raise GraphError(200, None, "media answer without url")
        size = answer.get("file_size")
        mime_type = answer.get("mime_type")
        return Media(
            url=url,
            mime_type=mime_type if isinstance(mime_type, str) else None,
            size=int(size) if isinstance(size, (int, str)) and str(size).isdigit() else None,
        )

    async def download(self, url: str, limit: int) -> bytes:
        """The file at ``url`` (it needs the bearer token too); :class:`MediaTooLarge` past ``limit``."""
        try:
            return await self._download(url, limit)
        except (aiohttp.ClientError, asyncio.TimeoutError) as broken:
            raise GraphError(0, None, f"{type(broken).__name__}: {broken}") from None

    async def _download(self, url: str, limit: int) -> bytes:
        async with self.session().get(url) as reply:
            if reply.status != 200:
                raise GraphError(reply.status, None, "media download failed")
            if reply.content_length is not None and reply.content_length > limit:
                raise MediaTooLarge(f"{reply.content_length} bytes")
            data = bytearray()
            async for chunk in reply.content.iter_chunked(64 * 1024):
                data += chunk
                if len(data) > limit:
                    raise MediaTooLarge(f"more than {limit} bytes")
            return bytes(data)

    async def _json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """One request, retried once when Graph could not be reached or had a server error."""
        for attempt in (1, 2):
            try:
                async with self.session().request(method, url, **kwargs) as reply:
                    answer = await _body(reply)
                    if reply.status < 400:
                        return answer
                    error = _error(reply.status, answer)
                    if reply.status < 500 or attempt == 2:
                        raise error
            except aiohttp.ClientConnectorError as unreachable:
                if attempt == 2:
                    raise GraphError(0, None, f"unreachable: {unreachable}") from None
            except (aiohttp.ClientError, asyncio.TimeoutError) as broken:
                # Not retried: the message may have gone out, and twice is worse than late.
                raise GraphError(0, None, f"{type(broken).__name__}: {broken}") from None
            await asyncio.sleep(_RETRY_PAUSE)
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


async def _body(reply: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        answer = await reply.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return {}
    return answer if isinstance(answer, dict) else {}


def _error(status: int, answer: dict[str, Any]) -> GraphError:
    error = answer.get("error")
    if not isinstance(error, dict):
        return GraphError(status, None, "no error details")
    code = error.get("code")
    return GraphError(
        status, code if isinstance(code, int) else None, str(error.get("message") or "")[:300]
    )
