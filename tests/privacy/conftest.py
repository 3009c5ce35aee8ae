"""A database with real data of three tenants of two clients, made through the real code.

Tickets come from ``register_melding``, photos from ``store_file``/``record``, notes,
handovers and drafts from the handover service, messages from the outbox, conversation text from
Rasa's tracker store (``rasa_addons.tracker_store``) on the same database, a set-aside
melding from the spool. Each client also has a member of staff with a portal account
and a session, and last month's report mailed with its PDF; one has a change request.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.attachments.files import store_file
from meldkamer.attachments.store import link_to_ticket, record
from meldkamer.handover.drafts import keep_draft, link_draft
from meldkamer.handover.service import add_note, close, request_handover
from meldkamer.handover.summary import HandoverSummary
from meldkamer.intake.melding import Melding
from meldkamer.intake.spool import spool_melding
from meldkamer.intake.validation import Address
from meldkamer.models import Base
from meldkamer.notify.attachments import MailAttachment, enqueue_with_attachments
from meldkamer.notify.outbox import enqueue, mark_sent
from meldkamer.portal.accounts import create_user
from meldkamer.portal.changes import Proposal, submit
from meldkamer.portal.sessions import start_session
from meldkamer.reports import Month
from meldkamer.service.monthly_report import PURPOSE, mail_key
from meldkamer.service.registration import register_melding
from meldkamer.tickets import Ticket, change_status
from meldkamer.tickets.edits import edit_ticket
from meldkamer.triage import TriageSettings, default_engine
from rasa_addons.tracker_store import DatabaseUrlTrackerStore

#: When everything was made: now, since Rasa's events and the files carry real times.
T0 = datetime.now(timezone.utc).replace(microsecond=0)


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    return buffer.getvalue()


JPEG = _jpeg()


@dataclass(frozen=True)
class Tenant:
    """A tenant of the test world and what identifies them."""

    key: str
    name: str
    phone: str
    email: str
    conversation: str
    postcode: str
    huisnummer: int
    client_id: str
    closed: bool


ANNA = Tenant(
    "a",
    "Anna Jansen",
    "+31612345678",
    "anna@example.nl",
    "wa-31612345678",
    "1234 AB",
    12,
    "de-linde",
    True,
)
BART = Tenant(
    "b",
    "Bart de Boer",
    "+31687654321",
    "bart@example.nl",
    "web-bart",
    "9876 AB",
    5,
    "vve-beheer-noord",
    True,
)
CEES = Tenant(
    "c",
    "Cees Open",
    "+31611112222",
    "cees@example.nl",
    "web-cees",
    "1234 AB",
    30,
    "de-linde",
    False,
)
TENANTS = (ANNA, BART, CEES)


@dataclass(frozen=True)
class Staff:
    """A member of a client's staff: a portal account, and the client's report address."""

    username: str
    name: str
    client_id: str
    report_to: str

    @property
    def pdf(self) -> bytes:
        """The report's file as mailed (its bytes name the client, to be found in a dump)."""
        return f"%PDF-1.4 maandrapport {self.client_id}".encode()


DIRK = Staff("dirk", "Dirk Lindeman", "de-linde", "rapportage@de-linde.example.nl")
PETRA = Staff("petra", "Petra Noordhof", "vve-beheer-noord", "bestuur@vve-noord.example.nl")
STAFF = (DIRK, PETRA)
#: The month whose report the world mailed.
REPORTED = Month(2026, 10)


@dataclass
class World:
    """The database, the folders, and the tenants in it."""

    sessions: sessionmaker[Session]
    photos: Path
    spool: Path
    database_url: str


def _melding(tenant: Tenant) -> Melding:
    return Melding(
        melding_id=f"melding-{tenant.key}",
        conversation_id=tenant.conversation,
        channel="whatsapp" if tenant.conversation.startswith("wa-") else "webchat",
        topic="lekkage_waterleiding",
        address=Address(tenant.postcode, tenant.huisnummer),
        naam=tenant.name,
        telefoon=tenant.phone,
        email=tenant.email,
        beschrijving=f"lekkage bij {tenant.name}",
        client_id=tenant.client_id,
    )


