"""Photos: the channel stored the file; the melding keeps a reference to it."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from actions.runtime import runtime
from meldkamer.attachments.files import StoredFile, upload_dir
from meldkamer.attachments.models import Attachment
from meldkamer.attachments.store import record

logger = logging.getLogger(__name__)

#: A melding keeps at most this many photos; more rarely helps the contractor.
MAX_PHOTOS = 10


def record_photo(conversation_id: str, relative: str, metadata: dict[str, Any]) -> None:
    """Register the stored file for the conversation (idempotent on the path)."""
    rt = runtime()
    stored = StoredFile(
        path=upload_dir() / relative,
        relative=relative,
        content_type=str(metadata["content_type"]),
        size=int(metadata["size"]),
        sha256=str(metadata.get("sha256") or ""),
    )
    with rt.sessions.begin() as session:
        if not session.execute(select(Attachment.id).where(Attachment.path == relative)).first():
            record(session, stored, conversation_id, rt.clock())


class ActionFotoOntvangen(Action):
    """Acknowledge a photo and add it to the melding."""

    def name(self) -> str:
        return "action_foto_ontvangen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        metadata = tracker.latest_message.get("metadata") or {}
        photo = metadata.get("photo")
        if not isinstance(photo, str) or not photo:
            dispatcher.utter_message(text="Ik heb geen foto ontvangen. Probeer het nog eens.")
            return []
        photos = list(tracker.get_slot("fotos") or [])
        if len(photos) >= MAX_PHOTOS:
            dispatcher.utter_message(
                text=f"Er zitten al {MAX_PHOTOS} foto's bij uw melding. Dat is genoeg, dank u."
            )
            return []
        try:
            record_photo(tracker.sender_id, photo, metadata)
        except (SQLAlchemyError, ValueError, KeyError):
            logger.exception("could not record photo %s", photo)
            dispatcher.utter_message(
                text="Het bewaren van de foto lukte niet. Probeer het later nog eens."
            )
            return []
        photos.append(photo)
        if tracker.get_slot("topic"):
            dispatcher.utter_message(text="Dank u, de foto is bij uw melding gevoegd.")
        else:
            dispatcher.utter_message(
                text="Dank u voor de foto. Vertel ook in een paar woorden wat er aan de hand is."
            )
        return [SlotSet("fotos", photos)]
