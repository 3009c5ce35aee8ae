"""docs/CONFIG.md lists every environment variable the code reads, and no other.

A setting nobody can find is a setting nobody sets right at 03:00; one listed but no
longer read misleads. The scan looks for the variable names as string literals in the
code of every process and as ``${NAME...}`` in scripts/run.sh.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = ("meldkamer", "actions", "channels", "console", "rasa_addons", "devstack")
PREFIXES = (
    "MELDKAMER_",
    "CONSOLE_",
    "SMTP_",
    "SMS_",
    "MAIL_",
    "IMAP_",
    "TELEGRAM_",
    "WHATSAPP_",
    "WEBCHAT_",
)
EXACT = ("DATABASE_URL", "REDIS_URL", "RASA_URL")
NAME = "(?:" + "|".join([*(p + "[A-Z0-9_]+" for p in PREFIXES), *EXACT]) + ")"
IN_CODE = re.compile(rf"[\"']({NAME})[\"']")
IN_SHELL = re.compile(rf"\$\{{({NAME})")
IN_DOC = re.compile(rf"^\| `({NAME})` \|", re.MULTILINE)


def read_in_code() -> set[str]:
    names: set[str] = set()
    for package in CODE:
        for path in (ROOT / package).rglob("*.py"):
            names.update(IN_CODE.findall(path.read_text("utf-8")))
    names.update(IN_SHELL.findall((ROOT / "scripts" / "run.sh").read_text("utf-8")))
    return names


def listed_in_doc() -> set[str]:
    return set(IN_DOC.findall((ROOT / "docs" / "CONFIG.md").read_text("utf-8")))


def test_every_variable_the_code_reads_is_documented() -> None:
    missing = sorted(read_in_code() - listed_in_doc())
    assert not missing, f"add to docs/CONFIG.md: {', '.join(missing)}"


def test_the_doc_lists_only_variables_that_are_read() -> None:
    stale = sorted(listed_in_doc() - read_in_code())
    assert not stale, f"no longer read, remove from docs/CONFIG.md: {', '.join(stale)}"
