"""Reading facts from what tenants write.

Two uses: facts that are already clear from the first message ("de leiding is
gesprongen en ik krijg hem niet dicht") are not asked again, and a free-text answer
to a triage question ("nee, dat lukt niet") sets the fact like a button would.

Fail safe by construction: when the patterns of two different values both match,
nothing is concluded and the question is asked.
"""

from __future__ import annotations

import re
import unicodedata

from meldkamer.triage.table import HABITABILITY, DecisionTable, Fact, FactValue, Topic

_YES = re.compile(
    r"^\W*(ja+|jaa+h?|jawel|jazeker|zeker|klopt|correct|yes|yep|jup|ok(e|ay|é)?|prima|goed|👍)\b|^\W*👍",
    re.IGNORECASE,
)
_NO = re.compile(r"^\W*(nee+|neen|nope|no|niet|nein|klopt niet|👎)(\b|$)|^\W*👎", re.IGNORECASE)
_UNKNOWN = re.compile(
    r"\b(weet (ik )?(het )?niet|geen idee|geen flauw idee|misschien|twijfel|onbekend|kan ik niet zien|"
    r"weet niet|don['’]?t know|do not know|no idea|not sure)\b",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Fold case, accents and runs of white space, so ``Gésprongen!!`` reads as ``gesprongen!!``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain).strip().lower()


def yes_no(text: str) -> bool | None:
    """``True`` for a yes, ``False`` for a no, ``None`` when the text is neither."""
    text = normalise(text)
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


def is_unknown(text: str) -> bool:
    """Whether the tenant says they do not know."""
    return bool(_UNKNOWN.search(normalise(text)))


def match_value(fact: Fact, text: str) -> FactValue | None:
    """The one value whose patterns match ``text``; ``None`` if none or several do."""
    text = normalise(text)
    hits = {
        value for value, patterns in fact.patterns.items() if any(p.search(text) for p in patterns)
    }
    if len(hits) == 1:
        return hits.pop()
    return None


def facts_from_text(table: DecisionTable, topic: Topic, text: str) -> dict[str, FactValue]:
    """Facts of ``topic``, of its safety nets and habitability that are clear from a message."""
    found: dict[str, FactValue] = {}
    nets = (name for net in table.nets_for(topic.code) for name in net.facts())
    for name in dict.fromkeys((*topic.questions, *nets, HABITABILITY)):
        value = match_value(table.facts[name], text)
        if value is not None:
            found[name] = value
    return found


def parse_answer(fact: Fact, text: str, said_yes: bool | None = None) -> FactValue | None:
    """The value a free-text answer gives a fact, or ``None`` when unclear.

    Args:
        fact: the fact that was asked.
        text: what the tenant wrote.
        said_yes: the yes/no reading of the message by the NLU, when it has one;
            otherwise the text itself is read for ja/nee.
    """
    text_norm = normalise(text)
    for option in fact.options:
        if text_norm == normalise(option.label) or text_norm == normalise(str(option.value)):
            return option.value
    value = match_value(fact, text)
    if value is not None:
        return value
    if said_yes is None:
        said_yes = yes_no(text)
    if said_yes is None or fact.yes_means is None or not fact.is_boolean:
        return None
    return fact.yes_means if said_yes else (not fact.yes_means)
