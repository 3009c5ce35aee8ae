"""The retention job: once a day, remove what is past its term, per data class and client.

When a term starts (see docs/PRIVACY.md):

* gesprekken: the conversation's last event in Rasa's tracker store;
* contactgegevens: the ticket's last change, and only once it is closed (afgerond or
  geannuleerd): an open ticket is work in progress;
* fotos, notities: when made, and only when the ticket they belong to (if any) is closed;
* berichten: when queued, and only once sent or failed for good; files attached to a
  message (a monthly report's PDF) go with its text;
* overdrachten: when closed or handed back to the bot; a draft of a melding handed
  over incomplete (``meldingconcepten``) follows the same term from its last update;
* spool: a melding set aside (``.json.fout``) since that long; a melding still waiting
  to be registered is never removed (it becomes a ticket).

Data of a client follows that client's terms; data of no known client the defaults.
A mail to the client itself (a monthly report, a confirmation) has no ticket; its key
names the client (:func:`~meldkamer.privacy.holdings.client_mail`).
With two workers one does the run and the other finds it done: the run's record is
written first, under a lock (PostgreSQL: an advisory lock; SQLite: the write lock).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from meldkamer.attachments.files import upload_dir
from meldkamer.attachments.models import Attachment
from meldkamer.clients.registry import ClientRegistry
from meldkamer.clients.store import latest
from meldkamer.handover.drafts import Draft
from meldkamer.handover.models import Handover, Note
from meldkamer.intake.spool import FAILED_SUFFIX, spool_dir
from meldkamer.notify.attachments import OutboxAttachment
from meldkamer.notify.models import OutboxMessage
from meldkamer.privacy import events, followup, scrub
from meldkamer.privacy.holdings import client_mail
from meldkamer.privacy.models import PrivacyAction, PrivacyActionKind
from meldkamer.privacy.policy import PolicyFileError, RetentionPolicy, Term, load_policy
from meldkamer.tickets.models import Ticket

logger = logging.getLogger(__name__)

#: How often the job runs; a little less than a day, so it does not drift later daily.
INTERVAL = timedelta(hours=23)
#: Who the record names.
WORKER = "worker"
# Arbitrary fixed key for pg_advisory_xact_lock: one retention run at a time.
_PG_LOCK_KEY = 7_104_215_007

Terms = Mapping[str, Term]


@dataclass(frozen=True)
class Scope:
    """The data of one client (``client_id``), or of every other (``None``)."""

    client_id: str | None
    known: tuple[str, ...]
    terms: Terms

    def owns(self, column: Any) -> ColumnElement[bool]:
        """The condition that a row's client column belongs to this scope."""
        if self.client_id is not None:
            result: ColumnElement[bool] = column == self.client_id
            return result
        return or_(column.is_(None), column.notin_(self.known))

    def owns_message(self) -> ColumnElement[bool]:
        """The condition that an outbox row (joined to its ticket, if any) is this scope's."""
        outbox = OutboxMessage.__table__.c
        by_ticket = self.owns(Ticket.__table__.c.client_id)
        if self.client_id is not None:
            own_mail = and_(outbox.ticket_id.is_(None), client_mail(outbox.key, self.client_id))
            return or_(by_ticket, own_mail)
        if not self.known:
            return by_ticket
        return and_(by_ticket, not_(or_(*(client_mail(outbox.key, c) for c in self.known))))


@dataclass
class RetentionReport:
    """What a run removed, per data class; ``skipped`` when another run was recent."""

    counts: dict[str, int] = field(default_factory=dict)
    skipped: bool = False

    def add(self, code: str, count: int) -> None:
        self.counts[code] = self.counts.get(code, 0) + count


def scopes(registry: ClientRegistry, policy: RetentionPolicy) -> list[Scope]:
    """One scope per client in force and one for the rest."""
    clients = list(registry)
    known = tuple(client.id for client in clients)
    found = [Scope(client.id, known, policy.terms_for(client)) for client in clients]
    return [*found, Scope(None, known, policy.terms_for(None))]


