"""Checking and storing photo files.

The type is read from the file's first bytes, never from its name or the sender's
word, and the size is capped, so a channel can pass on whatever a tenant uploads.
Metadata that says more than the picture (EXIF with the GPS position of the home,
camera serial numbers, comments, PNG text chunks) is removed before the file is
written, without decoding the image again: the pixels stay exactly as sent. A JPEG's
orientation is kept, as the only EXIF field, so the photo is not shown on its side.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
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


def check(data: bytes) -> tuple[str, str]:
    """The content type and extension of an acceptable photo; raises :class:`RejectedFile`."""
    if not data:
        raise RejectedFile("Het bestand is leeg. Probeer de foto opnieuw te sturen.")
    if len(data) > MAX_BYTES:
        raise RejectedFile("De foto is te groot (meer dan 10 MB). Stuur een kleinere foto.")
    return sniff(data)


def store_file(data: bytes, root: Path, now: datetime) -> StoredFile:
    """Check and write a photo under ``root/YYYY/MM/``; raises :class:`RejectedFile`."""
    content_type, extension = check(data)
    data = strip_metadata(data, content_type)
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


_NOT_READABLE = "De foto is beschadigd of onvolledig. Stuur de foto nog een keer."
#: JPEG segments kept: JFIF (APP0), colour profile (APP2), Adobe colour transform (APP14).
_JPEG_KEEP = {0xE0, 0xE2, 0xEE}
#: PNG chunks that carry words, dates and EXIF rather than the picture.
_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
_ORIENTATION = 0x0112


def strip_metadata(data: bytes, content_type: str) -> bytes:
    """``data`` without metadata (JPEG and PNG); other types as they are."""
    try:
        if content_type == "image/jpeg":
            return _strip_jpeg(data)
        if content_type == "image/png":
            return _strip_png(data)
    except (IndexError, struct.error):
        raise RejectedFile(_NOT_READABLE) from None
    return data


def _strip_jpeg(data: bytes) -> bytes:
    kept = [data[:2]]
    position, orientation = 2, _jpeg_orientation(data)
    while True:
        if data[position] != 0xFF:
            raise RejectedFile(_NOT_READABLE)
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan (or end): the picture follows
            if orientation is not None:
                kept.insert(2 if len(kept) > 1 and kept[1][1] == 0xE0 else 1, orientation)
            return b"".join([*kept, data[position:]])
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        end = position + 2 + length
        if length < 2 or end > len(data):
            raise RejectedFile(_NOT_READABLE)
        segment = data[position:end]
        is_app = 0xE0 <= marker <= 0xEF or marker == 0xFE
        is_icc = marker != 0xE2 or segment[4:16] == b"ICC_PROFILE\x00"
        if not is_app or (marker in _JPEG_KEEP and is_icc):
            kept.append(segment)
        position = end


def _jpeg_orientation(data: bytes) -> bytes | None:
    """An APP1 segment holding only the photo's EXIF orientation, if it has one."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            value = image.getexif().get(_ORIENTATION)
    except Exception:  # unreadable EXIF is dropped like any other
        return None
    if not isinstance(value, int) or not 2 <= value <= 8:
        return None
    exif = Image.Exif()
    exif[_ORIENTATION] = value
    payload = exif.tobytes()
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _strip_png(data: bytes) -> bytes:
    kept, position = [data[:8]], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            raise RejectedFile(_NOT_READABLE)
        if kind not in _PNG_DROP:
            kept.append(data[position:end])
        position = end
        if kind == b"IEND":
            break
    return b"".join(kept)
