"""Sending outbox e-mails over SMTP with the standard library.

smtplib blocks, so each message is sent in a worker thread; every socket operation
has a timeout, so a hanging server cannot hold the worker for ever.
"""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import TYPE_CHECKING

from meldkamer.notify.delivery import DeliveryError, short
from meldkamer.notify.models import MessageKind, OutboxMessage

if TYPE_CHECKING:
    from meldkamer.notify.attachments import MailAttachment

#: Reads an outbox message's attachments by its id (meldkamer.notify.attachments).
AttachmentLoader = Callable[[int], Sequence["MailAttachment"]]

SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server.

    Attributes:
        security: ``starttls`` (upgrade a plain connection), ``ssl`` (TLS from the
            start) or ``none`` (only for a relay on a trusted network).
        mail_from: The From header, e.g. ``Meldkamer <meldingen@example.nl>``.
        timeout: Seconds allowed for connecting and for each SMTP command.
    """

    host: str
    mail_from: str
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT_S

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ValueError(
                f"SMTP_SECURITY {self.security!r} onbekend; mogelijk: {', '.join(SECURITY_MODES)}"
            )
        if not 0 < self.port < 65536:
            raise ValueError(f"SMTP_PORT {self.port} ligt niet tussen 1 en 65535")
        if (self.username is None) != (self.password is None):
            raise ValueError("SMTP_USERNAME en SMTP_PASSWORD horen samen: geef beide of geen")
        if "@" not in parseaddr(self.mail_from)[1]:
            raise ValueError(f"MAIL_FROM {self.mail_from!r} bevat geen e-mailadres")

    @property
    def from_address(self) -> str:
        """The bare address of :attr:`mail_from`."""
        return parseaddr(self.mail_from)[1]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings | None:
        """Read the settings from ``SMTP_*`` and ``MAIL_FROM``; None when e-mail is off.

        E-mail is off when ``SMTP_HOST`` is unset or empty. ``SMTP_PORT`` defaults to
        587, or 465 with ``SMTP_SECURITY=ssl``.

        Raises:
            ValueError: ``SMTP_HOST`` is set but the rest is missing or malformed.
        """

        def get(name: str) -> str | None:
            return env.get(name, "").strip() or None

        host = get("SMTP_HOST")
        if host is None:
            return None
        mail_from = get("MAIL_FROM")
        if mail_from is None:
            raise ValueError("MAIL_FROM ontbreekt")
        security = (get("SMTP_SECURITY") or "starttls").lower()
        raw_port = get("SMTP_PORT")
        if raw_port is None:
            port = 465 if security == "ssl" else 587
        else:
            try:
                port = int(raw_port)
            except ValueError:
                raise ValueError(f"SMTP_PORT {raw_port!r} is geen getal") from None
        return cls(
            host=host,
            mail_from=mail_from,
            port=port,
            security=security,
            username=get("SMTP_USERNAME"),
            # Not stripped: a password may end in a space.
            password=env.get("SMTP_PASSWORD") or None,
        )


def message_id(key: str, settings: SmtpSettings) -> str:
    """Return the Message-ID of the outbox message with ``key``.

    Derived from the key alone, so a message sent again after a crash carries the
    same Message-ID and the receiving side can recognise the duplicate.
    """
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    domain = settings.from_address.rpartition("@")[2]
    return f"<outbox.{digest}@{domain}>"


def build_email(
    message: OutboxMessage,
    settings: SmtpSettings,
    attachments: Sequence[MailAttachment] = (),
) -> EmailMessage:
    """Return ``message`` as a plain-text UTF-8 e-mail, with ``attachments`` if any."""
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.recipient
    email["Subject"] = message.subject or ""
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message_id(message.key, settings)
    # Asks out-of-office robots not to answer (RFC 3834).
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body, charset="utf-8", cte="quoted-printable")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return email


def _deliver(settings: SmtpSettings, email: EmailMessage) -> None:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with smtp:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.username is not None and settings.password is not None:
            smtp.login(settings.username, settings.password)
        smtp.send_message(email)


def send_prepared(settings: SmtpSettings, email: EmailMessage) -> None:
    """Deliver a mail built elsewhere (a threaded reply to a tenant); blocks, use a thread.

    Raises:
        DeliveryError: The server could not be reached or refused the message.
    """
    try:
        _deliver(settings, email)
    except (smtplib.SMTPException, OSError) as error:
        raise delivery_error(error) from error


def _is_permanent(code: int) -> bool:
    return 500 <= code < 600


def delivery_error(error: smtplib.SMTPException | OSError) -> DeliveryError:
    """Translate an smtplib or socket error into a :class:`DeliveryError`.

    Only a refusal of this message (its recipient or its content) with a 5xx code
    is permanent. A refused login or sender is a fault of the configuration, not of
    the message: those messages wait until the configuration is fixed.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = list(error.recipients.values())
        code, text = refusals[0] if refusals else (0, b"")
        return DeliveryError(
            f"ontvanger geweigerd: SMTP {code} {short(text)}".strip(),
            permanent=bool(refusals) and all(_is_permanent(c) for c, _ in refusals),
        )
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return DeliveryError(f"aanmelden bij de SMTP-server geweigerd (SMTP {error.smtp_code})")
    if isinstance(error, smtplib.SMTPSenderRefused):
        return DeliveryError(
            f"afzender geweigerd: SMTP {error.smtp_code} {short(error.smtp_error)}"
        )
    if isinstance(error, smtplib.SMTPDataError):
        return DeliveryError(
            f"bericht geweigerd: SMTP {error.smtp_code} {short(error.smtp_error)}",
            permanent=_is_permanent(error.smtp_code),
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return DeliveryError(f"SMTP {error.smtp_code} {short(error.smtp_error)}")
    detail = f"{type(error).__name__}: {short(str(error))}"
    # smtplib's own errors derive from OSError too; only a broken connection is "unreachable".
    if isinstance(error, smtplib.SMTPException) and not isinstance(
        error, smtplib.SMTPServerDisconnected
    ):
        return DeliveryError(f"SMTP-fout: {detail}")
    return DeliveryError(f"SMTP-server niet bereikbaar: {detail}")


class EmailSender:
    """Sends outbox e-mails; one SMTP connection per message.

    Args:
        settings: how to reach the SMTP server.
        attachments: reads a message's attachments (the worker passes one on its
            database); without it mails go without their files, so only tests that
            send no attachments leave it out.
    """

    def __init__(self, settings: SmtpSettings, attachments: AttachmentLoader | None = None) -> None:
        self.settings = settings
        self.attachments = attachments

    async def send(self, message: OutboxMessage) -> None:
        """Deliver ``message`` to the SMTP server.

        Raises:
            DeliveryError: The server could not be reached or refused the message.
        """
        if message.kind != MessageKind.EMAIL.value:
            raise DeliveryError(f"geen e-mail maar {message.kind}", permanent=True)
        files = self.attachments(message.id) if self.attachments is not None else ()
        email = build_email(message, self.settings, files)
        try:
            await asyncio.to_thread(_deliver, self.settings, email)
        except (smtplib.SMTPException, OSError) as error:
            raise delivery_error(error) from error

    async def close(self) -> None:
        """Nothing to release: connections last one message."""
