"""The ticket store: numbering, idempotent creation, status history, listing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from meldkamer import db
from meldkamer.tickets import (
    ALLOWED_TRANSITIONS,
    StatusConflictError,
    Ticket,
    TicketCounter,
    TicketStatus,
    TicketStatusChange,
    change_status,
    create_ticket,
    get_ticket,
    list_tickets,
    models,
    next_ticket_number,
    numbering,
    open_ticket,
    store,
    ticket_to_dict,
)
from tests.core.meldingen import melding
from tests.core.threads import at_once

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


# --- numbering -------------------------------------------------------------------------


def test_format_and_parse_ticket_number() -> None:
    assert numbering.format_ticket_number(2026, 1) == "MK-2026-000001"
    assert numbering.format_ticket_number(2026, 1234567) == "MK-2026-1234567"
    assert numbering.parse_ticket_number("MK-2026-000042") == (2026, 42)
    for bad in ["MK-2026-42", "mk-2026-000001", "MK-26-000001", "XX-2026-000001", ""]:
        with pytest.raises(ValueError, match="ongeldig ticketnummer"):
            numbering.parse_ticket_number(bad)


@given(year=st.integers(1000, 9999), sequence=st.integers(1, 10**8))
def test_ticket_numbers_parse_back(year: int, sequence: int) -> None:
    number = numbering.format_ticket_number(year, sequence)
    assert len(number) <= 20  # fits tickets.number
    assert numbering.parse_ticket_number(number) == (year, sequence)


def test_numbers_count_up_per_year_and_roll_over(session) -> None:
    assert [next_ticket_number(session, 2026) for _ in range(3)] == [
        "MK-2026-000001",
        "MK-2026-000002",
        "MK-2026-000003",
    ]
    assert next_ticket_number(session, 2027) == "MK-2027-000001"
    assert next_ticket_number(session, 2026) == "MK-2026-000004"
    session.commit()
    assert next_ticket_number(session, 2027) == "MK-2027-000002"
    session.rollback()
    # A rolled-back number is handed out again.
    assert next_ticket_number(session, 2027) == "MK-2027-000002"


@contextmanager
def another_process_first(monkeypatch, database_url: str, module, name: str, work) -> Iterator:
    """The first call of ``module.name`` loses a race to another process.

    That process (an engine of its own) does ``work(session)`` and commits; the call then
    answers ``None``, what it saw before that commit. Later calls are the real ones.
    """
    other = db.make_engine(database_url)
    real = getattr(module, name)
    calls = []

    def losing(session_, *args):
        calls.append(args)
        if len(calls) == 1:
            with db.make_sessionmaker(other)() as other_session:
                work(other_session)
                other_session.commit()
            return None
        return real(session_, *args)

    monkeypatch.setattr(module, name, losing)
    try:
        yield
    finally:
        other.dispose()


def test_lost_race_for_the_first_number_of_a_year_counts_on(session, database_url, monkeypatch):
    """Another process creates the year's counter between our UPDATE and INSERT."""

    def first_number(other_session) -> None:
        assert next_ticket_number(other_session, 2026) == "MK-2026-000001"

    with another_process_first(monkeypatch, database_url, numbering, "_increment", first_number):
        assert next_ticket_number(session, 2026) == "MK-2026-000002"
        session.commit()
    assert session.get(TicketCounter, 2026).last == 2


def test_concurrent_creators_get_distinct_consecutive_numbers(database_url) -> None:
    db.upgrade(database_url)

    def create_twenty(worker: int) -> list[str]:
        # An engine per worker, as the Rasa server and the action server each have one.
        engine = db.make_engine(database_url)
        numbers = []
        try:
            sessions = db.make_sessionmaker(engine)
            for i in range(20):
                with sessions() as session:
                    ticket = create_ticket(session, melding(f"w{worker}-{i}"), NOW)
                    session.commit()
                    numbers.append(ticket.number)
        finally:
            engine.dispose()
        return numbers

    first, second = at_once(create_twenty)
    numbers = first + second
    assert sorted(numbers) == [f"MK-2026-{n:06d}" for n in range(1, 41)]
    # Each worker saw its own numbers rise.
    assert first == sorted(first) and second == sorted(second)


def test_concurrent_submissions_of_the_same_melding_share_a_ticket(database_url) -> None:
    db.upgrade(database_url)
    keys = [f"dubbel-{i}" for i in range(10)]

    def submit_all(worker: int) -> dict[str, str]:
        engine = db.make_engine(database_url)
        try:
            sessions = db.make_sessionmaker(engine)
            numbers = {}
            for key in keys:
                with sessions() as session:
                    numbers[key] = create_ticket(session, melding(key), NOW).number
                    session.commit()
            return numbers
        finally:
            engine.dispose()

    first, second = at_once(submit_all)
    assert first == second
    engine = db.make_engine(database_url)
    try:
        with db.make_sessionmaker(engine)() as session:
            assert count(session, Ticket) == len(keys)
            assert count(session, TicketStatusChange) == len(keys)
    finally:
        engine.dispose()


# --- creating ----------------------------------------------------------------------------


