"""Checking and storing photo files.

The type is read from the file's first bytes, never from its name or the sender's
word, and the size is capped, so a channel can pass on whatever a tenant uploads.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

#: 10 MB: a phone photo is 2-5 MB; WhatsApp itself caps images at 5 MB.
MAX_BYTES = 10 * 1024 * 1024

_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"WEBP", 8, "image/webp", "webp"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"ftypheic", 4, "image/heic", "heic"),
    (b"ftypheix", 4, "image/heic", "heic"),
    (b"ftypmif1", 4, "image/heif", "heif"),
)


class RejectedFile(ValueError):
    """The file is not a photo we accept; the message is Dutch for the tenant."""


@dataclass(frozen=True)
class StoredFile:
    """A photo on disk: where, what type, how big, and its checksum."""

    path: Path
    relative: str
    content_type: str
    size: int
    sha256: str


def sniff(data: bytes) -> tuple[str, str]:
    """The content type and file extension of an image, from its first bytes."""
    for signature, offset, content_type, extension in _SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and data[:4] != b"RIFF":
                continue
            return content_type, extension
    raise RejectedFile("Dit bestand is geen foto. Stuur een foto (JPG, PNG, WebP of HEIC).")


def upload_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where photos are kept: ``MELDKAMER_UPLOAD_DIR``, else ``var/uploads``."""
    env = os.environ if env is None else env
    return Path(env.get("MELDKAMER_UPLOAD_DIR") or Path.cwd() / "var" / "uploads").resolve()


def store_file(data: bytes, root: Path, now: datetime) -> StoredFile:
    """Check and write a photo under ``root/YYYY/MM/``; raises :class:`RejectedFile`."""
    if not data:
        raise RejectedFile("Het bestand is leeg. Probeer de foto opnieuw te sturen.")
    if len(data) > MAX_BYTES:
        raise RejectedFile("De foto is te groot (meer dan 10 MB). Stuur een kleinere foto.")
    content_type, extension = sniff(data)
    relative = f"{now:%Y/%m}/{uuid.uuid4().hex}.{extension}"
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temporary name first so a crash never leaves half a photo behind.
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)
    return StoredFile(
        path=path,
        relative=relative,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