def apply_retention(
    session: Session,
    registry: ClientRegistry,
    policy: RetentionPolicy,
    now: datetime,
    photo_root: Path,
    spool: Path,
) -> tuple[RetentionReport, list[Path]]:
    """Remove what is past its term (the caller commits, then unlinks the files returned)."""
    report = RetentionReport()
    files: list[Path] = []
    for scope in scopes(registry, policy):
        files += _apply_scope(session, scope, now, photo_root, report)
    _conversations(session, registry, policy, now, report)
    report.add("berichten", _files_of_emptied_messages(session))
    default = policy.terms_for(None)
    # The files of rows deleted above have no row now either: they are counted once.
    cutoff = (now - default["fotos"].period).timestamp()
    orphans = [p for p in scrub.orphan_photos(session, photo_root, cutoff) if p not in files]
    files += orphans
    report.add("fotos", len(orphans))
    set_aside = _set_aside(spool, (now - default["spool"].period).timestamp())
    report.add("spool", len(set_aside))
    return report, files + set_aside


def _apply_scope(
    session: Session, scope: Scope, now: datetime, root: Path, report: RetentionReport
) -> list[Path]:
    terms = scope.terms

    def cutoff(code: str) -> datetime:
        return now - terms[code].period

    tickets = Ticket.__table__.c
    closed = or_(tickets.id.is_(None), tickets.status.in_(scrub.CLOSED_STATUSES))
    expired = session.execute(
        select(Ticket).where(
            scope.owns(tickets.client_id),
            tickets.status.in_(scrub.CLOSED_STATUSES),
            tickets.updated_at < cutoff("contactgegevens"),
            tickets.naam != scrub.ANONYMOUS_NAME,
        )
    ).scalars()
    report.add("contactgegevens", scrub.anonymise_tickets(session, list(expired)))
    photos = Attachment.__table__.c
    found = _with_ticket(session, Attachment, scope, closed, photos.created_at < cutoff("fotos"))
    files = scrub.delete_photos(session, found, root)
    report.add("fotos", len(files))
    notes = _with_ticket(
        session, Note, scope, closed, Note.__table__.c.created_at < cutoff("notities")
    )
    report.add("notities", scrub.scrub_notes(session, notes, terms["notities"].action))
    outbox = OutboxMessage.__table__.c
    messages = session.execute(
        select(OutboxMessage)
        .outerjoin(Ticket, OutboxMessage.ticket_id == Ticket.id)
        .where(
            scope.owns_message(),
            outbox.status.in_(scrub.FINISHED_MESSAGES),
            outbox.created_at < cutoff("berichten"),
            outbox.recipient != scrub.REMOVED,
        )
    ).scalars()
    report.add("berichten", scrub.scrub_messages(session, messages, terms["berichten"].action))
    _handovers(session, scope, cutoff("overdrachten"), report)
    # The contact log of a conversation that never became a ticket goes with its text.
    lonely = followup.unlinked_contacts(session, cutoff("gesprekken"), scope.owns)
    report.add("gesprekken", followup.anonymise_contacts(session, lonely))
    return files


def _files_of_emptied_messages(session: Session) -> int:
    """Files still attached to a message already anonymised (before they went with it)."""
    emptied = select(OutboxMessage.id).where(OutboxMessage.recipient == scrub.REMOVED)
    rows = session.execute(
        select(OutboxAttachment).where(OutboxAttachment.__table__.c.message_id.in_(emptied))
    ).scalars()
    count = 0
    for row in rows:
        session.delete(row)
        count += 1
    session.flush()
    return count


def _handovers(session: Session, scope: Scope, cutoff: datetime, report: RetentionReport) -> None:
    columns = Handover.__table__.c
    handovers = session.execute(
        select(Handover).where(
            scope.owns(columns.client_id),
            columns.status.in_(scrub.CLOSED_HANDOVERS),
            func.coalesce(columns.closed_at, columns.requested_at) < cutoff,
            columns.reason != scrub.REMOVED,
        )
    ).scalars()
    action = scope.terms["overdrachten"].action
    report.add("overdrachten", scrub.scrub_handovers(session, list(handovers), action))
    drafts = Draft.__table__.c
    stale = session.execute(
        select(Draft).where(
            scope.owns(drafts.client_id),
            drafts.updated_at < cutoff,
            drafts.conversation_id.not_like(f"{scrub.ANONYMOUS_PREFIX}%"),
        )
    ).scalars()
    report.add("overdrachten", scrub.scrub_drafts(session, list(stale), action))


