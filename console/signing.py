"""Signed values for hidden form fields: the browser carries them, cannot change them.

HMAC-SHA256 over the JSON, bound to a context (the console session's token hash), so
a value made for one session is worthless in another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


class BadSignature(ValueError):
    """The value was changed, or made for another session or key."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, context: str, body: str) -> bytes:
    return hmac.new(key, f"{context}\x00{body}".encode(), hashlib.sha256).digest()


def sign(data: Any, key: bytes, context: str) -> str:
    """``data`` as JSON, with its signature: ``<body>.<mac>``."""
    body = _b64(json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{body}.{_b64(_mac(key, context, body))}"


def unsign(value: str, key: bytes, context: str) -> Any:
    """The data of a signed value; :class:`BadSignature` when it does not check out."""
    body, _, mac = value.partition(".")
    try:
        expected = _mac(key, context, body)
        if not mac or not hmac.compare_digest(_unb64(mac), expected):
            raise BadSignature("handtekening klopt niet")
        return json.loads(_unb64(body))
    except (ValueError, TypeError) as error:
        if isinstance(error, BadSignature):
            raise
        raise BadSignature("geen geldige waarde") from error
