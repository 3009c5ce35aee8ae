"""Local stand-ins for the mail server and SMS gateway, for `make run` on a laptop.

Nothing leaves the machine: e-mails and SMS messages the worker sends are printed to
the terminal and appended to var/dev-outbox.log, so a newcomer sees dispatch happen.
Not used when SMTP_HOST or SMS_GATEWAY_URL point at real services. Both listen on
127.0.0.1 only (ports and log file as options; scripts/run.sh passes them).
"""

from __future__ import annotations

import argparse
import asyncio
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller

LOG = Path("var/dev-outbox.log")
HOST = "127.0.0.1"


def _write(text: str) -> None:
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with LOG.open("a", encoding="utf-8") as log:
        log.write(text + "\n")
    print(text, flush=True)


class PrintingMailbox:
    """Accepts every e-mail and prints it."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        body = message.get_content() if not message.is_multipart() else "(multipart)"
        _write(f"--- e-mail aan {message['To']}: {message['Subject']}\n{body}")
        return "250 OK"


async def sms(request: web.Request) -> web.Response:
    data = await request.json()
    _write(f"--- sms aan {data.get('to')}: {data.get('text')}")
    return web.json_response({"id": "dev"})


async def main(smtp_port: int, sms_port: int) -> None:
    controller = Controller(PrintingMailbox(), hostname=HOST, port=smtp_port)
    controller.start()
    app = web.Application()
    app.router.add_post("/sms", sms)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, HOST, sms_port).start()
    try:
        await asyncio.Event().wait()
    finally:
        controller.stop()
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smtp-port", type=int, default=8025)
    parser.add_argument("--sms-port", type=int, default=8026)
    parser.add_argument("--log", type=Path, default=LOG)
    args = parser.parse_args()
    LOG = args.log
    asyncio.run(main(args.smtp_port, args.sms_port))
