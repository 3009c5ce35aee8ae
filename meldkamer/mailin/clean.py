"""From a mail body to the words the tenant wrote: HTML to text, quotes and signature off.

Mail clients put the whole earlier conversation under (or above) a reply and a
signature under every mail; the assistant must read only what is new, or it would
take our own question for the tenant's answer.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Blocks that end a line when turned into text.
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"}
)
# Never text for a reader: scripts, styles, the head.
_HIDDEN = frozenset({"script", "style", "head", "title", "template"})

# Where a quoted earlier mail starts: everything from this line on is dropped.
_QUOTE_HEADERS = (
    re.compile(r"^\s*Op .{4,120}(schreef|heeft .{0,40}geschreven)\s*.{0,80}:\s*$", re.IGNORECASE),
    re.compile(r"^\s*On .{4,120}wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Oorspronkelijk bericht|Original Message|Doorgestuurd bericht)", re.I),
    re.compile(r"^\s*(Van|From):\s.+$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
)
# The usual ways a signature starts; the RFC 3676 delimiter is "-- ".
_SIGNATURE_STARTS = (
    re.compile(r"^-- ?$"),
    re.compile(
        r"^\s*(met )?(vriendelijke |hartelijke )?groet(en)?\s*,?\s*$|^\s*m\.?v\.?g\.?\s*,?\s*$"
        r"|^\s*(kind |best )?regards\s*,?\s*$|^\s*groetjes\s*,?\s*$",
        re.IGNORECASE,
    ),
    re.compile(r"^\s*(Verzonden|Sent) (vanaf|from|met) .{2,40}$", re.IGNORECASE),
)


class _TextParser(HTMLParser):
    """Collects the visible text of an HTML body; never runs or fetches anything."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._quoted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "blockquote":
            # A quoted earlier mail: marked like a plain-text quote so it is dropped too.
            self._quoted += 1
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag == "blockquote":
            self._quoted = max(0, self._quoted - 1)
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._quoted:
            self.parts.append("\n".join("> " + line for line in data.splitlines()))
        else:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The readable text of an HTML mail body, one paragraph per line."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return _squeeze("\n".join(lines))


def _squeeze(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_quoted(text: str) -> str:
    """The text without the quoted earlier mails (``>`` lines, "Op ... schreef ...:")."""
    kept: list[str] = []
    for line in text.splitlines():
        if any(pattern.match(line) for pattern in _QUOTE_HEADERS):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return _squeeze("\n".join(kept))


def split_signature(text: str) -> tuple[str, str]:
    """``(body, signature)``: the signature starts at its delimiter or closing greeting."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if index and any(pattern.match(line) for pattern in _SIGNATURE_STARTS):
            return _squeeze("\n".join(lines[:index])), _squeeze("\n".join(lines[index:]))
    return _squeeze(text), ""
