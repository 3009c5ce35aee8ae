"""Write docs/TRANSCRIPTS.md: real conversations with the running assistant, three topics.

.venv/bin/python scripts/transcripts.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from devstack.stack import ROOT, Stack
from devstack.tenant import converse

CONVERSATIONS = [
    (
        "Lekkage van een waterleiding, 's nachts, met vrije tekst in plaats van knoppen",
        "hallo, de leiding onder de gootsteen is gesprongen en ik krijg hem niet dicht!!",
        {"leiding_gesprongen": True, "leiding_afsluitbaar": False},
        None,
    ),
    (
        "Cv-storing met een medische noodzaak",
        "goedenavond, de cv doet het niet meer. geen verwarming en ook geen warm water",
        {"geen_verwarming": True, "geen_warm_water": True, "medische_noodzaak": True},
        {"medische_noodzaak": "ja, mijn moeder is net uit het ziekenhuis"},
    ),
    (
        "Gaslucht: eerst de veiligheidsinstructies",
        "ik ruik gas in het trappenhuis",
        {},
        None,
    ),
]


def main() -> int:
    parts = [
        "# Transcripts",
        "",
        "Real conversations with the assistant over the REST channel, written by",
        "`scripts/transcripts.py` (the tenant is simulated; every bot line is what the bot sent).",
        "",
    ]
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(database_url=f"sqlite:///{workdir}/t.db", workdir=Path(workdir)).start()
        try:
            for title, first, answers, free_text in CONVERSATIONS:
                number, transcript = converse(stack, first, answers, free_text=free_text)
                parts += [f"## {title}", "", "```text", *transcript, "```", ""]
        finally:
            stack.stop()
    (ROOT / "docs" / "TRANSCRIPTS.md").write_text("\n".join(parts), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
