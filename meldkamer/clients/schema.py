"""A client (opdrachtgever) as Meldkamer uses it: frozen objects built by the loader.

The YAML file has Dutch keys (``docs/CLIENTS.md``); the attributes here are their
English names. Everything is checked by :mod:`meldkamer.clients.loader` before an
object is built, so the methods below can trust their data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

from meldkamer.clients.retention import RetentionTerm
from meldkamer.clients.topics import TRADES, protocol_topic
from meldkamer.intake.digressions import Question, question_block
from meldkamer.triage.engine import TriageSettings
from meldkamer.triage.officehours import HeatingSeason, OfficeHours
from meldkamer.triage.table import DecisionTable

#: What kind of organisation a client is (soort).
CLIENT_KINDS = ("woningcorporatie", "vastgoedbeheerder", "vve")

#: The channels a tenant can reach the assistant on (ingangen).
ENTRY_KINDS = ("webchat", "whatsapp", "telegram", "email")

#: Default escalation time of an unacknowledged acuut work order, in minutes.
DEFAULT_ESCALATION_MINUTES = 15

#: The longest name of a client, complex or contractor: names go into e-mail subjects,
#: which the outbox caps at 300 characters.
MAX_NAME = 200

_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s?([A-Za-z]{2})\s*$")
# These letter pairs are never issued by PostNL.
_NEVER_ISSUED = {"SA", "SD", "SS"}


def normalise_postcode(text: str) -> str | None:
    """``'1234ab'`` or ``'1234 AB'`` -> ``'1234 AB'``; ``None`` when it is no Dutch postcode."""
    match = _POSTCODE.match(text)
    if not match or match.group(2).upper() in _NEVER_ISSUED:
        return None
    return f"{match.group(1)} {match.group(2).upper()}"


def normalise_telegram(username: str) -> str:
    """Telegram usernames are case-insensitive and often written with ``@``."""
    return username.strip().removeprefix("@").lower()


@dataclass(frozen=True)
class Contact:
    """How Meldkamer staff reach the client's office (contact)."""

    phone: str
    email: str
    website: str | None = None


@dataclass(frozen=True)
class Reachable:
    """Someone the meldkamer calls, texts and mails; phone numbers in E.164 (``+31612345678``)."""

    id: str
    name: str
    phone: str
    email: str
    sms: str | None = None

    @property
    def sms_number(self) -> str:
        """Where an SMS goes: the mobile number when given, else the phone number."""
        return self.sms or self.phone


@dataclass(frozen=True)
class Contractor(Reachable):
    """A contractor (aannemer)."""


@dataclass(frozen=True)
class OnCallEmployee(Reachable):
    """The client's own employee on call (piketmedewerker), the last step of an escalation."""


@dataclass(frozen=True)
class AddressRange:
    """A postcode with an inclusive house-number range; ``None`` ends are open."""

    postcode: str
    start: int | None = None
    end: int | None = None
    #: The street of these addresses (straat), so a tenant without postcode is found.
    street: str | None = None
    #: The town (plaats), to tell streets of the same name apart.
    town: str | None = None

    @property
    def low(self) -> int:
        return self.start if self.start is not None else 1

    @property
    def high(self) -> float:
        return self.end if self.end is not None else float("inf")

    def covers(self, postcode: str, huisnummer: int) -> bool:
        """Whether the address (normalised postcode) lies in this range."""
        return postcode == self.postcode and self.low <= huisnummer <= self.high

    def overlaps(self, other: AddressRange) -> bool:
        """Whether some address lies in both ranges."""
        return self.postcode == other.postcode and self.low <= other.high and other.low <= self.high

    def __str__(self) -> str:
        if self.start is None and self.end is None:
            return f"{self.postcode} (hele postcode)"
        if self.end is None:
            return f"{self.postcode} vanaf {self.start}"
        return f"{self.postcode} {self.start or 1}-{self.end}"


@dataclass(frozen=True)
class RosterPeriod:
    """A period of a roster: ``[start, end)`` in UTC and the escalation chain."""

    start: datetime
    end: datetime
    contractors: tuple[str, ...]

    def covers(self, at: datetime) -> bool:
        """Whether ``at`` lies in the period; at ``end`` the next period has taken over."""
        return self.start <= at < self.end


@dataclass(frozen=True)
class TradeCover:
    """Who covers one trade of a complex: a roster, and a standing list outside it."""

    default: tuple[str, ...] = ()
    roster: tuple[RosterPeriod, ...] = ()

    def chain_at(self, at: datetime) -> tuple[str, ...]:
        """The roster's chain at ``at`` (aware), else the standing list (may be empty)."""
        moment = at.astimezone(timezone.utc)
        for period in self.roster:
            if period.covers(moment):
                return period.contractors
        return self.default


