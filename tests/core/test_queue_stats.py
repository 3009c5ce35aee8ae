"""Queue statistics on recorded handovers: the clock moves, the figures follow."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meldkamer.agents.accounts import hash_password
from meldkamer.agents.models import Agent
from meldkamer.agents.scope import AgentScope
from meldkamer.handover.service import close, request_handover, take
from meldkamer.handover.stats import (
    AgentRecord,
    HandoverRecord,
    TargetsFileError,
    lane_stats,
    load_targets,
    parse_targets,
    queue_stats,
)
from meldkamer.service.context import Collaborators
from meldkamer.service.queue_stats import queue_statistics

AMS = ZoneInfo("Europe/Amsterdam")
NIGHT = datetime(2026, 12, 2, 3, 0, tzinfo=AMS)
TARGETS = load_targets()


def record(
    minutes_ago: float,
    *,
    now: datetime = NIGHT,
    rank: int = 0,
    callback: bool = False,
    taken_after: float | None = None,
    closed_after: float | None = None,
    agent: str | None = None,
) -> HandoverRecord:
    requested = now - timedelta(minutes=minutes_ago)
    taken = requested + timedelta(minutes=taken_after) if taken_after is not None else None
    closed = requested + timedelta(minutes=closed_after) if closed_after is not None else None
    status = "gesloten" if closed else ("in_behandeling" if taken else "wachtend")
    return HandoverRecord(callback, rank, status, requested, taken, closed, agent)


def test_the_packaged_norms_are_two_minutes_for_acuut_and_five_otherwise() -> None:
    for lane in ("live", "terugbellen"):
        assert TARGETS.norm(lane, 2) == timedelta(minutes=2)
        assert TARGETS.norm(lane, 1) == TARGETS.norm(lane, 0) == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "live: {acuut: 2, urgent: 5}\nterugbellen: {acuut: 2, urgent: 5, niet_urgent: 5}",
            "live.niet_urgent",
        ),
        ("live: {acuut: 0, urgent: 5, niet_urgent: 5}\nterugbellen: {}", "live.acuut"),
        ("live: {acuut: 2, urgent: 5, niet_urgent: 5}", "terugbellen: ontbreekt"),
        ("- 1\n- 2", "verwacht de rijen"),
        (
            "live: {acuut: 2, urgent: 5, niet_urgent: 5, spoed: 1}\nterugbellen: {acuut: 2, urgent: 5, niet_urgent: 5}",
            "spoed",
        ),
        ("live: [", "geen geldige YAML"),
    ],
)
def test_a_bad_norms_file_is_refused_with_the_field(text: str, says: str) -> None:
    with pytest.raises(TargetsFileError, match=says):
        parse_targets(text, "targets.yml")


def test_an_empty_queue_has_no_oldest_wait_and_no_percentage() -> None:
    stats = lane_stats([], "live", NIGHT, TARGETS)
    assert (stats.waiting, stats.oldest_wait, stats.counted, stats.percentage) == (0, None, 0, None)


def test_waiting_now_and_oldest_wait_per_lane_as_time_moves() -> None:
    records = [record(3), record(1, rank=2), record(40, callback=True), record(10, taken_after=1)]
    live = lane_stats(records, "live", NIGHT, TARGETS)
    assert live.waiting == 2 and live.oldest_wait == timedelta(minutes=3)
    later = lane_stats(records, "live", NIGHT + timedelta(minutes=7), TARGETS)
    assert later.oldest_wait == timedelta(minutes=10)
    callbacks = lane_stats(records, "terugbellen", NIGHT, TARGETS)
    assert callbacks.waiting == 1 and callbacks.oldest_wait == timedelta(minutes=40)


def test_norm_met_counts_taken_ones_and_those_past_their_norm() -> None:
    records = [
        record(30, rank=2, taken_after=1.5),  # acuut within 2 minutes
        record(30, rank=2, taken_after=3),  # acuut too late
        record(30, rank=1, taken_after=4.9),  # urgent within 5
        record(1, rank=2),  # acuut, waiting 1 minute: not counted yet
    ]
    stats = lane_stats(records, "live", NIGHT, TARGETS)
    assert (stats.counted, stats.within_norm, stats.percentage) == (3, 2, 66)
    # Two minutes on, the waiting acuut one has missed its norm: it counts, not within.
    moved = lane_stats(records, "live", NIGHT + timedelta(minutes=2), TARGETS)
    assert (moved.counted, moved.within_norm, moved.percentage) == (4, 2, 50)


def test_abandoned_is_ended_without_an_agent_and_only_today() -> None:
    records = [
        record(20, closed_after=3),  # the tenant left before anyone took it
        record(20, taken_after=1, closed_after=9),  # handled
        record(4 * 60, closed_after=1),  # yesterday (23:00): not today's
    ]
    stats = lane_stats(records, "live", NIGHT, TARGETS)
    assert stats.abandoned == 1
    assert (stats.counted, stats.within_norm) == (1, 1)  # ended within its norm: not counted


def test_today_starts_at_midnight_in_amsterdam() -> None:
    before_midnight = NIGHT.replace(hour=0) - timedelta(minutes=5)
    late = [HandoverRecord(False, 0, "in_behandeling", before_midnight, before_midnight, None, "s")]
    assert lane_stats(late, "live", NIGHT, TARGETS).counted == 0
    assert lane_stats(late, "live", before_midnight + timedelta(minutes=1), TARGETS).counted == 1


def test_agents_load_present_first() -> None:
    records = [
        record(30, taken_after=1, agent="sanne"),
        record(20, taken_after=1, closed_after=5, agent="sanne"),
        record(10, taken_after=1, agent="piet"),
    ]
    agents = [
        AgentRecord("piet", "Piet Jansen", "agent", False),
        AgentRecord("sanne", "Sanne de Vries", "agent", True),
        AgentRecord("chef", "Chantal", "supervisor", True),
    ]
    stats = queue_stats(records, agents, NIGHT, TARGETS)
    loads = [(a.username, a.open_now, a.taken_today) for a in stats.agents]
    assert loads == [("chef", 0, 0), ("sanne", 1, 2), ("piet", 1, 1)]
    assert stats.present == 2


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_use_case_reads_recorded_handovers_in_scope(sessions) -> None:
    clock = Clock(NIGHT - timedelta(minutes=10))
    with sessions.begin() as session:
        session.add(
            Agent(
                username="sanne",
                display_name="Sanne de Vries",
                password_hash=hash_password("Sanne-wachtwoord-1"),
                role="agent",
                active=True,
                created_at=clock.now,
                last_seen_at=NIGHT,
            )
        )
        acuut = request_handover(
            session,
            conversation_id="web-1",
            channel="webchat",
            reason="gas",
            summary={"urgency": "acuut", "topic": "gaslucht"},
            now=clock.now,
            client_id="de-linde",
        )
        request_handover(
            session,
            conversation_id="web-2",
            channel="webchat",
            reason="terugbellen",
            summary={"urgency": "urgent"},
            now=clock.now,
            client_id="andere",
            callback=True,
        )
        take(session, acuut.id, "sanne", clock.now + timedelta(minutes=1))
        close(session, acuut.id, clock.now + timedelta(minutes=6))
    clock.now = NIGHT
    ctx = Collaborators(sessions=sessions, clock=clock)
    stats = queue_statistics(ctx, TARGETS)
    assert stats.lanes["live"].within_norm == stats.lanes["live"].counted == 1
    assert stats.lanes["terugbellen"].waiting == 1
    assert stats.lanes["terugbellen"].oldest_wait == timedelta(minutes=10)
    assert [(a.username, a.present, a.taken_today) for a in stats.agents] == [("sanne", True, 1)]
    limited = queue_statistics(ctx, TARGETS, AgentScope(frozenset({"de-linde"})))
    assert limited.lanes["terugbellen"].waiting == 0 and limited.lanes["live"].counted == 1
