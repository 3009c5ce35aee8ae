"""End to end: tenants' mails into the real Rasa and action servers, answers by mail.

The Rasa server runs the e-mail channel with its SMTP listener (as `make run` does on
127.0.0.1:2525) and an IMAP mailbox on a real Dovecot started here; answers go to the
fake SMTP server of tests/fakes/mail.py. Each test sends mails as a tenant's mail
server would and reads the answers and the database.
"""

from __future__ import annotations

import re
import smtplib
import time
from collections.abc import Iterator
from contextlib import ExitStack
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from devstack.stack import Stack
from meldkamer.attachments.models import Attachment
from meldkamer.db import make_engine, make_sessionmaker
from meldkamer.dispatch.models import WorkOrder
from meldkamer.handover.models import Handover
from meldkamer.mailin.threads import conversation_for_new
from meldkamer.tickets import get_ticket
from tests.e2e.mailstack import answers_to, mail_stack, send, tenant_mail, text_of
from tests.fakes.dovecot import Dovecot, running_dovecot
from tests.fakes.graph_api import tiny_jpeg
from tests.fakes.mail import SmtpServer

pytestmark = pytest.mark.e2e

TICKET = re.compile(r"MK-\d{4}-\d{6}")
COMPLETE = (
    "Hallo,\n\nDe leiding onder de gootsteen is gesprongen en ik krijg het water niet dicht, "
    "de hoofdkraan zit vast.\n\nMijn adres: Lindelaan 12, 1234 AB Lindendam.\n\n"
    "Met vriendelijke groet,\nFatima el Amrani\n06-12345678\n"
)


class Running:
    def __init__(self, stack: Stack, outgoing: SmtpServer, port: int, dovecot: Dovecot) -> None:
        self.stack, self.outgoing, self.port, self.dovecot = stack, outgoing, port, dovecot

    def rows(self, model: Any, **where: Any) -> list[Any]:
        engine = make_engine(self.stack.database_url)
        try:
            with make_sessionmaker(engine)() as session:
                query = select(model).filter_by(**where)
                found = list(session.execute(query).scalars())
                session.expunge_all()
                return found
        finally:
            engine.dispose()

    def ticket(self, number: str) -> Any:
        engine = make_engine(self.stack.database_url)
        try:
            with make_sessionmaker(engine)() as session:
                ticket = get_ticket(session, number)
                assert ticket is not None, number
                session.expunge(ticket)
                return ticket
        finally:
            engine.dispose()

    def mail(self, mail: EmailMessage) -> EmailMessage:
        """Send ``mail``; its one answer."""
        send(self.port, mail)
        answers = answers_to(self.outgoing, mail)
        assert len(answers) == 1, self.stack.log()[-3000:]
        return answers[0]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    workdir = tmp_path_factory.mktemp("email")
    with ExitStack() as stack:
        dovecot = stack.enter_context(running_dovecot())
        rasa, outgoing, port = stack.enter_context(mail_stack(workdir, dovecot.env()))
        yield Running(rasa, outgoing, port, dovecot)


def ticket_of(answer: EmailMessage) -> str | None:
    found = TICKET.search(str(answer["Subject"]))
    return found.group(0) if found else None


def option(text: str, title: str) -> str:
    """The number of the option whose title starts with ``title`` in an answer mail."""
    found = re.search(rf"^(\d+)\. {re.escape(title)}", text, re.MULTILINE)
    assert found, text
    return found.group(1)


def test_a_complete_mail_becomes_an_acuut_ticket_with_a_work_order(running: Running) -> None:
    mail = tenant_mail(COMPLETE, subject="Lekkage keuken")
    answer = running.mail(mail)
    number = ticket_of(answer)
    assert number, text_of(answer)
    text = text_of(answer)
    assert f"Uw melding is geregistreerd onder nummer {number}" in text
    # The questions the mail answered are not asked again; the summary is there.
    assert "Wat is het adres" not in text and "Adres: 1234 AB 12" in text
    assert str(answer["Subject"]) == f"Re: Lekkage keuken [{number}]"
    assert answer["Auto-Submitted"] == "auto-replied"
    ticket = running.ticket(number)
    assert (ticket.urgency, ticket.client_id) == ("acuut", "de-linde")
    assert (ticket.naam, ticket.channel) == ("Fatima el Amrani", "email")
    assert running.rows(WorkOrder, ticket_id=ticket.id)


def test_too_little_gets_the_question_and_the_answer_mail_completes_it(running: Running) -> None:
    first = tenant_mail(
        "De cv-ketel doet het niet meer, het huis is koud.\n\nGroet,\nJan de Vries\n"
        "1234 AB 14\n06 23456789\n",
        subject="cv kapot",
    )
    answer = running.mail(first)
    last_mail = first
    for _ in range(6):
        number = ticket_of(answer)
        if number:
            break
        text = text_of(answer)
        assert "Antwoord met het nummer van uw keuze." in text
        assert "U kunt gewoon op deze e-mail antwoorden." in text
        # The tenant's mail program quotes our question under the answer.
        quoted = "\n".join("> " + line for line in text.splitlines())
        choice = option(text, "Nee") if re.search(r"^\d+\. Nee", text, re.M) else "1"
        last_mail = tenant_mail(f"{choice}\n\n{quoted}", reply_to=answer)
        answer = running.mail(last_mail)
    number = ticket_of(answer)
    assert number, text_of(answer)
    assert str(answer["In-Reply-To"]) == str(last_mail["Message-ID"])
    ticket = running.ticket(number)
    # One melding: every answer mail continued the conversation of the first mail.
    assert ticket.conversation_id == conversation_for_new(str(first["Message-ID"]))
    assert (ticket.topic, ticket.client_id, ticket.naam) == (
        "cv_storing",
        "de-linde",
        "Jan de Vries",
    )


