"""Change requests: submitted with their check and diff, applied as the next client version.

Applying uses the versioned apply of client files, which queues the confirmation
e-mail to the client in the same transaction; a rejection needs a reason.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from meldkamer.clients.cache import ClientCache
from meldkamer.clients.store import history, newest_version
from meldkamer.notify.models import OutboxMessage
from meldkamer.portal.changes import (
    ChangeRefused,
    apply_request,
    decide_request,
    propose,
    reject_request,
    request_of,
    requests_of,
    submit,
)
from meldkamer.triage import default_engine

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)
TABLE = default_engine().table
SEASON = "stookseizoen:\n  van: '10-15'\n  tot: '04-15'\n"


def _submitted(session, text: str = SEASON, part: str = "stookseizoen"):
    proposal = propose(session, "de-linde", part, text, TABLE)
    return submit(session, proposal, by="linde-anna", explanation="later stoken", now=NOW)


def test_a_proposal_shows_the_diff_against_the_version_in_force(demo_sessions) -> None:
    with demo_sessions.begin() as session:
        proposal = propose(session, "de-linde", "stookseizoen", SEASON, TABLE)
    assert proposal.base_version == 1
    assert "-  van: " in proposal.diff and "+  van: '10-15'" in proposal.diff
    assert "de-linde versie 1" in proposal.diff


@pytest.mark.parametrize(
    ("part", "text", "message"),
    [
        ("stookseizoen", "stookseizoen:\n  van: '13-01'\n", "stookseizoen"),
        ("protocol", "protocol:\n  bestaat_niet:\n    anders: {urgentie: acuut}\n", "bestaat_niet"),
        ("stookseizoen", "stookseizoen: [", "YAML"),
        ("contact", "contact:\n  telefoon: '088 100 0100'\n", "email"),
        ("id", "id: ander\n", "kan niet worden gewijzigd"),
    ],
)
def test_a_change_the_file_would_refuse_is_refused_with_the_reason(
    demo_sessions, part: str, text: str, message: str
) -> None:
    with demo_sessions.begin() as session, pytest.raises(ChangeRefused) as refused:
        propose(session, "de-linde", part, text, TABLE)
    assert message in " ".join(refused.value.problems)


def test_a_change_that_changes_nothing_is_refused(demo_sessions) -> None:
    with demo_sessions.begin() as session:
        current = newest_version(session, "de-linde").source
        from meldkamer.portal.parts import current_text, part_of

        same = current_text(current, part_of("stookseizoen"))
        with pytest.raises(ChangeRefused, match="niets gewijzigd"):
            propose(session, "de-linde", "stookseizoen", same, TABLE)


def test_applying_stores_the_next_version_and_queues_the_confirmation(demo_sessions) -> None:
    with demo_sessions.begin() as session:
        request_id = _submitted(session).id
    with demo_sessions.begin() as session:
        applied = apply_request(
            session, request_id, by="chef", note="akkoord", table=TABLE, now=NOW
        )
        assert (applied.state, applied.applied_version, applied.reviewed_by) == (
            "applied",
            2,
            "chef",
        )
    with demo_sessions() as session:
        versions = history(session, "de-linde")
        assert [v.version for v in versions] == [1, 2]
        assert "van: '10-15'" in versions[-1].source
        assert versions[-1].applied_by == "chef"
        assert f"wijzigingsverzoek {request_id}" in versions[-1].note
        mails = (
            session.execute(select(OutboxMessage).where(OutboxMessage.purpose == "configuratie"))
            .scalars()
            .all()
        )
        confirmation = [m for m in mails if m.key == "configuratie:de-linde:2"]
        assert len(confirmation) == 1
        assert confirmation[0].recipient == "info@de-linde.example.nl"
        assert "versie 2" in confirmation[0].body and "later stoken" in confirmation[0].body


def test_applying_keeps_a_change_applied_in_between(demo_sessions) -> None:
    with demo_sessions.begin() as session:
        first = _submitted(session).id
        second = _submitted(session, "piket:\n  medewerkers: {}\n", "piket").id
    with demo_sessions.begin() as session:
        apply_request(session, second, by="chef", note=None, table=TABLE, now=NOW)
    with demo_sessions.begin() as session:
        apply_request(session, first, by="chef", note=None, table=TABLE, now=NOW)
    with demo_sessions() as session:
        source = newest_version(session, "de-linde").source
    assert "van: '10-15'" in source and "Peter Jansen" not in source


def test_a_request_is_reviewed_once_and_a_rejection_needs_a_reason(demo_sessions) -> None:
    with demo_sessions.begin() as session:
        request_id = _submitted(session).id
    with demo_sessions.begin() as session, pytest.raises(ChangeRefused, match="reden"):
        reject_request(session, request_id, by="chef", note="  ", now=NOW)
    with demo_sessions.begin() as session:
        reject_request(session, request_id, by="chef", note="Stookseizoen is afgesproken", now=NOW)
    with demo_sessions.begin() as session, pytest.raises(ChangeRefused, match="al beoordeeld"):
        apply_request(session, request_id, by="chef", note=None, table=TABLE, now=NOW)
    with demo_sessions() as session:
        assert newest_version(session, "de-linde").version == 1
        assert request_of(session, request_id).review_note == "Stookseizoen is afgesproken"


def test_another_clients_request_is_not_found(demo_sessions) -> None:
    with demo_sessions.begin() as session:
        request_id = _submitted(session).id
    with demo_sessions() as session:
        assert request_of(session, request_id, "vve-beheer-noord") is None
        assert request_of(session, request_id, "de-linde") is not None
        assert requests_of(session, "vve-beheer-noord") == []


def test_deciding_an_applied_request_makes_the_cache_read_the_new_version(demo_sessions) -> None:
    cache = ClientCache(demo_sessions, default_engine())
    assert cache.registry().get("de-linde").heating_season.start == (10, 1)
    with demo_sessions.begin() as session:
        refused = _submitted(session).id
        applied = _submitted(session).id
    with pytest.raises(ChangeRefused, match="reden"):
        decide_request(demo_sessions, cache, refused, apply=False, by="chef", note=None, now=NOW)
    decide_request(demo_sessions, cache, applied, apply=True, by="chef", note=None, now=NOW)
    # No time passed: without the refresh the cache would keep version 1 for 30 seconds.
    assert cache.registry().get("de-linde").heating_season.start == (10, 15)
    with demo_sessions() as session:
        assert request_of(session, refused).state == "submitted"  # the failed rejection undone
        assert request_of(session, applied).applied_version == 2
