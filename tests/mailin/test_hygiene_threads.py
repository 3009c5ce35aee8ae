"""Never answering robots, and finding the conversation a mail continues."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from meldkamer.mailin.hygiene import never_answer
from meldkamer.mailin.threads import (
    conversation_for_new,
    conversation_from_ids,
    reply_message_id,
    reply_subject,
    ticket_number,
)

OWN = ("meldingen@meldkamer.test",)


def message(headers: str, body: str = "tekst", content_type: str = "text/plain") -> object:
    raw = (
        f"From: Huurder <huurder@example.nl>\r\n{headers}Content-Type: {content_type}\r\n\r\n{body}"
    )
    return message_from_bytes(raw.encode(), policy=policy.default)


@pytest.mark.parametrize(
    ("headers", "content_type"),
    [
        ("Auto-Submitted: auto-replied\r\n", "text/plain"),
        ("Auto-Submitted: auto-generated\r\n", "text/plain"),
        ("Precedence: bulk\r\n", "text/plain"),
        ("X-Autoreply: yes\r\n", "text/plain"),
        ("X-Auto-Response-Suppress: OOF\r\n", "text/plain"),
        ("List-Id: <nieuws.example.nl>\r\n", "text/plain"),
        ("Return-Path: <>\r\n", "text/plain"),
        ("", "multipart/report; report-type=delivery-status; boundary=x"),
        ("X-Meldkamer-Loop: 1\r\n", "text/plain"),
    ],
)
def test_robots_bounces_lists_and_loops_are_never_answered(headers: str, content_type: str) -> None:
    assert never_answer(message(headers, content_type=content_type), OWN) is not None  # type: ignore[arg-type]


def test_our_own_address_and_system_senders_are_never_answered() -> None:
    ours = message_from_bytes(b"From: meldingen@meldkamer.test\r\n\r\nx", policy=policy.default)
    daemon = message_from_bytes(b"From: MAILER-DAEMON@example.nl\r\n\r\nx", policy=policy.default)
    assert never_answer(ours, OWN) == "eigen afzender"
    assert never_answer(daemon, OWN) == "afzender is een systeem"


def test_a_person_is_answered() -> None:
    assert never_answer(message("Auto-Submitted: no\r\n"), OWN) is None  # type: ignore[arg-type]


def test_our_reply_ids_name_the_conversation() -> None:
    conversation = conversation_for_new("<eerste@example.nl>")
    assert conversation == conversation_for_new(" <eerste@example.nl> ")
    ours = reply_message_id(conversation, "<eerste@example.nl>", "meldkamer.test")
    assert ours == reply_message_id(conversation, "<eerste@example.nl>", "meldkamer.test")
    assert conversation_from_ids(["<iets@anders>", ours]) == conversation
    assert conversation_from_ids(["<iets@anders>"]) is None
    assert conversation_from_ids(["<mk.nothex.1@x>"]) is None


def test_ticket_numbers_in_subjects() -> None:
    assert ticket_number("Re: Lekkage [mk-2026-000123]") == "MK-2026-000123"
    assert ticket_number("Re: Lekkage") is None
    assert reply_subject("Lekkage", "MK-2026-000123") == "Re: Lekkage [MK-2026-000123]"
    assert reply_subject("RE: Lekkage [MK-2026-000123]", "MK-2026-000123") == (
        "RE: Lekkage [MK-2026-000123]"
    )
    assert reply_subject("", None) == "Re: Uw melding"
    assert "\n" not in reply_subject("a\r\n b", None)
