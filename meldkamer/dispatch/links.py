"""The secret in a work order's acknowledgement link: made, hashed at rest, checked, expired.

The plaintext token exists only in the link sent to the contractor; the database holds its
SHA-256, so a copy of the database (a backup, a read-only leak) opens no work order. A
link stops working a grace period after its ticket closed, and in any case after a hard
maximum age. An unknown, guessed or expired token gets the same answer, so the answer
tells a guesser nothing about which tokens once existed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from meldkamer.dispatch.models import WorkOrder
from meldkamer.envvalues import env_number
from meldkamer.rows import one_row
from meldkamer.tickets.models import ALLOWED_TRANSITIONS, Ticket, TicketStatus

#: 32 random bytes: 256 bits, far beyond guessing even at millions of tries a second.
TOKEN_BYTES = 32


class UnknownWorkOrder(LookupError):
    """No valid work order has this token (never existed, or its link expired)."""


# One message for both: the caller cannot tell (and so cannot show) which it was.
_UNKNOWN = "onbekende of verlopen werkbonlink"


@dataclass(frozen=True)
class LinkPolicy:
    """How long an acknowledgement link works.

    Attributes:
        grace: after the ticket closed (afgerond, geannuleerd), the link still works this
            long, so a contractor who reads the work order late is not met by an error.
        max_age: no link works longer than this after it was sent, open ticket or not.
    """

    grace: timedelta = timedelta(days=7)
    max_age: timedelta = timedelta(days=30)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LinkPolicy:
        """``MELDKAMER_WERKBON_GRACE_DAYS`` (7), ``MELDKAMER_WERKBON_MAX_AGE_DAYS`` (30)."""
        env = os.environ if env is None else env
        return cls(
            grace=_days(env, "MELDKAMER_WERKBON_GRACE_DAYS", cls.grace),
            max_age=_days(env, "MELDKAMER_WERKBON_MAX_AGE_DAYS", cls.max_age),
        )


def _days(env: Mapping[str, str], name: str, default: timedelta) -> timedelta:
    days = env_number(env, name, low=0, high=3650)
    return default if days is None else timedelta(days=days)


def new_token() -> str:
    """A fresh secret for a link (URL-safe, 43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """What the database keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def closed_at(ticket: Ticket) -> datetime | None:
    """When the ticket reached a final status, or None while it is open."""
    if ALLOWED_TRANSITIONS[TicketStatus(ticket.status)]:
        return None
    changes = [c.changed_at for c in ticket.status_changes if c.status_to == ticket.status]
    return changes[-1] if changes else ticket.updated_at


def expires_at(order: WorkOrder, ticket: Ticket | None, policy: LinkPolicy) -> datetime:
    """The moment the order's link stops working."""
    hard = order.created_at + policy.max_age
    closed = closed_at(ticket) if ticket is not None else order.created_at
    return hard if closed is None else min(hard, closed + policy.grace)


def find_valid(session: Session, token: str, now: datetime, policy: LinkPolicy) -> WorkOrder:
    """The work order behind a link that still works.

    Raises:
        UnknownWorkOrder: no order has this token, or its link has expired.
    """
    digest = hash_token(token)
    order = one_row(session, WorkOrder, WorkOrder.token_hash == digest)
    # The lookup is by an index on the hash: a guesser controls the token, not its hash,
    # so timing reveals nothing; the comparison below is constant-time all the same.
    if order is None or not hmac.compare_digest(order.token_hash, digest):
        raise UnknownWorkOrder(_UNKNOWN)
    if now >= expires_at(order, session.get(Ticket, order.ticket_id), policy):
        raise UnknownWorkOrder(_UNKNOWN)
    return order