def test_create_ticket_stores_melding_and_outcome(session) -> None:
    ticket = create_ticket(session, melding(), NOW)
    session.commit()
    assert ticket.number == "MK-2026-000001"
    assert ticket.status == TicketStatus.NIEUW.value
    assert ticket.urgency == "acuut"
    assert ticket.inform_client is True
    assert ticket.needs_assessment is False
    assert ticket.reasons == ["Water loopt door het plafond"]
    assert ticket.next_office_day == date(2026, 3, 2)
    assert [(c.status_from, c.status_to, c.changed_by) for c in ticket.status_changes] == [
        (None, "nieuw", "assistent")
    ]

    session.expunge_all()
    loaded = get_ticket(session, "MK-2026-000001")
    assert loaded is not None and loaded.id == ticket.id
    assert loaded.facts == {"water_stroomt": True, "verdieping": 2}
    assert loaded.outcome["urgency"] == "acuut"
    assert loaded.created_at == NOW and loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert loaded.status_changes[0].changed_at == NOW


def test_create_is_idempotent_on_melding_id(session) -> None:
    first = create_ticket(session, melding("m-1"), NOW)
    session.commit()
    again = create_ticket(session, melding("m-1", naam="Iemand Anders"), NOW + timedelta(minutes=5))
    session.commit()
    assert again.id == first.id and again.number == first.number
    assert again.naam == "Jan de Vries"
    assert count(session, Ticket) == 1
    assert count(session, TicketStatusChange) == 1
    # No number was used up by the repeat.
    assert create_ticket(session, melding("m-2"), NOW).number == "MK-2026-000002"


def test_open_ticket_says_whether_it_made_the_ticket(session) -> None:
    first, made = open_ticket(session, melding("m-1"), NOW)
    session.commit()
    again, made_again = open_ticket(session, melding("m-1"), NOW + timedelta(minutes=5))
    assert (made, made_again, again.id) == (True, False, first.id)


def test_lost_race_on_melding_id_returns_the_winner(session, database_url, monkeypatch) -> None:
    """Another process inserts the same melding after our check for it came up empty."""

    def same_melding(other_session) -> None:
        create_ticket(other_session, melding("m-1"), NOW)

    with another_process_first(
        monkeypatch, database_url, store, "find_by_melding_id", same_melding
    ):
        ticket, new = open_ticket(session, melding("m-1"), NOW)
        session.commit()
    assert (ticket.number, new) == ("MK-2026-000001", False)
    assert count(session, Ticket) == 1
    assert count(session, TicketStatusChange) == 1
    # The loser's reserved number is gone: a gap, never a duplicate.
    assert create_ticket(session, melding("m-2"), NOW).number == "MK-2026-000003"


def test_rollback_undoes_ticket_and_number(session) -> None:
    create_ticket(session, melding("m-1"), NOW)
    session.rollback()
    assert count(session, Ticket) == 0
    assert count(session, TicketStatusChange) == 0
    assert create_ticket(session, melding("m-1"), NOW).number == "MK-2026-000001"


def test_number_follows_the_dutch_calendar_year(session) -> None:
    new_years_eve_utc = datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)
    assert create_ticket(session, melding(), new_years_eve_utc).number == "MK-2027-000001"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"postcode": "3011ab"}, "postcode"),
        ({"telefoon": "0612345678"}, "telefoon"),
        ({"huisnummer": 0}, "huisnummer"),
        ({"naam": "x" * 201}, "naam"),
        ({"melding_id": ""}, "melding_id"),
    ],
)
def test_new_ticket_refuses_unnormalised_fields(changes, message) -> None:
    with pytest.raises(ValueError, match=message):
        melding(**changes)


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ({"inform_client": True, "needs_assessment": False}, "urgency"),
        ({"urgency": "acuut", "needs_assessment": False}, "inform_client"),
        ({"urgency": "acuut", "inform_client": 1, "needs_assessment": False}, "inform_client"),
        (
            {"urgency": "acuut", "inform_client": True, "needs_assessment": False, "reasons": "x"},
            "reasons",
        ),
    ],
)
def test_create_refuses_incomplete_outcome(session, outcome, message) -> None:
    with pytest.raises(ValueError, match=message):
        create_ticket(session, melding(outcome=outcome), NOW)


def test_create_refuses_naive_time(session) -> None:
    with pytest.raises(ValueError, match="tijdzone"):
        create_ticket(session, melding(), datetime(2026, 3, 1, 12, 0))


def test_outcome_without_optional_fields(session) -> None:
    outcome = {"urgency": "niet_urgent", "inform_client": False, "needs_assessment": True}
    ticket = create_ticket(session, melding(outcome=outcome, email=None), NOW)
    assert ticket.reasons == [] and ticket.next_office_day is None and ticket.email is None


# --- status ------------------------------------------------------------------------------


