"""Photos: the channel stored the file; the melding keeps a reference to it."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.runtime import runtime
from actions.state import language
from meldkamer.intake.catalog import catalog
from meldkamer.service.photos import MAX_PHOTOS, PhotoUpload, record_photo

logger = logging.getLogger(__name__)


def _upload(relative: str, metadata: dict[str, Any]) -> PhotoUpload:
    """What the channel put in the message's metadata about the file it stored."""
    return PhotoUpload(
        relative=relative,
        content_type=str(metadata["content_type"]),
        size=int(metadata["size"]),
        sha256=str(metadata.get("sha256") or ""),
    )


class ActionFotoOntvangen(Action):
    """Acknowledge a photo and add it to the melding."""

    def name(self) -> str:
        return "action_foto_ontvangen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say = catalog(language(tracker))
        metadata = tracker.latest_message.get("metadata") or {}
        photo = metadata.get("photo")
        if not isinstance(photo, str) or not photo:
            dispatcher.utter_message(text=say("geen_foto"))
            return []
        photos = list(tracker.get_slot("fotos") or [])
        if len(photos) >= MAX_PHOTOS:
            dispatcher.utter_message(text=say("genoeg_fotos", aantal=MAX_PHOTOS))
            return []
        try:
            record_photo(runtime(), tracker.sender_id, _upload(photo, metadata))
        except (SQLAlchemyError, ValueError, KeyError):
            logger.exception("could not record photo %s", photo)
            dispatcher.utter_message(text=say("foto_niet_bewaard"))
            return []
        photos.append(photo)
        if tracker.get_slot("topic"):
            dispatcher.utter_message(text=say("foto_toegevoegd"))
        else:
            dispatcher.utter_message(text=say("foto_eerst"))
        return [SlotSet("fotos", photos)]
