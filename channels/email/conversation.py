"""One tenant mail through the assistant: its text, then the details it already gives.

The mail's text goes to the bot as the tenant's message (a "2" or "nee" under a
question becomes that option's payload). Then, as long as the bot asks for something
the mails already said (address, name, phone, e-mail, description) or shows the
summary of details the tenant gave, the channel answers for the tenant, turn by turn,
through the same assistant and actions. It stops at the first question the mails do
not answer (a triage question, a detail missing or refused), so the answer mail asks
exactly that. The turns' messages become one answer; questions the channel answered
itself are left out of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from channels.email.trackers import Trackers, TrackerView
from meldkamer.mailin.choices import chosen
from meldkamer.mailin.extract import Contact

#: The most turns the channel answers for the tenant in one mail.
MAX_AUTO_TURNS = 8
#: What the channel says to confirm the summary of details the tenant gave.
CONFIRM = "/affirm"

#: ``say(text, extra_metadata)``: one turn of the bot; what it said.
Say = Callable[[str, Mapping[str, Any]], Awaitable[list[dict[str, Any]]]]


@dataclass
class Turn:
    """What the channel sent for the tenant and what the bot answered."""

    sent: str
    said: list[dict[str, Any]]
    #: The channel answered the bot's question from the mail (not a photo, not the tenant).
    fills: bool = False


@dataclass
class Conversation:
    """The turns of one mail and where the conversation stands after them."""

    before: TrackerView
    after: TrackerView = field(default_factory=TrackerView)
    turns: list[Turn] = field(default_factory=list)


def details(contact: Contact, sender: str | None, description: str) -> dict[str, str | None]:
    """What the channel may answer for the tenant, by the slot the bot asks for."""
    return {
        "adres": contact.address,
        "naam": contact.best_name,
        "telefoon": contact.phone,
        "email": sender,
        "beschrijving": description,
    }


def next_answer(view: TrackerView, known: Mapping[str, str | None], given: set[str]) -> str | None:
    """What to answer for the tenant now, or ``None``: the tenant must answer this one."""
    if view.ticket:
        return None
    if view.awaiting_confirmation:
        if "bevestiging" in given:
            return None
        given.add("bevestiging")
        return CONFIRM
    slot = view.requested_slot
    value = known.get(slot) if slot else None
    if not slot or not value or slot in given:
        # Asked again after our answer: the intake refused it, so the tenant decides.
        return None
    given.add(slot)
    return value


async def run(
    text: str,
    *,
    conversation_id: str,
    trackers: Trackers,
    say: Say,
    known: Mapping[str, str | None],
    photos: Sequence[Mapping[str, Any]] = (),
) -> Conversation:
    """Feed one mail's text, its photos and the details it gives; return the turns."""
    before = await trackers.view(conversation_id)
    result = Conversation(before=before)
    first = chosen(text, before.buttons) or text
    result.turns.append(Turn(first, await say(first, {})))
    for photo in photos:
        result.turns.append(Turn("/foto", await say("/foto", photo)))
    given: set[str] = set()
    view = await trackers.view(conversation_id)
    for _ in range(MAX_AUTO_TURNS):
        answer = next_answer(view, known, given)
        if answer is None:
            break
        result.turns.append(Turn(answer, await say(answer, {}), fills=True))
        view = await trackers.view(conversation_id)
    result.after = view
    return result


def answer_messages(turns: Sequence[Turn]) -> list[dict[str, Any]]:
    """The bot's messages for the answer mail, without the questions the channel answered."""
    kept: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, turn in enumerate(turns):
        answered = index + 1 < len(turns) and turns[index + 1].fills
        for position, message in enumerate(turn.said):
            text = str(message.get("text") or "").strip()
            if answered and position == len(turn.said) - 1:
                # The question the channel answered from the mail; a summary stays, without
                # its "Klopt dit?" (the tenant's own details were confirmed for them).
                if "\n" not in text:
                    continue
                message = {"text": text.rsplit("\n", 1)[0] if text.endswith("?") else text}
                text = message["text"]
            if text in seen and not message.get("buttons"):
                continue
            seen.add(text)
            kept.append(message)
    return kept
