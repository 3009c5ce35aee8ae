"""The client's view of its meldingen: only its own, in the period, with labels and handovers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session

from meldkamer.clientview import client_melding, client_meldingen, topic_label
from meldkamer.handover.service import request_handover, take
from meldkamer.tickets import create_ticket
from tests.core.meldingen import melding

T0 = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)


def _ticket(session: Session, key: str, client: str, at: datetime, **changes: object) -> int:
    ticket = create_ticket(session, melding(key, client_id=client, **changes), at)
    session.flush()
    return ticket.id


def test_only_the_clients_own_meldingen_in_the_period(session: Session) -> None:
    _ticket(session, "a-1", "de-linde", T0)
    _ticket(session, "a-2", "de-linde", T0 + timedelta(days=40))  # next month
    _ticket(session, "b-1", "woonstad", T0 + timedelta(hours=1))
    _ticket(session, "a-3", "de-linde", T0 - timedelta(seconds=1))  # just before
    session.commit()

    rows = client_meldingen(session, "de-linde", T0, T0 + timedelta(days=31))

    assert [r.ticket_id for r in rows] and len(rows) == 1
    row = rows[0]
    assert row.channel_label == "WhatsApp"
    assert row.urgency_label == "Acuut"
    assert row.status_label == "Nieuw"
    assert row.topic_label == topic_label("lekkage_woning") != "lekkage_woning"
    assert row.address == "3011 AB 12a"
    assert row.handed_over is False


def test_another_clients_ticket_is_not_found(session: Session) -> None:
    _ticket(session, "b-1", "woonstad", T0)
    session.commit()
    number = client_meldingen(session, "woonstad", T0, T0 + timedelta(days=1))[0].number

    assert client_melding(session, "woonstad", number) is not None
    assert client_melding(session, "de-linde", number) is None
    assert client_melding(session, "", number) is None
    assert client_melding(session, "woonstad", "MK-2026-999999") is None


def test_handover_before_the_ticket_counts_with_its_wait(session: Session) -> None:
    handover = request_handover(
        session,
        conversation_id="conv-a-1",
        channel="whatsapp",
        reason="huurder vraagt een medewerker",
        summary={},
        now=T0,
        callback=True,
    )
    take(session, handover.id, "agent-1", T0 + timedelta(minutes=4))
    _ticket(session, "a-1", "de-linde", T0 + timedelta(minutes=10))
    session.commit()

    (row,) = client_meldingen(session, "de-linde", T0, T0 + timedelta(days=1))

    assert row.handed_over and row.callback
    assert row.handover_requested_at == T0
    assert row.handover_taken_at == T0 + timedelta(minutes=4)


def test_bad_periods_are_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="tijdzone"):
        client_meldingen(session, "de-linde", T0.replace(tzinfo=None), T0 + timedelta(days=1))
    with pytest.raises(ValueError, match="leeg"):
        client_meldingen(session, "de-linde", T0, T0)
    with pytest.raises(ValueError, match="opdrachtgever"):
        client_meldingen(session, "", T0, T0 + timedelta(days=1))


def test_follow_up_of_another_clients_ticket_is_empty(session: Session) -> None:
    from meldkamer.clientview import client_clocks, client_contacts, client_work_orders
    from meldkamer.contacts import record_contact

    other = _ticket(session, "b-1", "woonstad", T0)
    # A tenant's message and an agent's note on the other client's ticket.
    for direction, channel, party, summary in [
        ("in", "whatsapp", "huurder", "melding"),
        ("intern", "console", "medewerker", "notitie"),
    ]:
        record_contact(
            session,
            at=T0,
            direction=direction,
            channel=channel,
            party=party,
            kind="bericht",
            summary=summary,
            ticket_id=other,
        )
    session.commit()
    end = T0 + timedelta(days=1)

    assert client_work_orders(session, "de-linde", [other]) == []
    assert client_clocks(session, "de-linde", [other]) == []
    assert client_contacts(session, "de-linde", T0, end) == []
    (own,) = client_contacts(session, "woonstad", T0, end)  # the internal note is left out
    assert (own.kind_label, own.party_label, own.channel_label) == (
        "bericht",
        "huurder",
        "WhatsApp",
    )
