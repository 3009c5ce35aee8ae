"""Change requests: a client proposes a changed part of its file, a supervisor applies it.

Submitting splices the part into the version in force, checks the whole file as
``meldkamer clients apply`` would (:func:`meldkamer.clients.loader.parse_client`, then the
clash check of :func:`meldkamer.clients.store.apply_all`) and keeps the diff the client
saw. Applying splices the part again into the version in force *then* (a change applied
in between is kept, not undone) and goes through :func:`apply_all`, which stores the next
version and queues the confirmation e-mail to the client (seed 1.4) in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import desc, select
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.clients.cache import ClientCache
from meldkamer.clients.loader import ClientFileError, LoadedClient, parse_client
from meldkamer.clients.registry import RegistryConflictError
from meldkamer.clients.store import apply_all, diff, newest_version
from meldkamer.portal.models import ChangeRequest, RequestState
from meldkamer.portal.parts import PartError, part_of, splice
from meldkamer.rows import added
from meldkamer.triage.table import DecisionTable

STATE_LABELS = {
    RequestState.SUBMITTED.value: "Ingediend, wacht op de meldkamer",
    RequestState.APPLIED.value: "Doorgevoerd",
    RequestState.REJECTED.value: "Afgewezen",
}
_MAX_NOTE = 2000


class ChangeRefused(ValueError):
    """A change request cannot be submitted or reviewed; :attr:`problems` says why (Dutch)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Proposal:
    """A checked change: the whole file as it would be applied, and its diff."""

    client_id: str
    part: str
    submitted: str
    source: str
    diff: str
    base_version: int | None


def _note(text: str | None) -> str | None:
    cleaned = (text or "").strip()
    if len(cleaned) > _MAX_NOTE:
        raise ChangeRefused([f"een toelichting heeft hoogstens {_MAX_NOTE} tekens"])
    return cleaned or None


def propose(
    session: Session, client_id: str, part_code: str, text: str, table: DecisionTable
) -> Proposal:
    """Check a changed part of ``client_id``'s file against the version in force.

    Raises:
        ChangeRefused: the part does not read, the file would be refused, it clashes with
            another client, or it changes nothing; every problem in Dutch.
    """
    current = newest_version(session, client_id)
    if current is None:
        raise ChangeRefused(["er is nog geen klantdossier van deze opdrachtgever"])
    try:
        part = part_of(part_code)
        source = splice(current.source, part, text)
    except PartError as error:
        raise ChangeRefused([str(error)]) from None
    name = f"{client_id} ({part.label.lower()})"
    try:
        client = parse_client(source, name, table)
    except ClientFileError as error:
        raise ChangeRefused([str(problem) for problem in error.problems]) from None
    if client.id != client_id:
        raise ChangeRefused(["de id van de opdrachtgever kan niet worden gewijzigd"])
    if current.source == source:
        raise ChangeRefused(["er is niets gewijzigd ten opzichte van de geldende versie"])
    return Proposal(
        client_id=client_id,
        part=part.code,
        submitted=text,
        source=source,
        diff=diff(session, client, source, name=f"{client_id} voorstel"),
        base_version=current.version,
    )


def submit(
    session: Session,
    proposal: Proposal,
    *,
    by: str,
    explanation: str | None,
    now: datetime,
) -> ChangeRequest:
    """Store a checked proposal as a submitted change request (the caller commits)."""
    return added(
        session,
        ChangeRequest(
            client_id=proposal.client_id,
            part=proposal.part,
            submitted=proposal.submitted,
            source=proposal.source,
            diff=proposal.diff,
            base_version=proposal.base_version,
            explanation=_note(explanation),
            state=RequestState.SUBMITTED.value,
            submitted_by=by,
            submitted_at=now,
        ),
    )


def requests_of(session: Session, client_id: str | None = None) -> list[ChangeRequest]:
    """Change requests, newest first; of one client when given."""
    query = select(ChangeRequest).order_by(desc(ChangeRequest.submitted_at), desc(ChangeRequest.id))
    if client_id is not None:
        query = query.where(ChangeRequest.client_id == client_id)
    return list(session.execute(query).scalars())


