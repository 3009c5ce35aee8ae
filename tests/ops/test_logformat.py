"""JSON log lines with the conversation, ticket and correlation id, still masked (issue 17)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from meldkamer import logformat, logmask
from meldkamer.logformat import JsonFormatter, bound, current
from meldkamer.notify import enqueue
from rasa_addons.action_server import log_context
from tests.core.test_outbox import NOW

PHONE = "06-12345678"
WA_SENDER = "wa-31612345678"


@pytest.fixture
def lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger of its own writing JSON into a buffer (not the root: pytest's is there)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.logformat")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, buffer
    finally:
        logger.removeHandler(handler)


def parsed(buffer: io.StringIO) -> list[dict[str, Any]]:
    """Every line of ``buffer`` as JSON (fails on a line that is not)."""
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_each_line_is_json_with_the_context(
    lines: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, buffer = lines
    logger.info("buiten context")
    with bound(conversation_id="rest-1", ticket="MK-2026-000123", correlation_id="c0ffee"):
        logger.warning("werkbon %s klaar", "W-1", extra={"outbox_key": "werkbon:1"})
    first, second = parsed(buffer)
    assert first["message"] == "buiten context" and first["level"] == "INFO"
    assert not {"conversation_id", "ticket", "correlation_id"} & set(first)
    assert second["message"] == "werkbon W-1 klaar" and second["level"] == "WARNING"
    assert second["logger"] == "tests.logformat"
    assert second["conversation_id"] == "rest-1"
    assert second["ticket"] == "MK-2026-000123"
    assert second["correlation_id"] == "c0ffee"
    assert second["outbox_key"] == "werkbon:1"
    assert second["ts"].endswith("+00:00")


def test_a_traceback_stays_inside_its_one_line(
    lines: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, buffer = lines
    try:
        raise RuntimeError(f"kapot voor {PHONE}")
    except RuntimeError:
        logger.exception("actie mislukt")
    (line,) = parsed(buffer)
    assert "RuntimeError" in line["exc"] and "Traceback" in line["exc"]
    assert PHONE not in line["exc"] and "06-****5678" in line["exc"]


def test_personal_data_is_masked_in_message_context_and_extras(
    lines: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, buffer = lines
    logmask.install()  # as the entry points do: the record factory masks too
    try:
        with bound(conversation_id=WA_SENDER):
            logger.info("bel %s of mail j.jansen@example.nl", PHONE, extra={"to": "+31612345678"})
    finally:
        logmask.uninstall()
    text = buffer.getvalue()
    assert "12345678" not in text and "jansen@" not in text
    (line,) = parsed(buffer)
    assert line["message"] == "bel 06-****5678 of mail j***@example.nl"
    assert line["conversation_id"] == "wa-316****5678"
    assert line["to"] == "+316****5678"


def test_masking_without_the_filter_installed(
    lines: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, buffer = lines
    logger.info("nummer %s", PHONE)
    assert parsed(buffer)[0]["message"] == "nummer 06-****5678"


def test_binding_ends_with_the_block_and_nests() -> None:
    with bound(conversation_id="a", correlation_id="1"):
        with bound(correlation_id="2", ticket=123):
            assert current() == {"conversation_id": "a", "ticket": "123", "correlation_id": "2"}
        assert current() == {"conversation_id": "a", "correlation_id": "1"}
    assert current() == {}


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValueError, match="telefoon"):
        logformat.bind(telefoon=PHONE)


def test_two_asyncio_tasks_keep_their_own_ids(
    lines: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, buffer = lines

    async def both() -> None:
        first_bound, second_bound = asyncio.Event(), asyncio.Event()

        async def turn(name: str, mine: asyncio.Event, other: asyncio.Event) -> None:
            with bound(conversation_id=name, correlation_id=f"id-{name}"):
                mine.set()
                await other.wait()  # the other task has bound its ids meanwhile
                logger.info("beurt van %s", name)

        await asyncio.gather(
            turn("a", first_bound, second_bound), turn("b", second_bound, first_bound)
        )
        assert current() == {}  # nothing leaked into the task that started them

    asyncio.run(both())
    seen = {
        line["message"]: (line["conversation_id"], line["correlation_id"])
        for line in parsed(buffer)
    }
    assert seen == {"beurt van a": ("a", "id-a"), "beurt van b": ("b", "id-b")}


def test_a_thread_does_not_see_another_threads_ids() -> None:
    inside: list[dict[str, str]] = []
    with bound(conversation_id="main-thread"):
        worker = threading.Thread(target=lambda: inside.append(current()))
        worker.start()
        worker.join()
    assert inside == [{}]


@pytest.fixture
def restored_formatters() -> Iterator[None]:
    handlers = [logging.lastResort, *logging.getLogger().handlers]
    before = [(handler, handler.formatter) for handler in handlers if handler is not None]
    try:
        yield
    finally:
        for handler, formatter in before:
            handler.setFormatter(formatter)
        logging.captureWarnings(False)


@pytest.mark.usefixtures("restored_formatters")
def test_install_only_when_asked_for() -> None:
    root_handler = logging.StreamHandler(io.StringIO())
    root = logging.getLogger()
    root.addHandler(root_handler)
    try:
        assert logformat.install({}) is False
        assert logformat.install({logformat.ENV: "text"}) is False
        assert not isinstance(root_handler.formatter, JsonFormatter)
        assert logformat.install({logformat.ENV: " JSON "}) is True
        assert isinstance(root_handler.formatter, JsonFormatter)
        assert isinstance(logging.lastResort.formatter, JsonFormatter)  # type: ignore[union-attr]
    finally:
        root.removeHandler(root_handler)


def test_enqueue_logs_the_key_with_the_correlation_id(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="meldkamer.notify.outbox")
    with bound(correlation_id="inbound-42"):
        enqueue(
            session,
            key="werkbon:MK-2026-000001:jansen:1",
            kind="email",
            recipient="storing@jansen-installatie.test",
            subject="Werkbon MK-2026-000001",
            body="Lekkage in de badkamer.",
            purpose="werkbon",
            now=NOW,
        )
        (record,) = [r for r in caplog.records if r.name == "meldkamer.notify.outbox"]
        line = json.loads(JsonFormatter().format(record))
    assert line["outbox_key"] == "werkbon:MK-2026-000001:jansen:1"
    assert line["correlation_id"] == "inbound-42"
    assert "werkbon:MK-2026-000001:jansen:1" in line["message"]


def test_the_action_servers_context_comes_from_the_tracker() -> None:
    call = {
        "next_action": "action_bevestig_melding",
        "tracker": {
            "sender_id": "rest-7",
            "slots": {"ticket_nummer": "MK-2026-000009"},
            "events": [
                {"event": "user", "message_id": "eerste"},
                {"event": "bot", "text": "Waar is het lek?"},
                {"event": "user", "message_id": "tweede"},
                {"event": "action", "name": "melding_form"},
            ],
        },
    }
    assert log_context(call) == {
        "conversation_id": "rest-7",
        "ticket": "MK-2026-000009",
        "correlation_id": "tweede",
    }
    assert log_context({"tracker": "kapot"}) == {}
    assert log_context(None) == {}
