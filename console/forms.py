"""Reading a posted form safely: a malformed body is the sender's 400, never our 500.

Values are text with the control characters removed (tab and line breaks stay):
PostgreSQL refuses NUL in text, and nobody types the others on purpose.
"""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: What aiohttp's form parser raises on a body that is not what its Content-Type says.
_MALFORMED = (ValueError, RuntimeError, AssertionError, HttpProcessingError)


def clean(text: str) -> str:
    """``text`` without control characters other than tab, CR and LF."""
    return _CONTROL.sub("", text)


async def read_form(request: web.Request) -> dict[str, str]:
    """The form's text fields (the first value of each name); files are ignored.

    Raises:
        web.HTTPBadRequest: the body cannot be read as the form it claims to be.
    """
    try:
        data = await request.post()
    except _MALFORMED:
        raise web.HTTPBadRequest(text="Het formulier kon niet worden gelezen.") from None
    fields: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, str):
            fields.setdefault(clean(key), clean(value))
    return fields
