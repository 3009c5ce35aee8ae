"""The tenant's language: read from the first message, switched by "English"/"Nederlands".

The intake runs in every language that has a text catalog (``meldkamer/intake/teksten``);
Dutch is the default. Gas and fire get their safety instructions first in every language.
"""

from __future__ import annotations

import re

from meldkamer.triage.answers import normalise

#: The language of the service when nothing else is known.
DEFAULT_LANGUAGE = "nl"

_GAS = re.compile(r"\b(gas|smell of gas|gassy|smells? like gas|gas leak)\b")
_FIRE = re.compile(r"\b(fire|smoke|smoking socket|burning|flames?|on fire)\b")

# Words that occur in one of the two languages only. Words both share ("in", "is", "water",
# "gas", "storm", "help", "boiler") say nothing and are left out, so a short Dutch message
# is never taken for English.
_ENGLISH = frozenset(
    """the my there i i'm im it it's its and not no don't dont doesn't doesnt isn't isnt
    won't wont can't cant cannot have has with what where hello please from this our
    your you smell smells leak leaking leaks broken burst pipe heating fire smoke locked
    window power blocked roof ceiling burglary break broke coming keys key
    hot cold working work flat apartment house home kitchen bathroom yes yeah english""".split()
)
_DUTCH = frozenset(
    """de het een ik mijn niet geen er en van op met dat wat bij naar uit ruik kapot doet
    lekt we wij hebben heb ons onze deur huis woning keuken badkamer kraan verwarming
    stroom ja nee graag alstublieft hallo goedemorgen goedemiddag goedenavond sleutel
    buitengesloten raam ruit lekkage brand rook nederlands binnen sleutels kan kunnen zit
    staat wordt mag moet ook maar nu al nog meer hier daar wel zijn ben heeft komt gaat
    kinderen bang buren dak plafond stopcontact meterkast ketel radiator radiatoren""".split()
)
_WORD = re.compile(r"[a-z']+")


def detect_language(text: str) -> str | None:
    """``"en"`` or ``"nl"`` when the message is clearly in that language, else ``None``."""
    words = _WORD.findall(normalise(text))
    english = sum(word in _ENGLISH for word in words)
    dutch = sum(word in _DUTCH for word in words)
    if english > dutch:
        return "en"
    if dutch > english:
        return "nl"
    return None


def english_emergency(text: str) -> str | None:
    """``"gaslek"`` or ``"brand"`` when an English message is about gas or fire."""
    plain = normalise(text)
    if _GAS.search(plain):
        return "gaslek"
    if _FIRE.search(plain):
        return "brand"
    return None
