"""Queue statistics for the supervisor: waiting now, oldest wait, norm met today, abandoned.

Pure functions on plain records (:class:`HandoverRecord`, :class:`AgentRecord`), so the
figures are tested on recorded handovers with a moved clock; the use case
:func:`meldkamer.service.queue_stats.queue_statistics` reads the records from the
database. The norms are data a supervisor changes: ``targets.yml`` next to this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType

import yaml

from meldkamer.handover.models import HandoverStatus
from meldkamer.triage.officehours import AMSTERDAM

#: The packaged norms, a file a supervisor reads and changes.
DEFAULT_TARGETS_FILE = Path(__file__).with_name("targets.yml")
LANES = ("live", "terugbellen")
URGENCIES = ("acuut", "urgent", "niet_urgent")
#: ``Handover.urgency_rank`` to the urgency code of the norms (unknown counts as niet urgent).
RANK_URGENCY = {2: "acuut", 1: "urgent", 0: "niet_urgent"}


class TargetsFileError(ValueError):
    """The norms file was refused; the message names the file and the field."""


@dataclass(frozen=True)
class Targets:
    """The norm (minutes until an agent takes over) per lane and urgency."""

    minutes: Mapping[str, Mapping[str, int]]

    def norm(self, lane: str, urgency_rank: int) -> timedelta:
        """The norm of one handover."""
        return timedelta(minutes=self.minutes[lane][RANK_URGENCY.get(urgency_rank, "niet_urgent")])


def parse_targets(text: str, file: str = "targets.yml") -> Targets:
    """Check the text of a norms file.

    Raises:
        TargetsFileError: a lane, urgency or number is missing or wrong.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TargetsFileError(f"{file}: geen geldige YAML ({error})") from None
    if not isinstance(data, dict):
        raise TargetsFileError(f"{file}: verwacht de rijen {', '.join(LANES)}")
    lanes: dict[str, Mapping[str, int]] = {}
    for lane in LANES:
        row = data.get(lane)
        if not isinstance(row, dict):
            raise TargetsFileError(f"{file}: {lane}: ontbreekt (minuten per urgentie)")
        minutes: dict[str, int] = {}
        for urgency in URGENCIES:
            value = row.get(urgency)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1440:
                raise TargetsFileError(f"{file}: {lane}.{urgency}: een aantal minuten (1-1440)")
            minutes[urgency] = value
        unknown = sorted(set(row) - set(URGENCIES))
        if unknown:
            raise TargetsFileError(f"{file}: {lane}: onbekende urgentie {', '.join(unknown)}")
        lanes[lane] = MappingProxyType(minutes)
    return Targets(MappingProxyType(lanes))


def load_targets(path: Path = DEFAULT_TARGETS_FILE) -> Targets:
    """The norms of a file (the packaged one by default)."""
    return parse_targets(path.read_text(encoding="utf-8"), path.name)


@dataclass(frozen=True)
class HandoverRecord:
    """What the statistics need of one handover."""

    callback: bool
    urgency_rank: int
    status: str
    requested_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None
    agent: str | None

    @property
    def lane(self) -> str:
        """``live`` (the tenant waits in the chat now) or ``terugbellen``."""
        return "terugbellen" if self.callback else "live"


@dataclass(frozen=True)
class AgentRecord:
    """An active account and whether the console heard from it recently."""

    username: str
    display_name: str
    role: str
    present: bool


@dataclass(frozen=True)
class LaneStats:
    """One lane's figures.

    Attributes:
        waiting: waiting now for an agent.
        oldest_wait: how long the longest waiting one waits (``None``: nobody waits).
        counted: today's handovers that count for the norm (taken, or past the norm).
        within_norm: of those, taken within the norm.
        abandoned: today's handovers that ended without an agent taking them.
    """

    waiting: int
    oldest_wait: timedelta | None
    counted: int
    within_norm: int
    abandoned: int

    @property
    def percentage(self) -> int | None:
        """Share taken within the norm, rounded down (``None`` while nothing counts)."""
        return None if not self.counted else self.within_norm * 100 // self.counted


@dataclass(frozen=True)
class AgentLoad:
    """An agent with the conversations they have now and took today."""

    username: str
    display_name: str
    role: str
    present: bool
    open_now: int
    taken_today: int


@dataclass(frozen=True)
class QueueStats:
    """Everything the supervisor page shows."""

    at: datetime
    day_start: datetime
    lanes: Mapping[str, LaneStats]
    agents: tuple[AgentLoad, ...]
    targets: Targets

    @property
    def present(self) -> int:
        """Agents present now."""
        return sum(1 for agent in self.agents if agent.present)


def start_of_day(now: datetime) -> datetime:
    """Midnight of ``now``'s day in the meldkamer's time zone ("today" of the figures)."""
    local = now.astimezone(AMSTERDAM)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _counts_for_norm(record: HandoverRecord, norm: timedelta, now: datetime) -> bool:
    if record.taken_at is not None:
        return True
    # Not taken: counts once the norm has passed, waiting or ended (it missed the norm).
    ended = record.closed_at or now
    return ended - record.requested_at > norm


def lane_stats(
    records: Iterable[HandoverRecord], lane: str, now: datetime, targets: Targets
) -> LaneStats:
    """The figures of one lane at ``now``; "today" starts at local midnight."""
    day_start = start_of_day(now)
    waiting: list[timedelta] = []
    counted = within = abandoned = 0
    for record in records:
        if record.lane != lane:
            continue
        if record.status == HandoverStatus.WACHTEND.value:
            waiting.append(max(timedelta(0), now - record.requested_at))
        if record.requested_at < day_start:
            continue
        norm = targets.norm(lane, record.urgency_rank)
        if record.taken_at is None and record.closed_at is not None:
            abandoned += 1
        if _counts_for_norm(record, norm, now):
            counted += 1
            taken = record.taken_at
            within += taken is not None and taken - record.requested_at <= norm
    return LaneStats(len(waiting), max(waiting, default=None), counted, within, abandoned)


def agent_loads(
    agents: Iterable[AgentRecord], records: Iterable[HandoverRecord], now: datetime
) -> tuple[AgentLoad, ...]:
    """Each agent's open conversations and those taken today; present first, then by name."""
    day_start = start_of_day(now)
    open_now: dict[str, int] = {}
    today: dict[str, int] = {}
    for record in records:
        if record.agent is None:
            continue
        if record.status == HandoverStatus.IN_BEHANDELING.value:
            open_now[record.agent] = open_now.get(record.agent, 0) + 1
        if record.taken_at is not None and record.taken_at >= day_start:
            today[record.agent] = today.get(record.agent, 0) + 1
    loads = [
        AgentLoad(
            agent.username,
            agent.display_name,
            agent.role,
            agent.present,
            open_now.get(agent.username, 0),
            today.get(agent.username, 0),
        )
        for agent in agents
    ]
    return tuple(sorted(loads, key=lambda load: (not load.present, load.display_name.lower())))


def queue_stats(
    records: Iterable[HandoverRecord],
    agents: Iterable[AgentRecord],
    now: datetime,
    targets: Targets,
) -> QueueStats:
    """The supervisor's figures at ``now``."""
    handovers = list(records)
    return QueueStats(
        at=now,
        day_start=start_of_day(now),
        lanes=MappingProxyType({lane: lane_stats(handovers, lane, now, targets) for lane in LANES}),
        agents=agent_loads(agents, handovers, now),
        targets=targets,
    )
