"""Per-client scoping in the console: a limited agent reaches only its clients' ids.

Every id in a console URL (a handover, a ticket number, a photo, an SLA clock, a
client's change request, a portal account) is looked up to the client (opdrachtgever)
it belongs to, before the handler runs. For an agent limited to some clients
(:class:`meldkamer.agents.scope.AgentScope`), an id of another client and an id that
does not exist get the same 404, so typing URLs tells nothing about what exists. An id
parameter this module does not know is refused too: a new route must say here whose
data it shows before limited agents can use it. Parameters that only choose an action
(``CHOICES``) are no ids.
Lists (the queue, the history) filter in their queries with ``AgentScope.where``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.keys import SESSIONS
from meldkamer.agents.sessions import SignedIn
from meldkamer.attachments.models import Attachment
from meldkamer.handover.models import Handover
from meldkamer.portal.models import ChangeRequest, PortalUser
from meldkamer.sla.models import SlaClock
from meldkamer.tickets.models import Ticket

#: What a limited agent gets for an id that is not of its clients, or not at all.
NOT_FOUND = "Deze pagina bestaat niet, of hoort niet bij uw opdrachtgevers."

#: Phone mode: the caller's address is of a client the agent does not work for.
OUTSIDE_CLIENTS = (
    "Dit adres valt niet onder de opdrachtgevers waarvoor u werkt. Verbind de beller door "
    "met een collega die deze opdrachtgever wel aanneemt."
)

#: The clients an id belongs to (``None``: not known yet); empty when there is no such row.
Owners = Sequence[str | None]


def _handover(session: Session, value: str) -> Owners:
    return list(
        session.execute(select(Handover.client_id).where(Handover.id == int(value))).scalars()
    )


def _ticket(session: Session, value: str) -> Owners:
    return list(session.execute(select(Ticket.client_id).where(Ticket.number == value)).scalars())


def _attachment(session: Session, value: str) -> Owners:
    attachment = session.get(Attachment, int(value))
    if attachment is None:
        return []
    if attachment.ticket_id is not None:
        ticket = session.get(Ticket, attachment.ticket_id)
        return [ticket.client_id if ticket else None]
    # Not registered yet: the photo belongs to the client of its conversation's handover.
    found = session.execute(
        select(Handover.client_id).where(Handover.conversation_id == attachment.conversation_id)
    ).scalars()
    return list(found) or [None]


def _clock(session: Session, value: str) -> Owners:
    clock = session.get(SlaClock, int(value))
    if clock is None:
        return []
    # A handed-over chat's clock has no ticket yet: the client of its handover.
    owner = session.get(Ticket, clock.ticket_id) if clock.ticket_id is not None else None
    if owner is None and clock.handover_id is not None:
        owner = session.get(Handover, clock.handover_id)
    return [owner.client_id if owner is not None else None]


def _change_request(session: Session, value: str) -> Owners:
    found = select(ChangeRequest.client_id).where(ChangeRequest.id == int(value))
    return list(session.execute(found).scalars())


def _portal_user(session: Session, value: str) -> Owners:
    found = select(PortalUser.client_id).where(PortalUser.username == value)
    return list(session.execute(found).scalars())


#: Every id parameter of the console's routes, and how to find its client.
OWNERS: dict[str, Callable[[Session, str], Owners]] = {
    "handover_id": _handover,
    "number": _ticket,
    "attachment_id": _attachment,
    "clock_id": _clock,
    "request_id": _change_request,
    "username": _portal_user,
}

#: Parameters that choose what to do with the id beside them, not whose data it is.
CHOICES = frozenset({"decision", "action"})


def visible(session: Session, who: SignedIn, match_info: dict[str, str]) -> bool:
    """Whether every id in the URL belongs to one of the agent's clients."""
    for name, value in match_info.items():
        if name in CHOICES:
            continue
        lookup = OWNERS.get(name)
        if lookup is None:
            return False  # an id nobody said how to scope: closed until someone does
        if not any(who.scope.allows(owner) for owner in lookup(session, value)):
            return False
    return True


def refuse_outside_scope(request: web.Request, who: SignedIn) -> None:
    """Raise 404 when a limited agent asks for an id that is not of its clients."""
    if not who.scope.limited or not request.match_info:
        return
    with request.app[SESSIONS]() as session:
        allowed = visible(session, who, dict(request.match_info))
    if not allowed:
        raise web.HTTPNotFound(text=NOT_FOUND)
