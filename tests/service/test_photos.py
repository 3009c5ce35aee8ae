"""record_photo: the stored file becomes the conversation's, once."""

from __future__ import annotations

from sqlalchemy import select

from meldkamer.attachments.models import Attachment
from meldkamer.service.context import Collaborators
from meldkamer.service.photos import PhotoUpload, record_photo

PHOTO = PhotoUpload("ab/cd.jpg", "image/jpeg", 1234, "f" * 64)


def test_a_photo_is_recorded_once_for_its_path(ctx: Collaborators) -> None:
    first = record_photo(ctx, "gesprek-1", PHOTO)
    assert record_photo(ctx, "gesprek-1", PHOTO) == first
    with ctx.sessions() as session:
        (row,) = session.execute(select(Attachment)).scalars()
    assert (row.id, row.conversation_id, row.path, row.size) == (
        first,
        "gesprek-1",
        "ab/cd.jpg",
        1234,
    )
    assert row.ticket_id is None and row.content_type == "image/jpeg"
