"""Photo uploads: metadata stripped, quotas per conversation and per IP, disk headroom,
and (web chat) photos only for a conversation that exists and can still use one."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PIL import Image, PngImagePlugin

from channels.bus import MemoryBus
from channels.common.limits import Conversations, Intake
from channels.webchat import WebchatInput
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
    Refusal,
    quotas_from_env,
)
from meldkamer.ratelimit import MemoryWindows, RateLimiter
from tests.channels.sanic_server import serving

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


async def said(photos: PhotoGate, **ask: Any) -> str | None:
    """What the tenant reads when the photo is refused; ``None`` when it is taken."""
    refused = await photos.refusal(**ask)
    return refused.text if refused is not None else None


async def test_only_a_conversation_that_exists_and_is_still_open(tmp_path: Path) -> None:
    photos, _ = gate(PhotoQuotas())
    ask = {"conversation": "web-1", "size": MB, "root": tmp_path}
    refused = await photos.refusal(**ask, facts=ConversationFacts(False, False))
    assert refused == Refusal("conversation", NO_CONVERSATION)
    assert await said(photos, **ask, facts=ConversationFacts(True, True)) == ALREADY_PASSED_ON
    assert await said(photos, **ask, facts=STARTED) is None


async def test_quota_per_conversation_in_photos_and_bytes(tmp_path: Path) -> None:
    photos, clock = gate(PhotoQuotas(per_conversation=3, bytes_per_conversation=5 * MB))
    ask = {"root": tmp_path, "facts": STARTED}
    assert [await said(photos, conversation="a", size=MB, **ask) for _ in range(3)] == [None] * 3
    assert await said(photos, conversation="a", size=MB, **ask) == TOO_MANY
    assert await said(photos, conversation="b", size=4 * MB, **ask) is None
    assert await said(photos, conversation="b", size=2 * MB, **ask) == TOO_MANY
    clock.now += 24 * 3600  # a day later the conversation may send again
    assert await said(photos, conversation="a", size=MB, **ask) is None


async def test_quota_per_client_ip_per_hour(tmp_path: Path) -> None:
    photos, clock = gate(PhotoQuotas(per_ip_per_hour=2))
    ask = {"size": MB, "root": tmp_path, "facts": STARTED, "client_ip": "203.0.113.7"}
    assert await said(photos, conversation="web-a", **ask) is None
    assert await said(photos, conversation="web-b", **ask) is None
    assert await said(photos, conversation="web-c", **ask) == FROM_HERE_TOO_MANY
    assert await said(photos, conversation="web-c", **{**ask, "client_ip": "198.51.100.1"}) is None
    clock.now += 3600
    assert await said(photos, conversation="web-c", **ask) is None


async def test_no_photo_when_the_disk_is_nearly_full(tmp_path: Path) -> None:
    photos, _ = gate(PhotoQuotas(min_free_bytes=500 * MB), free=505 * MB)
    ask = {"conversation": "web-1", "root": tmp_path, "facts": STARTED}
    assert await said(photos, size=4 * MB, **ask) is None
    assert await photos.refusal(size=6 * MB, **ask) == Refusal("room", NO_ROOM)
    assert "112" in NO_ROOM and "088-3746100" in ALREADY_PASSED_ON


def test_quotas_from_the_environment() -> None:
    quotas = quotas_from_env(
        {"MELDKAMER_PHOTOS_PER_CONVERSATION": "4", "MELDKAMER_UPLOAD_MIN_FREE_MB": "100"}
    )
    assert quotas == PhotoQuotas(per_conversation=4, min_free_bytes=100 * MB)
    with pytest.raises(ValueError, match="MELDKAMER_PHOTOS_PER_IP_PER_HOUR is 'veel'"):
        quotas_from_env({"MELDKAMER_PHOTOS_PER_IP_PER_HOUR": "veel"})


# --- the web chat's photo route on a real server -------------------------------------------


def webchat(quotas: PhotoQuotas | None = None, free: int = 10_000 * MB) -> WebchatInput:
    clock = Clock()
    limiter = RateLimiter(MemoryWindows(), clock)
    gate = PhotoGate(limiter, quotas or PhotoQuotas(), free=lambda _: free)
    # The test talks over loopback, which is exempt from limits per IP by default.
    intake = Intake(limiter=limiter, photos=gate, exempt=())
    return WebchatInput(MemoryBus(), intake=intake, conversations=Conversations(clock))


async def post_photo(url: str, session_id: str, data: bytes) -> tuple[int, dict[str, Any]]:
    form = aiohttp.FormData()
    form.add_field("session_id", session_id)
    form.add_field("photo", data, filename="foto.jpg", content_type="image/jpeg")
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{url}/photo", data=form) as reply:
            return reply.status, await reply.json()


async def say(url: str, session_id: str, text: str) -> int:
    async with aiohttp.ClientSession() as client:
        body = {"session_id": session_id, "text": text, "site_key": "de-linde-demo"}
        async with client.post(f"{url}/message", json=body) as reply:
            return reply.status


def session() -> str:
    return f"web-{uuid.uuid4().hex}"


@pytest.fixture
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MELDKAMER_UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


async def test_a_made_up_session_cannot_upload(uploads: Path) -> None:
    async with serving(webchat(), "webchat") as (url, bot):
        status, answer = await post_photo(url, session(), jpeg_with_exif())
    assert (status, answer) == (409, {"error": NO_CONVERSATION})
    assert bot.received == [] and not uploads.exists()


async def test_a_photo_in_a_running_conversation_is_stored_without_exif(uploads: Path) -> None:
    tenant = session()
    async with serving(webchat(), "webchat") as (url, bot):
        assert await say(url, tenant, "de voordeur klemt") == 200
        status, answer = await post_photo(url, tenant, jpeg_with_exif())
        assert (status, answer) == (200, {"ok": True})
        photo = bot.received[-1]
        assert photo.text == "/foto"
        stored = (uploads / photo.metadata["photo"]).read_bytes()
        assert b"CameraMerk" not in stored and photo.metadata["size"] == len(stored)
        # Once the melding is passed on, a photo cannot join it any more.
        await bot.register_ticket(tenant)
        assert await post_photo(url, tenant, jpeg_with_exif()) == (
            409,
            {"error": ALREADY_PASSED_ON},
        )


async def test_quotas_and_headroom_on_the_route(uploads: Path) -> None:
    first, second = session(), session()
    quotas = PhotoQuotas(per_conversation=1, per_ip_per_hour=2)
    async with serving(webchat(quotas), "webchat") as (url, _):
        for tenant in (first, second):
            assert await say(url, tenant, "lekkage") == 200
        assert (await post_photo(url, first, jpeg_with_exif()))[0] == 200
        assert await post_photo(url, first, jpeg_with_exif()) == (429, {"error": TOO_MANY})
        assert await post_photo(url, second, jpeg_with_exif()) == (
            429,
            {"error": FROM_HERE_TOO_MANY},
        )
    async with serving(webchat(free=100 * MB), "webchat") as (url, _):
        assert await say(url, first, "lekkage") == 200
        assert await post_photo(url, first, jpeg_with_exif()) == (507, {"error": NO_ROOM})
    assert len(list(uploads.rglob("*.jpg"))) == 1
