"""One type family for the whole report, text, tables and charts alike: DejaVu Sans.

Why this one: matplotlib ships it (``mpl-data/fonts/ttf``), so every machine that draws the
charts has the very same file, with Cyrillic, «», № and the dashes; the PDF embeds that file,
so it reads the same on any computer, and its text and its charts are the same glyphs.
Liberation Sans (Arial's metrics) was the other candidate, but it is a system package the bot
cannot count on: a report whose type changed with the machine it was made on would not be one
report. The DOCX names the family, and tells Word on a computer without it to take Verdana
(the font table's ``altName``), DejaVu's near relative on Windows: both are wide sans-serifs
of the Bitstream Vera lineage, so lines break about where they would.

Regular weight throughout; bold only for headings and the header row of a table.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib

FAMILY = "DejaVu Sans"
WINDOWS_FALLBACK = "Verdana"


@cache
def font_file(*, bold: bool = False, italic: bool = False) -> Path:
    """The TTF matplotlib ships: the charts are drawn with it, the PDF embeds it."""
    name = {
        (False, False): "DejaVuSans.ttf",
        (True, False): "DejaVuSans-Bold.ttf",
        (False, True): "DejaVuSans-Oblique.ttf",
        (True, True): "DejaVuSans-BoldOblique.ttf",
    }[bold, italic]
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    if not path.is_file():  # pragma: no cover - a broken matplotlib install
        raise FileNotFoundError(path)
    return path
