"""Photo uploads: metadata stripped, quotas per conversation and per IP, disk headroom,
and (web chat) photos only for a conversation that exists and can still use one."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from meldkamer.attachments.files import RejectedFile, store_file, strip_metadata
from meldkamer.attachments.quota import (
    ALREADY_PASSED_ON,
    FROM_HERE_TOO_MANY,
    MB,
    NO_CONVERSATION,
    NO_ROOM,
    TOO_MANY,
    ConversationFacts,
    PhotoGate,
    PhotoQuotas,
    quotas_from_env,
)
from meldkamer.ratelimit import MemoryWindows, RateLimiter

NOW = datetime(2026, 12, 1, 22, 30, tzinfo=timezone.utc)
GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def jpeg_with_exif(orientation: int | None = 6) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "CameraMerk-SN12345"
    exif[GPS_IFD] = {1: "N", 2: (52.0, 5.0, 31.0), 3: "E", 4: (4.0, 53.0, 12.0)}
    if orientation is not None:
        exif[ORIENTATION] = orientation
    buffer = io.BytesIO()
    Image.new("RGB", (32, 16), (10, 120, 200)).save(
        buffer, "JPEG", exif=exif.tobytes(), comment=b"Lindehof 12, achterdeur"
    )
    return buffer.getvalue()


def test_exif_location_serial_and_comment_are_removed_the_orientation_kept(
    tmp_path: Path,
) -> None:
    original = jpeg_with_exif()
    assert b"CameraMerk" in original and b"Lindehof" in original
    stored = store_file(original, tmp_path, NOW)
    data = stored.path.read_bytes()
    assert b"CameraMerk" not in data and b"Lindehof" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {ORIENTATION: 6}
        assert not image.getexif().get_ifd(GPS_IFD)
        assert image.size == (32, 16)
        image.load()  # the picture itself is intact
    assert stored.size == len(data)


def test_a_jpeg_without_orientation_keeps_no_exif_at_all() -> None:
    data = strip_metadata(jpeg_with_exif(orientation=None), "image/jpeg")
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {}


def test_png_text_chunks_are_removed() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "52.0853, 4.8869")
    info.add_itxt("Comment", "huis van mevrouw Jansen")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, "PNG", pnginfo=info)
    data = strip_metadata(buffer.getvalue(), "image/png")
    assert b"52.0853" not in data and b"Jansen" not in data
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.size == (8, 8)


def test_a_photo_without_metadata_is_stored_byte_for_byte(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    assert store_file(buffer.getvalue(), tmp_path, NOW).path.read_bytes() == buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\xe0\x00\x00" + b"\x00" * 40,  # a segment length that cannot be
        b"\xff\xd8\xff\xe1\x40\x00Exif",  # a segment longer than the file
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 9 + b"\x00\x00",  # no marker after it
        b"\x89PNG\r\n\x1a\n\x00\x00\x10\x00tEXt",  # a chunk longer than the file
    ],
)
def test_broken_files_behind_good_magic_bytes_are_refused(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(RejectedFile, match="beschadigd"):
        store_file(data, tmp_path, NOW)
    assert not any(tmp_path.rglob("*.*"))


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def gate(quotas: PhotoQuotas, free: int = 10_000 * MB) -> tuple[PhotoGate, Clock]:
    clock = Clock()
    return PhotoGate(RateLimiter(MemoryWindows(), clock), quotas, free=lambda _: free), clock


STARTED = ConversationFacts(started=True, passed_on=False)


async def test_only_a_conversation_that_exists_and_is_still_open(tmp_path: Path) -> None:
    photos, _ = gate(PhotoQuotas())
    ask = {"conversation": "web-1", "size": MB, "root": tmp_path}
    assert await photos.refusal(**ask, facts=ConversationFacts(False, False)) == NO_CONVERSATION
    assert await photos.refusal(**ask, facts=ConversationFacts(True, True)) == ALREADY_PASSED_ON
    assert await photos.refusal(**ask, facts=STARTED) is None


async def test_quota_per_conversation_in_photos_and_bytes(tmp_path: Path) -> None:
    photos, clock = gate(PhotoQuotas(per_conversation=3, bytes_per_conversation=5 * MB))
    ask = {"root": tmp_path, "facts": STARTED}
    assert [await photos.refusal(conversation="a", size=MB, **ask) for _ in range(3)] == [None] * 3
    assert await photos.refusal(conversation="a", size=MB, **ask) == TOO_MANY
    assert await photos.refusal(conversation="b", size=4 * MB, **ask) is None
    assert await photos.refusal(conversation="b", size=2 * MB, **ask) == TOO_MANY
    clock.now += 24 * 3600  # a day later the conversation may send again
    assert await photos.refusal(conversation="a", size=MB, **ask) is None


async def test_quota_per_client_ip_per_hour(tmp_path: Path) -> None:
    photos, clock = gate(PhotoQuotas(per_ip_per_hour=2))
    ask = {"size": MB, "root": tmp_path, "facts": STARTED, "client_ip": "203.0.113.7"}
    assert await photos.refusal(conversation="web-a", **ask) is None
    assert await photos.refusal(conversation="web-b", **ask) is None
    assert await photos.refusal(conversation="web-c", **ask) == FROM_HERE_TOO_MANY
    assert (
        await photos.refusal(conversation="web-c", **{**ask, "client_ip": "198.51.100.1"}) is None
    )
    clock.now += 3600
    assert await photos.refusal(conversation="web-c", **ask) is None


async def test_no_photo_when_the_disk_is_nearly_full(tmp_path: Path) -> None:
    photos, _ = gate(PhotoQuotas(min_free_bytes=500 * MB), free=505 * MB)
    ask = {"conversation": "web-1", "root": tmp_path, "facts": STARTED}
    assert await photos.refusal(size=4 * MB, **ask) is None
    assert await photos.refusal(size=6 * MB, **ask) == NO_ROOM
    assert "112" in NO_ROOM and "088-3746100" in ALREADY_PASSED_ON


def test_quotas_from_the_environment() -> None:
    quotas = quotas_from_env(
        {"MELDKAMER_PHOTOS_PER_CONVERSATION": "4", "MELDKAMER_UPLOAD_MIN_FREE_MB": "100"}
    )
    assert quotas == PhotoQuotas(per_conversation=4, min_free_bytes=100 * MB)
    with pytest.raises(ValueError, match="MELDKAMER_PHOTOS_PER_IP_PER_HOUR is 'veel'"):
        quotas_from_env({"MELDKAMER_PHOTOS_PER_IP_PER_HOUR": "veel"})
