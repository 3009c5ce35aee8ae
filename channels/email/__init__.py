"""The e-mail channel: tenants mail a client's intake address; the answer comes by mail.

Mail arrives over IMAP (``MAIL_IN_IMAP_*``) and/or the channel's SMTP listener
(``MAIL_IN_SMTP_LISTEN``), is kept in a durable inbox before it is acknowledged, and
is then handled one mail at a time on the Rasa server's loop: robots and our own mail
are never answered, a Message-ID is handled once, the mail is threaded to its
conversation, its text and details go through the assistant (channels/email/
conversation.py) and one threaded answer mail goes back through ``SMTP_*``. A mail
that cannot be read is kept and queued for agents. An address starts only so many
conversations (``MELDKAMER_NEW_CONVERSATIONS_PER_SENDER``); over the limit it is told,
at most once per window (a forged sender must not make us flood someone). Routes under ``/webhooks/email/``:
only ``GET /`` (health); nothing can be posted. See docs/CHANNELS.md.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from channels.common.apology import APOLOGY, ActionServer
from channels.common.bounded import Bounded
from channels.common.channel import EnvironmentChannel
from channels.common.inbox import Inbox, inbox_dir
from channels.common.limits import TOO_MANY_CONVERSATIONS, Conversations, may_start
from channels.email import conversation, intake
from channels.email.imap import ImapFetcher
from channels.email.outgoing import Outgoing
from channels.email.output import Collector, EmailOutput
from channels.email.settings import EmailSettings, SettingsError, settings_from_env
from channels.email.smtpd import SmtpListener
from channels.email.trackers import METADATA_KEY, RasaTrackers, Trackers
from meldkamer.mailin.hygiene import never_answer
from meldkamer.mailin.parse import InboundMail, Unreadable, parse_mail, read_message
from meldkamer.mailin.reply import UNREADABLE_REPLY, ReplyText, Thread, build_reply, reply_body
from meldkamer.mailin.threads import conversation_for_new, reply_message_id
from meldkamer.ratelimit import Clock, Limit

__all__ = ["EmailInput", "EmailOutput"]

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
#: Seconds between retries of answers the SMTP server could not take.
RETRY_SECONDS = 60.0


class EmailInput(EnvironmentChannel):
    """Input channel for mail (IMAP and/or an SMTP listener)."""

    channel = "email"
    label = "E-mail"

    @classmethod
    def from_environment(cls) -> InputChannel:
        try:
            settings, reason = settings_from_env()
        except SettingsError as error:
            logger.error("E-mail channel is OFF: %s", error)
            return cls(None, reason=str(error))
        if settings is None:
            logger.warning("E-mail channel is OFF: %s", reason)
        return cls(settings, reason=reason)

    def __init__(
        self,
        settings: EmailSettings | None,
        *,
        reason: str = "",
        trackers: Trackers | None = None,
        inbox: Inbox | None = None,
        outgoing: Outgoing | None = None,
        intake_services: intake.Services | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.settings = settings
        self.reason = reason
        self.trackers: Trackers = trackers or RasaTrackers()
        self.inbox = inbox or Inbox(inbox_dir("email", "in"))
        self.outgoing = outgoing or (
            Outgoing(settings.smtp, Inbox(inbox_dir("email", "out"))) if settings else None
        )
        self.services = intake_services or intake.Services()
        self.action_server = ActionServer()
        self.conversations = Conversations(clock)
        self._seen: Bounded[bool] = Bounded()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker: asyncio.Task[None] | None = None
        self._listener: SmtpListener | None = None
        self._fetcher: ImapFetcher | None = None
        self._fetch_thread: threading.Thread | None = None
        #: What happened to each handled mail, newest last (health and tests).
        self.outcomes: Bounded[str] = Bounded(1000)

    def get_output_channel(self) -> EmailOutput | None:
        """For messages through Rasa's API (an agent's reply): one mail each, in the thread."""
        if self.settings is None or self.outgoing is None:
            return None
        return EmailOutput(self.settings.smtp.mail_from, self.trackers, self.outgoing)

    # --- routes and life cycle ----------------------------------------------------------

    def health(self) -> dict[str, Any]:
        if self.settings is None:
            return {"status": "off", "reason": self.reason}
        listen = self.settings.listen
        return {
            "status": "ok",
            "imap": self.settings.imap is not None,
            "smtp_listener": f"{listen[0]}:{listen[1]}" if listen else None,
            "idle": self._fetcher.idle_supported if self._fetcher else None,
        }

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        email = self.with_health(Blueprint("email_channel", __name__))
        if self.settings is None:
            return email

        @email.listener("after_server_start")
        async def begin(app: Any, loop: Any) -> None:
            if isinstance(self.trackers, RasaTrackers):
                self.trackers.app = app
            self.action_server.app = app
            self.conversations.app = app
            await self.start(on_new_message)

        @email.listener("before_server_stop")
        async def end(app: Any, loop: Any) -> None:
            await self.stop()

        return email

    async def start(self, on_new_message: OnNewMessage) -> None:
        """Open the ways in and handle what is waiting."""
        assert self.settings is not None
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self.settings.listen:
            host, port = self.settings.listen
            self._listener = SmtpListener(host, port, self.keep, self.wake)
            await asyncio.to_thread(self._listener.start)
            logger.info("E-mail channel: SMTP listener on %s:%d", host, port)
        if self.settings.imap:
            self._fetcher = ImapFetcher(self.settings.imap, self.keep, self.wake)
            self._fetch_thread = threading.Thread(
                target=self._fetcher.run, name="imap-fetcher", daemon=True
            )
            self._fetch_thread.start()
            logger.info("E-mail channel: fetching %s", self.settings.imap.host)
        self._worker = asyncio.ensure_future(self._work(on_new_message))
        self._wake.set()

    async def stop(self) -> None:
        if self._listener is not None:
            await asyncio.to_thread(self._listener.stop)
        if self._fetcher is not None:
            self._fetcher.stop()
        if self._fetch_thread is not None:
            await asyncio.to_thread(self._fetch_thread.join, 10)
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker

    def keep(self, key: str, raw: bytes) -> None:
        """Store a received mail durably (from the listener's or fetcher's thread)."""
        self.inbox.put(key, base64.b64encode(raw).decode("ascii"))

    def wake(self) -> None:
        """A mail is waiting (any thread)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _work(self, on_new_message: OnNewMessage) -> None:
        assert self._wake is not None and self.outgoing is not None
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), RETRY_SECONDS)
            self._wake.clear()
            await self.handle_pending(on_new_message)
            await self.outgoing.retry()

    async def handle_pending(self, on_new_message: OnNewMessage) -> int:
        """Handle every mail in the inbox, oldest first; each leaves it once handled."""
        entries = await asyncio.to_thread(self.inbox.pending)
        for entry in entries:
            raw = base64.b64decode(entry.body)
            try:
                outcome = await self.handle(raw, on_new_message)
            except Exception:
                # Kept in the inbox: handled again at the next wake-up or start.
                logger.exception("E-mail: mail %s could not be handled; kept", entry.key)
                continue
            self.outcomes.put(entry.key, outcome)
            await asyncio.to_thread(self.inbox.remove, entry.key)
        return len(entries)

    # --- one mail -------------------------------------------------------------------------

    async def handle(self, raw: bytes, on_new_message: OnNewMessage) -> str:
        """One mail: ``ignored: ...``, ``duplicate``, ``unreadable`` or ``answered``."""
        assert self.settings is not None
        try:
            message = read_message(raw)
            robot = never_answer(message, self.settings.own_addresses)
            if robot is not None:
                logger.info("E-mail: not answered (%s)", robot)
                return f"ignored: {robot}"
            mail = parse_mail(raw)
        except Unreadable as error:
            await self._unreadable(raw, str(error))
            return "unreadable"
        if mail.message_id in self._seen:
            return "duplicate"
        conversation_id = await self._conversation_of(mail)
        view = await self.trackers.view(conversation_id)
        if any(e.get("message_id") == mail.message_id for e in view.earlier):
            self._seen.put(mail.message_id, True)
            return "duplicate"
        if not await self._may_start(mail, conversation_id):
            self._seen.put(mail.message_id, True)
            return "refused: too many new conversations"
        await self._converse(mail, conversation_id, view.earlier, on_new_message)
        self._seen.put(mail.message_id, True)
        return "answered"

    async def _may_start(self, mail: InboundMail, conversation_id: str) -> bool:
        """Within the sender's limit of new conversations; else told (once per window)."""
        limits = self.services.limits()
        key = f"mail:{mail.sender.lower()}"
        if await may_start(limits, self.conversations, conversation_id, key, limits.per_sender):
            return True
        logger.warning("E-mail: mail refused: too many new conversations from one address")
        once = Limit(1, limits.per_sender.window)
        if (await limits.limiter.take(f"told:{key}", once)).allowed:
            thread = Thread(mail.sender, mail.subject, mail.message_id, mail.thread_ids)
            parts = ReplyText(said=[{"text": TOO_MANY_CONVERSATIONS}], asks=False)
            await self._answer(thread, conversation_id, mail.message_id, parts)
        return False

    async def _conversation_of(self, mail: InboundMail) -> str:
        found = await self.services.thread_of(mail)
        return found or conversation_for_new(mail.message_id)

    async def _converse(
        self,
        mail: InboundMail,
        conversation_id: str,
        earlier: Any,
        on_new_message: OnNewMessage,
    ) -> None:
        assert self.settings is not None and self.outgoing is not None
        contact = intake.contact_with_earlier(mail, earlier)
        thread = Thread(mail.sender, mail.subject, mail.message_id, mail.thread_ids)
        metadata = {
            "entry": {"kind": "email", "key": await self.services.entry_key(mail)},
            METADATA_KEY: {
                "message_id": mail.message_id,
                "thread": thread.to_dict(),
                "contact": contact.to_dict(),
                "original": mail.full_text[: intake.MAX_ORIGINAL],
            },
        }
        photos, notes = await self.services.photos(mail, conversation_id)
        say = self._sayer(conversation_id, metadata, on_new_message)
        known = conversation.details(contact, mail.sender, mail.text)
        turns = await conversation.run(
            mail.text,
            conversation_id=conversation_id,
            trackers=self.trackers,
            say=say,
            known=known,
            photos=photos,
        )
        said = conversation.answer_messages(turns.turns)
        if not said and not await self.action_server.answers():
            said = [{"text": APOLOGY}]
        if not turns.before.exists and not turns.after.ticket:
            notes += await self.services.acuut_first(conversation_id, turns.after, contact, mail)
        if not said and not notes:
            # A person has the conversation (the bot is quiet): their reply comes by mail.
            logger.info("E-mail: the bot said nothing; no answer mail")
            return
        parts = ReplyText(
            said=said,
            notes=notes,
            webchat_url=self.settings.webchat_url,
            quoted=mail.text,
            asks=not turns.after.ticket,
        )
        thread = replace(thread, ticket=turns.after.ticket)
        await self._answer(thread, conversation_id, mail.message_id, parts)

    def _sayer(
        self, conversation_id: str, metadata: Mapping[str, Any], on_new_message: OnNewMessage
    ) -> conversation.Say:
        """One bot turn with the mail's metadata; what the bot said."""

        async def say(text: str, extra: Mapping[str, Any]) -> list[dict[str, Any]]:
            collector = Collector()
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    conversation_id,
                    input_channel=self.name(),
                    metadata={**metadata, **extra},
                )
            )
            return collector.messages

        return say

    async def _answer(
        self, thread: Thread, conversation_id: str, key: str, parts: ReplyText
    ) -> None:
        """Write the answer mail and send it (kept until the SMTP server takes it)."""
        assert self.settings is not None and self.outgoing is not None
        domain = _domain(self.settings)
        email = build_reply(
            thread,
            reply_body(parts),
            mail_from=self.settings.smtp.mail_from,
            message_id=reply_message_id(conversation_id, key, domain),
        )
        await self.outgoing.send(email)

    async def _unreadable(self, raw: bytes, why: str) -> None:
        digest = hashlib.sha256(raw).hexdigest()
        where = await asyncio.to_thread(intake.keep_unreadable, raw, digest)
        conversation_id = f"mail-onleesbaar-{digest[:16]}"
        sender = await self.services.queue_unreadable(conversation_id, why, where, raw)
        logger.warning("E-mail: unreadable mail (%s) kept as %s and queued", why, where)
        assert self.settings is not None
        if sender is None or sender.lower() in self.settings.own_addresses:
            return
        # Told that a person reads it, so the tenant does not wait for an answer that never comes.
        thread = Thread(sender, "Uw e-mail aan de meldkamer", "")
        parts = ReplyText(said=[{"text": UNREADABLE_REPLY}], asks=False)
        await self._answer(thread, conversation_id, digest, parts)


def _domain(settings: EmailSettings) -> str:
    return settings.smtp.from_address.rpartition("@")[2] or "meldkamer.invalid"
