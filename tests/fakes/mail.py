"""Real stand-ins for the outside services e-mail and SMS go to, on loopback.

An aiosmtpd SMTP server that keeps what it accepts, and an aiohttp HTTP server that
plays the SMS gateway (checks the bearer token, records requests, answers as told).
Fixtures ``smtp_server`` and ``sms_gateway`` in tests/conftest.py start them per test.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from devstack.ports import free_port
from meldkamer.notify.mail import SmtpSettings
from meldkamer.notify.sms import SmsSettings

MAIL_FROM = "Meldkamer <meldingen@meldkamer.test>"
GATEWAY_TOKEN = "gateway-token-zeer-geheim"


# --- a real SMTP server ----------------------------------------------------------------------


class Mailbox:
    """aiosmtpd handler that keeps every accepted message."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.refuse: set[str] = set()
        # Seconds to wait before accepting the data: a slow server.
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(m["Message-ID"]) for m in self.messages]

    def count(self) -> int:
        with self._lock:
            return len(self.messages)


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that can be stopped and started on the same port."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.credentials = credentials
        self.controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.credentials is not None
            and (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        )
        # handled=False: aiosmtpd answers 535 itself (its default is to say nothing).
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        options = {}
        if self.credentials is not None:
            # Plain-text AUTH is fine on loopback; it keeps the test free of certificates.
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self.controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port, ready_timeout=5, **options
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def settings(self, **changes: object) -> SmtpSettings:
        fields: dict[str, object] = {
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "mail_from": MAIL_FROM,
            "timeout": 5.0,
        }
        fields.update(changes)
        return SmtpSettings(**fields)  # type: ignore[arg-type]

    def env(self) -> dict[str, str]:
        return {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.port),
            "SMTP_SECURITY": "none",
            "MAIL_FROM": MAIL_FROM,
        }


@contextmanager
def running_smtp_server(credentials: tuple[str, str] | None = None) -> Iterator[SmtpServer]:
    server = SmtpServer(credentials)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- a real SMS gateway ----------------------------------------------------------------------


class SmsGateway:
    """An HTTP SMS gateway: checks the bearer token, records requests, answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict[str, object]] = []
        # Statuses to answer with, one per request; 202 when the list is empty.
        self.statuses: list[int] = []
        self.url = ""

    @property
    def accepted(self) -> list[dict[str, object]]:
        return [r for r in self.requests if 200 <= int(r["_status"]) < 300]  # type: ignore[call-overload]

    async def handle(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {GATEWAY_TOKEN}":
            return web.json_response({"error": "ongeldig token"}, status=401)
        data = await request.json()
        status = self.statuses.pop(0) if self.statuses else 202
        self.requests.append({**data, "_status": status})
        if status == 400:
            return web.json_response({"error": "ongeldig nummer"}, status=400)
        if 200 <= status < 300:
            return web.json_response({"id": f"sms-{len(self.requests)}"}, status=status)
        return web.Response(status=status, text="tijdelijk niet beschikbaar")

    def settings(self, **changes: object) -> SmsSettings:
        fields: dict[str, object] = {
            "gateway_url": self.url,
            "token": GATEWAY_TOKEN,
            "timeout": 5.0,
        }
        fields.update(changes)
        return SmsSettings(**fields)  # type: ignore[arg-type]

    def env(self) -> dict[str, str]:
        return {"SMS_GATEWAY_URL": self.url, "SMS_GATEWAY_TOKEN": GATEWAY_TOKEN}


@asynccontextmanager
async def running_sms_gateway() -> AsyncIterator[SmsGateway]:
    gateway = SmsGateway()
    app = web.Application()
    app.router.add_post("/v1/sms", gateway.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    gateway.url = f"http://{host}:{port}/v1/sms"
    try:
        yield gateway
    finally:
        await runner.cleanup()
