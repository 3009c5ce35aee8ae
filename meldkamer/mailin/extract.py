"""Address, name and phone number from a mail's text and signature.

A tenant who mails usually writes the address in the text or under the greeting.
What is found here is given to the assistant as the tenant's answer when it asks for
that detail, and checked there by the same validators as a typed answer; a candidate
that the intake's own checks refuse is not offered at all.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from meldkamer.intake.validation import Invalid, clean_name, normalise_phone, parse_address

_POSTCODE = re.compile(r"(?<![0-9])([1-9][0-9]{3})\s?([A-Za-z]{2})(?![A-Za-z])")
# "Lindelaan 12", "Kerkplein 3a", "Molenweg 14-2": a word and a house number.
_STREET_NUMBER = re.compile(
    r"\b[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ.'-]{2,}\s+(\d{1,5})(\s?-?\s?[A-Za-z0-9]{1,3})?\b"
)
_PHONE = re.compile(r"(?<![\d+])(?:\+31|0031|0)[\s.-]?(?:\(0\)\s?)?[1-9](?:[\s.-]?\d){8}(?!\d)")
_NAME_LEAD = re.compile(r"\b(?:mijn naam is|ik ben|ik heet)\s+([^\n,.]{2,60})", re.IGNORECASE)
_GREETING = re.compile(
    r"^\s*((met )?(vriendelijke |hartelijke )?groet(en)?|m\.?v\.?g\.?|groetjes|regards)\s*,?\s*$",
    re.IGNORECASE,
)
_NAME_WORDS = re.compile(r"^[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ.'-]*(\s+[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ.'-]*){0,4}$")
_ADDRESS_WORDS = ("postcode", "huisnummer", "adres")


@dataclass(frozen=True)
class Contact:
    """What a mail says about who and where, in the form the assistant's questions take."""

    address: str | None = None
    name: str | None = None
    phone: str | None = None
    #: The name in the From header: used only when no mail of the tenant gives one.
    display_name: str | None = None

    @property
    def best_name(self) -> str | None:
        """The name the tenant wrote, else the one their mail program shows."""
        return self.name or self.display_name

    def to_dict(self) -> dict[str, str]:
        return {key: value for key, value in asdict(self).items() if value}

    @classmethod
    def from_dict(cls, data: object) -> Contact:
        if not isinstance(data, dict):
            return cls()
        keys = ("address", "name", "phone", "display_name")
        return cls(**{key: str(data[key]) for key in keys if data.get(key)})

    def merged(self, older: Contact) -> Contact:
        """The details of this mail, completed by what an earlier mail said."""
        return Contact(
            address=self.address or older.address,
            name=self.name or older.name,
            phone=self.phone or older.phone,
            display_name=self.display_name or older.display_name,
        )


def find_address(text: str) -> str | None:
    """``"1234 AB 12"`` when a postcode and its house number are in ``text``."""
    for line_index, line in enumerate(lines := text.splitlines()):
        match = _POSTCODE.search(line)
        if not match:
            continue
        postcode = f"{match.group(1)} {match.group(2).upper()}"
        after = line[match.end() :]
        before = " ".join([*lines[max(0, line_index - 1) : line_index], line[: match.start()]])
        for candidate in (f"{postcode} {after}", _street_candidate(postcode, before)):
            if candidate is None:
                continue
            parsed = parse_address(candidate[:200])
            if not isinstance(parsed, Invalid):
                addition = parsed.toevoeging or ""
                return f"{parsed.postcode} {parsed.huisnummer}{addition}"
    return None


def _street_candidate(postcode: str, before: str) -> str | None:
    found = [
        m
        for m in _STREET_NUMBER.finditer(before)
        if m.group(0).split()[0].lower() not in _ADDRESS_WORDS
    ]
    if not found:
        return None
    last = found[-1]
    return f"{postcode} {last.group(1)}{(last.group(2) or '').strip()}"


def find_phone(text: str) -> str | None:
    """The first Dutch phone number in ``text``, as written (the intake normalises it)."""
    for match in _PHONE.finditer(text):
        if not isinstance(normalise_phone(match.group(0)), Invalid):
            return match.group(0).strip()
    return None


def find_name(text: str, signature: str) -> str | None:
    """The name after "mijn naam is", else the line under the greeting."""
    lead = _NAME_LEAD.search(text)
    candidates = [lead.group(1)] if lead else []
    lines = [line.strip() for line in signature.splitlines() if line.strip()]
    for index, line in enumerate(lines[:-1]):
        if _GREETING.match(line):
            candidates.append(lines[index + 1])
            break
    for candidate in candidates:
        candidate = candidate.strip(" ,.;:")
        if _NAME_WORDS.match(candidate) and not isinstance(clean_name(candidate), Invalid):
            return candidate
    return None


def extract_contact(text: str, signature: str, display_name: str | None) -> Contact:
    """Address, name and phone from the new text of a mail and its signature."""
    everything = f"{text}\n{signature}"
    return Contact(
        address=find_address(everything),
        name=find_name(text, signature),
        phone=find_phone(everything),
        display_name=_plausible_name(display_name),
    )


def _plausible_name(display_name: str | None) -> str | None:
    if not display_name or "@" in display_name:
        return None
    candidate = display_name.strip(" ,.;:\"'")
    if _NAME_WORDS.match(candidate) and not isinstance(clean_name(candidate), Invalid):
        return candidate
    return None
