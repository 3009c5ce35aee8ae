r"""Where to go after signing in: only a path on this site, never an open redirect.

Browsers are generous with what they take for another site: they drop tabs and line
breaks anywhere in a URL, read ``\`` as ``/``, and take ``//host`` (and ``/\host``)
as a host. A ``next`` value passes only when it is printable ASCII without backslashes or
whitespace, starts with exactly one ``/`` and has no scheme and no host, and its path
(before ``?`` or ``#``) still is so at every level of percent-decoding (a later hop
may decode it once more). Anything else goes to the start page.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

HOME = "/"
#: Printable ASCII without space and backslash.
_ALLOWED = re.compile(r"[!-\[\]-~]*")
_PATH_END = re.compile(r"[?#]")
#: Each decoding may uncover another %-escape; this many levels and we stop believing it.
_MAX_DECODINGS = 4


def _local_path(value: str) -> bool:
    if not _ALLOWED.fullmatch(value) or not value.startswith("/") or value.startswith("//"):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def safe_next(value: str | None) -> str:
    """``value`` when it is a local path (see the module's docstring), else ``/``."""
    if not value or len(value) > 2000:
        return HOME
    if not _local_path(value):
        return HOME
    level = _PATH_END.split(value, 1)[0]
    for _ in range(_MAX_DECODINGS):
        decoded = unquote(level)
        if decoded == level:
            return value
        level = _PATH_END.split(decoded, 1)[0]
        if not _local_path(level):
            return HOME
    return HOME
