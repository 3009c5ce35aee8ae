"""The waiting-time estimate on recorded handling times, and the queue's two lanes."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest

from meldkamer.agents.models import Agent
from meldkamer.handover.models import Handover, HandoverStatus
from meldkamer.handover.service import availability, lanes, queue, request_handover, take
from meldkamer.handover.waiting import (
    DEFAULT_FILE,
    WaitingRulesError,
    default_rules,
    estimate_minutes,
    handling_minutes,
    parse_rules,
    parse_translation,
    rounded,
    tenant_message,
    wording,
)

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)
RULES = default_rules()


def agent(session, username: str) -> None:
    session.add(
        Agent(
            username=username,
            display_name=username.title(),
            password_hash="x",
            role="agent",
            active=True,
            created_at=NOW,
            last_seen_at=NOW - timedelta(seconds=20),
        )
    )
    session.flush()


def ask(
    session,
    conversation: str,
    *,
    urgency: str | None = None,
    callback: bool = False,
    at: datetime = NOW,
) -> Handover:
    return request_handover(
        session,
        conversation_id=conversation,
        channel="webchat",
        reason="vraagt een medewerker",
        summary={"topic": "cv_storing", "outcome": {"urgency": urgency} if urgency else {}},
        now=at,
        callback=callback,
    )


def handled(
    session, conversation: str, minutes: float, *, closed: datetime = NOW, callback: bool = False
) -> None:
    """A conversation an agent took and closed ``minutes`` later, ending at ``closed``."""
    handover = ask(session, conversation, callback=callback, at=closed - timedelta(hours=1))
    handover.status = HandoverStatus.GESLOTEN.value
    handover.agent = "oud"
    handover.taken_at = closed - timedelta(minutes=minutes)
    handover.closed_at = closed
    session.flush()


# --- recorded handling times -------------------------------------------------------------


def test_an_empty_history_uses_the_default_handling_time(sessions) -> None:
    with sessions.begin() as session:
        agent(session, "sanne")
        free = availability(session, NOW)
        assert free.measured == 0 and free.handling == RULES.default_minutes == 6
        assert free.available and free.estimate == 0  # a free agent takes it at once
        assert "binnen enkele minuten" in free.tenant_message(None)
        take(session, ask(session, "live-1").id, "sanne", NOW)
        busy = availability(session, NOW)
    assert busy.busy == 1 and busy.estimate == 6 and busy.minutes == 10
    assert "ongeveer 10 minuten" in busy.tenant_message(None)


def test_the_median_of_recent_live_conversations_counts(sessions) -> None:
    with sessions.begin() as session:
        agent(session, "sanne")
        for i, minutes in enumerate([2, 4, 20]):
            handled(session, f"live-{i}", minutes, closed=NOW - timedelta(minutes=10 * i))
        handled(session, "lang-geleden", 90, closed=NOW - timedelta(hours=25))  # outside window
        handled(session, "terugbel", 55, callback=True)  # a call-back: never measured
        take(session, ask(session, "nu").id, "sanne", NOW)
        ask(session, "wacht-1")
        found = availability(session, NOW)
    assert found.measured == 3 and found.handling == 4
    # one waiting ahead, the only agent busy: two handling times before it is this one's turn
    assert found.waiting == 1 and found.estimate == 8 and found.minutes == 10


def test_only_the_latest_conversations_and_no_absurd_one(sessions) -> None:
    rules = parse_rules(
        DEFAULT_FILE.read_text("utf-8").replace("aantal: 20", "aantal: 3"), "wachttijd.yml"
    )
    with sessions.begin() as session:
        for i, minutes in enumerate([3, 3, 600, 50, 50]):  # newest first
            handled(session, f"live-{i}", minutes, closed=NOW - timedelta(minutes=i))
        agent(session, "sanne")
        found = availability(session, NOW, rules=rules)
    assert found.measured == 3 and found.handling == 3
    assert handling_minutes([600.0, 600.0, 3.0], RULES) == RULES.longest_minutes == 60


def test_many_call_backs_do_not_lengthen_the_estimate(sessions) -> None:
    with sessions.begin() as session:
        agent(session, "sanne")
        for i in range(30):
            ask(session, f"terugbel-{i}", urgency="urgent", callback=True)
        for i in range(5):
            handled(session, f"oud-terugbel-{i}", 45, callback=True)
        callback_taken = ask(session, "terugbel-bezig", callback=True)
        take(session, callback_taken.id, "sanne", NOW)
        found = availability(session, NOW, rank=2)
    assert found.callbacks == 30 and found.waiting == 0 and found.busy == 0
    assert found.estimate == 0 and found.handling == RULES.default_minutes
    message = found.tenant_message("06 12345678", acute=True)
    assert "binnen enkele minuten" in message and "152" not in message


def test_an_acuut_conversation_waits_only_behind_acuut_ones(sessions) -> None:
    with sessions.begin() as session:
        agent(session, "sanne")
        take(session, ask(session, "bezig").id, "sanne", NOW)
        for i in range(6):
            ask(session, f"urgent-{i}", urgency="urgent")
        ask(session, "acuut-0", urgency="acuut")
        acute = availability(session, NOW, rank=2)
        other = availability(session, NOW, rank=0)
    assert acute.estimate == 2 * 6 and acute.minutes == 15  # one acuut ahead
    assert other.estimate > RULES.cap_minutes and other.minutes == RULES.cap_minutes
    assert "langer dan 30 minuten" in other.tenant_message(None)
    assert "ongeveer" not in other.tenant_message(None)


def test_more_agents_share_the_line(sessions) -> None:
    with sessions.begin() as session:
        for name in ("sanne", "piet", "ali"):
            agent(session, name)
        for i, name in enumerate(("sanne", "piet", "ali")):
            take(session, ask(session, f"bezig-{i}").id, name, NOW)
        for i in range(2):
            ask(session, f"wacht-{i}")
        found = availability(session, NOW)
    assert found.agents == 3 and found.busy == 3
    assert found.estimate == pytest.approx(3 * 6 / 3)


def test_nobody_present_has_no_estimate(sessions) -> None:
    with sessions() as session:
        found = availability(session, NOW)
    assert not found.available and math.isinf(found.estimate)
    assert "bellen u zo snel mogelijk terug op 06 12345678" in found.tenant_message("06 12345678")


# --- the wording -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "said", "number"),
    [
        (0, "binnen enkele minuten", 5),
        (5, "binnen enkele minuten", 5),
        (5.1, "ongeveer 10 minuten", 10),
        (12, "ongeveer 15 minuten", 15),
        (30, "ongeveer 30 minuten", 30),
        (30.5, "langer dan 30 minuten", 30),
        (152, "langer dan 30 minuten", 30),
        (math.inf, "langer dan 30 minuten", 30),
    ],
)
def test_the_estimate_is_a_range_and_capped(minutes: float, said: str, number: int) -> None:
    assert said in wording(minutes, RULES)
    assert rounded(minutes, RULES) == number


def test_estimate_minutes() -> None:
    assert math.isinf(estimate_minutes(handling=6, agents=0, busy=0, ahead=0))
    assert estimate_minutes(handling=6, agents=2, busy=1, ahead=0) == 0
    assert estimate_minutes(handling=6, agents=2, busy=1, ahead=1) == 3
    assert estimate_minutes(handling=6, agents=1, busy=1, ahead=0) == 6


def test_acuut_puts_the_emergency_numbers_first() -> None:
    said = tenant_message(RULES, available=True, minutes=3, phone=None, acute=True)
    assert said.startswith("Is er gevaar voor mensen? Bel direct 112.")
    assert "088-3746100" in said and "Ik verbind u met een medewerker" in said
    back = tenant_message(RULES, available=False, minutes=0, phone="06 12345678", acute=True)
    assert back.startswith("Is er gevaar") and "terug op 06 12345678" in back


def test_a_call_back_is_promised_only_with_a_number() -> None:
    for acute in (False, True):
        said = tenant_message(RULES, available=False, minutes=0, phone=None, acute=acute)
        assert "terug" not in said and "088-3746100" in said and "112" in said


def test_a_broken_file_names_file_line_and_field() -> None:
    source = DEFAULT_FILE.read_text("utf-8")
    broken = source.replace("{minuten} minuten", "{minuut} minuten").replace(
        "plafond_minuten: 30", "plafond_minuten: 2"
    )
    with pytest.raises(WaitingRulesError) as error:
        parse_rules(broken, "wachttijd.yml")
    text = str(error.value)
    assert "wachttijd.yml:" in text and "berichten.wachttijd_ongeveer" in text
    assert "{minuut}" in text and "bereik.plafond_minuten" in text
    with pytest.raises(WaitingRulesError, match="berichten.verbinden: verplicht"):
        parse_rules(source.replace("  verbinden:", "  verbinden_oud:"), "wachttijd.yml")


# --- the lanes ---------------------------------------------------------------------------


def test_two_lanes_acuut_on_top_waiting_before_taken(sessions) -> None:
    with sessions.begin() as session:
        for i in range(30):
            ask(
                session,
                f"terugbel-{i}",
                urgency="urgent",
                callback=True,
                at=NOW - timedelta(hours=3, minutes=i),
            )
        taken = ask(session, "bezig", urgency="acuut", at=NOW - timedelta(minutes=50))
        take(session, taken.id, "sanne", NOW)
        old = ask(session, "oud", at=NOW - timedelta(minutes=40))
        gas = ask(session, "gas", urgency="acuut", at=NOW)
        urgent = ask(session, "urgent", urgency="urgent", at=NOW - timedelta(minutes=5))
    with sessions() as session:
        found = lanes(session)
        assert [h.id for h in found.live] == [gas.id, urgent.id, old.id, taken.id]
        assert len(found.callbacks) == 30 and all(h.callback for h in found.callbacks)
        # within a lane: urgency, then the longest waiting first
        waits = [h.requested_at for h in found.callbacks]
        assert waits == sorted(waits)
        assert queue(session)[:4] == found.live


@pytest.mark.parametrize(
    ("minutes", "english"),
    [
        (3, "within a few minutes"),
        (7, "in about 10 minutes"),
        (152, "more than 30 minutes"),  # the cap: never "152 minutes" in English either
    ],
)
def test_the_estimate_is_worded_the_same_in_english(minutes: float, english: str) -> None:
    assert english in wording(minutes, RULES, "en")
    said = tenant_message(
        RULES, available=True, minutes=minutes, phone=None, acute=False, language="en"
    )
    assert said.startswith("I am connecting you with a colleague") and english in said


def test_english_call_back_is_promised_only_with_a_number() -> None:
    for acute in (False, True):
        back = tenant_message(
            RULES, available=False, minutes=0, phone="06 12345678", acute=acute, language="en"
        )
        assert "We will call you back at 06 12345678" in back
        none = tenant_message(
            RULES, available=False, minutes=0, phone=None, acute=acute, language="en"
        )
        assert "call you back" not in none and "088-3746100" in none and "112" in none
        # acuut: the emergency numbers first, as in Dutch
        assert back.startswith("Are people in danger?") is acute


def test_a_language_without_texts_hears_dutch() -> None:
    said = tenant_message(RULES, available=True, minutes=3, phone=None, acute=False, language="xx")
    assert said == tenant_message(RULES, available=True, minutes=3, phone=None, acute=False)


def test_a_translation_must_have_every_text_with_its_placeholders() -> None:
    english = (DEFAULT_FILE.parent / "wachttijd_en.yml").read_text("utf-8")
    with pytest.raises(WaitingRulesError) as refused:
        parse_translation(english.replace("  geen_nummer:", "  geen_nr:"), "wachttijd_en.yml")
    assert "berichten.geen_nummer" in str(refused.value)
    with pytest.raises(WaitingRulesError, match="onbekend invulveld"):
        parse_translation(english.replace("at {telefoon}", "at {nummer}", 1), "wachttijd_en.yml")
