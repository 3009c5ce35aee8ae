"""Hypothesis strategies for bad input, and a small raw HTTP client for the fuzz tests."""

from __future__ import annotations

import http.client
import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from hypothesis import strategies as st

#: Characters that break naive code: NUL and other controls, lone surrogates, bidi and
#: zero-width marks, a byte order mark, combining accents, emoji, the last code point.
ODD = [
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\ud800",
    "\udfff",
    "\u202e",
    "\u200f",
    "\u200b",
    "\ufeff",
    "e\u0301",
    "\U0001f525\U0001f4a7",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0010ffff",
    "\r\n",
    "'; DROP TABLE events; --",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "%00",
    "../../etc/passwd",
]

odd_text = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(ODD)), max_size=6).map("".join)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(odd_text, inner, max_size=4)
    ),
    max_leaves=12,
)


def encode(value: Any) -> bytes:
    """JSON as a client would send it; lone surrogates become \\ud800 escapes."""
    return json.dumps(value).encode("ascii")


#: JSON nested deeper than Python's parser recurses (a RecursionError, not a ValueError).
DEEP = b"[" * 100_000

#: Bodies that are not JSON at all, or not a JSON object.
not_json_objects = st.one_of(
    st.binary(max_size=200).filter(lambda b: not b.strip().startswith(b"{")),
    st.sampled_from([b"", b"{", b'{"a":', b"null", b"[]", b'"tekst"', b"1e999999", b"[[[1]]]"]),
    odd_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_values.filter(lambda v: not isinstance(v, dict)).map(encode),
)

#: The Content-Type headers a form or upload endpoint may be sent, right and wrong.
body_content_types = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "multipart/form-data; boundary=x",
        "multipart/form-data",
        "application/json",
        "text/plain",
        "application/octet-stream",
    ]
)


def not_a(kind: type) -> st.SearchStrategy[Any]:
    """A JSON value that is not of type ``kind`` (``str``: text, ``dict``: an object)."""
    return json_values.filter(lambda v: not isinstance(v, kind))


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    base_url: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
    read: bool = True,
) -> Answer:
    """One raw HTTP request (no client-side checks); ``read=False`` reads only the head."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        reply = connection.getresponse()
        data = reply.read() if read else reply.read1(256) if hasattr(reply, "read1") else b""
        return Answer(reply.status, data, {k.lower(): v for k, v in reply.getheaders()})
    finally:
        connection.close()


def web_session() -> str:
    return f"web-{uuid.uuid4().hex}"


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type."""
    boundary = uuid.uuid4().hex
    lines: list[bytes] = []
    for name, value in fields.items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode("utf-8", "surrogatepass"),
            b"",
            value.encode("utf-8", "surrogatepass"),
        ]
    for name, (filename, data, content_type) in files.items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"'.encode(
                "utf-8", "surrogatepass"
            ),
            f"Content-Type: {content_type}".encode("utf-8", "surrogatepass"),
            b"",
            data,
        ]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"