def _register(session: Session, tenant: Tenant, root: Path) -> Ticket:
    ticket, _, _ = register_melding(
        session, _melding(tenant), engine=default_engine(), settings=TriageSettings(), now=T0
    )
    stored = store_file(JPEG, root, T0)
    record(session, stored, tenant.conversation, T0)
    link_to_ticket(session, tenant.conversation, [stored.relative], ticket.id)
    add_note(session, tenant.conversation, "agent", f"{tenant.name} belde terug", T0, ticket.id)
    handover = request_handover(
        session,
        conversation_id=tenant.conversation,
        channel=ticket.channel,
        reason="huurder vraagt een mens",
        summary={"topic": ticket.topic, "naam": tenant.name, "telefoon": tenant.phone},
        now=T0,
        client_id=tenant.client_id,
        ticket_id=ticket.id,
    )
    # The melding was handed over incomplete once: its draft, linked to the ticket it became.
    draft = keep_draft(
        session,
        conversation_id=tenant.conversation,
        channel=ticket.channel,
        summary=HandoverSummary(
            topic=ticket.topic,
            address=f"{tenant.postcode} {tenant.huisnummer}",
            name=tenant.name,
            phone=tenant.phone,
            email=tenant.email,
            client_id=tenant.client_id,
        ),
        now=T0,
        handover_id=handover.id,
    )
    link_draft(session, draft, ticket.id, "agent", T0)
    close(session, handover.id, T0)
    edit_ticket(session, ticket, "naam", tenant.name + " jr", by="agent", reason=None, now=T0)
    message = enqueue(
        session,
        key=f"bevestiging:{ticket.number}",
        kind="sms",
        recipient=tenant.phone,
        body=f"Beste {tenant.name}, uw melding {ticket.number} is ontvangen.",
        ticket_id=ticket.id,
        purpose="bevestiging",
        now=T0,
    )
    mark_sent(session, message, T0)
    if tenant.closed:
        change_status(session, ticket, "afgerond", by="agent", reason=None, now=T0)
    return ticket


def _staff(session: Session, staff: Staff) -> None:
    user = create_user(
        session,
        username=staff.username,
        display_name=staff.name,
        client_id=staff.client_id,
        password="een lang genoeg wachtwoord 42",
        clients=[c.client_id for c in STAFF],
        now=T0,
    )
    start_session(session, user, T0)
    message = enqueue_with_attachments(
        session,
        key=mail_key(staff.client_id, REPORTED, staff.report_to),
        recipient=staff.report_to,
        subject=f"Maandrapportage {REPORTED.label}",
        body=f"Beste {staff.name}, hierbij de rapportage.",
        attachments=[
            MailAttachment(f"{staff.client_id}-{REPORTED}.pdf", "application/pdf", staff.pdf)
        ],
        purpose=PURPOSE,
        now=T0,
    )
    mark_sent(session, message, T0)


def _change_request(session: Session, staff: Staff) -> None:
    submit(
        session,
        Proposal(
            client_id=staff.client_id,
            part="stookseizoen",
            submitted="stookseizoen:\n  van: 1 oktober\n",
            source="id: " + staff.client_id,
            diff="- van: 15 oktober\n+ van: 1 oktober",
            base_version=1,
        ),
        by=staff.username,
        explanation=f"{staff.name}: eerder stoken dit jaar",
        now=T0,
    )


def _conversations(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    store = DatabaseUrlTrackerStore(Domain.empty())

    async def write() -> None:
        for tenant in (*TENANTS, None):
            sender = tenant.conversation if tenant else "web-zonder-ticket"
            tracker = await store.get_or_create_tracker(sender)
            said = f"ik ben {tenant.name}, {tenant.phone}" if tenant else "hallo"
            tracker.update(UserUttered(said, timestamp=T0.timestamp()))
            tracker.update(BotUttered("Dank u.", timestamp=T0.timestamp()))
            await store.save(tracker)

    try:
        asyncio.run(write())
    finally:
        store.engine.dispose()


@pytest.fixture
def world(
    demo_sessions: sessionmaker[Session],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    photos, spool = tmp_path / "uploads", tmp_path / "spool"
    with demo_sessions.begin() as session:
        for tenant in TENANTS:
            _register(session, tenant, photos)
        # A photo of a conversation that never became a ticket.
        record(session, store_file(JPEG, photos, T0), "web-zonder-ticket", T0)
        for staff in STAFF:
            _staff(session, staff)
        _change_request(session, PETRA)
    _conversations(database_url, monkeypatch)
    stranded = Melding(**{**_melding(ANNA).__dict__, "melding_id": "melding-a-spool"})
    spool_melding(stranded, received_at=T0, directory=spool, problem="onleesbaar adres")
    yield World(demo_sessions, photos, spool, database_url)


def dump(session: Session) -> str:
    """Every row of every table (Meldkamer's and Rasa's events), as one text."""
    parts = []
    for table in [*Base.metadata.sorted_tables]:
        parts += [repr(tuple(row)) for row in session.execute(select(table))]
    parts += [repr(tuple(row)) for row in session.execute(text("SELECT * FROM events"))]
    return "\n".join(parts)


def later(days: int) -> datetime:
    """The clock moved ``days`` on from when the world was made."""
    return T0 + timedelta(days=days)
