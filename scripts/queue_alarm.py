"""Synthesise the queue's alarm sound (console/static/queue-alarm.wav); no download.

Three short two-tone beeps (880 and 660 Hz), a sound that stands out from a phone's
ring tone, with soft edges so it does not click. Deterministic: the same bytes on every
run, so tests/console/test_queue.py can check the committed file is this one.

    .venv/bin/python scripts/queue_alarm.py          # writes the file
"""

from __future__ import annotations

import io
import math
import struct
import sys
import wave
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "console" / "static" / "queue-alarm.wav"
RATE = 11025
#: (frequency in Hz, seconds); 0 Hz is silence.
PATTERN = ((880, 0.12), (660, 0.12), (0, 0.08)) * 3
VOLUME = 0.5
FADE_SECONDS = 0.01


def samples() -> list[int]:
    """The sound as signed 16-bit samples."""
    result: list[int] = []
    fade = int(RATE * FADE_SECONDS)
    for frequency, seconds in PATTERN:
        count = int(RATE * seconds)
        for i in range(count):
            edge = min(1.0, i / fade, (count - 1 - i) / fade)
            value = math.sin(2 * math.pi * frequency * i / RATE) if frequency else 0.0
            result.append(round(32767 * VOLUME * edge * value))
    return result


def wav_bytes() -> bytes:
    """The WAV file: mono, 16 bit, ``RATE`` samples per second."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples()))
    return buffer.getvalue()


def main() -> int:
    TARGET.write_bytes(wav_bytes())
    print(f"{TARGET}: {TARGET.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