def _with_ticket(
    session: Session, model: Any, scope: Scope, *conditions: ColumnElement[bool]
) -> list[Any]:
    """Rows of ``model`` (which has ``ticket_id``) whose ticket belongs to the scope."""
    statement = (
        select(model)
        .outerjoin(Ticket, model.ticket_id == Ticket.id)
        .where(scope.owns(Ticket.__table__.c.client_id), *conditions)
    )
    return list(session.execute(statement).scalars())


def _conversations(
    session: Session,
    registry: ClientRegistry,
    policy: RetentionPolicy,
    now: datetime,
    report: RetentionReport,
) -> None:
    """Delete conversations idle for their term; a conversation follows its tickets' client."""
    shortest = min(s.terms["gesprekken"].days for s in scopes(registry, policy))
    idle = events.idle_conversations(session, now - timedelta(days=shortest))
    if not idle:
        return
    owners: dict[str, set[str | None]] = {}
    rows = session.execute(
        select(Ticket.conversation_id, Ticket.client_id).where(
            Ticket.__table__.c.conversation_id.in_(list(idle))
        )
    )
    for conversation, client_id in rows:
        owners.setdefault(conversation, set()).add(client_id)
    expired = []
    for conversation, last in idle.items():
        clients = owners.get(conversation) or {None}
        days = min(
            policy.terms_for(registry.get(c) if c is not None and c in registry else None)[
                "gesprekken"
            ].days
            for c in clients
        )
        if last < now - timedelta(days=days):
            expired.append(conversation)
    report.add("gesprekken", events.delete_events(session, expired))


def _set_aside(folder: Path, older_than: float) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        path
        for path in folder.glob(f"*{FAILED_SUFFIX}")
        if path.is_file() and path.stat().st_mtime < older_than
    ]


def _claim(session: Session, now: datetime) -> PrivacyAction | None:
    """Write this run's record first; ``None`` when another run was recent."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(_advisory_lock()))
    record = PrivacyAction(
        kind=PrivacyActionKind.BEWAARTERMIJN.value, by=WORKER, at=now, client_id=None, counts={}
    )
    session.add(record)
    session.flush()  # on SQLite this takes the write lock: a second worker waits here
    recent = session.execute(
        select(PrivacyAction.id).where(
            PrivacyAction.kind == PrivacyActionKind.BEWAARTERMIJN.value,
            PrivacyAction.at > now - INTERVAL,
            PrivacyAction.id != record.id,
        )
    ).first()
    return None if recent is not None else record


def _advisory_lock() -> Any:
    return func.pg_advisory_xact_lock(_PG_LOCK_KEY)


def run_retention(
    sessions: sessionmaker[Session],
    now: datetime,
    policy: RetentionPolicy | None = None,
    photo_root: Path | None = None,
    spool: Path | None = None,
) -> RetentionReport:
    """One retention run, unless one ran in the last :data:`INTERVAL`; logs the counts.

    Raises:
        PolicyFileError: ``retention.yml`` has a problem (nothing is removed then).
    """
    chosen = policy or load_policy()
    with sessions() as session:
        record = _claim(session, now)
        if record is None:
            session.rollback()
            return RetentionReport(skipped=True)
        report, files = apply_retention(
            session,
            latest(session),
            chosen,
            now,
            photo_root or upload_dir(),
            spool or spool_dir(sessions=sessions),
        )
        record.counts = dict(report.counts)
        session.commit()
    scrub.unlink_files(files)
    # Counts only: the log holds nothing about anyone.
    logger.info(
        "bewaartermijnen toegepast: %s",
        ", ".join(f"{code} {count}" for code, count in sorted(report.counts.items())),
    )
    return report


@dataclass
class RetentionJob:
    """The worker's job ``(sessions, now)``: looks at the database at most once an hour.

    Each worker has its own; the record in the database decides whether a run is due.
    """

    every: timedelta = timedelta(hours=1)
    _checked: datetime | None = None

    async def __call__(self, sessions: Any, now: datetime) -> None:
        if self._checked is not None and now - self._checked < self.every:
            return
        self._checked = now
        try:
            run_retention(sessions, now)
        except PolicyFileError as error:
            logger.error("bewaartermijnen niet toegepast: %s", error)
