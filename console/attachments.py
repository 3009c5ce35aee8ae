"""Tenants' photos (``/bijlagen/{id}``), for signed-in agents only.

The file is found through its database record, never through a path in the URL, and
the resolved path must lie inside the upload folder: a tampered record pointing at
``../../etc/passwd`` or a symlink out of the folder is refused.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from console.keys import SESSIONS, SETTINGS
from meldkamer.attachments.models import Attachment


def inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` when it stays inside ``root`` and is a file; else ``None``."""
    if not relative or Path(relative).is_absolute():
        return None
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


async def photo(request: web.Request) -> web.StreamResponse:
    """Serve one photo with the type that was sniffed when it was stored."""
    with request.app[SESSIONS]() as session:
        attachment = session.get(Attachment, int(request.match_info["attachment_id"]))
        if attachment is None:
            raise web.HTTPNotFound(text="Deze bijlage bestaat niet.")
        relative, content_type = attachment.path, attachment.content_type
    path = inside(request.app[SETTINGS].photos_root(), relative)
    if path is None or not content_type.startswith("image/"):
        raise web.HTTPNotFound(text="Deze bijlage bestaat niet.")
    return web.FileResponse(
        path,
        headers={
            "Content-Type": content_type,
            "Content-Disposition": "inline",
            "Cache-Control": "private, no-store",
        },
    )


def setup_routes(app: web.Application) -> None:
    """Add the attachment route."""
    app.router.add_get(r"/bijlagen/{attachment_id:\d+}", photo, name="attachment")