def test_status_changes_are_recorded_in_order(session) -> None:
    ticket = create_ticket(session, melding(), NOW)
    steps = [
        (TicketStatus.DOORGEZET, "planner", "naar loodgieter"),
        ("in_behandeling", "loodgieter", None),
        (TicketStatus.AFGEROND, "loodgieter", "lek verholpen"),
    ]
    for minutes, (status, by, reason) in enumerate(steps, start=1):
        change = change_status(
            session, ticket, status, by=by, reason=reason, now=NOW + timedelta(minutes=minutes)
        )
        assert change.status_to == TicketStatus(status).value
    session.commit()
    session.expunge_all()

    loaded = get_ticket(session, ticket.number)
    assert loaded.status == "afgerond"
    assert loaded.updated_at == NOW + timedelta(minutes=3)
    assert [
        (c.status_from, c.status_to, c.changed_by, c.reason) for c in loaded.status_changes
    ] == [
        (None, "nieuw", "assistent", None),
        ("nieuw", "doorgezet", "planner", "naar loodgieter"),
        ("doorgezet", "in_behandeling", "loodgieter", None),
        ("in_behandeling", "afgerond", "loodgieter", "lek verholpen"),
    ]


def test_forbidden_transition_names_both_statuses(session) -> None:
    ticket = create_ticket(session, melding(), NOW)
    change_status(session, ticket, "afgerond", by="planner", reason=None, now=NOW)
    with pytest.raises(ValueError, match="'afgerond'.*'nieuw'"):
        change_status(session, ticket, "nieuw", by="planner", reason=None, now=NOW)
    with pytest.raises(ValueError):
        change_status(session, ticket, "verdwenen", by="planner", reason=None, now=NOW)
    assert ticket.status == "afgerond"
    assert len(ticket.status_changes) == 2


def test_transition_rules() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(TicketStatus)
    for source, targets in ALLOWED_TRANSITIONS.items():
        assert TicketStatus.NIEUW not in targets
        assert source not in targets
    assert not ALLOWED_TRANSITIONS[TicketStatus.AFGEROND]
    assert not ALLOWED_TRANSITIONS[TicketStatus.GEANNULEERD]
    assert models.can_transition("nieuw", "geannuleerd")
    assert models.can_transition("wacht_op_terugbellen", "in_behandeling")
    assert not models.can_transition("geannuleerd", "in_behandeling")


def test_concurrent_status_change_is_refused(session, database_url) -> None:
    ticket = create_ticket(session, melding(), NOW)
    session.commit()
    other = db.make_engine(database_url)
    try:
        with db.make_sessionmaker(other)() as other_session:
            theirs = get_ticket(other_session, ticket.number)
            change_status(other_session, theirs, "geannuleerd", by="planner", reason=None, now=NOW)
            other_session.commit()
    finally:
        other.dispose()
    with pytest.raises(StatusConflictError, match="geannuleerd"):
        change_status(session, ticket, "doorgezet", by="assistent", reason=None, now=NOW)
    assert ticket.status == "geannuleerd"
    session.rollback()
    assert len(get_ticket(session, ticket.number).status_changes) == 2


# --- reading -----------------------------------------------------------------------------


def test_ticket_to_dict_is_json_ready(session) -> None:
    ticket = create_ticket(session, melding(), NOW)
    change_status(session, ticket, "doorgezet", by="planner", reason="acuut", now=NOW)
    data = ticket_to_dict(ticket)
    assert json.loads(json.dumps(data)) == data
    assert data["number"] == "MK-2026-000001"
    assert data["created_at"] == "2026-03-01T12:00:00+00:00"
    assert data["next_office_day"] == "2026-03-02"
    assert data["status"] == "doorgezet"
    assert data["outcome"]["reasons"] == ["Water loopt door het plafond"]
    assert data["status_history"] == [
        {
            "status_from": None,
            "status_to": "nieuw",
            "changed_at": "2026-03-01T12:00:00+00:00",
            "changed_by": "assistent",
            "reason": None,
        },
        {
            "status_from": "nieuw",
            "status_to": "doorgezet",
            "changed_at": "2026-03-01T12:00:00+00:00",
            "changed_by": "planner",
            "reason": "acuut",
        },
    ]


def test_list_tickets_newest_first_with_filter_and_limit(session) -> None:
    tickets = [
        create_ticket(session, melding(f"m-{i}"), NOW + timedelta(hours=i)) for i in range(5)
    ]
    change_status(session, tickets[1], "doorgezet", by="planner", reason=None, now=NOW)
    change_status(session, tickets[3], "doorgezet", by="planner", reason=None, now=NOW)
    session.commit()

    assert [t.melding_id for t in list_tickets(session)] == [f"m-{i}" for i in (4, 3, 2, 1, 0)]
    assert [t.melding_id for t in list_tickets(session, limit=2)] == ["m-4", "m-3"]
    assert [t.melding_id for t in list_tickets(session, status="doorgezet")] == ["m-3", "m-1"]
    assert [t.number for t in list_tickets(session, status=TicketStatus.NIEUW)] == [
        "MK-2026-000005",
        "MK-2026-000003",
        "MK-2026-000001",
    ]
    assert list_tickets(session, status="afgerond") == []
    with pytest.raises(ValueError):
        list_tickets(session, status="onbekend")
    with pytest.raises(ValueError):
        list_tickets(session, limit=0)


def test_get_unknown_ticket_is_none(session) -> None:
    assert get_ticket(session, "MK-2026-999999") is None
