"""Work-order links: tokens hashed at rest, expiring after the ticket closes (issue 14).

Against the demo clients on SQLite and PostgreSQL, with the console's real aiohttp
application; the clock is moved, never slept.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect, select, text

from console.app import ConsoleSettings, init_app
from console.workorders import LINK_POLICY
from meldkamer import db
from meldkamer.contact import MELDKAMER_PHONE
from meldkamer.dispatch.links import LinkPolicy, UnknownWorkOrder, find_valid, new_token
from meldkamer.dispatch.models import WorkOrder
from meldkamer.tickets import Ticket, change_status
from tests.core.test_dispatch import NIGHT, NO_HEAT_MEDICAL, orders, register
from tests.links import link_token
from tests.migrating import downgrade

POLICY = LinkPolicy(grace=timedelta(days=3), max_age=timedelta(days=20))


@pytest.fixture
def sessions(demo_sessions):
    return demo_sessions


class Clock:
    """The console's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NIGHT + timedelta(minutes=5))


@pytest.fixture
async def client(aiohttp_client, sessions, clock):
    app = init_app(ConsoleSettings(database_url="unused"), sessions=sessions, clock=clock)
    app[LINK_POLICY] = POLICY
    return await aiohttp_client(app)


def close_ticket(sessions, number: str, at: datetime) -> None:
    with sessions.begin() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        change_status(session, ticket, "afgerond", by="test", reason="klaar", now=at)


def test_the_database_holds_only_the_hash(sessions) -> None:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    (order,) = orders(sessions, number)
    token = link_token(sessions, order)
    assert len(token) >= 43  # 32 random bytes, URL-safe
    assert order.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with sessions() as session:
        columns = [c["name"] for c in inspect(session.get_bind()).get_columns("werkbonnen")]
        rows = session.execute(text("SELECT * FROM werkbonnen")).all()
    assert "token" not in columns
    assert all(token not in str(value) for row in rows for value in row)


async def test_a_closed_tickets_link_expires_after_the_grace_period(
    client, sessions, clock
) -> None:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    token = link_token(sessions, orders(sessions, number)[0])
    closed = NIGHT + timedelta(hours=6)
    close_ticket(sessions, number, closed)
    clock.now = closed + POLICY.grace - timedelta(seconds=1)
    still = await client.get(f"/werkbon/{token}")
    assert still.status == 200 and number in await still.text()
    clock.now = closed + POLICY.grace
    for method in ("get", "post"):
        expired = await getattr(client, method)(f"/werkbon/{token}")
        body = await expired.text()
        assert expired.status == 404 and MELDKAMER_PHONE in body and number not in body
    assert orders(sessions, number)[0].status == "verstuurd"  # the late POST did nothing


async def test_an_open_tickets_link_expires_at_the_maximum_age(client, sessions, clock) -> None:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    token = link_token(sessions, orders(sessions, number)[0])
    clock.now = NIGHT + POLICY.max_age - timedelta(seconds=1)
    assert (await client.get(f"/werkbon/{token}")).status == 200
    clock.now = NIGHT + POLICY.max_age
    assert (await client.get(f"/werkbon/{token}")).status == 404


async def test_a_guessed_token_gets_the_same_answer_as_an_expired_one(
    client, sessions, clock
) -> None:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    token = link_token(sessions, orders(sessions, number)[0])
    close_ticket(sessions, number, NIGHT + timedelta(hours=1))
    clock.now = NIGHT + timedelta(hours=1) + POLICY.grace
    for method in ("get", "post"):
        expired = await getattr(client, method)(f"/werkbon/{token}")
        guessed = await getattr(client, method)(f"/werkbon/{new_token()}")
        assert (expired.status, await expired.text()) == (guessed.status, await guessed.text())


def test_the_hash_of_a_token_is_no_token(sessions) -> None:
    """Someone with a copy of the database cannot use what is in it as a link."""
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    (order,) = orders(sessions, number)
    with sessions() as session, pytest.raises(UnknownWorkOrder):
        find_valid(session, order.token_hash, NIGHT, POLICY)


def test_migration_keeps_links_already_sent_and_downgrades_cleanly(
    sessions, database_url: str
) -> None:
    number, _ = register(sessions, "cv_storing", NO_HEAT_MEDICAL, NIGHT)
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as connection:
            downgrade(connection, "0005")
            # Before 0006 the link's token was stored as it is: an "old" link.
            (old_token,) = connection.execute(text("SELECT token FROM werkbonnen")).scalars()
        db.upgrade(database_url)
        columns = {c["name"] for c in inspect(engine).get_columns("werkbonnen")}
        assert "token" not in columns and "token_hash" in columns
    finally:
        engine.dispose()
    with sessions() as session:
        order = find_valid(session, old_token, NIGHT + timedelta(minutes=1), POLICY)
        assert order.id == orders(sessions, number)[0].id
        assert session.execute(select(WorkOrder.token_hash)).scalar_one() == (
            hashlib.sha256(old_token.encode()).hexdigest()
        )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MELDKAMER_WERKBON_GRACE_DAYS": "een week"}, "moet een getal zijn"),
        ({"MELDKAMER_WERKBON_MAX_AGE_DAYS": "-1"}, "van 0 tot 3650"),
    ],
)
def test_bad_link_settings_are_refused_clearly(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LinkPolicy.from_env(env)


def test_link_settings_from_the_environment() -> None:
    assert LinkPolicy.from_env({}) == LinkPolicy(timedelta(days=7), timedelta(days=30))
    assert LinkPolicy.from_env(
        {"MELDKAMER_WERKBON_GRACE_DAYS": "1", "MELDKAMER_WERKBON_MAX_AGE_DAYS": "14"}
    ) == LinkPolicy(timedelta(days=1), timedelta(days=14))
