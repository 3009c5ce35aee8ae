"""Checking and normalising what a tenant types: address, name, phone, e-mail, description.

Every check returns either a clean value or a :class:`Invalid` with a short explanation
the bot can show as is, so bad input always gets a clear answer: the precise reason in
Dutch (``message``) and in the tenant's language (:meth:`Invalid.in_language`), both from
the language's catalog (``meldkamer/intake/teksten/<taal>.yml``, keys ``ongeldig_*``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from meldkamer.intake.catalog import catalog
from meldkamer.triage.answers import normalise

#: Dutch postcodes: four digits not starting with 0, two letters; SA, SD and SS are never issued.
_POSTCODE = re.compile(
    r"(?<![0-9])([1-9][0-9]{3})\s*-?\s*(?!sa|sd|ss)([a-z]{2})(?![a-z])", re.IGNORECASE
)
_ANY_POSTCODE_LIKE = re.compile(r"(?<![0-9])[0-9]{4}\s*[a-z]{2}(?![a-z])", re.IGNORECASE)
_HOUSE_NUMBER = re.compile(
    r"(?:nr\.?|nummer|huisnummer|no\.?)?\s*(?<![0-9])([1-9][0-9]{0,4})"
    r"(?:\s*[-/ ]?\s*([a-z]{1,4}|[0-9]{1,4}(?:[a-z]{0,2})|bis|hs|huis|boven|beneden|i{1,3}))?\b",
    re.IGNORECASE,
)
#: An e-mail address as everyone in Meldkamer accepts it (tenants, clients, the outbox).
EMAIL_PATTERN = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_EMAIL = re.compile(rf"^{EMAIL_PATTERN}$")
_NO_EMAIL = re.compile(
    r"^\W*(nee|neen|geen|heb (ik )?(geen|niet)|niet|n\.?v\.?t\.?|liever niet|sla over|overslaan"
    r"|no|none|skip)\b|^\s*-\s*$",
    re.IGNORECASE,
)
_NAME_PREFIX = re.compile(
    r"^\s*(mijn naam is|ik ben|ik heet|naam:?|dit is|met|my name is|name:?|i am|i'm|this is)\s+",
    re.IGNORECASE,
)

MAX_NAME = 100
MAX_DESCRIPTION = 1000


@dataclass(frozen=True)
class Invalid:
    """A refused value, with the Dutch sentence that tells the tenant why.

    Attributes:
        message: the reason in Dutch.
        key: its catalog key (``ongeldig_*``), so other languages say the same reason;
            ``None`` for a reason given in Dutch only (the console's own steps).
        values: the key's ``{placeholders}``.
    """

    message: str
    key: str | None = None
    values: tuple[tuple[str, str | int], ...] = ()

    def in_language(self, language: str | None) -> str:
        """The reason in ``language`` (Dutch when ``None`` or without a catalog)."""
        if self.key is None:
            return self.message
        return catalog(language)(self.key, **dict(self.values))


def refused(key: str, **values: str | int) -> Invalid:
    """A refusal with the catalog's reason ``key``; ``message`` is the Dutch text."""
    return Invalid(catalog()(key, **values), key, tuple(values.items()))


@dataclass(frozen=True)
class Address:
    """A Dutch address as the service needs it: postcode and house number."""

    postcode: str
    huisnummer: int
    toevoeging: str | None = None

    def __str__(self) -> str:
        suffix = (
            f"-{self.toevoeging}"
            if self.toevoeging and self.toevoeging[0].isdigit()
            else (self.toevoeging or "")
        )
        return f"{self.postcode} {self.huisnummer}{suffix}"


def normalise_postcode(text: str) -> str | Invalid:
    """``'1234ab'`` -> ``'1234 AB'``, or why it is not a postcode."""
    match = _POSTCODE.search(text)
    if match:
        return f"{match.group(1)} {match.group(2).upper()}"
    if _ANY_POSTCODE_LIKE.search(text):
        return refused("ongeldig_postcode_bestaat_niet")
    return refused("ongeldig_geen_postcode")


def parse_address(text: str) -> Address | Invalid:
    """Read postcode, house number and addition from one answer.

    Accepts ``1234 AB 12``, ``1234ab, 12-3``, ``postcode 1234 AB huisnummer 12 a``.
    """
    text = text.strip()
    if len(text) > 200:
        return refused("ongeldig_adres_te_lang")
    postcode = normalise_postcode(text)
    if isinstance(postcode, Invalid):
        return postcode
    match = _POSTCODE.search(text)
    assert match is not None  # normalise_postcode found it
    rest = (text[: match.start()] + " " + text[match.end() :]).strip(" ,.;:")
    rest = re.sub(r"\b(postcode|huisnummer|nummer|nr\.?)\b", " ", rest, flags=re.IGNORECASE).strip(
        " ,.;:"
    )
    number = _HOUSE_NUMBER.search(rest)
    if not number:
        return refused("ongeldig_geen_huisnummer", postcode=postcode)
    addition = (number.group(2) or "").upper() or None
    return Address(postcode=postcode, huisnummer=int(number.group(1)), toevoeging=addition)


def parse_house_number(text: str) -> tuple[int, str | None] | Invalid:
    """A house number with optional addition: ``12``, ``12a``, ``12-3``, ``nummer 12 bis``."""
    match = _HOUSE_NUMBER.search(text)
    if not match:
        return refused("ongeldig_alleen_huisnummer")
    return int(match.group(1)), ((match.group(2) or "").upper() or None)


def normalise_phone(text: str) -> str | Invalid:
    """Dutch numbers in any common form -> E.164 (``+31612345678``)."""
    raw = text.strip()
    if re.search(r"[A-Za-z]", raw):
        return refused("ongeldig_telefoon_letters")
    digits = re.sub(r"[\s().-]", "", raw)
    if digits.startswith("+"):
        digits = "00" + digits[1:]
    if not digits.isdigit():
        return refused("ongeldig_telefoon_tekens")
    if digits.startswith("0031"):
        national = digits[4:].removeprefix("0")
    elif digits.startswith("00"):
        # A foreign mobile: keep it; agents can call abroad.
        if 8 <= len(digits) - 2 <= 15:
            return "+" + digits[2:]
        return refused("ongeldig_telefoon_buitenland")
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return refused("ongeldig_telefoon_begin")
    if len(national) != 9:
        return refused("ongeldig_telefoon_lengte", aantal=len(national) + 1)
    return "+31" + national


def format_phone(e164: str) -> str:
    """``+31612345678`` -> ``06 12345678`` for display in Dutch."""
    if e164.startswith("+316"):
        return "06 " + e164[4:]
    if e164.startswith("+31"):
        return "0" + e164[3:]
    return e164


def normalise_email(text: str) -> str | None | Invalid:
    """A clean address, ``None`` when the tenant has or gives none, or why it is invalid."""
    raw = text.strip()
    if _NO_EMAIL.search(raw) and "@" not in raw:
        return None
    candidate = raw.strip(" .,;<>").lower()
    if len(candidate) > 254 or not _EMAIL.match(candidate):
        return refused("ongeldig_email")
    return candidate


def clean_name(text: str) -> str | Invalid:
    """A plausible name, without lead-ins like ``mijn naam is``."""
    name = _NAME_PREFIX.sub("", text).strip(" .,!;:")
    name = re.sub(r"\s+", " ", name)
    if not re.search(r"[^\W\d_]", name):
        return refused("ongeldig_naam")
    if len(name) > MAX_NAME:
        return refused("ongeldig_naam_te_lang")
    if sum(ch.isdigit() for ch in name) > 2:
        return refused("ongeldig_naam_cijfers")
    return name


def clean_description(text: str) -> str | Invalid:
    """A short description: at least a few letters, at most ``MAX_DESCRIPTION`` characters kept."""
    description = re.sub(r"\s+", " ", text).strip()
    if len(re.findall(r"[^\W\d_]", description)) < 3:
        return refused("ongeldig_beschrijving")
    if len(description) > MAX_DESCRIPTION:
        cut = description[:MAX_DESCRIPTION].rsplit(" ", 1)[0]
        return cut + " …"
    return description


def has_words(text: str) -> bool:
    """Whether a message has any letters or digits (emoji-only and empty have none)."""
    return bool(re.search(r"[^\W_]", normalise(text)))
