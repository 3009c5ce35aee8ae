"""The name a channel knows of the tenant, as the melding's ``naam`` or nothing.

WhatsApp sends the sender's profile name with each message, Telegram the user's first and
last name. Either is what the tenant chose to show, not always their name: ``🌸``, ``F``,
``06 12345678``. :func:`name_from_channel` keeps it only when the form's own check of a
typed name (:func:`meldkamer.intake.fields.check`) accepts it and it has two letters or
more; the summary then shows it for the tenant to confirm or correct. Otherwise the form
asks the name as it always did.
"""

from __future__ import annotations

import re
import unicodedata

from meldkamer.intake.fields import check

#: Fewer letters than this is an initial or a nickname, not a name to put on a ticket.
MIN_LETTERS = 2
#: Emoji glue that is no symbol itself: zero-width joiner, variation selectors, keycap.
_EMOJI_GLUE = re.compile("[\u200d\ufe0e\ufe0f\u20e3\U000e0020-\U000e007f]")
#: Decoration around a profile name (``~Fatima~``, ``*Jan*``); not an apostrophe, which
#: starts names ('t Hart), nor brackets.
_DECORATION = " \t~*_-=+#|•·.,!;:"


def name_from_channel(value: object) -> str | None:
    """The checked ``naam`` for a channel's sender name; ``None`` when it is no usable name."""
    if not isinstance(value, str):
        return None
    text = " ".join(_without_symbols(unicodedata.normalize("NFC", value)).split())
    checked = check("naam", text.strip(_DECORATION))
    if not isinstance(checked, str):
        return None
    if sum(_is_letter(ch) for ch in checked) < MIN_LETTERS:
        return None
    return checked


def _without_symbols(text: str) -> str:
    """Emoji and other pictures out (``Fatima 🌸`` is ``Fatima``); letters and marks kept."""
    text = _EMOJI_GLUE.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Sk", "Cs", "Co"))


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")
