"""The link with which the supervisor or the client's piket takes an escalation step on.

Each step that reaches a person (the supervisor, the piket) gets a fresh link; its secret
is hashed at rest like a work order's (:mod:`meldkamer.dispatch.links`, whose functions
these are). The link works while its step waits: a later step replaces it (the chain has
moved on to someone else), and it stops a while after it was sent in any case. Taking the
step on stops the chain (:func:`meldkamer.sla.escalate.take_on`); a link never used lets
the chain go on. An unknown, replaced or expired link gets the same answer.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from meldkamer.dispatch.links import LinkPolicy, hash_token, new_token
from meldkamer.rows import one_row
from meldkamer.sla.chain import STEP_LABELS, Step
from meldkamer.sla.clocks import CLOCK_LABELS, ClockState
from meldkamer.sla.models import SlaClock
from meldkamer.tickets import Ticket


class UnknownAck(LookupError):
    """No escalation step waits behind this link (never existed, replaced, or expired)."""


# One message for all: the caller cannot tell (and so cannot show) which it was.
_UNKNOWN = "onbekende of verlopen link"


#: Who took the step on, in the contact log, by the step the link was sent with.
TAKEN_BY = {
    Step.SUPERVISOR.value: "supervisor (via de link)",
    Step.PIKET.value: "piket opdrachtgever (via de link)",
}


def issue_link(clock: SlaClock, public_url: str) -> str:
    """A fresh link for the clock's step; the clock keeps only its hash."""
    token = new_token()
    clock.ack_token_hash = hash_token(token)
    return f"{public_url.rstrip('/')}/sla/{token}"


@dataclass(frozen=True)
class AckView:
    """What the page behind the link shows: which promise, which melding, taken on yet."""

    clock_id: int
    what: str
    step: str
    ticket_number: str | None
    taken_on: bool


def find_step(session: Session, token: str, now: datetime, policy: LinkPolicy) -> SlaClock:
    """The clock whose step this link belongs to.

    Raises:
        UnknownAck: no clock has this link now, or it was sent longer ago than
            ``policy.grace``.
    """
    digest = hash_token(token)
    clock = one_row(session, SlaClock, SlaClock.ack_token_hash == digest)
    if clock is None or not hmac.compare_digest(clock.ack_token_hash or "", digest):
        raise UnknownAck(_UNKNOWN)
    sent = clock.escalated_at or clock.breached_at
    if sent is None or now >= sent + policy.grace:
        raise UnknownAck(_UNKNOWN)
    return clock


def view(session: Session, clock: SlaClock) -> AckView:
    """The page's facts about ``clock``."""
    ticket = session.get(Ticket, clock.ticket_id) if clock.ticket_id else None
    return AckView(
        clock_id=clock.id,
        what=CLOCK_LABELS[clock.clock],
        step=STEP_LABELS[clock.escalation_step],
        ticket_number=ticket.number if ticket else None,
        taken_on=clock.state != ClockState.VERLOPEN.value or clock.met_at is not None,
    )
