"""Phone numbers and e-mail addresses are masked in the logs (issue 14, AVG)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.common.apology import ActionServer, apologise_if_silent
from meldkamer import logmask
from meldkamer.cli import main as cli_main
from meldkamer.logmask import MaskFilter, mask
from tests.fakes.mail import free_port


@pytest.fixture
def masked(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog with the filter installed as the entry points do, and taken off afterwards."""
    caplog.set_level(logging.INFO)
    logmask.install()
    try:
        yield caplog
    finally:
        logmask.uninstall()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bel 06-12345678 terug", "bel 06-****5678 terug"),
        ("0612345678", "06-****5678"),
        ("06 12 34 56 78", "06-****5678"),
        ("+31612345678", "+316****5678"),
        ("+31 6 12345678", "+316****5678"),
        ("+31 (0)6 12345678", "+316****5678"),
        ("0031612345678", "+316****5678"),
        ("vast 010-1234567", "vast 010-****4567"),
        ("+44 20 7946 0958", "+442****0958"),
        ("sender wa-31612345678", "sender wa-316****5678"),
        ("sender wa-4915112345678", "sender wa-491****5678"),
        ("fatima.elamrani@example.nl", "f***@example.nl"),
        ("<piet+werk@mail.vandijk-warmte.nl>", "<p***@mail.vandijk-warmte.nl>"),
    ],
)
def test_what_is_masked_keeps_enough_to_correlate(text: str, expected: str) -> None:
    assert mask(text) == expected
    assert mask(expected) == expected  # masking twice changes nothing


@pytest.mark.parametrize(
    "text",
    [
        "ticket MK-2026-000123",
        "2026-12-01 19:46:18,123 INFO console.app",
        "melding cv_storing-2026-12-02T03:00:00+01:00-1234 AB",
        "werkbon:MK-2026-000001:12:sms verzonden, poging 1",
        "duurde 0.1234567890 s",
        "alarm 112",
    ],
)
def test_what_is_no_phone_number_stays(text: str) -> None:
    assert mask(text) == text


async def test_a_sender_id_from_the_apology_path_is_masked(masked) -> None:
    """The web channels log the sender id when the action server is down."""
    said: list[str] = []

    async def say(text: str) -> None:
        said.append(text)

    down = ActionServer(f"http://127.0.0.1:{free_port()}/webhook")
    assert await apologise_if_silent(0, down, say, "wa-31612345678")
    assert said  # the apology went out
    assert "31612345678" not in masked.text
    assert "wa-316****5678: no answer and the action server is down" in masked.text


def test_arguments_tracebacks_and_late_handlers_are_masked(masked) -> None:
    logger = logging.getLogger("meldkamer.test")
    try:
        raise ValueError("ongeldig nummer 0612345678 voor fatima@example.nl")
    except ValueError:
        logger.exception("bericht aan %s mislukt", {"to": "+31612345678"})
    # a handler configured after install() (as the worker does) gets masked records too
    late = logging.Handler()
    seen: list[logging.LogRecord] = []
    late.emit = seen.append  # type: ignore[method-assign]
    logger.addHandler(late)
    try:
        logger.warning("terugbellen: %s", "06-98765432")
    finally:
        logger.removeHandler(late)
    assert "12345678" not in masked.text and "fatima@" not in masked.text
    assert "+316****5678" in masked.text and "06-****5678" in masked.text
    assert [r.getMessage() for r in seen] == ["terugbellen: 06-****5432"]


def test_the_command_line_masks_its_log(capsys, caplog) -> None:
    caplog.set_level(logging.INFO)
    try:
        assert cli_main(["triage", "--topic", "gaslek", "--json"]) == 0
        logging.getLogger("meldkamer.cli").info("huurder 06-12345678")
        assert "06-****5678" in caplog.text and "12345678" not in caplog.text
    finally:
        logmask.uninstall()
    capsys.readouterr()


def test_install_adds_one_filter_per_handler() -> None:
    root = logging.getLogger()
    handler = logging.NullHandler()
    root.addHandler(handler)
    try:
        logmask.install()
        logmask.install()
        assert sum(isinstance(f, MaskFilter) for f in handler.filters) == 1
    finally:
        logmask.uninstall()
        root.removeHandler(handler)
    assert not any(isinstance(f, MaskFilter) for f in handler.filters)


_SEPARATORS = st.sampled_from(["", " ", "-"])
_NOISE = st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=20)


@st.composite
def dutch_mobiles(draw: st.DrawFn) -> tuple[str, str]:
    """A Dutch mobile number in one of its written forms, and its eight subscriber digits."""
    digits = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    prefix = draw(st.sampled_from(["06", "+316", "+31 6", "00316", "+31 (0)6", "316", "wa-316"]))
    sep = draw(_SEPARATORS)
    groups = draw(st.sampled_from([[8], [2, 2, 2, 2], [4, 4], [3, 3, 2]]))
    parts, at = [], 0
    for size in groups:
        parts.append(digits[at : at + size])
        at += size
    return prefix + sep + sep.join(parts), digits


@given(before=_NOISE, number=dutch_mobiles(), after=_NOISE)
def test_no_dutch_mobile_number_survives(before: str, number: tuple[str, str], after: str) -> None:
    written, subscriber = number
    # A word character glued to the number makes it part of a word, not a number.
    before = before if not before or not re.match(r"[\w+*]", before[-1]) else before + " "
    after = after if not after or not after[0].isdigit() else " " + after
    masked_text = mask(before + written + after)
    assert subscriber not in re.sub(r"\D", "", masked_text)
    assert masked_text.endswith(after) and subscriber[-4:] in masked_text
