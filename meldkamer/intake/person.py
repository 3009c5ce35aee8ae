"""Whether a tenant's message asks for a person, wherever in the message it says so.

"Ik ruik gas en wil iemand spreken" is first of all a gas melding (safety first), and
also a request for a person: the topic classifier gives one intent, this gives the rest.
A letter's salutation ("Geachte medewerker, ...") asks for nobody.
"""

from __future__ import annotations

import re

from meldkamer.triage.answers import normalise

#: Phrases that ask for a person of the meldkamer (on normalised text).
_ASKS = re.compile(
    r"\b("
    r"(een |de |met een |met de )?(medewerker|collega|operator|klantenservice|huismeester)"
    r"|(een |met een )?echt(e)? (mens|persoon)|met een (mens|persoon)|^(mens|persoon)( graag)?$"
    r"|(mens|persoon) (spreken|aan de lijn)"
    r"|iemand (te )?(spreken|aan de lijn|aan de telefoon|persoonlijk)"
    r"|(met |tegen )iemand (praten|spreken)"
    r"|(kan|kunt|wil|mag|zou) iemand (mij|me) (terug)?bellen"
    r"|(bel|belt) (mij|me)( alsjeblieft| aub| even)? (terug|op)"
    r"|terugbellen|teruggebeld|doorverbinden|doorverbonden"
    r")\b"
)
#: A letter's opening names a person without asking for one.
_SALUTATION = re.compile(r"\b(geachte|beste|lieve|hallo|hoi|dag) (medewerker|collega)s?\b")
#: "Geen mens", "geen medewerker nodig": no request.
_NEGATED = re.compile(r"\bgeen (medewerker|mens|persoon)\b|\bniet (terug)?bellen\b")


def asks_for_person(text: str) -> bool:
    """Whether ``text`` asks for a person (anywhere in it)."""
    plain = _NEGATED.sub(" ", _SALUTATION.sub(" ", normalise(text)))
    return bool(_ASKS.search(plain))
