"""Outbox e-mails with attachments: queued once with their files, sent with them over SMTP."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from meldkamer.notify.attachments import (
    MailAttachment,
    OutboxAttachment,
    attachments_of,
    enqueue_with_attachments,
    session_loader,
)
from meldkamer.notify.mail import EmailSender
from meldkamer.notify.worker import deliver_due
from tests.fakes.mail import SmtpServer

NOW = datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc)
PDF = MailAttachment("de-linde-2026-10.pdf", "application/pdf", b"%PDF-1.4 rapport \xe9\xeb")


def _queue(session: Session, *files: MailAttachment) -> int:
    message = enqueue_with_attachments(
        session,
        key="rapport:de-linde:2026-10",
        recipient="rapportage@de-linde.example.nl",
        subject="Maandrapportage oktober 2026",
        body="In de bijlage de maandrapportage.",
        attachments=files or (PDF,),
        purpose="maandrapport",
        now=NOW,
    )
    return message.id


def test_queued_twice_keeps_one_message_with_its_first_files(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        first = _queue(session)
    other = MailAttachment("ander.pdf", "application/pdf", b"%PDF-1.4 anders")
    with sessions.begin() as session:
        assert _queue(session, other) == first
    with sessions() as session:
        assert attachments_of(session, first) == [PDF]
        assert session.execute(select(func.count(OutboxAttachment.id))).scalar_one() == 1


def test_bad_attachments_are_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="bestandsnaam"):
        MailAttachment("../etc/passwd", "application/pdf", b"x")
    with pytest.raises(ValueError, match="leeg"):
        MailAttachment("leeg.pdf", "application/pdf", b"")
    with pytest.raises(ValueError, match="MIME"):
        MailAttachment("a.pdf", "pdf", b"x")
    with sessions.begin() as session, pytest.raises(ValueError, match="dubbele"):
        _queue(session, PDF, PDF)


async def test_the_worker_sends_the_file_with_the_mail(
    sessions: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    with sessions.begin() as session:
        _queue(session)
    sender = EmailSender(smtp_server.settings(), attachments=session_loader(sessions))

    report = await deliver_due(sessions, {"email": sender}, NOW)

    assert report.sent == 1
    (mail,) = smtp_server.mailbox.messages
    assert mail["To"] == "rapportage@de-linde.example.nl"
    (part,) = list(mail.iter_attachments())
    assert part.get_filename() == "de-linde-2026-10.pdf"
    assert part.get_content_type() == "application/pdf"
    assert part.get_content() == PDF.data
    assert "maandrapportage" in mail.get_body(("plain",)).get_content()
