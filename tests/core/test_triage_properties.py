"""Properties of the engine over random topics, facts and moments (hypothesis)."""

from __future__ import annotations

import random
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from meldkamer.triage import default_engine
from meldkamer.triage.table import HABITABILITY

ENGINE = default_engine()
TABLE = ENGINE.table

moments = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31),
    timezones=st.just(timezone.utc),
)


@st.composite
def meldingen(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    """A topic and any subset of its questions answered with any valid value."""
    topic = draw(st.sampled_from(sorted(TABLE.topics)))
    facts: dict[str, object] = {}
    for name in TABLE.topics[topic].questions:
        if draw(st.booleans()):
            facts[name] = draw(st.sampled_from(TABLE.facts[name].values))
    return topic, facts


@settings(max_examples=300, deadline=None)
@given(meldingen(), moments)
def test_adding_habitability_never_lowers_urgency(melding: tuple[str, dict], at: datetime) -> None:
    topic, facts = melding
    before = ENGINE.evaluate(topic, facts, at)
    after = ENGINE.evaluate(topic, {**facts, HABITABILITY: True}, at)
    assert after.urgency.rank >= before.urgency.rank
    assert after.inform_client


@settings(max_examples=300, deadline=None)
@given(meldingen(), moments, st.data())
def test_removing_a_fact_never_lowers_urgency(
    melding: tuple[str, dict], at: datetime, data: st.DataObject
) -> None:
    topic, facts = melding
    if not facts:
        return
    removed = data.draw(st.sampled_from(sorted(facts)))
    fewer = {k: v for k, v in facts.items() if k != removed}
    assert (
        ENGINE.evaluate(topic, fewer, at).urgency.rank
        >= ENGINE.evaluate(topic, facts, at).urgency.rank
    )


@settings(max_examples=200, deadline=None)
@given(meldingen(), moments, st.randoms())
def test_outcome_does_not_depend_on_fact_order(
    melding: tuple[str, dict], at: datetime, rnd: random.Random
) -> None:
    topic, facts = melding
    items = list(facts.items())
    rnd.shuffle(items)
    assert ENGINE.evaluate(topic, dict(items), at) == ENGINE.evaluate(topic, facts, at)


@settings(max_examples=300, deadline=None)
@given(meldingen(), moments)
def test_missing_facts_give_the_worst_case_and_a_person(
    melding: tuple[str, dict], at: datetime
) -> None:
    topic, facts = melding
    outcome = ENGINE.evaluate(topic, facts, at)
    missing = [q for q in TABLE.topics[topic].questions if q not in facts]
    # every way to answer the missing questions: the outcome is at least the highest of them
    completions = [{}]
    for name in missing:
        completions = [{**c, name: v} for c in completions for v in TABLE.facts[name].values]
    ranks = {ENGINE.evaluate(topic, {**facts, **c}, at).urgency.rank for c in completions}
    assert outcome.urgency.rank == max(ranks)
    if len(ranks) > 1:
        assert outcome.needs_assessment


@settings(max_examples=200, deadline=None)
@given(meldingen(), moments)
def test_asking_stops_when_the_outcome_is_settled(melding: tuple[str, dict], at: datetime) -> None:
    topic, facts = melding
    question = ENGINE.next_question(topic, facts, at)
    outcome = ENGINE.evaluate(topic, facts, at)
    if question is None:
        # no open question that matters: answering any missing one changes nothing
        for name in outcome.missing_facts:
            raise AssertionError(f"{name} still matters but is not asked")
    else:
        assert question not in facts
        results = {
            (
                ENGINE.evaluate(topic, {**facts, question: v}, at).urgency,
                ENGINE.evaluate(topic, {**facts, question: v}, at).inform_client,
            )
            for v in TABLE.facts[question].values
        } | {(outcome.urgency, outcome.inform_client)}
        assert len(results) > 1 or outcome.needs_assessment


def test_a_full_melding_needs_no_more_questions() -> None:
    at = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
    for topic in TABLE.topics:
        facts: dict[str, object] = {}
        for _ in range(10):
            question = ENGINE.next_question(topic, facts, at)
            if question is None:
                break
            facts[question] = TABLE.facts[question].values[0]
        assert ENGINE.next_question(topic, facts, at) is None
        assert not ENGINE.evaluate(topic, facts, at).missing_facts