@dataclass(frozen=True)
class Piket:
    """The client's on-call employees (piket) and who of them is on duty when."""

    employees: Mapping[str, OnCallEmployee] = field(default_factory=lambda: MappingProxyType({}))
    cover: TradeCover = field(default_factory=TradeCover)

    def on_duty(self, at: datetime) -> tuple[OnCallEmployee, ...]:
        """Who to call at ``at`` (aware), first to call first; empty when nobody is on duty."""
        return tuple(self.employees[i] for i in self.cover.chain_at(at))


#: SLA targets when a client file sets none (``sla:``; see docs/FOLLOW-UP.md).
DEFAULT_ON_SITE_HOURS = 2
DEFAULT_DONE_HOURS = 24
DEFAULT_ANSWER_MINUTES = 10


@dataclass(frozen=True)
class SlaTargets:
    """How fast the service promises each step; the acknowledgement is ``escalatie_minuten``.

    Attributes:
        on_site_hours: an acuut melding has a contractor on site within this time.
        done_hours: an urgent work order is done within this time.
        answer_minutes: a conversation handed to a person is answered within this time.
    """

    on_site_hours: int = DEFAULT_ON_SITE_HOURS
    done_hours: int = DEFAULT_DONE_HOURS
    answer_minutes: int = DEFAULT_ANSWER_MINUTES

    @property
    def on_site(self) -> timedelta:
        return timedelta(hours=self.on_site_hours)

    @property
    def done(self) -> timedelta:
        return timedelta(hours=self.done_hours)

    @property
    def answer(self) -> timedelta:
        return timedelta(minutes=self.answer_minutes)


@dataclass(frozen=True)
class Complex:
    """A complex of homes: its addresses and who is on call per trade."""

    id: str
    name: str
    addresses: tuple[AddressRange, ...]
    trades: Mapping[str, TradeCover] = field(default_factory=lambda: MappingProxyType({}))

    def covers(self, postcode: str, huisnummer: int) -> bool:
        return any(a.covers(postcode, huisnummer) for a in self.addresses)


@dataclass(frozen=True)
class Entries:
    """Where tenants of the client reach the assistant (ingangen)."""

    webchat: tuple[str, ...] = ()
    whatsapp: tuple[str, ...] = ()
    telegram: tuple[str, ...] = ()
    #: Intake mail addresses (lower case): a mail to one of them is a melding for this client.
    email: tuple[str, ...] = ()

    def keys(self) -> Iterator[tuple[str, str]]:
        """Every entry point as ``(kind, key)``, with the key as lookups compare it."""
        for site in self.webchat:
            yield "webchat", site
        for number in self.whatsapp:
            yield "whatsapp", number
        for bot in self.telegram:
            yield "telegram", normalise_telegram(bot)
        for address in self.email:
            yield "email", address


