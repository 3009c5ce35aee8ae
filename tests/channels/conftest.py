"""Every channel test keeps its durable inbox in its own folder, never in the repository's var/."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def inbox_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "inbox"
    monkeypatch.setenv("MELDKAMER_INBOX_DIR", str(folder))
    return folder
