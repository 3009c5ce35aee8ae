"""The supervisor or the client's piket takes an escalation step on through its link.

The page behind the link (:func:`show_step`) only shows; its one button (a POST, since
mail and chat apps open links by themselves for previews) takes the step on
(:func:`acknowledge_step`): the chain stops, who and when in the contact log. A link never
used lets the chain go on to the next step, which gets a link of its own.
"""

from __future__ import annotations

from meldkamer.dispatch.links import LinkPolicy
from meldkamer.service.context import Collaborators
from meldkamer.sla.ack import TAKEN_BY, AckView, find_step, view
from meldkamer.sla.escalate import NotWatched, take_on


def show_step(ctx: Collaborators, token: str, policy: LinkPolicy) -> AckView:
    """What the link is about.

    Raises:
        UnknownAck: an unknown, replaced or expired link.
    """
    with ctx.sessions() as session:
        return view(session, find_step(session, token, ctx.clock(), policy))


def acknowledge_step(ctx: Collaborators, token: str, policy: LinkPolicy) -> tuple[AckView, bool]:
    """Take the step on; returns the clock's view and whether it was taken on before.

    A step already taken on (or met after all) stays as it is.

    Raises:
        UnknownAck: an unknown, replaced or expired link.
    """
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        clock = find_step(session, token, now, policy)
        if view(session, clock).taken_on:
            return view(session, clock), True
        try:
            take_on(session, clock.id, TAKEN_BY.get(clock.escalation_step, "via de link"), now)
        except NotWatched:
            return view(session, clock), True  # nothing waits any more
        return view(session, clock), False
