"""The supervisor's queue statistics: today's handovers and the agents, read and counted."""

from __future__ import annotations

from sqlalchemy import or_, select

from meldkamer.agents.accounts import is_present, list_agents
from meldkamer.agents.scope import UNLIMITED, AgentScope
from meldkamer.handover.models import OPEN_STATUSES, Handover
from meldkamer.handover.stats import (
    AgentRecord,
    HandoverRecord,
    QueueStats,
    Targets,
    queue_stats,
    start_of_day,
)
from meldkamer.service.context import Collaborators

HANDOVERS = Handover.__table__.c


def queue_statistics(
    ctx: Collaborators, targets: Targets, scope: AgentScope = UNLIMITED
) -> QueueStats:
    """Waiting now per lane, oldest wait, norm met and abandoned today, agents and load.

    Only handovers of ``scope``'s clients count: a supervisor limited to some clients
    sees their figures. "Today" begins at midnight in the meldkamer's time zone.
    """
    now = ctx.clock()
    day_start = start_of_day(now)
    with ctx.sessions() as session:
        rows = session.execute(
            select(Handover).where(
                scope.where(HANDOVERS.client_id),
                or_(
                    HANDOVERS.status.in_(OPEN_STATUSES),
                    HANDOVERS.requested_at >= day_start,
                    HANDOVERS.taken_at >= day_start,
                ),
            )
        ).scalars()
        records = [
            HandoverRecord(
                callback=row.callback,
                urgency_rank=row.urgency_rank,
                status=row.status,
                requested_at=row.requested_at,
                taken_at=row.taken_at,
                closed_at=row.closed_at,
                agent=row.agent,
            )
            for row in rows
        ]
        agents = [
            AgentRecord(agent.username, agent.display_name, agent.role, is_present(agent, now))
            for agent in list_agents(session)
            if agent.active
        ]
    return queue_stats(records, agents, now, targets)
