"""What the conversation so far says, read from Rasa's tracker store.

The channels without buttons (e-mail, SMS) need the last question's options to read a
tenant's "2", the slot the assistant asks for to fill it from the mail, and what
earlier mails said (their Message-IDs, contact details, thread). All of it is in the
tracker already (slots, bot events with their buttons, user events with the metadata
the channel put there), which the Rasa servers share through the tracker store: no
second store of the channel's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from meldkamer.mailin import METADATA_KEY


@dataclass(frozen=True)
class TrackerView:
    """The parts of a conversation the channel acts on."""

    exists: bool = False
    requested_slot: str | None = None
    awaiting_confirmation: bool = False
    ticket: str | None = None
    topic: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    slots: Mapping[str, Any] = field(default_factory=dict)
    #: The buttons of the bot's last message (empty when it asked nothing to choose).
    buttons: Sequence[Mapping[str, str]] = ()
    #: The channel metadata of every earlier user message, oldest first.
    earlier: Sequence[Mapping[str, Any]] = ()
    #: Whether a person of the meldkamer has taken the conversation.
    agent_active: bool = False


class Trackers(Protocol):
    """Reads a conversation (the real one wraps Rasa's tracker store)."""

    async def view(self, conversation_id: str) -> TrackerView: ...


def view_of(tracker: Any) -> TrackerView:
    """A :class:`TrackerView` of a Rasa ``DialogueStateTracker`` (``None``: no conversation)."""
    if tracker is None:
        return TrackerView()
    events = list(getattr(tracker, "events", []) or [])
    buttons: Sequence[Mapping[str, str]] = ()
    earlier: list[Mapping[str, Any]] = []
    for event in events:
        kind = getattr(event, "type_name", "")
        if kind == "bot":
            data = getattr(event, "data", None) or {}
            if data.get("buttons"):
                buttons = tuple(data["buttons"])
        elif kind == "user":
            metadata = getattr(event, "metadata", None) or {}
            if isinstance(metadata.get(METADATA_KEY), Mapping):
                earlier.append(metadata[METADATA_KEY])
            buttons = () if not _is_photo(event) else buttons
    slots = {name: slot.value for name, slot in getattr(tracker, "slots", {}).items()}
    facts = slots.get("feiten")
    return TrackerView(
        exists=bool(events),
        requested_slot=slots.get("requested_slot"),
        awaiting_confirmation=bool(slots.get("wacht_op_bevestiging")),
        ticket=slots.get("ticket_nummer"),
        topic=slots.get("topic"),
        facts=facts if isinstance(facts, Mapping) else {},
        slots=slots,
        buttons=buttons,
        earlier=tuple(earlier),
        agent_active=bool(getattr(tracker, "is_paused", lambda: False)()),
    )


def _is_photo(event: Any) -> bool:
    return str(getattr(event, "text", "") or "").startswith("/foto")


class RasaTrackers:
    """:class:`Trackers` over the tracker store of the Rasa server's agent."""

    def __init__(self) -> None:
        #: The Sanic app, set when the server starts.
        self.app: Any = None

    async def view(self, conversation_id: str) -> TrackerView:
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return TrackerView()
        return view_of(await store.retrieve(conversation_id))


__all__ = ["METADATA_KEY", "RasaTrackers", "TrackerView", "Trackers", "view_of"]
