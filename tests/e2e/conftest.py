"""Stacks the end-to-end modules share for the whole session.

A stack (real Rasa server, action server, database) costs a Rasa start-up with the model
loaded; the modules below would each start an identical one. Every test talks as its own
tenant (a new sender, chat, phone number or web chat session) and reads back only what
belongs to it, so one stack per configuration serves them all. Modules that kill or
reconfigure their servers in ways others would notice keep stacks of their own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from devstack.stack import Stack
from tests.e2e.telegramstack import TelegramStack, telegram_stack
from tests.e2e.whatsappstack import Running, whatsapp_stack


@pytest.fixture(scope="session")
def sqlite_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The stack of ``make run`` on a SQLite file: REST and web chat, the demo clients."""
    workdir = tmp_path_factory.mktemp("stack-sqlite")
    running = Stack(database_url=f"sqlite:///{workdir / 'meldkamer.db'}", workdir=workdir)
    try:
        yield running.start()
    finally:
        running.stop()


@pytest.fixture(scope="session")
def telegram(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TelegramStack]:
    """Telegram in webhook mode and in polling mode (test_telegram_e2e, its follow-up)."""
    with telegram_stack(tmp_path_factory.mktemp("telegram")) as running:
        yield running


@pytest.fixture(scope="session")
def whatsapp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """WhatsApp against the Graph API fake (test_whatsapp_e2e, its follow-up)."""
    with whatsapp_stack(tmp_path_factory.mktemp("whatsapp")) as running:
        yield running


#: The two servers share conversation locks and web chat streams here (a database number
#: of its own, apart from the other tests').
TWO_SERVERS_REDIS = "redis://127.0.0.1:6379/5"


@pytest.fixture(scope="session")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str]]:
    """Two Rasa servers on PostgreSQL and Redis: (the stack, the second server's URL).

    Shared by test_two_servers and test_rolling_update, which restarts the first server
    and leaves it serving again.
    """
    from tests.conftest import create_pg_database

    try:
        redis.Redis.from_url(TWO_SERVERS_REDIS).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is needed at {TWO_SERVERS_REDIS}: {error}")
    url, drop = create_pg_database()
    stack = Stack(
        database_url=url,
        workdir=tmp_path_factory.mktemp("two"),
        env={"REDIS_URL": TWO_SERVERS_REDIS},
        more_rasa=(("", {}),),
    )
    try:
        stack.start()
        yield stack, stack.extra_urls[0]
    finally:
        stack.stop()
        drop()
