"""The report's font: DejaVu Sans (é, ë, ï and the euro sign), else reportlab's Helvetica.

DejaVu is looked for in the system's fonts and in matplotlib's own data (which ships it),
so a machine without fonts installed still gets it; registering happens on first use.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import matplotlib
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")


def _find(name: str) -> Path | None:
    for folder in (SYSTEM_FONTS, Path(matplotlib.get_data_path()) / "fonts" / "ttf"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=1)
def report_fonts() -> tuple[str, str]:
    """The names of the regular and the bold font, registered with reportlab."""
    regular, bold = _find("DejaVuSans.ttf"), _find("DejaVuSans-Bold.ttf")
    if regular is None or bold is None:
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont("RapportSans", str(regular)))
    pdfmetrics.registerFont(TTFont("RapportSans-Bold", str(bold)))
    pdfmetrics.registerFontFamily("RapportSans", normal="RapportSans", bold="RapportSans-Bold")
    return "RapportSans", "RapportSans-Bold"
