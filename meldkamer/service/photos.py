"""Record a photo: the channel stored the file; the melding keeps a reference to it."""

from __future__ import annotations

from dataclasses import dataclass

from meldkamer.attachments.files import StoredFile, upload_dir
from meldkamer.attachments.store import find_by_path, record
from meldkamer.service.context import Collaborators

#: A melding keeps at most this many photos; more rarely helps the contractor.
MAX_PHOTOS = 10


@dataclass(frozen=True)
class PhotoUpload:
    """What the channel tells about a file it stored under the upload folder."""

    relative: str
    content_type: str
    size: int
    sha256: str = ""


def record_photo(ctx: Collaborators, conversation_id: str, photo: PhotoUpload) -> int:
    """Register the stored file for the conversation (idempotent on the path); its id."""
    stored = StoredFile(
        path=upload_dir() / photo.relative,
        relative=photo.relative,
        content_type=photo.content_type,
        size=photo.size,
        sha256=photo.sha256,
    )
    with ctx.sessions.begin() as session:
        existing = find_by_path(session, photo.relative)
        if existing is not None:
            return existing.id
        return record(session, stored, conversation_id, ctx.clock()).id