def request_of(
    session: Session, request_id: int, client_id: str | None = None
) -> ChangeRequest | None:
    """One change request; ``None`` when it does not exist or is another client's."""
    found: ChangeRequest | None = session.get(ChangeRequest, request_id)
    if found is None or (client_id is not None and found.client_id != client_id):
        return None
    return found


def _open(session: Session, request_id: int) -> ChangeRequest:
    found: ChangeRequest | None = session.get(ChangeRequest, request_id, with_for_update=True)
    if found is None:
        raise ChangeRefused(["dit wijzigingsverzoek bestaat niet"])
    if found.state != RequestState.SUBMITTED.value:
        raise ChangeRefused([f"dit verzoek is al beoordeeld: {STATE_LABELS[found.state].lower()}"])
    return found


def review_proposal(session: Session, request: ChangeRequest, table: DecisionTable) -> Proposal:
    """The request's part spliced into the version in force now (what applying would do).

    Raises:
        ChangeRefused: the part no longer fits the file in force.
    """
    return propose(session, request.client_id, request.part, request.submitted, table)


def apply_request(
    session: Session,
    request_id: int,
    *,
    by: str,
    note: str | None,
    table: DecisionTable,
    now: datetime,
) -> ChangeRequest:
    """Apply a submitted request as the client's next version (the caller commits).

    The version store queues the confirmation e-mail to the client in this transaction.

    Raises:
        ChangeRefused: already reviewed, no longer valid, or clashing with another client.
    """
    request = _open(session, request_id)
    proposal = review_proposal(session, request, table)
    client = parse_client(proposal.source, f"{request.client_id} verzoek {request.id}", table)
    label = part_of(request.part).label.lower()
    summary = f"wijzigingsverzoek {request.id} ({label}) van {request.submitted_by}"
    if request.explanation:
        summary += f": {request.explanation}"
    loaded = LoadedClient(client, proposal.source, f"verzoek {request.id}")
    try:
        [(version, _)] = apply_all(session, [loaded], by, now, note=summary, table=table)
    except RegistryConflictError as error:
        raise ChangeRefused(list(error.conflicts)) from None
    except ValueError as error:
        raise ChangeRefused([str(error)]) from None
    request.state = RequestState.APPLIED.value
    request.reviewed_by, request.reviewed_at = by, now
    request.review_note = _note(note)
    request.applied_version = version.version
    session.flush()
    return request


def reject_request(
    session: Session, request_id: int, *, by: str, note: str | None, now: datetime
) -> ChangeRequest:
    """Reject a submitted request with a reason the client reads (the caller commits).

    Raises:
        ChangeRefused: already reviewed, or no reason given.
    """
    request = _open(session, request_id)
    reason = _note(note)
    if reason is None:
        raise ChangeRefused(["geef de opdrachtgever een reden waarom het verzoek is afgewezen"])
    request.state = RequestState.REJECTED.value
    request.reviewed_by, request.reviewed_at, request.review_note = by, now, reason
    session.flush()
    return request


def decide_request(
    sessions: sessionmaker[Session],
    clients: ClientCache,
    request_id: int,
    *,
    apply: bool,
    by: str,
    note: str | None,
    now: datetime,
) -> ChangeRequest:
    """Apply or reject a submitted request in a transaction of its own.

    After applying, ``clients`` (the process's cache of the clients in force) reads the
    new version on its next use: the pages of this process, the portal's client file
    among them, would otherwise show the old one until the cache's next refresh.

    Raises:
        ChangeRefused: see :func:`apply_request` and :func:`reject_request`.
    """
    with sessions.begin() as session:
        if apply:
            done = apply_request(
                session, request_id, by=by, note=note, table=clients.engine.table, now=now
            )
        else:
            done = reject_request(session, request_id, by=by, note=note, now=now)
    if apply:
        clients.expire()  # after the commit: a read before it would keep the old version
    return done
