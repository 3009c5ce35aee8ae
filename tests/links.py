"""The plaintext token of a work order's link, read where it exists: the queued SMS.

The database keeps only the token's hash, so tests that click a link take it from the
message sent to the contractor, as the contractor does.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.dispatch.models import WorkOrder
from meldkamer.notify.models import OutboxMessage

_LINK = re.compile(r"/werkbon/([A-Za-z0-9_-]+)")


def link_token(sessions: sessionmaker[Session], order: WorkOrder) -> str:
    """The token in the link of ``order``'s SMS."""
    with sessions() as session:
        body = session.execute(
            select(OutboxMessage.body).where(OutboxMessage.key.like(f"werkbon:%:{order.id}:sms"))
        ).scalar_one()
    match = _LINK.search(body)
    assert match, body
    return match.group(1)