def test_a_gas_mail_reaches_the_queue_as_acuut_with_the_safety_text(running: Running) -> None:
    answer = running.mail(tenant_mail("Ik ruik gas in de keuken, heel sterk.", subject="gas"))
    text = text_of(answer)
    assert "0800-9009" in text and "Bel 112" in text
    assert "Uw melding staat bij onze medewerkers bovenaan de lijst" in text
    assert ticket_of(answer) is None
    queued = [h for h in running.rows(Handover, channel="email") if "Acuut" in h.reason]
    assert queued and queued[-1].summary["topic"] == "gaslek"
    assert queued[-1].summary["outcome"]["urgency"] == "acuut"


def test_robots_bounces_and_duplicates_are_not_answered(running: Running) -> None:
    auto = tenant_mail("Ik ben afwezig tot maandag.", headers={"Auto-Submitted": "auto-replied"})
    out_of_office = tenant_mail("Out of office", headers={"X-Autoreply": "yes"})
    listed = tenant_mail("Nieuwsbrief", headers={"List-Id": "<nieuws.example.nl>"})
    bounce = tenant_mail(
        "Delivery failed", sender="MAILER-DAEMON@example.nl", headers={"Return-Path": "<>"}
    )
    ours = tenant_mail("Ons eigen bericht", headers={"X-Meldkamer-Loop": "1"})
    twice = tenant_mail(COMPLETE.replace("12", "16"), subject="dubbel")
    for mail in (auto, out_of_office, listed, bounce, ours, twice, twice):
        send(running.port, mail)
    # Mails are handled in the order they came: once this one is answered, all were.
    running.mail(tenant_mail("Ik ben buitengesloten.", subject="sleutel kwijt"))
    for mail in (auto, out_of_office, listed, bounce, ours):
        assert answers_to(running.outgoing, mail, timeout=0) == []
    assert len(answers_to(running.outgoing, twice, timeout=0)) == 1


def test_a_photo_ends_up_on_the_ticket_and_other_files_are_refused(running: Running) -> None:
    mail = tenant_mail(
        COMPLETE.replace("Lindelaan 12, 1234 AB", "Lindelaan 18, 1234 AB"),
        attachments=(
            (tiny_jpeg(), "image", "jpeg", "lekkage.jpg"),
            (b"%PDF-1.4 niet een foto", "application", "pdf", "offerte.pdf"),
        ),
    )
    answer = running.mail(mail)
    number = ticket_of(answer)
    assert number, text_of(answer)
    assert "offerte.pdf hebben wij niet gebruikt" in text_of(answer)
    ticket = running.ticket(number)
    photos = running.rows(Attachment, ticket_id=ticket.id)
    assert len(photos) == 1 and photos[0].content_type == "image/jpeg"


def test_a_malformed_mail_is_kept_and_queued(running: Running) -> None:
    raw = b"Subject: ???\r\nContent-Type: text/plain\r\n\r\n\xff\xfe onleesbaar zonder afzender\r\n"

    with smtplib.SMTP("127.0.0.1", running.port, timeout=30) as smtp:
        smtp.sendmail("onbekend@example.nl", ["storing@de-linde.example.nl"], raw)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        queued = [
            h for h in running.rows(Handover, channel="email") if "niet automatisch" in h.reason
        ]
        if queued:
            break
        time.sleep(0.2)
    assert queued, running.stack.log()[-3000:]
    kept = Path(queued[-1].summary["beschrijving"].removeprefix("Bewaard als "))
    assert kept.read_bytes() == raw


def test_the_sender_of_an_empty_mail_hears_that_a_person_reads_it(running: Running) -> None:
    sender = "leeg@example.nl"
    raw = f"From: {sender}\r\nSubject: \r\nMessage-ID: <leeg.1@example.nl>\r\n\r\n\r\n".encode()

    with smtplib.SMTP("127.0.0.1", running.port, timeout=30) as smtp:
        smtp.sendmail(sender, ["storing@de-linde.example.nl"], raw)
    deadline = time.monotonic() + 60
    while not (told := [m for m in list(running.outgoing.mailbox.messages) if m["To"] == sender]):
        assert time.monotonic() < deadline, running.stack.log()[-3000:]
        time.sleep(0.2)
    assert "Een medewerker van de meldkamer bekijkt hem" in text_of(told[0])
    queued = [
        h for h in running.rows(Handover, channel="email") if h.summary.get("email") == sender
    ]
    assert queued and "geen tekst en geen bijlage" in queued[0].reason


def test_a_mail_in_the_imap_mailbox_is_fetched_answered_and_marked_seen(running: Running) -> None:
    mail = tenant_mail(COMPLETE.replace("12", "20"), subject="via de mailbox")
    running.dovecot.append(bytes(mail))
    answers = answers_to(running.outgoing, mail)
    assert len(answers) == 1 and ticket_of(answers[0])
    assert running.dovecot.unseen() == 0
