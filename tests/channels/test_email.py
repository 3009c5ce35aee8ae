"""The e-mail channel's parts against real servers: Dovecot (IMAP), its SMTP listener, the
fake SMTP server for answers; and its settings. The whole channel runs in
tests/e2e/test_email_e2e.py."""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from channels.common.inbox import Inbox
from channels.email.imap import ImapFetcher
from channels.email.outgoing import Outgoing
from channels.email.settings import ImapSettings, SettingsError, settings_from_env
from channels.email.smtpd import SmtpListener
from meldkamer.mailin.reply import Thread, build_reply
from tests.fakes.dovecot import PASSWORD, USER, Dovecot, running_dovecot
from tests.fakes.mail import SmtpServer, free_port

SMTP = {
    "SMTP_HOST": "127.0.0.1",
    "SMTP_SECURITY": "none",
    "MAIL_FROM": "Meldkamer <m@meldkamer.test>",
}


def a_mail(subject: str = "Lekkage") -> bytes:
    message = EmailMessage()
    message["From"] = "huurder@example.nl"
    message["To"] = "storing@de-linde.example.nl"
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject}@example.nl>"
    message.set_content("Er lekt water door het plafond.")
    return bytes(message)


# --- settings ---------------------------------------------------------------------------


def test_off_without_a_way_in_or_out() -> None:
    assert settings_from_env({})[0] is None
    off, reason = settings_from_env({"MAIL_IN_SMTP_LISTEN": "127.0.0.1:2525"})
    assert off is None and "SMTP_HOST" in reason


def test_on_with_the_listener_and_the_outgoing_server() -> None:
    settings, _ = settings_from_env({**SMTP, "MAIL_IN_SMTP_LISTEN": "127.0.0.1:2525"})
    assert settings is not None and settings.listen == ("127.0.0.1", 2525)
    assert settings.own_addresses == ("m@meldkamer.test",)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAIL_IN_SMTP_LISTEN": "0.0.0.0:25"}, "MAIL_IN_SMTP_PUBLIC"),
        ({"MAIL_IN_SMTP_LISTEN": "2525"}, "host:poort"),
        ({"MAIL_IN_SMTP_LISTEN": "127.0.0.1:99999"}, "tussen 1 en 65535"),
        ({"MAIL_IN_IMAP_HOST": "imap.example.nl"}, "MAIL_IN_IMAP_USER"),
        (
            {
                "MAIL_IN_IMAP_HOST": "imap.example.nl",
                "MAIL_IN_IMAP_USER": "u",
                "MAIL_IN_IMAP_PASSWORD": "p",
                "MAIL_IN_IMAP_SECURITY": "none",
            },
            "loopback",
        ),
        (
            {
                "MAIL_IN_IMAP_HOST": "h",
                "MAIL_IN_IMAP_USER": "u",
                "MAIL_IN_IMAP_PASSWORD": "p",
                "MAIL_IN_IMAP_SECURITY": "tls13",
            },
            "onbekend",
        ),
    ],
)
def test_settings_that_cannot_be_right_are_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        settings_from_env({**SMTP, **env})


def test_a_public_listener_is_a_decision() -> None:
    settings, _ = settings_from_env(
        {**SMTP, "MAIL_IN_SMTP_LISTEN": "0.0.0.0:25", "MAIL_IN_SMTP_PUBLIC": "1"}
    )
    assert settings is not None and settings.listen == ("0.0.0.0", 25)


# --- IMAP against Dovecot -----------------------------------------------------------------


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


def imap_settings(server: Dovecot, poll: float) -> ImapSettings:
    return ImapSettings(
        host="127.0.0.1",
        port=server.port,
        username=USER,
        password=PASSWORD,
        security="none",
        poll_seconds=poll,
    )


def test_unseen_mails_are_kept_then_marked_seen(dovecot: Dovecot) -> None:
    dovecot.append(a_mail("een"))
    dovecot.append(a_mail("twee"))
    kept: list[bytes] = []
    fetcher = ImapFetcher(imap_settings(dovecot, 60), lambda key, raw: kept.append(raw))
    imap = fetcher.connect()
    try:
        assert fetcher.fetch_new(imap) == 2
        assert fetcher.fetch_new(imap) == 0
    finally:
        imap.logout()
    assert [b"Subject: een" in raw for raw in kept] == [True, False]
    assert dovecot.unseen() == 0


def test_a_mail_that_could_not_be_kept_stays_unseen(dovecot: Dovecot) -> None:
    dovecot.append(a_mail())

    def disk_full(key: str, raw: bytes) -> None:
        raise OSError(28, "No space left on device")

    fetcher = ImapFetcher(imap_settings(dovecot, 60), disk_full)
    imap = fetcher.connect()
    try:
        with pytest.raises(OSError):
            fetcher.fetch_new(imap)
    finally:
        imap.logout()
    assert dovecot.unseen() == 1


def test_idle_brings_a_new_mail_without_waiting_for_the_next_poll(dovecot: Dovecot) -> None:
    arrived = threading.Event()
    kept: list[bytes] = []

    def keep(key: str, raw: bytes) -> None:
        kept.append(raw)
        arrived.set()

    # Polling every 10 minutes: only IDLE can bring the mail within the test.
    fetcher = ImapFetcher(imap_settings(dovecot, 600), keep)
    thread = threading.Thread(target=fetcher.run, daemon=True)
    thread.start()
    try:
        while fetcher.idle_supported is None:
            threading.Event().wait(0.05)
        assert fetcher.idle_supported is True
        dovecot.append(a_mail("idle"))
        assert arrived.wait(60)
    finally:
        fetcher.stop()
        thread.join(10)
    assert not thread.is_alive()
    assert b"Subject: idle" in kept[0]


# --- the SMTP listener --------------------------------------------------------------------


def test_the_listener_acknowledges_only_what_it_kept(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "in")
    woken: list[bool] = []
    port = free_port()
    listener = SmtpListener(
        "127.0.0.1",
        port,
        lambda k, raw: inbox.put(k, raw.decode()) and None,
        lambda: woken.append(True),
    )
    listener.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.sendmail("huurder@example.nl", ["storing@de-linde.example.nl"], a_mail())
        assert len(inbox.pending()) == 1 and woken == [True]
    finally:
        listener.stop()

    def disk_full(key: str, raw: bytes) -> None:
        raise OSError(28, "No space left on device")

    failing = SmtpListener("127.0.0.1", port, disk_full, lambda: None)
    failing.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            with pytest.raises(smtplib.SMTPDataError) as refused:
                smtp.sendmail("huurder@example.nl", ["storing@de-linde.example.nl"], a_mail())
        assert refused.value.smtp_code == 451
    finally:
        failing.stop()


# --- answers on their way out -----------------------------------------------------------------


async def test_an_answer_waits_while_the_server_is_down_and_goes_out_later(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    outgoing = Outgoing(smtp_server.settings(), Inbox(tmp_path / "out"))
    reply = build_reply(
        Thread("huurder@example.nl", "Lekkage", "<a@x>"),
        "Wat is uw adres?\n",
        mail_from="Meldkamer <m@meldkamer.test>",
        message_id="<mk.1@meldkamer.test>",
    )
    smtp_server.stop()
    assert await outgoing.send(reply) is False
    assert len(outgoing.spool.pending()) == 1
    smtp_server.start()
    assert await outgoing.retry() == 1
    assert outgoing.spool.pending() == []
    delivered = smtp_server.mailbox.messages
    assert [str(m["Message-ID"]) for m in delivered] == ["<mk.1@meldkamer.test>"]
    assert delivered[0]["In-Reply-To"] == "<a@x>"
