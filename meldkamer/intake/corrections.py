"""Reading a correction after the summary: "nee, het is nummer 12".

Only changes that are unmistakable are taken; anything else makes the bot ask which
detail is wrong, so a correction never silently changes the wrong field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from meldkamer.intake.validation import (
    EMAIL_PATTERN,
    Invalid,
    clean_name,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    parse_house_number,
)

_PHONE = re.compile(r"(\+|00)?[0-9][0-9 ()-]{8,16}[0-9]")
_EMAIL = re.compile(EMAIL_PATTERN)
_NUMBER_CUE = re.compile(
    r"\b(?:nummer|nr\.?|huisnummer|woon (?:op|aan)(?: nummer)?|is|moet)\s+"
    r"((?:[1-9][0-9]{0,4})(?:\s*[-/]?\s*[a-z0-9]{1,3})?)\b",
    re.IGNORECASE,
)
_NAME_CUE = re.compile(r"\b(?:mijn naam is|ik heet|naam moet zijn|naam is)\s+(.+)$", re.IGNORECASE)


#: Words before a phone number at the end of an answer: "... en mijn nummer is".
_PHONE_LEAD_IN = re.compile(
    r"[\s,;]*(?:en\s+)?(?:(?:mijn|m'n|mn)\s+)?(?:tel\.?|telefoon(?:nummer)?|nummer|mobiel(?:e nummer)?)?"
    r"(?:\s+is)?\s*:?\s*$",
    re.IGNORECASE,
)


@dataclass
class Correction:
    """Fields a correction changes, with messages for parts that were wrong."""

    changes: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def parse_correction(text: str) -> Correction:
    """Find corrected details in ``text``: postcode, house number, phone, e-mail, name."""
    result = Correction()
    rest = text

    email_match = _EMAIL.search(rest)
    if email_match:
        email = normalise_email(email_match.group(0))
        if isinstance(email, Invalid):
            result.problems.append(email.message)
        elif email:
            result.changes["email"] = email
        rest = rest.replace(email_match.group(0), " ")

    phone_match = _PHONE.search(rest)
    if phone_match and len(re.sub(r"\D", "", phone_match.group(0))) >= 9:
        phone = normalise_phone(phone_match.group(0))
        if isinstance(phone, Invalid):
            result.problems.append(phone.message)
        else:
            result.changes["telefoon"] = phone
        rest = rest.replace(phone_match.group(0), " ")

    postcode = normalise_postcode(rest)
    if not isinstance(postcode, Invalid):
        result.changes["postcode"] = postcode
        rest = re.sub(r"\b[1-9][0-9]{3}\s*-?\s*[a-z]{2}\b", " ", rest, flags=re.IGNORECASE)
    elif re.search(r"\bpostcode\b", rest, re.IGNORECASE) and re.search(r"\d{4}", rest):
        result.problems.append(postcode.message)

    name_match = _NAME_CUE.search(rest)
    if name_match:
        name = clean_name(name_match.group(1))
        if isinstance(name, Invalid):
            result.problems.append(name.message)
        else:
            result.changes["naam"] = name
        rest = rest[: name_match.start()]

    number_match = _NUMBER_CUE.search(rest)
    if number_match:
        number = parse_house_number(number_match.group(1))
        if not isinstance(number, Invalid):
            result.changes["huisnummer"], result.changes["huisnummer_toevoeging"] = number
    return result


def name_and_phone(text: str) -> tuple[str, str] | None:
    """Name and phone number in one answer ("Fatima el Amrani, 06 12345678"), both valid.

    ``None`` unless the text holds exactly one valid phone number and a valid name besides,
    so an answer that is only a name (or only a number) goes the usual way.
    """
    matches = [m for m in _PHONE.finditer(text) if len(re.sub(r"\D", "", m.group(0))) >= 9]
    if len(matches) != 1:
        return None
    phone = normalise_phone(matches[0].group(0))
    rest = (text[: matches[0].start()] + " " + text[matches[0].end() :]).strip(" ,;:.-")
    rest = _PHONE_LEAD_IN.sub("", rest)
    name = clean_name(rest.strip(" ,;:.-"))
    if isinstance(phone, Invalid) or isinstance(name, Invalid):
        return None
    return name, phone
