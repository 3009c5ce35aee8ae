"""The real Rasa and action servers with the e-mail channel on, a fake SMTP server for the
answers, and helpers to send tenants' mails (shared by the e-mail e2e tests)."""

from __future__ import annotations

import smtplib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from devstack.stack import Stack
from tests.fakes.mail import SmtpServer, free_port, running_smtp_server

INTAKE = "storing@de-linde.example.nl"
TENANT = "fatima.elamrani@example.nl"


def tenant_mail(
    body: str,
    *,
    subject: str = "Storing",
    sender: str = f"Fatima el Amrani <{TENANT}>",
    to: str = INTAKE,
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[bytes, str, str, str], ...] = (),
    reply_to: EmailMessage | None = None,
) -> EmailMessage:
    """A tenant's mail; ``reply_to`` makes it an answer in that mail's thread."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(idstring=uuid.uuid4().hex[:8], domain="example.nl")
    if reply_to is not None:
        del mail["Subject"]
        mail["Subject"] = f"Re: {reply_to['Subject']}"
        mail["In-Reply-To"] = str(reply_to["Message-ID"])
        references = str(reply_to.get("References", "")).split()
        mail["References"] = " ".join([*references, str(reply_to["Message-ID"])])
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    for data, maintype, subtype, filename in attachments:
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail


@contextmanager
def mail_stack(
    workdir: Path, imap_env: dict[str, str] | None = None
) -> Iterator[tuple[Stack, SmtpServer, int]]:
    """(stack, the SMTP server answers go to, the channel's listener port)."""
    listen = free_port()
    with running_smtp_server() as outgoing:
        stack = Stack(
            database_url=f"sqlite:///{workdir / 'meldkamer.db'}",
            workdir=workdir,
            channels=("rest", "channels.email.EmailInput"),
            unset=("MAIL_IN_*", "SMTP_*", "MAIL_FROM", "REDIS_URL"),
            env={"MELDKAMER_VAR_DIR": str(workdir / "var")},
            rasa_env={
                **outgoing.env(),
                "MAIL_IN_SMTP_LISTEN": f"127.0.0.1:{listen}",
                # One tenant starts more mail conversations here than a day's limit allows;
                # the limit itself is tested in tests/channels/test_email_limits.py.
                "MELDKAMER_NEW_CONVERSATIONS_PER_SENDER": "100/86400",
                **(imap_env or {}),
            },
        )
        try:
            stack.start()
            yield stack, outgoing, listen
        finally:
            stack.stop()


def send(port: int, mail: EmailMessage) -> None:
    """Deliver ``mail`` to the channel's SMTP listener, as a mail server would."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.send_message(mail)


def answers_to(
    outgoing: SmtpServer, mail: EmailMessage, timeout: float = 120
) -> list[EmailMessage]:
    """The answers in ``mail``'s thread, once there is at least one (or after ``timeout``)."""
    wanted = str(mail["Message-ID"])
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in list(outgoing.mailbox.messages) if m.get("In-Reply-To") == wanted]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def text_of(answer: EmailMessage) -> str:
    body = answer.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())