@dataclass(frozen=True)
class Client:
    """A client (opdrachtgever), as read from its YAML file.

    Attributes:
        id: slug, e.g. ``de-linde``.
        kind: one of :data:`CLIENT_KINDS` (soort).
        notification_emails: where ``inform_client`` messages go (notificatie_email).
        report_emails: where the monthly report goes (rapportage_email); none: not mailed.
        office: office hours and closing days (kantoortijden, sluitingsdagen).
        heating_season: the stookseizoen.
        protocol: the client's rows of the matrix as written in the file, by topic code;
            :meth:`triage_settings` turns them into :class:`Topic` objects.
        notices: extra text for the tenant, by topic code (mededelingen).
        translated_notices: the same in another language, by language code and topic
            (mededelingen_en); a topic without one there gets the Dutch notice.
        escalation_minutes: an acuut work order not acknowledged in this time escalates.
        entries: webchat site keys, WhatsApp numbers and Telegram bots (ingangen).
        contractors: by id (aannemers).
        default_contractors: per trade the chain used when a complex has none
            (standaard_aannemers).
        complexes: the client's complexes (complexen).
        retention: the client's own retention terms by data class (bewaartermijnen);
            the other classes keep the defaults of ``meldkamer/privacy/retention.yml``.
        messages: the client's own tenant update texts by key (berichten); the others
            keep the defaults of ``meldkamer/updates/texts.yml``.
        piket: the client's own on-call employees and their roster (piket).
        sla: the client's SLA targets (sla), the defaults where it sets none.
        questions: the client's own questions asked mid-melding, by block (vragen,
            vragen_<taal>); tried before the general ones of ``meldkamer/intake/vragen.yml``.
    """

    id: str
    name: str
    kind: str
    contact: Contact
    notification_emails: tuple[str, ...]
    office: OfficeHours = field(default_factory=OfficeHours)
    heating_season: HeatingSeason = field(default_factory=HeatingSeason)
    protocol: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    notices: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    translated_notices: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    escalation_minutes: int = DEFAULT_ESCALATION_MINUTES
    entries: Entries = field(default_factory=Entries)
    contractors: Mapping[str, Contractor] = field(default_factory=lambda: MappingProxyType({}))
    default_contractors: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    complexes: tuple[Complex, ...] = ()
    retention: Mapping[str, RetentionTerm] = field(default_factory=lambda: MappingProxyType({}))
    # The tenant's update texts in the client's own words (berichten; docs/FOLLOW-UP.md).
    messages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # SLA and the last step of its escalation chain (docs/FOLLOW-UP.md).
    piket: Piket = field(default_factory=Piket)
    sla: SlaTargets = field(default_factory=SlaTargets)
    # controle_na_gereed: a work order's "gereed" leaves the ticket open for the client
    # to check the work (docs/FOLLOW-UP.md).
    check_after_done: bool = False
    # rapportage_email: the monthly report is mailed here (docs/REPORTS.md).
    report_emails: tuple[str, ...] = ()
    questions: Mapping[str, tuple[Question, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    @property
    def escalation(self) -> timedelta:
        """How long an acuut work order may wait for acknowledgement."""
        return timedelta(minutes=self.escalation_minutes)

    def triage_settings(self, table: DecisionTable) -> TriageSettings:
        """Office hours, heating season and protocol rows for the triage engine.

        Raises:
            TableError: a protocol row does not fit ``table`` (the loader checked it
                against the table of its day; a changed table can refuse it).
        """
        overrides = {
            code: protocol_topic(code, spec, table) for code, spec in self.protocol.items()
        }
        return TriageSettings(
            office=self.office, heating_season=self.heating_season, overrides=overrides
        )

    def complex(self, complex_id: str) -> Complex:
        """The complex with this id; ``KeyError`` when there is none."""
        for candidate in self.complexes:
            if candidate.id == complex_id:
                return candidate
        raise KeyError(f"opdrachtgever {self.id} heeft geen complex {complex_id!r}")

    def complex_for(self, postcode: str, huisnummer: int) -> Complex | None:
        """The complex an address belongs to, or ``None``.

        ``postcode`` may be written ``1234ab`` or ``1234 AB``.
        """
        normalised = normalise_postcode(postcode)
        if normalised is None:
            return None
        for candidate in self.complexes:
            if candidate.covers(normalised, huisnummer):
                return candidate
        return None

    def on_call(self, complex_id: str | None, trade: str, at: datetime) -> list[Contractor]:
        """The contractors to call, in escalation order, for a trade at a moment.

        The complex's roster period covering ``at`` wins (a period runs from ``van`` up
        to but not including ``tot``, so at a hand-over moment the next period is on
        call); else the complex's ``standaard``; else the client's
        ``standaard_aannemers``. ``complex_id=None`` (address in no complex) goes to the
        client's list at once. May be empty when nobody covers the trade.

        Raises:
            ValueError: an unknown trade or a naive ``at``.
            KeyError: an unknown complex.
        """
        if trade not in TRADES:
            raise ValueError(f"onbekend vakgebied {trade!r}; geldig zijn: {', '.join(TRADES)}")
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("het moment heeft een tijdzone nodig")
        chain: tuple[str, ...] = ()
        if complex_id is not None:
            cover = self.complex(complex_id).trades.get(trade)
            if cover is not None:
                chain = cover.chain_at(at)
        if not chain:
            chain = self.default_contractors.get(trade, ())
        return [self.contractors[contractor_id] for contractor_id in chain]

    def notice_for(self, topic: str, language: str | None = None) -> str | None:
        """The client's extra notice for the tenant on this topic, if any, in ``language``.

        A notice the client did not write in ``language`` is given in Dutch: what it
        says (costs, whom to call) matters more than the language it is in.
        """
        own = self.translated_notices.get(language or "", {}).get(topic)
        return own or self.notices.get(topic)

    def questions_for(self, language: str) -> tuple[Question, ...]:
        """The client's own questions in ``language`` (none: the general ones only)."""
        return self.questions.get(question_block(language), ())

    def address_ranges(self) -> Iterator[tuple[Complex, AddressRange]]:
        """Every address range with the complex that claims it."""
        for candidate in self.complexes:
            for address in candidate.addresses:
                yield candidate, address
